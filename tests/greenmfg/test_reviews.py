"""The review chain, expert panels, credit checks, publicity with objections, and publication."""

from __future__ import annotations

import json
import threading
from contextlib import contextmanager
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.test import Client
from django.utils import timezone
from factories import actor, pdf_bytes, start
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_applications import complete_answers

from greenmfg.applications import services as applications
from greenmfg.applications.models import Application
from greenmfg.applications.selectors import applications_visible_to, latest_frozen
from greenmfg.audit.models import Event
from greenmfg.audit.services import verify_chain
from greenmfg.catalog.models import Call
from greenmfg.publication import services as publication
from greenmfg.publication.models import Announcement, Objection, PublicityEntry, Title
from greenmfg.publication.services import PublicationError, _raise_lower_grades
from greenmfg.register.models import RegisterEntry
from greenmfg.reviews import selectors, services
from greenmfg.reviews.models import Assignment, Decision, ExpertProfile, ExpertRelation
from greenmfg.reviews.services import ReviewError

CALL = "suzhou-2026-factory"


@contextmanager
def raises_zh(kind, text):
    """Like pytest.raises(match=…), but on the Chinese message the user sees."""
    with pytest.raises(kind) as refused:
        yield refused
    assert text in refused.value.zh, refused.value.zh


def self_evaluated_call(world, **changes):
    call = Call.objects.get(code=CALL)
    call.requires_third_party = False
    for key, value in changes.items():
        setattr(call, key, value)
    call.save()
    return call


def submitted(world, username="sz-machinery", code=CALL):
    user = world.users[username]
    application = start(user, code)
    applications.save_answers(actor(user), application, complete_answers())
    return applications.submit(actor(user), application)


def who(world, name):
    return actor(world.users[name])


def credit_pdf():
    return SimpleUploadedFile("信用中国查询结果.pdf", pdf_bytes("credit"), content_type="application/pdf")


def through_panel(world, application, points_by_expert=None):
    """City step: clear credit check, a panel of three, each expert scores and signs."""
    city = who(world, "sz-reviewer")
    services.record_credit_check(
        city,
        application,
        source="creditchina",
        outcome="clear",
        checked_on=timezone.localdate(),
        upload=credit_pdf(),
    )
    panel = services.form_panel(city, application)
    sheet = selectors.scoring_sheet(application)
    for index, assignment in enumerate(panel):
        expert = actor(assignment.expert.user)
        points = (points_by_expert or {}).get(index) or {
            row["id"]: str(row["self_points"] or 0) for row in sheet
        }
        assert services.save_expert_scores(expert, assignment, points) == []
        services.sign_scores(expert, assignment)
    return panel


def test_district_pass_forwards_to_the_city_with_a_deadline(world):
    self_evaluated_call(world)
    application = submitted(world)
    assert application.step_due_on == timezone.localdate() + timedelta(days=20)
    with pytest.raises(PermissionDenied):  # the city is not the district
        services.pass_step(who(world, "sz-reviewer"), application, "越级")
    with pytest.raises(PermissionDenied):  # another district
        services.pass_step(who(world, "ks-reviewer"), application, "越权")
    decision = services.pass_step(who(world, "wz-reviewer"), application, "材料齐全，同意推荐")
    application.refresh_from_db()
    assert (application.state, application.review_step) == ("in_review", 1)
    assert application.step_due_on == timezone.localdate() + timedelta(days=30)
    assert decision.outcome == "forwarded" and decision.score == Decimal("66.05")
    assert decision.detail["source"] == "企业自评价"
    assert list(selectors.step_queue(who(world, "sz-reviewer"))) == [application]
    assert list(selectors.step_queue(who(world, "wz-reviewer"))) == []


def test_a_call_requiring_a_third_party_waits_for_its_conclusion(world):
    application = submitted(world)
    with pytest.raises(ReviewError) as refused:
        services.pass_step(who(world, "wz-reviewer"), application, "同意")
    assert refused.value.details == ["本批次须经第三方评价，评价机构尚未出具评价结论"]
    application.refresh_from_db()
    assert (application.state, application.review_step) == ("submitted", 0)
    assert not Decision.objects.exists()


