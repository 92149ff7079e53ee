"""The applicant's journey in a real browser: log in, self-evaluate the 2025 factory scheme for the Suzhou
call from raw data, upload evidence, watch the live score, import a filled workbook, submit; another
enterprise cannot reach the dossier; the district bureau (with its second factor) sees it in its queue."""

from __future__ import annotations

import re

import pytest
from django_otp.oath import TOTP
from factories import build_world, filled_workbook, pdf_bytes
from playwright.sync_api import Page, expect
from test_applications import complete_answers

from greenmfg.applications.dossier import build_form, scheme_for
from greenmfg.applications.models import Application
from greenmfg.web.demo import DEMO_PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


def login(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()


def open_section_of(page: Page, key: str) -> None:
    """Open the dossier section holding `key`: the page loads it when opened (issue 11)."""
    form = build_form("factory-gbt36132-2025@2025.1")
    index = [s.title for s in form.sections].index(form.section_of(key) or "")
    section = page.locator(f"#section-{index}")
    if section.get_attribute("open") is None:
        section.locator("summary").click()
    expect(page.locator(f'[name="{key}"]')).to_be_attached()


def test_applicant_journey(live_server, page: Page, shot, tmp_path):
    world = build_world()
    base = live_server.url
    login(page, base, "sz-machinery")
    expect(page.get_by_role("heading", name="我的申报")).to_be_visible()
    row = page.get_by_role("row").filter(has_text="2026年度苏州市绿色工厂申报（演示）")
    row.get_by_role("button", name="开始申报").click()
    expect(page.get_by_role("heading", name="2026年度苏州市绿色工厂申报（演示）")).to_be_visible()
    shot(page, "01-dossier-empty")
    score = page.locator("#score-value")
    before = score.inner_text()

    # raw data and typed answers, as a user types them; each change re-scores live
    answers = complete_answers()
    live = page.locator("#live")
    for key in ("s:year", "s:output_value", "s:output_value_unit", "in:platform_functions"):
        revision = int(live.get_attribute("data-revision"))
        open_section_of(page, key)
        field = page.locator(f'[name="{key}"]')
        field.fill(answers[key])
        expect(live).not_to_have_attribute("data-revision", str(revision))
        # one field's save at a time: the revision can move on the previous field's delayed save, and a
        # save racing another one is what this walk is not about (a user types one field at a time)
        page.wait_for_load_state("networkidle")
    expect(score).not_to_have_text(before)  # the judged 数字化平台 input scores at once
    open_section_of(page, "in:gate_qms")
    gate = page.locator('[name="in:gate_qms"]')
    gate.select_option("否")
    expect(page.locator("#grade-value")).to_have_text(re.compile("未达等级|待定"))
    page.locator('[name="s:output_value"]').fill("四万六")
    expect(page.locator(".field.invalid, .err").filter(has_text="应填数值")).not_to_have_count(0)
    shot(page, "02-dossier-live-error")

    # evidence for the first indicator: a real PDF, checked by content; an HTML file renamed .pdf is refused
    good = tmp_path / "能源管理体系证书.pdf"
    good.write_bytes(pdf_bytes())
    bad = tmp_path / "伪装.pdf"
    bad.write_bytes(b"<html><script>alert(1)</script></html>")
    first = page.locator("#evidence tbody tr").first
    first.locator('input[type="file"]').set_input_files(str(good))
    first.get_by_role("button", name="上传").click()
    expect(page.get_by_role("status").filter(has_text="已上传：能源管理体系证书.pdf")).to_be_visible()
    first = page.locator("#evidence tbody tr").first
    first.locator('input[type="file"]').set_input_files(str(bad))
    first.get_by_role("button", name="上传").click()
    expect(page.get_by_role("status").filter(has_text="伪装.pdf")).to_be_visible()
    shot(page, "03-evidence")

    # import the filled workbook (the background task), then the result is the command line's
    workbook = tmp_path / "自评价表.xlsx"
    filled_workbook(scheme_for("factory-gbt36132-2025", "2025.1"), workbook, answers)
    page.locator('input[name="workbook"]').set_input_files(str(workbook))
    page.get_by_role("button", name="导入", exact=True).click()
    expect(page.locator(".import-state")).to_have_attribute("data-status", "done")
    shot(page, "04-import-done")
    page.get_by_role("link", name="返回申报书").click()
    expect(page.locator("#score-value")).to_have_text("66.05")
    expect(page.locator("#radar canvas")).to_have_count(1)
    shot(page, "05-dossier-imported")
    # the working behind the computed inputs: each step with its reference-table row
    working = page.locator("#working details")
    working.locator("summary").click()
    step = working.get_by_role("cell", name="1260000 kg × 0.7143 kgce/kg = 900018 kgce", exact=True)
    expect(step).to_be_visible()
    step.scroll_into_view_if_needed()
    shot(page, "05b-dossier-working")

    page.get_by_role("button", name="提交申报").click()
    expect(page.locator("#app-state")).to_have_text("已提交")
    shot(page, "06-submitted")
    application = Application.objects.get(applicant__name="苏州示例精密机械有限公司（演示）")
    assert application.state == "submitted"
    url = f"{base}/applications/{application.public_id}/"

    # another enterprise of the same district gets 404
    page.get_by_role("button", name="退出").click()
    login(page, base, "sz-energy")
    response = page.goto(url)
    assert response is not None and response.status == 404

    # the district bureau passes its second factor and finds the application in its queue
    page.goto(f"{base}/")
    page.get_by_role("button", name="退出").click()
    login(page, base, "wz-reviewer")
    device = world.users["wz-reviewer"].totpdevice_set.get(confirmed=True)
    page.get_by_label("动态口令").fill(
        f"{TOTP(device.bin_key, device.step, device.t0, device.digits).token():06d}"
    )
    page.get_by_role("button", name="验证").click()
    expect(page.get_by_role("heading", name=re.compile("本级待办"))).to_be_visible()
    expect(page.get_by_role("row").filter(has_text="苏州示例精密机械有限公司（演示）").first).to_be_visible()
    shot(page, "07-district-queue")
