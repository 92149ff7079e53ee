"""The dashboards' figures, each read in a constant number of grouped queries, scoped to the jurisdiction
of the bureau asking (greencore's region containment via orgs.selectors; the ministry sees everything).

Every figure comes with the query string of the register list behind it, so a number always links to the
titles it counts."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import reduce
from itertools import pairwise
from operator import or_
from typing import Any
from urllib.parse import urlencode

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Case, CharField, Count, Q, QuerySet, Value, When
from django.db.models.functions import Substr

from greencore import (
    NATIONAL_PROJECTS_PER_YEAR,
    Forecast,
    PassRate,
    Position,
    Quota,
    ScoreDiscrepancy,
    TrackRecord,
    YearGrowth,
    forecast,
    growth,
    histogram,
    jurisdiction_prefix,
    pass_rates,
    position,
    quantiles,
    region_prefix,
    score_discrepancy,
)
from greenmfg.applications.models import Application, Dossier
from greenmfg.applications.states import GRANTED, LIVE, PRIVATE, REFUSED, UNDECIDED, WORKFLOW
from greenmfg.catalog.models import Call, TitleKind, TitleLevel
from greenmfg.evaluations.models import CURRENT, Engagement, EngagementStatus
from greenmfg.orgs.models import Organisation
from greenmfg.orgs.selectors import in_jurisdiction, jurisdiction_of
from greenmfg.publication.models import PublicityNotice, Title
from greenmfg.reference.models import Industry, Region
from greenmfg.register.models import EntryStatus, RegisterEntry, TitleTally, batch_label
from greenmfg.supervision.models import Check
from greenmfg.supervision.selectors import body_track_record

from .models import Target, TargetScope

# the area one level below a jurisdiction, by the length of its code prefix: the ministry's provinces,
# a province's cities, a city's districts (a district has nothing below it: its own code)
AREA_DIGITS = {0: 2, 2: 4, 4: 6, 6: 6}
AREA_LEVEL = {0: "province", 2: "city", 4: "district", 6: "district"}


@dataclass(frozen=True)
class Figure:
    """One row of a dashboard table: what it counts, how many, and the register list behind it."""

    key: str
    label: str | dict[str, str]  # a Chinese label (the catalogue has its English) or {"zh", "en"}
    count: int
    query: str  # the register list's query string ('' when no list can show exactly these titles)
    drill: str = ""  # the region to drill down into (an area with areas below it), or ''


@dataclass(frozen=True)
class Where:
    prefix: str  # the jurisdiction's (or drilled-down region's) code prefix ('' for the ministry)
    drilled: bool  # showing a region below the jurisdiction
    region: Region | None  # the jurisdiction's region (None for the ministry)
    kind: str  # the title kind the figures are limited to ('' for all)
    area_level: str  # province, city or district: what by_area breaks the figures down into
    total: int
    by_kind: list[Figure]
    by_level: list[Figure]
    by_batch: list[Figure]  # (year, batch) in time order
    by_area: list[Figure]  # by count, largest first; an unattributed remainder last


def _pad(code: str) -> str:
    return code.ljust(6, "0")


def _scope_query(prefix: str, region: Region | None) -> dict[str, str]:
    """The register filter that selects the jurisdiction (register.selectors._region_filter)."""
    if region is None:
        return {}
    if len(prefix) == 2:
        return {"province": _pad(prefix)}
    return {"region": _pad(prefix)}


def _query(base: dict[str, str], **more: str | int) -> str:
    return urlencode({**base, **{k: str(v) for k, v in more.items() if v != ""}})


def _batch_label(year: int, batch: str) -> dict[str, str]:
    if not batch:  # a title granted on the platform: its year
        return {"zh": f"{year}年", "en": str(year)}
    if batch.isdigit() and len(batch) == 4:  # the sixth national batch was named by its year
        return {"zh": f"{batch_label(batch)}名单", "en": f"{batch} list"}
    return {"zh": f"{year}年 {batch_label(batch)}", "en": f"{year}, batch {batch}"}


def _within_prefix(prefix: str, field: str = "region") -> Q:
    """Rows whose region code starts with `prefix`, as a range an index can serve (a LIKE cannot on SQLite,
    where it ignores case; ':' is the character after '9')."""
    return Q(**{f"{field}_id__gte": prefix, f"{field}_id__lt": prefix + ":"})


def titles_in(authority: Organisation) -> Q:
    """The active register titles in the authority's jurisdiction (all of them, unattributed included,
    for the ministry)."""
    prefix = jurisdiction_of(authority)
    if prefix is None:
        return Q(pk__in=[])
    if prefix == "":
        return Q(status=EntryStatus.ACTIVE)
    return Q(status=EntryStatus.ACTIVE) & _within_prefix(prefix)


def where(authority: Organisation, kind: str = "", within: Region | None = None) -> Where:
    """Titles (of one kind, if given) by kind, level, batch/year and area, from one grouped query (plus one
    for the areas' names). `within`: a region inside the jurisdiction to drill down into (the caller
    checked it through access.access_region)."""
    if within is None:
        prefix = jurisdiction_of(authority) or ""
        scope = titles_in(authority)
        region = None if prefix == "" else authority.region
    else:
        prefix = region_prefix(within.code, within.level)
        scope = Q(status=EntryStatus.ACTIVE) & _within_prefix(prefix)
        region = within
    scope &= Q(kind=kind) if kind else Q()
    digits = AREA_DIGITS[len(prefix)]
    rows: Iterable[tuple[str, str, int, str, str, int]]
    if prefix == "":
        # the whole country: the tally kept on write (register.TitleTally), a few thousand rows, instead
        # of grouping every title on every view
        rows = (
            TitleTally.objects.filter(Q(count__gt=0) & (Q(kind=kind) if kind else Q()))
            .order_by()
            .values_list("kind", "level", "year", "batch", "province", "count")
        )
    else:
        rows = (
            RegisterEntry.objects.filter(scope)
            .order_by()
            .annotate(area=Substr("region_id", 1, digits))
            .values_list("kind", "level", "year", "batch", "area")
            .annotate(n=Count("id"))
        )
    kinds: dict[str, int] = defaultdict(int)
    levels: dict[str, int] = defaultdict(int)
    batches: dict[tuple[int, str], int] = defaultdict(int)
    areas: dict[str, int] = defaultdict(int)
    total = 0
    codes: dict[str, int] = defaultdict(int)
    for row_kind, level, year, batch, area_code, n in rows:
        kinds[row_kind] += n
        levels[level] += n
        batches[(year, batch)] += n
        codes[area_code] += n
        total += n
    for area_code, n in codes.items():  # padded once per area, not once per row
        areas[_pad(area_code) if area_code else ""] += n
    names = dict(Region.objects.filter(code__in=[c for c in areas if c]).values_list("code", "name"))
    base = _scope_query(prefix, region)
    with_kind = {**base, "kind": kind} if kind else base

    def area_figure(code: str, n: int) -> Figure:
        if not code:
            return Figure("", {"zh": "地区不详", "en": "Region unknown"}, n, "")
        if prefix and code == _pad(prefix) and len(prefix) < 6:
            # attributed to the jurisdiction itself, not to a division below it: no register filter
            # selects exactly these titles
            return Figure(code, {"zh": "未细分到下级地区", "en": "Not attributed further down"}, n, "")
        drill = code if len(prefix) < 4 else ""  # a province's cities, a city's districts
        if prefix == "":
            return Figure(code, names.get(code, code), n, _query({}, province=code, kind=kind), drill)
        return Figure(code, names.get(code, code), n, _query({}, region=code, kind=kind), drill)

    by_area = sorted(
        (area_figure(code, n) for code, n in areas.items()),
        key=lambda f: (f.query == "", -f.count, f.key),
    )
    return Where(
        prefix=prefix,
        drilled=within is not None,
        region=region,
        kind=kind,
        area_level=AREA_LEVEL[len(prefix)],
        total=total,
        by_kind=[Figure(v, str(label), kinds[v], _query(base, kind=v)) for v, label in TitleKind.choices],
        by_level=[
            Figure(v, str(label), levels[v], _query(with_kind, level=v)) for v, label in TitleLevel.choices
        ],
        by_batch=[
            Figure(
                f"{year}-{batch}",
                _batch_label(year, batch),
                batches[(year, batch)],
                _query(with_kind, year=year, batch=batch),
            )
            for year, batch in sorted(batches)
        ],
        by_area=by_area,
    )


@dataclass(frozen=True)
class StateFigure:
    key: str
    label: dict[str, str]  # {"zh", "en"}, as the workflow table names the state
    count: int


@dataclass(frozen=True)
class Pipeline:
    by_state: list[StateFigure]  # in the workflow table's order
    submitted: int
    overdue: int  # waiting at a review step past its due date
    calls_open: int
    publicity_open: int


def _calls_for(authority: Organisation) -> Q:
    """Calls set inside the jurisdiction, and the calls of the regions above it that it takes part in."""
    prefix = jurisdiction_of(authority)
    if prefix is None:
        return Q(pk__in=[])
    if prefix == "":
        return Q()
    above = {_pad(prefix[:n]) for n in (2, 4, 6) if n <= len(prefix)}
    return in_jurisdiction(authority, "region") | Q(region_id__in=sorted(above)) | Q(level="national")


def pipeline(authority: Organisation, today: date) -> Pipeline:
    """Applications per state (drafts and other private states left out: they are their authors' alone),
    overdue reviews, calls open and publicity windows open, in two queries."""
    applications = Application.objects.filter(in_jurisdiction(authority, "region")).exclude(state__in=PRIVATE)
    counts = dict(applications.order_by().values_list("state").annotate(n=Count("id")))
    by_state = [
        StateFigure(s.id, {"zh": s.zh, "en": s.en}, counts.get(s.id, 0))
        for s in WORKFLOW.states.values()
        if s.id not in PRIVATE
    ]
    calls = Call.objects.filter(_calls_for(authority))
    # three counts, one statement (one round trip)
    found = counts_at_once(
        {
            "overdue": applications.filter(state__in=LIVE, step_due_on__lt=today),
            "calls_open": calls.filter(opens_on__lte=today, closes_on__gte=today),
            "publicity_open": PublicityNotice.objects.filter(
                call__in=calls, opens_on__lte=today, closes_on__gte=today, closed_at__isnull=True
            ),
        }
    )
    return Pipeline(
        by_state=by_state,
        submitted=sum(f.count for f in by_state),
        overdue=found["overdue"],
        calls_open=found["calls_open"],
        publicity_open=found["publicity_open"],
    )


@dataclass(frozen=True)
class Progress:
    target: Target
    achieved: int | None  # titles in force granted by the deadline; None where the plan names no place
    pipeline: int  # applications waiting at a review step for a title of this kind (and level)
    gap: int | None  # what is still missing: target - achieved - pipeline, never below 0
    query: str  # the register list behind `achieved`
    # titles expected by the deadline from the undecided applications at each level's pass rate
    # (greencore.forecast); None where the plan names no place
    forecast: Forecast | None = None

    @property
    def met(self) -> bool:
        return self.achieved is not None and self.achieved >= self.target.count


def targets_visible(authority: Organisation) -> QuerySet[Target]:
    """The targets of the jurisdiction and of the jurisdictions inside it; the ministry sees every one,
    including reference targets of plans that name no real place."""
    prefix = jurisdiction_of(authority)
    if prefix is None:
        return Target.objects.none()
    if prefix == "":
        return Target.objects.all()
    return Target.objects.filter(in_jurisdiction(authority, "region"))


def _target_region(target: Target) -> tuple[str, dict[str, str]] | None:
    """The code prefix of the target's jurisdiction ('' for the whole country) and the register filter
    selecting it; None where the plan names no real place."""
    if target.scope == TargetScope.MINISTRY:
        return "", {}
    if target.region_id is None:
        return None
    prefix = jurisdiction_prefix(target.scope, target.region_id)
    filter_ = {"province": _pad(prefix)} if len(prefix) == 2 else {"region": _pad(prefix)}
    return prefix, filter_


def counts_at_once(counts: dict[str, QuerySet[Any]]) -> dict[str, int]:
    """Several counts in one statement, SELECT (SELECT COUNT(*) FROM (…)), (…): each count is served by
    its own index range (register_kind_region), where one conditional aggregate would read every title
    once for all the counts (300 ms over 100,000 titles for the ministry's targets)."""
    if not counts:
        return {}
    parts: list[str] = []
    params: list[Any] = []
    for i, queryset in enumerate(counts.values()):
        try:
            sql, found = queryset.order_by().values("pk").query.sql_with_params()
        except EmptyResultSet:  # a filter that matches nothing (Q(pk__in=[])): no statement to count
            parts.append("0")
            continue
        parts.append(f"(SELECT COUNT(*) FROM ({sql}) AS c{i})")
        params.extend(found)
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts), params)
        row = cursor.fetchone()
    return {key: int(n) for key, n in zip(counts, row, strict=True)}


