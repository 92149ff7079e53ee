"""Public reads of publication: publicity notices and their lists, announcements and the titles they
granted, and the data-quality report of the national lists' import. No login, so nothing here is scoped
by actor; instead each read names the columns it loads, and only published ones.

Never public: objections and everything about objectors (personal information), entries removed after
an upheld objection, the scores behind a notice or a title (the notice and announcement pages do not
show them), and notices that have not opened yet."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Count, Q, QuerySet

from greencore import ApplicantRecord, HeldTitle, Revocation, scheme_lineage
from greenmfg.orgs.models import Organisation
from greenmfg.orgs.selectors import Actor
from greenmfg.reference.national_lists import FILE_NAMES
from greenmfg.schemes.selectors import get_scheme

from .models import (
    Announcement,
    Filing,
    HistoricalTitle,
    ImportIssue,
    PublicityEntry,
    PublicityNotice,
    Title,
)

# columns of a publicity entry the public may see (never the score, never the application)
ENTRY_FIELDS = ("id", "notice_id", "unit_name", "region_name", "grade", "status")
# columns of a granted title the public may see (never the score or the scheme)
TITLE_FIELDS = (
    "id",
    "public_id",
    "announcement_id",
    "kind",
    "level",
    "grade_label",
    "valid_from",
    "status",
    "organisation__name",
    "organisation__region__code",
    "organisation__region__name",
)

SOURCE_FILES: tuple[str, ...] = tuple(FILE_NAMES.values())
SEVERITIES: tuple[tuple[str, str], ...] = (
    ("rejected", "已剔除（未导入）"),
    ("corrected", "已更正"),
    ("flagged", "待核实"),
)
SEVERITY_LABELS = dict(SEVERITIES)


def _uuid(value: Any) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


# --- publicity notices ------------------------------------------------------------------------------


def notices(today: date, state: str = "all") -> QuerySet[PublicityNotice]:
    """Notices that have opened, newest first: ``open`` (today inside the window), ``past`` (the window
    is over) or ``all``. Each carries ``entry_count``: the units still listed (removed ones not counted)."""
    qs = (
        PublicityNotice.objects.filter(opens_on__lte=today)
        .select_related("authority", "call", "announcement")
        .only(
            "id",
            "public_id",
            "title",
            "body",
            "opens_on",
            "closes_on",
            "authority__name",
            "call__name",
            "announcement__public_id",
            "announcement__number",
        )
        .annotate(
            entry_count=Count(
                "entries", filter=~Q(entries__status=PublicityEntry.Status.REMOVED), distinct=True
            )
        )
        # explicit: a query with an aggregate does not take Meta.ordering
        .order_by("-opens_on", "-pk")
    )
    if state == "open":
        qs = qs.filter(closes_on__gte=today)
    elif state == "past":
        qs = qs.filter(closes_on__lt=today)
    return qs


def open_notices(today: date) -> QuerySet[PublicityNotice]:
    """The notices open for objections today."""
    return notices(today, "open")


def past_notices(today: date) -> QuerySet[PublicityNotice]:
    return notices(today, "past")


def notice(public_id: Any, today: date) -> PublicityNotice | None:
    """One notice that has opened, by its public id; None otherwise."""
    found = _uuid(public_id)
    return None if found is None else notices(today).filter(public_id=found).first()


def is_open(found: PublicityNotice, today: date) -> bool:
    return found.opens_on <= today <= found.closes_on


def public_notice_entries(found: PublicityNotice) -> QuerySet[PublicityEntry]:
    """The units of a notice as its page lists them (same order), without those removed after an upheld
    objection. Only the public columns are loaded; objections are never joined."""
    return (
        PublicityEntry.objects.filter(notice=found)
        .exclude(status=PublicityEntry.Status.REMOVED)
        .only(*ENTRY_FIELDS)
    )


def public_entries(of_notices: QuerySet[PublicityNotice]) -> QuerySet[PublicityEntry]:
    """The public entries of many notices (for downloads), notice by notice in the notices' order."""
    return (
        PublicityEntry.objects.filter(notice__in=of_notices.values("pk"))
        .exclude(status=PublicityEntry.Status.REMOVED)
        .select_related("notice__authority")
        .only(
            *ENTRY_FIELDS,
            "notice__title",
            "notice__opens_on",
            "notice__closes_on",
            "notice__authority__name",
        )
        .order_by("-notice__opens_on", "-notice__pk", "-score", "pk")
    )


# --- announcements ----------------------------------------------------------------------------------


def announcements() -> QuerySet[Announcement]:
    """Every announcement, newest first, with ``title_count``."""
    return (
        Announcement.objects.select_related("authority", "call")
        .only(
            "id",
            "public_id",
            "number",
            "title",
            "published_on",
            "authority__name",
            "call__name",
            "call__title_kind",
            "call__level",
        )
        .annotate(title_count=Count("titles"))
        .order_by("-published_on", "-pk")
    )


def announcement(public_id: Any) -> Announcement | None:
    found = _uuid(public_id)
    return None if found is None else announcements().filter(public_id=found).first()


def announcement_titles(found: Announcement) -> QuerySet[Title]:
    """The titles an announcement granted, in its page's order, with the holder's name and region."""
    return announced_titles(Announcement.objects.filter(pk=found.pk))


