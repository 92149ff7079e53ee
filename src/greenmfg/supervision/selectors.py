"""Reads of supervision, scoped to the actor: the titles a bureau supervises, its draws and checks, a unit's
own checks and rectifications; and the facts greencore's rules need (a title's spot-check history)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db.models import Count, Q, QuerySet

from greencore import (
    ApplicantRecord,
    Discrepancy,
    EvidenceRule,
    RiskFactor,
    TrackRecord,
    UnfiledFiling,
    discrepancies,
    draw_sample,
    evidence_rule,
    exempt_until,
    filing_indicators,
    get_scheme,
    risk_weight,
    track_record,
)
from greenmfg.catalog.models import TitleLevel
from greenmfg.catalog.selectors import CALL_LEVEL_OF
from greenmfg.evaluations.models import Engagement, EngagementStatus
from greenmfg.evaluations.selectors import stored_result
from greenmfg.orgs.models import AuthorityLevel, Organisation, OrgKind
from greenmfg.orgs.predicates import applicant_for, bureau_over
from greenmfg.orgs.selectors import Actor, in_jurisdiction
from greenmfg.publication.models import Objection, Title

from .models import (
    ChangeEvent,
    Check,
    Draw,
    Filing,
    FilingDeadline,
    Purpose,
    Rectification,
    RegradeJob,
    Report,
    Revocation,
    SelfDeclaration,
)


def supervised_level(actor: Actor | None) -> str | None:
    """The title level a bureau supervises: its own (city, province, ministry); None for anyone else."""
    if actor is None or not actor.is_reviewer:
        return None
    level = CALL_LEVEL_OF.get(actor.organisation.level)
    return str(level) if level is not None else None


def supervises(actor: Actor | None, title: Title) -> bool:
    """The bureau of the title's level whose jurisdiction holds the titled unit."""
    level = supervised_level(actor)
    return level is not None and title.level == level and bureau_over(actor, title.organisation.region_id)


def supervised_titles(actor: Actor | None) -> QuerySet[Title]:
    level = supervised_level(actor)
    if actor is None or level is None:
        return Title.objects.none()
    return (
        Title.objects.filter(in_jurisdiction(actor.organisation, "organisation__region"), level=level)
        .select_related("organisation", "announcement")
        .order_by("organisation__name", "pk")
    )


def is_district_bureau(actor: Actor | None) -> bool:
    """A district bureau: it re-checks the city's titles in its district on site (Suzhou, seeds/003)."""
    return actor is not None and actor.is_reviewer and actor.organisation.level == AuthorityLevel.DISTRICT


def recheckable_titles(actor: Actor | None) -> QuerySet[Title]:
    """The titles the bureau may draw for a check: those it supervises; for a district, the city-level
    titles of the units in its district (re-checks only)."""
    if actor is not None and supervised_level(actor) is None and is_district_bureau(actor):
        return (
            Title.objects.filter(
                in_jurisdiction(actor.organisation, "organisation__region"), level=TitleLevel.CITY
            )
            .select_related("organisation", "announcement")
            .order_by("organisation__name", "pk")
        )
    return supervised_titles(actor)


def district_rechecks(actor: Actor) -> QuerySet[Check]:
    """The concluded re-checks the districts in a city's jurisdiction did, that the city has not drawn yet."""
    return (
        Check.objects.filter(
            in_jurisdiction(actor.organisation, "authority__region"),
            authority__level=AuthorityLevel.DISTRICT,
            purpose=Purpose.RE_CHECK,
            title__level=TitleLevel.CITY,
        )
        .exclude(status=Check.Status.OPEN)
        .exclude(reviews__authority=actor.organisation)
        .select_related("title", "authority")
    )


def titles_evaluated_by(actor: Actor, body: Organisation) -> QuerySet[Title]:
    """The titles the bureau supervises whose application `body` evaluated (a concluded engagement)."""
    evaluated = Engagement.objects.filter(body=body, status=EngagementStatus.CONCLUDED).values(
        "application_id"
    )
    return supervised_titles(actor).filter(application_id__in=evaluated)


def draws_of(actor: Actor | None) -> QuerySet[Draw]:
    if actor is None or not (supervised_level(actor) is not None or is_district_bureau(actor)):
        return Draw.objects.none()
    return Draw.objects.filter(authority=actor.organisation)


