"""The publicity notice (公示) and the announcement (公告) as PDF, filled from what publication holds.

Both are public documents, as the pages they print are: whoever may read the notice or the announcement
may download it. A public request never renders one: the worker does (`render_public`), queued when the
notice opens or the announcement is published and whenever their data changes (publication's ports
`notice_changed` and `announcement_changed`, plugged in by ReportsConfig.ready). Each is stored with its
SM3 digest once per state of its data (reports.issued.public_copy): a changed list is the next version,
the earlier ones are kept, so a copy can be checked later. A request finds the stored copy of the data as
it is now (`stored_notice` / `stored_announcement`), or nothing yet: the page then says it is being
prepared. The sweep (`queue_missing`, run by `serve` beside the stale-job sweep) queues again any whose
task a dead worker lost. The content is greencore's (greencore.publicity_notice_document /
announcement_document), the layout a replaceable template file.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django_tasks import task

from greencore import (
    AnnouncedTitle,
    announcement_document,
    announcement_pdf,
    publicity_notice_document,
    publicity_notice_pdf,
)
from greenmfg.audit import services as audit
from greenmfg.catalog.models import TitleKind, TitleLevel
from greenmfg.orgs.selectors import Actor
from greenmfg.publication.models import Announcement, PublicityEntry, PublicityNotice
from greenmfg.publication.ports import DocumentState

from .issued import data_digest, public_copy, public_failure
from .models import IssuedDocument
from .selectors import stored_public_copy
from .services import ReportError, templates

logger = logging.getLogger(__name__)
Kind = IssuedDocument.Kind


@dataclass(frozen=True)
class PublicDocument:
    """A public document's present data and how to render and lock it (rendering is the worker's)."""

    kind: str
    subject: str
    label: str
    authority_id: int
    context: dict[str, Any]
    render: Callable[[], bytes]
    lock: Callable[[], object]

    @property
    def digest(self) -> str:
        return data_digest(self.context)


def _absolute(path: str) -> str:
    """The page's address as printed: under GREENMFG_SITE_URL, or the path alone when it is unset (the same
    for the worker and every request, so the data, and its digest, do not depend on who asks)."""
    base = str(getattr(settings, "GREENMFG_SITE_URL", "") or "")
    return f"{base.rstrip('/')}{path}"


def notice_document(notice: PublicityNotice) -> PublicDocument:
    """The notice with the units still listed (one removed after an upheld objection is no longer shown,
    as on the public page), in the notice's order: by score, highest first."""
    entries = notice.entries.exclude(status=PublicityEntry.Status.REMOVED).order_by("-score", "pk")
    document = publicity_notice_document(
        title=notice.title,
        authority=notice.authority.name,
        call_name=notice.call.name,
        body=notice.body,
        opens_on=notice.opens_on,
        closes_on=notice.closes_on,
        rows=[(e.unit_name, e.region_name, e.score, e.grade) for e in entries],
        notice_url=_absolute(reverse("publication:notice", args=[notice.public_id])),
    )
    return PublicDocument(
        kind=Kind.PUBLICITY_NOTICE,
        subject=str(notice.public_id),
        label=notice.title,
        authority_id=notice.authority_id,
        context=document.context(),
        render=lambda: publicity_notice_pdf(document, templates()),
        lock=lambda: PublicityNotice.objects.select_for_update().get(pk=notice.pk),
    )


def _label(choices: type[TitleKind] | type[TitleLevel], value: str) -> str:
    return str(choices(value).label) if value in choices.values else value


