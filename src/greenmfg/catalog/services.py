"""Writes to calls (申报批次): a city, provincial or ministry bureau creates and edits the calls of its own
region, at its own level. Each write checks every field (greencore validates the scheme, the review chain
and its forwarding rules), then writes the call and its audit event in one transaction; an edit locks the
call row first.

A refusal is a `CallError` mapping each refused field to its Chinese message, shown next to the field."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from greencore import (
    ChainError,
    Eligibility,
    EligibilityError,
    ForwardingRule,
    RuleError,
    Scheme,
    check_calendar,
    key_list_refusal,
    steps,
)
from greenmfg.audit import services as audit
from greenmfg.notifications import services as notifications
from greenmfg.orgs.models import Organisation, Role
from greenmfg.orgs.predicates import reviewer_for
from greenmfg.orgs.selectors import Actor, covers
from greenmfg.reference.models import Region
from greenmfg.schemes.selectors import get_scheme

from .models import Call, CallCalendar, KeyListEntry, TitleKind, TitleLevel
from .ports import recommended, step_date_moved
from .selectors import (
    APPLICANT_KINDS,
    CALL_LEVEL_OF,
    bureaus_at_level,
    calendar_dates,
    issues_calls,
    key_list_bureaus,
    key_list_of,
)

CODE = re.compile(r"^[a-z0-9][a-z0-9-]{1,63}$")
# the step of the chain that publicises and publishes: the issuing bureau's own level
LAST_STEP: dict[str, str] = {
    TitleLevel.CITY: "city",
    TitleLevel.PROVINCE: "province",
    TitleLevel.NATIONAL: "ministry",
}
STEP_LABEL = {"district": "区县", "city": "市级", "province": "省级", "ministry": "部级"}
MARGIN_MAX = Decimal("999.99")
# fields an edit may not change once the call has applications (what was applied for)
FIXED_ONCE_APPLIED = ("scheme", "title_kind", "level")


class CallError(ValidationError):
    """Refused input: {field: Chinese message}."""


def _scheme(key: str, title_kind: str, errors: dict[str, str]) -> Scheme | None:
    if "@" not in key:
        errors["scheme"] = "请选择具体版本的评价方案（如 factory-gbt36132-2025@2025.1）。"
        return None
    try:  # shipped, or a bureau's adopted local scheme (a draft is not offered)
        scheme = get_scheme(key)
    except KeyError:
        errors["scheme"] = f"没有评价方案 {key}。"
        return None
    if title_kind in TitleKind.values and scheme.subject.value != title_kind:
        errors["scheme"] = (
            f"评价方案「{scheme.title.zh}」适用于{TitleKind(scheme.subject.value).label}，"
            f"与称号类型「{TitleKind(title_kind).label}」不符。"
        )
        return None
    return scheme


def _chain(chain: Any, level: str, errors: dict[str, str]) -> None:
    """greencore's checks of the chain and of each forwarding rule; then the last step must be the issuing
    bureau's own level, since that step publicises and publishes the list."""
    if not isinstance(chain, list):
        errors["review_chain"] = "审核流程须为步骤列表。"
        return
    try:
        specs = steps(chain)
    except ChainError as error:
        errors["review_chain"] = error.zh
        return
    for spec in specs:
        if spec.forward is not None:
            try:
                ForwardingRule.from_spec(spec.forward)
            except RuleError as error:
                errors["review_chain"] = f"审核流程第 {spec.index + 1} 步：{error.zh}"
                return
    last = specs[-1].level
    if level in LAST_STEP and last != LAST_STEP[level]:
        errors["review_chain"] = (
            f"审核流程最后一步须为{STEP_LABEL[LAST_STEP[level]]}审核（由发布批次的部门公示、公布），"
            f"现为{STEP_LABEL.get(last, last)}。"
        )


def _eligibility(
    rules: Any, level: str, scheme: Scheme | None, errors: dict[str, str]
) -> dict[str, Any] | None:
    """The rules as stored, read by greencore against the call's level and scheme; each refused key goes to
    `errors`."""
    try:
        return Eligibility.parse(rules, call_level=level, scheme=scheme, schemes=get_scheme).to_json()
    except EligibilityError as error:
        for problem in error.problems:
            errors.setdefault(problem.place, problem.zh)
        return None


