"""A bureau opens enterprise and park accounts (a one-time password, shown once); an enterprise keeps its
production sites (厂区), each in a county-level division of its own province."""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied
from factories import actor

from greenmfg.audit.models import Event
from greenmfg.orgs import services
from greenmfg.orgs.models import Organisation, Site
from greenmfg.orgs.selectors import actor_of
from greenmfg.orgs.services import SiteError
from greenmfg.reference.models import Region
from greenmfg.web.demo import demo_uscc

NEW_NAME = "吴中代建精密制造有限公司（测试）"


def account_form(**changes):
    data = {
        "kind": "enterprise",
        "name": NEW_NAME,
        "credit_code": demo_uscc(NEW_NAME, "320506"),
        "region": "320506",
        "industry": "",
        "display_name": "李四",
        "username": "wz-new-factory",
    }
    data.update(changes)
    return data


def accounts_snapshot():
    return (
        list(Organisation.objects.order_by("pk").values_list("pk", "name", "status")),
        get_user_model().objects.count(),
        Event.objects.filter(action="org.registered").count(),
    )


def sites_snapshot():
    return (
        list(Site.objects.order_by("pk").values()),
        Event.objects.filter(action__startswith="org.site_").count(),
    )


def text(response) -> str:
    return unescape(response.content.decode())


# --- accounts opened by a bureau -------------------------------------------------------------------


def test_a_district_bureau_opens_an_account_and_sees_the_password_once(world):
    client = world.client("wz-reviewer")
    response = client.post("/orgs/accounts/new/", account_form())
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    page = text(response)
    password = re.search(r'<code id="one-time-password">(.*?)</code>', page).group(1)
    assert len(password) == 16
    organisation = Organisation.objects.get(name=NEW_NAME)
    assert (organisation.kind, organisation.region_id, organisation.status) == (
        "enterprise",
        "320506",
        "active",
    )
    assert organisation.credit_code == demo_uscc(NEW_NAME, "320506")
    user = organisation.members.get().user
    assert (user.username, user.display_name, organisation.members.get().role) == (
        "wz-new-factory",
        "李四",
        "applicant",
    )
    assert user.check_password(password)
    assert password not in user.password  # only its hash is kept
    assert user.must_change_password  # one-time: changed at the first login
    assert actor_of(user) is not None  # active at once, no confirmation needed
    event = Event.objects.get(action="org.registered", object_id=str(organisation.pk))
    assert (event.actor, event.organisation_id) == (
        world.users["wz-reviewer"],
        world.users["wz-reviewer"].membership.organisation.pk,
    )
    assert event.detail == {"self_registered": False, "credit_code": organisation.credit_code}
    assert password not in str(event.detail)
    assert password not in text(client.get("/orgs/accounts/new/"))


def test_a_bureau_cannot_open_an_account_outside_its_jurisdiction(world):
    before = accounts_snapshot()
    response = world.client("ks-reviewer").post("/orgs/accounts/new/", account_form())
    assert response.status_code == 200
    assert "one-time-password" not in text(response)
    assert accounts_snapshot() == before
    with pytest.raises(PermissionDenied):
        services.open_applicant_account(
            actor(world.users["ks-reviewer"]),
            kind="enterprise",
            name=NEW_NAME,
            credit_code=demo_uscc(NEW_NAME, "320506"),
            region=Region.objects.get(code="320506"),
            industry=None,
            username="wz-new-factory",
            display_name="李四",
        )
    with pytest.raises(PermissionDenied):  # an enterprise opens no accounts
        services.open_applicant_account(
            actor(world.users["sz-machinery"]),
            kind="enterprise",
            name=NEW_NAME,
            credit_code=demo_uscc(NEW_NAME, "320506"),
            region=Region.objects.get(code="320506"),
            industry=None,
            username="wz-new-factory",
            display_name="李四",
        )
    assert accounts_snapshot() == before
    assert world.client("sz-machinery").get("/orgs/accounts/new/").status_code == 404


def test_a_taken_credit_code_is_named_and_nothing_is_created(world):
    taken = world.users["sz-machinery"].membership.organisation.credit_code
    before = accounts_snapshot()
    response = world.client("sz-reviewer").post("/orgs/accounts/new/", account_form(credit_code=taken))
    assert response.status_code == 200
    assert "该统一社会信用代码已注册，请联系本单位管理员或所在区县主管部门。" in text(response)
    assert accounts_snapshot() == before


