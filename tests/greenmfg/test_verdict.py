"""Issue 11 — the verdict travels with the application: every decision point decides on the decisive result's
whole outcome (greencore `verdict`), a failing application can only be returned or rejected, refusals change
nothing, and no failing result ever reaches publicity, an announcement or the register.

Scores are hand-worked from the GB/T 36132-2018 worked examples (tests/greencore/schemes/conftest.py):
`score_59` = 41 + 0 + 18, `score_80` = 82 − 2 (绿色采购), `score_96` = 41 + 29 + 26; 绿色采购 is worth 2 points,
so a degree of 0.495 adds 0.99 and 0.5 adds 1.00."""

from __future__ import annotations

import importlib.util
from contextlib import contextmanager
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from factories import actor, pdf_bytes, start, suzhou_answers
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from greencore import (
    compiled,
    conferred_grade,
    conferred_inputs,
    get_scheme,
    grade_for_score,
    ladder_of_call,
    score,
    unmet_prerequisites,
)
from greenmfg.applications import services as applications
from greenmfg.applications.models import Application
from greenmfg.audit.models import Event
from greenmfg.catalog.models import Call
from greenmfg.evaluations import services as evaluations
from greenmfg.orgs.models import Organisation
from greenmfg.orgs.selectors import Actor
from greenmfg.publication import services as publication
from greenmfg.publication.models import Announcement, PublicityEntry, PublicityNotice, Title
from greenmfg.publication.services import PublicationError
from greenmfg.register.models import RegisterEntry
from greenmfg.reviews import selectors, services
from greenmfg.reviews.models import Decision
from greenmfg.reviews.services import ReviewError, VerdictRefused

_examples = importlib.util.spec_from_file_location(
    "factory2018_examples", Path(__file__).resolve().parents[1] / "greencore" / "schemes" / "conftest.py"
)
assert _examples is not None and _examples.loader is not None
_module = importlib.util.module_from_spec(_examples)
_examples.loader.exec_module(_module)
factory2018 = _module._factory2018

CALL = "suzhou-2026-factory"
ONE_STEP = [{"level": "city", "days": 30, "publicity_days": 7}]
SUZHOU_CHAIN = [{"level": "district", "days": 20}, {"level": "city", "days": 30, "publicity_days": 7}]
# Jiangsu's provincial call on Suzhou's ladder: district and city forward, the province grants 4A (seeds/003)
PROVINCIAL_CHAIN = [
    {"level": "district", "days": 20},
    {"level": "city", "days": 20},
    {"level": "province", "days": 30, "publicity_days": 7},
]
WEIHAI_GATES = (
    "weihai_legal_person",
    "weihai_competitive",
    "weihai_green_body",
    "weihai_plan",
    "weihai_certifications",
    "weihai_performance",
    "weihai_no_accident",
)
BODY = "江苏示例绿色发展评价中心（演示）"


def form(inputs: dict[str, Any]) -> dict[str, str]:
    return {f"in:{k}": ("是" if v is True else "否" if v is False else str(v)) for k, v in inputs.items()}


def weihai_inputs(variant: str, **changes: Any) -> dict[str, Any]:
    return {**factory2018(variant), **dict.fromkeys(WEIHAI_GATES, True), **changes}


def set_call(
    scheme_id: str, *, chain: list[dict[str, Any]] = ONE_STEP, third_party: bool = False, level: str = "city"
) -> Call:
    """The demo call under `scheme_id` with `chain`; `level` "province" makes it Jiangsu's provincial call."""
    call = Call.objects.get(code=CALL)
    scheme = get_scheme(scheme_id)
    call.scheme_id, call.scheme_version = scheme.id, scheme.version
    if level == "province":
        call.level, call.region_id = "province", "320000"
    call.review_chain = chain
    call.requires_third_party = third_party
    call.save()
    return call


def submitted(world: Any, username: str, values: dict[str, str]) -> Application:
    user = world.users[username]
    application = start(user, CALL)
    applications.save_answers(actor(user), application, values)
    return applications.submit(actor(user), application)


