"""Third-party evaluation: engaging a body (quota, conflicts, self-evaluation-only calls), the evaluator's
values beside the frozen answers, findings, the concluded result, flags for reviewers, and races."""

from __future__ import annotations

import io
import threading
from datetime import date
from decimal import Decimal
from typing import Any, ClassVar

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.utils import timezone
from factories import actor, pdf_bytes, start
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from test_applications import complete_answers

from greencore.evaluation_rules import quota_refusal
from greenmfg.applications import services as applications
from greenmfg.applications.models import Application, Dossier
from greenmfg.applications.selectors import applications_visible_to
from greenmfg.audit.models import Event
from greenmfg.audit.services import verify_chain
from greenmfg.catalog.models import Call
from greenmfg.evaluations import selectors, services
from greenmfg.evaluations.models import CURRENT, ConflictDeclaration, Engagement, Finding
from greenmfg.evaluations.services import EvaluationError
from greenmfg.orgs.models import Organisation
from greenmfg.orgs.selectors import Actor

CALL = "suzhou-2026-factory"
BODY = "江苏示例绿色发展评价中心（演示）"
D = Decimal


def third_party_call(**changes: Any) -> Call:
    call = Call.objects.get(code=CALL)
    call.requires_third_party = True
    for key, value in changes.items():
        setattr(call, key, value)
    call.save()
    return call


def demo_body() -> Organisation:
    return Organisation.objects.get(name=BODY)


def submitted(world: Any, username: str = "sz-machinery") -> Application:
    user = world.users[username]
    application = start(user)
    applications.save_answers(actor(user), application, complete_answers())
    return applications.submit(actor(user), application)


def engaged(world: Any, username: str = "sz-machinery") -> Engagement:
    third_party_call()
    application = submitted(world, username)
    return services.engage(actor(world.users[username]), application, demo_body().pk)


def evaluator(world: Any) -> Actor:
    return actor(world.users["evaluator"])


def events(action: str) -> int:
    return Event.objects.filter(action=f"evaluation.{action}").count()


def snapshot() -> tuple[Any, ...]:
    """Everything an evaluation write could change: refusals must leave all of it as it was."""
    return (
        list(Engagement.objects.order_by("pk").values()),
        list(Finding.objects.order_by("pk").values()),
        list(ConflictDeclaration.objects.order_by("pk").values()),
        Event.objects.count(),
    )


# --- engaging --------------------------------------------------------------------------------------


def test_engaging_lets_the_body_see_the_application_and_its_evidence(world):
    third_party_call()
    user = world.users["sz-machinery"]
    application = start(user)
    applications.save_answers(actor(user), application, complete_answers())
    item = applications.upload_evidence(
        actor(user), application, "energy_intensity_product", io.BytesIO(pdf_bytes()), "能耗报表.pdf"
    )
    applications.submit(actor(user), application)
    client = world.client("evaluator")
    assert client.get(f"/applications/{application.public_id}/").status_code == 404
    assert client.get(f"/evidence/{item.pk}/").status_code == 404

    engagement = services.engage(actor(user), application, demo_body().pk)
    assert (engagement.status, engagement.year, engagement.body.name) == (
        "engaged",
        timezone.localdate().year,
        BODY,
    )
    assert events("engaged") == 1
    assert list(applications_visible_to(evaluator(world))) == [application]
    assert client.get(f"/applications/{application.public_id}/").status_code == 200
    assert client.get(f"/evidence/{item.pk}/").status_code == 200
    assert selectors.engagement_for(application) == engagement
    assert selectors.engaged_body(application) == demo_body()
    assert not selectors.evaluation_concluded(application)
    assert selectors.third_party_score(application) is None
    assert selectors.flagged_indicators(application) == []


def test_a_self_evaluation_only_call_refuses_engaging(world):
    application = submitted(world)
    third_party_call(requires_third_party=False)
    before = snapshot()
    with pytest.raises(EvaluationError) as refused:
        services.engage(actor(world.users["sz-machinery"]), application, demo_body().pk)
    assert refused.value.zh == "该批次仅接受企业自评价，不委托第三方评价机构。"
    assert refused.value.en == (
        "this call takes the self-evaluation only: no third-party evaluation body is engaged"
    )
    assert snapshot() == before
    page = world.client("sz-machinery").get(f"/applications/{application.public_id}/")
    assert "本批次仅接受企业自评价，不委托第三方评价机构。" in page.content.decode()


