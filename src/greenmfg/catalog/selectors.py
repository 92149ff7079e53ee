"""Reads of calls: which are open to whom."""

from __future__ import annotations

from datetime import date

from django.db.models import QuerySet

from greenmfg.orgs.models import Organisation, OrgKind, OrgStatus
from greenmfg.orgs.selectors import Actor, in_jurisdiction

from .models import Call, TitleKind

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
    if call.region_id not in ("000000",) and not organisation.region_id.startswith(_prefix(call)):
        return ("本单位不在该批次的申报地区内。", "the organisation is outside the call's region")
    return None


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
