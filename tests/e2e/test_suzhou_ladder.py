"""Suzhou's ladder in a real browser (issue 11, seeds/003): one application scoring 76.80 is graded 2A by
its district, published under the district's own announcement and filed with the city, which sees it among
the filed district titles; one scoring 85.50, whose 2A prerequisite is the platform's own district title
(it typed "none held"), is forwarded by the district and published 3A by the city; one whose third-party
result fails a basic requirement (计量设备) is stopped at its district with the requirement named. The
applications and their third-party evaluations are made through the services; every bureau decision is
a click. Screenshots:
test-results/e2e/suzhou-*.png."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from factories import build_world
from playwright.sync_api import Browser, Page, expect
from signin import sign_in
from test_district_grading import answers, evaluated, grade_at_district, ladder_call, submitted

from greenmfg.applications.models import Application
from greenmfg.publication.models import Filing, PublicityNotice, Title

pytestmark = pytest.mark.django_db(transaction=True)

CALL = "suzhou-2026-factory-grading"
LOW, HIGH, FAILING = (
    "苏州示例精密机械有限公司（演示）",
    "苏州示例新能源科技有限公司（演示）",
    "昆山示例电子科技有限公司（演示）",
)
REQUIREMENT = "计量设备（必选）：按 GB 17167、GB 24789 配备能源与水计量器具并分类计量"


def bureau(browser: Browser, base: str, world, username: str) -> Page:
    """A bureau's own browser: password, then its second factor."""
    page = browser.new_context(base_url=base, locale="zh-CN").new_page()
    sign_in(page, world, username)
    return page


def publish_after_window(page: Page, notice: PublicityNotice) -> None:
    """The seven-day window cannot pass inside a test: it is moved into the past, then the bureau publishes."""
    today = timezone.localdate()
    PublicityNotice.objects.filter(pk=notice.pk).update(
        opens_on=today - timedelta(days=8), closes_on=today - timedelta(days=2)
    )
    page.goto(f"/publication/notice/{notice.public_id}/manage/")
    page.locator("#publish").click()