def pass_rates_in(authority: Organisation) -> dict[str, PassRate]:
    """Each call level's history in the jurisdiction: decided applications granted a title or refused."""
    decided = (
        Application.objects.filter(in_jurisdiction(authority, "region"), state__in=GRANTED + REFUSED)
        .order_by()
        .values_list("call__level", "state")
        .annotate(n=Count("id"))
    )
    history: dict[str, list[int]] = {level: [0, 0] for level in TitleLevel.values}
    for level, state, n in decided:
        history.setdefault(level, [0, 0])[0 if state in GRANTED else 1] += n
    return pass_rates({level: (g, r) for level, (g, r) in history.items()})


def _undecided_by_area(prefixes: set[str]) -> dict[tuple[str, str], list[tuple[str, str, int]]]:
    """The undecided applications under each region code prefix ('' the whole country): by (prefix, the
    call's title kind), (the call's level, state, count). One grouped query, a few hundred rows however
    many targets ask: per prefix length a column naming the prefix a row lies under (prefixes of one
    length are disjoint), grouped with the title kind, level and state."""
    by_length: dict[int, list[str]] = defaultdict(list)
    for prefix in sorted(prefixes):
        by_length[len(prefix)].append(prefix)
    applications = Application.objects.filter(state__in=UNDECIDED).order_by()
    if "" not in prefixes:  # only the rows under some prefix
        applications = applications.filter(reduce(or_, (_within_prefix(p) for p in sorted(prefixes))))
    areas = {
        f"area{length}": Case(
            When(reduce(or_, (_within_prefix(p) for p in group)), then=Substr("region_id", 1, length)),
            default=Value(""),
            output_field=CharField(),
        )
        for length, group in sorted(by_length.items())
        if length
    }
    rows = (
        applications.annotate(**areas)
        .values_list(*areas, "call__title_kind", "call__level", "state")
        .annotate(n=Count("id"))
    )
    out: dict[tuple[str, str], list[tuple[str, str, int]]] = defaultdict(list)
    for *under, kind, level, state, n in rows:
        # '' in a column: under no prefix of that length (and the whole country only when asked)
        for area in {"", *under} & prefixes:
            out[(area, kind)].append((level, state, n))
    return out


