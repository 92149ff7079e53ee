"""An expert of a panel signs in, finds the case in their list, scores it and signs the scores (shared by
the browser walks: test_full_journey with the demo experts, test_city_from_nothing_browser with experts
signing in for the first time)."""

from __future__ import annotations

from collections.abc import Callable

from playwright.sync_api import Page, expect

# each score field takes the applicant's own points for its item (0 where the applicant claimed none)
OWN_POINTS = """() => document.querySelectorAll('input[name^="pt:"]').forEach(input => {
    const own = input.closest('tr').children[2].textContent.trim();
    input.value = own === '—' ? '0' : own; })"""


def expert_scores_and_signs(
    page: Page, username: str, unit: str, sign_in: Callable[[Page, str], None], base: str = ""
) -> None:
    """`sign_in(page, username)` signs the expert in (a demo account, or a first sign-in with a one-time
    password); then the case of `unit` from the expert's list (专家评审), the applicant's own points as
    the expert's, saved, and signed."""
    sign_in(page, username)
    page.goto(f"{base}/reviews/expert/")
    page.get_by_role("row").filter(has_text=unit).get_by_role("link", name="评分").click()
    # The click only starts the navigation: fill the sheet once the scoring page is there, or the script
    # runs on the list it leaves and an empty sheet is saved (seen once in CI on PostgreSQL).
    expect(page.get_by_role("heading", name=f"专家评分：{unit}")).to_be_visible()
    page.evaluate(OWN_POINTS)
    page.locator("#save-scores").click()
    expect(page.get_by_text("评分已保存")).to_be_visible()
    page.locator("#sign-scores").click()
    expect(page.get_by_text("已签署评分")).to_be_visible()