def announced_document(announcement: Announcement) -> PublicDocument:
    """The announcement under its number, with the list it granted attached (the announcement's order)."""
    notice = announcement.notice
    # a region's full name climbs to its province: fetched with the titles (a request reads this too)
    titles = announcement.titles.select_related("organisation__region__parent__parent__parent").order_by("pk")
    document = announcement_document(
        number=announcement.number,
        title=announcement.title,
        authority=announcement.authority.name,
        call_name=announcement.call.name,
        notice_title=notice.title,
        notice_opens_on=notice.opens_on,
        notice_closes_on=notice.closes_on,
        published_on=announcement.published_on,
        titles=[
            AnnouncedTitle(
                unit_name=t.organisation.name,
                credit_code=t.organisation.credit_code or "",
                region=t.organisation.region.full_name(),
                title=_label(TitleKind, t.kind),
                level=_label(TitleLevel, t.level),
                grade=t.grade_label or t.grade,
                score=t.score,
                valid_from=t.valid_from,
            )
            for t in titles
        ],
        announcement_url=_absolute(reverse("publication:announcement", args=[announcement.public_id])),
    )
    return PublicDocument(
        kind=Kind.ANNOUNCEMENT,
        subject=str(announcement.public_id),
        label=f"{announcement.title}（{announcement.number}）",
        authority_id=announcement.authority_id,
        context=document.context(),
        render=lambda: announcement_pdf(document, templates()),
        lock=lambda: Announcement.objects.select_for_update().get(pk=announcement.pk),
    )


# --- reads: what a public request serves (never renders) ----------------------------------------------------


def stored_notice(notice: PublicityNotice) -> IssuedDocument | None:
    """The stored PDF of the notice as it is now, or None while the worker has not made it yet."""
    document = notice_document(notice)
    return stored_public_copy(document.kind, document.subject, document.digest)


def stored_announcement(announcement: Announcement) -> IssuedDocument | None:
    """The stored PDF of the announcement as it is now, or None while the worker has not made it yet."""
    document = announced_document(announcement)
    return stored_public_copy(document.kind, document.subject, document.digest)


# --- the worker: made when their data changes --------------------------------------------------------------


def _load(kind: str, pk: int) -> PublicDocument | None:
    if kind == Kind.PUBLICITY_NOTICE:
        notice = PublicityNotice.objects.select_related("call", "authority").filter(pk=pk).first()
        return notice_document(notice) if notice else None
    if kind == Kind.ANNOUNCEMENT:
        found = Announcement.objects.select_related("authority", "call", "notice").filter(pk=pk).first()
        return announced_document(found) if found else None
    raise ValueError(f"not a public document: {kind}")


@task()
def render_public(kind: str, pk: int) -> str:
    """Make the stored PDF of a notice or an announcement as its data is now, unless it is stored already
    (a task queued twice, or for a change that left the document as it was, renders nothing). A failure is
    logged and recorded on the document's row (reason, attempts, when: `issued.public_failure`), which the
    bureau's publication page shows with "retry now"; the public page keeps saying it is being prepared,
    and the sweep queues it again."""
    document = _load(kind, pk)
    if document is None:
        return "gone"
    if stored_public_copy(document.kind, document.subject, document.digest) is not None:
        return "current"
    fields: dict[str, Any] = {
        "kind": document.kind,
        "subject": document.subject,
        "lock": document.lock,
        "label": document.label,
        "authority_id": document.authority_id,
        "context": document.context,
    }
    try:
        public_copy(render=document.render, **fields)
    except Exception as error:  # a template the bureau replaced that raises, a font missing, storage full
        logger.exception("the %s %s could not be made", kind, pk)
        public_failure(error=error, **fields)
        return "failed"
    return "made"


def _enqueue(kind: str, pk: int) -> None:
    render_public.enqueue(str(kind), pk)


def notice_changed(notice: PublicityNotice) -> None:
    """publication's port: the notice opened or its list changed; the worker makes its PDF on commit."""
    pk = notice.pk
    transaction.on_commit(lambda: _enqueue(Kind.PUBLICITY_NOTICE, pk))


def announcement_changed(announcement: Announcement) -> None:
    """publication's port: the announcement was published or a title on its list changed."""
    pk = announcement.pk
    transaction.on_commit(lambda: _enqueue(Kind.ANNOUNCEMENT, pk))