def progress(authority: Organisation) -> list[Progress]:
    """Each visible target with what is achieved, in the pipeline and forecast: four queries, however many
    targets (the achieved titles counted per target from an index range each, in one statement; the
    applications waiting grouped once by region prefix, title kind, level and state)."""
    targets = list(targets_visible(authority).select_related("region"))
    titles: dict[str, Any] = {}
    regions: dict[int, tuple[str, dict[str, str]]] = {}
    levels = TitleLevel.values
    for t in targets:
        found = _target_region(t)
        if found is None:
            continue
        regions[t.pk] = found
        prefix = found[0]
        place = _within_prefix(prefix) if prefix else Q()
        of_level = Q(level=t.level) if t.level else Q()
        titles[f"t{t.pk}"] = RegisterEntry.objects.filter(
            Q(status=EntryStatus.ACTIVE) & place & Q(kind=t.kind) & of_level & Q(announced_on__lte=t.deadline)
        )
    achieved = counts_at_once(titles)
    grouped = _undecided_by_area({prefix for prefix, _filter in regions.values()}) if regions else {}
    waiting: dict[str, int] = defaultdict(int)
    for t in targets:
        if t.pk not in regions:
            continue
        for level, state, n in grouped.get((regions[t.pk][0], t.kind), []):
            if state in LIVE and (not t.level or level == t.level):
                waiting[f"t{t.pk}"] += n
            if level in ([t.level] if t.level else levels):
                waiting[f"u{t.pk}_{level}"] += n
    rates = pass_rates_in(authority) if regions else {}
    out = []
    for t in targets:
        done = achieved.get(f"t{t.pk}")
        flow = waiting.get(f"t{t.pk}") or 0
        query = ""
        expected = None
        if t.pk in regions:
            extra = {"level": t.level} if t.level else {}
            query = _query(regions[t.pk][1], kind=t.kind, **extra)
            undecided = {lv: waiting.get(f"u{t.pk}_{lv}") or 0 for lv in ([t.level] if t.level else levels)}
            expected = forecast(t.count, done or 0, undecided, rates)
        out.append(
            Progress(
                target=t,
                achieved=done,
                pipeline=flow,
                gap=None if done is None else max(0, t.count - done - flow),
                query=query,
                forecast=expected,
            )
        )
    return out


