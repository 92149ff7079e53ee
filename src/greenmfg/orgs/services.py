"""Writes to organisations and memberships: registration by a bureau or by the enterprise itself, and the
district bureau's confirmation."""

from __future__ import annotations

import secrets
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from greencore import province_of, same_province
from greenmfg.audit import services as audit
from greenmfg.reference.models import Industry, Region

from .models import Membership, Organisation, OrgKind, OrgStatus, Role, Site
from .predicates import acts_for, bureau_over, district_bureau_over, enterprise_applicant
from .selectors import Actor
from .uscc import InvalidUSCC, validate_uscc


class RegistrationError(ValidationError):
    pass


def _checked_code(code: str) -> str:
    try:
        normalised = validate_uscc(code)
    except InvalidUSCC as error:
        raise RegistrationError({"credit_code": error.zh}) from None
    if Organisation.objects.filter(credit_code=normalised).exists():
        raise RegistrationError(
            {"credit_code": "该统一社会信用代码已注册，请联系本单位管理员或所在区县主管部门。"}
        )
    return normalised


def register_applicant(
    *,
    kind: str,
    name: str,
    credit_code: str,
    region: Region,
    industry: Industry | None,
    username: str,
    password: str,
    display_name: str,
    created_by: Actor | None = None,
) -> Organisation:
    """An enterprise or park with its first user. Self-registered ones wait for the district's confirmation;
    ones a bureau creates in its own jurisdiction are active at once."""
    if kind not in (OrgKind.ENTERPRISE, OrgKind.PARK):
        raise RegistrationError({"kind": "只能注册企业或园区。"})
    if region.level != "county":
        raise RegistrationError({"region": "请选择所在区县。"})
    if created_by is not None and not bureau_over(created_by, region.code):
        raise PermissionDenied
    code = _checked_code(credit_code)
    User = get_user_model()
    if User.objects.filter(username=username).exists():
        raise RegistrationError({"username": "该用户名已被使用。"})
    user = User(username=username, display_name=display_name)
    validate_password(password, user)
    with transaction.atomic():
        status = OrgStatus.ACTIVE if created_by is not None else OrgStatus.PENDING
        organisation = Organisation.objects.create(
            kind=kind, name=name.strip(), credit_code=code, region=region, industry=industry, status=status
        )
        user.set_password(password)
        user.password_changed_at = timezone.now()
        user.must_change_password = created_by is not None  # a bureau-issued password is one-time
        user.save()
        Membership.objects.create(user=user, organisation=organisation, role=Role.APPLICANT)
        audit.record(
            "org.registered",
            actor=created_by.user if created_by else user,
            role=created_by.role if created_by else "",
            organisation_id=created_by.organisation.pk if created_by else organisation.pk,
            obj=organisation,
            to_state=status,
            detail={"self_registered": created_by is None, "credit_code": code},
        )
    return organisation


def decide_registration(
    actor: Actor, organisation_id: int, *, approve: bool, reason: str = ""
) -> Organisation:
    """The district bureau confirms (or refuses) a self-registered organisation in its district."""
    with transaction.atomic():
        organisation = Organisation.objects.select_for_update().get(pk=organisation_id)
        if not district_bureau_over(actor, organisation.region_id):
            raise PermissionDenied
        if organisation.status != OrgStatus.PENDING:
            raise RegistrationError({"status": "该单位已处理，无需重复操作。"})
        organisation.status = OrgStatus.ACTIVE if approve else OrgStatus.REJECTED
        organisation.save(update_fields=["status"])
        audit.record(
            "org.confirmed" if approve else "org.refused",
            actor=actor.user,
            role=actor.role,
            organisation_id=actor.organisation.pk,
            obj=organisation,
            from_state=OrgStatus.PENDING,
            to_state=organisation.status,
            detail={"reason": reason},
        )
    return organisation


# --- accounts a bureau opens, and an enterprise's sites ---------------------------------------------

ONE_TIME_ALPHABETS = ("abcdefghijkmnpqrstuvwxyz", "ABCDEFGHJKLMNPQRSTUVWXYZ", "23456789", "#%+=@-")
ONE_TIME_LENGTH = 16


def one_time_password() -> str:
    """A random first password with every character class (no look-alikes such as 0/O, 1/l/I)."""
    every = "".join(ONE_TIME_ALPHABETS)
    chars = [secrets.choice(alphabet) for alphabet in ONE_TIME_ALPHABETS]
    chars += [secrets.choice(every) for _ in range(ONE_TIME_LENGTH - len(chars))]
    secrets.SystemRandom().shuffle(chars)
    return "".join(chars)


