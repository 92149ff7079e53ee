"""Reads of the public register: search with filters, bounded counts, facets and unit pages.

Everything here is public, so nothing is scoped by actor; what is kept out of the register is kept out
when it is written (services)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from greencore import SECTOR_INDUSTRY, RegionError, region_level, region_prefix
from greenmfg.catalog.models import TitleKind, TitleLevel
from greenmfg.reference.models import Industry, Region, RegionLevel
from greenmfg.reference.national_lists import BATCHES

from . import fulltext
from .models import Declaration, EntryStatus, RegisterEntry, TitleTally, batch_label
from .services import fold

# Counting every match of a broad search costs a full scan; past this many the pages say "more than".
COUNT_CAP = 10_000
MAX_TERMS = 5
STATUSES = ("active", "revoked", "all")


def _code_range(prefix: str) -> dict[str, str]:
    """Codes starting with `prefix`, as a range an index can serve (LIKE 'x%' cannot on SQLite, where
    LIKE ignores case). ':' is the character after '9', so [prefix, prefix + ':') holds every longer
    all-digit code and nothing else."""
    return {"gte": prefix, "lt": prefix + ":"}


def _region_filter(code: str) -> tuple[Q, str | None]:
    """The region filter as a condition and as the full-text index's word (None: not a division)."""
    try:
        level = region_level(code)
    except RegionError:  # not a GB/T 2260 code (digits of another script): nothing lies there
        return Q(pk__in=[]), None
    if level == "province":
        return Q(province_id=code), fulltext.province_word(code)
    prefix = region_prefix(code, level)
    bounds = _code_range(prefix)
    return Q(region_id__gte=bounds["gte"], region_id__lt=bounds["lt"]), fulltext.region_word(prefix)


def _industry_filter(code: str) -> Q:
    if code.isdigit():
        bounds = _code_range(code)
        return Q(industry_id__gte=bounds["gte"], industry_id__lt=bounds["lt"])
    # a section (letter): its divisions and their groups
    codes = Industry.objects.filter(Q(code=code) | Q(parent_id=code) | Q(parent__parent_id=code))
    return Q(industry_id__in=list(codes.values_list("code", flat=True)))


@dataclass(frozen=True)
class Search:
    """Titles matching a search: every match as a queryset (newest first), and for a keyword search on
    SQLite the full-text index that answers a page, the count and the facets by itself."""

    qs: QuerySet[RegisterEntry]
    index: fulltext.IndexedSearch | None = None


def search_titles(**filters: Any) -> QuerySet[RegisterEntry]:
    """The titles of :func:`search` alone (downloads, tests)."""
    return search(**filters).qs


def search(
    q: str = "",
    kind: str = "",
    level: str = "",
    province: str = "",
    region: str = "",
    industry: str = "",
    year: int | None = None,
    batch: str = "",
    status: str = "active",
) -> Search:
    """Titles matching every given filter, newest first; no query runs here. ``q`` is split on white
    space and every term must occur in the unit, product, region or industry text (Chinese substrings,
    any case or width), through the full-text index (register.fulltext).
    ``region`` is any division code and includes the divisions inside it."""
    qs = RegisterEntry.objects.select_related("province", "industry")
    if status != "all":
        qs = qs.filter(status=status)
    if kind:
        qs = qs.filter(kind=kind)
    if level:
        qs = qs.filter(level=level)
    if province:
        qs = qs.filter(province_id=province)
    place: str | None = ""
    if region:
        condition, place = _region_filter(region)
        qs = qs.filter(condition)
    if industry:
        qs = qs.filter(_industry_filter(industry))
    if year:
        qs = qs.filter(year=year)
    if batch:
        qs = qs.filter(batch=batch)
    terms = fold(q).split()[:MAX_TERMS]
    if not terms:
        return Search(qs)
    words = None
    if place is not None:
        words = fulltext.filter_words(
            status=status,
            kind=kind,
            level=level,
            province=province,
            place=place,
            industry=industry,
            year=year,
            batch=batch,
        )
    found = fulltext.keyword_search(qs, terms, words)
    return Search(found.qs, found.index)