@dataclass(frozen=True)
class GrowthFigure:
    year: YearGrowth
    query: str  # the register list of the year's titles


def growth_of(where: Where) -> list[GrowthFigure]:
    """Titles per year (announced year) with the running total, from the figures `where` already read."""
    per_year: dict[int, int] = defaultdict(int)
    for f in where.by_batch:
        per_year[int(f.key.split("-", 1)[0])] += f.count
    base = _scope_query(where.prefix, where.region)
    if where.kind:
        base = {**base, "kind": where.kind}
    return [GrowthFigure(y, _query(base, year=y.year)) for y in growth(per_year)]


# --- how good: scores, grades and indicators of the titled units ------------------------------------------

PROBABILITIES = (Decimal("0.1"), Decimal("0.25"), Decimal("0.5"), Decimal("0.75"), Decimal("0.9"))
SCORE_EDGES = (Decimal(0), Decimal(60), Decimal(70), Decimal(80), Decimal(90), Decimal(100))
# fewer peers than this: no distribution is shown to an enterprise, as it would reveal a neighbour's values
MIN_PEERS = 5


def titled_in(authority: Organisation) -> QuerySet[Title]:
    """Titles in force granted on the platform (they carry a score and a grade) to units in the
    jurisdiction."""
    return Title.objects.filter(
        in_jurisdiction(authority, "organisation__region"), status=Title.Status.ACTIVE
    )