def test_one_engagement_in_force_per_application(world):
    engagement = engaged(world)
    other = Organisation.objects.create(
        kind="evaluation_body", name="另一评价机构（演示）", region_id="320500"
    )
    before = snapshot()
    with pytest.raises(EvaluationError) as refused:
        services.engage(actor(world.users["sz-machinery"]), engagement.application, other.pk)
    assert refused.value.zh == f"本申报已委托“{BODY}”进行第三方评价；如需更换，请先终止该委托。"
    assert snapshot() == before


@pytest.mark.parametrize("which", ["pending body", "an enterprise", "missing", "not a number"])
def test_only_a_registered_confirmed_body_can_be_engaged(world, which):
    third_party_call()
    application = submitted(world)
    target: Any = {
        "pending body": lambda: (
            Organisation.objects.create(
                kind="evaluation_body", name="待确认机构（演示）", region_id="320500", status="pending"
            ).pk
        ),
        "an enterprise": lambda: world.users["sz-energy"].membership.organisation.pk,
        "missing": lambda: 999999,
        "not a number": lambda: "1 OR 1=1",
    }[which]()
    before = snapshot()
    with pytest.raises(EvaluationError) as refused:
        services.engage(actor(world.users["sz-machinery"]), application, target)
    assert refused.value.zh == "请选择已登记并经确认的第三方评价机构。"
    assert snapshot() == before


def test_only_the_applicant_engages(world):
    third_party_call()
    application = submitted(world)
    for username in ("sz-energy", "wz-reviewer", "evaluator"):
        with pytest.raises(PermissionDenied):
            services.engage(actor(world.users[username]), application, demo_body().pk)
    assert not Engagement.objects.exists()


# --- conflicts -------------------------------------------------------------------------------------


def test_a_conflict_declared_by_the_body_refuses_the_engagement_with_the_reason(world):
    third_party_call()
    application = submitted(world)
    services.declare_conflict(
        evaluator(world), application.applicant_id, "consulted", "2025年为该企业编制能源审计报告"
    )
    before = snapshot()
    with pytest.raises(EvaluationError) as refused:
        services.engage(actor(world.users["sz-machinery"]), application, demo_body().pk)
    assert refused.value.zh == (
        "该评价机构与本单位存在利益冲突（曾为申报单位提供咨询服务：2025年为该企业编制能源审计报告），不能委托。"
    )
    assert snapshot() == before


def test_a_conflict_declared_after_engaging_ends_it_and_access_with_it(world):
    engagement = engaged(world)
    ev = evaluator(world)
    services.save_values(ev, engagement, {"in:green_design": "5"})
    declaration = services.declare_conflict(
        actor(world.users["sz-machinery"]), demo_body().pk, "ownership", "评价机构的股东持有本公司 5% 股份"
    )
    engagement.refresh_from_db()
    assert engagement.status == "ended"
    assert engagement.end_reason == "利益冲突：存在股权或投资关联（评价机构的股东持有本公司 5% 股份）"
    assert declaration.declared_by_organisation == engagement.application.applicant
    assert (events("conflict_declared"), events("ended")) == (1, 1)
    client = world.client("evaluator")
    assert client.get(f"/applications/{engagement.application.public_id}/").status_code == 404
    assert client.get(f"/evaluations/{engagement.public_id}/").status_code == 404
    assert (
        client.post(f"/evaluations/{engagement.public_id}/save/", {"in:green_design": "4"}).status_code == 404
    )
    with pytest.raises(EvaluationError, match="ended"):
        services.save_values(ev, engagement, {"in:green_design": "4"})
    assert Engagement.objects.get(pk=engagement.pk).answers["inputs"]["in:green_design"] == "5"
    assert selectors.engagement_for(engagement.application) is None


def test_a_conflict_voids_a_concluded_evaluation_too(world):
    engagement = engaged(world)
    ev = evaluator(world)
    services.save_values(ev, engagement, {})
    services.conclude(ev, engagement, "符合")
    application = engagement.application
    assert selectors.evaluation_concluded(application)
    services.declare_conflict(ev, application.applicant_id, "other", "评价组长与企业负责人为近亲属")
    assert Engagement.objects.get(pk=engagement.pk).status == "ended"
    assert not selectors.evaluation_concluded(application)
    assert selectors.third_party_score(application) is None


