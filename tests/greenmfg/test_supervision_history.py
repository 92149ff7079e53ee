"""A unit's history of filings, scores and green codes (issue 13: "kept and shown as a chart"): every year's
filing stays; the unit's filings page and each filing's page (the unit's and its bureau's) draw it as an
SVG bar chart beside its table. A year accepted without a score shows "不评定" — no bar, never a zero —
and a year not filed past its deadline says so."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from supervision_world import grant_title

from greenmfg.publication.models import Title
from greenmfg.supervision.models import Filing


@pytest.fixture(autouse=True)
def _passwords_do_not_expire(settings: Any) -> None:
    # the clock moves into 2027: the demo passwords must not expire on the way (90 days by default)
    settings.PASSWORD_MAX_AGE_DAYS = 3650


def _history(world: Any) -> tuple[Title, dict[int, Filing]]:
    """2025 scored 80.00 (A, late), 2026 accepted without a score, 2027 not filed (deadline 15 April)."""
    title = grant_title(world)
    authority = world.users["sz-reviewer"].membership.organisation

    def filing(year: int, **fields: Any) -> Filing:
        return Filing.objects.create(
            title=title, authority=authority, year=year, deadline=date(year, 4, 15), **fields
        )

    return title, {
        2025: filing(2025, status="accepted", score=Decimal("80.00"), green_code="A", late=True),
        2026: filing(2026, status="accepted", no_grade_reason="数据缺失或异常，本年度不评定等级"),
        2027: filing(2027),
    }


def _svg(page: str) -> str:
    found = re.search(r'<svg role="img".*?</svg>', page, re.S)
    assert found is not None
    return found.group(0)


def test_the_unit_sees_its_years_as_a_chart_with_no_zero_for_a_year_without_a_grade(world):
    title, _filings = _history(world)
    with time_machine.travel("2027-04-16 10:00 +0800", tick=False):
        page = world.client("sz-machinery").get("/supervision/filings/").content.decode()
    svg = _svg(page)
    # 80.00 on a 0–100 scale: an 80 px bar from y=50 to the axis at y=130, the score and the code above it
    assert (
        '<rect x="40" y="50" width="40" height="80" fill="#2e7d32"><title>2025: 80.00 · A</title></rect>'
        in svg
    )
    assert '<text x="60" y="46" font-size="11" text-anchor="middle">80.00</text>' in svg
    assert 'class="history-code">A</text>' in svg
    assert ">2025*</text>" in svg  # filed late
    # 2026: no bar at all, the words instead; 2027: past its deadline, not filed
    assert svg.count("<rect") == 1
    assert (
        '<text x="130" y="124" font-size="11" text-anchor="middle" class="history-note">不评定</text>' in svg
    )
    assert (
        '<text x="200" y="124" font-size="11" text-anchor="middle" class="history-note">逾期未填报</text>'
        in svg
    )
    # the table beside it names the chart and holds the same figures
    assert f'aria-labelledby="history-caption-{title.pk}"' in svg
    assert f'<caption id="history-caption-{title.pk}">历年填报、得分与绿码等级' in page
    assert "数据缺失或异常，本年度不评定等级" in page


def test_before_the_deadline_an_unfiled_year_is_still_open(world):
    _history(world)
    with time_machine.travel("2027-04-15 10:00 +0800", tick=False):
        svg = _svg(world.client("sz-machinery").get("/supervision/filings/").content.decode())
    assert 'class="history-note">待填报</text>' in svg and "逾期未填报" not in svg


def test_a_score_above_100_raises_the_scale_instead_of_leaving_the_chart(world):
    _title, filings = _history(world)
    Filing.objects.filter(pk=filings[2026].pk).update(score=Decimal("110.00"))
    svg = _svg(world.client("sz-machinery").get("/supervision/filings/").content.decode())
    # the top of the scale is 110: 80/110 → 73 px, 110/110 → 100 px
    assert '<rect x="40" y="57" width="40" height="73"' in svg
    assert '<rect x="110" y="30" width="40" height="100"' in svg
    assert 'text-anchor="end">110</text>' in svg


def test_each_filing_page_shows_the_titles_history_to_the_unit_and_to_its_bureau(world):
    _title, filings = _history(world)
    url = f"/supervision/filings/{filings[2027].public_id}/"
    for user in ("sz-machinery", "sz-reviewer"):
        page = world.client(user).get(url).content.decode()
        assert 'id="filing-history"' in page, user
        svg = _svg(page)
        assert "<title>2025: 80.00 · A</title>" in svg and 'class="history-note">不评定</text>' in svg, user
        assert f'href="/supervision/filings/{filings[2025].public_id}/">2025</a>' in page, user