def checks_visible_to(actor: Actor | None) -> QuerySet[Check]:
    """A bureau's own checks; a unit's checks of its titles."""
    qs = Check.objects.select_related("title__organisation", "authority", "draw")
    if actor is None:
        return qs.none()
    if actor.is_reviewer:
        return qs.filter(authority=actor.organisation)
    if actor.is_applicant:
        return qs.filter(title__organisation=actor.organisation)
    return qs.none()


def rectifications_visible_to(actor: Actor | None) -> QuerySet[Rectification]:
    qs = Rectification.objects.select_related("check_of__authority", "title__organisation")
    if actor is None:
        return qs.none()
    if actor.is_reviewer:
        return qs.filter(check_of__authority=actor.organisation)
    if actor.is_applicant:
        return qs.filter(title__organisation=actor.organisation)
    return qs.none()


def is_owner_of(actor: Actor | None, title: Title) -> bool:
    return applicant_for(actor, title.organisation_id)


def spot_check_history(title: Title) -> list[tuple[date, bool]]:
    """The title's concluded spot checks (date, clean), oldest first: what the five-year exemption counts."""
    concluded = (
        Check.objects.filter(title=title, purpose=Purpose.SPOT_CHECK, concluded_on__isnull=False)
        .exclude(status=Check.Status.OPEN)
        .order_by("concluded_on", "pk")
        .values_list("concluded_on", "status")
    )
    # concluded_on is filtered non-null above
    return [(day, status == Check.Status.CLEAN) for day, status in concluded if day is not None]


def exemptions(titles: list[Title]) -> dict[int, date]:
    """Title pk → the first day it may be spot-checked again, for titles exempt on that count."""
    history: dict[int, list[tuple[date, bool]]] = {t.pk: [] for t in titles}
    concluded = (
        Check.objects.filter(
            title_id__in=list(history), purpose=Purpose.SPOT_CHECK, concluded_on__isnull=False
        )
        .exclude(status=Check.Status.OPEN)
        .values_list("title_id", "concluded_on", "status")
    )
    for title_id, day, status in concluded:
        if day is not None:  # filtered non-null above
            history[title_id].append((day, status == Check.Status.CLEAN))
    out = {}
    for pk, checks in history.items():
        until = exempt_until(checks)
        if until is not None:
            out[pk] = until
    return out


def redraw(draw: Draw) -> list[str]:
    """The sample drawn again from the recorded seed and population: equal to `draw.sample` unless the
    record was altered."""
    population = [str(unit) for unit, _ in draw.population]
    weights = {str(unit): int(weight) for unit, weight in draw.population}
    return draw_sample(draw.seed, population, draw.size, weights)


def revocation_of(title: Title) -> Revocation | None:
    return Revocation.objects.filter(title=title).first()


def open_checks_q() -> Q:
    return Q(status=Check.Status.OPEN)


def filings_visible_to(actor: Actor | None) -> QuerySet[Filing]:
    """A bureau's rounds (the filings it opened); a unit's own filings."""
    qs = Filing.objects.select_related("title__organisation", "authority")
    if actor is None:
        return qs.none()
    if actor.is_reviewer and supervised_level(actor) is not None:
        return qs.filter(authority=actor.organisation)
    if actor.is_applicant:
        return qs.filter(title__organisation=actor.organisation)
    return qs.none()


@dataclass(frozen=True)
class RoundSummary:
    year: int
    total: int
    accepted: int
    late: int
    escalated: int
    missing: list[Filing]
    codes: dict[str, int]  # A+ / A / B / "" (no grade) → units


