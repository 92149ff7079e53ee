"""The security policy (issue 12, 三权分立): the security administrator of the installation's top bureau
edits the minimum password length and maximum age, the lockout threshold and window, the idle session
timeout and the absolute session length; each save is a new version, audited old → new, and the sign-in,
password and session code apply the latest. The environment's settings are the defaults before any version
only. Values outside greencore's bounds are refused by field; every other administrator and role is
refused, and a refusal changes nothing. The password's age and the session's length run on a clock the
tests control (time-machine): not one day (one minute) early, on the day (the minute)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from matrix_admin import build_admins
from test_administration import client_of

from greencore import SecurityPolicy, check_policy, password_due, session_over
from greenmfg.accounts import policy
from greenmfg.accounts.models import SecurityPolicyVersion
from greenmfg.audit.models import Event
from greenmfg.orgs import services
from greenmfg.orgs.selectors import actor_of
from greenmfg.web.demo import DEMO_PASSWORD

URL = "orgs:security_policy"
STRICTER = {
    "min_length": "14",
    "lockout_threshold": "3",
    "lockout_window_minutes": "30",
    "session_timeout_minutes": "20",
    "password_max_age_days": "90",
    "session_absolute_hours": "12",
    "reason": "等保测评整改意见第 3 条",
}


@pytest.fixture
def admins(world: Any) -> dict[str, Any]:
    users = dict(world.users)
    build_admins(users)
    return users


def snapshot() -> tuple[Any, ...]:
    return (
        list(SecurityPolicyVersion.objects.values_list("number", "min_length", "lockout_threshold")),
        Event.objects.filter(action="security.policy_changed").count(),
    )


def test_the_defaults_are_the_settings_before_any_version(world: Any) -> None:
    assert policy.current_policy().as_dict() == {
        "min_length": 12,
        "lockout_threshold": 5,
        "lockout_window_minutes": 15,
        "session_timeout_minutes": 30,
        "password_max_age_days": 90,
        "session_absolute_hours": 12,
    }


def test_the_environment_settings_are_the_initial_defaults_only(admins: Any, settings: Any) -> None:
    settings.PASSWORD_MAX_AGE_DAYS = 60
    settings.SESSION_ABSOLUTE_SECONDS = 8 * 3600
    current = policy.current_policy()
    assert (current.password_max_age_days, current.session_absolute_hours) == (60, 8)
    page = client_of(admins["mof-secadmin"]).get(reverse(URL))
    assert page.context["form"].initial["password_max_age_days"] == 60
    # once a version is saved, the settings no longer count
    services.set_security_policy(
        actor_of(admins["mof-secadmin"]),
        {**STRICTER, "password_max_age_days": "45", "session_absolute_hours": "10"},
    )
    settings.PASSWORD_MAX_AGE_DAYS = 120
    settings.SESSION_ABSOLUTE_SECONDS = 2 * 3600
    current = policy.current_policy()
    assert (current.password_max_age_days, current.session_absolute_hours) == (45, 10)
    event = Event.objects.get(action="security.policy_changed")
    assert event.detail["changes"]["password_max_age_days"] == {"from": 60, "to": 45}
    assert event.detail["changes"]["session_absolute_hours"] == {"from": 8, "to": 10}
    home = client_of(admins["mof-secadmin"]).get(reverse("orgs:admin_home")).content.decode()
    assert "45 天" in home and "最长 10 小时后失效" in home


def test_the_top_bureaus_security_administrator_saves_a_version_audited_old_to_new(admins: Any) -> None:
    client = client_of(admins["mof-secadmin"])
    page = client.get(reverse(URL))
    assert page.status_code == 200 and 'id="policy-form"' in page.content.decode()
    response = client.post(reverse(URL), STRICTER)
    assert response.status_code == 302
    version = SecurityPolicyVersion.objects.get()
    assert (version.number, version.changed_by, version.reason) == (
        1,
        admins["mof-secadmin"],
        "等保测评整改意见第 3 条",
    )
    event = Event.objects.get(action="security.policy_changed")
    assert event.detail["changes"] == {
        "min_length": {"from": 12, "to": 14},
        "lockout_threshold": {"from": 5, "to": 3},
        "lockout_window_minutes": {"from": 15, "to": 30},
        "session_timeout_minutes": {"from": 30, "to": 20},
    }
    assert (event.role, event.detail["version"]) == ("secadmin", 1)
    # a second save changes one field: version 2, and only that field in its event
    services.set_security_policy(
        actor_of(admins["mof-secadmin"]), {**STRICTER, "session_timeout_minutes": 25}
    )
    latest = Event.objects.filter(action="security.policy_changed").order_by("-pk").first()
    assert latest is not None and latest.detail["changes"] == {
        "session_timeout_minutes": {"from": 20, "to": 25}
    }
    assert list(SecurityPolicyVersion.objects.values_list("number", "session_timeout_minutes")) == [
        (2, 25),
        (1, 20),
    ]
    history = client.get(reverse(URL)).content.decode()
    assert 'id="policy-versions"' in history and "等保测评整改意见第 3 条" in history


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("min_length", "8", "密码最短长度须在 10 至 64 之间。"),
        ("lockout_threshold", "0", "连续登录失败锁定次数须在 3 至 10 之间。"),
        ("lockout_window_minutes", "2000", "锁定时长（分钟）须在 5 至 1440 之间。"),
        ("session_timeout_minutes", "61", "会话超时（分钟）须在 5 至 60 之间。"),
        ("password_max_age_days", "400", "密码最长使用期（天）须在 7 至 365 之间。"),
        ("session_absolute_hours", "0", "会话最长时长（小时）须在 1 至 24 之间。"),
    ],
)
def test_a_value_outside_its_bounds_is_refused_by_field_and_nothing_changes(
    admins: Any, field: str, value: str, message: str
) -> None:
    before = snapshot()
    response = client_of(admins["mof-secadmin"]).post(reverse(URL), {**STRICTER, field: value})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert response.context["form"].errors[field] == [message]
    assert snapshot() == before


def test_an_unchanged_policy_is_refused(admins: Any) -> None:
    before = snapshot()
    same = {
        "min_length": 12,
        "lockout_threshold": 5,
        "lockout_window_minutes": 15,
        "session_timeout_minutes": 30,
        "password_max_age_days": 90,
        "session_absolute_hours": 12,
    }
    response = client_of(admins["mof-secadmin"]).post(reverse(URL), same)
    assert response.status_code == 400 and "安全策略没有变化。" in response.content.decode()
    assert snapshot() == before


@pytest.mark.parametrize("username", ["sz-secadmin", "wx-secadmin"])
def test_a_security_administrator_below_the_top_reads_and_cannot_save(admins: Any, username: str) -> None:
    client = client_of(admins[username])
    page = client.get(reverse(URL))
    assert page.status_code == 200
    assert 'id="policy-readonly"' in page.content.decode() and 'id="policy-form"' not in page.content.decode()
    before = snapshot()
    assert client.post(reverse(URL), STRICTER).status_code == 404
    with pytest.raises(PermissionDenied):
        services.set_security_policy(actor_of(admins[username]), STRICTER)
    assert snapshot() == before


@pytest.mark.parametrize(
    "username",
    ["mof-sysadmin", "mof-auditadmin", "sz-sysadmin", "sz-auditadmin", "sz-reviewer", "sz-machinery"],
)
def test_no_other_role_reaches_or_changes_the_policy(admins: Any, username: str) -> None:
    user = admins[username]
    client = client_of(user) if user.totpdevice_set.filter(confirmed=True).exists() else Client()
    if not user.totpdevice_set.filter(confirmed=True).exists():
        client.force_login(user)
    before = snapshot()
    assert client.get(reverse(URL)).status_code == 404
    assert client.post(reverse(URL), STRICTER).status_code == 404
    with pytest.raises(PermissionDenied):
        services.set_security_policy(actor_of(user), STRICTER)
    assert snapshot() == before


def test_the_password_length_and_the_lockout_follow_the_saved_policy(admins: Any) -> None:
    twelve = "Qx7#Lp2v9Rk4"  # 12 characters, every class
    validate_password(twelve)  # the default policy takes it
    services.set_security_policy(actor_of(admins["mof-secadmin"]), STRICTER)
    with pytest.raises(ValidationError) as refused:
        validate_password(twelve)
    assert [e.code for e in refused.value.error_list] == ["password_too_short"]
    validate_password("Qx7#Lp2v9Rk4Zw")  # 14
    assert (policy.failure_limit(), policy.cooloff()) == (3, timedelta(minutes=30))
    # the third failed sign-in locks the account (429), where the default locked at the fifth
    anonymous = Client()
    login = reverse("accounts:login")
    for _ in range(2):
        failed = anonymous.post(login, {"username": "sz-machinery", "password": "wrong"})
        assert failed.status_code == 200
        assert "连续 3 次错误将锁定 30 分钟" in failed.content.decode()  # the policy's numbers, said
    assert anonymous.post(login, {"username": "sz-machinery", "password": "wrong"}).status_code == 429
    locked = anonymous.post(login, {"username": "sz-machinery", "password": DEMO_PASSWORD})
    assert locked.status_code == 429
    assert locked["Retry-After"] == str(30 * 60)
    assert "请 30 分钟后再试" in locked.content.decode()


def test_the_session_idle_timeout_follows_the_saved_policy(admins: Any) -> None:
    client = Client()
    client.force_login(admins["sz-machinery"])
    client.get(reverse("applications:mine"))
    assert client.session.get_expiry_age() == 30 * 60
    services.set_security_policy(actor_of(admins["mof-secadmin"]), STRICTER)
    client.get(reverse("applications:mine"))
    assert client.session.get_expiry_age() == 20 * 60


def test_greencore_names_the_field_of_a_non_number() -> None:
    with pytest.raises(ValueError, match="min_length"):
        check_policy({**STRICTER, "min_length": "twelve"})


# --- the password's maximum age and the absolute session length, on a clock the test controls ------------

CHANGED = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)


def sign_in(username: str) -> Client:
    """Through the login page (an applicant: no second factor), as a person signs in."""
    client = Client()
    response = client.post(reverse("accounts:login"), {"username": username, "password": DEMO_PASSWORD})
    assert response.status_code == 302
    return client


def forced_to_change(client: Client) -> bool:
    """Every page but the password change (and signing out) sends the user to the password change."""
    change = reverse("accounts:password_change")
    answers = [
        client.get(reverse(name)) for name in ("applications:mine", "notifications:centre", "register:titles")
    ]
    if all(a.status_code == 302 and a["Location"] == change for a in answers):
        return True
    assert all(a.status_code == 200 for a in answers), [a.status_code for a in answers]
    return False


def test_a_password_reaching_its_maximum_age_forces_a_change_at_the_next_sign_in(admins: Any) -> None:
    user = admins["sz-machinery"]
    type(user).objects.filter(pk=user.pk).update(password_changed_at=CHANGED)
    with time_machine.travel(CHANGED + timedelta(days=89, hours=23, minutes=59), tick=False):
        assert not forced_to_change(sign_in("sz-machinery"))  # not one day (not one minute) early
    with time_machine.travel(CHANGED + timedelta(days=90), tick=False):
        client = sign_in("sz-machinery")  # on the day
        assert forced_to_change(client)
        page = client.get(reverse("accounts:password_change"))
        assert page.status_code == 200 and 'id="password-expired"' in page.content.decode()
        assert "密码已使用满 90 天" in page.content.decode()
        new = "Nq5#Vb8r2Lt6Wz"
        done = client.post(
            reverse("accounts:password_change"),
            {"old_password": DEMO_PASSWORD, "new_password": new, "new_password2": new},
        )
        assert done.status_code == 302
        assert not forced_to_change(client)  # changed: every page again


def test_a_shorter_maximum_age_in_a_new_version_forces_the_change_sooner(admins: Any) -> None:
    user = admins["sz-machinery"]
    type(user).objects.filter(pk=user.pk).update(password_changed_at=CHANGED)
    with time_machine.travel(CHANGED + timedelta(days=30), tick=False):
        client = sign_in("sz-machinery")
        assert not forced_to_change(client)  # 30 days old: the default 90 is far
        services.set_security_policy(
            actor_of(admins["mof-secadmin"]), {**STRICTER, "password_max_age_days": "30"}
        )
        assert forced_to_change(client)  # the signed-in session too, at its next page
    with time_machine.travel(CHANGED + timedelta(days=29, hours=23), tick=False):
        assert not forced_to_change(sign_in("sz-machinery"))
    # and a longer one lets it be again
    services.set_security_policy(
        actor_of(admins["mof-secadmin"]), {**STRICTER, "password_max_age_days": "60"}
    )
    with time_machine.travel(CHANGED + timedelta(days=59), tick=False):
        assert not forced_to_change(sign_in("sz-machinery"))
    with time_machine.travel(CHANGED + timedelta(days=60), tick=False):
        assert forced_to_change(sign_in("sz-machinery"))


def stays_signed_in(client: Client) -> bool:
    response = client.get(reverse("applications:mine"))
    if response.status_code == 200:
        return True
    assert response.status_code == 302
    return False


def active_until(clock: Any, client: Client, minutes: int) -> None:
    """A busy user: a page every 15 minutes (within any idle timeout) for `minutes` after the sign-in."""
    for _ in range(minutes // 15):
        clock.shift(timedelta(minutes=15))
        assert stays_signed_in(client)
    clock.shift(timedelta(minutes=minutes % 15))


def test_a_session_ends_at_its_absolute_length_however_active(admins: Any) -> None:
    user = admins["sz-machinery"]
    type(user).objects.filter(pk=user.pk).update(password_changed_at=CHANGED)
    with time_machine.travel(CHANGED + timedelta(days=1), tick=False) as clock:
        client = sign_in("sz-machinery")
        active_until(clock, client, 12 * 60 - 1)
        assert stays_signed_in(client)  # 11 h 59 min: not one minute early
        clock.shift(timedelta(minutes=1))
        ended = client.get(reverse("applications:mine"))
        assert ended.status_code == 302 and ended["Location"] == reverse("accounts:login") + "?expired=1"
        assert "_auth_user_id" not in client.session
        assert not stays_signed_in(client)


def test_a_shorter_absolute_length_in_a_new_version_ends_sessions_sooner(admins: Any) -> None:
    user = admins["sz-machinery"]
    type(user).objects.filter(pk=user.pk).update(password_changed_at=CHANGED)
    with time_machine.travel(CHANGED + timedelta(days=1), tick=False) as clock:
        client = sign_in("sz-machinery")
        services.set_security_policy(
            actor_of(admins["mof-secadmin"]), {**STRICTER, "session_absolute_hours": "2"}
        )
        active_until(clock, client, 2 * 60 - 1)
        assert stays_signed_in(client)
        clock.shift(timedelta(minutes=1))
        assert not stays_signed_in(client)
        # a fresh sign-in counts from its own start
        again = sign_in("sz-machinery")
        active_until(clock, again, 2 * 60 - 1)
        assert stays_signed_in(again)


def test_greencore_counts_to_the_day_and_the_hour() -> None:
    ninety, twelve = SecurityPolicy(), SecurityPolicy()
    assert not password_due(CHANGED, CHANGED + timedelta(days=90, seconds=-1), ninety)
    assert password_due(CHANGED, CHANGED + timedelta(days=90), ninety)
    start = CHANGED.timestamp()
    assert not session_over(start, start + 12 * 3600 - 1, twelve)
    assert session_over(start, start + 12 * 3600, twelve)
    short = SecurityPolicy(password_max_age_days=7, session_absolute_hours=1)
    assert password_due(CHANGED, CHANGED + timedelta(days=7), short)
    assert session_over(start, start + 3600, short)
