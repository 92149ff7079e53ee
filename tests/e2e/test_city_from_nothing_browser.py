"""A real city from an empty database, in a browser (issue 12): no demo data, only the reference regions
and industries. The first administrator is started by `manage.py start_jurisdiction`, signs in with the
one-time password, enrols an authenticator and sets a password; opens the district bureau of 吴中区 and
the city's reviewer; an evaluation body applies through the public form and the city approves it; the city
adds three experts (a new employer recorded on the way). Screenshots in test-results/e2e/city-*.png."""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import call_command
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from greenmfg.orgs.models import Organisation
from greenmfg.reference.services import load_industries, load_regions
from greenmfg.reviews.models import ExpertProfile
from greenmfg.web.demo import demo_uscc

pytestmark = pytest.mark.django_db(transaction=True)


def first_login(page: Page, base: str, username: str, password: str, own: str) -> None:
    """Sign in with a one-time password, enrol the authenticator shown, set one's own password."""
    page.goto(f"{base}/accounts/login/")
    page.locator('input[name="username"]').fill(username)
    page.locator('input[name="password"]').fill(password)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("heading", name="启用动态口令")).to_be_visible()
    device = TOTPDevice.objects.get(user__username=username, confirmed=False)
    page.locator('input[name="token"]').fill(f"{totp(device.bin_key, step=device.step, t0=device.t0):06d}")
    page.get_by_role("button", name="启用").click()
    page.locator('input[name="old_password"]').fill(password)
    page.locator('input[name="new_password"]').fill(own)
    page.locator('input[name="new_password2"]').fill(own)
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_role("status").filter(has_text="密码已修改")).to_be_visible()


def one_time_password(page: Page) -> str:
    return page.locator("#one-time-password").inner_text().strip()


def logout(page: Page) -> None:
    page.get_by_role("button", name="退出").click()


def test_a_city_from_nothing(empty_installation, live_server, page: Page, shot) -> None:
    load_regions()
    load_industries()
    assert not Organisation.objects.exists()
    base = live_server.url
    out = io.StringIO()
    call_command("start_jurisdiction", region="320500", username="sz-admin", url=base, stdout=out)
    password = re.search(r"one-time password: (\S+)", out.getvalue()).group(1)

    # the system administrator: first sign-in, then the district bureau and the city's reviewer
    first_login(page, base, "sz-admin", password, "Suzhou#Admin2026x")
    page.goto(f"{base}/orgs/admin/")
    expect(page.get_by_role("heading", name=re.compile("辖区管理"))).to_be_visible()
    shot(page, "city-01-admin-home")
    page.locator("#bureau-new").click()
    page.locator('input[name="name"]').fill("苏州市吴中区工业和信息化局")
    page.locator('input[name="region"]').fill("320205")  # 锡山区, 无锡市: outside the tree
    page.locator('select[name="level"]').select_option("district")
    page.locator("#open-bureau").click()
    expect(page.get_by_text("行政区划 320205 不在本部门辖区内。")).to_be_visible()
    shot(page, "city-02-outside-the-tree")
    page.locator('input[name="region"]').fill("320506")
    page.locator("#open-bureau").click()
    expect(page.locator("#bureaus")).to_contain_text("苏州市吴中区工业和信息化局")
    page.locator("#staff-new").click()
    city = Organisation.objects.get(region_id="320500", kind="authority")
    page.locator('select[name="bureau"]').select_option(str(city.pk))
    page.locator('select[name="role"]').select_option("reviewer")
    page.locator('input[name="display_name"]').fill("市局审核员")
    page.locator('input[name="username"]').fill("sz-rev")
    page.locator("#open-staff").click()
    reviewer_password = one_time_password(page)
    shot(page, "city-03-staff-opened")
    logout(page)

    # an evaluation body applies through the public form
    page.goto(f"{base}/accounts/register/body/")
    name = "苏州绿评认证有限公司"
    fields = {
        "name": name,
        "credit_code": demo_uscc(name, "320506"),
        "legal_person": "王五",
        "address": "吴中区示例路 1 号",
        "qualifications": "检验检测机构资质认定证书 CMA 231012345678",
        "evaluators": "赵六, 绿色制造评价师, GM-2026-001\n钱七, 能源审计师, EA-2026-017",
        "display_name": "赵六",
        "username": "lvping",
        "password": "Qx7#Lp2v9Rk4",
    }
    for key, value in fields.items():
        page.locator(f'[name="{key}"]').fill(value)
    page.locator('select[name="region"]').select_option("320506")
    shot(page, "city-04-body-applies")
    page.locator("#apply-body").click()
    expect(page.get_by_role("heading", name="申请已提交")).to_be_visible()

    # the city's reviewer approves it and adds three experts
    first_login(page, base, "sz-rev", reviewer_password, "Suzhou#Review2026x")
    page.goto(f"{base}/orgs/bodies/")
    row = page.locator(f'tr[data-body="{name}"]')
    expect(row).to_contain_text("GM-2026-001")
    row.locator("button.approve").click()
    expect(page.locator(f'tr[data-body="{name}"] .state')).to_have_text("已确认")
    shot(page, "city-05-body-approved")
    for n, (who, fields_) in enumerate(
        [("周八", ["factory", "energy"]), ("吴九", ["factory", "water"]), ("郑十", ["factory", "carbon"])]
    ):
        page.goto(f"{base}/reviews/experts/new/")
        if n == 0:
            page.locator('input[name="employer_name"]').fill("苏州示例大学环境学院")
            page.locator('input[name="employer_region"]').fill("320506")
        else:
            employer = Organisation.objects.get(name="苏州示例大学环境学院")
            page.locator('select[name="employer"]').select_option(str(employer.pk))
        page.locator('input[name="display_name"]').fill(who)
        page.locator('input[name="title"]').fill("高级工程师")
        for field in fields_:
            page.locator(f'input[name="fields"][value="{field}"]').check()
        page.locator('input[name="username"]').fill(f"expert-{n + 1}")
        page.locator("#save-expert").click()
        expect(page.locator("#one-time-password")).to_be_visible()
    page.goto(f"{base}/reviews/experts/")
    expect(page.locator("#experts tbody tr")).to_have_count(3)
    shot(page, "city-06-experts")
    assert ExpertProfile.objects.count() == 3
    assert Organisation.objects.get(name=name).status == "active"
    assert not Organisation.objects.filter(name__contains="演示").exists()
