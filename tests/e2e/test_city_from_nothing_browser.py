"""A real city from an empty database, in a browser (issue 12): no demo data, only the reference regions
and industries. The first administrator is started by `manage.py start_jurisdiction`, signs in with the
one-time password, enrols an authenticator and sets a password; opens the district bureau of 吴中区 and
the city's reviewer; an evaluation body applies through the public form and the city approves it; the city
adds three experts (a new employer recorded on the way).

Then on to a published title, through the pages: the city derives a local scheme from the national one and
adopts it, imports its benchmark values from an .xlsx, issues a call pinning that scheme and taking
third-party evaluation (district, then the city with a panel of three and a credit check) and sets its
calendar; an enterprise registers itself and the district confirms it; it starts its application (the
benchmark value is filled from the city's sheet, not typed), fills its answers in the dossier page (each
field saved by the page as a person's typing is), submits and engages the evaluation body approved above;
the body's evaluator signs in for the first time (enrolling an authenticator), checks one item down and
concludes; the district passes it; the city records the credit check and draws the panel; each expert signs
in for the first time, scores and signs (tests/e2e/experts.py, shared with test_full_journey); the city's
reviewer passes it — and may not open the publicity, which the city's signer (签发人员, ADR 0011) does.
The seven-day publicity window passes on a clock the test controls: the live server runs in this process
(pytest-django's live server thread), so time-machine moves its clock too; on the window's last day the
signer still cannot publish, the day after it does, and the title is on the public register. Screenshots in
test-results/e2e/city-*.png.

No shortcut through the database or a service: the test reads the database only to check what the pages
did, and to compute a one-time code as the person's authenticator app would."""

from __future__ import annotations

import io
import re
import time
from datetime import datetime, timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from experts import expert_scores_and_signs
from factories import pdf_bytes
from openpyxl import Workbook
from playwright.sync_api import Page, expect
from test_applications import complete_answers

from greencore import BENCHMARK_COLUMNS
from greenmfg.applications.models import Application
from greenmfg.catalog.models import Call
from greenmfg.evaluations.models import Engagement
from greenmfg.orgs.models import Organisation
from greenmfg.publication.models import PublicityNotice, Title
from greenmfg.reference.services import load_industries, load_regions
from greenmfg.reviews.models import Assignment, ExpertProfile
from greenmfg.web.demo import demo_uscc

pytestmark = pytest.mark.django_db(transaction=True)
BODY = "苏州绿评认证有限公司"
BODY_PASSWORD = "Qx7#Lp2v9Rk4"

# The answers a person enters field by field: each field set as typed and left (its change event), which
# makes the page save it (hx-post, queued behind the save in flight). Returns the keys with no field;
# window.saves counts the saves answered (and failed).
FILL_FIELDS = """answers => {
    window.saves = {done: 0, failed: 0};
    document.body.addEventListener('htmx:afterRequest', event => {
        if (!event.detail.pathInfo.requestPath.endsWith('/save/')) return;
        window.saves.done += 1;
        if (!event.detail.successful) window.saves.failed += 1;
    });
    const missing = [];
    for (const [key, value] of Object.entries(answers)) {
        const field = document.querySelector(`[name="${CSS.escape(key)}"]`);
        if (!field || field.disabled || field.readOnly) { missing.push(key); continue; }
        if (field.tagName === 'SELECT') {
            const option = [...field.options].find(o => o.value === value || o.textContent.trim() === value);
            if (!option) { missing.push(key); continue; }
            field.value = option.value;
        } else {
            field.value = value;
        }
        field.dispatchEvent(new Event('change', {bubbles: true}));
    }
    return missing;
}"""

# The fields of a freshly loaded page whose saved value is not the one entered.
DIFFERING_FIELDS = """answers => Object.entries(answers).filter(([key, value]) => {
    const field = document.querySelector(`[name="${CSS.escape(key)}"]`);
    if (!field) return true;
    const shown = field.tagName === 'SELECT'
        ? [field.value, field.selectedOptions[0]?.textContent.trim()] : [field.value];
    return !shown.includes(value);
}).map(([key]) => key)"""


