"""Documents issued outside an application: dynamic-management documents, certificates, public notices.

- A unit's confirmation that its year's 动态管理表 was accepted, and a bureau's summary of a filing round
  (PDF and Excel): requested, numbered under a lock, made by the worker, stored with their SM3 digest.
- A title's certificate: the request fixes its code; the worker renders and stores the PDF.
- The publicity notice and the announcement as PDF: made by the worker when their data changes (never on a
  request: reports.notices), stored once per state of their data with its digest, served from the stored
  copy.
Every stored file is checked against its digest before it is served, and anyone may check a copy.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import IO, Any, BinaryIO

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django_tasks import task

from greencore import (
    RoundFiling,
    filing_confirmation,
    filing_confirmation_pdf,
    filing_round_summary,
    filing_round_summary_pdf,
    filing_round_table,
    get_scheme,
    write_table_xlsx,
)
from greenmfg.audit import hashing
from greenmfg.audit import services as audit
from greenmfg.catalog.models import TitleKind, TitleLevel
from greenmfg.core import jobs
from greenmfg.evidence.validation import sm3_hex
from greenmfg.orgs.models import Organisation
from greenmfg.orgs.selectors import Actor
from greenmfg.publication.models import Title
from greenmfg.supervision.models import Filing
from greenmfg.supervision.selectors import supervised_level

from . import storage
from .models import Certificate, Document, IssuedDocument
from .services import COPY_MAX_BYTES, IntegrityFailure, ReportError, templates

logger = logging.getLogger(__name__)
Kind, Format, Status = IssuedDocument.Kind, IssuedDocument.Format, IssuedDocument.Status
OPEN = (Status.QUEUED, Status.RUNNING)


def title_label(title: Title) -> str:
    level = TitleLevel(title.level).label if title.level in TitleLevel.values else title.level
    kind = TitleKind(title.kind).label if title.kind in TitleKind.values else title.kind
    return f"{level}{kind}" + (f"（{title.grade_label}）" if title.grade_label else "")


def _audit(actor: Actor | None, action: str, issued: IssuedDocument, **detail: Any) -> None:
    audit.record(
        f"reports.{action}",
        actor=actor.user if actor else None,
        role=actor.role if actor else "",
        organisation_id=actor.organisation.pk if actor else None,
        obj=issued,
        detail={"kind": issued.kind, "number": issued.number, "format": issued.format, **detail},
    )


def _new_version(actor: Actor | None, **fields: Any) -> IssuedDocument:
    """The next numbered version of (kind, subject, format); the caller holds a lock on the subject."""
    last = IssuedDocument.objects.filter(
        kind=fields["kind"], subject=fields["subject"], format=fields["format"]
    ).aggregate(n=Max("number"))["n"]
    return IssuedDocument.objects.create(
        number=(last or 0) + 1, created_by=actor.user if actor else None, **fields
    )


def _enqueue(issued_id: uuid.UUID) -> None:
    result = generate_issued.enqueue(str(issued_id))
    IssuedDocument.objects.filter(pk=issued_id).update(task_id=str(result.id)[:64])


def request_filing_confirmation(actor: Actor, filing: Filing) -> IssuedDocument:
    """The confirmation of an accepted filing, for the unit or its bureau (the caller has passed the
    filing's access gate)."""
    with transaction.atomic():
        locked = Filing.objects.select_for_update().select_related("title__organisation").get(pk=filing.pk)
        if locked.status != Filing.Status.ACCEPTED:
            raise ReportError("动态管理表受理后才能出具回执。", "the filing has not been accepted yet")
        issued = _new_version(
            actor,
            kind=Kind.FILING_CONFIRMATION,
            format=Format.PDF,
            subject=str(locked.public_id),
            label=f"{locked.year}年度动态管理表受理回执-{locked.title.organisation.name}"[:200],
            authority_id=locked.authority_id,
            filing=locked,
            year=locked.year,
        )
        _audit(actor, "issue_requested", issued, filing=str(locked.public_id))
        transaction.on_commit(lambda: _enqueue(issued.pk))
    return issued


def request_round_summary(actor: Actor, year: int, fmt: str) -> IssuedDocument:
    """A supervising bureau's summary of its filing round of `year`, as PDF or Excel."""
    if supervised_level(actor) is None:
        raise ReportError("只有负责动态管理的主管部门可以生成年度汇总。", "not a supervising bureau")
    if fmt not in Format.values:
        raise ReportError("格式只能是 PDF 或 Excel（xlsx）。", "the format must be pdf or xlsx")
    if not 2000 <= year <= 2100:
        raise ReportError("年度应在 2000 至 2100 之间。", "the year must be between 2000 and 2100")
    with transaction.atomic():
        Organisation.objects.select_for_update().get(pk=actor.organisation.pk)  # one number per request
        issued = _new_version(
            actor,
            kind=Kind.ROUND_SUMMARY,
            format=fmt,
            subject=f"{actor.organisation.pk}/{year}",
            label=f"{actor.organisation.name}{year}年度动态管理汇总"[:200],
            authority_id=actor.organisation.pk,
            year=year,
        )
        _audit(actor, "issue_requested", issued, year=year)
        transaction.on_commit(lambda: _enqueue(issued.pk))
    return issued


def _confirmation(issued: IssuedDocument) -> bytes:
    assert issued.filing_id is not None  # a confirmation names its filing
    filing = Filing.objects.select_related("title__organisation", "authority").get(pk=issued.filing_id)
    assert filing.submitted_on is not None  # accepted filings have been submitted
    specs = {n.id: n.label.zh for n in get_scheme(filing.title.scheme).iter_nodes()}
    document = filing_confirmation(
        authority=filing.authority.name,
        unit_name=filing.title.organisation.name,
        credit_code=filing.title.organisation.credit_code or "",
        title_label=title_label(filing.title),
        year=filing.year,
        deadline=filing.deadline,
        submitted_on=filing.submitted_on,
        values=[
            (specs.get(key, key), str(v.get("value", "")), str(v.get("unit", "")))
            for key, v in sorted(filing.values.items())
        ],
        warnings=[str(p.get("zh", "")) for p in filing.problems],
        justification=filing.justification,
        score=filing.score,
        green_code=filing.green_code,
        no_grade_reason=filing.no_grade_reason,
        reference=f"DM-{filing.year}-{str(filing.public_id)[:8].upper()}-{issued.number}",
        generated_on=timezone.localdate(),
        data_version=f"动态管理表 {filing.year} 年度（受理于 {filing.submitted_on.isoformat()}）",
    )
    return filing_confirmation_pdf(document, templates())


def round_filings(authority_id: int, year: int) -> list[RoundFiling]:
    filings = Filing.objects.filter(authority_id=authority_id, year=year).select_related(
        "title__organisation__region"
    )
    return [
        RoundFiling(
            unit_name=f.title.organisation.name,
            credit_code=f.title.organisation.credit_code or "",
            region=f.title.organisation.region.full_name(),
            title_label=title_label(f.title),
            deadline=f.deadline,
            submitted_on=f.submitted_on,
            accepted=f.status == Filing.Status.ACCEPTED,
            score=f.score,
            green_code=f.green_code,
            escalated=f.escalated_on is not None,
        )
        for f in filings.order_by("pk")
    ]


def _round(issued: IssuedDocument) -> bytes:
    assert issued.year is not None
    filings = round_filings(issued.authority_id, issued.year)
    today = timezone.localdate()
    summary = filing_round_summary(
        authority=issued.authority.name, year=issued.year, filings=filings, as_of=today, generated_on=today
    )
    if issued.format == Format.XLSX:
        return write_table_xlsx(filing_round_table(summary, filings))
    return filing_round_summary_pdf(summary, templates())


RENDER: dict[str, Callable[[IssuedDocument], bytes]] = {
    Kind.FILING_CONFIRMATION: _confirmation,
    Kind.ROUND_SUMMARY: _round,
}


def _failed(pk: uuid.UUID, error: BaseException) -> None:
    IssuedDocument.objects.filter(pk=pk).update(
        status=Status.FAILED, message=f"生成失败（{type(error).__name__}）：{error}"[:500]
    )


@task()
def generate_issued(issued_id: str) -> str:
    """Render, store and digest one issued document; whatever goes wrong, it ends failed with the reason."""
    issued = IssuedDocument.objects.select_related("authority").get(pk=issued_id)
    IssuedDocument.objects.filter(pk=issued.pk).update(status=Status.RUNNING, progress=10)
    try:
        content = RENDER[issued.kind](issued)
        name, digest = storage.store_digested(content, issued.format)
    except Exception as error:  # a template a bureau broke, a font missing: the reason, never "running"
        logger.exception("issued document %s failed", issued_id)
        _failed(issued.pk, error)
        IssuedDocument.objects.filter(pk=issued.pk).update(progress=100, finished_at=timezone.now())
        return Status.FAILED
    IssuedDocument.objects.filter(pk=issued.pk).update(
        storage_name=name, size=len(content), sm3=digest, status=Status.DONE, progress=100,
        finished_at=timezone.now(),
    )  # fmt: skip
    _audit(None, "issued", issued, sm3=digest, size=len(content))
    return Status.DONE


# --- public notices: stored once per state of their data ---------------------------------------------------


def data_digest(context: dict[str, Any]) -> str:
    """SM3 of a document's data (canonical JSON): the same data is the same stored copy."""
    return hashing.sm3(hashing.canonical(context))


def public_copy(
    *,
    kind: str,
    subject: Any,
    lock: Callable[[], object],
    label: str,
    authority_id: int,
    context: dict[str, Any],
    render: Callable[[], bytes],
) -> IssuedDocument:
    """The stored PDF of a public document in its present state: the version made from the same data if
    there is one, else a new version (rendered outside the lock, then stored under it; a concurrent
    task that stored the same data first wins and this render is dropped). Called by the worker only
    (reports.notices.render_public): a request never renders."""
    digest = data_digest(context)
    found = IssuedDocument.objects.filter(
        kind=kind, subject=str(subject), data_sm3=digest, status=Status.DONE
    ).first()
    if found is not None:
        return found
    content = render()
    with transaction.atomic():
        lock()
        rows = IssuedDocument.objects.select_for_update().filter(
            kind=kind, subject=str(subject), data_sm3=digest
        )
        found = rows.filter(status=Status.DONE).first()
        if found is not None:
            return found
        name, sm3 = storage.store_digested(content, Format.PDF)
        failed = rows.first()
        if failed is not None:
            # this state failed before (its failure recorded for the bureau): the same version is made now;
            # the reason is cleared (a done copy's page is public), the attempts and the last failure kept
            failed.status, failed.progress, failed.message = Status.DONE, 100, ""
            failed.storage_name, failed.size, failed.sm3 = name, len(content), sm3
            failed.finished_at = timezone.now()
            failed.save(
                update_fields=["status", "progress", "message", "storage_name", "size", "sm3", "finished_at"]
            )
            _audit(None, "issued", failed, sm3=sm3, size=len(content), attempts=failed.attempts)
            return failed
        issued = _public_version(
            kind,
            subject,
            label,
            authority_id,
            digest,
            status=Status.DONE,
            storage_name=name,
            size=len(content),
            sm3=sm3,
            finished_at=timezone.now(),
        )
        _audit(None, "issued", issued, sm3=sm3, size=len(content))
    return issued


def _public_version(
    kind: str, subject: Any, label: str, authority_id: int, digest: str, **state: Any
) -> IssuedDocument:
    """The next version of a public document's PDF for this state of its data, finished (made or failed)."""
    return _new_version(
        None,
        kind=kind,
        format=Format.PDF,
        subject=str(subject),
        label=label[:200],
        authority_id=authority_id,
        data_sm3=digest,
        progress=100,
        **state,
    )


def public_failure(
    *,
    kind: str,
    subject: Any,
    lock: Callable[[], object],
    label: str,
    authority_id: int,
    context: dict[str, Any],
    error: BaseException,
) -> IssuedDocument | None:
    """Record on the document's row that the worker could not make this state of a public document: the
    reason, one more attempt, when. The first failure of a state numbers its version (failed); a retry the
    bureau asked for that fails again is recorded as an event, as the first failure is (the sweep's
    automatic retries every few minutes only count). None when a copy of this state was stored meanwhile."""
    digest = data_digest(context)
    reason = f"{type(error).__name__}: {error}"[:500]
    now = timezone.now()
    with transaction.atomic():
        lock()
        rows = IssuedDocument.objects.select_for_update().filter(
            kind=kind, subject=str(subject), data_sm3=digest
        )
        if rows.filter(status=Status.DONE).exists():
            return None
        row = rows.first()
        if row is None:
            row = _public_version(
                kind,
                subject,
                label,
                authority_id,
                digest,
                status=Status.FAILED,
                message=reason,
                attempts=1,
                failed_at=now,
                finished_at=now,
            )
            _audit(None, "public_render_failed", row, reason=reason, attempts=1)
            return row
        asked = row.status != Status.FAILED  # queued again by the bureau
        row.status, row.progress, row.message = Status.FAILED, 100, reason
        row.attempts += 1
        row.failed_at = row.finished_at = now
        row.save(update_fields=["status", "progress", "message", "attempts", "failed_at", "finished_at"])
        if asked:
            _audit(None, "public_render_failed", row, reason=reason, attempts=row.attempts)
    return row


# --- download and verify -----------------------------------------------------------------------------------


def open_issued(actor: Actor | None, issued: IssuedDocument) -> BinaryIO:
    """The stored file after checking its SM3 again; a mismatch is refused and recorded."""
    if issued.status != Status.DONE:
        raise ReportError("文件尚未生成完成。", "the document is not ready")
    handle, digest = storage.open_if_intact(issued.storage_name, issued.sm3)
    if handle is None:
        audit.record(
            "reports.integrity_failed",
            actor=actor.user if actor else None,
            obj=issued,
            success=False,
            detail={"expected": issued.sm3, "found": digest},
        )
        raise IntegrityFailure("文件校验失败（SM3 摘要不符），已记录。", "integrity check failed")
    return handle


def verify_issued_copy(upload: BinaryIO | IO[bytes] | None, size: int) -> IssuedDocument | None:
    """The issued document a copy is byte for byte (by SM3), or None. Public: whoever holds a copy learns
    only which document it is, which the copy itself prints."""
    if upload is None or size == 0:
        raise ReportError("请选择要核验的文件。", "choose the file to verify")
    if size > COPY_MAX_BYTES:
        raise ReportError(
            "文件超过 100 MB，不是本平台生成的文件。", "larger than 100 MB: not a generated document"
        )
    digest = sm3_hex(upload)
    found = IssuedDocument.objects.filter(status=Status.DONE, sm3=digest).select_related("authority").first()
    audit.record(
        "reports.issued_copy_verified",
        obj=found,
        object_id=str(found.pk) if found else "",
        success=found is not None,
        detail={"sm3": digest},
    )
    return found


# --- the sweeper -------------------------------------------------------------------------------------------

_STALE = "生成进程意外终止（工作进程已停止或超时），请重新生成。"


def job_timeout() -> timedelta:
    return timedelta(minutes=int(getattr(settings, "REPORT_JOB_TIMEOUT_MINUTES", 30)))


def _end(row: Document | IssuedDocument | Certificate, fields: dict[str, Any]) -> int:
    """Fail the row if it still has the status it was read with (a worker may have finished meanwhile)."""
    if isinstance(row, Certificate):
        return Certificate.objects.filter(pk=row.pk, status=row.status).update(**fields)
    if isinstance(row, IssuedDocument):
        return IssuedDocument.objects.filter(pk=row.pk, status=row.status).update(**fields)
    return Document.objects.filter(pk=row.pk, status=row.status).update(**fields)


def fail_stale_documents(*, dead_worker: str = "", now: datetime | None = None) -> int:
    """End the documents, issued documents and certificates no worker will finish: claimed by a dead
    worker, finished elsewhere, or running longer than REPORT_JOB_TIMEOUT_MINUTES. Each is marked failed
    with the reason and an audit event; the user asks again (a new version). Returns how many."""
    now = now or timezone.now()
    ended = 0
    rows: list[Document | IssuedDocument | Certificate] = [
        *Document.objects.filter(status__in=OPEN),
        *IssuedDocument.objects.filter(status__in=OPEN),
        *Certificate.objects.filter(status__in=OPEN),
    ]
    results = jobs.task_results(row.task_id for row in rows)
    for row in rows:
        result = results.get(row.task_id)
        why = jobs.stale(
            running=row.status == Status.RUNNING,
            created_at=row.issued_at if isinstance(row, Certificate) else row.created_at,
            result=result,
            dead_worker=dead_worker,
            now=now,
            timeout=job_timeout(),
        )
        if not why:
            continue
        with transaction.atomic():
            fields: dict[str, Any] = {"status": Status.FAILED, "message": _STALE}
            if not isinstance(row, Certificate):
                fields |= {"progress": 100, "finished_at": now}
            if not _end(row, fields):
                continue
            jobs.end_task(result, now)
            audit.record("reports.job_failed", obj=row, success=False, detail={"reason": why})
        ended += 1
    return ended
