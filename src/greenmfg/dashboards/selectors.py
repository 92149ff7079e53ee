"""The dashboards' figures, each read in a constant number of grouped queries, scoped to the jurisdiction
of the bureau asking (greencore's region containment via orgs.selectors; the ministry sees everything).

Every figure comes with the query string of the register list behind it, so a number always links to the
titles it counts."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import urlencode

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Substr

from greencore import jurisdiction_prefix, region_prefix
from greenmfg.applications.models import Application
from greenmfg.applications.states import LIVE, PRIVATE, WORKFLOW
from greenmfg.catalog.models import Call, TitleKind, TitleLevel
from greenmfg.orgs.models import Organisation
from greenmfg.orgs.selectors import in_jurisdiction, jurisdiction_of
from greenmfg.publication.models import PublicityNotice
from greenmfg.reference.models import Region
from greenmfg.register.models import EntryStatus, RegisterEntry, TitleTally, batch_label

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
    for row_kind, level, year, batch, area_code, n in rows:
        kinds[row_kind] += n
        levels[level] += n
        batches[(year, batch)] += n
        areas[_pad(area_code) if area_code else ""] += n
        total += n
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
    overdue reviews, calls open and publicity windows open, in four queries."""
    applications = Application.objects.filter(in_jurisdiction(authority, "region")).exclude(state__in=PRIVATE)
    counts = dict(applications.order_by().values_list("state").annotate(n=Count("id")))
    by_state = [
        StateFigure(s.id, {"zh": s.zh, "en": s.en}, counts.get(s.id, 0))
        for s in WORKFLOW.states.values()
        if s.id not in PRIVATE
    ]
    overdue = applications.filter(state__in=LIVE, step_due_on__lt=today).count()
    calls = Call.objects.filter(_calls_for(authority))
    calls_open = calls.filter(opens_on__lte=today, closes_on__gte=today).count()
    publicity_open = PublicityNotice.objects.filter(
        call__in=calls, opens_on__lte=today, closes_on__gte=today, closed_at__isnull=True
    ).count()
    return Pipeline(
        by_state=by_state,
        submitted=sum(f.count for f in by_state),
        overdue=overdue,
        calls_open=calls_open,
        publicity_open=publicity_open,
    )


@dataclass(frozen=True)
class Progress:
    target: Target
    achieved: int | None  # titles in force granted by the deadline; None where the plan names no place
    pipeline: int  # applications waiting at a review step for a title of this kind (and level)
    gap: int | None  # what is still missing: target - achieved - pipeline, never below 0
    query: str  # the register list behind `achieved`

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


def _target_region(target: Target) -> tuple[Q, dict[str, str]] | None:
    """The rows of the target's jurisdiction (on a `region` field) and the register filter selecting it."""
    if target.scope == TargetScope.MINISTRY:
        return Q(pk__isnull=False), {}
    if target.region_id is None:
        return None
    prefix = jurisdiction_prefix(target.scope, target.region_id)
    filter_ = {"province": _pad(prefix)} if len(prefix) == 2 else {"region": _pad(prefix)}
    return _within_prefix(prefix), filter_


def progress(authority: Organisation) -> list[Progress]:
    """Each visible target with what is achieved and in the pipeline: three queries, however many targets
    (one conditional count per target inside one aggregate)."""
    targets = list(targets_visible(authority).select_related("region"))
    titles: dict[str, Any] = {}
    flows: dict[str, Any] = {}
    filters: dict[int, dict[str, str]] = {}
    for t in targets:
        found = _target_region(t)
        if found is None:
            continue
        where_q, filters[t.pk] = found
        level = Q(level=t.level) if t.level else Q()
        titles[f"t{t.pk}"] = Count(
            "id", filter=where_q & Q(kind=t.kind) & level & Q(announced_on__lte=t.deadline)
        )
        call_level = Q(call__level=t.level) if t.level else Q()
        flows[f"t{t.pk}"] = Count("id", filter=where_q & Q(call__title_kind=t.kind) & call_level)
    achieved = RegisterEntry.objects.filter(status=EntryStatus.ACTIVE).aggregate(**titles) if titles else {}
    waiting = Application.objects.filter(state__in=LIVE).aggregate(**flows) if flows else {}
    out = []
    for t in targets:
        done = achieved.get(f"t{t.pk}")
        flow = waiting.get(f"t{t.pk}") or 0
        query = ""
        if t.pk in filters:
            extra = {"level": t.level} if t.level else {}
            query = _query(filters[t.pk], kind=t.kind, **extra)
        out.append(
            Progress(
                target=t,
                achieved=done,
                pipeline=flow,
                gap=None if done is None else max(0, t.count - done - flow),
                query=query,
            )
        )
    return out
