"""The checked-file service (ADR 0009): the one way an uploaded file is stored, and the one way a stored
file is read back.

Every upload path — evidence, findings, credit-check files, objection files, imported workbooks, and
the documents of issue 14 — calls `receive` with its *purpose*; every download calls `open_checked`.

`receive`:
1. checks the name and the purpose's kinds before a byte is read;
2. streams the bytes to a temporary file on disk (never to memory), counting them against the
   purpose's limit and computing the SM3 digest as they arrive, stopping at the limit;
3. checks the content (`validation.inspect_upload`: the kind from the bytes, a structural parse, active
   content; for an Office file the ZIP screen measures every entry by streaming decompression and
   defusedxml refuses any DTD, so a workbook's zip-bomb and entity-expansion limits hold before any
   parser sees it — the import worker's greencore `open_workbook` then adds the sheet-dimension limits
   before calamine reads it);
4. only then saves it under a server-made name (`<folder>/<uuid>.<ext>`) and reads the stored copy back
   to check that its SM3 is the one that was checked.
A refusal at any step leaves nothing stored and writes one audit event (`purpose.refused_action`).

`open_checked` re-computes the SM3 of a stored file before anyone reads it: a file changed in storage
is refused with a clear message, and recorded.

Which kinds each purpose accepts, and how large, is the domain's policy and is written here by hand;
what a file *is* is left to maintained libraries (see validation.py)."""

from __future__ import annotations

import tempfile
import uuid
from dataclasses import dataclass, replace
from typing import IO, Any, BinaryIO, cast

from django.conf import settings
from django.core.files.base import File
from django.core.files.storage import default_storage
from django.db.models import Model

from greenmfg.audit import services as audit
from greenmfg.core.errors import Refused
from greenmfg.orgs.selectors import Actor

from .validation import (
    DEFAULT_ALLOWED,
    DEFAULT_LIMITS,
    UploadRejected,
    inspect_upload,
    safe_download_name,
    sm3_hex,
)


class FileRefused(Refused):
    """An upload refused by the checked-file service; `code` names the check (see validation's
    REJECTION_CODES, plus `store`)."""

    def __init__(self, zh: str, en: str, code: str) -> None:
        super().__init__(zh, en)
        self.code = code


class FileTampered(Refused):
    """A stored file whose SM3 no longer matches the digest recorded when it was stored."""


@dataclass(frozen=True)
class Purpose:
    """What one upload path accepts: the domain's policy, by hand."""

    key: str
    kinds: frozenset[str]
    max_bytes: int
    folder: str
    refused_action: str  # the audit action of a refusal (one event per refused file)


def purpose(key: str) -> Purpose:
    """The policy of one upload path. Sizes come from settings so that an operator can change them."""
    evidence_max = int(settings.EVIDENCE_MAX_BYTES)
    policies = {
        # an applicant's evidence and an evaluator's findings: every kind the validator knows
        "evidence": Purpose(
            "evidence", DEFAULT_ALLOWED, evidence_max, "evidence", "evidence.upload_rejected"
        ),
        "finding": Purpose(
            "finding", DEFAULT_ALLOWED, evidence_max, "evaluations", "evaluation.finding_upload_rejected"
        ),
        # what 信用中国 / the enterprise credit system produce: a PDF, a screenshot or an OFD
        "credit_check": Purpose(
            "credit_check",
            frozenset({"pdf", "png", "jpeg", "ofd"}),
            int(settings.UPLOAD_LIMITS["reviews:credit"][1]),
            "credit",
            "reviews.credit_file_rejected",
        ),
        # anonymous proof of an objection: documents and photos, smaller
        "objection": Purpose(
            "objection",
            frozenset({"pdf", "png", "jpeg", "ofd", "docx"}),
            int(settings.UPLOAD_LIMITS["publication:notice"][1]),
            "objections",
            "publication.objection_file_rejected",
        ),
        # the platform's own self-evaluation workbook, read by the import worker
        "workbook": Purpose(
            "workbook",
            frozenset({"xlsx"}),
            int(settings.UPLOAD_LIMITS["applications:import"][1]),
            "imports",
            "application.import_rejected",
        ),
        # the minutes of a review step's meeting (会议纪要): a signed document or its scan
        "minutes": Purpose(
            "minutes",
            frozenset({"pdf", "ofd", "docx", "png", "jpeg"}),
            evidence_max,
            "meetings",
            "reviews.minutes_rejected",
        ),
        # a bureau's industry benchmark values (issue 12): one sheet, read while the bureau waits
        "benchmarks": Purpose(
            "benchmarks",
            frozenset({"xlsx"}),
            int(settings.UPLOAD_LIMITS["benchmarks:import"][1]),
            "benchmarks",
            "benchmarks.import_rejected",
        ),
        # supervision (issue 13): a check's findings, a rectification's answer, a public report's proof
        "supervision": Purpose(
            "supervision",
            DEFAULT_ALLOWED,
            evidence_max,
            "supervision",
            "supervision.file_rejected",
        ),
        # documents (issue 14): signed notices and letters a bureau files
        "document": Purpose(
            "document",
            frozenset({"pdf", "ofd", "docx"}),
            evidence_max,
            "documents",
            "document.upload_rejected",
        ),
    }
    return policies[key]


