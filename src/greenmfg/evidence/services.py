"""Evidence files: checked by content, stored under a server-made name, SM3-digested, versioned,
frozen at submission and re-verified on every download."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, BinaryIO

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.base import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from greenmfg.audit import services as audit
from greenmfg.orgs.selectors import Actor

from .models import EvidenceFile
from .validation import UploadRejected, inspect_upload, safe_download_name, sm3_hex


class EvidenceError(Exception):
    def __init__(self, zh: str, en: str, code: str = "") -> None:
        super().__init__(en)
        self.zh, self.en, self.code = zh, en, code


class IntegrityFailure(EvidenceError):
    pass


EDITABLE_STATES = ("draft", "returned")


def upload(
    actor: Actor,
    application: Any,
    indicator: str,
    stream: BinaryIO,
    filename: str,
    replaces: EvidenceFile | None = None,
) -> EvidenceFile:
    from greenmfg.applications.dossier import build_form, scheme_for
    from greenmfg.applications.models import Application

    if not (actor.is_applicant and application.applicant_id == actor.organisation.pk):
        raise PermissionDenied
    form = build_form(scheme_for(application.call.scheme_id, application.call.scheme_version).key)
    if indicator not in dict(form.indicators):
        raise EvidenceError("未知指标。", "unknown indicator", "unknown_indicator")
    try:
        inspected = inspect_upload(stream, filename, max_bytes=settings.EVIDENCE_MAX_BYTES)
    except UploadRejected as rejected:
        audit.record(
            "evidence.upload_rejected",
            actor=actor.user,
            role=actor.role,
            organisation_id=actor.organisation.pk,
            obj=application,
            object_id=str(application.public_id),
            success=False,
            detail={"code": rejected.code, "name": safe_download_name(filename)},
        )
        raise EvidenceError(rejected.zh, rejected.en, rejected.code) from None
    stream.seek(0)
    storage_name = f"evidence/{application.public_id}/{uuid.uuid4().hex}.{inspected.extension}"
    saved = default_storage.save(storage_name, File(stream))
    with default_storage.open(saved, "rb") as stored:
        if sm3_hex(stored) != inspected.sm3:  # what was checked is what was stored, or nothing is
            default_storage.delete(saved)
            raise EvidenceError(
                "文件保存校验失败，请重新上传。", "stored file differs from the checked one", "store"
            )
    try:
        with transaction.atomic():
            locked = Application.objects.select_for_update().get(pk=application.pk)
            if locked.state not in EDITABLE_STATES:
                raise EvidenceError(
                    "申报已提交，佐证材料不能再修改。", "the application is submitted", "frozen"
                )
            version = 1
            if replaces is not None:
                previous = (
                    EvidenceFile.objects.select_for_update()
                    .filter(pk=replaces.pk, application=locked)
                    .first()
                )
                if previous is None:
                    raise EvidenceError(
                        "只能替换本申报的佐证材料。", "replaces evidence of another application", "replaces"
                    )
                if EvidenceFile.objects.filter(replaces=previous).exists():
                    raise EvidenceError("该文件已有新版本。", "already replaced", "replaced")
                version = previous.version + 1
            item = EvidenceFile.objects.create(
                application=locked,
                indicator=indicator,
                name=safe_download_name(filename),
                kind=inspected.kind,
                mime=inspected.mime,
                size=inspected.size,
                sm3=inspected.sm3,
                storage_name=saved,
                version=version,
                replaces=replaces,
                uploaded_by=actor.user,
                uploaded_at=timezone.now(),
            )
            audit.record(
                "evidence.uploaded",
                actor=actor.user,
                role=actor.role,
                organisation_id=actor.organisation.pk,
                obj=item,
                detail={
                    "application": str(locked.public_id),
                    "indicator": indicator,
                    "sm3": item.sm3,
                    "size": item.size,
                    "version": version,
                },
            )
    except Exception:
        default_storage.delete(saved)
        raise
    return item


def withdraw_file(actor: Actor, item: EvidenceFile) -> None:
    from greenmfg.applications.models import Application

    if not (actor.is_applicant and item.application.applicant_id == actor.organisation.pk):
        raise PermissionDenied
    with transaction.atomic():
        Application.objects.select_for_update().get(pk=item.application_id)
        locked = EvidenceFile.objects.select_for_update().select_related("application").get(pk=item.pk)
        if locked.frozen_at is not None or locked.application.state not in EDITABLE_STATES:
            raise EvidenceError(
                "已提交的佐证材料不能删除。", "submitted evidence cannot be removed", "frozen"
            )
        locked.withdrawn_at = timezone.now()
        locked.save(update_fields=["withdrawn_at"])
        audit.record(
            "evidence.withdrawn",
            actor=actor.user,
            role=actor.role,
            organisation_id=actor.organisation.pk,
            obj=locked,
        )


def freeze_evidence(application: Any, when: datetime) -> list[dict[str, str]]:
    """Called inside the submit transaction: every current file is frozen; their digests go into the
    submission manifest."""
    from .selectors import current_evidence

    files = list(current_evidence(application).select_for_update(of=("self",)))
    EvidenceFile.objects.filter(pk__in=[f.pk for f in files], frozen_at__isnull=True).update(frozen_at=when)
    return [{"id": str(f.pk), "indicator": f.indicator, "sm3": f.sm3, "name": f.name} for f in files]


def open_verified(actor: Actor, item: EvidenceFile) -> BinaryIO:
    """The stored file, after checking its SM3 digest again; a mismatch is refused and recorded."""
    handle = default_storage.open(item.storage_name, "rb")
    digest = sm3_hex(handle)
    if digest != item.sm3:
        handle.close()
        audit.record(
            "evidence.integrity_failed",
            actor=actor.user,
            role=actor.role,
            organisation_id=actor.organisation.pk,
            obj=item,
            success=False,
            detail={"expected": item.sm3, "found": digest},
        )
        raise IntegrityFailure(
            "文件校验失败（SM3 摘要不符），已记录并通知管理员。", "integrity check failed", "integrity"
        )
    handle.seek(0)
    audit.record(
        "evidence.downloaded",
        actor=actor.user,
        role=actor.role,
        organisation_id=actor.organisation.pk,
        obj=item,
    )
    return handle