def _checked(actor: Actor, fields: dict[str, Any], level: str, code: str | None = None) -> dict[str, Any]:
    """The call's fields as stored, or CallError naming every refused one."""
    errors: dict[str, str] = {}
    if code is not None and not CODE.match(code):
        errors["code"] = "批次代码为 2–64 位小写字母、数字或 -。"
    elif code is not None and Call.objects.filter(code=code).exists():
        errors["code"] = f"批次代码 {code} 已被使用。"
    name = str(fields.get("name") or "").strip()
    if not name:
        errors["name"] = "请填写批次名称。"
    elif len(name) > 128:
        errors["name"] = "批次名称不能超过 128 个字。"
    title_kind = str(fields.get("title_kind") or "")
    if title_kind not in TitleKind.values:
        errors["title_kind"] = "请选择称号类型。"
    region_code = str(fields.get("region_code") or "")
    region = Region.objects.filter(code=region_code).first()
    if region is None:
        errors["region_code"] = f"没有行政区划代码 {region_code}。"
    elif not covers(actor.organisation, region.code):
        errors["region_code"] = f"申报地区须在本部门辖区内（{region.full_name()}不在辖区内）。"
    scheme = _scheme(str(fields.get("scheme") or ""), title_kind, errors)
    opens_on, closes_on = fields.get("opens_on"), fields.get("closes_on")
    if not isinstance(opens_on, date):
        errors["opens_on"] = "请填写开始申报日期。"
    if not isinstance(closes_on, date):
        errors["closes_on"] = "请填写截止日期。"
    elif isinstance(opens_on, date) and closes_on < opens_on:
        errors["closes_on"] = f"截止日期不能早于开始日期（{opens_on:%Y年%m月%d日}）。"
    chain = fields.get("review_chain")
    _chain(chain, level, errors)
    try:
        margin = Decimal(str(fields.get("score_margin", "2")))
    except InvalidOperation:
        margin = Decimal(-1)
    if not margin.is_finite() or margin < 0 or margin > MARGIN_MAX or margin != round(margin, 2):
        errors["score_margin"] = "分差提示阈值须为 0 至 999.99 之间、最多两位小数的分值。"
    eligibility = _eligibility(fields.get("eligibility"), level, scheme, errors)
    notice = str(fields.get("notice") or "")
    if len(notice) > 10000:
        errors["notice"] = "申报通知不能超过 10000 字。"
    if errors:
        raise CallError(errors)
    assert scheme is not None and region is not None
    return {
        "name": name,
        "title_kind": title_kind,
        "level": level,
        "region": region,
        "scheme_id": scheme.id,
        "scheme_version": scheme.version,
        "opens_on": opens_on,
        "closes_on": closes_on,
        "review_chain": chain,
        "requires_third_party": bool(fields.get("requires_third_party")),
        "score_margin": margin,
        "eligibility": eligibility,
        "notice": notice,
    }


def _issuer_level(actor: Actor) -> str:
    if not issues_calls(actor):
        raise PermissionDenied  # districts, other roles: no calls of their own
    return CALL_LEVEL_OF[actor.organisation.level]


def _snapshot(call: Call) -> dict[str, Any]:
    return {
        "name": call.name,
        "title_kind": call.title_kind,
        "level": call.level,
        "region": call.region_id,
        "scheme": f"{call.scheme_id}@{call.scheme_version}",
        "opens_on": str(call.opens_on),
        "closes_on": str(call.closes_on),
        "review_chain": call.review_chain,
        "requires_third_party": call.requires_third_party,
        "score_margin": str(call.score_margin),
        "eligibility": call.eligibility,
        "notice": call.notice,
    }


