"""Session rules of 等保 level 3: absolute session length, password expiry, second factor for privileged
roles. The idle timeout, the absolute length and the password's maximum age are the security policy's
(greenmfg.accounts.policy, read once a request): every request of a signed-in user pushes the session's
expiry the idle timeout on (SESSION_SAVE_EVERY_REQUEST), and SESSION_COOKIE_AGE is the timeout before any
policy was saved, and for anonymous sessions; a session older than the absolute length ends however active
it was; a password older than its maximum age sends every page but the password change (and signing out)
to the password change."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django_otp.middleware import is_verified

from greencore import SecurityPolicy, password_due, session_over

from .policy import current_policy

SESSION_STARTED = "greenmfg_started"
OPEN_PREFIXES = ("/static/", "/accounts/logout/", "/i18n/", "/health")


def needs_second_factor(user: object) -> bool:
    membership = getattr(user, "membership", None)
    return bool(
        settings.SECOND_FACTOR_REQUIRED
        and membership is not None
        and membership.role in settings.SECOND_FACTOR_ROLES
    )


def password_expired(user: object, policy: SecurityPolicy | None = None) -> bool:
    """A one-time password not yet replaced, or a password that reached the policy's maximum age."""
    if getattr(user, "must_change_password", False):
        return True
    changed = getattr(user, "password_changed_at", None)
    return changed is not None and password_due(changed, timezone.now(), policy or current_policy())


class SessionPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated and not request.path.startswith(OPEN_PREFIXES):
            policy = current_policy()
            timeout = policy.session_timeout_minutes * 60
            if timeout != settings.SESSION_COOKIE_AGE:  # the policy's idle timeout, from this request on
                request.session.set_expiry(timeout)
            elif request.session.get("_session_expiry") is not None:
                request.session.set_expiry(None)  # back to SESSION_COOKIE_AGE
            started = request.session.setdefault(SESSION_STARTED, int(time.time()))
            if session_over(started, time.time(), policy):
                logout(request)
                return redirect(f"{reverse('accounts:login')}?expired=1")
            if needs_second_factor(user) and not is_verified(user):
                allowed = (reverse("accounts:otp_verify"), reverse("accounts:otp_setup"))
                if request.path not in allowed:
                    return redirect("accounts:otp_verify")
            elif password_expired(user, policy) and request.path != reverse("accounts:password_change"):
                return redirect("accounts:password_change")
        return self.get_response(request)