def test_conflict_declarations_are_checked(world):
    third_party_call()
    application = submitted(world)
    before = snapshot()
    ev = evaluator(world)
    with pytest.raises(EvaluationError, match="choose the kind of the relation"):
        services.declare_conflict(ev, application.applicant_id, "friendship", "说明")
    with pytest.raises(EvaluationError) as refused:
        services.declare_conflict(ev, application.applicant_id, "consulted", "  ")
    assert refused.value.zh == "请说明利益关系的具体情况。"
    with pytest.raises(EvaluationError, match="no such applicant"):
        services.declare_conflict(ev, demo_body().pk, "consulted", "机构自身不是申报单位")
    with pytest.raises(EvaluationError, match="choose a third-party evaluation body"):
        services.declare_conflict(
            actor(world.users["sz-machinery"]), application.applicant_id, "consulted", "自己"
        )
    with pytest.raises(PermissionDenied):
        services.declare_conflict(actor(world.users["wz-reviewer"]), demo_body().pk, "consulted", "越权")
    assert snapshot() == before


# --- the quota -------------------------------------------------------------------------------------


def national_call(world: Any, code: str = "national-2026-factory") -> Call:
    model = Call.objects.get(code=CALL)
    return Call.objects.create(
        code=code,
        name="2026年度国家级绿色工厂推荐（测试）",
        title_kind="factory",
        level="national",
        region_id="320000",
        authority=Organisation.objects.get(name="工业和信息化部（演示）"),
        scheme_id=model.scheme_id,
        scheme_version=model.scheme_version,
        opens_on=model.opens_on,
        closes_on=model.closes_on,
        review_chain=model.review_chain,
        requires_third_party=True,
    )


def applicants(world: Any, call: Call, count: int, prefix: str = "配额") -> list[tuple[Actor, Application]]:
    """`count` enterprises with an application to `call` each, set up directly (the quota is the subject)."""
    user = world.users["sz-machinery"]
    out = []
    for index in range(count):
        organisation = Organisation.objects.create(
            kind="enterprise", name=f"{prefix}测试企业{index}（演示）", region_id="320506"
        )
        application = Application.objects.create(
            call=call,
            applicant=organisation,
            region_id="320506",
            state="submitted",
            submitted_at=timezone.now(),
        )
        out.append((Actor(user, organisation, "applicant"), application))
    return out


def test_the_sixteenth_national_project_of_a_year_is_refused(world):
    call = national_call(world)
    body = demo_body()
    pairs = applicants(world, call, 17)
    today = date(2026, 6, 1)
    for who, application in pairs[:15]:
        services.engage(who, application, body.pk, today=today)
    assert selectors.national_projects(body, 2026) == 15
    before = snapshot()
    who, application = pairs[15]
    with pytest.raises(EvaluationError) as refused:
        services.engage(who, application, body.pk, today=today)
    assert (refused.value.zh, refused.value.en) == quota_refusal("national", 15, 2026)
    assert "已承担国家级绿色制造评价项目15个" in refused.value.zh
    assert snapshot() == before
    # city-level projects do not count; another year starts afresh
    city = third_party_call()
    local = applicants(world, city, 1, prefix="市级")[0]
    services.engage(*local, body.pk, today=today)
    services.engage(who, application, body.pk, today=date(2027, 1, 4))
    # ending one frees its slot in that year
    first_who, first = pairs[0]
    services.end_engagement(first_who, Engagement.objects.get(application=first), "更换机构")
    services.engage(*pairs[16], body.pk, today=today)
    assert selectors.national_projects(body, 2026) == 15
    assert selectors.national_projects(body, 2027) == 1
    assert [b.national_taken for b in selectors.evaluation_bodies(2026) if b.pk == body.pk] == [15]


# --- the evaluator's values, findings and the conclusion ------------------------------------------


def test_the_evaluator_changes_one_input_and_the_score_moves_by_the_exact_amount(world):
    engagement = engaged(world)
    frozen = Dossier.objects.get(application=engagement.application, frozen_at__isnull=False)
    assert frozen.score == D("66.05")
    outcome = services.save_values(evaluator(world), engagement, {"in:green_design": "3"})
    saved = Engagement.objects.get(pk=engagement.pk)
    assert saved.score == D("62.95")
    assert saved.score - frozen.score == D("-3.10")
    assert outcome.evaluation.errors == {}
    # the first save starts from the applicant's answers: only the one field differs
    assert saved.answers["raw"] == frozen.answers["raw"]
    assert {k: v for k, v in saved.answers["inputs"].items() if frozen.answers["inputs"].get(k) != v} == {
        "in:green_design": "3"
    }
    compared = {c.id: c for c in selectors.comparison(saved)}
    assert (compared["green_design"].self_points, compared["green_design"].evaluator_points) == (
        D("6.00"),
        D("3.00"),
    )
    assert [c.id for c in compared.values() if c.flagged] == ["green_design"]
    assert events("scores_saved") == 1
    assert Event.objects.get(action="evaluation.scores_saved").detail["values"] == {"in:green_design": "3"}
    # nothing is flagged for reviewers before the conclusion
    assert selectors.flagged_indicators(engagement.application) == []