def test_one_time_passwords_pass_the_password_rules(db):
    # db: the minimum length is the security policy in force, read from the database (ADR 0011)
    seen = {services.one_time_password() for _ in range(50)}
    assert len(seen) == 50
    for password in seen:
        validate_password(password)
        assert not set(password) & set("0O1lI")


# --- an enterprise's sites -------------------------------------------------------------------------


def test_an_enterprise_adds_and_edits_its_sites(world):
    client = world.client("sz-machinery")
    response = client.post(
        "/orgs/sites/new/", {"name": "昆山二厂", "region": "320583", "address": "昆山开发区示例路 1 号"}
    )
    assert response.status_code == 302
    site = Site.objects.get()
    owner = world.users["sz-machinery"].membership.organisation
    assert (site.organisation, site.name, site.region_id, site.address) == (
        owner,
        "昆山二厂",
        "320583",
        "昆山开发区示例路 1 号",
    )
    added = Event.objects.get(action="org.site_added")
    assert added.detail == {"name": "昆山二厂", "region": "320583", "address": "昆山开发区示例路 1 号"}
    assert "昆山二厂" in text(client.get("/orgs/sites/"))
    response = client.post(f"/orgs/sites/{site.pk}/", {"name": "昆山二厂", "region": "320585", "address": ""})
    assert response.status_code == 302
    site.refresh_from_db()
    assert (site.region_id, site.address) == ("320585", "")
    changed = Event.objects.get(action="org.site_changed")
    assert changed.detail == {"region": ["320583", "320585"], "address": ["昆山开发区示例路 1 号", ""]}


@pytest.mark.parametrize(
    ("region", "message"),
    [
        ("320500", "请选择区县级行政区划（320500 江苏省苏州市是地市级）。"),
        ("320000", "请选择区县级行政区划（320000 江苏省是省级）。"),
        ("310115", "厂区须在本企业所在的江苏省内（上海市浦东新区不在江苏省）。"),
        ("999999", "没有行政区划代码 999999，请选择厂区所在区县。"),
    ],
)
def test_a_site_lies_in_a_county_of_the_enterprises_province(world, region, message):
    user = world.users["sz-machinery"]
    before = sites_snapshot()
    with pytest.raises(SiteError) as refused:
        services.add_site(actor(user), name="外地厂区", region_code=region)
    assert refused.value.message_dict == {"region": [message]}
    response = world.client("sz-machinery").post("/orgs/sites/new/", {"name": "外地厂区", "region": region})
    assert response.status_code == 200
    assert message in text(response)
    assert sites_snapshot() == before


def test_a_refused_edit_changes_nothing(world):
    user = world.users["sz-machinery"]
    site = services.add_site(actor(user), name="吴中一厂", region_code="320506")
    services.add_site(actor(user), name="吴中二厂", region_code="320506")
    before = sites_snapshot()
    with pytest.raises(SiteError) as refused:
        services.change_site(actor(user), site.pk, name="吴中二厂", region_code="320506")
    assert refused.value.message_dict == {"name": ["本企业已有名为“吴中二厂”的厂区。"]}
    response = world.client("sz-machinery").post(
        f"/orgs/sites/{site.pk}/", {"name": "吴中一厂", "region": "320500"}
    )
    assert "请选择区县级行政区划（320500 江苏省苏州市是地市级）。" in text(response)
    assert sites_snapshot() == before


def test_another_enterprise_cannot_reach_the_site(world):
    site = services.add_site(actor(world.users["sz-machinery"]), name="吴中一厂", region_code="320506")
    before = sites_snapshot()
    other = world.client("sz-energy")
    assert other.get(f"/orgs/sites/{site.pk}/").status_code == 404
    assert other.post(f"/orgs/sites/{site.pk}/", {"name": "占用", "region": "320506"}).status_code == 404
    assert "吴中一厂" not in text(other.get("/orgs/sites/"))
    assert world.client("sz-machinery").get("/orgs/sites/999999/").status_code == 404
    with pytest.raises(PermissionDenied):
        services.change_site(actor(world.users["sz-energy"]), site.pk, name="占用", region_code="320506")
    for role in ("wz-reviewer", "wz-park", "evaluator"):
        assert world.client(role).get(f"/orgs/sites/{site.pk}/").status_code == 404
        assert world.client(role).get("/orgs/sites/").status_code == 404
    with pytest.raises(PermissionDenied):  # a park keeps no production sites
        services.add_site(actor(world.users["wz-park"]), name="园区厂区", region_code="320506")
    assert sites_snapshot() == before
