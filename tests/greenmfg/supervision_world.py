"""Builders for supervision tests: a title granted to a demo unit (announced, on the public register)."""

from __future__ import annotations

import itertools
from datetime import date
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from factories import pdf_bytes

from greencore import evidence_rule
from greenmfg.catalog.models import Call
from greenmfg.publication.models import Announcement, PublicityNotice, Title
from greenmfg.publication.ports import title_changed

_numbers = itertools.count(1)


def grant_title(
    world: Any,
    holder: str = "sz-machinery",
    *,
    level: str = "city",
    kind: str = "factory",
    bureau: str = "sz-reviewer",
    granted_on: date = date(2026, 6, 30),
    call_code: str = "suzhou-2026-factory",
) -> Title:
    """A title as `publication.services.publish` leaves it (set up directly: these tests are about what
    happens after the title), told to the register through the port as publishing does."""
    authority = world.users[bureau].membership.organisation
    call = Call.objects.get(code=call_code)
    number = next(_numbers)
    notice = PublicityNotice.objects.create(
        call=call,
        authority=authority,
        title=f"监督测试公示 {number}",
        opens_on=granted_on,
        closes_on=granted_on,
        created_by=world.users[bureau],
    )
    announcement = Announcement.objects.create(
        authority=authority,
        call=call,
        notice=notice,
        year=granted_on.year,
        sequence=1000 + number,
        number=f"监督测试〔{granted_on.year}〕{1000 + number}号",
        title="监督测试公告",
        published_on=granted_on,
        published_by=world.users[bureau],
    )
    title = Title.objects.create(
        organisation=world.users[holder].membership.organisation,
        announcement=announcement,
        kind=kind,
        level=level,
        grade="3A",
        grade_label="3A级",
        scheme=f"{call.scheme_id}@{call.scheme_version}",
        valid_from=granted_on,
    )
    for listener in title_changed:
        listener(title)
    return title


def filing_evidence(level: str = "city") -> dict[str, list[SimpleUploadedFile]]:
    """One PDF for each key indicator the level's filing rule asks evidence for (greencore.evidence_rule):
    what a unit attaches to its 动态管理表."""
    return {
        key: [SimpleUploadedFile(f"{key}.pdf", pdf_bytes(key), content_type="application/pdf")]
        for key in evidence_rule(level).required
    }
