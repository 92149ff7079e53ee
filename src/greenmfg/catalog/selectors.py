"""Reads of calls: which are open to whom (region, applicant kind, dates, confirmed registration and the
call's eligibility rules), and which calls a bureau manages."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import Count, QuerySet

from greencore.standards.registry import get_scheme, shipped
from greencore.workflow.chain import negative_list
from greenmfg.orgs.models import AuthorityLevel, Organisation, OrgKind, OrgStatus
from greenmfg.orgs.selectors import Actor, in_jurisdiction
from greenmfg.publication.models import HistoricalTitle, Title
from greenmfg.reference.models import Region
from greenmfg.reviews.models import CreditCheck

from .models import Call, TitleKind, TitleLevel

APPLICANT_KINDS = {
    TitleKind.FACTORY: OrgKind.ENTERPRISE,
    TitleKind.SUPPLY_CHAIN: OrgKind.ENTERPRISE,
    TitleKind.PRODUCT: OrgKind.ENTERPRISE,
    TitleKind.PARK: OrgKind.PARK,
}


def call_open_to(call: Call, organisation: Organisation, today: date) -> tuple[str, str] | None:
    """None when `organisation` may apply to `call` today, else the reason (Chinese, English)."""
    if organisation.status != OrgStatus.ACTIVE:
        return ("本单位注册尚未经区县主管部门确认。", "the organisation is not confirmed yet")
    if today < call.opens_on:
        return (f"该批次 {call.opens_on:%Y年%m月%d日} 开始申报。", f"the call opens on {call.opens_on}")
    if today > call.closes_on:
        return (f"该批次已于 {call.closes_on:%Y年%m月%d日} 截止。", f"the call closed on {call.closes_on}")
    if APPLICANT_KINDS[TitleKind(call.title_kind)] != organisation.kind:
        return (
            f"{call.get_title_kind_display()}批次不接受{organisation.get_kind_display()}申报。",
            "wrong applicant kind",
        )
    nationwide = call.region_id == "000000" or call.level == TitleLevel.NATIONAL
    if not nationwide and not organisation.region_id.startswith(_prefix(call)):
        return ("本单位不在该批次的申报地区内。", "the organisation is outside the call's region")
    rules = call.eligibility or {}
    if rules.get("requires_title"):
        refusal = _missing_title(call, organisation, rules["requires_title"])
        if refusal is not None:
            return refusal
    if rules.get("negative_list"):
        return _negative_list_refusal(organisation, today)
    return None


# the levels of the ladder, lowest first; a national title also puts its holder on the provincial list
# (工信部节〔2024〕13号: national applicants come from the provincial list; 粤工信规字〔2024〕4号 第十七条)
LADDER = (TitleLevel.CITY, TitleLevel.PROVINCE, TitleLevel.NATIONAL)
NEGATIVE_LIST_YEARS = 3  # 13号文 第十五条: 近三年


def _levels_meeting(level: str) -> list[str]:
    return [TitleLevel.PROVINCE, TitleLevel.NATIONAL] if level == TitleLevel.PROVINCE else [level]


def grade_order(call: Call) -> list[str]:
    """The grade ids of the call's scheme, best first (the order the scheme lists its bands in)."""
    scheme = get_scheme(f"{call.scheme_id}@{call.scheme_version}")
    return [band.id for band in scheme.outcome.grades]


def _missing_title(call: Call, organisation: Organisation, spec: dict[str, Any]) -> tuple[str, str] | None:
    """The lower-tier title a call requires (eligibility["requires_title"]): an active title granted on the
    platform of the same kind at that level, at least of the given grade; for a provincial (or national)
    requirement a unit on the national lists (batches 1–6) under its exact name also qualifies."""
    level = str(spec.get("level", ""))
    grade = str(spec.get("grade_at_least") or "")
    kind_label = TitleKind(call.title_kind).label
    level_label = TitleLevel(level).label if level in TitleLevel.values else level
    asked = f"申报{call.get_level_display()}"
    held = list(
        Title.objects.filter(
            organisation=organisation,
            kind=call.title_kind,
            level__in=_levels_meeting(level),
            status=Title.Status.ACTIVE,
        ).values_list("grade", flat=True)
    )
    if not grade:
        if held:
            return None
        if (
            level in (TitleLevel.PROVINCE, TitleLevel.NATIONAL)
            and HistoricalTitle.objects.filter(
                kind=call.title_kind, unit_name=organisation.name.strip()
            ).exists()
        ):
            return None
        return (
            f"{asked}须已列入{level_label}{kind_label}名单（未找到本单位的{level_label}称号）",
            f"a {call.level} application needs a {level} {call.title_kind} title (none found)",
        )
    order = grade_order(call)
    if grade in order and any(g in order and order.index(g) <= order.index(grade) for g in held):
        return None
    if not held:
        found_zh, found_en = f"未找到本单位的{level_label}称号", "none found"
    else:
        shown = "、".join(g or "无等级" for g in held)
        found_zh, found_en = f"本单位的{level_label}称号等级为{shown}", f"held: {', '.join(held)}"
    return (
        f"{asked}须已获得{level_label}{kind_label}称号且等级不低于{grade}（{found_zh}）",
        f"a {call.level} application needs a {level} {call.title_kind} title of grade {grade} or better "
        f"({found_en})",
    )


