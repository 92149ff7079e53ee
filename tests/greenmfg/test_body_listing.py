"""Evaluation bodies apply to be listed and the bureau above the district decides (issue 12): the credit
code is checked, each evaluator line is named when malformed, a pending or suspended body can neither act
nor be engaged, and suspending a body flags the engagements it had in force."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse
from factories import actor
from test_evaluations import demo_body, engaged, submitted, third_party_call

from greenmfg.audit.models import Event
from greenmfg.evaluations import services as evaluations
from greenmfg.evaluations.selectors import evaluation_bodies, unlisted_body
from greenmfg.evaluations.services import EvaluationError
from greenmfg.orgs import services
from greenmfg.orgs.models import BodyEvaluator, Organisation
from greenmfg.orgs.selectors import actor_of
from greenmfg.orgs.services import AdminRefused, RegistrationError
from greenmfg.reference.models import Region
from greenmfg.web.demo import demo_uscc

NAME = "苏州示例认证评价有限公司（演示）"


def application(**changes: str) -> dict[str, Any]:
    values: dict[str, Any] = {
        "name": NAME,
        "credit_code": demo_uscc(NAME, "320506"),
        "region": Region.objects.get(code="320506"),
        "legal_person": "王五",
        "qualifications": "检验检测机构资质认定证书 CMA 231012345678",
        "evaluators": "赵六, 绿色制造评价师, GM-2026-001\n钱七，能源审计师，EA-2026-017",
        "address": "苏州市吴中区示例路 1 号",
        "username": "sz-cert",
        "password": "Qx7#Lp2v9Rk4",
        "display_name": "赵六",
    }
    values.update(changes)
    return values


def test_a_body_applies_and_waits_for_the_bureau(world: Any) -> None:
    body = services.apply_body(**application())
    assert (body.kind, body.status, body.body_profile.legal_person) == ("evaluation_body", "pending", "王五")
    assert list(
        BodyEvaluator.objects.filter(body=body).values_list("name", "certificate", "certificate_no")
    ) == [
        ("赵六", "绿色制造评价师", "GM-2026-001"),
        ("钱七", "能源审计师", "EA-2026-017"),
    ]
    user = body.members.get().user
    assert actor_of(user) is None  # cannot act before approval
    assert body not in evaluation_bodies(2026)
    assert Event.objects.get(action="org.body_applied").to_state == "pending"


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"credit_code": "91320506MA1X2Y3Z4Q"}, "credit_code", "第 16 位字符“Z”不是合法的代码字符"),
        (
            {"evaluators": "赵六, 绿色制造评价师\n钱七, 能源审计师, EA-1"},
            "evaluators",
            "第 1 行“赵六, 绿色制造评价师”",
        ),
        ({"evaluators": "a, b, X-1\nc, d, X-1"}, "evaluators", "证书编号有重复。"),
        ({"legal_person": " "}, "legal_person", "请填写法定代表人。"),
    ],
)
def test_bad_applications_name_the_field(
    world: Any, changes: dict[str, str], field: str, message: str
) -> None:
    before = Organisation.objects.count()
    with pytest.raises(RegistrationError) as refused:
        services.apply_body(**application(**changes))
    assert field in refused.value.message_dict
    assert message in "".join(refused.value.message_dict[field])
    assert Organisation.objects.count() == before


def test_only_a_bureau_above_the_district_over_the_region_decides(world: Any) -> None:
    body = services.apply_body(**application())
    for outsider in ("wz-reviewer", "wx-reviewer", "evaluator", "sz-machinery"):
        with pytest.raises(PermissionDenied):
            services.decide_body(actor(world.users[outsider]), body.pk, "approve")
    body.refresh_from_db()
    assert body.status == "pending"
    city = actor(world.users["sz-reviewer"])
    with pytest.raises(AdminRefused) as refused:
        services.decide_body(city, body.pk, "suspend", "理由")
    assert refused.value.zh == "该评价机构当前状态（待确认）不能暂停。"
    services.decide_body(city, body.pk, "approve")
    body.refresh_from_db()
    assert body.status == "active" and body in evaluation_bodies(2026)
    assert actor_of(body.members.get().user) is not None


def test_suspending_a_body_refuses_new_engagements_and_flags_open_ones(world: Any) -> None:
    engagement = engaged(world)
    city = actor(world.users["sz-reviewer"])
    with pytest.raises(AdminRefused) as refused:
        services.decide_body(city, demo_body().pk, "suspend")
    assert refused.value.field == "reason"
    services.decide_body(city, demo_body().pk, "suspend", "评价报告弄虚作假，暂停登记")
    engagement.refresh_from_db()
    assert engagement.status == "engaged" and unlisted_body(engagement)
    flagged = Event.objects.get(action="evaluation.flagged")
    assert (flagged.object_id, flagged.detail["body_status"]) == (str(engagement.public_id), "suspended")
    # the applicant's dossier says so
    client = world.client("sz-machinery")
    page = client.get(reverse("applications:dossier", kwargs={"public_id": engagement.application.public_id}))
    assert 'id="body-unlisted"' in page.content.decode()
    # another applicant cannot engage it, and its evaluators can no longer act
    third_party_call()
    other = submitted(world, "sz-energy")
    with pytest.raises(EvaluationError) as no:
        evaluations.engage(actor(world.users["sz-energy"]), other, demo_body().pk)
    assert no.value.zh == "请选择已登记并经确认的第三方评价机构。"
    assert actor_of(world.users["evaluator"]) is None
    # reinstated, it may be engaged again and the flag goes
    services.decide_body(city, demo_body().pk, "reinstate")
    engagement.refresh_from_db()
    assert not unlisted_body(engagement)


def test_the_bureau_page_lists_and_decides(world: Any) -> None:
    body = services.apply_body(**application())
    client = world.client("sz-reviewer")
    page = client.get(reverse("orgs:bodies")).content.decode()
    assert NAME in page and "GM-2026-001" in page
    response = client.post(reverse("orgs:body_decide", kwargs={"pk": body.pk}), {"action": "approve"})
    assert response.status_code == 302
    body.refresh_from_db()
    assert body.status == "active"
    assert Event.objects.get(action="org.body_approve").from_state == "pending"


def test_the_public_form_applies(world: Any) -> None:
    values = application()
    values["region"] = "320506"
    page = Client().post(reverse("accounts:register_body"), values)
    assert page.status_code == 200 and "申请已提交" in page.content.decode()
    assert Organisation.objects.get(name=NAME).status == "pending"