def enrol(page: Page, base: str, username: str, password: str) -> None:
    """A first sign-in of a second-factor role: the password, then the authenticator shown enrolled."""
    page.goto(f"{base}/accounts/login/")
    page.locator('input[name="username"]').fill(username)
    page.locator('input[name="password"]').fill(password)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("heading", name="启用动态口令")).to_be_visible()
    device = TOTPDevice.objects.get(user__username=username, confirmed=False)
    page.locator('input[name="token"]').fill(f"{totp(device.bin_key, step=device.step, t0=device.t0):06d}")
    page.get_by_role("button", name="启用").click()


def first_login(page: Page, base: str, username: str, password: str, own: str) -> None:
    """Sign in with a one-time password, enrol the authenticator shown, set one's own password."""
    enrol(page, base, username, password)
    page.locator('input[name="old_password"]').fill(password)
    page.locator('input[name="new_password"]').fill(own)
    page.locator('input[name="new_password2"]').fill(own)
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_role("status").filter(has_text="密码已修改")).to_be_visible()


def one_time_password(page: Page) -> str:
    return page.locator("#one-time-password").inner_text().strip()


def logout(page: Page) -> None:
    page.get_by_role("button", name="退出").click()


def test_a_city_from_nothing(empty_installation, live_server, page: Page, shot, tmp_path) -> None:
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
    # the city's signer (签发人员) and the district's reviewer
    staff_passwords = {}
    district_bureau = Organisation.objects.get(region_id="320506", kind="authority")
    for username, bureau, role, display in (
        ("sz-sign", city, "signer", "市局签发人"),
        ("wz-rev", district_bureau, "reviewer", "区局审核员"),
    ):
        page.goto(f"{base}/orgs/admin/staff/new/")
        page.locator('select[name="bureau"]').select_option(str(bureau.pk))
        page.locator('select[name="role"]').select_option(role)
        page.locator('input[name="display_name"]').fill(display)
        page.locator('input[name="username"]').fill(username)
        page.locator("#open-staff").click()
        staff_passwords[username] = one_time_password(page)
    logout(page)

    # an evaluation body applies through the public form
    page.goto(f"{base}/accounts/register/body/")
    name = BODY
    fields = {
        "name": name,
        "credit_code": demo_uscc(name, "320506"),
        "legal_person": "王五",
        "address": "吴中区示例路 1 号",
        "qualifications": "检验检测机构资质认定证书 CMA 231012345678",
        "evaluators": "赵六, 绿色制造评价师, GM-2026-001\n钱七, 能源审计师, EA-2026-017",
        "display_name": "赵六",
        "username": "lvping",
        "password": BODY_PASSWORD,
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
        staff_passwords[f"expert-{n + 1}"] = one_time_password(page)
    page.goto(f"{base}/reviews/experts/")
    expect(page.locator("#experts tbody tr")).to_have_count(3)
    shot(page, "city-06-experts")
    assert ExpertProfile.objects.count() == 3
    assert Organisation.objects.get(name=name).status == "active"
    assert not Organisation.objects.filter(name__contains="演示").exists()

    walk_to_a_published_title(page, base, shot, staff_passwords, tmp_path)


def answers_on_the_page(example: dict[str, str]) -> dict[str, str]:
    """The example factory's answers an enterprise types on the page: all but the benchmark value the
    city's sheet filled. Its seven energy carriers included: the sixth and seventh (steam, oxygen) go in
    rows under "more rows"."""
    return {key: value for key, value in example.items() if key != "in:carbon_intensity_base"}


def xlsx(*rows: list) -> dict:
    book = Workbook()
    book.active.append(list(BENCHMARK_COLUMNS))
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return {
        "name": "苏州市基准值.xlsx",
        "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "buffer": buffer.getvalue(),
    }


def walk_to_a_published_title(page: Page, base: str, shot, passwords: dict[str, str], tmp_path) -> None:
    """From the experts on, signed in as the city's reviewer (sz-rev), to the title on the public register."""
    today = timezone.localdate()
    source = "苏州市绿色工厂评价细则〔2026〕1号 第三条"

    # a local scheme derived from the national one, its diff, adopted
    page.goto(f"{base}/schemes/derive/?parent=factory-gbt36132-2025@2025.1")
    form = page.locator("#derive-form")
    form.get_by_label("方案代码").fill("factory-suzhou")
    form.get_by_label("版本").fill("2026.1")
    form.get_by_label("名称").fill("苏州市绿色工厂评价方案")
    form.get_by_label("依据（文件和条款）").fill(source)
    changed = "indicators[energy].children[platform].rule.base"
    form.get_by_label(changed, exact=True).fill("2")
    form.get_by_role("button", name="检查并保存为草稿").click()
    expect(page.locator("#scheme-diff")).to_contain_text(changed)
    page.locator("#adopt").click()
    expect(page.get_by_text("已采用的版本不能修改")).to_be_visible()
    shot(page, "city-07-scheme-adopted")

    # the city's benchmark values, from an .xlsx
    page.goto(f"{base}/benchmarks/")
    page.locator("#benchmark-import input[type=file]").set_input_files(
        xlsx(["34", None, today.year, "carbon_intensity_base", 120.5, "kgCO2/万元", source, "V"])
    )
    page.locator("#benchmark-import").get_by_role("button", name="导入").click()
    expect(page.get_by_role("status").filter(has_text="已导入 1 条基准值")).to_be_visible()
    shot(page, "city-08-benchmarks")

    # the call: the district first, then the city with a panel of three and a credit check
    opens, closes = today - timedelta(days=1), today + timedelta(days=30)
    page.goto(f"{base}/calls/new/")
    page.locator("#id_code").fill("suzhou-2026-factory")
    page.locator("#id_name").fill("2026年度苏州市绿色工厂申报")
    page.locator("#id_title_kind").select_option("factory")
    page.locator("#id_scheme").select_option("factory-suzhou@2026.1")
    page.locator("#id_opens_on").fill(opens.isoformat())
    page.locator("#id_closes_on").fill(closes.isoformat())
    page.locator("#id_step-0-level").select_option("district")
    page.locator("#id_step-1-level").select_option("city")
    page.locator("#id_step-1-panel_size").fill("3")
    page.locator("#id_step-1-credit_check").check()
    page.get_by_label("须经第三方评价").check()
    page.locator("#save-call").click()
    expect(page.get_by_role("status").filter(has_text="已发布申报批次")).to_be_visible()
    call = Call.objects.get(code="suzhou-2026-factory")
    assert (call.scheme_id, call.scheme_version, call.requires_third_party) == (
        "factory-suzhou",
        "2026.1",
        True,
    )

    # its calendar
    district_due, city_due = closes + timedelta(days=20), closes + timedelta(days=50)
    page.get_by_role("link", name="日程").last.click()
    page.get_by_label("区县初审完成日期").fill(district_due.isoformat())
    page.get_by_label("市级审核完成日期").fill(city_due.isoformat())
    page.locator("#save-calendar").click()
    expect(page.locator("#calendar-steps")).to_contain_text(
        f"{city_due.year}年{city_due.month}月{city_due.day}日"
    )
    shot(page, "city-09-call-calendar")
    logout(page)

    # an enterprise registers itself; the district's reviewer signs in for the first time and confirms it
    unit = "苏州某精密机械有限公司"
    page.goto(f"{base}/accounts/register/")
    page.locator('select[name="kind"]').select_option("enterprise")
    page.locator('input[name="name"]').fill(unit)
    page.locator('input[name="credit_code"]').fill(demo_uscc(unit, "320506"))
    page.locator('select[name="region"]').select_option("320506")
    page.locator('select[name="industry"]').select_option("34")
    page.locator('input[name="display_name"]').fill("孙一")
    page.locator('input[name="username"]').fill("jixie")
    page.locator('input[name="password"]').fill("Mv8#Tq3w7Zp2")
    page.get_by_role("button", name="提交注册").click()
    expect(page.get_by_role("heading", name="注册已提交")).to_be_visible()
    first_login(page, base, "wz-rev", passwords["wz-rev"], "Wuzhong#Review2026x")
    page.goto(f"{base}/registrations/")
    page.get_by_role("row").filter(has_text=unit).get_by_role("button", name="确认", exact=True).click()
    expect(page.get_by_text("暂无待确认的注册。")).to_be_visible()
    logout(page)

    # the enterprise starts its application: the benchmark value is the city's, not typed
    page.goto(f"{base}/accounts/login/")
    page.locator('input[name="username"]').fill("jixie")
    page.locator('input[name="password"]').fill("Mv8#Tq3w7Zp2")
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("heading", name="我的申报")).to_be_visible()
    page.get_by_role("row").filter(has_text="2026年度苏州市绿色工厂申报").get_by_role(
        "button", name="开始申报"
    ).click()
    expect(page.get_by_role("heading", name="2026年度苏州市绿色工厂申报")).to_be_visible()
    application = Application.objects.get(call=call)
    assert application.versions.get().answers["inputs"]["in:carbon_intensity_base"] == "120.5"

    # it fills its answers in the dossier page, every section open: a few typed key by key (the live score
    # follows), the rest entered as a person leaves each field, the page saving each (one request a field,
    # queued by the page)
    answers = answers_on_the_page(complete_answers())
    page.goto(f"{base}/applications/{application.public_id}/?section=all")
    score = page.locator("#score-value")
    before = score.inner_text()
    for key in ("s:year", "s:output_value", "s:output_value_unit", "in:platform_functions"):
        with page.expect_response(lambda r: r.url.endswith("/save/")):
            page.locator(f'[name="{key}"]').fill(answers.pop(key))
    expect(score).not_to_have_text(before)
    shot(page, "city-10-dossier-typing")
    missing = page.evaluate(FILL_FIELDS, answers)
    assert missing == []
    page.wait_for_function("n => window.saves.done >= n", arg=len(answers), timeout=300_000)
    assert page.evaluate("() => window.saves") == {"done": len(answers), "failed": 0}
    expect(page.locator("#live .ok")).to_be_visible()
    page.goto(f"{base}/applications/{application.public_id}/?section=all")
    assert page.evaluate(DIFFERING_FIELDS, answers) == []  # saved as entered
    shot(page, "city-11-dossier-filled")
    page.locator("#submit-button").click()
    expect(page.get_by_text("已提交").first).to_be_visible()
    application.refresh_from_db()
    assert (application.state, application.step_due_on) == ("submitted", district_due)

    # and engages the evaluation body the city approved
    page.get_by_label("选择第三方评价机构").select_option(label=BODY)
    page.get_by_role("button", name="委托评价").click()
    expect(page.locator("#engaged-body")).to_have_text(BODY)
    shot(page, "city-12-submitted-and-engaged")
    logout(page)

    # the body's evaluator: a first sign-in (its authenticator enrolled), the engagement from its list,
    # one item checked down on site, the conclusion
    enrol(page, base, "lvping", BODY_PASSWORD)
    page.goto(f"{base}/evaluations/")
    page.get_by_role("row").filter(has_text=unit).get_by_role("link", name="评价").click()
    field = page.locator('[name="in:platform_functions"]')
    field.evaluate("el => { const d = el.closest('details'); if (d) d.open = true; }")
    with page.expect_response(lambda r: "/save/" in r.url):
        field.fill("5")
    page.get_by_label("评价结论", exact=False).fill(
        "现场核查文件、统计报表与计量器具；数字化平台实有功能 5 项（自评 6 项）。结论：符合绿色工厂评价要求。"
    )
    page.locator("#conclude-button").click()
    expect(page.get_by_text("已出具第三方评价结论").first).to_be_visible()
    shot(page, "city-13-evaluator-concluded")
    engagement = Engagement.objects.get(application=application)
    assert (
        engagement.status,
        engagement.body.name,
        engagement.answers["inputs"]["in:platform_functions"],
    ) == (
        "concluded",
        BODY,
        "5",
    )
    logout(page)

    # the district passes it
    sign_in_again(page, base, "wz-rev", "Wuzhong#Review2026x")
    page.goto(f"{base}/reviews/case/{application.public_id}/")
    page.get_by_label("审核意见").fill("材料齐全，同意推荐。")
    page.locator("#decide-pass").click()
    expect(page.get_by_role("status").first).to_be_visible()
    logout(page)

    # the city: credit check and the panel of the three experts
    sign_in_again(page, base, "sz-rev", "Suzhou#Review2026x")
    page.goto(f"{base}/reviews/case/{application.public_id}/")
    page.get_by_label("核查日期").fill(today.isoformat())
    evidence = tmp_path / "信用中国查询结果.pdf"
    evidence.write_bytes(pdf_bytes("credit check"))
    page.get_by_label("核查结果文件").set_input_files(str(evidence))
    page.get_by_role("button", name="记录核查结果").click()
    expect(page.locator("#credit-result")).to_contain_text("未发现负面记录")
    page.locator("#form-panel").click()
    expect(page.locator("#panel li")).to_have_count(3)
    shot(page, "city-14-panel")
    logout(page)

    # each expert signs in for the first time, finds the case in their list, scores and signs
    for assignment in Assignment.objects.filter(application=application).select_related("expert__user"):
        expert_scores_and_signs(
            page,
            assignment.expert.user.username,
            unit,
            lambda page, username: first_login(
                page, base, username, passwords[username], f"Expert#{username}2026x"
            ),
            base,
        )
        logout(page)

    # the city's reviewer passes it; opening the publicity is the signer's
    sign_in_again(page, base, "sz-rev", "Suzhou#Review2026x")
    page.goto(f"{base}/reviews/case/{application.public_id}/")
    expect(page.locator("#panel-total")).to_be_visible()
    page.get_by_label("审核意见").fill("专家评审通过，信用核查无异常，同意列入名单。")
    page.locator("#decide-pass").click()
    page.goto(f"{base}/reviews/")
    expect(page.get_by_text("（发布公示须由本部门签发人员签发）")).to_be_visible()
    expect(page.get_by_role("button", name="发布公示")).to_have_count(0)
    shot(page, "city-15-reviewer-prepares")
    logout(page)

    first_login(page, base, "sz-sign", passwords["sz-sign"], "Suzhou#Signer2026x")
    page.goto(f"{base}/reviews/")
    page.get_by_role("button", name="发布公示").click()
    expect(page.get_by_text("公示已发布")).to_be_visible()
    shot(page, "city-16-publicity")
    notice = PublicityNotice.objects.get(call=call)
    page.goto(f"{base}/publication/notice/{notice.public_id}/manage/")
    expect(page.get_by_text("公示期满后方可公布名单。")).to_be_visible()
    expect(page.locator("#publish")).to_have_count(0)
    logout(page)

    # the window passes on a clock the test controls (the live server runs in this process): its last day,
    # then the day after; each day a new sign-in (the sessions of the days before have ended)
    last_day = datetime.combine(notice.closes_on, datetime.min.time(), tzinfo=timezone.get_current_timezone())
    with time_machine.travel(last_day + timedelta(hours=9), tick=True) as clock:
        sign_in_again(page, base, "sz-sign", "Suzhou#Signer2026x")
        page.goto(f"{base}/publication/notice/{notice.public_id}/manage/")
        expect(page.get_by_text("公示期满后方可公布名单。")).to_be_visible()  # not one day early
        shot(page, "city-17-publicity-last-day")
        logout(page)
        clock.shift(timedelta(days=1))
        sign_in_again(page, base, "sz-sign", "Suzhou#Signer2026x")
        page.goto(f"{base}/publication/notice/{notice.public_id}/manage/")
        page.locator("#publish").click()
        expect(page.locator("#announced-titles")).to_contain_text(unit)
        shot(page, "city-18-announcement")
        title = Title.objects.get()
        assert (title.organisation.name, title.kind, title.level, title.scheme) == (
            unit,
            "factory",
            "city",
            "factory-suzhou@2026.1",
        )
        assert title.announcement.published_by.username == "sz-sign"
        assert title.announcement.published_on == notice.closes_on + timedelta(days=1)
        assert Application.objects.get(pk=application.pk).state == "published"
        logout(page)

    # on the public register
    page.goto(f"{base}/public/titles/?q=苏州某精密机械")
    expect(page.get_by_text(unit).first).to_be_visible()
    shot(page, "city-19-public-register")
    assert not Organisation.objects.filter(name__contains="演示").exists()


def sign_in_again(page: Page, base: str, username: str, password: str) -> None:
    """A later sign-in: the password one set, then the authenticator's current code."""
    page.goto(f"{base}/accounts/login/")
    page.locator('input[name="username"]').fill(username)
    page.locator('input[name="password"]').fill(password)
    page.get_by_role("button", name="登录").click()
    page.locator('input[name="token"]').fill(unused_code(username))
    page.get_by_role("button", name="验证").click()
    expect(page.get_by_role("heading", name="第二重身份验证")).to_have_count(0)


def unused_code(username: str) -> str:
    """The authenticator's code for a time step the account has not used yet: django-otp refuses a code of
    a step already verified (a replay), and a walk signs the same person in again within seconds. The
    device accepts the next step's code (its tolerance); past that, wait for the step to turn."""
    device = TOTPDevice.objects.get(user__username=username, confirmed=True)
    while True:
        now = int((time.time() - device.t0) // device.step)
        if device.last_t < now + 1:
            break
        time.sleep(1)
    drift = 1 if device.last_t >= now else 0
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, drift=drift):06d}"
