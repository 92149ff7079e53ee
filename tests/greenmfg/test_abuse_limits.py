"""Abuse limits (issue 16): floods of objections and logins from one address get 429 with Retry-After;
lockout slows the attacker's address, never the account's owner; the client address comes from
X-Forwarded-For only behind a trusted proxy; publication is held only by verified, undecided objections."""

# ruff: noqa: F811  (the `hostile` fixture, imported from test_hostile_input, is a parameter here)
from __future__ import annotations

import subprocess
import sys
import uuid
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.core.cache import caches as handler
from django.test import Client, RequestFactory, override_settings
from django.urls import reverse
from factories import World
from test_hostile_input import hostile  # noqa: F401  (the fixture: an open notice with one entry)
from test_reviews import emailed_code, published_journey, raises_zh, who

from greenmfg.audit.models import Event
from greenmfg.core import ratelimit
from greenmfg.core.middleware import client_ip
from greenmfg.publication import services as publication
from greenmfg.publication.models import Objection, PublicityEntry
from greenmfg.publication.services import PublicationError
from greenmfg.web.demo import DEMO_PASSWORD

ATTACKER = "203.0.113.66"
OWNER = "198.51.100.7"


def _objection(entry: PublicityEntry, n: int, contact: str = "") -> dict[str, str]:
    return {
        "entry": str(entry.pk),
        "name": f"实名{n}",
        "contact": contact or f"objector{n}@example.cn",
        "grounds": "该单位申报的能耗数据与统计年报不一致，请核查。",
    }


def test_a_flood_of_objections_from_one_address_gets_429(world: World, hostile: dict[str, Any]) -> None:
    url = reverse("publication:notice", kwargs={"public_id": hostile["notice"].public_id})
    client = Client()
    statuses = [client.post(url, _objection(hostile["entry"], n), REMOTE_ADDR=ATTACKER) for n in range(30)]
    allowed = settings_limit("objection", "per_address")
    assert [r.status_code for r in statuses] == [302] * allowed + [429] * (30 - allowed)
    refused = statuses[-1]
    assert 0 < int(refused["Retry-After"]) <= 3600
    assert "请求过于频繁" in refused.content.decode()
    # the accepted ones are unverified: none counts until its code comes back
    assert Objection.objects.filter(status="unverified").count() == allowed
    assert len(mail.outbox) == allowed
    # one audit event for the flood, not one per refused request
    assert Event.objects.filter(action="security.rate_limited").count() == 1
    # another address is not slowed by the attacker's flood
    assert client.post(url, _objection(hostile["entry"], 99), REMOTE_ADDR=OWNER).status_code == 302


def test_one_contact_is_limited_from_any_address(world: World, hostile: dict[str, Any]) -> None:
    url = reverse("publication:notice", kwargs={"public_id": hostile["notice"].public_id})
    allowed = settings_limit("objection", "per_account")
    codes = [
        Client()
        .post(url, _objection(hostile["entry"], n, "same@example.cn"), REMOTE_ADDR=f"192.0.2.{n}")
        .status_code
        for n in range(allowed + 1)
    ]
    assert codes == [302] * allowed + [429]


def test_the_limit_speaks_english_when_english_was_chosen(world: World, hostile: dict[str, Any]) -> None:
    url = reverse("publication:notice", kwargs={"public_id": hostile["notice"].public_id})
    client = Client()
    client.cookies["django_language"] = "en"
    for n in range(settings_limit("objection", "per_address") + 1):
        response = client.post(url, _objection(hostile["entry"], n), REMOTE_ADDR=ATTACKER)
    assert response.status_code == 429
    assert "Too many requests from your address" in response.content.decode()


def login(client: Client, username: str, password: str, address: str) -> Any:
    return client.post(
        reverse("accounts:login"), {"username": username, "password": password}, REMOTE_ADDR=address
    )


def test_a_flood_of_logins_from_one_address_gets_429(world: World) -> None:
    client = Client()
    responses = [login(client, f"guess-{n}", "wrong-password-1A!", ATTACKER) for n in range(40)]
    codes = [r.status_code for r in responses]
    # axes locks the address after five failures; the rate limit answers the rest before the view runs
    assert codes[:4] == [200] * 4
    assert set(codes[4:]) == {429}
    assert all(int(r["Retry-After"]) > 0 for r in responses[4:])
    assert Event.objects.filter(action="authn.locked_out").exists()


def test_the_owner_of_a_locked_out_account_still_logs_in_from_another_address(world: World) -> None:
    attacker = Client()
    for _ in range(5):
        login(attacker, "sz-machinery", "wrong-password-1A!", ATTACKER)
    # the attacker is locked out, even with the right password
    assert login(attacker, "sz-machinery", DEMO_PASSWORD, ATTACKER).status_code == 429
    locked = Event.objects.filter(action="authn.locked_out")
    assert locked.exists() and locked.first().ip == ATTACKER
    # the owner, elsewhere, is not
    owner = Client()
    assert login(owner, "sz-machinery", DEMO_PASSWORD, OWNER).status_code == 302
    assert owner.session.get("_auth_user_id") == str(world.users["sz-machinery"].pk)