def city(world: Any) -> Any:
    return actor(world.users["sz-reviewer"])


def district(world: Any) -> Any:
    return actor(world.users["wz-reviewer"])


def province(world: Any) -> Any:
    return actor(world.users["js-reviewer"])


def snapshot() -> tuple[Any, ...]:
    """Everything a decision, a notice or a publication could write: a refusal leaves all of it as it was."""
    return (
        list(Application.objects.order_by("pk").values()),
        list(Decision.objects.order_by("pk").values()),
        list(PublicityNotice.objects.order_by("pk").values()),
        list(PublicityEntry.objects.order_by("pk").values()),
        list(Announcement.objects.order_by("pk").values()),
        list(Title.objects.order_by("pk").values()),
        RegisterEntry.objects.count(),
        Event.objects.count(),
    )


@contextmanager
def refused(kind: type[Exception], text: str):
    """The step is refused with `text` in its Chinese message, and nothing changes."""
    before = snapshot()
    with pytest.raises(kind) as caught:
        yield caught
    assert text in caught.value.zh, caught.value.zh  # type: ignore[attr-defined]
    assert snapshot() == before


def case_page(world: Any, application: Application) -> str:
    response = world.client("sz-reviewer").get(reverse("reviews:case", args=[application.public_id]))
    assert response.status_code == 200
    return response.content.decode()


# --- the boundaries ---------------------------------------------------------------------------------


def test_weihai_59_99_can_only_be_returned_or_rejected_and_60_goes_on(world):
    set_call("factory-weihai")
    below = submitted(world, "sz-machinery", form(weihai_inputs("score_59", procurement_green=0.495)))
    at = submitted(world, "sz-energy", form(weihai_inputs("score_59", procurement_green=0.5)))

    with refused(VerdictRefused, "得分 59.99，低于合格线 60 分") as caught:
        services.pass_step(city(world), below, "同意")
    assert caught.value.zh.startswith("企业自评价结果不符合评价要求，只能退回修改或不予通过")
    page = case_page(world, below)
    assert "得分 59.99，低于合格线 60 分" in page and 'id="only-return-or-reject"' in page
    assert 'id="decide-pass"' not in page and "不符合评价要求" in page

    decision = services.pass_step(city(world), at, "同意")
    assert (decision.score, decision.detail["verdict"]["passed"]) == (Decimal("60.00"), True)
    assert decision.detail["verdict"]["reasons"] == "得分 60.00，符合评价要求"
    services.reject_step(city(world), below, "得分未达合格线")
    notice = publication.open_publicity(city(world), at.call)
    assert list(notice.entries.values_list("application", "score")) == [(at.pk, Decimal("60.00"))]


def test_xx_city_80_is_not_above_the_mark_and_80_01_is(world):
    set_call("factory-xx-city")
    at = submitted(world, "sz-machinery", form(factory2018("score_80")))
    above = submitted(world, "sz-energy", form({**factory2018("score_80"), "procurement_green": 0.005}))
    with refused(VerdictRefused, "得分 80.00，未高于合格线 80 分"):
        services.pass_step(city(world), at, "同意")
    assert services.pass_step(city(world), above, "同意").score == Decimal("80.01")


