"""After the title, one full cycle in a real browser (issue 13), on a clock the test controls: the bureau
opens the 2027 filing round, the unit files its 动态管理表, the bureau re-grades the round, draws a spot check
and records a non-conformity; the three-month rectification is missed, the bureau revokes the title, the
public register shows it revoked with the day and the reason, and the unit is refused, with the day it may
apply again. Screenshots: test-results/e2e/supervision-*.png."""

from __future__ import annotations

import pytest
import time_machine
from factories import build_world, pdf_bytes
from playwright.sync_api import Browser, BrowserContext, Page, expect
from signin import sign_in
from supervision_world import grant_title

from greencore import evidence_rule
from greenmfg.catalog.models import Call
from greenmfg.publication.models import Title
from greenmfg.register.models import RegisterEntry
from greenmfg.supervision.models import Filing, Rectification

pytestmark = pytest.mark.django_db(transaction=True)

GOOD = {
    "output_value": "52000",
    "total_energy_tce": "8600",
    "site_area_m2": "120000",
    "carbon_emission_t": "21000",
    "renewable_energy_tce": "900",
    "water_intake_m3": "310000",
    "water_reuse_rate": "92",
    "solid_waste_rate": "95",
    "building_coverage": "45",
    "plot_ratio": "1.2",
}


def person(browser: Browser, base: str, world, username: str | None) -> tuple[BrowserContext, Page]:
    context = browser.new_context(base_url=base, locale="zh-CN")
    page = context.new_page()
    if username is None:
        return context, page
    sign_in(page, world, username)
    return context, page


def test_filing_regrade_spot_check_missed_rectification_revocation_and_ban(
    live_server, browser: Browser, shot, settings
):
    # three months pass in this test: the demo passwords must not expire on the way (90 days by default)
    settings.PASSWORD_MAX_AGE_DAYS = 3650
    base = live_server.url
    with time_machine.travel("2027-03-01 09:00 +0800", tick=True) as clock:
        world = build_world()
        title = grant_title(world)
        Call.objects.filter(code="suzhou-2026-factory").update(opens_on="2027-01-01", closes_on="2027-12-31")

        bureau_context, bureau = person(browser, base, world, "sz-reviewer")
        bureau.goto("/supervision/filings/?year=2027")
        bureau.get_by_role("button", name="开启本年度填报").click()
        expect(bureau.get_by_role("status").filter(has_text="已为 1 家单位开启")).to_be_visible()
        shot(bureau, "supervision-01-round-opened")

        unit_context, unit = person(browser, base, world, "sz-machinery")
        unit.goto("/supervision/filings/")
        unit.get_by_role("link", name="2027").click()
        for key, value in GOOD.items():
            unit.locator(f'[name="v:{key}"]').fill(value)
        unit.locator('[name="u:total_energy_tce"]').fill("kWh")
        unit.get_by_role("button", name="提交").click()
        expect(unit.locator("#filing-problems")).to_contain_text("不能换算为 tce")
        shot(unit, "supervision-02-filing-refused-unit")
        unit.locator('[name="u:total_energy_tce"]').fill("tce")
        # the evidence the level's filing rule asks for, one file per indicator
        for key in evidence_rule("city").required:
            unit.locator(f'[name="e:{key}"]').set_input_files(
                {"name": f"{key}.pdf", "mimeType": "application/pdf", "buffer": pdf_bytes(key)}
            )
        unit.get_by_role("button", name="提交").click()
        expect(unit.locator("#filing-status")).to_have_text("已受理")
        shot(unit, "supervision-03-filing-accepted")
        assert Filing.objects.get().status == Filing.Status.ACCEPTED

        bureau.goto("/supervision/filings/?year=2027")
        bureau.get_by_role("button", name="重新评定绿码等级").click()
        expect(bureau.locator("#regrade-progress")).to_have_attribute("value", "100")
        shot(bureau, "supervision-04-regraded")

        bureau.goto("/supervision/draws/new/")
        bureau.locator('[name="purpose"]').select_option("spot_check")
        bureau.get_by_label("抽取数量").fill("1")
        bureau.get_by_label("随机种子").fill("2027年苏州市绿色工厂抽查")
        bureau.get_by_role("button", name="抽取", exact=True).click()
        expect(bureau.locator("#draw-verdict")).to_contain_text("结果与记录一致")
        shot(bureau, "supervision-05-draw")
        bureau.locator("#draw-checks").get_by_role("link").first.click()
        bureau.get_by_label("结论").select_option("no")
        bureau.get_by_label("检查发现").fill("能源计量器具配备不符合 GB 17167，二级计量覆盖不全")
        bureau.get_by_role("button", name="记录", exact=True).click()
        bureau.get_by_role("button", name="办结检查").click()
        expect(bureau.locator("#rectification-link")).to_contain_text("整改期限至 2027年6月1日")
        shot(bureau, "supervision-06-finding-rectification")
        rectification = Rectification.objects.get()
        bureau_context.close()
        unit_context.close()

        # the three months pass without an answer
        clock.move_to("2027-06-02 09:00 +0800")
        bureau_context, bureau = person(browser, base, world, "sz-reviewer")
        bureau.goto(f"/supervision/rectifications/{rectification.public_id}/")
        bureau.get_by_role("button", name="逾期未整改，撤销称号").click()
        expect(bureau.locator("#revocation")).to_contain_text("自 2030年6月2日 起方可再次申报同级称号")
        shot(bureau, "supervision-07-revoked")
        assert Title.objects.get(pk=title.pk).status == Title.Status.REVOKED

        public_context, public = person(browser, base, world, None)
        entry = RegisterEntry.objects.get(source_key=f"title:{title.public_id}")
        public.goto(f"/public/units/{entry.unit_key}/")
        expect(public.locator(".register-state-revoked")).to_have_text("已撤销")
        expect(public.get_by_text("整改期满未完成整改")).to_be_visible()
        shot(public, "supervision-08-register-revoked")

        unit_context, unit = person(browser, base, world, "sz-machinery")
        unit.goto("/applications/")
        # the call is no longer offered; a post from a stale page is refused with the day it may apply again
        unit.evaluate(
            """code => {
                const token = JSON.parse(document.body.getAttribute('hx-headers'))['X-CSRFToken'];
                const form = document.createElement('form');
                form.method = 'post';
                form.action = `/applications/start/${code}/`;
                const input = document.createElement('input');
                input.type = 'hidden'; input.name = 'csrfmiddlewaretoken'; input.value = token;
                form.appendChild(input); document.body.appendChild(form); form.submit();
            }""",
            "suzhou-2026-factory",
        )
        expect(unit.get_by_role("status").filter(has_text="自 2030年06月02日 起方可申报")).to_be_visible()
        shot(unit, "supervision-09-ban-refused")
        for context in (bureau_context, public_context, unit_context):
            context.close()