def negative_list_hit(organisation: Organisation, today: date) -> CreditCheck | None:
    """The latest credit check of the last three years that found this organisation on the negative list
    (工信部节〔2024〕13号 第十五条), or None."""
    return (
        CreditCheck.objects.filter(
            application__applicant=organisation,
            outcome=CreditCheck.Outcome.HIT,
            checked_on__gte=_years_before(today, NEGATIVE_LIST_YEARS),
            checked_on__lte=today,
        )
        .order_by("-checked_on", "-pk")
        .first()
    )


def _negative_list_refusal(organisation: Organisation, today: date) -> tuple[str, str] | None:
    hit = negative_list_hit(organisation, today)
    if hit is None:
        return None
    items = {item.id: item.zh for item in negative_list()}
    item = items.get(hit.negative_item, hit.negative_item or "负面清单事项")
    return (
        f"本单位近三年有负面清单记录：{item}（{hit.get_source_display()}，{hit.checked_on:%Y年%m月%d日}核查），"
        "不能申报。",
        f"a negative-list hit within three years ({hit.negative_item or 'unspecified'}, {hit.checked_on})",
    )


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _prefix(call: Call) -> str:
    region = call.region
    if region.level == "province":
        return region.code[:2]
    if region.level == "city":
        return region.code[:4]
    return region.code


def open_calls_for(actor: Actor, today: date) -> list[Call]:
    calls = Call.objects.select_related("region").filter(opens_on__lte=today, closes_on__gte=today)
    return [c for c in calls if call_open_to(c, actor.organisation, today) is None]


def calls_visible_to(actor: Actor) -> QuerySet[Call]:
    if actor.is_reviewer:
        return Call.objects.filter(in_jurisdiction(actor.organisation)).select_related("region", "authority")
    return Call.objects.none()


# the level of the calls a bureau issues: its own (a district runs no calls of its own)
CALL_LEVEL_OF = {
    AuthorityLevel.CITY: TitleLevel.CITY,
    AuthorityLevel.PROVINCE: TitleLevel.PROVINCE,
    AuthorityLevel.MINISTRY: TitleLevel.NATIONAL,
}


def issues_calls(actor: Actor | None) -> bool:
    """A city, provincial or ministry bureau: the ones that issue calls (申报批次)."""
    return actor is not None and actor.is_reviewer and actor.organisation.level in CALL_LEVEL_OF


def calls_managed_by(actor: Actor | None) -> QuerySet[Call]:
    """The calls this bureau issued (and may edit)."""
    if not issues_calls(actor):
        return Call.objects.none()
    assert actor is not None
    return (
        Call.objects.filter(authority=actor.organisation)
        .select_related("region", "authority")
        .annotate(applied=Count("applications"))
    )


def scheme_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """greencore's shipped schemes by the title kind they evaluate: (kind label, [(id@version, label)])."""
    grouped: dict[str, list[tuple[str, str]]] = {kind: [] for kind in TitleKind.values}
    for scheme in shipped().all():
        grouped.setdefault(scheme.subject.value, []).append(
            (scheme.key, f"{scheme.title.zh}（{scheme.key}）")
        )
    return [(str(TitleKind(kind).label), items) for kind, items in grouped.items() if items]


def call_region_choices(actor: Actor) -> list[tuple[str, str]]:
    """Where a bureau may open a call: its own region, or one of the divisions directly inside it."""
    own = actor.organisation.region
    if actor.organisation.level == AuthorityLevel.MINISTRY:
        return [(own.code, "全国（国家级批次面向全国）")]
    inside = Region.objects.filter(parent=own).exclude(name__in=("市辖区", "县")).order_by("code")
    return [(own.code, own.full_name()), *((r.code, r.full_name()) for r in inside)]
