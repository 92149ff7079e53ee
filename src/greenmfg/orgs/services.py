"""Writes to organisations and memberships: registration by a bureau or by the enterprise itself, and the
district bureau's confirmation."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from greenmfg.audit import services as audit
from greenmfg.reference.models import Region

from .models import AuthorityLevel, Membership, Organisation, OrgKind, OrgStatus, Role
from .selectors import Actor, covers
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
    industry: Any,
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
    if created_by is not None and not (
        created_by.is_reviewer and covers(created_by.organisation, region.code)
    ):
        raise PermissionDenied
    code = _checked_code(credit_code)
    User = get_user_model()
    if User.objects.filter(username=username).exists():
        raise RegistrationError({"username": "该用户名已被使用。"})
    from django.contrib.auth.password_validation import validate_password

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
        district = actor.is_reviewer and actor.organisation.level == AuthorityLevel.DISTRICT
        if not (district and covers(actor.organisation, organisation.region_id)):
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
