"""The expert pool (issue 12): a bureau adds experts employed in its jurisdiction, with fields, titles and
a new employer when needed, changes them or takes them out of the pool; experts keep their declared
relations current, and the panel rules read them."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from factories import actor

from greenmfg.audit.models import Event
from greenmfg.orgs import services as orgs
from greenmfg.orgs.models import Organisation
from greenmfg.reviews import services
from greenmfg.reviews.models import ExpertProfile, ExpertRelation
from greenmfg.reviews.services import PoolError

UNIVERSITY = "苏州示例大学环境学院（演示）"


def test_a_bureau_adds_an_expert_employed_in_its_jurisdiction(world: Any) -> None:
    city = actor(world.users["sz-reviewer"])
    employer = Organisation.objects.get(name=UNIVERSITY)
    profile, password = services.add_expert(
        city,
        employer_id=employer.pk,
        username="expert-new",
        display_name="周八",
        email="zhou@example.cn",
        title="教授级高级工程师",
        fields=["energy", "factory"],
    )
    assert (profile.fields, profile.title, profile.active) == (
        ["factory", "energy"],
        "教授级高级工程师",
        True,
    )
    user = profile.user
    assert (user.membership.organisation, user.membership.role) == (employer, "expert")
    assert user.must_change_password and user.check_password(password)
    assert Event.objects.get(action="reviews.expert_added").detail["fields"] == ["factory", "energy"]
    assert profile in services.experts_of(city)
    assert profile not in services.experts_of(actor(world.users["wx-reviewer"]))


def test_a_bureau_cannot_add_or_change_experts_outside_its_jurisdiction(world: Any) -> None:
    wuxi = actor(world.users["wx-reviewer"])
    employer = Organisation.objects.get(name=UNIVERSITY)  # 吴中区, 苏州市
    before = ExpertProfile.objects.count()
    with pytest.raises(PermissionDenied):
        services.add_expert(
            wuxi,
            employer_id=employer.pk,
            username="expert-x",
            display_name="x",
            email="",
            title="",
            fields=["water"],
        )
    expert = ExpertProfile.objects.get(user=world.users["expert-1"])
    with pytest.raises(PermissionDenied):
        services.change_expert(wuxi, expert.pk, title="越权", fields=["water"], active=False)
    expert.refresh_from_db()
    assert ExpertProfile.objects.count() == before and expert.active and expert.title == "高级工程师"


def test_fields_come_from_the_list(world: Any) -> None:
    city = actor(world.users["sz-reviewer"])
    expert = ExpertProfile.objects.get(user=world.users["expert-1"])
    with pytest.raises(PoolError) as refused:
        services.change_expert(city, expert.pk, title="", fields=["astrology"], active=True)
    assert (refused.value.zh, refused.value.field) == ("请从列表中选择至少一个专业领域。", "fields")


def test_taking_an_expert_out_of_the_pool_keeps_them_off_panels(world: Any) -> None:
    city = actor(world.users["sz-reviewer"])
    expert = ExpertProfile.objects.get(user=world.users["expert-1"])
    services.change_expert(city, expert.pk, title="高级工程师", fields=["factory"], active=False)
    assert expert.pk not in [p.pk for p in services._pool()]
    assert Event.objects.get(action="reviews.expert_changed").detail == {
        "fields": [["factory", "energy"], ["factory"]],
        "active": [True, False],
    }


def test_an_expert_keeps_their_relations_current(world: Any) -> None:
    expert = actor(world.users["expert-1"])
    enterprise = Organisation.objects.get(name="苏州示例精密机械有限公司（演示）")
    relation = services.declare_relation(
        expert, credit_code=enterprise.credit_code or "", kind="consulted", note="2024 年节能诊断"
    )
    profile = ExpertProfile.objects.get(user=expert.user)
    facts = services._expert_facts(profile)
    assert str(enterprise.pk) in facts.related
    with pytest.raises(PoolError) as refused:
        services.declare_relation(expert, credit_code="91320506MA00000000", kind="consulted", note="")
    assert refused.value.field == "credit_code"
    with pytest.raises(PermissionDenied):  # another expert cannot withdraw it
        services.withdraw_relation(actor(world.users["expert-2"]), relation.pk)
    services.withdraw_relation(expert, relation.pk)
    assert not ExpertRelation.objects.filter(pk=relation.pk).exists()
    assert [e.action for e in Event.objects.filter(action__startswith="reviews.relation_")] == [
        "reviews.relation_declared",
        "reviews.relation_withdrawn",
    ]


def test_the_bureau_page_adds_an_expert_with_a_new_employer(world: Any) -> None:
    client = world.client("sz-reviewer")
    response = client.post(
        reverse("reviews:expert_new"),
        {
            "employer": "",
            "employer_name": "苏州示例节能技术研究所（演示）",
            "employer_region": "320505",
            "display_name": "吴九",
            "title": "研究员",
            "fields": ["carbon", "energy"],
            "username": "expert-wu",
            "email": "",
        },
    )
    page = response.content.decode()
    assert response.status_code == 200 and 'id="one-time-password"' in page, page[:3000]
    institution = Organisation.objects.get(name="苏州示例节能技术研究所（演示）")
    assert (institution.kind, institution.region_id) == ("institution", "320505")
    assert ExpertProfile.objects.get(user__username="expert-wu").user.membership.organisation == institution


def test_a_new_employer_outside_the_jurisdiction_is_refused_by_name(world: Any) -> None:
    with pytest.raises(orgs.AdminRefused) as refused:
        orgs.open_institution(actor(world.users["sz-reviewer"]), name="无锡某所", region_code="320205")
    assert (refused.value.zh, refused.value.field) == (
        "行政区划 320205 不在本部门辖区内。",
        "employer_region",
    )