def create_call(actor: Actor, *, code: str, **fields: Any) -> Call:
    """A new call of the bureau, at its own level, in its own region. `fields`: name, title_kind,
    region_code, scheme (id@version), opens_on, closes_on, review_chain, requires_third_party,
    score_margin, eligibility, notice."""
    level = _issuer_level(actor)
    code = str(code or "").strip()
    values = _checked(actor, fields, level, code)
    try:
        with transaction.atomic():
            call = Call.objects.create(code=code, authority=actor.organisation, **values)
            audit.record(
                "call.created",
                actor=actor.user,
                role=actor.role,
                organisation_id=actor.organisation.pk,
                obj=call,
                object_id=call.code,
                detail=_snapshot(call),
            )
    except IntegrityError:  # the same code taken by a concurrent create
        raise CallError({"code": f"批次代码 {code} 已被使用。"}) from None
    return call


def update_call(actor: Actor, call: Call, **fields: Any) -> Call:
    """The bureau edits its own call (the code stays). Once the call has applications, its scheme, title
    kind and level — what was applied for — stay as they are."""
    level = _issuer_level(actor)
    with transaction.atomic():
        locked = Call.objects.select_for_update().get(pk=call.pk)
        if not reviewer_for(actor, locked.authority_id):
            raise PermissionDenied
        values = _checked(actor, fields, level)
        before = _snapshot(locked)
        applied = locked.applications.count()
        if applied:
            proposed = {
                "scheme": f"{values['scheme_id']}@{values['scheme_version']}",
                "title_kind": values["title_kind"],
                "level": values["level"],
            }
            changed = [key for key in FIXED_ONCE_APPLIED if proposed[key] != before[key]]
            if changed:
                message = f"该批次已有 {applied} 份申报，不能再修改评价方案、称号类型或层级。"
                raise CallError(dict.fromkeys(changed, message))
        for key, value in values.items():
            setattr(locked, key, value)
        locked.save()
        after = _snapshot(locked)
        changes = {key: [before[key], after[key]] for key in after if before[key] != after[key]}
        audit.record(
            "call.updated",
            actor=actor.user,
            role=actor.role,
            organisation_id=actor.organisation.pk,
            obj=locked,
            object_id=locked.code,
            detail={"changes": changes},
        )
    return locked


# --- the call's calendar (issue 12) -----------------------------------------------------------------


def _step_key(call: Call, index: int) -> str:
    return f"call:{call.code}:step:{index}"


def _key_list_key(call: Call, bureau_id: int) -> str:
    return f"call:{call.code}:key_list:{bureau_id}"


def _reviewers(bureaus: Any) -> list[Any]:
    return [user for bureau in bureaus for user in notifications.members(bureau.pk, [Role.REVIEWER.value])]


def _schedule(call: Call, dates: list[date | None], key_list_due: date | None) -> None:
    """The reminders of the calendar's dates (7 days and 1 day before, the day after): each step's date to
    the reviewers of the bureaus of its level, the key-enterprise list's to the bureaus that report it. A
    moved date moves its reminders; a cleared one cancels those not yet sent."""
    link = reverse("catalog:calendar", kwargs={"code": call.code})
    for spec in steps(call.review_chain):
        day = dates[spec.index] if spec.index < len(dates) else None
        notifications.schedule_deadline(
            _step_key(call, spec.index),
            _reviewers(bureaus_at_level(call, spec.level)) if day else [],
            day,
            f"{spec.name}完成期限：{call.name}",
            link,
        )
    reported = set(key_list_of(call).values_list("bureau_id", flat=True))
    for bureau in key_list_bureaus(call):
        notifications.schedule_deadline(
            _key_list_key(call, bureau.pk),
            _reviewers([bureau]) if key_list_due and bureau.pk not in reported else [],
            key_list_due if bureau.pk not in reported else None,
            f"对标摸底名单报送期限：{call.name}",
            reverse("catalog:key_list", kwargs={"code": call.code}),
        )