def test_exports_and_the_api_are_limited_per_address(world: World) -> None:
    client = Client()
    url = reverse("register:export_csv")
    allowed = settings_limit("export", "per_address")
    answers = [client.post(url, REMOTE_ADDR=ATTACKER) for _ in range(allowed + 1)]
    # each allowed post starts a background export; the next is refused for a while
    assert [a.status_code for a in answers] == [302] * allowed + [429]
    assert 0 < int(answers[-1]["Retry-After"]) <= 600
    assert client.get(url, REMOTE_ADDR=ATTACKER).status_code == 200  # the form itself starts nothing
    limits = {**_settings().RATE_LIMITS, "api": {**_settings().RATE_LIMITS["api"], "per_address": (3, 60)}}
    with override_settings(RATE_LIMITS=limits):
        answers = [client.get("/api/titles", REMOTE_ADDR=ATTACKER) for _ in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert answers[-1].json()["code"] == "rate_limited" and int(answers[-1]["Retry-After"]) <= 60


# --- the client address --------------------------------------------------------------------------


def _request(remote: str, forwarded: str = "") -> Any:
    extra = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded else {}
    return RequestFactory().get("/", REMOTE_ADDR=remote, **extra)


def test_without_trusted_proxies_x_forwarded_for_is_ignored() -> None:
    with override_settings(TRUSTED_PROXIES=[]):
        assert client_ip(_request("198.51.100.7", "203.0.113.1")) == "198.51.100.7"


def test_behind_a_trusted_proxy_the_first_untrusted_hop_is_the_client() -> None:
    with override_settings(TRUSTED_PROXIES=["10.0.0.0/8", "127.0.0.1/32"]):
        # client → proxy 10.1.1.1 → proxy 127.0.0.1; a spoofed left-most value is not believed
        assert client_ip(_request("127.0.0.1", "6.6.6.6, 203.0.113.9, 10.1.1.1")) == "203.0.113.9"
        assert client_ip(_request("127.0.0.1", "garbage, 203.0.113.9")) == "203.0.113.9"
        assert client_ip(_request("127.0.0.1", "203.0.113.9, garbage")) == "127.0.0.1"
        # a peer outside the trusted networks: its header is ignored
        assert client_ip(_request("198.51.100.7", "203.0.113.9")) == "198.51.100.7"


def test_behind_a_trusted_proxy_the_limit_counts_each_client(world: World, hostile: dict[str, Any]) -> None:
    url = reverse("publication:notice", kwargs={"public_id": hostile["notice"].public_id})
    allowed = settings_limit("objection", "per_address")
    client = Client()
    with override_settings(TRUSTED_PROXIES=["127.0.0.1/32"]):
        for n in range(allowed):
            client.post(url, _objection(hostile["entry"], n), HTTP_X_FORWARDED_FOR="203.0.113.1")
        assert (
            client.post(url, _objection(hostile["entry"], 50), HTTP_X_FORWARDED_FOR="203.0.113.1").status_code
            == 429
        )
        assert (
            client.post(url, _objection(hostile["entry"], 51), HTTP_X_FORWARDED_FOR="203.0.113.2").status_code
            == 302
        )
    # without the setting every client behind the proxy is the proxy's address, and X-Forwarded-For
    # cannot be used to dodge the limit
    with override_settings(TRUSTED_PROXIES=[]):
        for n in range(allowed):
            client.post(url, _objection(hostile["entry"], 60 + n), HTTP_X_FORWARDED_FOR=f"198.51.100.{n}")
        assert (
            client.post(
                url, _objection(hostile["entry"], 70), HTTP_X_FORWARDED_FOR="198.51.100.99"
            ).status_code
            == 429
        )


def test_counters_are_shared_between_processes_through_redis() -> None:
    redis = pytest.importorskip("redis")
    try:
        redis.Redis.from_url("redis://127.0.0.1:6379/0").ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("no Redis at 127.0.0.1:6379")
    caches = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:6379/0",
            "KEY_PREFIX": f"greenmfg-test-{uuid.uuid4().hex}",
        }
    }
    with override_settings(CACHES=caches):
        handler._settings = None  # type: ignore[attr-defined]
        handler.__dict__.pop("settings", None)
        for _ in range(3):
            assert ratelimit.hit("probe", "address", "192.0.2.1", (3, 600), now=1000.0) is None
        # a fourth request, counted by another process, is over the limit
        script = (
            "import django, os, sys; os.environ['DJANGO_SETTINGS_MODULE']='greenmfg.settings'; "
            f"os.environ['GREENMFG_REDIS_URL']='redis://127.0.0.1:6379/0'; django.setup(); "
            "from django.conf import settings; "
            f"settings.CACHES['default']['KEY_PREFIX']={caches['default']['KEY_PREFIX']!r}; "
            "from greenmfg.core.ratelimit import hit; "
            "print(hit('probe', 'address', '192.0.2.1', (3, 600), now=1000.0))"
        )
        out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
        assert out.stdout.strip() == "(200, True)"
        handler._settings = None  # type: ignore[attr-defined]
        handler.__dict__.pop("settings", None)