def test_a_third_party_result_failing_a_basic_requirement_stops_a_95(world):
    """The evaluator finds the metering (计量设备, 必选, 6 points) only half in place, and three lead values
    easier than the applicant read them: 96 − 3 + 0.5 (A.3 land output, lead 0.8) + 1.0 (A.4 green
    material, lead 30) + 0.5 (A.5 pollutants, lead 0.5) = 95.00. The self-evaluation's 96 does not decide,
    the third party's result does, and the page names the requirement."""
    set_call("factory-weihai", third_party=True)
    application = submitted(world, "sz-machinery", form(weihai_inputs("score_96")))
    applicant = actor(world.users["sz-machinery"])
    engagement = evaluations.engage(applicant, application, Organisation.objects.get(name=BODY).pk)
    body = actor(world.users["evaluator"])
    found_values = {
        "metering_basic": 0.5,
        "land_output_lead": 0.8,
        "green_material_lead": 30,
        "pollutant_per_unit_lead": 0.5,
    }
    evaluations.save_values(body, engagement, form(found_values))
    evaluations.conclude(body, engagement, "经现场核查，能源计量器具配备不全")
    found = selectors.decisive_verdict(application)
    assert found is not None
    assert (found.basis.value, found.score, found.eligible, found.grade) == (
        "third_party",
        Decimal("95.00"),
        False,
        "",
    )
    requirement = "必选项「计量设备（必选）：按 GB 17167、GB 24789 配备能源与水计量器具并分类计量」未满足"
    assert found.reasons_zh == requirement
    with refused(VerdictRefused, requirement):
        services.pass_step(city(world), application, "同意")
    page = case_page(world, application)
    assert "本级据以决定的评价结果（第三方评价）" in page and "不符合评价要求" in page
    assert "计量设备（必选）：按 GB 17167、GB 24789 配备能源与水计量器具并分类计量" in page
    assert 'id="decide-pass"' not in page and ">95.00<" in page
    services.return_step(city(world), application, "计量器具须补齐后重新评价", [], timezone.localdate())


def test_a_failing_application_passed_before_this_rule_is_never_listed(world):
    """Data from before the rule (a pass recorded on a bare score) cannot reach publicity: the notice is
    refused, naming the unit and why, and nothing is written."""
    call = set_call("factory-weihai")
    application = submitted(world, "sz-machinery", form(weihai_inputs("score_59")))
    Decision.objects.create(
        application=application,
        step=0,
        level="city",
        authority=city(world).organisation,
        decided_by=world.users["sz-reviewer"],
        outcome=Decision.Outcome.PASSED,
        reasons="旧数据：按裸分数通过",
        score=Decimal("59.00"),
    )
    Application.objects.filter(pk=application.pk).update(state="in_review")
    assert [a.pk for a in selectors.passed_at_last_step(city(world), call)] == [application.pk]
    with refused(PublicationError, "不能公示或公布") as caught:
        publication.open_publicity(city(world), call)
    assert caught.value.details == ["苏州示例精密机械有限公司（演示）：得分 59.00，低于合格线 60 分"]


def test_suzhou_grades_from_the_decisive_result_and_its_prerequisite(world):
    """Suzhou (seeds/003): the verdict carries the grade of the decisive result; 3A's prerequisite (2A held)
    caps it. The city grants only 3A (2A is the district's, greencore's grading ladder): a capped 2A cannot
    be passed at a city step, and the page says which level grades it. (The district's own grading:
    tests/greenmfg/test_district_grading.py.)"""
    set_call("factory-suzhou")
    values = {**suzhou_answers(), "in:held_grade": "1A"}
    application = submitted(world, "sz-machinery", values)
    expected = score(
        get_scheme("factory-suzhou"), {k[3:]: v for k, v in values.items() if k.startswith("in:")}
    )
    found = selectors.decisive_verdict(application)
    assert found is not None and not found.allowed
    assert found.grade == expected.grade == "2A"
    assert found.reasons[1][0] == "得分达到3A级绿色工厂（市级）分数线，但申报3A级须已获评2A级"
    assert found.reasons[-1][0] == (
        "2A级绿色工厂不在本级（市级）及以后环节评定：该等级由区县级主管部门评定；本批次评定 3A"
    )
    page = case_page(world, application)
    assert "2A级绿色工厂" in page and "申报3A级须已获评2A级" in page and "该等级由区县级主管部门评定" in page
    with refused(VerdictRefused, "该等级由区县级主管部门评定"):
        services.pass_step(city(world), application, "同意")


# --- the property -------------------------------------------------------------------------------------


class _Rollback(Exception):
    pass


