"""An evaluation body's track record as a chart beside its table, and the table as an Excel download
(issue 13: "the discrepancy between their values and later checks is recorded as their track record,
visible to bureaus"). The chart is drawn by ECharts from the page's JSON (dashboards.js); the table is the
accessible alternative and what the download holds."""

from __future__ import annotations

import io
import json
import re
from datetime import date
from typing import Any

from factories import actor
from openpyxl import load_workbook
from test_evaluations import demo_body
from test_supervision_bodies import BODY_VALUES, evaluated_title

from greenmfg.supervision import services


def _checked(world: Any) -> Any:
    """The body's report checked: 8000 tce measured where the body reported 8600 (7.5 %, beyond the 5 %
    tolerance), the output value as reported (0 %)."""
    title = evaluated_title(world, BODY_VALUES)
    bureau = actor(world.users["sz-reviewer"])
    check = services.draw_body_reports(bureau, demo_body(), size=1, seed="body-2027").checks.get()
    services.record_finding(
        bureau,
        check,
        conforms=False,
        text="能源消费量与电网结算单不符",
        measured={"total_energy_tce": "8000", "output_value": "52000"},
    )
    services.conclude_check(bureau, check, today=date(2027, 5, 6))
    return title


def _chart_data(page: str) -> Any:
    found = re.search(r'<script id="dashboard-data" type="application/json">(.*?)</script>', page, re.S)
    assert found is not None
    return json.loads(found.group(1))


def test_the_body_page_draws_the_discrepancies_beside_their_table(world):
    title = _checked(world)
    page = world.client("sz-reviewer").get(f"/supervision/bodies/{demo_body().pk}/").content.decode()
    assert "echarts/echarts.min.js" in page and 'id="chart-track" role="img"' in page
    unit = title.organisation.name
    assert _chart_data(page) == {
        "bars": {
            "track": [
                {"label": f"{unit} · 工业总产值（现价）", "value": 0.0, "flag": False},
                {"label": f"{unit} · 综合能源消费量", "value": 7.5, "flag": True},
            ]
        },
        "lines": {"track": 5.0},
    }
    # the table beside it: the same rows, with names and units
    assert '<td class="num">8600 tce</td><td class="num">8000 tce</td><td class="num">7.5% <span' in page
    assert f'href="/supervision/bodies/{demo_body().pk}/track-record.xlsx"' in page


def test_the_table_downloads_as_excel_in_the_users_language(world):
    title = _checked(world)
    client = world.client("sz-reviewer")
    response = client.get(f"/supervision/bodies/{demo_body().pk}/track-record.xlsx")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    rows = list(load_workbook(io.BytesIO(response.content)).active.values)
    bureau = world.users["sz-reviewer"].membership.organisation.name
    assert rows == [
        ("单位名称", "检查机关", "检查类型", "办结日期", "指标", "计量单位", "机构报告值", "检查实测值", "相对偏差", "超出容差"),
        (title.organisation.name, bureau, "评价报告抽查", "2027-05-06", "工业总产值（现价）", "万元", "52000", "52000", "0%", "否"),
        (title.organisation.name, bureau, "评价报告抽查", "2027-05-06", "综合能源消费量", "tce", "8600", "8000", "7.5%", "是"),
    ]  # fmt: skip
    client.cookies["django_language"] = "en"
    english = client.get(f"/supervision/bodies/{demo_body().pk}/track-record.xlsx")
    rows = list(load_workbook(io.BytesIO(english.content)).active.values)
    assert rows[0][:3] == ("Organisation", "Checking authority", "Check type")
    assert rows[2][4:6] == ("Comprehensive energy consumption", "tce") and rows[2][9] == "Yes"


def test_only_bureaus_see_the_track_record(world):
    _checked(world)
    url = f"/supervision/bodies/{demo_body().pk}/track-record.xlsx"
    assert world.client("sz-machinery").get(url).status_code == 404
