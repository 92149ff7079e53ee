"""Supervision's refusals in the user's language (issue 13): each says why in Chinese and English — and its
detail lines too, each with the place it concerns — and the pages show the language the user chose:
spot checks, rectification, revocation, the three-year ban, re-grading. Every refusal changes nothing."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.test import Client
from django.utils import translation
from factories import actor
from supervision_world import grant_title
from test_i18n import english
from test_supervision import _open_call, _travel

from greenmfg.applications import services as applications
from greenmfg.applications.services import ApplicationError
from greenmfg.audit.models import Event
from greenmfg.core.errors import Detail, Refused
from greenmfg.core.i18n import localized
from greenmfg.publication.models import Title
from greenmfg.supervision import services
from greenmfg.supervision.models import Check, Rectification, RegradeJob


def snapshot() -> tuple[Any, ...]:
    return (
        list(Check.objects.order_by("pk").values()),
        list(Rectification.objects.order_by("pk").values()),
        list(Title.objects.order_by("pk").values("pk", "status")),
        Event.objects.count(),
    )


def _english(world: Any, who: str) -> Client:
    return english(world.client(who))


def test_a_detail_is_its_chinese_text_and_carries_its_place_and_english():
    class Problem:
        indicator, zh, en = "water_intake_m3", "“取水量”未填写。", "“Water intake” is missing."

    refused = Refused("数据有误。", "correct the data first", details=[Problem(), "只有中文的一行"])
    first, second = refused.details
    assert (first, first.place, first.en) == (
        "“取水量”未填写。",
        "water_intake_m3",
        "“Water intake” is missing.",
    )
    assert isinstance(first, str) and "；".join(refused.details) == "“取水量”未填写。；只有中文的一行"
    assert (second.en, second.place) == ("只有中文的一行", "")  # English falls back to the Chinese
    assert Detail.of(first) is first
    with translation.override("zh-hans"):
        assert localized(first) == "“取水量”未填写。"
    with translation.override("en"):
        assert localized(first) == "“Water intake” is missing."


def test_spot_check_rectification_and_revocation_refusals_are_shown_in_english(world):
    title = grant_title(world)
    bureau = actor(world.users["sz-reviewer"])
    with _travel(date(2027, 1, 10)):
        check = services.draw(
            bureau, purpose="spot_check", title_kind="factory", size=1, seed="en"
        ).checks.get()
    before = snapshot()
    # a spot check concluded without a finding
    page = _english(world, "sz-reviewer").post(
        f"/supervision/checks/{check.public_id}/conclude/", follow=True
    )
    text = page.content.decode()
    assert "record the findings first" in text and "请先记录检查发现" not in text
    assert (
        world.client("sz-reviewer")
        .post(f"/supervision/checks/{check.public_id}/conclude/", follow=True)
        .content.decode()
        .count("请先记录检查发现。")
        == 1
    )
    # a measured value that is no number, named by the indicator's English name
    response = _english(world, "sz-reviewer").post(
        f"/supervision/checks/{check.public_id}/finding/",
        {"conforms": "no", "text": "能源计量器具配备不全", "m:total_energy_tce": "八千"},
        follow=True,
    )
    assert response.status_code == 200
    assert "the measured value of “Comprehensive energy consumption” must be a number: 八千" in (
        response.content.decode()
    )
    assert snapshot() == before
    # a rectification answered too briefly
    with _travel(date(2027, 1, 10)):
        services.record_finding(bureau, check, conforms=False, text="能源计量器具配备不全")
        services.conclude_check(bureau, check)
    rectification = Rectification.objects.get(check_of=check)
    before = snapshot()
    text = (
        _english(world, "sz-machinery")
        .post(f"/supervision/rectifications/{rectification.public_id}/answer/", {"text": "已改"}, follow=True)
        .content.decode()
    )
    assert "describe the rectification (10 characters)" in text and "请写明整改情况" not in text
    # revoking before the due day, and an immediate revocation without its facts
    text = (
        _english(world, "sz-reviewer")
        .post(f"/supervision/rectifications/{rectification.public_id}/revoke/", follow=True)
        .content.decode()
    )
    assert f"the rectification is due on {rectification.due_on}: revoke only after it" in text
    response = _english(world, "sz-reviewer").post(
        f"/supervision/titles/{title.public_id}/revoke/", {"reason": "major_accident", "details": "事故"}
    )
    text = response.content.decode()
    assert response.status_code == 400 and "state the facts behind the revocation" in text
    assert "请写明撤销的事实依据" not in text
    assert snapshot() == before


def test_the_three_year_ban_refuses_in_english_naming_the_title_and_the_day(world):
    title = grant_title(world)
    with _travel(date(2027, 5, 6)):
        services.revoke(
            actor(world.users["sz-reviewer"]), title, reason="major_accident", details="较大环境污染事故"
        )
    call = _open_call("suzhou-2026-factory", date(2030, 1, 1), date(2030, 12, 31))
    with _travel(date(2030, 5, 5)), pytest.raises(ApplicationError) as refused:
        applications.start_application(actor(world.users["sz-machinery"]), call)
    assert refused.value.en == (
        "the unit's city green factory title was revoked on 2027-05-06: "
        "it may not apply again at this level before 2030-05-06"
    )


def test_the_regrading_outcome_is_shown_in_the_users_language(world):
    job = RegradeJob.objects.create(
        authority=world.users["sz-reviewer"].membership.organisation,
        year=2027,
        status="done",
        progress=100,
        message="3 家评定绿码等级，1 家不评定",
        message_en="3 graded, 1 without a grade",
        created_by=world.users["sz-reviewer"],
    )
    url = f"/supervision/regrade/{job.pk}/"
    assert '<p class="hint" id="regrade-outcome">3 家评定绿码等级，1 家不评定</p>' in (
        world.client("sz-reviewer").get(url).content.decode()
    )
    assert '<p class="hint" id="regrade-outcome">3 graded, 1 without a grade</p>' in (
        _english(world, "sz-reviewer").get(url).content.decode()
    )
