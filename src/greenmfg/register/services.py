"""Writing the public register: rebuilt from the national lists, and kept up to date with the titles the
publication services grant (:func:`record_platform_title`, plugged into `publication.ports.title_changed`)
and withdraw (:func:`revoke`).

The register holds only what was published. Callers pass published values; nothing here reads a dossier.
"""

from __future__ import annotations

import unicodedata
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, F
from django.utils import timezone

from greencore import Division, PlaceNames, attribute_industry, province_of
from greenmfg.catalog.models import TitleKind, TitleLevel
from greenmfg.orgs.uscc import normalize_uscc
from greenmfg.publication.models import HistoricalTitle, Title
from greenmfg.reference import national_lists
from greenmfg.reference.models import Industry, Region
from greenmfg.reference.services import DATA_DIR

from .fulltext import FTS_TABLE, tokens_for
from .models import Declaration, EntrySource, EntryStatus, RegisterEntry, TitleTally

# uuid5 namespace of register public ids: fixed forever, so an entry keeps its id across rebuilds
PUBLIC_ID_NAMESPACE = uuid.UUID("5b0f6a52-8d1e-4c1b-9a57-2f6e8f1c3a10")

NATIONAL_AUTHORITY = "工业和信息化部"

# Fields a rebuild or a re-recorded title may overwrite. Status and revocation are never among them:
# a revoked title stays revoked whatever source is replayed.
DESCRIPTIVE_FIELDS = (
    "source",
    "kind",
    "level",
    "grade",
    "year",
    "batch",
    "announced_on",
    "announcement_ref",
    "authority",
    "province",
    "region",
    "region_text",
    "unit_key",
    "unit_name",
    "credit_code",
    "industry",
    "industry_text",
    "product_name",
    "product_model",
    "product_category",
    "standard",
    "evaluation_body",
    "highlights",
    "published_indicators",
    "search_text",
    "search_tokens",
)


class RegisterError(ValueError):
    """A title that cannot be recorded as given (unknown region, industry, kind or level)."""


def public_id_for(source_key: str) -> uuid.UUID:
    return uuid.uuid5(PUBLIC_ID_NAMESPACE, source_key)


def fold(text: str) -> str:
    """The form search compares in: NFKC (full-width letters and digits to ASCII) and case-folded."""
    return unicodedata.normalize("NFKC", text).casefold()


def name_key(unit_name: str) -> str:
    """A unit's key when its credit code is unknown: NFKC, no white space, case-folded.

    The lists write the same company with full- and half-width brackets and stray PDF spaces; those
    variants must land on one unit page."""
    return "".join(fold(unit_name).split())


def unit_key_for(unit_name: str, credit_code: str) -> str:
    return credit_code or name_key(unit_name)


def search_text_for(*parts: str) -> str:
    return fold(" ".join(p for p in parts if p))


# --------------------------------------------------------------------------------------------------
# national lists


@dataclass(frozen=True)
class RebuildReport:
    created: int
    updated: int
    removed: int

    def __str__(self) -> str:
        return f"+{self.created}, updated {self.updated}, removed {self.removed}"


def _year_of(batch: str, announced: date) -> int:
    # the sixth batch is named by the year it covers (2021年度, announced in January 2022)
    return int(batch) if len(batch) == 4 and batch.isdigit() else announced.year


def _precise_region(
    listed: str, province_code: str | None, lookup: Mapping[str, str], known: set[str]
) -> str:
    """The most precise division a listed 地区 names (city or county when it names one), else the
    province; never a division outside the province the list import resolved."""
    value = national_lists.REGION_ALIASES.get(listed.strip(), listed.strip())
    code = lookup.get(value) or lookup.get(value.removesuffix("市"))
    if code and province_code and province_of(code) == province_code and code in known:
        return code
    return province_code if province_code in known else ""


def _city_name(region: str | None, names: Mapping[str, str]) -> str:
    """The name of the city a county lies in ('' for a placeholder such as 北京's 市辖区)."""
    if not region or region.endswith("00"):
        return ""
    name = names.get(region[:4] + "00", "")
    return "" if name in ("市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划") else name


