"""The security policy (issue 12, 三权分立): the security administrator of the installation's top bureau
edits the minimum password length, the lockout threshold and window and the idle session timeout; each save
is a new version, audited old → new, and the sign-in, password and session code apply the latest. Values
outside greencore's bounds are refused by field; every other administrator and role is refused, and a
refusal changes nothing."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from matrix_admin import build_admins
from test_administration import client_of

from greencore import check_policy
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
    }


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
        assert anonymous.post(login, {"username": "sz-machinery", "password": "wrong"}).status_code == 200
    assert anonymous.post(login, {"username": "sz-machinery", "password": "wrong"}).status_code == 429
    locked = anonymous.post(login, {"username": "sz-machinery", "password": DEMO_PASSWORD})
    assert locked.status_code == 429
    assert locked["Retry-After"] == str(30 * 60)


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