@dataclass(frozen=True)
class Band:
    key: str  # what the list behind it filters on (?band=0..4)
    label: str
    count: int


@dataclass(frozen=True)
class Quality:
    scored: int  # titles with a score
    unscored: int  # titles without one (granted under a scheme without points)
    quantiles: list[tuple[Decimal, Decimal]] | None  # (probability, score)
    bands: list[Band]
    grades: list[Band]  # key: the grade's label ('' none)


def score_bands(top: Decimal) -> list[tuple[Decimal, Decimal]]:
    """The score bands shown: below 60, then ten points each; the last band reaches the highest score
    (a scheme's bonus may lift a score above 100)."""
    edges = [*SCORE_EDGES[:-1], max(SCORE_EDGES[-1], top)]
    return list(pairwise(edges))


def _band_label(low: Decimal, high: Decimal, last: bool) -> str:
    return f"{low:.0f}–{high:.0f}" if not last else f"≥{low:.0f}"


def quality(authority: Organisation) -> Quality:
    """Scores (distribution and quantiles, greencore) and grades of the titled units, in one query."""
    rows = list(titled_in(authority).values_list("score", "grade_label"))
    scores = [s for s, _ in rows if s is not None]
    bands = score_bands(max(scores, default=SCORE_EDGES[-1]))
    counts = histogram(scores, [bands[0][0], *(high for _, high in bands)])
    grade_counts: dict[str, int] = defaultdict(int)
    for _, grade in rows:
        grade_counts[grade] += 1
    found = quantiles(scores, PROBABILITIES)
    return Quality(
        scored=len(scores),
        unscored=len(rows) - len(scores),
        quantiles=None if found is None else list(zip(PROBABILITIES, found, strict=True)),
        bands=[
            Band(str(i), _band_label(low, high, i == len(bands) - 1), n)
            for i, ((low, high), n) in enumerate(zip(bands, counts, strict=True))
        ],
        grades=[
            Band(g, g, n) for g, n in sorted(grade_counts.items(), key=lambda item: (item[0] == "", item[0]))
        ],
    )