@transaction.atomic
def rebuild_from_national_lists() -> RebuildReport:
    """Make the register's national-list entries match the imported historical titles.

    Idempotent and bulk: one upsert keyed on source_key (so public ids, and revocations, survive), then
    entries whose source row is gone are removed."""
    lookup = national_lists.load_regions(DATA_DIR / "regions.csv")
    regions = dict(Region.objects.values_list("code", "name"))
    known_regions = set(regions)
    places = PlaceNames(Division(code, name) for code, name in regions.items())
    known_industries = dict(Industry.objects.values_list("code", "name"))
    # a unit known on the platform by its credit code gathers its historical titles under that code
    credit_by_name = {
        name_key(name): code
        for name, code in RegisterEntry.objects.exclude(credit_code="").values_list(
            "unit_name", "credit_code"
        )
    }
    existing = dict(
        RegisterEntry.objects.filter(source=EntrySource.NATIONAL_LIST).values_list("source_key", "id")
    )

    entries: list[RegisterEntry] = []
    # the register is publication's read side; publication has no selector for its historical titles
    titles = HistoricalTitle.objects.order_by("kind", "batch", "source_file", "source_row")
    for t in titles.iterator(chunk_size=2000):
        source_key = f"{EntrySource.NATIONAL_LIST}:{t.source_file}:{t.source_row}"
        province = t.province_id if t.province_id in known_regions else None
        region = _precise_region(t.listed_region, province, lookup, known_regions) or None
        if region:
            # the list names a province (or a plan city): the unit's name often says where inside
            region = places.region_in_name(t.unit_name, region)[0] or region
        industry = attribute_industry(t.industry, t.product_category, t.unit_name)[0]
        industry = industry if industry in known_industries else None
        text = search_text_for(
            t.unit_name,
            t.product_name,
            t.product_model,
            t.listed_region,
            regions.get(province or "", ""),
            # a county's city too: a keyword search for 苏州 finds the titles placed in 吴中区
            _city_name(region, regions),
            regions.get(region or "", ""),
            t.industry,
            known_industries.get(industry or "", ""),
        )
        key = name_key(t.unit_name)
        credit = credit_by_name.get(key, "")
        entries.append(
            RegisterEntry(
                public_id=public_id_for(source_key),
                source=EntrySource.NATIONAL_LIST,
                source_key=source_key,
                kind=t.kind,
                level=TitleLevel.NATIONAL,
                grade="",
                year=_year_of(t.batch, t.announced),
                batch=t.batch,
                announced_on=t.announced,
                announcement_ref="",
                authority=NATIONAL_AUTHORITY,
                province_id=province,
                region_id=region,
                region_text=t.listed_region,
                unit_key=credit or key,
                unit_name=t.unit_name,
                credit_code="",
                industry_id=industry,
                industry_text=t.industry,
                product_name=t.product_name,
                product_model=t.product_model,
                product_category=t.product_category,
                standard=t.standard,
                evaluation_body=t.evaluation_body,
                highlights=t.highlights,
                published_indicators=[],
                search_text=text,
                search_tokens=tokens_for(text),
            )
        )

    keys = {e.source_key for e in entries}
    RegisterEntry.objects.bulk_create(
        entries,
        batch_size=500,
        update_conflicts=True,
        unique_fields=["source_key"],
        update_fields=[*DESCRIPTIVE_FIELDS, "updated_at"],
    )
    stale = [pk for key, pk in existing.items() if key not in keys]
    for start in range(0, len(stale), 500):
        RegisterEntry.objects.filter(pk__in=stale[start : start + 500]).delete()
    created = len(keys - set(existing))
    rebuild_tally()
    refresh_statistics()
    return RebuildReport(created=created, updated=len(keys) - created, removed=len(stale))


# --------------------------------------------------------------------------------------------------
# the tally of active titles (TitleTally), kept on every write of this module

TallyKey = tuple[str, str, int, str, str]  # kind, level, year, batch, province ('' unknown)


def _tally_key(entry: RegisterEntry) -> TallyKey | None:
    """The tally row an entry counts in; None for a revoked entry (the tally counts active titles)."""
    if entry.status != EntryStatus.ACTIVE:
        return None
    return (entry.kind, entry.level, entry.year, entry.batch, entry.province_id or "")