def test_the_city_step_needs_credit_check_and_signed_panel(world):
    self_evaluated_call(world)
    application = submitted(world)
    services.pass_step(who(world, "wz-reviewer"), application, "同意")
    with pytest.raises(ReviewError) as refused:
        services.pass_step(who(world, "sz-reviewer"), application, "同意")
    assert refused.value.details == ["尚未记录信用核查结果", "专家评审未完成（已签署 0/3）"]
    assert Decision.objects.count() == 1


def test_the_panel_never_draws_a_conflicted_expert_and_aggregates_by_trimmed_mean(world):
    self_evaluated_call(world)
    application = submitted(world)
    services.pass_step(who(world, "wz-reviewer"), application, "同意")
    sheet = selectors.scoring_sheet(application)
    first = sheet[0]["id"]
    full = {row["id"]: str(row["self_points"] or 0) for row in sheet}
    maximum = sheet[0]["max_points"]
    panel = through_panel(
        world,
        application,
        {0: {**full, first: "0"}, 1: {**full, first: str(maximum)}, 2: {**full, first: str(maximum / 2)}},
    )
    names = {a.expert.user.username for a in panel}
    assert len(names) == 3 and "expert-5" not in names  # expert-5 works for the applicant's park
    application.refresh_from_db()
    result = selectors.panel_result(application, selectors.current_step(application))
    # 去掉一个最高分和一个最低分: the middle one remains
    assert result.per_indicator[first] == (maximum / 2).quantize(Decimal("0.01"))
    expected = sum(
        (Decimal(full[k]).quantize(Decimal("0.01")) for k in full if k != first),
        (maximum / 2).quantize(Decimal("0.01")),
    )
    assert result.total == expected
    decision = services.pass_step(who(world, "sz-reviewer"), application, "专家评审通过")
    assert (decision.outcome, decision.score, decision.detail["source"]) == ("passed", expected, "专家评审")


def test_experts_see_only_live_assignments(world):
    self_evaluated_call(world)
    application = submitted(world)
    services.pass_step(who(world, "wz-reviewer"), application, "同意")
    panel = services.form_panel(who(world, "sz-reviewer"), application)
    on_panel = [a.expert.user.username for a in panel]
    off_panel = [u for u in ("expert-1", "expert-2", "expert-3", "expert-4", "expert-5") if u not in on_panel]
    for name in on_panel:
        assert list(applications_visible_to(who(world, name))) == [application]
    for name in off_panel:
        assert list(applications_visible_to(who(world, name))) == []
    # declaring a conflict removes access on the next request, and records the relation
    leaving = panel[0]
    services.declare_conflict(
        actor(leaving.expert.user), leaving, "consulted", "2024年曾为该企业提供节能咨询"
    )
    assert list(applications_visible_to(actor(leaving.expert.user))) == []
    assert leaving.expert.relations.get().organisation == application.applicant
    # outside the window: no access, no scoring
    late = panel[1]
    Assignment.objects.filter(pk=late.pk).update(closes_at=timezone.now() - timedelta(minutes=1))
    assert list(applications_visible_to(actor(late.expert.user))) == []
    with pytest.raises(ReviewError):
        services.save_expert_scores(
            actor(late.expert.user), late, {selectors.scoring_sheet(application)[0]["id"]: "1"}
        )
    assert not late.scores.exists()
    # a refilled panel skips the expert who declared the conflict
    refilled = services.form_panel(who(world, "sz-reviewer"), application)
    assert leaving.expert not in [a.expert for a in refilled]


def test_expert_scores_outside_the_scale_are_refused_and_not_stored(world):
    self_evaluated_call(world)
    application = submitted(world)
    services.pass_step(who(world, "wz-reviewer"), application, "同意")
    assignment = services.form_panel(who(world, "sz-reviewer"), application)[0]
    row = selectors.scoring_sheet(application)[0]
    expert = actor(assignment.expert.user)
    errors = services.save_expert_scores(
        expert, assignment, {row["id"]: str(row["max_points"] + 1), "nope": "1"}
    )
    assert errors == [f"{row['label']}：得分须在 0 至 {row['max_points']} 之间", "未知指标：nope"]
    assert not assignment.scores.exists()
    with raises_zh(ReviewError, "项指标未评分"):
        services.sign_scores(expert, assignment)
    other = actor(world.users["expert-5"])
    with pytest.raises(PermissionDenied):
        services.save_expert_scores(other, assignment, {row["id"]: "1"})