def round_summary(actor: Actor, year: int, today: date) -> RoundSummary:
    filings = filings_visible_to(actor).filter(year=year)
    counts = filings.aggregate(
        total=Count("pk"),
        accepted=Count("pk", filter=Q(status=Filing.Status.ACCEPTED)),
        late=Count("pk", filter=Q(late=True)),
        escalated=Count("pk", filter=Q(escalated_on__isnull=False)),
    )
    codes = {"A+": 0, "A": 0, "B": 0, "": 0}
    for code, n in (
        filings.filter(status=Filing.Status.ACCEPTED)
        .values_list("green_code")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        codes[code] = codes.get(code, 0) + n
    missing = list(filings.filter(status=Filing.Status.OPEN, deadline__lt=today)[:200])
    return RoundSummary(
        year, counts["total"], counts["accepted"], counts["late"], counts["escalated"], missing, codes
    )


def jobs_of(actor: Actor) -> QuerySet[RegradeJob]:
    return RegradeJob.objects.filter(authority=actor.organisation)


def position_of(filing: Filing) -> tuple[int, int] | None:
    """A graded filing's place in its round: (rank, units ranked) among the accepted filings of the same
    bureau, year and scheme with a score (ties share a rank). None without a score."""
    if filing.score is None:
        return None
    peers = Filing.objects.filter(
        authority_id=filing.authority_id,
        year=filing.year,
        status=Filing.Status.ACCEPTED,
        title__scheme=filing.title.scheme,
        score__isnull=False,
    )
    return peers.filter(score__gt=filing.score).count() + 1, peers.count()


GRADE_ORDER = {"A+": 0, "A": 1, "B": 2}


def risk_weights(titles: list[Title], today: date) -> dict[str, int]:
    """Each title's tickets in a risk-weighted draw (greencore.risk_weight), by public id, from what the
    platform knows: its latest filing late, a filing missing past its deadline, its green code lower than
    the year before, a social-supervision report upheld against it, an objection upheld against any of its
    unit's applications during a publicity window (publication's record: the unit, not only this title)."""
    factors: dict[int, set[RiskFactor]] = {t.pk: set() for t in titles}
    objected = set(
        Objection.objects.filter(
            status=Objection.Status.UPHELD,
            entry__application__applicant_id__in={t.organisation_id for t in titles},
        ).values_list("entry__application__applicant_id", flat=True)
    )
    for t in titles:
        if t.organisation_id in objected:
            factors[t.pk].add(RiskFactor.UPHELD_OBJECTION)
    for pk in Report.objects.filter(title_id__in=list(factors), status=Report.Status.UPHELD).values_list(
        "title_id", flat=True
    ):
        factors[pk].add(RiskFactor.COMPLAINT)
    history: dict[int, list[Filing]] = {}
    for filing in Filing.objects.filter(title_id__in=list(factors)).order_by("year"):
        history.setdefault(filing.title_id, []).append(filing)
        if filing.status == Filing.Status.OPEN and filing.deadline < today:
            factors[filing.title_id].add(RiskFactor.MISSING_FILING)
    for pk, filings in history.items():
        accepted = [f for f in filings if f.status == Filing.Status.ACCEPTED]
        if accepted and accepted[-1].late:
            factors[pk].add(RiskFactor.LATE_FILING)
        graded = [f.green_code for f in accepted if f.green_code in GRADE_ORDER]
        if len(graded) >= 2 and GRADE_ORDER[graded[-1]] > GRADE_ORDER[graded[-2]]:
            factors[pk].add(RiskFactor.GRADE_DROP)
    return {str(t.public_id): risk_weight(sorted(factors[t.pk])) for t in titles}


def reports_visible_to(actor: Actor | None) -> QuerySet[Report]:
    """The verified reports on the titles a bureau supervises (unverified ones are the reporter's alone)."""
    return (
        Report.objects.filter(title_id__in=supervised_titles(actor).values("pk"))
        .exclude(status__in=[Report.Status.UNVERIFIED, Report.Status.EXPIRED])
        .select_related("title__organisation", "check_opened")
    )


def filings_record(organisation: Organisation, kind: str) -> ApplicantRecord:
    """The organisation's annual filings of `kind` titles not accepted yet, with their deadlines and
    whether the level that opened them bars a higher tier meanwhile (its FilingDeadline setting). Plugged
    into `catalog.ports.applicant_records`; greencore decides on the day whether one is missing."""
    open_filings = Filing.objects.filter(
        title__organisation=organisation, title__kind=kind, title__status=Title.Status.ACTIVE
    ).filter(status=Filing.Status.OPEN)
    rows = list(open_filings.values_list("title__level", "year", "deadline", "authority_id"))
    blocking = set(
        FilingDeadline.objects.filter(
            authority_id__in={row[3] for row in rows}, blocks_higher_tier=True
        ).values_list("authority_id", flat=True)
    )
    return ApplicantRecord(
        unfiled=tuple(
            UnfiledFiling(kind, level, year, deadline, authority in blocking)
            for level, year, deadline, authority in rows
        )
    )


def changes_visible_to(actor: Actor | None) -> QuerySet[ChangeEvent]:
    """A bureau's: the changes declared on the titles it supervises; a unit's: its own titles' changes."""
    qs = ChangeEvent.objects.select_related("title__organisation", "check_opened")
    if actor is None:
        return qs.none()
    if actor.is_reviewer:
        return qs.filter(title_id__in=supervised_titles(actor).values("pk"))
    if actor.is_applicant:
        return qs.filter(title__organisation=actor.organisation)
    return qs.none()


def own_titles(actor: Actor | None) -> QuerySet[Title]:
    """A unit's active titles granted on the platform."""
    if actor is None or not actor.is_applicant:
        return Title.objects.none()
    return Title.objects.filter(organisation=actor.organisation, status=Title.Status.ACTIVE).select_related(
        "organisation"
    )


# --- evaluation bodies' track record ---------------------------------------------------------------------


def evaluation_bodies_seen_by(actor: Actor | None) -> QuerySet[Organisation]:
    """Every evaluation body (listed, suspended or removed): a bureau supervising titles sees each one's
    track record, since bodies work across regions."""
    if supervised_level(actor) is None:
        return Organisation.objects.none()
    return Organisation.objects.filter(kind=OrgKind.EVALUATION_BODY).order_by("name", "pk")


def _numbers(values: dict[str, Any]) -> dict[str, Decimal]:
    out = {}
    for key, value in values.items():
        if isinstance(value, bool) or value is None:
            continue
        try:
            number = Decimal(str(value))
        except (InvalidOperation, ValueError):
            continue
        if number.is_finite():
            out[key] = number
    return out


@dataclass(frozen=True)
class CheckedReport:
    """One of the body's reports checked later: the title, the check, and each compared indicator."""

    title: Title
    check: Check
    discrepancies: list[Discrepancy]


def body_track_record(body: Organisation) -> tuple[TrackRecord, list[CheckedReport]]:
    """The body's record: for every concluded check (by any bureau) of a title whose application the body
    evaluated, the values measured on site (the findings' `measured`, a later finding overriding an
    earlier one) against the body's third-party values of that application (its concluded evaluation's
    inputs); greencore compares them."""
    engagements = dict(
        Engagement.objects.filter(
            body=body, status=EngagementStatus.CONCLUDED, result__isnull=False
        ).values_list("application_id", "result")
    )
    checks = (
        Check.objects.filter(title__application_id__in=list(engagements))
        .exclude(status=Check.Status.OPEN)
        .select_related("title__organisation", "authority")
        .prefetch_related("findings")
        .order_by("concluded_on", "pk")
    )
    reports: list[CheckedReport] = []
    for check in checks:
        measured: dict[str, Any] = {}
        for finding in check.findings.all():
            measured.update(finding.measured or {})
        if not measured:
            continue
        assert check.title.application_id is not None
        body_values = _numbers(dict(stored_result(engagements[check.title.application_id]).inputs))
        # in the scheme's order of its key indicators (a JSON column keeps no key order on PostgreSQL)
        order = [spec.id for spec in filing_indicators(get_scheme(check.title.scheme))]
        checked = _numbers(measured)
        ordered = {key: checked[key] for key in [*order, *sorted(checked)] if key in checked}
        compared = discrepancies(body_values, ordered)
        if compared:
            reports.append(CheckedReport(check.title, check, compared))
    return track_record([r.discrepancies for r in reports]), reports


def declarations_visible_to(actor: Actor | None) -> QuerySet[SelfDeclaration]:
    """A unit's own self-declarations; a bureau's: those of the titles it granted."""
    qs = SelfDeclaration.objects.select_related("title__organisation")
    if actor is None:
        return qs.none()
    if actor.is_applicant:
        return qs.filter(title__organisation=actor.organisation)
    if supervised_level(actor) is not None:
        return qs.filter(title__announcement__authority=actor.organisation)
    return qs.none()


def level_evidence(authority_id: int) -> list[str] | None:
    """The key indicators whose evidence the bureau requires of the filings it opens, where it chose them;
    None where it keeps the shipped rule (workflow/filing.yaml)."""
    found = FilingDeadline.objects.filter(authority_id=authority_id).values_list(
        "evidence_required", flat=True
    )
    chosen = next(iter(found), None)
    return None if chosen is None else [str(i) for i in chosen]


def evidence_rule_for(filing: Filing) -> EvidenceRule:
    """The evidence rule of a filing: its bureau's choice, or the shipped rule for the title's level."""
    return evidence_rule(filing.title.level, chosen=level_evidence(filing.authority_id))
