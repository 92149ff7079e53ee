"""Reads of calls: which are open to whom (region, applicant kind, dates, confirmed registration and the
call's eligibility rules), and which calls a bureau manages."""

from __future__ import annotations

from datetime import date

from django.db.models import Count, QuerySet
from django.utils.translation import gettext

from greencore import (
    ApplicantRecord,
    Applying,
    Eligibility,
    EligibilityError,
    check_eligibility,
    region_prefix,
    region_within,
    shipped,
    steps,
)
from greenmfg.orgs.models import AuthorityLevel, Organisation, OrgKind, OrgStatus
from greenmfg.orgs.selectors import Actor, in_jurisdiction
from greenmfg.reference.models import Region
from greenmfg.schemes.selectors import adopted_keys, get_scheme

from .models import Call, CallCalendar, KeyListEntry, TitleKind, TitleLevel
from .ports import applicant_records

APPLICANT_KINDS = {
    TitleKind.FACTORY: OrgKind.ENTERPRISE,
    TitleKind.SUPPLY_CHAIN: OrgKind.ENTERPRISE,
    TitleKind.PRODUCT: OrgKind.ENTERPRISE,
    TitleKind.PARK: OrgKind.PARK,
}


def applicant_record(organisation: Organisation, title_kind: str) -> ApplicantRecord:
    """Everything the contexts above know of `organisation` for titles of `title_kind`."""
    record = ApplicantRecord()
    for part in applicant_records:
        record = record.merged(part(organisation, title_kind))
    return record


def eligibility_of(call: Call) -> Eligibility:
    """The call's eligibility rules, read by greencore (stored ones were checked when the call was saved)."""
    return Eligibility.parse(call.eligibility or {}, call_level=call.level, schemes=get_scheme)


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
    if not nationwide and not region_within(call.region_id, organisation.region_id, call.region.level):
        return ("本单位不在该批次的申报地区内。", "the organisation is outside the call's region")
    try:
        rules = eligibility_of(call)
    except EligibilityError as error:
        return (
            f"该批次的申报条件有误（{error.place}）：{error.zh}",
            f"the call's eligibility is wrong: {error.en}",
        )
    # always asked, whatever the call's rules: a title revoked at this level bars the unit for three years,
    # and a missing annual filing bars a higher tier where its level says so
    record = applicant_record(organisation, call.title_kind)
    unconditional = record.revocations or record.unfiled
    if rules.requires_title is None and not rules.negative_list and not unconditional:
        return None
    applying = Applying.to(
        call.level, call.title_kind, get_scheme(f"{call.scheme_id}@{call.scheme_version}"), get_scheme
    )
    return check_eligibility(rules, applying, record, today)


def open_calls_for(actor: Actor, today: date) -> list[Call]:
    calls = Call.objects.select_related("region").filter(opens_on__lte=today, closes_on__gte=today)
    return [c for c in calls if call_open_to(c, actor.organisation, today) is None]


def calls_visible_to(actor: Actor) -> QuerySet[Call]:
    if actor.is_reviewer:
        return Call.objects.filter(in_jurisdiction(actor.organisation)).select_related("region", "authority")
    return Call.objects.none()


# the level of the calls a bureau issues: its own (a district runs no calls of its own)
# keyed by the stored value (a str): an organisation's level column is read as a str
CALL_LEVEL_OF: dict[str, TitleLevel] = {
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
    # and every adopted local scheme (greenmfg.schemes): a call pins the version it uses
    for key in adopted_keys():
        scheme = get_scheme(key)
        grouped.setdefault(scheme.subject.value, []).append((key, f"{scheme.title.zh}（{key}）"))
    return [(str(TitleKind(kind).label), items) for kind, items in grouped.items() if items]


def graded_scheme_choices() -> list[tuple[str, str]]:
    """The schemes with grades a call may require a title of (``requires_title.scheme``), by id: the
    shipped ones and every adopted local one, each under its latest version's title."""
    found: dict[str, str] = {}
    for scheme in [*shipped().all(), *(get_scheme(key) for key in adopted_keys())]:
        if scheme.outcome.grades:
            grades = "、".join(band.id for band in reversed(scheme.outcome.grades))
            found[scheme.id] = f"{scheme.title.zh}（{scheme.id}：{grades}）"
    return sorted(found.items())


def call_region_choices(actor: Actor) -> list[tuple[str, str]]:
    """Where a bureau may open a call: its own region, or one of the divisions directly inside it."""
    own = actor.organisation.region
    if actor.organisation.level == AuthorityLevel.MINISTRY:
        return [(own.code, gettext("全国（国家级批次面向全国）"))]
    inside = Region.objects.filter(parent=own).exclude(name__in=("市辖区", "县")).order_by("code")
    return [(own.code, own.full_name()), *((r.code, r.full_name()) for r in inside)]


# --- calendars (issue 12) ---------------------------------------------------------------------------


def calendar_of(call: Call) -> CallCalendar | None:
    return CallCalendar.objects.filter(call=call).first()


def calendar_dates(calendar: CallCalendar | None) -> list[date | None]:
    """The stored step dates as dates, by step index."""
    if calendar is None:
        return []
    return [date.fromisoformat(day) if day else None for day in calendar.step_dates]


def step_date(call: Call, index: int) -> date | None:
    """The calendar's date for step `index` of the call, or None (no calendar, or no date)."""
    dates = calendar_dates(calendar_of(call))
    return dates[index] if 0 <= index < len(dates) else None


def bureaus_at_level(call: Call, level: str) -> QuerySet[Organisation]:
    """The bureaus of `level` that take part in the call: inside its issuer's jurisdiction and its region
    (for a nationwide call, all of them)."""
    found = Organisation.objects.filter(
        in_jurisdiction(call.authority), kind=OrgKind.AUTHORITY, level=level, status=OrgStatus.ACTIVE
    )
    if call.level != TitleLevel.NATIONAL and call.region_id != "000000":
        found = found.filter(region__code__startswith=region_prefix(call.region_id))
    return found.order_by("region_id", "pk")


def key_list_bureaus(call: Call) -> QuerySet[Organisation]:
    """Who reports the key-enterprise list (对标摸底名单): the bureaus of the chain's first step (Guangdong:
    each city reports its enterprises and parks to the province)."""
    first = steps(call.review_chain)[0].level
    return bureaus_at_level(call, first)


def key_list_of(call: Call) -> QuerySet[KeyListEntry]:
    return KeyListEntry.objects.filter(call=call).select_related("bureau", "unit", "unit__region")


def key_list_calls_for(actor: Actor | None) -> QuerySet[Call]:
    """The calls whose key-enterprise list this bureau reports (see key_list_bureaus), with a calendar
    that asks for one."""
    if actor is None or not actor.is_reviewer:
        return Call.objects.none()
    candidates = Call.objects.filter(calendar__key_list_due__isnull=False).select_related(
        "authority", "region", "calendar"
    )
    ids = [call.pk for call in candidates if key_list_bureaus(call).filter(pk=actor.organisation.pk).exists()]
    return Call.objects.filter(pk__in=ids).select_related("authority", "region", "calendar")
