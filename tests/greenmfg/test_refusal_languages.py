"""Refusals outside supervision in the user's language: the review chain (a step's preconditions, the
decisive verdict, an expert's scores), publicity, a submission, a third-party conclusion and the expert
pool each say why in Chinese and English, and so does each detail line, with the place it concerns
(greencore's own English where the line comes from greencore). The pages show the language the user chose;
every refusal changes nothing. (Supervision's: test_supervision_languages.py.)"""

from __future__ import annotations

import html
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from factories import actor, start
from test_applications import complete_answers
from test_evaluations import engaged, evaluator
from test_evaluations import snapshot as evaluation_snapshot
from test_i18n import english, messages_shown
from test_reviews import CALL, self_evaluated_call, who
from test_reviews import submitted as submitted_application
from test_verdict import BODY, city, form, set_call, snapshot, weihai_inputs
from test_verdict import submitted as submitted_with

from greenmfg.applications import services as applications
from greenmfg.applications.models import Application, Dossier
from greenmfg.applications.services import ApplicationError
from greenmfg.audit.models import Event
from greenmfg.catalog.models import Call
from greenmfg.core.errors import Detail
from greenmfg.evaluations import services as evaluations
from greenmfg.evaluations.services import EvaluationError
from greenmfg.orgs import services as orgs
from greenmfg.orgs.models import Organisation
from greenmfg.publication import services as publication
from greenmfg.publication.services import PublicationError
from greenmfg.reviews import selectors, services
from greenmfg.reviews.models import Assignment, Decision, ExpertProfile, ExpertScore
from greenmfg.reviews.services import ReviewError, VerdictRefused


def lines(details: list[Detail]) -> list[tuple[str, str, str]]:
    """Each detail as (Chinese, English, place)."""
    assert all(isinstance(d, Detail) for d in details)
    return [(str(d), d.en, d.place) for d in details]


def shown(client: Client, url: str) -> list[str]:
    """The messages a page shows (after a refused post redirected to it), unescaped."""
    response = client.get(url)
    assert response.status_code == 200
    return [html.unescape(m) for m in messages_shown(response.content.decode())]


def review_snapshot() -> tuple[Any, ...]:
    """test_verdict's snapshot, the panel's assignments and scores, and the number of events (last)."""
    return (
        snapshot(),
        list(Assignment.objects.order_by("pk").values()),
        list(ExpertScore.objects.order_by("pk").values()),
        Event.objects.count(),
    )


def without_events(state: tuple[Any, ...]) -> tuple[Any, ...]:
    """A review snapshot less its counts (test_verdict's snapshot counts the events and the register's
    entries; neither of those changes but the events here)."""
    verdict_state = tuple(x for x in state[0] if not isinstance(x, int))
    return (verdict_state, *state[1:-1])


def events(state: tuple[Any, ...]) -> int:
    return int(state[-1])


# --- reviews: a step's preconditions ------------------------------------------------------------------


def test_a_step_waiting_for_the_third_party_says_so_in_both_languages(world):
    application = submitted_application(world)
    before = review_snapshot()
    with pytest.raises(ReviewError) as refused:
        services.pass_step(who(world, "wz-reviewer"), application, "同意")
    assert lines(refused.value.details) == [
        (
            "本批次须经第三方评价，评价机构尚未出具评价结论",
            "this call requires a third-party evaluation, and the evaluator has not concluded it yet",
            "evaluation",
        )
    ]
    assert refused.value.zh == "本级尚不能通过：本批次须经第三方评价，评价机构尚未出具评价结论"
    assert refused.value.en == (
        "this step cannot pass the application yet: "
        "this call requires a third-party evaluation, and the evaluator has not concluded it yet"
    )
    assert review_snapshot() == before


def test_the_city_step_names_the_missing_credit_check_and_panel_in_english(world):
    self_evaluated_call(world)
    application = submitted_application(world)
    services.pass_step(who(world, "wz-reviewer"), application, "同意")
    before = review_snapshot()
    with pytest.raises(ReviewError) as refused:
        services.pass_step(who(world, "sz-reviewer"), application, "同意")
    assert lines(refused.value.details) == [
        ("尚未记录信用核查结果", "the credit check has not been recorded yet", "credit_check"),
        ("专家评审未完成（已签署 0/3）", "the expert review is not complete (0 of 3 signed)", "panel"),
    ]
    assert review_snapshot() == before
    # the case page: the refusal once, its lines not repeated after a headline that names them already
    url = reverse("reviews:pass", args=[application.public_id])
    case = reverse("reviews:case", args=[application.public_id])
    chinese = world.client("sz-reviewer")
    chinese.post(url, {"reasons": "同意"})
    assert shown(chinese, case) == ["本级尚不能通过：尚未记录信用核查结果；专家评审未完成（已签署 0/3）"]
    client = english(world.client("sz-reviewer"))
    client.post(url, {"reasons": "同意"})
    assert shown(client, case) == [
        "this step cannot pass the application yet: the credit check has not been recorded yet; "
        "the expert review is not complete (0 of 3 signed)"
    ]
    assert review_snapshot() == before
    assert Decision.objects.count() == 1


