"""Two saves of different dossier fields in flight together, in a real browser (issue 11, "nothing typed is
lost"): whatever order the server answers them in, the live panel ends on the revision stored and shows
greencore's score of exactly the answers stored.

The order is made deterministic by holding the first save at the network (Playwright's route) until the
second field has been changed: this is what a slow save does while the user moves on to the next field.
"""

from __future__ import annotations

from typing import Any

import pytest
from factories import build_world
from playwright.sync_api import Browser, Route, expect
from signin import sign_in
from test_applications import complete_answers
from test_journey import open_section_of

from greenmfg.applications.answers import Answers
from greenmfg.applications.dossier import evaluate, scheme_for
from greenmfg.applications.models import Application

pytestmark = pytest.mark.django_db(transaction=True)

# a change as the browser reports it when the user leaves the field (htmx saves on it, without delay);
# returns whether htmx sent the save at once (True) or queued it behind the save in flight (False)
CHANGE = """([key, value]) => {
  const field = document.querySelector(`[name="${key}"]`);
  let sent = false;
  const seen = (event) => { if (event.detail.elt === field) sent = true; };
  document.addEventListener("htmx:beforeRequest", seen);
  field.value = value;
  field.dispatchEvent(new Event("change", { bubbles: true }));
  document.removeEventListener("htmx:beforeRequest", seen);
  return sent;
}"""


def test_two_racing_saves_end_on_the_stored_revision_and_its_score(
    live_server: Any, browser: Browser
) -> None:
    world = build_world()
    page = browser.new_context(base_url=live_server.url, locale="zh-CN").new_page()
    sign_in(page, world, "sz-machinery")
    row = page.get_by_role("row").filter(has_text="2026年度苏州市绿色工厂申报（演示）")
    row.get_by_role("button", name="开始申报").click()
    live = page.locator("#live")
    expect(live).to_have_attribute("data-revision", "0")
    application = Application.objects.get(applicant__name="苏州示例精密机械有限公司（演示）")
    answers = complete_answers()
    first, second = "in:platform_functions", "s:output_value"  # 4.50 points alone; 0.00 alone
    open_section_of(page, first)
    page.wait_for_load_state("networkidle")  # the section's fields are in: nothing else is in flight

    held: list[Route] = []

    def hold_the_first_save(route: Route) -> None:
        if held:
            route.continue_()
        else:
            held.append(route)

    page.route("**/save/", hold_the_first_save)
    page.evaluate(CHANGE, [first, answers[first]])
    while not held:  # the first save has reached the network and waits there
        page.wait_for_timeout(20)
    if page.evaluate(CHANGE, [second, answers[second]]):
        # sent beside the first one: the server stores it and answers while the first still waits
        expect(live).to_have_attribute("data-revision", "1")
    held[0].continue_()

    def stored() -> tuple[int, dict[str, Any]]:
        dossier = application.versions.get(frozen_at__isnull=True)
        return dossier.revision, dossier.answers

    # both saves are stored, whichever order they took
    for _ in range(500):
        if stored()[0] == 2:
            break
        page.wait_for_timeout(20)
    revision, stored_answers = stored()
    assert revision == 2
    assert stored_answers == {
        "inputs": {first: answers[first]},
        "raw": {second: answers[second]},
    }
    # the live panel ends on that revision, with greencore's score of exactly those answers
    expect(live).to_have_attribute("data-revision", "2")
    result = evaluate(scheme_for("factory-gbt36132-2025", "2025.1"), Answers.from_json(stored_answers)).result
    assert result is not None
    assert f"{result.score:.2f}" == "4.50"
    expect(page.locator("#score-value")).to_have_text(f"{result.score:.2f}")
