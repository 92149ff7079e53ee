"""The supervision charts in a real browser (issue 13): ECharts draws an evaluation body's track record
beside its table (the page's CSP allows no inline script: the data come from a JSON element), the filing
page shows each indicator's evidence rule and the title's history chart, and axe-core finds no serious or
critical violation on them, in Chinese and in English. Screenshots: test-results/e2e/supervision-chart-*.png."""

from __future__ import annotations

import pytest
from factories import build_world
from playwright.sync_api import Browser, expect
from test_accessibility_browser import logged_in
from test_dashboard_browser import serious_violations
from test_evaluations import demo_body
from test_supervision_history import _history
from test_supervision_track_chart import _checked

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_track_record_chart_draws_and_the_supervision_pages_pass_axe(
    live_server, browser: Browser, shot
) -> None:
    world = build_world()
    _checked(world)  # the body's report checked: one indicator beyond the tolerance
    _, filings = _history(world)
    problems: list[str] = []
    for language in ("zh-hans", "en"):
        bureau = logged_in(browser, live_server.url, world, "sz-reviewer", language)
        bureau.goto(f"/supervision/bodies/{demo_body().pk}/")
        expect(bureau.locator("#chart-track canvas")).to_have_count(1)  # ECharts drew the chart
        expect(bureau.locator("#checked-reports tbody tr")).to_have_count(2)
        bureau.locator("#chart-track").scroll_into_view_if_needed()
        shot(bureau, f"supervision-chart-body-{language}")
        problems += [f"{language} body: {v}" for v in serious_violations(bureau)]
        bureau.goto(f"/supervision/filings/{filings[2027].public_id}/")
        expect(bureau.locator("#filing-history svg rect")).to_have_count(1)
        problems += [f"{language} bureau filing: {v}" for v in serious_violations(bureau)]
        bureau.context.close()

        unit = logged_in(browser, live_server.url, world, "sz-machinery", language)
        unit.goto(f"/supervision/filings/{filings[2027].public_id}/")
        expect(unit.locator("#evidence-total_energy_tce .required-evidence")).to_be_visible()
        unit.locator("#filing-indicators").scroll_into_view_if_needed()
        shot(unit, f"supervision-chart-filing-{language}")
        problems += [f"{language} unit filing: {v}" for v in serious_violations(unit)]
        unit.goto("/supervision/filings/")
        expect(unit.locator(".history-note").first).to_be_visible()
        shot(unit, f"supervision-chart-history-{language}")
        problems += [f"{language} unit history: {v}" for v in serious_violations(unit)]
        unit.context.close()
    assert not problems, "\n".join(problems)