@dataclass(frozen=True)
class StoredFile:
    """A file the service accepted and stored. `name` is the user's name made safe for a download."""

    storage_name: str
    name: str
    kind: str
    mime: str
    extension: str
    size: int
    sm3: str
    notes: tuple[str, ...] = ()


def _who(actor: Actor | None) -> dict[str, Any]:
    if actor is None:  # an anonymous objection
        return {}
    return {"actor": actor.user, "role": actor.role, "organisation_id": actor.organisation.pk}


def _save(policy: Purpose, under: str, spool: IO[bytes], extension: str, sm3: str) -> str:
    """Save the checked spool under a server-made name and re-hash the stored copy: what was checked is
    what was stored, or nothing is."""
    folder = f"{policy.folder}/{under}" if under else policy.folder
    spool.seek(0)
    saved = default_storage.save(f"{folder}/{uuid.uuid4().hex}.{extension}", File(spool))
    with default_storage.open(saved, "rb") as stored:
        same = sm3_hex(stored) == sm3
    if not same:
        default_storage.delete(saved)
        raise UploadRejected(
            "store", "文件保存校验失败，请重新上传。", "the stored file differs from the checked one"
        )
    return saved


def receive(
    purpose_key: str,
    stream: BinaryIO | IO[bytes],
    filename: str,
    *,
    actor: Actor | None,
    obj: Model | None = None,
    object_id: str = "",
    under: str = "",
) -> StoredFile:
    """Check and store one upload for `purpose_key`; `FileRefused` (and one audit event) otherwise.
    `obj`/`object_id` name what the file is for, in the audit trail; `under` is a sub-folder (the
    owner's public id). The caller writes its row and calls `discard` if that fails."""
    policy = purpose(purpose_key)
    try:
        # on disk, not in memory: FILE_UPLOAD_TEMP_DIR (or the system's), deleted on close
        with tempfile.NamedTemporaryFile(dir=settings.FILE_UPLOAD_TEMP_DIR or None) as spool:
            inspected = inspect_upload(
                stream,
                filename,
                allowed=policy.kinds,
                max_bytes=policy.max_bytes,
                # issue 16: an image's pixel count, read from its header, against the platform's limit
                limits=replace(DEFAULT_LIMITS, max_pixels=int(settings.IMAGE_MAX_PIXELS)),
                spool=spool,
            )
            saved = _save(policy, under, spool, inspected.extension, inspected.sm3)
    except UploadRejected as rejected:
        audit.record(
            policy.refused_action,
            **_who(actor),
            obj=obj,
            object_id=object_id,
            success=False,
            detail={"code": rejected.code, "name": safe_download_name(filename), "purpose": policy.key},
        )
        raise FileRefused(rejected.zh, rejected.en, rejected.code) from None
    return StoredFile(
        storage_name=saved,
        name=safe_download_name(filename),
        kind=inspected.kind,
        mime=inspected.mime,
        extension=inspected.extension,
        size=inspected.size,
        sm3=inspected.sm3,
        notes=inspected.notes,
    )


def discard(storage_name: str) -> None:
    """Remove a stored file whose row was never written (the caller's transaction failed)."""
    default_storage.delete(storage_name)


def open_checked(
    storage_name: str,
    sm3: str,
    *,
    actor: Actor | None,
    obj: Model | None,
    refused_action: str,
    read_action: str = "",
) -> BinaryIO:
    """The stored file, positioned at its start, after its SM3 was computed again and found equal to
    `sm3`. A mismatch closes it, records `refused_action` and raises `FileTampered`; a read is recorded
    as `read_action` when one is given."""
    # Django's File proxies read/seek/close of the file it wraps: a binary file for every caller
    handle = cast(BinaryIO, default_storage.open(storage_name, "rb"))
    found = sm3_hex(handle)
    if found != sm3:
        handle.close()
        audit.record(
            refused_action, **_who(actor), obj=obj, success=False, detail={"expected": sm3, "found": found}
        )
        raise FileTampered(
            "文件校验失败（SM3 摘要不符）：存储的文件已被改动，不予提供；已记录并通知管理员。",
            "integrity check failed: the stored file was changed since it was checked; this is recorded",
        )
    handle.seek(0)
    if read_action:
        audit.record(read_action, **_who(actor), obj=obj)
    return handle