def test_a_difference_within_the_margin_is_not_flagged(world):
    engagement = engaged(world)
    services.save_values(evaluator(world), engagement, {"in:materials_recycled": "1"})
    saved = Engagement.objects.get(pk=engagement.pk)
    assert saved.score == D("65.02")
    compared = {c.id: c for c in selectors.comparison(saved)}
    assert (compared["materials_recycled"].difference, compared["materials_recycled"].flagged) == (
        D("-1.00"),
        False,
    )
    assert not any(c.flagged for c in compared.values())


def test_concluding_freezes_the_result_and_flags_what_reviewers_must_see(world):
    engagement = engaged(world)
    ev = evaluator(world)
    services.save_values(ev, engagement, {"in:green_design": "3", "in:materials_recycled": "1"})
    finding = services.add_finding(
        ev,
        engagement,
        kind="field_check",
        indicator="green_design",
        description="现场仅见 3 项绿色设计应用案例，与申报的 6 项不符",
        stream=io.BytesIO(pdf_bytes("site")),
        filename="现场照片说明.pdf",
    )
    assert (finding.file_kind, len(finding.file_sm3)) == ("pdf", 64)
    concluded = services.conclude(ev, engagement, "主要指标与佐证材料相符；绿色设计案例认定 3 项。")
    assert concluded.status == "concluded"
    assert len(concluded.manifest_sm3) == 64
    assert concluded.dossier.number == 1 and concluded.score_margin == D("2.00")
    application = engagement.application
    assert selectors.evaluation_concluded(application)
    assert selectors.third_party_score(application) == D("61.92")
    flagged = selectors.flagged_indicators(application)
    assert [(f.id, f.self_points, f.evaluator_points, f.difference) for f in flagged] == [
        ("green_design", D("6.00"), D("3.00"), D("-3.00"))
    ]
    # the flags stay as concluded when the call's margin is edited afterwards
    third_party_call(score_margin=D("0.50"))
    assert [f.id for f in selectors.flagged_indicators(application)] == ["green_design"]
    event = Event.objects.get(action="evaluation.concluded")
    assert (
        event.detail["flagged"] == ["green_design"] and event.detail["manifest_sm3"] == concluded.manifest_sm3
    )
    # frozen: every further write is refused and changes nothing
    before = snapshot()
    with pytest.raises(EvaluationError) as refused:
        services.save_values(ev, engagement, {"in:green_design": "6"})
    assert refused.value.zh == "评价结论已出具，不能再修改。"
    with pytest.raises(EvaluationError):
        services.add_finding(ev, engagement, kind="interview", description="补充")
    with pytest.raises(EvaluationError):
        services.conclude(ev, engagement, "再次出具")
    with pytest.raises(EvaluationError):
        services.decline(ev, engagement, "拒绝")
    with pytest.raises(EvaluationError) as not_ended:
        services.end_engagement(actor(world.users["sz-machinery"]), engagement, "不满意")
    assert not_ended.value.zh == "评价结论已出具，不能终止委托。"
    with pytest.raises(EvaluationError, match="already has an engagement"):
        services.engage(actor(world.users["sz-machinery"]), application, demo_body().pk)
    assert snapshot() == before
    # the applicant and the district read it; the page lists the flagged indicator with both values
    for username in ("sz-machinery", "wz-reviewer", "evaluator"):
        page = world.client(username).get(f"/evaluations/{engagement.public_id}/").content.decode()
        assert "61.92" in page and "绿色设计典型应用案例：自评 6.00 分，第三方 3.00 分（-3.00）" in page
    download = world.client("wz-reviewer").get(f"/evaluations/findings/{finding.pk}/file/")
    assert download.status_code == 200 and download["Content-Security-Policy"] == "sandbox"
    assert b"".join(download.streaming_content) == pdf_bytes("site")
    assert world.client("ks-reviewer").get(f"/evaluations/{engagement.public_id}/").status_code == 404
    assert verify_chain() is None