REQUIRED = frozenset(_module.FACTORY2018_REQUIRED)
OPTIONAL = frozenset(_module.FACTORY2018_OPTIONAL)
SUZHOU_INPUTS: dict[str, Any] = {k[3:]: v for k, v in suzhou_answers().items() if k.startswith("in:")}
SUZHOU_DEGREES = frozenset(
    key for key, spec in compiled(get_scheme("factory-suzhou")).inputs.items() if spec.kind.value == "degree"
)


@st.composite
def applications_of_schemes(draw: Any) -> tuple[str, str, dict[str, Any]]:
    """A scheme (no grades, pass_above, graded with prerequisites), the level of the call (Suzhou's ladder
    also under Jiangsu's provincial call, which confers 4A) and a self-evaluation of it: the worked examples
    with random degrees on optional items, sometimes a required item short of 1."""
    scheme_id = draw(st.sampled_from(["factory-weihai", "factory-xx-city", "factory-suzhou"]))
    level = draw(st.sampled_from(["city", "province"])) if scheme_id == "factory-suzhou" else "city"
    degree = st.decimals(min_value=0, max_value=1, places=3).map(float)
    if scheme_id == "factory-suzhou":
        inputs: dict[str, Any] = dict(SUZHOU_INPUTS)
        inputs["held_grade"] = draw(st.sampled_from(["none", "1A", "2A", "3A"]))
        optional = sorted(k for k in SUZHOU_DEGREES if k not in REQUIRED)
    else:
        inputs = factory2018(draw(st.sampled_from(["score_59", "score_67", "score_80", "base"])))
        optional = sorted(OPTIONAL)
    inputs.update({key: draw(degree) for key in draw(st.sets(st.sampled_from(optional), max_size=8))})
    if scheme_id == "factory-weihai":
        # a failed gate cannot even be submitted (a submission blocker); a required item short of 1 can
        inputs.update(dict.fromkeys(WEIHAI_GATES, True))
    if draw(st.integers(0, 3)) == 0:
        inputs["metering_basic"] = draw(st.decimals(min_value=0, max_value="0.99", places=2).map(float))
    return scheme_id, level, inputs