def _tally(key: TallyKey | None, delta: int) -> None:
    """Add `delta` to a tally row inside the caller's transaction: create it at 0 if missing, then one
    UPDATE n = n + delta, which two concurrent writers cannot lose (each waits for the other's row lock)."""
    if key is None or delta == 0:
        return
    kind, level, year, batch, province = key
    fields = {"kind": kind, "level": level, "year": year, "batch": batch, "province": province}
    TitleTally.objects.bulk_create([TitleTally(**fields, count=0)], ignore_conflicts=True)
    TitleTally.objects.filter(**fields).update(count=F("count") + delta)


@transaction.atomic
def rebuild_tally() -> int:
    """Count every active title again into the tally (after a bulk load); returns the rows written."""
    rows = (
        RegisterEntry.objects.filter(status=EntryStatus.ACTIVE)
        .order_by()
        .values_list("kind", "level", "year", "batch", "province_id")
        .annotate(n=Count("id"))
    )
    TitleTally.objects.all().delete()
    made = TitleTally.objects.bulk_create(
        [
            TitleTally(kind=k, level=lv, year=y, batch=b, province=p or "", count=n)
            for k, lv, y, b, p, n in rows
        ],
        batch_size=1000,
    )
    return len(made)


def refresh_statistics() -> None:
    """Let the query planner see the register's shape after a bulk load.

    Without statistics SQLite takes any equality on an indexed column as selective, so a broad filter
    (kind=factory) is sorted in full instead of read in date order; PostgreSQL's autovacuum would get
    there eventually. The same statement works on both; on PostgreSQL the search index's table too (on
    SQLite it is a virtual table, which has no statistics)."""
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {RegisterEntry._meta.db_table}")
        if connection.vendor == "postgresql":
            cursor.execute(f"ANALYZE {FTS_TABLE}")
            cursor.execute(f"ANALYZE {FTS_TABLE}_order")


# --------------------------------------------------------------------------------------------------
# titles granted on the platform


def _clean_indicators(items: Iterable[Mapping[str, Any]]) -> list[dict[str, str]]:
    """Only label, level, value and unit are kept, all as strings (Decimal keeps its published digits):
    whatever else a caller's dict carries never reaches the public register."""
    cleaned = []
    for item in items:
        label = str(item.get("label", "")).strip()
        if not label:
            raise RegisterError("公开指标缺少名称（label）")
        value = item.get("value", "")
        if isinstance(value, float):
            value = Decimal(repr(value))
        cleaned.append(
            {
                "label": label,
                "level": str(item.get("level", "") or ""),
                "value": "" if value is None else str(value),
                "unit": str(item.get("unit", "") or ""),
            }
        )
    return cleaned


def _choice(value: str, choices: type[TitleKind] | type[TitleLevel], what: str) -> str:
    if value not in choices.values:
        raise RegisterError(f"未知的{what}：{value!r}")
    return value


@transaction.atomic
def record_title(
    *,
    source_key: str,
    kind: str,
    level: str,
    grade: str,
    year: int,
    announced_on: date,
    announcement_ref: str,
    authority: str,
    region_code: str,
    unit_name: str,
    credit_code: str,
    industry_code: str | None,
    product_name: str = "",
    product_model: str = "",
    product_category: str = "",
    standard: str = "",
    evaluation_body: str = "",
    highlights: str = "",
    published_indicators: Iterable[Mapping[str, Any]] = (),
    region_text: str = "",
    industry_text: str = "",
    batch: str = "",
) -> RegisterEntry:
    """Publish (or re-publish) one title granted on the platform; upsert by source_key.

    ``source_key`` is the caller's stable id, e.g. ``title:<uuid>``. Re-recording updates what is shown
    but never the status: a revoked title is not restored by replaying its grant."""
    kind = _choice(kind, TitleKind, "称号类型")
    level = _choice(level, TitleLevel, "称号级别")
    unit_name = unit_name.strip()
    if not unit_name:
        raise RegisterError("单位名称不能为空")
    region = Region.objects.filter(code=region_code).first()
    if region is None:
        raise RegisterError(f"未知的行政区划代码：{region_code!r}")
    province = Region.objects.filter(code=province_of(region.code)).first()
    industry = None
    if industry_code:
        industry = Industry.objects.filter(code=industry_code).first()
        if industry is None:
            raise RegisterError(f"未知的行业代码：{industry_code!r}")
    credit = normalize_uscc(credit_code) if credit_code else ""
    region_text = region_text or region.full_name()
    industry_text = industry_text or (industry.name if industry else "")

    text = search_text_for(
        unit_name,
        product_name,
        product_model,
        region_text,
        province.name if province else "",
        region.name,
        industry_text,
    )
    values: dict[str, Any] = {
        "source": EntrySource.PLATFORM,
        "kind": kind,
        "level": level,
        "grade": grade,
        "year": year,
        "batch": batch,
        "announced_on": announced_on,
        "announcement_ref": announcement_ref,
        "authority": authority,
        "province": province,
        "region": region,
        "region_text": region_text,
        "unit_key": unit_key_for(unit_name, credit),
        "unit_name": unit_name,
        "credit_code": credit,
        "industry": industry,
        "industry_text": industry_text,
        "product_name": product_name,
        "product_model": product_model,
        "product_category": product_category,
        "standard": standard,
        "evaluation_body": evaluation_body,
        "highlights": highlights,
        "published_indicators": _clean_indicators(published_indicators),
        "search_text": text,
        "search_tokens": tokens_for(text),
    }
    # the row is locked by update_or_create; what it counted in before is read under that lock too
    before = RegisterEntry.objects.select_for_update().filter(source_key=source_key).first()
    entry, _ = RegisterEntry.objects.update_or_create(
        source_key=source_key,
        defaults=values,
        create_defaults={**values, "public_id": public_id_for(source_key)},
    )
    old, new = (_tally_key(before) if before else None), _tally_key(entry)
    if old != new:
        _tally(old, -1)
        _tally(new, +1)
    if credit:
        # the unit's earlier titles, listed by name only, now belong to its credit-code page
        RegisterEntry.objects.filter(unit_key=name_key(unit_name), credit_code="").update(unit_key=credit)
    return entry