def titles_behind(authority: Organisation, band: str = "", grade: str | None = None) -> QuerySet[Title]:
    """The titles a quality figure counts: in a score band (by its index), or of a grade label."""
    titles = titled_in(authority).select_related("organisation", "organisation__region")
    if band:
        scores = titles.exclude(score__isnull=True)
        top = max(
            (s for s in scores.values_list("score", flat=True) if s is not None), default=SCORE_EDGES[-1]
        )
        bands = score_bands(top)
        index = int(band)
        low, high = bands[index]
        titles = (
            scores.filter(score__gte=low, score__lte=high)
            if index == len(bands) - 1
            else scores.filter(score__gte=low, score__lt=high)
        )
    if grade is not None:
        titles = titles.filter(grade_label=grade)
    return titles.order_by("-score", "organisation__name")


@dataclass(frozen=True)
class Spread:
    """One leaf indicator across a set of titled units: its values' and its points' quantiles."""

    id: str
    label: dict[str, str]  # {"zh", "en"}
    unit: str
    n: int  # units with a numeric value
    values: list[Decimal] | None  # at PROBABILITIES
    points: list[Decimal] | None
    own_value: Decimal | None = None  # the unit looking at itself
    position: Position | None = None


def _number(value: Any) -> Decimal | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        number = Decimal(str(value))
    except ArithmeticError:
        return None
    return number if number.is_finite() else None


def _leaf_values(
    results: Iterable[dict[str, Any] | None],
) -> dict[str, tuple[dict[str, str], str, list[Decimal], list[Decimal]]]:
    """Per leaf indicator (in the schemes' order): its label, unit, numeric values and points."""
    out: dict[str, tuple[dict[str, str], str, list[Decimal], list[Decimal]]] = {}
    for result in results:
        for node in (result or {}).get("indicators", []):
            if not node.get("is_leaf"):
                continue
            entry = out.setdefault(
                node["id"],
                (
                    {"zh": node.get("label", ""), "en": node.get("label_en") or node.get("label", "")},
                    node.get("unit") or "",
                    [],
                    [],
                ),
            )
            value, points = _number(node.get("value")), _number(node.get("points"))
            if value is not None:
                entry[2].append(value)
            if points is not None:
                entry[3].append(points)
    return out