@settings(max_examples=24, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=applications_of_schemes())
# always walked: Jiangsu's provincial call granting 4A (3A held) and refusing the same unit with 2A held
@example(case=("factory-suzhou", "province", {**SUZHOU_INPUTS, "held_grade": "3A"}))
@example(case=("factory-suzhou", "province", SUZHOU_INPUTS))
def test_no_failing_decisive_result_reaches_publicity_or_the_register(world, case):
    """No application whose decisive result fails its scheme's outcome (as this call may grant it) reaches
    publicity, an announcement or the register, and every granted title's grade is the verdict's: the score
    band the decisive score reaches (`grade_for_score`, prerequisites applied), or — under a call that
    confers a status grade (Jiangsu's provincial call on Suzhou's ladder) — that grade."""
    scheme_id, level, inputs = case
    scheme = get_scheme(scheme_id)
    # the oracle: the engine's own outcome of the same inputs, graded as if granted what the call confers
    decided = {**inputs, **conferred_inputs(scheme, level)}
    engine = score(scheme, decided)
    allowed = bool(engine.passed) and (engine.grade is not None or not scheme.outcome.grades)
    # a grade no level of the chain grants (Suzhou 4A/5A under a city call; 3A under a provincial one)
    ladder = ladder_of_call(scheme, level)
    chain = PROVINCIAL_CHAIN if level == "province" else SUZHOU_CHAIN if ladder is not None else ONE_STEP
    levels = [step["level"] for step in chain]
    allowed = allowed and (ladder is None or any(ladder.grants(lv, engine.grade or "") for lv in levels))
    event(f"{scheme_id} ({level}): {'granted ' + (engine.grade or '') if allowed else 'refused'}")
    try:
        with transaction.atomic():
            call = set_call(scheme_id, chain=chain, level=level)
            application = submitted(world, "sz-machinery", form(inputs))
            first = district(world) if ladder is not None else city(world)
            if not allowed:
                with refused(VerdictRefused, "只能退回修改或不予通过"):
                    services.pass_step(first, application, "同意")
                for bureau in (first, city(world), province(world)):
                    # nothing to list, or (a bureau whose level grants nothing under this call) no step to list
                    before = snapshot()
                    with pytest.raises((PublicationError, PermissionDenied)) as caught:
                        publication.open_publicity(bureau, call)
                    assert isinstance(caught.value, PermissionDenied) or "没有可公示的申报" in caught.value.zh
                    assert snapshot() == before
                assert (
                    not Title.objects.exists()
                    and not RegisterEntry.objects.filter(
                        unit_name=application.applicant.name, source_key__startswith="title:"
                    ).exists()
                )
            else:
                # every step passes it on until the one whose level grants the grade
                grantor = levels[-1] if ladder is None else ladder.level_of(engine.grade or "")
                bureaus = {"district": district(world), "city": city(world), "province": province(world)}
                for step_level in levels[: levels.index(grantor or levels[-1]) + 1]:
                    services.pass_step(
                        bureaus[step_level], Application.objects.get(pk=application.pk), "同意"
                    )
                granting = bureaus[grantor or levels[-1]]
                notice = publication.open_publicity(granting, call)
                publication.publish(granting, notice, today=notice.closes_on + timedelta(days=1))
                title = Title.objects.get(application=application)
                assert (
                    title.level
                    == {"district": "district", "city": "city", "province": "province"}[grantor or levels[-1]]
                )
                decisive = selectors.decisive_verdict(application, selectors.chain_of(call)[notice.step])
                assert decisive is not None and decisive.score == engine.score
                status = conferred_grade(scheme, level)
                band = status or grade_for_score(scheme, decisive.score, unmet_prerequisites(scheme, decided))
                assert (
                    title.grade
                    == decisive.grade
                    == (band.id if band is not None else "")
                    == (engine.grade or "")
                )
                assert not scheme.outcome.grades or title.grade
            raise _Rollback
    except _Rollback:
        pass


# --- ranking across a call ('XX市': above 80 and among the top 30) -------------------------------------


def enterprise(world: Any, index: int) -> Any:
    """One more enterprise of 吴中区 with the applicant's login acting for it (the ranking is the subject)."""
    organisation = Organisation.objects.create(
        kind="enterprise", name=f"排名测试企业{index:02d}（演示）", region_id="320506"
    )
    return Actor(world.users["sz-machinery"], organisation, "applicant")


def apply_as(who: Any, call: Call, inputs: dict[str, Any]) -> Application:
    application = applications.start_application(who, call)
    applications.save_answers(who, application, form(inputs))
    return applications.submit(who, application)