def record_platform_title(title: Title) -> RegisterEntry:
    """The register's entry for a title granted, regraded or revoked on the platform: plugged into
    `publication.ports.title_changed`, so it is written in the transaction that changes the title. A
    revoked title's entry is marked revoked with its day and reason (it leaves the active list)."""
    organisation = title.organisation
    announcement = title.announcement
    entry = record_title(
        source_key=f"title:{title.public_id}",
        kind=title.kind,
        level=title.level,
        grade=title.grade_label,
        year=announcement.published_on.year,
        announced_on=announcement.published_on,
        announcement_ref=announcement.number,
        authority=announcement.authority.name,
        region_code=organisation.region_id,
        unit_name=organisation.name,
        credit_code=organisation.credit_code or "",
        industry_code=organisation.industry_id or "",
        published_indicators=title.published_indicators,
    )
    if title.status == Title.Status.REVOKED and title.revoked_on is not None:
        entry = revoke(entry.source_key, title.revoked_reason, revoked_on=title.revoked_on)
    return entry


@transaction.atomic
def revoke(source_key: str, reason: str, *, revoked_on: date | None = None) -> RegisterEntry:
    """Mark a published title as revoked (撤销). The entry stays public, shown as revoked, with the
    reason. Revoking an already revoked title changes nothing. Raises RegisterEntry.DoesNotExist."""
    reason = reason.strip()
    if not reason:
        raise RegisterError("撤销须说明理由")
    entry = RegisterEntry.objects.select_for_update().get(source_key=source_key)
    if entry.status == EntryStatus.REVOKED:
        return entry
    key = _tally_key(entry)
    entry.status = EntryStatus.REVOKED
    entry.revoked_on = revoked_on or timezone.localdate()
    entry.revoked_reason = reason[:300]
    entry.save(update_fields=["status", "revoked_on", "revoked_reason", "updated_at"])
    _tally(key, -1)
    return entry


def record_declaration(
    title: Title, period: str, published_on: date, indicators: Iterable[Mapping[str, Any]]
) -> Declaration:
    """A platform title's self-declaration (自我声明) for `period`, as the register will show it from
    `published_on`: only what the supervising bureau chose to show (the caller's selection), cleaned as
    published indicators are. Recording the same period again replaces it (the bureau changed what is
    shown). Called by supervision inside its transaction."""
    entry = RegisterEntry.objects.get(source_key=f"title:{title.public_id}")
    cleaned = [{k: v for k, v in item.items() if k != "level"} for item in _clean_indicators(indicators)]
    found, _ = Declaration.objects.update_or_create(
        entry=entry, period=period, defaults={"published_on": published_on, "indicators": cleaned}
    )
    return found