def title(public_id: uuid.UUID | str) -> RegisterEntry | None:
    return (
        RegisterEntry.objects.select_related("province", "region", "industry")
        .filter(public_id=public_id)
        .first()
    )


def register_ids(source_keys: Iterable[str]) -> dict[str, uuid.UUID]:
    """The register's public id of each given source key that is in the register (one query)."""
    keys = list(source_keys)
    if not keys:
        return {}
    return dict(RegisterEntry.objects.filter(source_key__in=keys).values_list("source_key", "public_id"))


def bounded_count(qs: QuerySet[Any], cap: int = COUNT_CAP) -> tuple[int, bool]:
    """(count, True) when there are more than `cap` rows: counts at most cap + 1 of them."""
    n = qs.order_by()[: cap + 1].count()
    return min(n, cap), n > cap


@dataclass(frozen=True)
class Facets:
    kinds: list[tuple[str, str, int]]  # (value, label, count), in TitleKind order
    levels: list[tuple[str, str, int]]


def _facets(pairs: Iterable[tuple[str, str, int]]) -> Facets:
    by_kind: dict[str, int] = {}
    by_level: dict[str, int] = {}
    for kind, level, n in pairs:
        by_kind[kind] = by_kind.get(kind, 0) + n
        by_level[level] = by_level.get(level, 0) + n
    return Facets(
        kinds=[(v, label, by_kind.get(v, 0)) for v, label in TitleKind.choices],
        levels=[(v, label, by_level.get(v, 0)) for v, label in TitleLevel.choices],
    )


def facet_counts(qs: QuerySet[RegisterEntry]) -> Facets:
    """Counts by kind and by level of a (filtered) queryset, in one grouped query."""
    return _facets(qs.order_by().values_list("kind", "level").annotate(n=Count("id")))


class BoundedPaginator(Paginator[Any]):
    """A paginator of search results whose count stops at `cap`: pages past it are not offered, and
    `capped` says the true total is larger.

    With an ``index`` (a keyword search on SQLite) the full-text index answers everything: one query
    for the count and the facets (at most cap + 1 matches read, in the index alone), one for the page
    (its ids in list order, LIMIT/OFFSET in SQL, joined to the entries). Otherwise the count, the
    facets and the page are three ordinary queries served by the register's indexes."""

    def __init__(
        self,
        object_list: QuerySet[Any],
        per_page: int,
        cap: int = COUNT_CAP,
        index: fulltext.IndexedSearch | None = None,
    ):
        super().__init__(object_list, per_page)
        self.queryset = object_list  # object_list as the queryset it is (Paginator types it loosely)
        self.cap = cap
        self.index = index

    @cached_property
    def _indexed(self) -> tuple[int, list[tuple[str, str, int]]] | None:
        return self.index.counts(self.cap) if self.index is not None else None

    @cached_property
    def _bounded(self) -> tuple[int, bool]:
        if self._indexed is not None:
            n = self._indexed[0]
            return min(n, self.cap), n > self.cap
        return bounded_count(self.queryset, self.cap)

    @cached_property
    def count(self) -> int:
        return self._bounded[0]

    @property
    def capped(self) -> bool:
        return self._bounded[1]

    def page(self, number: Any) -> Page[Any]:
        if self.index is None:
            return super().page(number)
        number = self.validate_number(number)
        page_ids = self.index.ids(offset=(number - 1) * self.per_page, limit=self.per_page, dense=self.capped)
        # a fresh queryset: the filters are in the index query already, and without them SQLite reads
        # the page's rows by id instead of walking the date index in search of them
        rows = RegisterEntry.objects.filter(id__in=page_ids)
        related = self.queryset.query.select_related
        if isinstance(related, dict):
            rows = rows.select_related(*_related_paths(related))
        return Page(list(rows), number, self)

    def facets(self) -> Facets:
        """Counts by kind and level of every match (call only when not capped)."""
        if self._indexed is not None:
            return _facets(self._indexed[1])
        return facet_counts(self.queryset)