def test_a_credit_hit_on_the_negative_list_rejects_with_the_item(world):
    self_evaluated_call(world)
    application = submitted(world)
    services.pass_step(who(world, "wz-reviewer"), application, "同意")
    today = timezone.localdate()
    services.record_credit_check(
        who(world, "sz-reviewer"),
        application,
        source="gsxt",
        outcome="hit",
        negative_item="dishonest",
        checked_on=today,
    )
    application.refresh_from_db()
    assert application.state == "rejected"
    decision = Decision.objects.get(outcome="rejected")
    assert (
        decision.reasons == f"信用核查命中负面清单：被列为失信被执行人（国家企业信用信息公示系统，{today}）"
    )


def test_a_hostile_credit_file_is_refused_and_nothing_recorded(world):
    self_evaluated_call(world)
    application = submitted(world)
    services.pass_step(who(world, "wz-reviewer"), application, "同意")
    bad = SimpleUploadedFile("核查.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    with pytest.raises(ReviewError):
        services.record_credit_check(
            who(world, "sz-reviewer"),
            application,
            source="creditchina",
            outcome="clear",
            checked_on=timezone.localdate(),
            upload=bad,
        )
    assert not application.credit_checks.exists()


def test_return_reopens_only_the_named_items_until_the_deadline(world):
    self_evaluated_call(world)
    application = submitted(world)
    district = who(world, "wz-reviewer")
    with raises_zh(ReviewError, "补正期限"):
        services.return_step(district, application, "补充", ["基本要求"], None)
    deadline = timezone.localdate() + timedelta(days=10)
    services.return_step(district, application, "请补充管理体系认证证书", ["基本要求"], deadline)
    application.refresh_from_db()
    assert (application.state, application.reopened_items) == ("returned", ["基本要求"])
    applicant = who(world, "sz-machinery")
    applications.save_answers(applicant, application, {"in:gate_qms": "是"})
    raw_key = next(k for k in complete_answers() if k.startswith("s:"))
    with raises_zh(applications.ApplicationError, "只开放了「基本要求」"):
        applications.save_answers(applicant, application, {raw_key: "1"})
    Application.objects.filter(pk=application.pk).update(
        return_deadline=timezone.localdate() - timedelta(days=1)
    )
    with raises_zh(applications.ApplicationError, "补正期限"):
        applications.submit(applicant, Application.objects.get(pk=application.pk))
    assert Application.objects.get(pk=application.pk).state == "returned"


def test_forwarding_rules_cut_with_the_engine_reasons(world):
    self_evaluated_call(
        world,
        review_chain=[
            {"level": "district", "forward": {"min": 70}},
            {"level": "city", "publicity_days": 7},
        ],
    )
    application = submitted(world)
    district = who(world, "wz-reviewer")
    services.pass_step(district, application, "初审通过")
    assert selectors.awaiting_forwarding(Application.objects.get(pk=application.pk))
    with raises_zh(ReviewError, "等待转报"):
        services.pass_step(district, application, "再次通过")
    made = services.run_forwarding(district, Call.objects.get(code=CALL), 0)
    assert [(d.outcome, d.reasons) for d in made] == [("not_forwarded", "得分 66.05，低于转报分数线 70")]
    application.refresh_from_db()
    assert (application.state, application.review_step) == ("rejected", 0)
    with raises_zh(ReviewError, "没有等待转报"):
        services.run_forwarding(district, Call.objects.get(code=CALL), 0)


def test_forwarding_within_the_rule_moves_up(world):
    self_evaluated_call(
        world,
        review_chain=[
            {"level": "district", "forward": {"min": 60, "top": 30}},
            {"level": "city", "publicity_days": 7},
        ],
    )
    application = submitted(world)
    district = who(world, "wz-reviewer")
    services.pass_step(district, application, "初审通过")
    [made] = services.run_forwarding(district, Call.objects.get(code=CALL), 0)
    assert (made.outcome, made.reasons, made.detail["rank"]) == (
        "forwarded",
        "得分 66.05，排名第 1 位，符合转报条件",
        1,
    )
    application.refresh_from_db()
    assert (application.state, application.review_step) == ("in_review", 1)


def published_journey(world):
    self_evaluated_call(world)
    application = submitted(world)
    services.pass_step(who(world, "wz-reviewer"), application, "同意")
    through_panel(world, application)
    services.pass_step(who(world, "sz-reviewer"), application, "专家评审通过，信用核查无异常")
    return application


def emailed_code(address: str) -> str:
    """The one-time code of the last objection e-mail sent to `address` (Django's test outbox)."""

    message = next(m for m in reversed(mail.outbox) if address in m.to)
    return message.subject.rsplit(" ", 1)[-1]


def test_publicity_objections_and_publication(world):
    application = published_journey(world)
    city = who(world, "sz-reviewer")
    with pytest.raises(PermissionDenied):
        publication.open_publicity(who(world, "wz-reviewer"), application.call)
    notice = publication.open_publicity(city, application.call)
    today = timezone.localdate()
    assert (notice.opens_on, notice.closes_on) == (today, today + timedelta(days=6))
    application.refresh_from_db()
    assert application.state == "publicity"
    entry = PublicityEntry.objects.get(notice=notice)
    # anonymous: refused, nothing stored, the refusal recorded
    with raises_zh(PublicationError, "匿名异议不予受理"):
        publication.file_objection(
            notice, entry, name="", contact="", grounds="该企业存在超标排放问题，请核查。"
        )
    with raises_zh(PublicationError, "逾期异议不予受理"):
        publication.file_objection(
            notice,
            entry,
            name="张三",
            contact="13800000000",
            grounds="该企业存在超标排放问题，请核查。",
            today=notice.closes_on + timedelta(days=1),
        )
    assert not Objection.objects.exists()
    assert Event.objects.filter(action="publication.objection_refused").count() == 2
    objection = publication.file_objection(
        notice,
        entry,
        name="李四",
        contact="lisi@example.cn",
        grounds="该企业2025年曾因噪声扰民被投诉，请核查。",
        files=[SimpleUploadedFile("投诉记录.pdf", pdf_bytes("complaint"))],
    )
    # it counts once the code e-mailed to the objector comes back (issue 16)
    objection = publication.verify_objection(objection, emailed_code("lisi@example.cn"))
    assert objection.files.get().sm3 and objection.status == "received"
    with raises_zh(PublicationError, "期满后方可公布"):
        publication.publish(city, notice)
    later = notice.closes_on + timedelta(days=1)
    with raises_zh(PublicationError, "1 件异议未处理"):
        publication.publish(city, notice, today=later)
    with pytest.raises(PermissionDenied):
        publication.decide_objection(who(world, "wx-reviewer"), objection, upheld=True, reason="越权")
    publication.decide_objection(
        city, objection, upheld=False, reason="经核查，投诉已于2025年处理完毕，不影响评价结论。"
    )
    with raises_zh(PublicationError, "评价方案中没有这些指标：nope"):
        publication.publish(city, notice, indicators=["nope"], today=later)
    first = publication.publishable_indicators(application.call)[0]
    announcement = publication.publish(city, notice, indicators=[first[0]], today=later)
    assert announcement.number == f"苏州市工业和信息化局公告〔{later.year}〕1号"
    title = Title.objects.get()
    assert (title.organisation, title.kind, title.level, title.valid_from) == (
        application.applicant,
        "factory",
        "city",
        later,
    )
    application.refresh_from_db()
    assert application.state == "published"
    with raises_zh(PublicationError, "已公布"):
        publication.publish(city, notice, today=later)
    assert Announcement.objects.count() == 1

    node = next(n for n in json.loads(latest_frozen(application).result)["indicators"] if n["id"] == first[0])
    assert title.published_indicators == [
        {
            "label": first[1],
            "level": node["tier"] or f"得分 {node['points']} / {node['max_points']}",
            "value": str(node["value"]),
            "unit": node["unit"],
        }
    ]
    entry = RegisterEntry.objects.get(source_key=f"title:{title.public_id}")
    assert [i["label"] for i in entry.published_indicators] == [first[1]]
    assert (entry.unit_name, entry.level, entry.announcement_ref) == (
        application.applicant.name,
        "city",
        announcement.number,
    )
    assert verify_chain() is None


def test_an_upheld_objection_removes_the_unit_from_the_list(world):
    application = published_journey(world)
    city = who(world, "sz-reviewer")
    notice = publication.open_publicity(city, application.call)
    entry = PublicityEntry.objects.get(notice=notice)
    objection = publication.file_objection(
        notice, entry, name="王五", contact="wang@example.com", grounds="该企业近三年发生过一般环境污染事故。"
    )
    objection = publication.verify_objection(objection, emailed_code("wang@example.com"))
    publication.decide_objection(
        city, objection, upheld=True, reason="经核实，2024年发生环境污染事故，属负面清单第2项。"
    )
    application.refresh_from_db()
    entry.refresh_from_db()
    assert (application.state, entry.status) == ("rejected", "removed")
    with raises_zh(PublicationError, "已没有单位"):
        publication.publish(city, notice, today=notice.closes_on + timedelta(days=1))
    assert not Title.objects.exists()


def test_a_provincial_title_raises_the_suzhou_grade_to_4a(world):
    application = published_journey(world)
    city = who(world, "sz-reviewer")
    notice = publication.open_publicity(city, application.call)
    publication.publish(city, notice, today=notice.closes_on + timedelta(days=1))
    held = Title.objects.get()
    Title.objects.filter(pk=held.pk).update(
        scheme="factory-suzhou@2023.1", grade="3A", grade_label="3A级绿色工厂（市级）"
    )
    provincial = Title.objects.create(
        organisation=held.organisation,
        announcement=held.announcement,
        kind="factory",
        level="province",
        scheme="factory-gbt36132-2025@2025.1",
        valid_from=held.valid_from,
    )
    _raise_lower_grades(who(world, "js-reviewer"), provincial)
    held.refresh_from_db()
    assert (held.grade, held.grade_label) == ("4A", "4A级绿色工厂（省级）")
    assert held.grade_changes.get().from_grade == "3A"


@pytest.mark.django_db(transaction=True)
def test_two_reviewers_passing_at_once_take_effect_once(tx_world):
    world = tx_world
    self_evaluated_call(world)
    application = submitted(world)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def attempt():
        try:
            barrier.wait()
            services.pass_step(who(world, "wz-reviewer"), Application.objects.get(pk=application.pk), "同意")
            outcomes.append("ok")
        except ReviewError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["ok", "refused"]
    assert Decision.objects.count() == 1
    assert Event.objects.filter(action="application.forward").count() == 1


class _Rollback(Exception):
    pass


EXPERTS = ("expert-1", "expert-2", "expert-3", "expert-4", "expert-5")


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    relations=st.dictionaries(
        st.sampled_from(EXPERTS), st.sampled_from(["applicant", "park", "none"]), max_size=len(EXPERTS)
    )
)
def test_no_order_of_declared_relations_puts_a_conflicted_expert_on_a_panel(world, relations):
    self_evaluated_call(world)
    try:
        with transaction.atomic():
            application = submitted(world)
            services.pass_step(who(world, "wz-reviewer"), application, "同意")
            applicant = application.applicant
            conflicted = {"expert-5"}  # works for the applicant's park
            for name, target in relations.items():
                if target == "none":
                    continue
                organisation = applicant if target == "applicant" else applicant.park
                ExpertRelation.objects.create(
                    expert=ExpertProfile.objects.get(user=world.users[name]),
                    organisation=organisation,
                    kind="consulted",
                )
                conflicted.add(name)
            free = [n for n in EXPERTS if n not in conflicted]
            if len(free) < 3:
                with raises_zh(ReviewError, "无利益冲突的可选专家只有"):
                    services.form_panel(who(world, "sz-reviewer"), application)
                assert not Assignment.objects.filter(application=application).exists()
            else:
                panel = services.form_panel(who(world, "sz-reviewer"), application)
                chosen = {a.expert.user.username for a in panel}
                assert len(chosen) == 3 and not chosen & conflicted
                for name in conflicted:
                    assert list(applications_visible_to(who(world, name))) == []
            raise _Rollback
    except _Rollback:
        pass


def test_a_notice_is_not_public_before_its_window_opens(world):
    application = published_journey(world)
    notice = publication.open_publicity(who(world, "sz-reviewer"), application.call)
    url = f"/publication/notices/{notice.public_id}/"
    assert Client().get(url).status_code == 200
    type(notice).objects.filter(pk=notice.pk).update(opens_on=timezone.localdate() + timedelta(days=1))
    assert Client().get(url).status_code == 404