def queue_missing() -> int:
    """Queue the PDF of every public notice and announcement that has no stored copy of its present data
    (its task lost with a dead worker, or its data changed by a path that tells no one). Returns how many
    were queued; `serve` runs it at start and with each sweep."""
    queued = 0
    notices = PublicityNotice.objects.select_related("call", "authority").filter(
        opens_on__lte=timezone.localdate()
    )
    announcements = Announcement.objects.select_related("authority", "call", "notice")
    for document, pk in [
        *((notice_document(n), n.pk) for n in notices),
        *((announced_document(a), a.pk) for a in announcements),
    ]:
        if stored_public_copy(document.kind, document.subject, document.digest) is None:
            _enqueue(document.kind, pk)
            queued += 1
    return queued


# --- the bureau: how its documents stand, and "retry now" -------------------------------------------------

Status = IssuedDocument.Status


def _state(document: PublicDocument, name: str, public_id: Any) -> DocumentState:
    row = (
        IssuedDocument.objects.filter(kind=document.kind, subject=document.subject, data_sm3=document.digest)
        .order_by("-number")
        .first()
    )
    if row is None:
        return DocumentState(kind=name, public_id=public_id, status="preparing")
    status = "done" if row.status == Status.DONE else "failed" if row.status == Status.FAILED else "queued"
    return DocumentState(
        kind=name,
        public_id=public_id,
        status=status,
        reason=row.message if status != "done" else "",
        attempts=row.attempts,
        failed_at=row.failed_at,
    )


def document_states(notice: PublicityNotice) -> list[DocumentState]:
    """publication's port: the PDF of the notice (once its window opened: the worker makes it then) and, once
    published, of the announcement, each as it stands for its present data."""
    states = []
    if notice.opens_on <= timezone.localdate():
        states.append(_state(notice_document(notice), "notice", notice.public_id))
    announcement = (
        Announcement.objects.select_related("authority", "call", "notice").filter(notice=notice).first()
    )
    if announcement is not None:
        states.append(_state(announced_document(announcement), "announcement", announcement.public_id))
    return states


def retry_public(actor: Actor, subject: PublicityNotice | Announcement) -> IssuedDocument:
    """The bureau that issued a notice or an announcement asks the worker to make its PDF again now (after
    fixing a template or a font), rather than wait for the sweep. Under the document's lock: only a state
    whose making failed may be retried, once at a time; the row goes back to queued with an event, and the
    task is queued once this commits."""
    if not actor.is_reviewer or subject.authority_id != actor.organisation.pk:
        raise PermissionDenied
    with transaction.atomic():
        document = (
            notice_document(subject) if isinstance(subject, PublicityNotice) else announced_document(subject)
        )
        document.lock()
        row = (
            IssuedDocument.objects.select_for_update()
            .filter(kind=document.kind, subject=document.subject, data_sm3=document.digest)
            .first()
        )
        if row is not None and row.status == Status.DONE:
            raise ReportError("该 PDF 文件已生成，无需重试。", "the PDF is made already: nothing to retry")
        if row is None:
            raise ReportError(
                "该 PDF 文件正在生成，尚未失败，无需重试。", "the PDF is being prepared and has not failed"
            )
        if row.status != Status.FAILED:
            raise ReportError("已在重新生成中，请稍后刷新本页。", "a retry is queued already")
        row.status, row.progress = Status.QUEUED, 0
        row.save(update_fields=["status", "progress"])
        audit.record(
            "reports.public_retry_requested",
            actor=actor.user,
            role=actor.role,
            organisation_id=actor.organisation.pk,
            obj=row,
            detail={"kind": row.kind, "number": row.number, "attempts": row.attempts, "reason": row.message},
        )
        kind, pk = document.kind, subject.pk
        transaction.on_commit(lambda: _enqueue(kind, pk))
    return row
