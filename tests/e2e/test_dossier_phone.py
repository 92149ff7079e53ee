"""The dossier on a phone (issue 11): at 390 px the page fits the screen (it was 1,867 px wide), with a
section opened, loaded when opened; a screenshot is kept."""

from __future__ import annotations

import pytest
from factories import actor, build_world, start
from playwright.sync_api import Browser, expect
from test_applications import complete_answers
from test_journey import login

from greenmfg.applications import services
from greenmfg.applications.dossier import build_form

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_dossier_fits_a_390_px_phone(live_server, browser: Browser, shot):
    world = build_world()
    user = world.users["sz-machinery"]
    application = start(user)
    services.save_answers(actor(user), application, complete_answers())
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True
    )
    page = context.new_page()
    login(page, live_server.url, "sz-machinery")
    page.goto(f"{live_server.url}/applications/{application.public_id}/")
    expect(page.locator("#score-value")).to_have_text("66.05")

    # open the widest section (the energy carriers table) and the gates: each loads when opened
    form = build_form("factory-gbt36132-2025@2025.1")
    titles = [s.title for s in form.sections]
    for title in (titles[1], "基本要求"):
        section = page.locator(f"#section-{titles.index(title)}")
        section.locator("summary").click()
        expect(section.locator("input, select").first).to_be_attached()
    expect(page.locator('[name="in:gate_qms"]')).to_have_value("是")

    width = page.evaluate("document.documentElement.scrollWidth")
    shot(page, "dossier-phone-390-gates")
    page.evaluate("window.scrollTo(0, 0)")
    shot(page, "dossier-phone-390-top")
    assert width <= 390, f"the dossier is {width} px wide at a 390 px screen"
    context.close()
