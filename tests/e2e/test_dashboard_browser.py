"""The authorities' dashboards in a real browser: a district, a province and the ministry each open their
dashboard and see their own jurisdiction's figures only; axe-core (npm, run inside the page) finds no
serious or critical WCAG 2.1 A/AA violation. Screenshots in test-results/e2e/."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from factories import build_world
from playwright.sync_api import Browser, Page, expect
from signin import sign_in

from greenmfg.dashboards.services import load_reference_targets
from greenmfg.register import services as register

pytestmark = pytest.mark.django_db(transaction=True)
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"


def grant(key: str, region: str, kind: str = "factory") -> None:
    register.record_title(
        source_key=f"title:{key}",
        kind=kind,
        level="city",
        grade="",
        year=2025,
        announced_on=datetime.date(2025, 6, 30),
        announcement_ref="",
        authority="某工业和信息化局（演示）",
        region_code=region,
        unit_name=f"看板浏览器测试企业{key}（演示）",
        credit_code="",
        industry_code=None,
    )


def open_dashboard(browser: Browser, base: str, world, username: str) -> Page:
    # axe-core is injected as a script element: the test context alone bypasses the app's CSP for it
    page = browser.new_context(base_url=base, locale="zh-CN", bypass_csp=True).new_page()
    sign_in(page, world, username)
    page.goto("/dashboards/")
    expect(page.get_by_role("heading", name="称号分布")).to_be_visible()
    return page


def serious_violations(page: Page) -> list[str]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']})"
        ".then(r => r.violations.filter(v => ['serious', 'critical'].includes(v.impact))"
        ".map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).join(', ')))"
    )
    return list(result)


def test_each_bureau_sees_its_jurisdiction(live_server, browser: Browser, shot):
    world = build_world()
    load_reference_targets()
    grant("wz", "320506")  # 吴中区
    grant("wx", "320200", kind="park")  # 无锡市
    grant("hz", "330100")  # 杭州市

    district = open_dashboard(browser, live_server.url, world, "wz-reviewer")
    expect(district.get_by_text("有效称号 1 个")).to_be_visible()
    expect(district.locator("main")).not_to_contain_text("无锡市")
    shot(district, "dashboards-01-district")
    assert serious_violations(district) == []

    province = open_dashboard(browser, live_server.url, world, "js-reviewer")
    expect(province.get_by_text("有效称号 2 个")).to_be_visible()
    area = province.get_by_role("table", name="按地区")
    expect(area.get_by_role("row", name="苏州市 1")).to_be_visible()
    expect(area.get_by_role("row", name="无锡市 1")).to_be_visible()
    expect(province.locator("main")).not_to_contain_text("浙江")
    expect(province.locator("#chart-area canvas")).to_have_count(1)  # ECharts drew the chart
    shot(province, "dashboards-02-province")
    province.locator("#chart-area").scroll_into_view_if_needed()
    shot(province, "dashboards-02b-province-chart")
    assert serious_violations(province) == []

    ministry = open_dashboard(browser, live_server.url, world, "mof-reviewer")
    expect(ministry.get_by_text("有效称号 3 个")).to_be_visible()
    area = ministry.get_by_role("table", name="按地区")
    expect(area.get_by_role("row", name="江苏省 2")).to_be_visible()
    expect(area.get_by_role("row", name="浙江省 1")).to_be_visible()
    targets = ministry.get_by_role("table", name="各项目标的已达成数、在审数和缺口")
    expect(targets.get_by_role("row").filter(has_text="广东省")).to_have_count(3)
    expect(ministry.locator("#chart-area canvas")).to_have_count(1)  # the map of China
    shot(ministry, "dashboards-03-ministry")
    ministry.locator("#chart-area").scroll_into_view_if_needed()
    ministry.wait_for_load_state("networkidle")  # the map's GeoJSON has arrived
    shot(ministry, "dashboards-04-ministry-map")
    assert serious_violations(ministry) == []

    # the newer panels: how good, the evaluation bodies, back-testing — charts with their tables, accessible
    for path, heading, name in (
        ("/dashboards/quality/", "得分分布", "dashboards-05-quality"),
        ("/dashboards/bodies/", "各机构的项目和偏差", "dashboards-06-bodies"),
        ("/dashboards/backtests/", "评价方案回测", "dashboards-07-backtests"),
    ):
        ministry.goto(live_server.url + path)
        expect(ministry.get_by_role("heading", name=heading).first).to_be_visible()
        shot(ministry, name)
        assert serious_violations(ministry) == [], path
    ministry.goto(live_server.url + "/dashboards/")

    # the figure links to the register list behind it
    area = ministry.get_by_role("table", name="按地区")
    area.get_by_role("link", name="1").first.click()
    expect(ministry.get_by_text("看板浏览器测试企业hz（演示）")).to_be_visible()