# --- reviews: the decisive verdict (greencore's reasons) --------------------------------------------


def test_a_failing_verdict_carries_greencores_english_reasons(world):
    set_call("factory-weihai")
    below = submitted_with(world, "sz-machinery", form(weihai_inputs("score_59", procurement_green=0.495)))
    before = review_snapshot()
    with pytest.raises(VerdictRefused) as refused:
        services.pass_step(city(world), below, "同意")
    assert lines(refused.value.details) == [
        ("得分 59.99，低于合格线 60 分", "score 59.99 is below the pass mark 60", "")
    ]
    assert review_snapshot() == before
    client = english(world.client("sz-reviewer"))
    client.post(reverse("reviews:pass", args=[below.public_id]), {"reasons": "同意"})
    assert shown(client, reverse("reviews:case", args=[below.public_id])) == [
        "the self-evaluation fails the scheme; it can only be returned or rejected: "
        "score 59.99 is below the pass mark 60"
    ]
    assert review_snapshot() == before


def test_a_failed_required_item_is_placed_at_its_indicator(world):
    set_call("factory-weihai", third_party=True)
    application = submitted_with(world, "sz-machinery", form(weihai_inputs("score_96")))
    engagement = evaluations.engage(
        actor(world.users["sz-machinery"]), application, Organisation.objects.get(name=BODY).pk
    )
    body = actor(world.users["evaluator"])
    evaluations.save_values(
        body,
        engagement,
        form(
            {
                "metering_basic": 0.5,
                "land_output_lead": 0.8,
                "green_material_lead": 30,
                "pollutant_per_unit_lead": 0.5,
            }
        ),
    )
    evaluations.conclude(body, engagement, "经现场核查，能源计量器具配备不全")
    before = review_snapshot()
    with pytest.raises(VerdictRefused) as refused:
        services.pass_step(city(world), application, "同意")
    assert lines(refused.value.details) == [
        (
            "必选项「计量设备（必选）：按 GB 17167、GB 24789 配备能源与水计量器具并分类计量」未满足",
            "required item 'Metering (mandatory): energy and water meters per GB 17167 / GB 24789, "
            "classified metering' not met",
            "metering_basic",
        )
    ]
    assert review_snapshot() == before


# --- reviews: an expert's scores ----------------------------------------------------------------------


def test_expert_score_errors_and_unscored_indicators_in_both_languages(world):
    self_evaluated_call(world)
    application = submitted_application(world)
    services.pass_step(who(world, "wz-reviewer"), application, "同意")
    assignment = services.form_panel(who(world, "sz-reviewer"), application)[0]
    sheet = selectors.scoring_sheet(application)
    row = sheet[0]
    assert (row["id"], row["label"], row["label_en"], row["max_points"]) == (
        "energy_intensity_product",
        "单位产品综合能耗（按产品能耗加权）",
        "Unit-product energy consumption, weighted by product energy use",
        8,
    )
    expert = actor(assignment.expert.user)
    before = review_snapshot()
    errors = services.save_expert_scores(expert, assignment, {row["id"]: "9", "nope": "1", "renewable": "三"})
    assert lines(errors) == [
        (
            "单位产品综合能耗（按产品能耗加权）：得分须在 0 至 8.00 之间",
            "Unit-product energy consumption, weighted by product energy use: "
            "the points must lie between 0 and 8.00",
            "energy_intensity_product",
        ),
        ("未知指标：nope", "unknown indicator: nope", "nope"),
        ("可再生能源利用率：「三」不是数字", "Renewable energy share: “三” is not a number", "renewable"),
    ]
    assert not ExpertScore.objects.exists()
    saved = review_snapshot()  # the save wrote its own event, and nothing else
    assert (without_events(saved), events(saved)) == (without_events(before), events(before) + 1)
    with pytest.raises(ReviewError) as refused:
        services.sign_scores(expert, assignment)
    assert refused.value.zh.startswith(
        "还有 18 项指标未评分：单位产品综合能耗（按产品能耗加权）、碳排放强度（单位产值碳排放量）、"
    )
    assert refused.value.en.startswith(
        "18 indicator(s) are not scored yet: Unit-product energy consumption, weighted by product energy "
        "use; Carbon intensity (per output value); Renewable energy share; "
    )
    assert lines(refused.value.details) == [(r["label"], r["label_en"], r["id"]) for r in sheet]
    assert lines(refused.value.details)[2] == ("可再生能源利用率", "Renewable energy share", "renewable")
    assert review_snapshot() == saved
    # the scoring page in English
    url = reverse("reviews:expert_score", args=[assignment.public_id])
    client = english(world.client(assignment.expert.user.username))
    page = html.unescape(client.post(url, {f"pt:{row['id']}": "9"}).content.decode())
    assert (
        "Unit-product energy consumption, weighted by product energy use: "
        "the points must lie between 0 and 8.00" in page
    )
    assert "得分须在 0 至" not in page
    client.post(reverse("reviews:expert_sign", args=[assignment.public_id]))
    (message,) = shown(client, url)
    assert message.startswith("18 indicator(s) are not scored yet: Unit-product energy consumption")
    assert "项指标未评分" not in message
    after = review_snapshot()  # the page's save wrote its event; the refused signature nothing
    assert (without_events(after), events(after)) == (without_events(saved), events(saved) + 1)
    assignment.refresh_from_db()
    assert assignment.status == Assignment.Status.ACTIVE and assignment.signed_at is None


