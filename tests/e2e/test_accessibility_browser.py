"""Accessibility of every public page and each role's main pages (issue 17; GB/T 37668-2019, WCAG 2.1
AA): axe-core, from the npm registry, runs inside Chromium on each page, in Chinese and, for the public
pages, in English, and must find no serious or critical violation. In English, no interface text stays
Chinese: every Chinese text left on a public page is published data (a unit's, a place's or a
document's name, marked lang="zh") or a label naming the Chinese original. One screenshot per page in
test-results/e2e/a11y-*.png."""

from __future__ import annotations

import re
from typing import Any

import pytest
from factories import build_world, start
from matrix_admin import build_admins
from playwright.sync_api import Browser, Page
from supervision_world import grant_title
from test_dashboard_browser import serious_violations

from greenmfg.register.models import ExportJob, RegisterEntry

pytestmark = pytest.mark.django_db(transaction=True)

# Chinese characters (CJK ideographs and full-width punctuation) in a text
CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")

# Text nodes with Chinese characters outside any element marked as Chinese (lang="zh…"): interface
# text the English page failed to translate
UNTRANSLATED = """() => {
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const found = [];
  const cjk = /[\\u3000-\\u303f\\u3400-\\u9fff\\uff00-\\uffef]/;
  while (walker.nextNode()) {
    const node = walker.currentNode;
    const parent = node.parentElement;
    if (!cjk.test(node.textContent) || !parent || parent.closest('[lang^="zh"], script, style, [hidden]')) continue;
    if (!parent.checkVisibility()) continue;
    found.push(node.textContent.trim().slice(0, 40));
  }
  return found;
}"""


def public_urls(entry: RegisterEntry, title: Any) -> dict[str, str]:
    title_id = title.public_id
    announcement = title.announcement.public_id
    notice = title.announcement.notice.public_id
    return {
        "landing": "/",
        "login": "/accounts/login/",
        "register-home": "/public/",
        "results": "/public/titles/?q=%E7%B2%BE%E5%AF%86",  # 精密
        "results-empty": "/public/titles/?q=%E6%B2%A1%E6%9C%89%E8%BF%99%E4%B8%AA",
        "unit": f"/public/units/{entry.unit_key}/",
        "announcements": "/public/announcements/",
        "notices": "/public/notices/",
        "quality": "/public/quality/",
        "api": "/public/api/",
        "certificate-verify": "/reports/certificates/verify/",
        "certificate-unknown": "/reports/certificates/verify/?code=NOPE-0000",
        "supervision-report": f"/supervision/report/{title_id}/",
        "announcement": f"/publication/announcements/{announcement}/",
        "notice": f"/publication/notices/{notice}/",
        "sign-up": "/accounts/register/",
        "sign-up-body": "/accounts/register/body/",
        "export-status": f"/public/exports/{ExportJob.objects.create(kind='titles', extension='csv').pk}/",
    }


def role_urls(application: Any) -> dict[str, list[str]]:
    return {
        "sz-machinery": ["/", "/applications/", f"/applications/{application}/", "/supervision/"],
        "evaluator": ["/", "/evaluations/"],
        "expert-1": ["/reviews/expert/"],
        "wz-reviewer": ["/", "/reviews/", "/dashboards/"],
        "sz-reviewer": [
            "/",
            "/reviews/",
            "/supervision/",
            "/supervision/filings/",
            "/supervision/reports/",
            "/dashboards/",
        ],
        "js-reviewer": ["/", "/reviews/", "/dashboards/"],
        "sz-sysadmin": ["/orgs/admin/"],
        "sz-auditadmin": ["/orgs/admin/", "/orgs/admin/audit/"],
    }


def logged_in(browser: Browser, base: str, world: Any, username: str | None, language: str) -> Page:
    """A browser context with the user's session (the second factor passed) and the chosen language:
    logging in through the form is tested elsewhere; here each role's pages are what matter."""
    # axe-core is injected as a script element: the test context alone bypasses the app's CSP for it
    context = browser.new_context(base_url=base, bypass_csp=True)
    cookies = [{"name": "django_language", "value": language, "url": base}]
    if username is not None:
        session = world.client(username).cookies["sessionid"].value
        cookies.append({"name": "sessionid", "value": session, "url": base})
    context.add_cookies(cookies)
    return context.new_page()


def check(page: Page, url: str, name: str, shot: Any, english: bool) -> list[str]:
    """The problems of one page: its axe violations, and in English its untranslated texts."""
    response = page.goto(url)
    problems = []
    if response is None or response.status >= 400:
        problems.append(f"{name}: {url} answered {response.status if response else 'nothing'}")
        return problems
    shot(page, f"a11y-{name}")
    problems += [f"{name}: {v}" for v in serious_violations(page)]
    if english:
        if page.locator("html").get_attribute("lang") != "en":
            problems.append(f"{name}: html lang is not en")
        problems += [f"{name}: untranslated {text!r}" for text in page.evaluate(UNTRANSLATED)]
    return problems


def test_public_pages_pass_axe_in_chinese_and_english(live_server: Any, browser: Browser, shot: Any) -> None:
    world = build_world()
    title = grant_title(world)
    entry = RegisterEntry.objects.get(source_key=f"title:{title.public_id}")
    problems: list[str] = []
    for language in ("zh-hans", "en"):
        page = logged_in(browser, live_server.url, world, None, language)
        for name, url in public_urls(entry, title).items():
            problems += check(page, url, f"{language}-{name}", shot, english=language == "en")
        page.context.close()
    assert not problems, "\n".join(problems)


def test_each_roles_main_pages_pass_axe(live_server: Any, browser: Browser, shot: Any) -> None:
    world = build_world()
    build_admins(world.users)
    application = start(world.users["sz-machinery"]).public_id
    problems: list[str] = []
    for username, urls in role_urls(application).items():
        page = logged_in(browser, live_server.url, world, username, "zh-hans")
        for i, url in enumerate(urls):
            problems += check(page, url, f"{username}-{i}", shot, english=False)
        page.context.close()
    assert not problems, "\n".join(problems)