def test_no_one_outside_the_body_reads_an_evaluation_in_progress(world):
    engagement = engaged(world)
    ev = evaluator(world)
    services.save_values(ev, engagement, {"in:green_design": "3"})
    finding = services.add_finding(
        ev, engagement, kind="interview", description="访谈", stream=io.BytesIO(pdf_bytes()), filename="a.pdf"
    )
    assert world.client("wz-reviewer").get(f"/evaluations/{engagement.public_id}/").status_code == 404
    page = world.client("sz-machinery").get(f"/evaluations/{engagement.public_id}/").content.decode()
    assert "评价进行中" in page and "62.95" not in page
    assert world.client("sz-machinery").get(f"/evaluations/findings/{finding.pk}/file/").status_code == 404
    assert world.client("evaluator").get(f"/evaluations/findings/{finding.pk}/file/").status_code == 200


def test_evaluators_score_only_a_submitted_application(world):
    third_party_call()
    user = world.users["sz-machinery"]
    application = start(user)
    engagement = services.engage(actor(user), application, demo_body().pk)
    assert world.client("evaluator").get(f"/applications/{application.public_id}/").status_code == 404
    before = snapshot()
    with pytest.raises(EvaluationError) as refused:
        services.save_values(evaluator(world), engagement, {"in:green_design": "3"})
    assert refused.value.zh == "申报单位尚未提交自评价（或已撤回），暂不能评价。"
    with pytest.raises(EvaluationError):
        services.add_finding(evaluator(world), engagement, kind="interview", description="访谈")
    assert snapshot() == before
    page = world.client("evaluator").get(f"/evaluations/{engagement.public_id}/").content.decode()
    assert "申报单位尚未提交自评价，提交后方可开始评价。" in page


def test_unknown_fields_and_strangers_change_nothing(world):
    engagement = engaged(world)
    before = snapshot()
    with pytest.raises(EvaluationError, match="unknown fields"):
        services.save_values(evaluator(world), engagement, {"in:green_design": "3", "status": "concluded"})
    for username in ("sz-machinery", "wz-reviewer", "expert-1"):
        with pytest.raises(PermissionDenied):
            services.save_values(actor(world.users[username]), engagement, {"in:green_design": "3"})
    assert snapshot() == before


def test_conclusion_needs_values_a_text_and_complete_data(world):
    engagement = engaged(world)
    ev = evaluator(world)
    before = snapshot()
    with pytest.raises(EvaluationError) as refused:
        services.conclude(ev, engagement, "符合")
    assert refused.value.zh == "尚未录入评价值，请逐项核实后录入。"
    with pytest.raises(EvaluationError, match="write the evaluation's conclusion"):
        services.conclude(ev, engagement, "   ")
    assert snapshot() == before
    services.save_values(ev, engagement, {"in:gate_qms": ""})
    before = snapshot()
    with pytest.raises(EvaluationError) as incomplete:
        services.conclude(ev, engagement, "符合")
    assert incomplete.value.zh == "评价数据尚不完整，不能出具结论。"
    assert "缺少“建立并运行质量管理体系（GB/T 19001）”" in incomplete.value.details
    assert snapshot() == before


def test_a_finding_file_is_checked_like_evidence_and_reverified_on_download(world):
    engagement = engaged(world)
    ev = evaluator(world)
    before = snapshot()
    with pytest.raises(EvaluationError) as refused:
        services.add_finding(
            ev,
            engagement,
            kind="document_check",
            description="核查",
            stream=io.BytesIO(b"MZ" + b"\x90\x00" * 64),
            filename="报告.pdf",
        )
    assert "可执行" in refused.value.zh or "executable" in refused.value.en
    assert Finding.objects.count() == 0 and list(Engagement.objects.order_by("pk").values()) == before[0]
    rejected = Event.objects.get(action="evaluation.finding_upload_rejected")
    assert (rejected.success, rejected.detail["code"]) == (False, "executable")
    finding = services.add_finding(
        ev,
        engagement,
        kind="document_check",
        description="核对能源统计报表",
        stream=io.BytesIO(pdf_bytes("ok")),
        filename="报表.pdf",
    )
    client = world.client("evaluator")
    assert client.get(f"/evaluations/findings/{finding.pk}/file/").status_code == 200
    with open(default_storage.path(finding.storage_name), "r+b") as handle:
        handle.seek(10)
        handle.write(b"X")
    response = client.get(f"/evaluations/findings/{finding.pk}/file/")
    assert response.status_code == 409
    assert Event.objects.filter(action="evaluation.finding_integrity_failed", success=False).count() == 1


