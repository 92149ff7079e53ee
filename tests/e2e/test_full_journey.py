"""The whole life of an application across roles, in a real browser: the applicant submits and engages a
third-party evaluation body; the evaluator scores and concludes; the district passes it and the Suzhou 3A
forwarding rule (≥ 80) sends it up; the city records a credit check and draws an expert panel; three
experts score independently and sign; the city passes it and opens publicity; an anonymous objection is
refused and a real-name one dismissed; the city publishes; the unit appears on the public register with
its grade. Every role works in its own browser context, as separate people would."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from experts import expert_scores_and_signs
from factories import actor, build_world, pdf_bytes, start, suzhou_answers
from playwright.sync_api import Browser, BrowserContext, Page, expect
from signin import sign_in

from greencore.scoring.compiled import compiled
from greencore.standards.registry import get_scheme
from greenmfg.applications import services
from greenmfg.applications.models import Application
from greenmfg.evaluations.models import Engagement
from greenmfg.publication.models import PublicityNotice, Title
from greenmfg.reviews.models import Assignment

pytestmark = pytest.mark.django_db(transaction=True)
CALL = "suzhou-2026-factory-grading"
UNIT = "苏州示例精密机械有限公司（演示）"


def person(browser: Browser, base: str, world, username: str | None) -> tuple[BrowserContext, Page]:
    context = browser.new_context(base_url=base, locale="zh-CN")
    page = context.new_page()
    if username is None:
        return context, page
    sign_in(page, world, username)
    return context, page


def optional_degree_item() -> str:
    """An item the evaluator marks down: a 可选 (optional) one, so the application stays eligible."""
    cs = compiled(get_scheme("factory-suzhou"))
    return next(k for k, s in cs.inputs.items() if str(s.kind.value) == "degree" and "必选" not in s.label.zh)


def test_from_submission_to_the_public_register(live_server, browser: Browser, shot, tmp_path):
    world = build_world()
    base = live_server.url
    application = start(world.users["sz-machinery"], CALL)
    services.save_answers(actor(world.users["sz-machinery"]), application, suzhou_answers())

    # the applicant submits and engages the evaluation body
    _, applicant = person(browser, base, world, "sz-machinery")
    applicant.goto(f"/applications/{application.public_id}/")
    applicant.locator("#submit-button").click()
    expect(applicant.get_by_text("已提交").first).to_be_visible()
    applicant.get_by_label("选择第三方评价机构").select_option(label="江苏示例绿色发展评价中心（演示）")
    applicant.get_by_role("button", name="委托评价").click()
    expect(applicant.locator("#engaged-body")).to_have_text("江苏示例绿色发展评价中心（演示）")
    shot(applicant, "j01-applicant-engaged")

    # the evaluator marks one optional item down and concludes
    engagement = Engagement.objects.get(application=application)
    _, evaluator = person(browser, base, world, "evaluator")
    evaluator.goto(f"/evaluations/{engagement.public_id}/")
    field = evaluator.locator(f'[name="in:{optional_degree_item()}"]')
    field.evaluate(
        "el => { const d = el.closest('details'); if (d) d.open = true; }"
    )  # its section is folded
    with evaluator.expect_response(lambda r: "/save/" in r.url):
        field.fill("0.5")
    evaluator.get_by_label("评价结论", exact=False).fill(
        "现场核查文件、统计报表与计量器具，结论：符合苏州市3A级绿色工厂要求。"
    )
    evaluator.locator("#conclude-button").click()
    engagement.refresh_from_db()
    assert engagement.status == "concluded" and engagement.score is not None and engagement.score < 100
    shot(evaluator, "j02-evaluator-concluded")

    # the district passes it and runs the forwarding rule (initial score ≥ 80 for 3A)
    _, district = person(browser, base, world, "wz-reviewer")
    district.goto(f"/reviews/case/{application.public_id}/")
    district.get_by_label("审核意见").fill("材料齐全，第三方评价结论为符合，同意推荐。")
    district.locator("#decide-pass").click()
    district.goto(f"/reviews/forwarding/{CALL}/0/")
    district.locator("#run-forwarding").click()
    row = district.locator("#forwarding-result tr").filter(has_text=UNIT)
    expect(row).to_contain_text("已转报")
    expect(row).to_contain_text("符合转报条件")
    shot(district, "j03-district-forwarded")

    # the city: credit check, expert panel
    _, city = person(browser, base, world, "sz-reviewer")
    city.goto(f"/reviews/case/{application.public_id}/")
    city.get_by_label("核查日期").fill(timezone.localdate().isoformat())
    evidence = tmp_path / "信用中国查询结果.pdf"
    evidence.write_bytes(pdf_bytes("credit check"))
    city.get_by_label("核查结果文件").set_input_files(str(evidence))
    city.get_by_role("button", name="记录核查结果").click()
    expect(city.locator("#credit-result")).to_contain_text("未发现负面记录")
    city.locator("#form-panel").click()
    expect(city.locator("#panel li")).to_have_count(3)
    panel = list(Assignment.objects.filter(application=application).select_related("expert__user"))
    assert "expert-5" not in {a.expert.user.username for a in panel}  # the applicant's park
    assert "expert-4" not in {a.expert.user.username for a in panel}  # the evaluation body's staff

    # three experts score independently (each gives the applicant's own points) and sign, each in a
    # browser of their own
    for assignment in panel:
        context, expert = person(browser, base, world, None)
        expert_scores_and_signs(
            expert,
            assignment.expert.user.username,
            UNIT,
            lambda page, username: sign_in(page, world, username),
        )
        context.close()
    city.reload()
    expect(city.locator("#panel-total")).to_have_text("100.00")
    city.get_by_label("审核意见").fill("专家评审得分100.00分，信用核查无异常，同意列入名单。")
    city.locator("#decide-pass").click()
    shot(city, "j04-city-passed")
    city.goto("/reviews/")
    city.get_by_role("button", name="发布公示").click()
    expect(city.get_by_text("公示已发布")).to_be_visible()
    notice = PublicityNotice.objects.get(call__code=CALL)
    assert notice.closes_on == timezone.localdate() + timedelta(days=6)

    # the public: an anonymous objection is refused, a real-name one received
    _, public = person(browser, base, world, None)
    public.goto(f"/publication/notices/{notice.public_id}/")
    expect(public.locator("#publicity-list")).to_contain_text(UNIT)
    public.get_by_label("异议事实和理由").fill("该企业厂区夜间噪声扰民，请主管部门核查。")
    public.locator("#file-objection").click()
    expect(public.locator("#objection-error")).to_contain_text("匿名异议不予受理")
    shot(public, "j05-anonymous-objection-refused")
    public.get_by_label("真实姓名").fill("李四")
    public.get_by_label("电子邮箱").fill("lisi@example.cn")
    public.locator("#file-objection").click()
    # it counts once the code e-mailed to the objector is entered (issue 16)
    expect(public.get_by_text("验证码已发送至")).to_be_visible()

    code = next(m for m in reversed(mail.outbox) if "lisi@example.cn" in m.to).subject.rsplit(" ", 1)[-1]
    public.get_by_label("验证码").fill(code)
    public.locator("#verify-objection").click()
    expect(public.get_by_text("异议已受理")).to_be_visible()

    # the city dismisses it with reasons; after the window it publishes
    city.goto(f"/publication/notice/{notice.public_id}/manage/")
    city.get_by_label("处理意见").fill("经现场核查，噪声监测达标，异议不成立。")
    city.get_by_role("button", name="异议不成立").click()
    expect(city.get_by_text("处理意见：经现场核查")).to_be_visible()
    # the seven-day window cannot pass inside a test: move it into the past instead
    today = timezone.localdate()
    PublicityNotice.objects.filter(pk=notice.pk).update(
        opens_on=today - timedelta(days=8), closes_on=today - timedelta(days=2)
    )
    city.reload()
    city.locator("#publish").click()
    expect(city.locator("#announced-titles")).to_contain_text(UNIT)
    expect(city.locator("#announced-titles")).to_contain_text("3A级")
    shot(city, "j06-announcement")
    title = Title.objects.get()
    assert (title.grade, title.level, title.kind) == ("3A", "city", "factory")
    assert Application.objects.get(pk=application.pk).state == "published"

    # the unit on the public register, with its grade
    public.goto("/public/titles/?q=苏州示例精密机械")
    expect(public.get_by_text(UNIT).first).to_be_visible()
    expect(public.get_by_text("3A级").first).to_be_visible()
    shot(public, "j07-public-register")