def test_xx_city_ranks_the_whole_call_and_the_31st_tied_with_the_30th_is_selected(world):
    """The last step selects: 29 scores above the tie, two tied at 80.60 (rank 30, both in), one at 80.40
    (rank 32, out); 80.00 is not above 80 and a failed 计量设备 never reaches the ranking. 绿色采购 is worth 2
    points over `score_80`, so a degree d scores 80 + 2d."""
    chain = [{"level": "city", "days": 30, "forward": {"above": 80, "top": 30}, "publicity_days": 7}]
    call = set_call("factory-xx-city", chain=chain)
    degrees = [Decimal(60 - k) / 100 for k in range(29)] + [Decimal("0.30")] * 2 + [Decimal("0.20")]
    pool = []
    for index, degree in enumerate(degrees):
        application = apply_as(
            enterprise(world, index), call, {**factory2018("score_80"), "procurement_green": degree}
        )
        services.pass_step(city(world), application, "同意")
        pool.append(application)
    at_80 = apply_as(enterprise(world, 40), call, factory2018("score_80"))
    metering = apply_as(enterprise(world, 41), call, {**factory2018("score_96"), "metering_basic": 0.5})
    with refused(VerdictRefused, "得分 80.00，未高于合格线 80 分"):
        services.pass_step(city(world), at_80, "同意")
    with refused(VerdictRefused, "必选项「计量设备（必选）"):
        services.pass_step(city(world), metering, "同意")
    # nothing is listed before the selection is confirmed
    assert selectors.passed_at_last_step(city(world), call) == []

    before = snapshot()
    page = (
        world.client("sz-reviewer").get(reverse("reviews:forwarding", args=[call.code, 0])).content.decode()
    )
    assert snapshot() == before  # the preview writes nothing
    assert page.count("排名第 30 位，符合入选条件") == 2
    assert "得分 80.40，排名第 32 位" not in page and "排名第 32 位，未进入前 30 名" in page
    assert "得分 81.20，排名第 1 位，符合入选条件" in page
    assert 'id="undecided"' in page  # the two refused ones are still undecided at the step

    made = services.run_forwarding(city(world), call, 0)
    by_pk = {d.application_id: d for d in made}
    assert [by_pk[a.pk].detail["rank"] for a in pool] == [*range(1, 30), 30, 30, 32]
    assert [by_pk[a.pk].outcome for a in pool] == ["passed"] * 31 + ["not_forwarded"]
    assert by_pk[pool[-1].pk].reasons == "排名第 32 位，未进入前 30 名"
    assert Application.objects.get(pk=pool[-1].pk).state == "rejected"
    listed = selectors.passed_at_last_step(city(world), call)
    assert sorted(a.pk for a in listed) == sorted(a.pk for a in pool[:31])
    notice = publication.open_publicity(city(world), call)
    assert notice.entries.count() == 31


# --- the meeting (会议讨论, 'XX市') ------------------------------------------------------------------------


def minutes_pdf() -> SimpleUploadedFile:
    return SimpleUploadedFile("会议纪要.pdf", pdf_bytes("minutes"), content_type="application/pdf")


def test_a_meeting_step_passes_only_after_a_meeting_that_agreed(world):
    chain = [{"level": "city", "days": 30, "meeting": True, "publicity_days": 7}]
    set_call("factory-weihai", chain=chain)
    application = submitted(world, "sz-machinery", form(weihai_inputs("score_67")))
    bureau = city(world)
    with refused(ReviewError, "尚未记录会议讨论"):
        services.pass_step(bureau, application, "同意")
    today = timezone.localdate()
    meeting = {
        "held_on": today,
        "attendees": "张三、李四、王五",
        "outcome": "declined",
        "decision": "材料存疑，暂缓",
    }
    with refused(ReviewError, "会议日期不能晚于今天"):
        services.record_meeting(
            bureau, application, **{**meeting, "held_on": today + timedelta(days=1)}, minutes=minutes_pdf()
        )
    with refused(ReviewError, "请上传会议纪要"):
        services.record_meeting(bureau, application, **meeting, minutes=None)
    hostile = SimpleUploadedFile("会议纪要.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    before = snapshot()
    with pytest.raises(ReviewError):
        services.record_meeting(bureau, application, **meeting, minutes=hostile)
    # the checked-file service records its refusal, once; nothing else is written
    after = snapshot()
    assert after[:-1] == before[:-1] and after[-1] == before[-1] + 1 and not application.meetings.exists()
    assert Event.objects.order_by("-pk").values_list("action", flat=True)[0] == "reviews.minutes_rejected"
    services.record_meeting(bureau, application, **meeting, minutes=minutes_pdf())
    with refused(ReviewError, "未同意：材料存疑，暂缓"):
        services.pass_step(bureau, application, "同意")
    agreed = services.record_meeting(
        bureau,
        application,
        **{**meeting, "outcome": "agreed", "decision": "同意列入名单"},
        minutes=minutes_pdf(),
    )
    assert (agreed.held_on, agreed.attendees, len(agreed.minutes_sm3)) == (today, "张三、李四、王五", 64)
    page = case_page(world, application)
    assert "同意列入名单" in page and "张三、李四、王五" in page and 'id="meeting-result"' in page
    assert services.pass_step(bureau, application, "同意").outcome == "passed"