def test_the_body_declines_and_the_applicant_ends(world):
    engagement = engaged(world)
    ev = evaluator(world)
    with pytest.raises(EvaluationError, match="give the reason for declining"):
        services.decline(ev, engagement, " ")
    with pytest.raises(PermissionDenied):
        services.decline(actor(world.users["sz-machinery"]), engagement, "申报单位不能代为拒绝")
    services.decline(ev, engagement, "本年度现场评价人员已满")
    assert Engagement.objects.get(pk=engagement.pk).status == "declined"
    application = engagement.application
    again = services.engage(actor(world.users["sz-machinery"]), application, demo_body().pk)
    with pytest.raises(PermissionDenied):
        services.end_engagement(ev, again)
    services.end_engagement(actor(world.users["sz-machinery"]), again, "改为委托其他机构")
    assert Engagement.objects.get(pk=again.pk).end_reason == "改为委托其他机构"
    assert (events("engaged"), events("declined"), events("ended")) == (2, 1, 1)
    page = world.client("sz-machinery").get(f"/applications/{application.public_id}/").content.decode()
    assert "以往委托" in page and "本年度现场评价人员已满" in page


# --- the pages -------------------------------------------------------------------------------------


def test_the_dossier_panel_offers_the_bodies_to_the_applicant_and_the_way_in_to_the_body(world):
    third_party_call()
    application = submitted(world)
    page = world.client("sz-machinery").get(f"/applications/{application.public_id}/").content.decode()
    assert "委托评价" in page and BODY in page
    response = world.client("sz-machinery").post(
        f"/evaluations/engage/{application.public_id}/", {"body": demo_body().pk}
    )
    assert response.status_code == 302
    engagement = Engagement.objects.get(application=application)
    page = world.client("evaluator").get(f"/applications/{application.public_id}/").content.decode()
    assert f"/evaluations/{engagement.public_id}/" in page and "进入评价" in page
    listing = world.client("evaluator").get("/evaluations/").content.decode()
    assert application.applicant.name in listing
    assert '<strong id="national-taken">0</strong> / 15' in listing


