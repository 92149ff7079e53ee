"""A jurisdiction's administration (issue 12): the command that starts a real deployment, the three
separate administrators (三权分立), the bureaus and staff accounts a system administrator opens only inside
its own tree, and every administration URL for each administrator — a refusal changes nothing."""

from __future__ import annotations

import io
import json
import re
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.core.management import CommandError, call_command
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from matrix_admin import ADMIN_EXPECTED, ADMINS, build_admins, objects, signed_up

from greenmfg.audit.models import Event
from greenmfg.orgs import services
from greenmfg.orgs.models import Membership, Organisation, Role
from greenmfg.orgs.selectors import actor_of
from greenmfg.orgs.services import AdminRefused
from greenmfg.reference.services import load_regions

User = get_user_model()


@pytest.fixture
def regions(empty_db: None) -> None:
    """An empty installation: only the reference regions (manage.py load_reference), no demo data."""
    load_regions()


def start(region: str = "320500", username: str = "sz-admin", **more: str) -> tuple[str, str]:
    out = io.StringIO()
    call_command("start_jurisdiction", region=region, username=username, stdout=out, **more)
    text = out.getvalue()
    password = re.search(r"one-time password: (\S+)", text)
    assert password is not None, text
    return text, password.group(1)


def test_the_command_starts_a_city_from_an_empty_database(regions: None) -> None:
    text, password = start(email="admin@suzhou.example.cn")
    bureau = Organisation.objects.get()
    assert (bureau.kind, bureau.level, bureau.region_id, bureau.name) == (
        "authority",
        "city",
        "320500",
        "江苏省苏州市工业和信息化主管部门",
    )
    user = User.objects.get()
    assert (user.username, user.email, user.membership.role) == (
        "sz-admin",
        "admin@suzhou.example.cn",
        "sysadmin",
    )
    assert user.must_change_password and not user.is_staff and not user.is_superuser
    assert user.check_password(password) and password not in json.dumps(list(Event.objects.values("detail")))
    assert "http://127.0.0.1:8000/accounts/login/" in text and "TOTP" in text
    event = Event.objects.get(action="org.jurisdiction_started")
    assert event.detail == {"region": "320500", "level": "city", "sysadmin": "sz-admin"}


def test_the_first_login_enrols_a_second_factor_then_sets_a_password(regions: None) -> None:
    _, password = start()
    client = Client()
    assert (
        client.post(reverse("accounts:login"), {"username": "sz-admin", "password": password}).status_code
        == 302
    )
    admin = reverse("orgs:admin_home")
    assert client.get(admin)["Location"] == reverse("accounts:otp_verify")
    assert client.get(reverse("accounts:otp_verify"))["Location"] == reverse("accounts:otp_setup")
    assert client.get(reverse("accounts:otp_setup")).status_code == 200
    device = TOTPDevice.objects.get(user__username="sz-admin", confirmed=False)
    token = f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"
    assert client.post(reverse("accounts:otp_setup"), {"token": token}).status_code == 302
    assert client.get(admin)["Location"] == reverse("accounts:password_change")
    new = "Suzhou#Admin2026x"
    changed = client.post(
        reverse("accounts:password_change"),
        {"old_password": password, "new_password": new, "new_password2": new, "confirm": new},
    )
    assert changed.status_code == 302, changed.content.decode()[:2000]
    assert client.get(admin).status_code == 200


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ({"region": "999999"}, "没有行政区划代码 999999"),
        ({"region": "320500", "level": "district"}, "不是区县级主管部门所在的层级"),
        ({"region": "320500", "username": "a b"}, "用户名为 4–40 位"),
    ],
)
def test_the_command_refuses_bad_input_by_name(regions: None, args: dict[str, str], message: str) -> None:
    with pytest.raises(CommandError, match=message):
        start(**args)
    assert not Organisation.objects.exists() and not User.objects.exists()


def test_a_started_bureau_is_not_started_twice(regions: None) -> None:
    start()
    with pytest.raises(CommandError, match="已有系统管理员"):
        start(username="sz-admin-2")
    assert User.objects.count() == 1


def test_a_ministry_starts_at_the_capital(regions: None) -> None:
    start(region="110000", level="ministry", username="mof-admin")
    bureau = Organisation.objects.get()
    assert (bureau.level, bureau.name) == ("ministry", "工业和信息化部")


# --- three administrators, one role per account ------------------------------------------------------


def test_no_account_holds_two_roles(regions: None) -> None:
    start()
    user = User.objects.get()
    bureau = Organisation.objects.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(user=user, organisation=bureau, role=Role.AUDITADMIN)
    assert list(Membership.objects.values_list("role", flat=True)) == ["sysadmin"]


