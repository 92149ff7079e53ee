"""Evidence files: stored under a server-made name, SM3-digested, versioned, frozen at submission and
re-verified on every download.

The evidence context keeps the files and their rows; when an applicant may add or withdraw one is the
application's rule, so `applications.services.upload_evidence` and `withdraw_evidence` check it, lock the
application and call the functions here inside their transaction."""

from __future__ import annotations

from datetime import datetime
from typing import BinaryIO

from django.utils import timezone

from greenmfg.audit import services as audit
from greenmfg.core.errors import Refused
from greenmfg.orgs.selectors import Actor

from . import files
from .files import StoredFile
from .models import EvidenceFile
from .selectors import current_evidence


class EvidenceError(Refused):
    """A refused evidence file; `code` names the check that refused it (for the audit trail and tests)."""

    def __init__(self, zh: str, en: str, code: str = "") -> None:
        super().__init__(zh, en)
        self.code = code


class IntegrityFailure(EvidenceError):
    pass


def add_file(
    actor: Actor,
    *,
    application_id: int,
    application_ref: str,
    indicator: str,
    stored: StoredFile,
    replaces: EvidenceFile | None = None,
) -> EvidenceFile:
    """The file's row (a new version when it `replaces` one) and its event. Called inside the caller's
    transaction, which holds the application's row locked and has checked that its evidence may change."""
    version = 1
    if replaces is not None:
        previous = (
            EvidenceFile.objects.select_for_update()
            .filter(pk=replaces.pk, application_id=application_id)
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
        application_id=application_id,
        indicator=indicator,
        name=stored.name,
        kind=stored.kind,
        mime=stored.mime,
        size=stored.size,
        sm3=stored.sm3,
        storage_name=stored.storage_name,
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
            "application": application_ref,
            "indicator": indicator,
            "sm3": item.sm3,
            "size": item.size,
            "version": version,
        },
    )
    return item


def withdraw(actor: Actor, item: EvidenceFile, *, editable: bool) -> None:
    """Withdraw a file that was never frozen, while its application is `editable` (the caller holds the
    application's row locked)."""
    locked = EvidenceFile.objects.select_for_update().get(pk=item.pk)
    if locked.frozen_at is not None or not editable:
        raise EvidenceError("已提交的佐证材料不能删除。", "submitted evidence cannot be removed", "frozen")
    locked.withdrawn_at = timezone.now()
    locked.save(update_fields=["withdrawn_at"])
    audit.record(
        "evidence.withdrawn",
        actor=actor.user,
        role=actor.role,
        organisation_id=actor.organisation.pk,
        obj=locked,
    )


def freeze_evidence(application_id: int, when: datetime) -> list[dict[str, str]]:
    """Called inside the submit transaction: every current file is frozen; their digests go into the
    submission manifest."""
    files = list(current_evidence(application_id).select_for_update(of=("self",)))
    EvidenceFile.objects.filter(pk__in=[f.pk for f in files], frozen_at__isnull=True).update(frozen_at=when)
    return [{"id": str(f.pk), "indicator": f.indicator, "sm3": f.sm3, "name": f.name} for f in files]


def open_verified(actor: Actor, item: EvidenceFile) -> BinaryIO:
    """The stored file, after the checked-file service computed its SM3 again; a mismatch is refused
    and recorded."""
    try:
        return files.open_checked(
            item.storage_name,
            item.sm3,
            actor=actor,
            obj=item,
            refused_action="evidence.integrity_failed",
            read_action="evidence.downloaded",
        )
    except files.FileTampered as tampered:
        raise IntegrityFailure(tampered.zh, tampered.en, "integrity") from None