# --- publication ----------------------------------------------------------------------------------------


def test_a_notice_held_up_by_a_failing_unit_names_it_in_english(world):
    call = set_call("factory-weihai")
    application = submitted_with(world, "sz-machinery", form(weihai_inputs("score_59")))
    Decision.objects.create(
        application=application,
        step=0,
        level="city",
        authority=city(world).organisation,
        decided_by=world.users["sz-reviewer"],
        outcome=Decision.Outcome.PASSED,
        reasons="旧数据：按裸分数通过",
        score=59,
    )
    Application.objects.filter(pk=application.pk).update(state="in_review")
    before = snapshot()
    with pytest.raises(PublicationError) as refused:
        publication.open_publicity(city(world), call)
    assert lines(refused.value.details) == [
        (
            "苏州示例精密机械有限公司（演示）：得分 59.00，低于合格线 60 分",
            "苏州示例精密机械有限公司（演示）: score 59.00 is below the pass mark 60",
            str(application.public_id),
        )
    ]
    assert snapshot() == before
    url = reverse("publication:open", args=[call.code])
    chinese = world.client("sz-reviewer")
    chinese.post(url)
    assert shown(chinese, reverse("reviews:queue")) == [
        "以下单位据以决定的评价结果不符合评价要求，不能公示或公布，须先退回修改或不予通过",
        "苏州示例精密机械有限公司（演示）：得分 59.00，低于合格线 60 分",
    ]
    client = english(world.client("sz-reviewer"))
    client.post(url)
    assert shown(client, reverse("reviews:queue")) == [
        "some units fail their scheme and cannot be listed or published; return or reject them first",
        "苏州示例精密机械有限公司（演示）: score 59.00 is below the pass mark 60",
    ]
    assert snapshot() == before


# --- applications: a submission's blockers ------------------------------------------------------------


def submission_snapshot() -> tuple[Any, ...]:
    return (
        list(Application.objects.order_by("pk").values()),
        list(Dossier.objects.order_by("pk").values()),
        Event.objects.count(),
    )


def test_a_submission_is_refused_with_each_blocker_in_both_languages_at_its_field(world):
    application = start(world.users["sz-machinery"])
    before = submission_snapshot()
    with pytest.raises(ApplicationError) as refused:
        applications.submit(actor(world.users["sz-machinery"]), application)
    assert (refused.value.zh, refused.value.en) == (
        "尚不能提交，请先补全以下内容。",
        "the application cannot be submitted yet: complete the following first",
    )
    found = lines(refused.value.details)
    assert found[:2] == [
        (
            "原始数据计算未完成：尚未填写原始数据（产值、能源、排放、用水、固废、用地）。",
            "Raw-data calculation incomplete: no raw data yet (output, energy, emissions, water, waste, "
            "land).",
            "",
        ),
        (
            "缺少“依法设立的独立法人、从事制造业生产”",
            "Missing “An independent legal person engaged in manufacturing”",
            "in:gate_legal_person",
        ),
    ]
    # the indicators a missing value affects, and raw-data inputs, by greencore's English names
    assert (
        "缺少“主要产品有国家强制性能耗限额标准”（影响：单位产品综合能耗（按产品能耗加权）、单位产值综合能耗）",
        "Missing “A mandatory energy-consumption limit standard applies” (affects: Unit-product energy "
        "consumption, weighted by product energy use; Energy consumption per output value)",
        "in:has_energy_limit_standard",
    ) in found
    assert (
        "缺少“综合能源消费量”（影响：单位产值综合能耗、可再生能源利用率）",
        "Missing “Comprehensive energy consumption” (affects: Energy consumption per output value; "
        "Renewable energy share)",
        "",
    ) in found
    assert submission_snapshot() == before
    url = reverse("applications:submit", args=[application.public_id])
    back = reverse("applications:dossier", args=[application.public_id])
    client = english(world.client("sz-machinery"))
    client.post(url)
    messages = shown(client, back)
    assert messages[:3] == [
        "the application cannot be submitted yet: complete the following first",
        "Raw-data calculation incomplete: no raw data yet (output, energy, emissions, water, waste, land).",
        "Missing “An independent legal person engaged in manufacturing”",
    ]
    assert not any("缺少" in m for m in messages)
    assert submission_snapshot() == before