def open_applicant_account(
    actor: Actor,
    *,
    kind: str,
    name: str,
    credit_code: str,
    region: Region,
    industry: Industry | None,
    username: str,
    display_name: str,
) -> tuple[Organisation, str]:
    """A bureau opens an enterprise or park account in its jurisdiction: active at once, with a one-time
    password returned to be shown once (only its hash is stored; it must be changed at the first login)."""
    if not actor.is_reviewer:
        raise PermissionDenied
    candidate = get_user_model()(username=username, display_name=display_name)
    for _ in range(5):  # a random password practically always passes; try again if a validator objects
        password = one_time_password()
        try:
            validate_password(password, candidate)
        except ValidationError:
            continue
        break
    organisation = register_applicant(
        kind=kind,
        name=name,
        credit_code=credit_code,
        region=region,
        industry=industry,
        username=username,
        password=password,
        display_name=display_name,
        created_by=actor,
    )
    return organisation, password


class SiteError(ValidationError):
    """Refused site input: {field: Chinese message}."""


def _manages_sites(actor: Actor) -> None:
    if not enterprise_applicant(actor):
        raise PermissionDenied


def _site_fields(organisation: Organisation, name: str, region_code: str, address: str) -> dict[str, Any]:
    """A site lies in a county-level division (GB/T 2260) of the enterprise's own province."""
    errors: dict[str, str] = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = "请填写厂区名称。"
    elif len(name) > 128:
        errors["name"] = "厂区名称不能超过 128 个字。"
    code = (region_code or "").strip()
    region = Region.objects.filter(code=code).first()
    province = Region.objects.filter(code=province_of(organisation.region_id)).first()
    province_name = province.name if province else organisation.region_id[:2]
    if region is None:
        errors["region"] = f"没有行政区划代码 {code or '（空）'}，请选择厂区所在区县。"
    elif region.level != "county":
        errors["region"] = (
            f"请选择区县级行政区划（{region.code} {region.full_name()}是{region.get_level_display()}）。"
        )
    elif not same_province(region.code, organisation.region_id):
        errors["region"] = (
            f"厂区须在本企业所在的{province_name}内（{region.full_name()}不在{province_name}）。"
        )
    address = (address or "").strip()
    if len(address) > 200:
        errors["address"] = "地址不能超过 200 个字。"
    if errors:
        raise SiteError(errors)
    return {"name": name, "region": region, "address": address}


def _site_event(actor: Actor, action: str, site: Site, detail: dict[str, Any]) -> None:
    audit.record(
        f"org.site_{action}",
        actor=actor.user,
        role=actor.role,
        organisation_id=actor.organisation.pk,
        obj=site,
        detail=detail,
    )


def add_site(actor: Actor, *, name: str, region_code: str, address: str = "") -> Site:
    """A new production site (厂区) of the actor's enterprise."""
    _manages_sites(actor)
    with transaction.atomic():
        organisation = Organisation.objects.select_for_update().get(pk=actor.organisation.pk)
        values = _site_fields(organisation, name, region_code, address)
        if organisation.sites.filter(name=values["name"]).exists():
            raise SiteError({"name": f"本企业已有名为“{values['name']}”的厂区。"})
        site = Site.objects.create(organisation=organisation, **values)
        _site_event(
            actor, "added", site, {"name": site.name, "region": site.region_id, "address": site.address}
        )
    return site


def change_site(actor: Actor, site_id: int, *, name: str, region_code: str, address: str = "") -> Site:
    """The enterprise edits one of its own sites."""
    _manages_sites(actor)
    with transaction.atomic():
        site = Site.objects.select_for_update().select_related("organisation").get(pk=site_id)
        if not acts_for(actor, site.organisation_id):
            raise PermissionDenied
        values = _site_fields(site.organisation, name, region_code, address)
        if site.organisation.sites.filter(name=values["name"]).exclude(pk=site.pk).exists():
            raise SiteError({"name": f"本企业已有名为“{values['name']}”的厂区。"})
        before = {"name": site.name, "region": site.region_id, "address": site.address}
        for key, value in values.items():
            setattr(site, key, value)
        site.save()
        after = {"name": site.name, "region": site.region_id, "address": site.address}
        changes = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
        _site_event(actor, "changed", site, changes)
    return site


def rename_after_accepted_change(actor: Actor, organisation: Organisation, name: str, *, change: str) -> None:
    """A bureau accepted the unit's declared change of name (or merger into a named unit): the
    organisation takes the new name; the old one stays in the change's record and in this event.
    Called by supervision inside its transaction, with the change's public id."""
    name = name.strip()
    if not name:
        raise PermissionDenied
    locked = Organisation.objects.select_for_update().get(pk=organisation.pk)
    before = locked.name
    locked.name = name
    locked.save(update_fields=["name"])
    audit.record(
        "org.renamed",
        actor=actor.user,
        role=actor.role,
        organisation_id=actor.organisation.pk,
        obj=locked,
        detail={"before": before, "after": name, "change": change},
    )
