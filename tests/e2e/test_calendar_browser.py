"""Schemes, benchmarks and a call's calendar in a browser (issue 12): the Suzhou city bureau derives a local
scheme from the national one in the form, sees the diff, adopts it; imports its benchmark values from an
.xlsx written here with openpyxl (one bad sheet first: the per-row report, nothing stored); issues a call
pinning the adopted scheme; and sets the call's calendar (a wrong order refused with its reason, then the
dates saved and their reminders scheduled); a district of the first step reports its key-enterprise list
(对标摸底名单), which the call page then shows. Screenshots in test-results/e2e/calendar-*.png."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from django.utils import timezone
from factories import build_world
from openpyxl import Workbook
from playwright.sync_api import Browser, Page, expect
from signin import sign_in as sign_in_page

from greencore import BENCHMARK_COLUMNS
from greenmfg.benchmarks.models import BenchmarkValue
from greenmfg.catalog.models import Call, CallCalendar
from greenmfg.notifications.models import Reminder
from greenmfg.schemes.models import LocalScheme

pytestmark = pytest.mark.django_db(transaction=True)
PARENT = "factory-gbt36132-2025@2025.1"
CHANGED = "indicators[energy].children[platform].rule.base"
SOURCE = "苏州市绿色工厂评价细则〔2027〕1号 第三条"


def sign_in(browser: Browser, base: str, world, username: str) -> Page:
    page = browser.new_context(base_url=base, locale="zh-CN").new_page()
    sign_in_page(page, world, username)
    return page


def workbook(*rows: list) -> dict:
    book = Workbook()
    sheet = book.active
    sheet.append(list(BENCHMARK_COLUMNS))
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return {
        "name": "苏州基准值.xlsx",
        "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "buffer": buffer.getvalue(),
    }


def test_derive_adopt_import_and_a_call_with_its_calendar(live_server, browser: Browser, shot) -> None:
    world = build_world()
    page = sign_in(browser, live_server.url, world, "sz-reviewer")
    today = timezone.localdate()

    # 1. derive a local scheme from the national one, in the form
    page.goto(f"/schemes/derive/?parent={PARENT}")
    form = page.locator("#derive-form")
    form.get_by_label("方案代码").fill("factory-suzhou-e2e")
    form.get_by_label("版本").fill("2027.1")
    form.get_by_label("名称").fill("苏州市绿色工厂评价方案（浏览器测试）")
    form.get_by_label("依据（文件和条款）").fill(SOURCE)
    form.get_by_label(CHANGED, exact=True).fill("2")
    shot(page, "calendar-01-derive")
    form.get_by_role("button", name="检查并保存为草稿").click()

    # 2. the diff against the parent, then adopt
    diff = page.locator("#scheme-diff")
    expect(diff).to_contain_text(CHANGED)
    expect(diff).to_contain_text(SOURCE)
    shot(page, "calendar-02-diff")
    page.locator("#adopt").click()
    expect(page.get_by_text("已采用的版本不能修改")).to_be_visible()
    shot(page, "calendar-03-adopted")
    adopted = LocalScheme.objects.get(scheme_id="factory-suzhou-e2e")
    assert adopted.status == "adopted"
    key = f"{adopted.scheme_id}@{adopted.version}"

    # 3. benchmark values from Excel: a bad sheet first (per-row report, nothing stored), then a good one
    page.goto("/benchmarks/")
    year = today.year
    page.locator("#benchmark-import input[type=file]").set_input_files(
        workbook(["34", None, year, "carbon_intensity_base", "一百", "kgCO2/万元", SOURCE, "V"])
    )
    page.locator("#benchmark-import").get_by_role("button", name="导入").click()
    problems = page.locator("#benchmark-problems")
    expect(problems).to_contain_text("“一百”不是数字")
    assert not BenchmarkValue.objects.exists()
    shot(page, "calendar-04-benchmark-report")
    page.locator("#benchmark-import input[type=file]").set_input_files(
        workbook(
            ["34", None, year, "carbon_intensity_base", 120.5, "kgCO2/万元", SOURCE, "V"],
            ["34", None, year, "carbon_intensity_lead", 80, "kgCO2/万元", SOURCE, "S"],
        )
    )
    page.locator("#benchmark-import").get_by_role("button", name="导入").click()
    expect(page.get_by_role("status").filter(has_text="已导入 2 条基准值")).to_be_visible()
    expect(page.locator("#benchmark-values")).to_contain_text("carbon_intensity_lead")
    shot(page, "calendar-05-benchmarks")

    # 4. a call pinning the adopted scheme
    opens, closes = today, today + timedelta(days=30)
    page.goto("/calls/new/")
    page.locator("#id_code").fill("suzhou-2027-factory-e2e")
    page.locator("#id_name").fill("2027年度苏州市绿色工厂申报（浏览器测试）")
    page.locator("#id_title_kind").select_option("factory")
    page.locator("#id_scheme").select_option(key)
    page.locator("#id_opens_on").fill(opens.isoformat())
    page.locator("#id_closes_on").fill(closes.isoformat())
    page.locator("#id_step-0-level").select_option("district")
    page.locator("#id_step-1-level").select_option("city")
    page.locator("#save-call").click()
    expect(page.get_by_role("status").filter(has_text="已发布申报批次")).to_be_visible()
    call = Call.objects.get(code="suzhou-2027-factory-e2e")
    assert f"{call.scheme_id}@{call.scheme_version}" == key

    # 5. its calendar: the city's date before the district's is refused with the reason, nothing saved
    page.get_by_role("link", name="日程").last.click()
    district, city, key_list = (
        closes + timedelta(days=20),
        closes + timedelta(days=50),
        closes - timedelta(days=10),
    )
    page.get_by_label("区县初审完成日期").fill(city.isoformat())
    page.get_by_label("市级审核完成日期").fill(district.isoformat())
    page.get_by_label("对标摸底名单报送日期").fill(key_list.isoformat())
    page.locator("#save-calendar").click()
    expect(page.locator("#field-step_1 .error")).to_contain_text("须晚于上一审核环节的完成日期")
    assert not CallCalendar.objects.filter(call=call).exists()
    shot(page, "calendar-06-refused")
    page.get_by_label("区县初审完成日期").fill(district.isoformat())
    page.get_by_label("市级审核完成日期").fill(city.isoformat())
    page.locator("#save-calendar").click()
    expect(page.get_by_role("status").filter(has_text="日程")).to_be_visible()
    expect(page.locator("#calendar-steps")).to_contain_text(f"{city.year}年{city.month}月{city.day}日")
    shot(page, "calendar-07-calendar")
    held = CallCalendar.objects.get(call=call)
    assert held.step_dates == [district.isoformat(), city.isoformat()]
    # the city's reviewer is reminded 7 days before the city's date
    assert Reminder.objects.filter(
        key=f"call:{call.code}:step:1", user=world.users["sz-reviewer"], kind="due_in_7"
    ).get().due_on == city - timedelta(days=7)

    # 6. Wuzhong, a district of the call's first step, reports its key-enterprise list by the date
    district_page = sign_in(browser, live_server.url, world, "wz-reviewer")
    machinery = world.users["sz-machinery"].membership.organisation
    district_page.goto("/reviews/")  # the workbench links the list it is asked for
    district_page.locator("#key-lists").get_by_role("link", name=call.name).click()
    expect(district_page).to_have_url(re.compile(f"/calls/{call.code}/key-list/$"))
    district_page.get_by_label("统一社会信用代码").fill(f"{machinery.credit_code}\n91320000NOTAUNIT00")
    district_page.locator("#save-key-list").click()
    expect(district_page.get_by_role("alert")).to_contain_text("91320000NOTAUNIT00：本辖区内没有该单位")
    district_page.get_by_label("统一社会信用代码").fill(machinery.credit_code)
    district_page.locator("#save-key-list").click()
    expect(district_page.locator("#key-list-entries")).to_contain_text(machinery.name)
    shot(district_page, "calendar-08-key-list")
    page.reload()
    expect(page.locator("#key-list")).to_contain_text(machinery.name)
    page.locator("#key-list").scroll_into_view_if_needed()
    shot(page, "calendar-09-key-list-on-the-call")
