"""Browser tests: Playwright driving Debian's Chromium (never a downloaded browser) against the live
server. Screenshots go to test-results/e2e/ (kept by CI as artifacts)."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest
from django.core.management.color import no_style
from django.db import connection
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

# Assertions wait for the page up to this bound (Playwright's default is 5 s). The suite runs one worker
# per core, so a live re-score can wait behind another worker's browser; a bound, not a timed assertion.
expect.set_options(timeout=20_000)

# Playwright's sync API runs an event loop in this thread; the ORM calls of the tests are still sync
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "greenmfg"))

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-results" / "e2e"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-quic",
        ],
    }


@pytest.fixture
def shot():
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(page, name: str) -> None:
        # a click that posts and redirects may still be navigating: Chromium refuses to capture a page
        # between two documents, so the shot waits for the new one to load
        page.wait_for_load_state("load")
        try:
            page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=False)
        except PlaywrightError as error:
            if "Unable to capture screenshot" not in str(error):
                raise
            page.wait_for_load_state("networkidle")
            page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=False)

    return take


def pytest_collection_modifyitems(config, items):
    if not Path(CHROMIUM).exists():
        raise pytest.UsageError(f"Chromium not found at {CHROMIUM}: run ./scripts/install_system.sh")


@pytest.fixture
def empty_installation(transactional_db):
    """Nothing in the database, not even reference data: another test on this worker may have left the
    shared world committed (tests/greenmfg/conftest.py), and a transactional test flushes when it ends."""
    tables = connection.introspection.django_table_names(only_existing=True, include_views=False)
    connection.ops.execute_sql_flush(connection.ops.sql_flush(no_style(), tables, allow_cascade=True))
