"""The publicity notice (公示) and the announcement (公告) as PDF, filled from what publication holds.

Both are public documents, as the pages they print are: whoever may read the notice or the announcement
may download it. Each is stored with its SM3 digest once per state of its data (reports.issued.public_copy),
so a copy can be checked later. The content is greencore's (greencore.publicity_notice_document /
announcement_document), the layout a replaceable template file.
"""

from __future__ import annotations

from django.urls import reverse

from greencore import (
    AnnouncedTitle,
    announcement_document,
    announcement_pdf,
    publicity_notice_document,
    publicity_notice_pdf,
)
from greenmfg.catalog.models import TitleKind, TitleLevel
from greenmfg.publication.models import Announcement, PublicityEntry, PublicityNotice

from .issued import public_copy
from .models import IssuedDocument
from .services import templates


def notice_pdf(notice: PublicityNotice, base_url: str) -> IssuedDocument:
    """The notice with the units still listed (one removed after an upheld objection is no longer shown,
    as on the public page), in the notice's order: by score, highest first; stored with its digest, one
    version per state of the list."""
    entries = notice.entries.exclude(status=PublicityEntry.Status.REMOVED).order_by("-score", "pk")
    document = publicity_notice_document(
        title=notice.title,
        authority=notice.authority.name,
        call_name=notice.call.name,
        body=notice.body,
        opens_on=notice.opens_on,
        closes_on=notice.closes_on,
        rows=[(e.unit_name, e.region_name, e.score, e.grade) for e in entries],
        notice_url=_absolute(base_url, reverse("publication:notice", args=[notice.public_id])),
    )
    return public_copy(
        kind=IssuedDocument.Kind.PUBLICITY_NOTICE,
        subject=notice.public_id,
        lock=lambda: PublicityNotice.objects.select_for_update().get(pk=notice.pk),
        label=notice.title,
        authority_id=notice.authority_id,
        context=document.context(),
        render=lambda: publicity_notice_pdf(document, templates()),
    )


def _label(choices: type[TitleKind] | type[TitleLevel], value: str) -> str:
    return str(choices(value).label) if value in choices.values else value


def announced_pdf(announcement: Announcement, base_url: str) -> IssuedDocument:
    """The announcement under its number, with the list it granted attached (the announcement's order)."""
    notice = announcement.notice
    titles = announcement.titles.select_related("organisation__region").order_by("pk")
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
        announcement_url=_absolute(
            base_url, reverse("publication:announcement", args=[announcement.public_id])
        ),
    )
    return public_copy(
        kind=IssuedDocument.Kind.ANNOUNCEMENT,
        subject=announcement.public_id,
        lock=lambda: Announcement.objects.select_for_update().get(pk=announcement.pk),
        label=f"{announcement.title}（{announcement.number}）",
        authority_id=announcement.authority_id,
        context=document.context(),
        render=lambda: announcement_pdf(document, templates()),
    )


def _absolute(base_url: str, path: str) -> str:
    return f"{base_url.rstrip('/')}{path}"