def _related_paths(tree: dict[str, Any], prefix: str = "") -> list[str]:
    """select_related's paths from a query's nested dict of them (the caller's choice, kept)."""
    paths = []
    for name, below in tree.items():
        paths.append(prefix + name)
        paths.extend(_related_paths(below, f"{prefix}{name}__"))
    return paths


@dataclass(frozen=True)
class Overview:
    """Counts of active titles: a kind x level table, totals, and by province."""

    total: int
    rows: list[tuple[str, str, list[tuple[str, int]], int]]  # kind, label, (level, count) each, total
    level_labels: list[str]
    level_totals: list[int]
    provinces: list[tuple[str, str, int]]  # code, name, count (most first)


def overview() -> Overview:
    """From the tally of active titles kept on write (register.TitleTally, ADR 0010): one grouped query
    over its few thousand rows, whatever the number of titles."""
    cells: dict[tuple[str, str], int] = {}
    by_province: dict[str, int] = {}
    tally = TitleTally.objects.filter(count__gt=0).order_by().values_list("kind", "level", "province")
    for kind, level, province, n in tally.annotate(n=Sum("count")):
        cells[kind, level] = cells.get((kind, level), 0) + n
        if province:  # '' is a title whose province is unknown
            by_province[province] = by_province.get(province, 0) + n
    levels = TitleLevel.choices
    rows = []
    for kind, label in TitleKind.choices:
        counts = [(lv, cells.get((kind, lv), 0)) for lv, _ in levels]
        rows.append((kind, label, counts, sum(n for _, n in counts)))
    level_totals = [sum(cells.get((k, lv), 0) for k, _ in TitleKind.choices) for lv, _ in levels]
    names = dict(Region.objects.filter(level=RegionLevel.PROVINCE).values_list("code", "name"))
    provinces = sorted(
        ((str(c), names.get(c) or str(c), int(n)) for c, n in by_province.items()),
        key=lambda p: (-p[2], p[0]),
    )
    return Overview(
        total=sum(cells.values()),
        rows=rows,
        level_labels=[label for _, label in levels],
        level_totals=level_totals,
        provinces=provinces,
    )


@dataclass
class UnitPage:
    unit_key: str
    unit_name: str  # as most recently published
    other_names: list[str]
    credit_code: str
    entries: list[RegisterEntry] = field(default_factory=list)
    # self-declarations (自我声明) published by today, newest period first
    declarations: list[Declaration] = field(default_factory=list)

    @property
    def active(self) -> list[RegisterEntry]:
        return [e for e in self.entries if e.status == EntryStatus.ACTIVE]

    @property
    def places(self) -> list[str]:
        return [p for p in dict.fromkeys(e.place for e in self.entries) if p]


def unit_page(unit_key: str) -> UnitPage | None:
    """Every title of one unit (revoked ones too, marked), newest first; None when the key is unknown."""
    entries = list(
        RegisterEntry.objects.select_related("province", "region", "industry").filter(unit_key=unit_key)
    )
    if not entries:
        return None
    names = list(dict.fromkeys(e.unit_name for e in entries))
    credit = next((e.credit_code for e in entries if e.credit_code), "")
    # the platform's calendar: a period's declarations appear on its publication day, not before
    declarations = list(
        Declaration.objects.select_related("entry")
        .filter(entry__in=entries, published_on__lte=timezone.localdate())
        .order_by("-period", "entry_id")
    )
    return UnitPage(unit_key, names[0], names[1:], credit, entries, declarations)


# --------------------------------------------------------------------------------------------------
# choices for the search form


