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

from greencore import (
    ChainError,
    Eligibility,
    EligibilityError,
    ForwardingRule,
    RuleError,
    Scheme,
    steps,
)
from greenmfg.audit import services as audit
from greenmfg.orgs.predicates import reviewer_for
from greenmfg.orgs.selectors import Actor, covers
from greenmfg.reference.models import Region
from greenmfg.schemes.selectors import get_scheme

from .models import Call, TitleKind, TitleLevel
from .selectors import CALL_LEVEL_OF, issues_calls

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
        return Eligibility.parse(rules, call_level=level, scheme=scheme).to_json()
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