def result_dict(stored: Any) -> dict[str, Any] | None:
    """A stored result (greencore.result/1) as a mapping: ScoredAnswers keeps `Result.to_json()`'s text."""
    if stored is None or isinstance(stored, dict):
        return stored
    found = json.loads(stored)
    return found if isinstance(found, dict) else None


def _latest_results(titles: QuerySet[Title]) -> dict[int, dict[str, Any] | None]:
    """Each title's application's last submitted self-evaluation result (greencore.result/1), by title pk."""
    pairs = dict(titles.exclude(application__isnull=True).values_list("application_id", "pk"))
    out: dict[int, dict[str, Any] | None] = {}
    for application, result in (
        Dossier.objects.filter(application_id__in=list(pairs), frozen_at__isnull=False)
        .order_by("application_id", "-number")
        .values_list("application_id", "result")
    ):
        if pairs[application] not in out:
            out[pairs[application]] = result_dict(result)
    return out


def peers(scheme: str, industry: str, within: Organisation | None = None) -> QuerySet[Title]:
    """Titled units under one scheme (id@version) in one industry division (2-digit GB/T 4754 code, '' any);
    within a jurisdiction, or everywhere."""
    titles = Title.objects.filter(status=Title.Status.ACTIVE, scheme=scheme)
    if within is not None:
        titles = titles.filter(in_jurisdiction(within, "organisation__region"))
    if industry:
        titles = titles.filter(organisation__industry__code__startswith=industry)
    return titles


def indicator_spread(titles: QuerySet[Title], own: dict[str, Any] | None = None) -> list[Spread]:
    """Each leaf indicator's distribution across the titles (values and points, greencore quantiles) — the
    benchmarks a bureau needs to set 基准值 and 引领值 — and, given a unit's own result, where it stands."""
    own_values = {k: v[2][0] for k, v in _leaf_values([own]).items() if v[2]} if own else {}
    out = []
    for key, (label, unit, values, points) in _leaf_values(_latest_results(titles).values()).items():
        mine = own_values.get(key)
        out.append(
            Spread(
                id=key,
                label=label,
                unit=unit,
                n=len(values),
                values=quantiles(values, PROBABILITIES),
                points=quantiles(points, PROBABILITIES),
                own_value=mine,
                position=None if mine is None else position(mine, values),
            )
        )
    return out


def scheme_choices(authority: Organisation) -> list[str]:
    return sorted(set(titled_in(authority).values_list("scheme", flat=True)))


def industry_choices(authority: Organisation) -> list[tuple[str, str]]:
    """The industry divisions (大类) of the titled units, with their names."""
    codes = {c[:2] for c in titled_in(authority).values_list("organisation__industry_id", flat=True) if c}
    names = dict(Industry.objects.filter(code__in=codes).values_list("code", "name"))
    return [(c, names.get(c, c)) for c in sorted(codes)]


@dataclass(frozen=True)
class OwnPosition:
    title: Title
    industry: str  # the division compared within
    peers: int
    score: Decimal | None
    score_position: Position | None
    score_quantiles: list[Decimal] | None
    spreads: list[Spread]  # empty when fewer than MIN_PEERS


def own_positions(organisation: Organisation) -> list[OwnPosition]:
    """For each title in force of the unit: its score and indicators against the titled units of the same
    scheme and industry division nationwide (aggregates only, and only over MIN_PEERS or more)."""
    out = []
    industry = (organisation.industry_id or "")[:2]
    for title in Title.objects.filter(organisation=organisation, status=Title.Status.ACTIVE).select_related(
        "organisation"
    ):
        group = peers(title.scheme, industry)
        scores = [s for s in group.values_list("score", flat=True) if s is not None]
        enough = len(scores) >= MIN_PEERS
        own = _latest_results(Title.objects.filter(pk=title.pk)).get(title.pk)
        out.append(
            OwnPosition(
                title=title,
                industry=industry,
                peers=len(scores),
                score=title.score,
                score_position=position(title.score, scores) if enough and title.score is not None else None,
                score_quantiles=quantiles(scores, PROBABILITIES) if enough else None,
                spreads=[s for s in indicator_spread(group, own) if s.n >= MIN_PEERS] if enough else [],
            )
        )
    return out