def province_choices() -> list[tuple[str, str]]:
    return list(Region.objects.filter(level=RegionLevel.PROVINCE).values_list("code", "name"))


def city_choices(province: str) -> list[tuple[str, str]]:
    """The cities of a province (those with a name of their own: not 市辖区 / 县 placeholders)."""
    if not province:
        return []
    cities = Region.objects.filter(parent_id=province, level=RegionLevel.CITY).exclude(
        name__in=("市辖区", "县")
    )
    return list(cities.values_list("code", "name"))


def industry_choices() -> list[tuple[str, str]]:
    """Sections and divisions of GB/T 4754 (groups are too many for a list)."""
    rows = Industry.objects.filter(level__in=("section", "division")).values_list("code", "name", "parent_id")
    divisions: dict[str, list[tuple[str, str]]] = {}
    sections: list[tuple[str, str]] = []
    for code, name, parent in rows:
        if parent is None:
            sections.append((code, f"{code} {name}"))
        else:
            divisions.setdefault(parent, []).append((code, f"\u3000{code} {name}"))
    return [item for section in sections for item in (section, *divisions.get(section[0], []))]


def year_choices() -> list[int]:
    """Newest first. From the first to the last year: DISTINCT would read the whole table on
    PostgreSQL, and a year without titles in between is still a valid filter. MIN and MAX each in a
    subquery of their own, so that each is one look-up in the year index (SQLite reads the whole table
    for MIN and MAX in one SELECT)."""
    table = RegisterEntry._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT (SELECT MIN(year) FROM {table}), (SELECT MAX(year) FROM {table})")
        first, last = cursor.fetchone()
    if first is None:
        return []
    return list(range(last, first - 1, -1))


def batch_choices() -> list[tuple[str, str]]:
    return [(b, batch_label(b)) for b in BATCHES]


# --------------------------------------------------------------------------------------------------
# how precisely the national lists' titles are attributed (the data-quality report)

PRECISIONS = ("county", "city", "province", "unknown")
INDUSTRY_BASES = ("listed", "inferred", "unknown")


@dataclass(frozen=True)
class Attribution:
    """Per kind of national-list title: how many are placed in a county, a city, only a province or
    nowhere, and how many have an industry as listed, inferred (category or unit name) or none."""

    rows: list[tuple[str, str, dict[str, int], dict[str, int], int]]  # kind, label, regions, industries, n
    region_totals: dict[str, int]
    industry_totals: dict[str, int]
    total: int


def _precision(region: str | None) -> str:
    if not region:
        return "unknown"
    try:
        return region_level(region)
    except RegionError:
        return "unknown"


def attribution() -> Attribution:
    """One grouped query over the national-list entries (a few thousand groups at most)."""
    groups = (
        RegisterEntry.objects.filter(source="national_list")
        .order_by()
        .values_list("kind", "region_id", "industry_id", "industry_text")
        .annotate(n=Count("id"))
    )
    regions: dict[str, dict[str, int]] = {}
    industries: dict[str, dict[str, int]] = {}
    for kind, region, industry, sector, n in groups:
        r = regions.setdefault(kind, dict.fromkeys(PRECISIONS, 0))
        r[_precision(region)] += n
        basis = "unknown" if industry is None else ("listed" if SECTOR_INDUSTRY.get(sector) else "inferred")
        i = industries.setdefault(kind, dict.fromkeys(INDUSTRY_BASES, 0))
        i[basis] += n
    rows = [
        (kind, label, regions[kind], industries[kind], sum(regions[kind].values()))
        for kind, label in TitleKind.choices
        if kind in regions
    ]
    return Attribution(
        rows=rows,
        region_totals={p: sum(r[2][p] for r in rows) for p in PRECISIONS},
        industry_totals={b: sum(r[3][b] for r in rows) for b in INDUSTRY_BASES},
        total=sum(r[4] for r in rows),
    )