# --- publication is held only by verified, undecided objections ---------------------------------


def test_unverified_objections_do_not_hold_the_publication(world: World) -> None:
    application = published_journey(world)
    city = who(world, "sz-reviewer")
    notice = publication.open_publicity(city, application.call)
    entry = PublicityEntry.objects.get(notice=notice)
    for n in range(3):
        publication.file_objection(
            notice, entry, name=f"实名{n}", contact=f"o{n}@example.cn", grounds="理由充分，请予核查该单位。"
        )
    later = notice.closes_on + timedelta(days=1)
    announcement = publication.publish(city, notice, today=later)
    assert announcement.titles.count() == 1
    assert set(Objection.objects.values_list("status", flat=True)) == {"expired"}


def test_a_verified_objection_holds_the_publication_until_decided(world: World) -> None:
    application = published_journey(world)
    city = who(world, "sz-reviewer")
    notice = publication.open_publicity(city, application.call)
    entry = PublicityEntry.objects.get(notice=notice)
    objection = publication.file_objection(
        notice, entry, name="李四", contact="lisi@example.cn", grounds="该企业曾因超标排放被处罚，请核查。"
    )
    with raises_zh(PublicationError, "验证码不正确，还可尝试 4 次"):
        publication.verify_objection(
            objection, "000000" if emailed_code("lisi@example.cn") != "000000" else "1"
        )
    publication.verify_objection(objection, emailed_code("lisi@example.cn"))
    later = notice.closes_on + timedelta(days=1)
    with raises_zh(PublicationError, "1 件异议未处理"):
        publication.publish(city, notice, today=later)
    publication.decide_objection(city, objection, upheld=False, reason="经核查，处罚已整改完毕。")
    assert publication.publish(city, notice, today=later).titles.count() == 1


def test_the_bureau_sets_an_abusive_objection_aside_with_reasons(world: World) -> None:
    application = published_journey(world)
    city = who(world, "sz-reviewer")
    notice = publication.open_publicity(city, application.call)
    entry = PublicityEntry.objects.get(notice=notice)
    objection = publication.file_objection(
        notice, entry, name="王五", contact="w5@example.cn", grounds="无具体事实，仅表示反对该单位。"
    )
    publication.verify_objection(objection, emailed_code("w5@example.cn"))
    client = world.client("sz-reviewer")
    url = reverse("publication:decide", kwargs={"public_id": objection.public_id})
    assert (
        client.post(url, {"outcome": "set_aside", "reason": "同一联系人批量提交，无事实依据。"}).status_code
        == 302
    )
    objection.refresh_from_db()
    assert (objection.status, objection.decision_reason) == ("set_aside", "同一联系人批量提交，无事实依据。")
    event = Event.objects.get(action="publication.objection_set_aside")
    assert event.detail["reason"] == "同一联系人批量提交，无事实依据。"
    assert publication.publish(city, notice, today=notice.closes_on + timedelta(days=1)).titles.count() == 1


def test_a_code_lapses_after_its_window_and_after_five_wrong_tries(
    world: World, hostile: dict[str, Any]
) -> None:
    notice, entry = hostile["notice"], hostile["entry"]
    first = publication.file_objection(
        notice, entry, name="甲", contact="a@example.cn", grounds="理由充分，请予核查该单位。"
    )
    with time_machine.travel(timedelta(minutes=31)), raises_zh(PublicationError, "验证码已过期"):
        publication.verify_objection(first, emailed_code("a@example.cn"))
    second = publication.file_objection(
        notice, entry, name="乙", contact="b@example.cn", grounds="理由充分，请予核查该单位。"
    )
    wrong = "999999" if emailed_code("b@example.cn") != "999999" else "888888"
    for _ in range(4):
        with pytest.raises(PublicationError):
            publication.verify_objection(second, wrong)
    with raises_zh(PublicationError, "错误次数过多"):
        publication.verify_objection(second, wrong)
    with raises_zh(PublicationError, "已失效"):
        publication.verify_objection(second, emailed_code("b@example.cn"))
    assert set(Objection.objects.filter(pk__in=[first.pk, second.pk]).values_list("status", flat=True)) == {
        "expired"
    }


def _settings() -> Any:
    return settings


def settings_limit(rule: str, scope: str) -> int:
    return int(_settings().RATE_LIMITS[rule][scope][0])


def test_self_registration_is_limited_per_address(world: World) -> None:
    url = reverse("accounts:register")
    allowed = settings_limit("register", "per_address")
    client = Client()
    codes = [
        client.post(
            url, {"name": f"测试企业{n}", "credit_code": f"9132050{n}"}, REMOTE_ADDR=ATTACKER
        ).status_code
        for n in range(allowed + 1)
    ]
    assert codes == [200] * allowed + [429]
