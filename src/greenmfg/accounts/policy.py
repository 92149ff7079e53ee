"""The security policy in force (greencore.SecurityPolicy): the latest saved version, or the platform's
settings before any was saved (the environment's values are the initial defaults only). Read at sign-in
(django-axes' failure limit and cool-off call these), by the password length validator and by the session
middleware (idle timeout, absolute session length, password age)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.password_validation import MinimumLengthValidator

from greencore import SecurityPolicy

from .models import SecurityPolicyVersion

DEFAULT_MIN_LENGTH = 12


def default_policy() -> SecurityPolicy:
    """The policy of the settings (before the security administrator saved one)."""
    cooloff = settings.AXES_DEFAULT_COOLOFF
    return SecurityPolicy(
        min_length=DEFAULT_MIN_LENGTH,
        lockout_threshold=int(settings.AXES_DEFAULT_FAILURE_LIMIT),
        lockout_window_minutes=int(cooloff.total_seconds() // 60),
        session_timeout_minutes=int(settings.SESSION_COOKIE_AGE // 60),
        password_max_age_days=int(settings.PASSWORD_MAX_AGE_DAYS),
        session_absolute_hours=max(1, int(settings.SESSION_ABSOLUTE_SECONDS // 3600)),
    )


def as_policy(version: SecurityPolicyVersion) -> SecurityPolicy:
    return SecurityPolicy(
        min_length=version.min_length,
        lockout_threshold=version.lockout_threshold,
        lockout_window_minutes=version.lockout_window_minutes,
        session_timeout_minutes=version.session_timeout_minutes,
        password_max_age_days=version.password_max_age_days,
        session_absolute_hours=version.session_absolute_hours,
    )


def current_version() -> SecurityPolicyVersion | None:
    return SecurityPolicyVersion.objects.order_by("-number").first()


def current_policy() -> SecurityPolicy:
    version = current_version()
    return as_policy(version) if version is not None else default_policy()


def failure_limit(request: Any = None, credentials: Any = None) -> int:
    """django-axes' AXES_FAILURE_LIMIT: failed sign-ins before the lockout."""
    return current_policy().lockout_threshold


def cooloff(request: Any = None) -> timedelta:
    """django-axes' AXES_COOLOFF_TIME: how long a lockout lasts."""
    return timedelta(minutes=current_policy().lockout_window_minutes)


class PolicyLengthValidator(MinimumLengthValidator):
    """Django's minimum length, at the length of the policy in force."""

    def __init__(self) -> None:
        super().__init__(DEFAULT_MIN_LENGTH)

    def validate(self, password: str, user: Any = None) -> None:
        self.min_length = current_policy().min_length
        super().validate(password, user)

    def get_help_text(self) -> str:
        self.min_length = current_policy().min_length
        return super().get_help_text()