def test_the_system_administrator_opens_bureaus_only_inside_its_tree(regions: None) -> None:
    start()
    sysadmin = actor_of(signed_up(User.objects.get()))
    assert sysadmin is not None
    wuzhong = services.open_bureau(
        sysadmin, name="吴中区工业和信息化局", region_code="320506", level="district"
    )
    assert (wuzhong.level, wuzhong.region_id) == ("district", "320506")
    before = Organisation.objects.count()
    for region, level, message in [
        ("320205", "district", "行政区划 320205 不在本部门辖区内。"),  # 锡山区, 无锡市
        ("320000", "province", "只能开设比本部门层级更低的主管部门。"),
        ("320506", "district", "江苏省苏州市吴中区已有区县主管部门。"),
    ]:
        with pytest.raises(AdminRefused) as refused:
            services.open_bureau(sysadmin, name="越权部门", region_code=region, level=level)
        assert (refused.value.zh, refused.value.field) == (message, "region")
    assert Organisation.objects.count() == before
    staff, password = services.open_staff_account(
        sysadmin, bureau_id=wuzhong.pk, username="wz-rev", display_name="审核员", email="", role="reviewer"
    )
    assert staff.membership.organisation == wuzhong and staff.check_password(password)
    actions = list(Event.objects.filter(actor=sysadmin.user).values_list("action", flat=True))
    assert actions == ["org.bureau_opened", "org.staff_opened"]


def test_deactivation_signs_the_account_out_and_is_audited(regions: None) -> None:
    start()
    sysadmin = actor_of(signed_up(User.objects.get()))
    assert sysadmin is not None
    staff, _ = services.open_staff_account(
        sysadmin,
        bureau_id=sysadmin.organisation.pk,
        username="sz-rev",
        display_name="",
        email="",
        role="reviewer",
    )
    client = Client()
    client.force_login(staff)
    assert Session.objects.count() == 1
    services.deactivate_account(sysadmin, staff.pk)
    staff.refresh_from_db()
    assert not staff.is_active and Session.objects.count() == 0
    event = Event.objects.get(action="org.staff_deactivated")
    assert (event.from_state, event.to_state, event.detail["sessions_ended"]) == ("active", "inactive", 1)
    with pytest.raises(AdminRefused) as refused:
        services.deactivate_account(sysadmin, sysadmin.user.pk)
    assert refused.value.zh == "不能对本人账号执行此操作。"


# --- every administration URL for each administrator ------------------------------------------------


def state() -> dict[str, Any]:
    """What an administration page may change: bureaus, accounts, roles, sessions, second factors."""
    return {
        "organisations": sorted(Organisation.objects.values_list("pk", "name", "region_id", "level")),
        "users": sorted(User.objects.values_list("pk", "username", "is_active", "password")),
        "memberships": sorted(Membership.objects.values_list("user_id", "organisation_id", "role")),
        "sessions": Session.objects.count(),
        "devices": sorted(TOTPDevice.objects.values_list("user_id", "key", "confirmed")),
    }


def client_of(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    device = user.totpdevice_set.get(confirmed=True)
    session = client.session
    session["otp_device_id"] = device.persistent_id
    session.save()
    return client


@pytest.mark.parametrize("name", sorted(ADMIN_EXPECTED))
def test_each_administrator_reaches_only_its_own_pages(world: Any, name: str) -> None:
    found = objects(world, {})
    kwargs = (
        {"pk": found["staff"].pk}
        if name.startswith(("orgs:staff_d", "orgs:sessions", "orgs:factor"))
        else None
    )
    url = reverse(name, kwargs=kwargs)
    for username in ADMINS:
        want = ADMIN_EXPECTED[name].get(username, 404)
        client = client_of(world.users[username])
        before = state()
        response = (
            client.post(url)
            if name.startswith(("orgs:staff_d", "orgs:sessions", "orgs:factor"))
            else client.get(url)
        )
        assert response.status_code == want, f"{name} as {username}: {response.status_code}, expected {want}"
        if want == 404:
            after = state()
            after["sessions"] = before["sessions"]  # this client's own login
            assert after == before, f"{name} as {username} changed something"


def test_a_bureau_cannot_act_outside_its_tree_through_the_forms(world: Any) -> None:
    build_admins(world.users)
    client = client_of(world.users["sz-sysadmin"])
    wuxi = Organisation.objects.get(name="无锡市工业和信息化局（演示）")
    before = state()
    page = client.post(
        reverse("orgs:bureau_new"), {"name": "锡山区（越权）", "region": "320205", "level": "district"}
    )
    assert page.status_code == 200 and "行政区划 320205 不在本部门辖区内。" in page.content.decode()
    page = client.post(
        reverse("orgs:staff_new"),
        {"bureau": wuxi.pk, "role": "reviewer", "display_name": "越权", "username": "wx-intruder"},
    )
    assert page.status_code == 200 and "wx-intruder" not in str(
        User.objects.values_list("username", flat=True)
    )
    assert state() == before


def test_the_audit_administrator_reads_and_exports_and_changes_nothing(world: Any) -> None:
    build_admins(world.users)
    city = client_of(world.users["sz-auditadmin"])
    log = city.get(reverse("orgs:audit_log")).content.decode()
    assert "org.staff_opened" in log and "audit-export" not in log
    ministry = client_of(world.users["mof-auditadmin"])
    export = ministry.get(reverse("orgs:audit_export"))
    assert export.status_code == 200 and export["Cache-Control"] == "no-store"
    lines = [json.loads(line) for line in export.content.decode().splitlines()]
    assert (
        any(line.get("event", {}).get("action") == "org.jurisdiction_started" for line in lines)
        or len(lines) > 3
    )
    assert Event.objects.filter(action="audit.exported", actor=world.users["mof-auditadmin"]).count() == 1