def test_missing_evidence_is_named_by_the_indicators_english_name(world):
    call = Call.objects.get(code=CALL)
    call.eligibility = {**(call.eligibility or {}), "evidence_required": ["renewable"]}
    call.save()
    draft = start(world.users["sz-energy"])
    applications.save_answers(actor(world.users["sz-energy"]), draft, complete_answers())
    before = submission_snapshot()
    with pytest.raises(ApplicationError) as refused:
        applications.submit(actor(world.users["sz-energy"]), draft)
    assert lines(refused.value.details) == [
        ("缺少佐证材料：可再生能源利用率", "Evidence missing: Renewable energy share", "renewable")
    ]
    assert submission_snapshot() == before


# --- evaluations: an incomplete conclusion --------------------------------------------------------------


def test_an_incomplete_conclusion_names_each_gap_in_english(world):
    engagement = engaged(world)
    ev = evaluator(world)
    evaluations.save_values(ev, engagement, {"in:gate_qms": ""})
    before = evaluation_snapshot()
    with pytest.raises(EvaluationError) as refused:
        evaluations.conclude(ev, engagement, "符合")
    assert (refused.value.zh, refused.value.en) == (
        "评价数据尚不完整，不能出具结论。",
        "the evaluation data are incomplete: no conclusion can be given yet",
    )
    assert lines(refused.value.details) == [
        (
            "缺少“建立并运行质量管理体系（GB/T 19001）”",
            "Missing “Quality management system (GB/T 19001)”",
            "in:gate_qms",
        )
    ]
    assert evaluation_snapshot() == before
    client = english(world.client("evaluator"))
    client.post(reverse("evaluations:conclude", args=[engagement.public_id]), {"conclusion": "符合"})
    assert shown(client, reverse("evaluations:detail", args=[engagement.public_id])) == [
        "the evaluation data are incomplete: no conclusion can be given yet",
        "Missing “Quality management system (GB/T 19001)”",
    ]
    assert evaluation_snapshot() == before


# --- orgs and the expert pool: a refusal on its field, in the user's language -------------------------


def test_an_employer_outside_the_jurisdiction_is_refused_in_english_on_its_field(world):
    def pool() -> tuple[Any, ...]:
        return (
            list(Organisation.objects.order_by("pk").values("pk", "name")),
            list(ExpertProfile.objects.order_by("pk").values()),
            Event.objects.count(),
        )

    before = pool()
    with pytest.raises(orgs.AdminRefused) as refused:
        orgs.open_institution(actor(world.users["sz-reviewer"]), name="无锡某所", region_code="320205")
    assert (refused.value.zh, refused.value.en, refused.value.field) == (
        "行政区划 320205 不在本部门辖区内。",
        "the division 320205 lies outside this bureau's jurisdiction",
        "employer_region",
    )
    posted = {
        "employer": "",
        "employer_name": "无锡某所",
        "employer_region": "320205",
        "display_name": "吴九",
        "title": "研究员",
        "fields": ["carbon"],
        "username": "expert-wu",
        "email": "",
    }
    page = html.unescape(
        english(world.client("sz-reviewer")).post(reverse("reviews:expert_new"), posted).content.decode()
    )
    assert "the division 320205 lies outside this bureau's jurisdiction" in page
    assert "不在本部门辖区内" not in page
    chinese = html.unescape(
        world.client("sz-reviewer").post(reverse("reviews:expert_new"), posted).content.decode()
    )
    assert "行政区划 320205 不在本部门辖区内。" in chinese
    assert pool() == before
