"""Writes to accounts: password changes (with history) and second-factor enrolment, each audited."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from greenmfg.audit import services as audit

from .models import PasswordHistory, User


def _org(user: User) -> int | None:
    membership = getattr(user, "membership", None)
    return membership.organisation_id if membership is not None else None


def _role(user: User) -> str:
    membership = getattr(user, "membership", None)
    return membership.role if membership is not None else ""


def change_password(user: User, new_password: str) -> None:
    validate_password(new_password, user)
    with transaction.atomic():
        if user.password:
            PasswordHistory.objects.create(user=user, password=user.password)
        user.set_password(new_password)
        user.password_changed_at = timezone.now()
        user.must_change_password = False
        user.save(update_fields=["password", "password_changed_at", "must_change_password"])
        audit.record(
            "authn.password_changed", actor=user, role=_role(user), organisation_id=_org(user), obj=user
        )


def start_totp(user: User) -> TOTPDevice:
    """An unconfirmed TOTP device for the user to scan; replaces earlier unconfirmed ones."""
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name="身份验证器", confirmed=False)


def confirm_totp(user: User, device: TOTPDevice, token: str) -> bool:
    if not device.verify_token(token):
        audit.record(
            "authn.mfa_enrol_failed",
            actor=user,
            role=_role(user),
            organisation_id=_org(user),
            obj=user,
            success=False,
        )
        return False
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user, confirmed=True).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        audit.record("authn.mfa_enrolled", actor=user, role=_role(user), organisation_id=_org(user), obj=user)
    return True


def record_login(
    user: User | None, success: bool, username: str = "", detail: dict[str, Any] | None = None
) -> None:
    # a failed login names no account: the name typed may belong to someone else or to nobody
    actor = user if success else None
    audit.record(
        "authn.login_succeeded" if success else "authn.login_failed",
        actor=actor,
        role=_role(actor) if actor is not None else "",
        organisation_id=_org(actor) if actor is not None else None,
        object_type="accounts.user",
        object_id=str(actor.pk) if actor is not None else "",
        success=success,
        # the name typed, never the password; control characters cannot break the record (JSON)
        detail={"username": username[:150], **(detail or {})},
    )
