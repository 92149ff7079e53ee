"""Issue 11 — resubmission after a return: the third-party evaluation and the signed expert scores that rest
on changed items are stale, the step waits (refused with the reason, nothing written) until the evaluator
or the experts confirm or score again, and reviewers see what changed between the versions."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from factories import actor, pdf_bytes
from test_reviews import submitted as submitted_example
from test_reviews import through_panel
from test_verdict import BODY, city, form, refused, set_call, submitted, weihai_inputs

from greenmfg.applications import services as applications
from greenmfg.applications.models import Application
from greenmfg.applications.selectors import resubmission_changes
from greenmfg.audit.models import Event
from greenmfg.catalog.models import Call
from greenmfg.evaluations import services as evaluations
from greenmfg.evaluations.models import EngagementStatus
from greenmfg.evaluations.services import EvaluationError
from greenmfg.orgs.models import Organisation
from greenmfg.reviews import selectors, services
from greenmfg.reviews.models import Assignment, Decision
from greenmfg.reviews.services import ReviewError


def resubmit(world: Any, application: Application, username: str, values: dict[str, str]) -> Application:
    owner = actor(world.users[username])
    applications.save_answers(owner, application, values)
    return applications.submit(owner, application)


def evaluated(world: Any) -> tuple[Application, Any]:
    """Weihai with a third party: the applicant's 96, the evaluator's 96 too (its values are the applicant's),
    concluded on version 1; the city returns it and the applicant lowers 绿色采购 from 1 to 0.5 (−1 point)."""
    set_call("factory-weihai", third_party=True)
    application = submitted(world, "sz-machinery", form(weihai_inputs("score_96")))
    engagement = evaluations.engage(
        actor(world.users["sz-machinery"]), application, Organisation.objects.get(name=BODY).pk
    )
    body = actor(world.users["evaluator"])
    evaluations.save_values(body, engagement, form(weihai_inputs("score_96")))
    evaluations.conclude(body, engagement, "各项指标与佐证材料相符")
    services.return_step(city(world), application, "绿色采购比例请按合同核实", [], timezone.localdate())
    resubmit(world, application, "sz-machinery", {"in:procurement_green": "0.5"})
    engagement.refresh_from_db()
    return application, engagement


PROCUREMENT = "向供方提供包括有害物质使用、可回收材料使用、能效等环保要求的采购信息（可选）"
STALE_TP = f"第三方评价依据第 1 版，申报单位已修改（{PROCUREMENT}），须评价机构确认或重新评价"


def test_a_third_party_evaluation_resting_on_a_changed_answer_waits_for_the_evaluator(world):
    application, engagement = evaluated(world)
    changes = resubmission_changes(application)
    assert changes is not None
    assert [(c.key, c.before, c.after) for c in changes.answers] == [("in:procurement_green", "1", "0.5")]
    assert (changes.score_before, changes.score_after) == (Decimal("96.00"), Decimal("95.00"))
    assert [(c.before, c.after) for c in changes.indicators] == [(Decimal("2.00"), Decimal("1.00"))]

    with refused(ReviewError, STALE_TP) as caught:
        services.pass_step(city(world), application, "同意")
    assert caught.value.details == [STALE_TP]

    page = world.client("sz-reviewer").get(reverse("reviews:case", args=[application.public_id]))
    text = page.content.decode()
    assert 'id="stale-results"' in text and STALE_TP in text
    assert "第 1 版与第 2 版的差异" in text
    assert f"<tr><td>{PROCUREMENT}</td><td>1</td><td>0.5</td></tr>" in text
    assert "96.00 → <strong>95.00</strong>" in text

    body = actor(world.users["evaluator"])
    evaluator_page = world.client("evaluator").get(reverse("evaluations:detail", args=[engagement.public_id]))
    assert 'id="confirm-evaluation"' in evaluator_page.content.decode()
    before = Event.objects.count()
    with pytest.raises(EvaluationError, match="a confirmation needs a note"):
        evaluations.review_resubmission(body, engagement, "confirm", "  ")
    assert Event.objects.count() == before
    evaluations.review_resubmission(
        body, engagement, "confirm", "绿色采购按合同核实为 50%，原结论其余部分不变"
    )
    engagement.refresh_from_db()
    assert (engagement.status, engagement.dossier.number) == (EngagementStatus.CONCLUDED, 2)
    assert selectors.stale_results(application, selectors.current_step(application)) == []
    # confirmed, the evaluator's own values decide: they still say 96
    decision = services.pass_step(city(world), application, "同意")
    assert (decision.score, decision.detail["source"]) == (Decimal("96.00"), "第三方评价")
    with pytest.raises(EvaluationError, match="submitted no newer version"):
        evaluations.review_resubmission(body, engagement, "confirm", "再次确认")


def test_the_evaluator_rescoring_keeps_the_step_waiting_until_it_concludes_again(world):
    application, engagement = evaluated(world)
    body = actor(world.users["evaluator"])
    evaluations.review_resubmission(body, engagement, "rescore")
    engagement.refresh_from_db()
    assert engagement.status == EngagementStatus.ENGAGED
    with refused(ReviewError, "评价机构正在对修改后的申报重新评价") as caught:
        services.pass_step(city(world), application, "同意")
    assert caught.value.details == [
        "本批次须经第三方评价，评价机构尚未出具评价结论",
        "评价机构正在对修改后的申报重新评价",
    ]
    evaluations.save_values(body, engagement, {"in:procurement_green": "0.5"})
    evaluations.conclude(body, engagement, "绿色采购按合同核实为 50%")
    engagement.refresh_from_db()
    assert (engagement.dossier.number, engagement.score) == (2, Decimal("95.00"))
    decision = services.pass_step(city(world), application, "同意")
    assert decision.score == Decimal("95.00")


def test_an_unchanged_resubmission_leaves_the_evaluation_standing(world):
    set_call("factory-weihai", third_party=True)
    application = submitted(world, "sz-machinery", form(weihai_inputs("score_96")))
    engagement = evaluations.engage(
        actor(world.users["sz-machinery"]), application, Organisation.objects.get(name=BODY).pk
    )
    body = actor(world.users["evaluator"])
    evaluations.save_values(body, engagement, form(weihai_inputs("score_96")))
    evaluations.conclude(body, engagement, "相符")
    services.return_step(city(world), application, "请补充说明", [], timezone.localdate())
    resubmit(world, application, "sz-machinery", {})
    changes = resubmission_changes(application)
    assert changes is not None and not changes.changed
    assert services.pass_step(city(world), application, "同意").score == Decimal("96.00")


def test_expert_scores_on_a_changed_indicator_are_reopened_and_signed_again(world):
    call = Call.objects.get(code="suzhou-2026-factory")
    call.requires_third_party = False
    call.save()
    application = submitted_example(world)
    services.pass_step(actor(world.users["wz-reviewer"]), application, "同意推荐")
    panel = through_panel(world, application)
    sz = actor(world.users["sz-reviewer"])
    services.return_step(sz, application, "绿色设计案例请补充证明", [], timezone.localdate())
    resubmit(world, application, "sz-machinery", {"in:green_design": "3"})
    changes = resubmission_changes(application)
    assert changes is not None
    assert changes.touched_indicators == {"green_design"}
    application.refresh_from_db()
    step = selectors.current_step(application)
    stale = selectors.stale_results(application, step)
    assert [s.zh for s in stale] == [
        f"专家 {n} 的评分依据第 1 版，所评指标已修改（绿色设计典型应用案例），须专家确认或重新评分"
        for n in (1, 2, 3)
    ]
    with refused(ReviewError, "专家 1 的评分依据第 1 版"):
        services.pass_step(sz, application, "同意")

    client = world.client("sz-reviewer")
    page = client.get(reverse("reviews:case", args=[application.public_id])).content.decode()
    assert 'id="reopen-scores"' in page and 'id="changes-indicators"' in page
    response = client.post(reverse("reviews:reopen_scores", args=[application.public_id]))
    assert response.status_code == 302
    assert set(Assignment.objects.filter(pk__in=[a.pk for a in panel]).values_list("status", flat=True)) == {
        "active"
    }
    assert Event.objects.filter(action="review.scores_reopened").count() == 3
    with refused(ReviewError, "专家评审未完成（已签署 0/3）"):
        services.pass_step(sz, application, "同意")
    for assignment in panel:
        services.sign_scores(actor(assignment.expert.user), assignment)  # confirmed as scored
    assert selectors.stale_results(application, step) == []
    with refused(ReviewError, "没有须专家重新确认的评分"):
        services.reopen_stale_scores(sz, application)
    decision = services.pass_step(sz, application, "同意")
    assert decision.outcome in (Decision.Outcome.PASSED, Decision.Outcome.FORWARDED)


def test_a_new_evidence_file_alone_stales_the_evaluation_and_is_listed(world):
    set_call("factory-weihai", third_party=True)
    application = submitted(world, "sz-machinery", form(weihai_inputs("score_96")))
    engagement = evaluations.engage(
        actor(world.users["sz-machinery"]), application, Organisation.objects.get(name=BODY).pk
    )
    body = actor(world.users["evaluator"])
    evaluations.save_values(body, engagement, form(weihai_inputs("score_96")))
    evaluations.conclude(body, engagement, "相符")
    services.return_step(city(world), application, "请补充计量器具台账", [], timezone.localdate())
    owner = actor(world.users["sz-machinery"])
    added = applications.upload_evidence(
        owner, application, "metering_basic", io.BytesIO(pdf_bytes("台账")), "计量器具台账.pdf"
    )
    applications.submit(owner, application)
    changes = resubmission_changes(application)
    assert changes is not None and changes.answers == () and changes.indicators == ()
    assert [(e.indicator, e.name, e.sm3, e.change) for e in changes.evidence] == [
        ("metering_basic", "计量器具台账.pdf", added.sm3, "added")
    ]
    with refused(ReviewError, "第三方评价依据第 1 版，申报单位已修改（计量设备（必选）"):
        services.pass_step(city(world), application, "同意")
    text = (
        world.client("sz-reviewer")
        .get(reverse("reviews:case", args=[application.public_id]))
        .content.decode()
    )
    assert 'id="changes-evidence"' in text and "计量器具台账.pdf" in text