def set_calendar(
    actor: Actor, call: Call, *, step_dates: list[date | None], key_list_due: date | None, quota: int | None
) -> CallCalendar:
    """The issuing bureau sets or moves its call's calendar. greencore checks it (every step dated or
    none, in order, after the call closes; the key list before the first step; the quota needs a province
    step); a refusal changes nothing. On success the reminders move with the dates, and the applications
    waiting at a step whose date moved take the new due date (port `step_date_moved`)."""
    _issuer_level(actor)
    with transaction.atomic():
        locked = Call.objects.select_for_update().get(pk=call.pk)
        if not reviewer_for(actor, locked.authority_id):
            raise PermissionDenied
        chain = steps(locked.review_chain)
        already = max((count(locked) for count in recommended), default=0)
        problems = check_calendar(
            [spec.level for spec in chain], locked.closes_on, step_dates, key_list_due, quota, already
        )
        if problems:
            errors: dict[str, str] = {}
            for problem in problems:
                errors.setdefault(problem.place, problem.zh)
            raise CallError(errors)
        calendar = CallCalendar.objects.filter(call=locked).first() or CallCalendar(call=locked)
        before = {
            "step_dates": list(calendar.step_dates),
            "key_list_due": str(calendar.key_list_due or ""),
            "quota": calendar.quota,
        }
        old_dates = calendar_dates(calendar) if calendar.pk else []
        dates = [step_dates[i] if i < len(step_dates) else None for i in range(len(chain))]
        calendar.step_dates = [day.isoformat() if day else None for day in dates]
        calendar.key_list_due, calendar.quota = key_list_due, quota
        calendar.save()
        after = {
            "step_dates": list(calendar.step_dates),
            "key_list_due": str(key_list_due or ""),
            "quota": quota,
        }
        moved = 0
        for index, day in enumerate(dates):
            old = old_dates[index] if index < len(old_dates) else None
            if day != old:
                moved += sum(function(locked, index, day) for function in step_date_moved)
        audit.record(
            "call.calendar_set",
            actor=actor.user,
            role=actor.role,
            organisation_id=actor.organisation.pk,
            obj=locked,
            object_id=locked.code,
            detail={"before": before, "after": after, "applications_moved": moved},
        )
        _schedule(locked, dates, key_list_due)
    return calendar


def record_key_list(actor: Actor, call: Call, credit_codes: list[str]) -> list[KeyListEntry]:
    """A bureau that reports the call's key-enterprise list (对标摸底名单) adds units to it by their
    统一社会信用代码, up to the calendar's date: enterprises or parks in its own jurisdiction, each once.
    Every code is checked first; one refused code adds none."""
    codes = [code.strip().upper() for code in credit_codes if code.strip()]
    if not codes:
        raise CallError({"units": "请填写至少一个统一社会信用代码。"})
    with transaction.atomic():
        locked = Call.objects.select_for_update().get(pk=call.pk)
        if actor is None or not key_list_bureaus(locked).filter(pk=actor.organisation.pk).exists():
            raise PermissionDenied
        calendar = CallCalendar.objects.filter(call=locked).first()
        refusal = key_list_refusal(calendar.key_list_due if calendar else None, timezone.localdate())
        if refusal is not None:
            raise CallError({"units": refusal[0]})
        applicant_kind = APPLICANT_KINDS[TitleKind(locked.title_kind)]
        units: list[Organisation] = []
        problems: list[str] = []
        for code in dict.fromkeys(codes):
            unit = Organisation.objects.filter(credit_code=code).first()
            if unit is None or not covers(actor.organisation, unit.region_id):
                problems.append(f"{code}：本辖区内没有该单位")
            elif unit.kind != applicant_kind:
                problems.append(f"{code}：{unit.name}不是{locked.get_title_kind_display()}批次的申报单位类型")
            elif KeyListEntry.objects.filter(call=locked, unit=unit).exists():
                problems.append(f"{code}：{unit.name}已在名单中")
            else:
                units.append(unit)
        if problems:
            raise CallError({"units": "；".join(problems) + "。未添加任何单位。"})
        entries = [
            KeyListEntry.objects.create(
                call=locked, bureau=actor.organisation, unit=unit, recorded_by=actor.user
            )
            for unit in units
        ]
        audit.record(
            "call.key_list_recorded",
            actor=actor.user,
            role=actor.role,
            organisation_id=actor.organisation.pk,
            obj=locked,
            object_id=locked.code,
            detail={"units": [unit.credit_code for unit in units]},
        )
        # the bureau has reported: its reminders of the list's date are no longer needed
        notifications.cancel_deadline(_key_list_key(locked, actor.organisation.pk))
    return entries