def announced_titles(of_announcements: QuerySet[Announcement]) -> QuerySet[Title]:
    """The titles granted by many announcements (for downloads), announcement by announcement."""
    return (
        Title.objects.filter(announcement__in=of_announcements.values("pk"))
        .select_related("organisation__region", "announcement__authority", "announcement__call")
        .only(
            *TITLE_FIELDS,
            "announcement__public_id",
            "announcement__number",
            "announcement__title",
            "announcement__published_on",
            "announcement__authority__name",
            "announcement__call__name",
        )
        .order_by("-announcement__published_on", "-announcement__pk", "pk")
    )


# --- 备案: district grading announcements filed with the city ------------------------------------------


def filings_for(actor: Actor) -> QuerySet[Filing]:
    """The filings a bureau sees: those filed with it (the city that runs the call) and those it filed
    (the district), newest first, with their announcement."""
    if not actor.is_reviewer:
        return Filing.objects.none()
    mine = actor.organisation.pk
    return (
        Filing.objects.filter(Q(filed_with_id=mine) | Q(filed_by_authority_id=mine))
        .select_related("announcement__call", "filed_by_authority", "filed_with")
        .order_by("-filed_at", "-pk")
    )


def filed_titles(filings: QuerySet[Filing]) -> QuerySet[Title]:
    """The titles the filed announcements granted, filing by filing, with the holder's region."""
    return (
        Title.objects.filter(announcement__filing__in=filings.values("pk"))
        .select_related("organisation__region", "announcement__filing__filed_by_authority")
        .order_by("-announcement__filing__filed_at", "announcement__pk", "pk")
    )


# --- the national lists' data-quality report --------------------------------------------------------


def import_issues(source_file: str | None = None, severity: str | None = None) -> QuerySet[ImportIssue]:
    """Findings of the national lists' import, file by file and row by row."""
    qs = ImportIssue.objects.order_by("source_file", "source_row", "pk")
    if source_file:
        qs = qs.filter(source_file=source_file)
    if severity:
        qs = qs.filter(severity=severity)
    return qs


@dataclass(frozen=True)
class IssueCounts:
    total: int
    by_severity: dict[str, int]  # every severity, in SEVERITIES order
    by_file: dict[str, int]  # every source file, in list order (then any other file seen)
    cells: dict[tuple[str, str], int]  # (file, severity) -> count, only those present

    def rows(self) -> list[tuple[str, list[tuple[str, int]], int]]:
        """A file x severity table: (file, [(severity, count)] in SEVERITIES order, total)."""
        return [
            (f, [(s, self.cells.get((f, s), 0)) for s, _ in SEVERITIES], n) for f, n in self.by_file.items()
        ]

    def totals(self) -> list[tuple[str, str, int]]:
        """(severity, label, count) of the whole report, in SEVERITIES order."""
        return [(s, label, self.by_severity.get(s, 0)) for s, label in SEVERITIES]


def import_issue_counts() -> IssueCounts:
    """Counts of the whole report by file and severity, in one grouped query."""
    cells = {
        (f, s): n
        for f, s, n in ImportIssue.objects.order_by()
        .values_list("source_file", "severity")
        .annotate(n=Count("id"))
    }
    files = list(SOURCE_FILES) + sorted({f for f, _ in cells} - set(SOURCE_FILES))
    severities = [s for s, _ in SEVERITIES] + sorted({s for _, s in cells} - set(SEVERITY_LABELS))
    return IssueCounts(
        total=sum(cells.values()),
        by_severity={s: sum(n for (_, cs), n in cells.items() if cs == s) for s in severities},
        by_file={f: sum(n for (cf, _), n in cells.items() if cf == f) for f in files},
        cells=cells,
    )


# --- what an applicant holds (for a call's eligibility) ------------------------------------------------


def _lineage(key: str) -> tuple[str, ...]:
    """The lineage of the scheme `key` (`id@version`) a title was graded under (greencore
    `scheme_lineage`: its id and the ids it derives from), so that a grade is read on its own ladder; the
    bare id where the scheme is no longer known."""
    if not key:
        return ()
    try:
        return scheme_lineage(get_scheme(key), get_scheme)
    except KeyError:
        return (key.partition("@")[0],)


def titles_record(organisation: Organisation, kind: str) -> ApplicantRecord:
    """The organisation's active titles of `kind` granted on the platform, its revoked ones (for the
    three-year ban), and whether the national lists (batches 1–6) name it, under its exact name. Plugged
    into `catalog.ports.applicant_records`."""
    mine = Title.objects.filter(organisation=organisation, kind=kind)
    held = mine.filter(status=Title.Status.ACTIVE)
    revoked = mine.filter(status=Title.Status.REVOKED, revoked_on__isnull=False).order_by("revoked_on")
    rows = list(held.values_list("level", "grade", "application__public_id", "scheme"))
    # one lookup per scheme version, not per title (an adopted local scheme is read from the database)
    lineages = {scheme: _lineage(scheme) for scheme in {row[3] for row in rows}}
    return ApplicantRecord(
        titles=tuple(
            HeldTitle(level, grade, str(source or ""), scheme.partition("@")[0], lineages[scheme])
            for level, grade, source, scheme in rows
        ),
        national_list=HistoricalTitle.objects.filter(kind=kind, unit_name=organisation.name.strip()).exists(),
        revocations=tuple(
            Revocation(kind, level, day)
            for level, day in revoked.values_list("level", "revoked_on")
            if day is not None  # filtered above; the column itself is nullable
        ),
    )
