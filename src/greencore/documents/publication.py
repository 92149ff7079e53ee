"""The publicity notice (公示) of a call's candidates and the announcement (公告) publishing its list.

Both are plain data here, laid out from replaceable template files (publicity_notice.html,
announcement.html + report.css) like every other document: the platform fills them from the notice and
announcement it holds, a bureau's own layout replaces the shipped one without code changes.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from greencore.documents.model import number


def chinese_date(day: date) -> str:
    """A date as Chinese official documents print it: 2026年12月7日 (no leading zeros)."""
    return f"{day.year}年{day.month}月{day.day}日"


def _score(value: Decimal | None) -> str:
    # "—" for a unit listed without a score (a scheme without points), the stored figure otherwise
    return number(value)


@dataclass(frozen=True)
class NoticeRow:
    unit_name: str
    region: str
    score: str
    grade: str


@dataclass(frozen=True)
class PublicityNoticeDocument:
    """公示: who is proposed, for how long objections are received, and how to file one."""

    title: str
    authority: str
    call_name: str
    body: str
    opens_on: str
    closes_on: str
    days: int
    rows: tuple[NoticeRow, ...]
    notice_url: str

    @property
    def document_name(self) -> str:
        return f"{self.title}"

    def context(self) -> dict[str, Any]:
        return {**asdict(self), "document_name": self.document_name}


def publicity_notice_document(
    *,
    title: str,
    authority: str,
    call_name: str,
    body: str,
    opens_on: date,
    closes_on: date,
    rows: list[tuple[str, str, Decimal | None, str]],
    notice_url: str,
) -> PublicityNoticeDocument:
    """The notice from its stored parts; rows are (unit, region, score, grade) in the notice's order."""
    return PublicityNoticeDocument(
        title=title,
        authority=authority,
        call_name=call_name,
        body=body,
        opens_on=chinese_date(opens_on),
        closes_on=chinese_date(closes_on),
        # both ends count: a window from the 1st to the 7th is seven days
        days=(closes_on - opens_on).days + 1,
        rows=tuple(NoticeRow(unit, region, _score(score), grade) for unit, region, score, grade in rows),
        notice_url=notice_url,
    )


@dataclass(frozen=True)
class AnnouncedRow:
    unit_name: str
    credit_code: str
    region: str
    title: str
    level: str
    grade: str
    score: str
    valid_from: str


@dataclass(frozen=True)
class AnnouncementDocument:
    """公告: the numbered announcement and, attached, the list it publishes."""

    number: str
    title: str
    authority: str
    call_name: str
    notice_title: str
    notice_opens_on: str
    notice_closes_on: str
    published_on: str
    rows: tuple[AnnouncedRow, ...]
    announcement_url: str

    @property
    def document_name(self) -> str:
        return f"{self.title}（{self.number}）"

    def context(self) -> dict[str, Any]:
        return {**asdict(self), "document_name": self.document_name}


@dataclass(frozen=True)
class AnnouncedTitle:
    unit_name: str
    credit_code: str
    region: str
    title: str
    level: str
    grade: str
    score: Decimal | None
    valid_from: date


def announcement_document(
    *,
    number: str,
    title: str,
    authority: str,
    call_name: str,
    notice_title: str,
    notice_opens_on: date,
    notice_closes_on: date,
    published_on: date,
    titles: list[AnnouncedTitle],
    announcement_url: str,
) -> AnnouncementDocument:
    return AnnouncementDocument(
        number=number,
        title=title,
        authority=authority,
        call_name=call_name,
        notice_title=notice_title,
        notice_opens_on=chinese_date(notice_opens_on),
        notice_closes_on=chinese_date(notice_closes_on),
        published_on=chinese_date(published_on),
        rows=tuple(
            AnnouncedRow(
                unit_name=t.unit_name,
                credit_code=t.credit_code or "—",
                region=t.region,
                title=t.title,
                level=t.level,
                grade=t.grade or "—",
                score=_score(t.score),
                valid_from=chinese_date(t.valid_from),
            )
            for t in titles
        ),
        announcement_url=announcement_url,
    )