# --- evaluation bodies ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class BodyFigures:
    body: Organisation
    projects: int  # engagements in force (engaged or concluded) on applications in the jurisdiction
    concluded: int
    quota_taken: (
        int  # national-level projects this year, everywhere (the quota is the body's, not a region's)
    )
    discrepancy: ScoreDiscrepancy  # concluded evaluations in the jurisdiction: total score vs self-evaluation
    checks: int  # supervision checks concluded on titles the body evaluated
    nonconforming: int  # of which found non-conforming
    # supervision's track record of the body: its reported values against those measured on site later
    track: TrackRecord | None = None


@dataclass(frozen=True)
class Bodies:
    year: int
    quota: Quota
    rows: list[BodyFigures]


def bodies(authority: Organisation, today: date) -> Bodies:
    """Each evaluation body that worked in the jurisdiction: projects, quota use (greencore's rule), the
    discrepancy between its scores and the applicants' own (greencore.score_discrepancy over the margin
    recorded at conclusion), and supervision's findings on the titles it evaluated: a non-conforming check
    of a title the body evaluated, and supervision's track record of the body (its reported values against
    those measured on site). Five queries, and the track record's per body."""
    engagements = Engagement.objects.filter(
        in_jurisdiction(authority, "application__region"), status__in=CURRENT
    )
    projects: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for body, status, n in engagements.order_by().values_list("body_id", "status").annotate(n=Count("id")):
        projects[body][0] += n
        projects[body][1] += n if status == EngagementStatus.CONCLUDED else 0
    quota = NATIONAL_PROJECTS_PER_YEAR
    taken = dict(
        Engagement.objects.filter(
            body_id__in=list(projects),
            status__in=CURRENT,
            year=today.year,
            application__call__level=quota.level,
        )
        .order_by()
        .values_list("body_id")
        .annotate(n=Count("id"))
    )
    pairs: dict[int, list[tuple[Decimal, Decimal, Decimal]]] = defaultdict(list)
    for body, own, third, margin in engagements.filter(
        status=EngagementStatus.CONCLUDED,
        score__isnull=False,
        dossier__score__isnull=False,
        score_margin__isnull=False,
    ).values_list("body_id", "dossier__score", "score", "score_margin"):
        if own is not None and third is not None and margin is not None:  # as filtered: for the type checker
            pairs[body].append((own, third, margin))
    checks: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for body, status, n in (
        Check.objects.filter(
            title__application__engagements__in=engagements.filter(status=EngagementStatus.CONCLUDED)
        )
        .exclude(status=Check.Status.OPEN)
        .order_by()
        .values_list("title__application__engagements__body_id", "status")
        .annotate(n=Count("id", distinct=True))
    ):
        checks[body][0] += n
        checks[body][1] += n if status == Check.Status.NONCONFORMING else 0
    named = Organisation.objects.in_bulk(list(projects))
    rows = [
        BodyFigures(
            body=named[pk],
            projects=p,
            concluded=c,
            quota_taken=taken.get(pk, 0),
            discrepancy=score_discrepancy(pairs[pk]),
            checks=checks[pk][0],
            nonconforming=checks[pk][1],
            track=body_track_record(named[pk])[0],
        )
        for pk, (p, c) in projects.items()
    ]
    rows.sort(key=lambda r: (-r.projects, r.body.name))
    return Bodies(year=today.year, quota=quota, rows=rows)