def test_the_evaluation_page_saves_a_field_live(world):
    engagement = engaged(world)
    client = world.client("evaluator")
    page = client.get(f"/evaluations/{engagement.public_id}/").content.decode()
    assert "申报单位：6" in page  # the applicant's green_design beside the evaluator's field
    response = client.post(
        f"/evaluations/{engagement.public_id}/save/", {"in:green_design": "3"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert '<span id="tp-score">62.95</span>' in body and "与申报值不同" in body
    refused = client.post(f"/evaluations/{engagement.public_id}/save/", {"status": "concluded"})
    assert refused.status_code == 409
    response = client.post(
        f"/evaluations/{engagement.public_id}/findings/",
        {"kind": "interview", "description": "访谈能源管理负责人", "indicator": ""},
    )
    assert response.status_code == 302 and Finding.objects.count() == 1
    response = client.post(f"/evaluations/{engagement.public_id}/conclude/", {"conclusion": "基本符合"})
    assert response.status_code == 302
    assert Engagement.objects.get(pk=engagement.pk).status == "concluded"


def test_the_body_declares_a_conflict_by_credit_code(world):
    engagement = engaged(world)
    applicant = engagement.application.applicant
    response = world.client("evaluator").post(
        "/evaluations/conflicts/",
        {"credit_code": applicant.credit_code.lower(), "kind": "consulted", "note": "曾提供节能诊断咨询"},
    )
    assert response.status_code == 302 and response["Location"] == "/evaluations/"
    assert ConflictDeclaration.objects.get().applicant == applicant
    assert Engagement.objects.get(pk=engagement.pk).status == "ended"


# --- any order of actions: the quota and the conflicts always hold ----------------------------------

YEARS = (2026, 2027)


class EngagementMachine(RuleBasedStateMachine):
    """Random engage / end / decline / conclude / declare-conflict sequences against a model. Each example
    runs in a savepoint rolled back at teardown; the world (bodies, applications) is built once."""

    world: Any = None
    seen: ClassVar[set[str]] = set()  # refusal reasons met, so the test shows it reached the boundaries

    def __init__(self) -> None:
        super().__init__()
        self.atomic = transaction.atomic()
        self.atomic.__enter__()
        w = type(self).world
        self.bodies, self.apps, self.evaluators = w["bodies"], w["apps"], w["evaluators"]
        self.current: dict[int, tuple[int, int, str]] = {}  # app index -> (body index, year, status)
        self.conflicts: set[tuple[int, int]] = set()  # (body index, organisation pk)

    def teardown(self) -> None:
        transaction.set_rollback(True)
        self.atomic.__exit__(None, None, None)

    def _national_taken(self, body: int, year: int) -> int:
        return sum(
            1
            for index, (b, y, _) in self.current.items()
            if b == body and y == year and self.apps[index][1].call.level == "national"
        )

    @initialize(prefill=st.sampled_from([13, 14, 15]))
    def prefill(self, prefill: int) -> None:
        """Bring body 0 near (or to) its 2026 quota, so the boundary is where the steps start; at 15, probe
        it at once (rule selection is random, and swarm testing may switch a rule off for a whole run)."""
        for index in range(prefill):
            self.engage(index, 0, 2026)
        if prefill == 15:
            self.engage(15, 0, 2026)

    @rule(index=st.integers(0, 19), body=st.integers(0, 1), year=st.sampled_from(YEARS))
    def engage(self, index: int, body: int, year: int) -> None:
        who, application = self.apps[index]
        national = application.call.level == "national"
        expected_ok = (
            index not in self.current
            and (body, application.applicant_id) not in self.conflicts
            and not (national and self._national_taken(body, year) >= 15)
        )
        try:
            services.engage(who, application, self.bodies[body].pk, today=date(year, 3, 1))
        except EvaluationError as refused:
            assert not expected_ok
            reasons = {"national-level": "quota", "conflict": "conflict", "in force": "in force"}
            type(self).seen.update(r for key, r in reasons.items() if key in refused.en)
        else:
            assert expected_ok
            self.current[index] = (body, year, "engaged")

    @precondition(lambda self: self.conflicts)
    @rule(pick=st.integers(0, 99), year=st.sampled_from(YEARS))
    def engage_a_conflicted_body(self, pick: int, year: int) -> None:
        body, organisation = sorted(self.conflicts)[pick % len(self.conflicts)]
        index = next(i for i, (_, a) in enumerate(self.apps) if a.applicant_id == organisation)
        self.engage(index, body, year)

    def _full(self) -> list[tuple[int, int]]:
        return [(b, y) for b in range(len(self.bodies)) for y in YEARS if self._national_taken(b, y) >= 15]

    @precondition(lambda self: self._full())
    @rule(pick=st.integers(0, 99))
    def engage_a_full_body(self, pick: int) -> None:
        body, year = self._full()[0]
        free = [
            i for i, (_, a) in enumerate(self.apps) if i not in self.current and a.call.level == "national"
        ]
        if free:
            self.engage(free[pick % len(free)], body, year)

    @rule(index=st.integers(0, 19))
    def end(self, index: int) -> None:
        who, application = self.apps[index]
        engagement = Engagement.objects.filter(application=application).order_by("-pk").first()
        if engagement is None:
            return
        expected_ok = self.current.get(index, (0, 0, ""))[2] == "engaged"
        try:
            services.end_engagement(who, engagement, "更换")
        except EvaluationError:
            assert not expected_ok
        else:
            assert expected_ok
            del self.current[index]

    @rule(index=st.integers(0, 19))
    def decline(self, index: int) -> None:
        if index not in self.current:
            return
        body = self.current[index][0]
        engagement = Engagement.objects.get(application=self.apps[index][1], status__in=CURRENT)
        try:
            services.decline(self.evaluators[body], engagement, "人手不足")
        except EvaluationError:
            assert self.current[index][2] == "concluded"
        else:
            del self.current[index]

    @rule(index=st.integers(0, 19))
    def conclude(self, index: int) -> None:
        # concluding through the service needs a full evaluation (tested above); here only the status
        # matters: a concluded engagement keeps its slot and still falls to a later conflict
        if index in self.current and self.current[index][2] == "engaged":
            Engagement.objects.filter(application=self.apps[index][1], status="engaged").update(
                status="concluded"
            )
            body, year, _ = self.current[index]
            self.current[index] = (body, year, "concluded")

    @rule(index=st.integers(0, 19), body=st.integers(0, 1), by_body=st.booleans())
    def declare(self, index: int, body: int, by_body: bool) -> None:
        who, application = self.apps[index]
        organisation = application.applicant_id
        if by_body:
            services.declare_conflict(self.evaluators[body], organisation, "consulted", "曾提供咨询")
        else:
            services.declare_conflict(who, self.bodies[body].pk, "ownership", "股权关联")
        self.conflicts.add((body, organisation))
        for other, (b, _, _) in list(self.current.items()):
            if b == body and self.apps[other][1].applicant_id == organisation:
                del self.current[other]

    @invariant()
    def the_database_agrees_with_the_model(self) -> None:
        rows = Engagement.objects.filter(status__in=CURRENT).values_list(
            "application_id", "body_id", "year", "status"
        )
        by_app = {application.pk: index for index, (_, application) in enumerate(self.apps)}
        body_index = {body.pk: index for index, body in enumerate(self.bodies)}
        assert {by_app[a]: (body_index[b], y, s) for a, b, y, s in rows} == self.current

    @invariant()
    def every_change_has_exactly_one_event(self) -> None:
        assert events("engaged") == Engagement.objects.count()
        closed = Engagement.objects.filter(status__in=["ended", "declined"]).count()
        assert events("ended") + events("declined") == closed

    @invariant()
    def no_body_exceeds_its_quota(self) -> None:
        for body in self.bodies:
            for year in YEARS:
                assert selectors.national_projects(body, year) <= 15

    @invariant()
    def no_engagement_in_force_with_a_conflicted_body(self) -> None:
        conflicted = set(ConflictDeclaration.objects.values_list("body_id", "applicant_id"))
        in_force = Engagement.objects.filter(status__in=CURRENT).values_list(
            "body_id", "application__applicant_id"
        )
        assert not set(in_force) & conflicted


def test_no_sequence_of_actions_breaks_the_quota_or_engages_a_conflicted_body(world):
    national = national_call(world)
    city = third_party_call()
    second = Organisation.objects.create(
        kind="evaluation_body", name="第二评价机构（演示）", region_id="320500"
    )
    bodies = [demo_body(), second]
    # 17 enterprises on the national call; the first three also on the city call (same organisation,
    # so a conflict declared for it reaches both of its applications)
    apps = applicants(world, national, 17)
    for who, _ in apps[:3]:
        apps.append(
            (
                who,
                Application.objects.create(
                    call=city, applicant=who.organisation, region_id="320506", state="submitted"
                ),
            )
        )
    user = world.users["evaluator"]
    EngagementMachine.world = {
        "bodies": bodies,
        "apps": apps,
        "evaluators": [Actor(user, body, "evaluator") for body in bodies],
    }
    run_state_machine_as_test(
        EngagementMachine,
        settings=settings(
            max_examples=40,
            stateful_step_count=25,
            deadline=None,
            derandomize=True,  # the same sequences on every run, so the coverage check below is stable
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
        ),
    )
    assert EngagementMachine.seen == {"quota", "conflict", "in force"}


# --- races -----------------------------------------------------------------------------------------


def race(*actions: Any) -> list[str]:
    """Run the actions at the same moment in threads (each with its own connection); their outcomes."""
    barrier = threading.Barrier(len(actions))
    outcomes: list[str] = []

    def run(action: Any) -> None:
        try:
            barrier.wait()
            action()
            outcomes.append("ok")
        except EvaluationError as error:
            outcomes.append(error.zh)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(action,)) for action in actions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


@pytest.mark.django_db(transaction=True)
def test_two_engagements_racing_for_the_fifteenth_slot_yield_exactly_one(tx_world):
    call = national_call(tx_world)
    body = demo_body()
    pairs = applicants(tx_world, call, 18)
    today = date(2026, 5, 1)
    for who, application in pairs[:14]:
        services.engage(who, application, body.pk, today=today)
    full = quota_refusal("national", 15, 2026)
    assert full is not None

    def engaging(index: int) -> Any:
        who, application = pairs[index]
        return lambda: services.engage(who, Application.objects.get(pk=application.pk), body.pk, today=today)

    assert sorted(race(engaging(14), engaging(15))) == sorted(["ok", full[0]])
    assert selectors.national_projects(body, 2026) == 15
    assert events("engaged") == 15
    # free one slot and race again: still exactly one
    who, first = pairs[0]
    services.end_engagement(who, Engagement.objects.get(application=first))
    assert sorted(race(engaging(16), engaging(17))) == sorted(["ok", full[0]])
    assert selectors.national_projects(body, 2026) == 15
    assert events("engaged") == 16


@pytest.mark.django_db(transaction=True)
def test_an_engagement_racing_a_conflict_declaration_never_stands(tx_world):
    call = national_call(tx_world)
    body = demo_body()
    who, application = applicants(tx_world, call, 1)[0]
    ev = actor(tx_world.users["evaluator"])
    outcomes = race(
        lambda: services.engage(who, Application.objects.get(pk=application.pk), body.pk),
        lambda: services.declare_conflict(ev, application.applicant_id, "consulted", "曾提供咨询"),
    )
    assert outcomes.count("ok") >= 1  # the declaration always stands; the engagement only if it came first
    assert not Engagement.objects.filter(status__in=CURRENT).exists()
    assert ConflictDeclaration.objects.count() == 1