def test_suzhou_ladder(live_server, browser: Browser, shot):
    world = build_world()
    base = live_server.url
    call = ladder_call()
    call.requires_third_party = True  # as the demo's Suzhou grading call: a third party evaluates each
    call.save()
    # sz-energy's 2A from last year's round, granted by its district on the platform (71.00)
    earlier = ladder_call("suzhou-2025-factory-grading")
    grade_at_district(world, submitted(world, "sz-energy", answers("0", held="none"), code=earlier.code))
    low = submitted(world, "sz-machinery", answers("0.2"))  # 76.80
    high = submitted(world, "sz-energy", answers("0.5", held="none"))  # 85.50
    failing = submitted(world, "ks-electronics", answers("1"))
    evaluated(world, "sz-machinery", low, {}, "经现场核查，与自评价一致")
    evaluated(world, "sz-energy", high, {}, "经现场核查，与自评价一致")
    evaluated(world, "ks-electronics", failing, {"in:metering_basic": "0.5"})  # 97.00, 计量设备 unmet

    # 1. the district grades 76.80 as 2A itself, lists it, publishes, and files the result with the city
    district = bureau(browser, base, world, "wz-reviewer")
    district.goto(f"/reviews/case/{low.public_id}/")
    expect(district.locator("#verdict-grade")).to_have_text("2A级绿色工厂")
    expect(district.locator("#verdict-route")).to_contain_text("该等级由本级评定")
    shot(district, "suzhou-01-district-grades-2a")
    district.get_by_label("审核意见").fill("初评76.80分，评为2A级绿色工厂。")
    district.locator("#decide-pass").click()
    expect(district.locator("#graded-here")).to_be_visible()
    district.goto("/reviews/")
    district.get_by_role("listitem").filter(has_text=call.name).get_by_role("button", name="发布公示").click()
    expect(district.get_by_text("公示已发布")).to_be_visible()
    notice = PublicityNotice.objects.get(call=call, authority__name="苏州市吴中区工业和信息化局（演示）")
    assert "区县级评定：1A、2A级" in notice.title
    publish_after_window(district, notice)
    expect(district.locator("#announced-titles")).to_contain_text(LOW)
    expect(district.locator("#announced-titles")).to_contain_text("区县级绿色工厂")
    expect(district.locator("#announced-titles")).to_contain_text("2A级绿色工厂")
    shot(district, "suzhou-02-district-announcement")
    title = Title.objects.get(application=low)
    assert (title.level, title.grade, str(title.score)) == ("district", "2A", "76.80")
    assert Filing.objects.get(announcement=title.announcement).filed_with_id == call.authority_id

    city = bureau(browser, base, world, "sz-reviewer")
    city.goto("/reviews/")
    city.locator("#filings-link").click()
    row = city.locator("#filed-titles tr").filter(has_text=LOW)
    expect(row).to_contain_text("2A级绿色工厂")
    expect(row).to_contain_text("苏州市吴中区工业和信息化局（演示）")
    expect(row).to_contain_text(title.announcement.number)
    shot(city, "suzhou-03-city-sees-filed-titles")

    # 2. 85.50 on the platform's 2A title: forwarded by the district, published 3A by the city
    district.goto(f"/reviews/case/{high.public_id}/")
    expect(district.locator("#verdict-grade")).to_have_text("3A级绿色工厂（市级）")
    expect(district.locator("#prerequisite-source")).to_have_text("已获等级依据本平台称号：2A（区县级）")
    shot(district, "suzhou-04-district-3a-on-platform-title")
    district.get_by_label("审核意见").fill("初评85.50分，已获评2A级，推荐申报3A级。")
    district.locator("#decide-pass").click()
    district.goto(f"/reviews/forwarding/{CALL}/0/")
    district.locator("#run-forwarding").click()
    expect(district.locator("#forwarding-result tr").filter(has_text=HIGH)).to_contain_text("已转报")
    assert Application.objects.get(pk=high.pk).review_step == 1
    city.goto(f"/reviews/case/{high.public_id}/")
    expect(city.locator("#verdict-grade")).to_have_text("3A级绿色工厂（市级）")
    city.get_by_label("审核意见").fill("同意评为3A级绿色工厂。")
    city.locator("#decide-pass").click()
    city.goto("/reviews/")
    city.get_by_role("listitem").filter(has_text=call.name).get_by_role("button", name="发布公示").click()
    expect(city.get_by_text("公示已发布")).to_be_visible()
    publish_after_window(city, PublicityNotice.objects.get(call=call, authority_id=call.authority_id))
    expect(city.locator("#announced-titles")).to_contain_text(HIGH)
    expect(city.locator("#announced-titles")).to_contain_text("3A级绿色工厂（市级）")
    shot(city, "suzhou-05-city-publishes-3a")
    granted = Title.objects.get(application=high)
    assert (granted.level, granted.grade, str(granted.score)) == ("city", "3A", "85.50")

    # 3. the third party found 计量设备 unmet: Kunshan's bureau can only reject it, the page names it
    kunshan = bureau(browser, base, world, "ks-reviewer")
    kunshan.goto(f"/reviews/case/{failing.public_id}/")
    expect(kunshan.locator("#verdict-grade")).to_have_text("不符合评价要求")
    expect(kunshan.locator("#verdict-reasons")).to_contain_text(REQUIREMENT)
    expect(kunshan.locator("#only-return-or-reject")).to_be_visible()
    expect(kunshan.locator("#decide-pass")).to_have_count(0)
    kunshan.get_by_label("不予通过的理由").fill("第三方评价：计量设备（必选）未满足。")
    kunshan.get_by_role("button", name="不予通过").click()
    expect(kunshan.locator("#verdict-reasons")).to_contain_text(REQUIREMENT)
    shot(kunshan, "suzhou-06-district-stops-failed-requirement")
    stopped = Application.objects.get(pk=failing.pk)
    assert (stopped.state, stopped.review_step) == ("rejected", 0)
    assert not Title.objects.filter(application=failing).exists()
