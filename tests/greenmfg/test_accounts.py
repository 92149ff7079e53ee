"""Account security (等保 level 3): lockout, second factor, session timeouts, password rules."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone
from django_otp.oath import TOTP

from greenmfg.accounts.hashers import PBKDF2SM3PasswordHasher
from greenmfg.accounts.middleware import SESSION_STARTED
from greenmfg.accounts.services import change_password
from greenmfg.audit.models import Event
from greenmfg.web.demo import DEMO_PASSWORD


def login(client: Client, username: str, password: str):
    return client.post("/accounts/login/", {"username": username, "password": password})


def test_sixth_attempt_is_refused_even_with_the_right_password(world):
    client = Client()
    for _ in range(4):
        response = login(client, "sz-machinery", "wrong-password-1A!")
        assert response.status_code == 200
        assert "用户名或密码不正确" in response.content.decode()
    assert login(client, "sz-machinery", "wrong-password-1A!").status_code == 429  # the 5th locks
    response = login(client, "sz-machinery", DEMO_PASSWORD)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    assert Event.objects.filter(action="authn.login_failed").count() == 6  # the refused 6th included
    assert Event.objects.filter(action="authn.locked_out").count() == 2


def test_unknown_user_and_wrong_password_look_the_same(world):
    unknown = login(Client(), "nobody-here", "wrong-password-1A!")
    wrong = login(Client(), "sz-energy", "wrong-password-1A!")
    assert unknown.status_code == wrong.status_code == 200
    assert unknown.context["form"].non_field_errors() == wrong.context["form"].non_field_errors()


def test_reviewers_must_pass_the_second_factor(world):
    client = Client()
    response = login(client, "wz-reviewer", DEMO_PASSWORD)
    assert response.status_code == 302
    assert client.get("/applications/queue/")["Location"] == "/accounts/otp/"
    device = world.users["wz-reviewer"].totpdevice_set.get(confirmed=True)
    token = f"{TOTP(device.bin_key, device.step, device.t0, device.digits).token():06d}"
    before = client.session.session_key
    assert client.post("/accounts/otp/", {"token": token}).status_code == 302
    assert client.session.session_key != before  # new session id on privilege change
    assert client.get("/applications/queue/").status_code == 200
    # the same code cannot be used twice
    other = Client()
    login(other, "wz-reviewer", DEMO_PASSWORD)
    assert other.post("/accounts/otp/", {"token": token}).status_code == 200
    assert other.get("/applications/queue/").status_code == 302


def test_applicants_are_not_asked_for_a_second_factor(world):
    client = Client()
    login(client, "sz-machinery", DEMO_PASSWORD)
    assert client.get("/applications/").status_code == 200


def test_idle_sessions_expire_after_thirty_minutes(world, settings):
    assert settings.SESSION_COOKIE_AGE == 1800 and settings.SESSION_SAVE_EVERY_REQUEST
    client = world.client("sz-machinery")
    session = client.session
    session.set_expiry(timezone.now() - timedelta(seconds=1))
    session.save()
    assert client.get("/applications/")["Location"].startswith("/accounts/login/")


def test_sessions_end_after_twelve_hours_whatever_the_activity(world):
    client = world.client("sz-machinery")
    session = client.session
    session[SESSION_STARTED] = int(time.time()) - 12 * 3600 - 1
    session.save()
    response = client.get("/applications/")
    assert response["Location"] == "/accounts/login/?expired=1"
    assert client.get("/applications/")["Location"].startswith("/accounts/login/")


def test_expired_passwords_force_a_change(world):
    user = world.users["sz-machinery"]
    user.password_changed_at = timezone.now() - timedelta(days=91)
    user.save()
    client = world.client("sz-machinery")
    assert client.get("/applications/")["Location"] == "/accounts/password/"


@pytest.mark.parametrize(
    ("password", "code"),
    [
        ("Short1!", "password_too_short"),
        ("alllowercaseletters", "password_classes"),
        ("Greenmfg-2026-Strong", "password_context"),
        ("Password12345!", "password_context"),
    ],
)
def test_weak_passwords_are_refused(world, password, code):
    with pytest.raises(ValidationError) as refused:
        validate_password(password, world.users["sz-machinery"])
    assert code in [e.code for e in refused.value.error_list]


def test_the_last_five_passwords_cannot_come_back(world):
    user = world.users["sz-machinery"]
    change_password(user, "Kettle#Moon2026a")
    change_password(user, "Kettle#Moon2026b")
    with pytest.raises(ValidationError) as refused:
        change_password(user, "Kettle#Moon2026a")
    assert [e.code for e in refused.value.error_list] == ["password_reused"]
    assert user.check_password("Kettle#Moon2026b")


def test_a_64_character_passphrase_is_accepted_whole(world):
    phrase = "苏州 green factory 2026 — a long passphrase with Mixed Case & digits 42"[:64]
    change_password(world.users["sz-machinery"], phrase)
    assert world.users["sz-machinery"].check_password(phrase)
    assert not world.users["sz-machinery"].check_password(phrase[:-1])


def test_pbkdf2_sm3_hashes_verify_and_differ_per_salt():
    hasher = PBKDF2SM3PasswordHasher()
    encoded = hasher.encode("Kettle#Moon2026", "saltsaltsalt", iterations=1000)
    assert encoded.startswith("pbkdf2_sm3$1000$saltsaltsalt$")
    assert hasher.verify("Kettle#Moon2026", encoded)
    assert not hasher.verify("Kettle#Moon2027", encoded)
    assert hasher.encode("Kettle#Moon2026", "othersalt123", iterations=1000) != encoded
