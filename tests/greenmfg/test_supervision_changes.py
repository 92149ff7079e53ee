"""Change events (变更, issue 13): a titled unit declares a change of name, a merger or of its site boundary;
the supervising bureau accepts it (the new name reaches the organisation and the public register, the old
one is kept in the record) or requires a re-check, which opens a check of the title."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied
from factories import actor
from supervision_world import grant_title
from test_reviews import raises_zh

from greenmfg.audit.models import Event
from greenmfg.orgs.models import Organisation
from greenmfg.register.models import RegisterEntry
from greenmfg.supervision import services
from greenmfg.supervision.models import ChangeEvent, Check, Purpose
from greenmfg.supervision.services import SupervisionError

NEW_NAME = "苏州示例智能装备有限公司"


def test_an_accepted_name_change_renames_the_unit_on_the_register_and_keeps_the_old_name(world):
    title = grant_title(world)
    unit = actor(world.users["sz-machinery"])
    old = title.organisation.name
    change = services.declare_change(
        unit,
        title,
        kind="name",
        new_name=NEW_NAME,
        details="经市场监管部门核准变更企业名称。",
        today=date(2027, 3, 1),
    )
    assert (change.status, change.old_name, change.new_name) == (ChangeEvent.Status.DECLARED, old, NEW_NAME)
    # still the old name until the bureau accepts
    assert RegisterEntry.objects.get(source_key=f"title:{title.public_id}").unit_name == old
    decided = services.decide_change(
        actor(world.users["sz-reviewer"]),
        change,
        accept=True,
        reason="核准文件齐全。",
        today=date(2027, 3, 5),
    )
    assert (decided.status, decided.decided_on) == (ChangeEvent.Status.ACCEPTED, date(2027, 3, 5))
    assert Organisation.objects.get(pk=title.organisation_id).name == NEW_NAME
    entry = RegisterEntry.objects.get(source_key=f"title:{title.public_id}")
    assert entry.unit_name == NEW_NAME and entry.status == "active"
    assert ChangeEvent.objects.get(pk=change.pk).old_name == old
    renamed = Event.objects.get(action="org.renamed")
    assert renamed.detail == {"before": old, "after": NEW_NAME, "change": str(change.public_id)}


def test_a_site_change_may_require_a_recheck_which_opens_a_check(world):
    title = grant_title(world)
    change = services.declare_change(
        actor(world.users["sz-machinery"]), title, kind="site", details="新增东侧地块 3.2 公顷并入厂区。"
    )
    old = title.organisation.name
    decided = services.decide_change(
        actor(world.users["sz-reviewer"]), change, accept=False, reason="厂区边界变化较大，须现场复核。"
    )
    check = Check.objects.get(pk=decided.check_opened_id)
    assert (decided.status, check.purpose, check.status, check.title_id) == (
        ChangeEvent.Status.RECHECK,
        Purpose.RE_CHECK,
        Check.Status.OPEN,
        title.pk,
    )
    assert Organisation.objects.get(pk=title.organisation_id).name == old
    with raises_zh(SupervisionError, "已审核"):
        services.decide_change(actor(world.users["sz-reviewer"]), decided, accept=True, reason="再审")


def test_only_the_unit_declares_only_its_bureau_decides_and_refusals_change_nothing(world):
    title = grant_title(world)
    with pytest.raises(PermissionDenied):
        services.declare_change(
            actor(world.users["sz-energy"]), title, kind="site", details="新增东侧地块并入厂区。"
        )
    unit = actor(world.users["sz-machinery"])
    with raises_zh(SupervisionError, "变更后的单位名称"):
        services.declare_change(unit, title, kind="merger", details="吸收合并苏州某配件公司。")
    with raises_zh(SupervisionError, "至少 10 个字"):
        services.declare_change(unit, title, kind="site", details="扩建")
    assert not ChangeEvent.objects.exists()
    change = services.declare_change(
        unit, title, kind="merger", new_name=NEW_NAME, details="吸收合并苏州某配件公司。"
    )
    with raises_zh(SupervisionError, "待审核的变更"):
        services.declare_change(unit, title, kind="site", details="新增东侧地块并入厂区。")
    for role in ("wx-reviewer", "js-reviewer", "sz-machinery"):
        with pytest.raises(PermissionDenied):
            services.decide_change(actor(world.users[role]), change, accept=True, reason="同意")
    assert ChangeEvent.objects.get().status == ChangeEvent.Status.DECLARED
    assert not Event.objects.filter(action="org.renamed").exists()


def test_the_pages_take_a_change_from_the_unit_to_the_bureau(world):
    title = grant_title(world)
    unit = world.client("sz-machinery")
    assert (
        f"/supervision/titles/{title.public_id}/change/" in unit.get("/supervision/changes/").content.decode()
    )
    refused = unit.post(
        f"/supervision/titles/{title.public_id}/change/", {"kind": "name", "details": "名称变更已核准。"}
    )
    assert refused.status_code == 400 and "请填写变更后的单位名称。" in refused.content.decode()
    response = unit.post(
        f"/supervision/titles/{title.public_id}/change/",
        {"kind": "name", "new_name": NEW_NAME, "details": "经市场监管部门核准变更企业名称。"},
    )
    change = ChangeEvent.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/supervision/changes/{change.public_id}/"
    assert world.client("sz-energy").get(response["Location"]).status_code == 404
    bureau = world.client("sz-reviewer")
    assert 'id="change-decide-form"' in bureau.get(response["Location"]).content.decode()
    bureau.post(response["Location"], {"accept": "yes", "reason": "核准文件齐全。"})
    assert ChangeEvent.objects.get().status == ChangeEvent.Status.ACCEPTED
    assert NEW_NAME in unit.get(response["Location"]).content.decode()
