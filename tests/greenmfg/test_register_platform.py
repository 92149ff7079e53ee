"""The public register without the national lists: titles granted on the platform and revoked by the
publication services, their unit pages, the open-data API's document and anonymity, and hostile values
neutralised in both export formats (security EXP-01). The tests over the real lists are in
test_register.py."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from export_helpers import exported
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from register_helpers import TITLE_FIELDS, csv_rows, grant

from greenmfg.register import exports, selectors, services
from greenmfg.register.models import RegisterEntry

# --------------------------------------------------------------------------------------------------
# titles granted on the platform


def test_record_title_upserts_and_keeps_only_published_fields(world):
    entry = grant(source_key="title:one")
    assert (entry.source, entry.level, entry.grade, entry.status) == ("platform", "city", "3A级", "active")
    assert (entry.province_id, entry.region_id, entry.region_text) == (
        "320000",
        "320506",
        "江苏省苏州市吴中区",
    )
    assert (entry.industry_id, entry.industry_text) == ("34", "通用设备制造业")
    assert entry.unit_key == entry.credit_code == "91320506MA1XXXXX0Q"
    assert entry.published_indicators == [
        {"label": "单位产品综合能耗", "level": "先进值", "value": "0.85", "unit": "tce/t"},
        {"label": "绿色工厂等级", "level": "3A级", "value": "", "unit": ""},
    ]
    again = grant(source_key="title:one", grade="4A级", published_indicators=[])
    assert again.pk == entry.pk and again.public_id == entry.public_id
    assert (again.grade, again.published_indicators) == ("4A级", [])
    assert RegisterEntry.objects.count() == 1
    # found by the city it lies in, by its district, by keyword
    assert list(selectors.search_titles(region="320500")) == [again]
    assert list(selectors.search_titles(region="320506", level="city", q="测试机械")) == [again]
    assert selectors.search_titles(region="320505").count() == 0

    for bad, message in (
        ({"region_code": "999999"}, "行政区划"),
        ({"industry_code": "99"}, "行业"),
        ({"kind": "shop"}, "称号类型"),
        ({"level": "county"}, "称号级别"),
        ({"unit_name": "  "}, "单位名称"),
        ({"published_indicators": [{"value": "1"}]}, "label"),
    ):
        with pytest.raises(services.RegisterError, match=message):
            grant(**bad)


def test_revoke(world):
    entry = grant(source_key="title:r")
    with pytest.raises(services.RegisterError):
        services.revoke("title:r", " ")
    revoked = services.revoke("title:r", "年度复核不合格", revoked_on=date(2027, 3, 1))
    assert (revoked.status, revoked.revoked_on, revoked.revoked_reason) == (
        "revoked",
        date(2027, 3, 1),
        "年度复核不合格",
    )
    assert services.revoke("title:r", "再次撤销").revoked_reason == "年度复核不合格"  # unchanged
    assert selectors.search_titles().count() == 0
    assert list(selectors.search_titles(status="revoked")) == [revoked]
    assert selectors.search_titles(status="all").count() == 1
    # replaying the grant does not restore it
    grant(source_key="title:r")
    entry.refresh_from_db()
    assert entry.status == "revoked"
    with pytest.raises(RegisterEntry.DoesNotExist):
        services.revoke("title:none", "理由")


def test_unit_page_shows_grade_indicators_and_revocation(world):
    entry = grant()
    services.revoke(entry.source_key, "年度复核不合格")
    grant(source_key="title:product", kind="product", product_name="节能电机（演示）", grade="")
    text = Client().get(reverse("register:unit", args=[entry.unit_key])).content.decode()
    assert "3A级" in text and "苏工信节能〔2026〕12号" in text
    assert "单位产品综合能耗：先进值 0.85 tce/t" in text
    assert "已撤销" in text and "年度复核不合格" in text
    assert "节能电机（演示）" in text and "其中有效 1 项" in text


# --------------------------------------------------------------------------------------------------
# the open-data API


def test_openapi_document(world):
    response = Client().get("/api/openapi.json")
    assert response.status_code == 200
    schema = json.loads(response.content)
    assert schema["openapi"].startswith("3.")
    assert schema["info"]["title"] == "绿色制造名单开放数据接口"
    assert set(schema["paths"]) == {
        "/api/titles",
        "/api/titles/{title_id}",
        "/api/units/{unit_key}",
        "/api/declarations/{unit_key}",
        "/api/announcements",
        "/api/announcements/{announcement_id}",
        "/api/notices",
        "/api/notices/{notice_id}",
        "/api/data-quality",
        "/api/data-quality/counts",
    }
    assert all(set(ops) == {"get"} for ops in schema["paths"].values())
    title = schema["components"]["schemas"]["TitleOut"]
    assert set(title["properties"]) == TITLE_FIELDS
    params = {p["name"] for p in schema["paths"]["/api/titles"]["get"]["parameters"]}
    assert params == {
        "q",
        "kind",
        "level",
        "province",
        "region",
        "industry",
        "year",
        "batch",
        "status",
        "page",
        "page_size",
    }
    # every $ref resolves
    refs = {r.split("/")[-1] for r in _refs(schema)}
    assert refs <= set(schema["components"]["schemas"])
    # ninja's Swagger page (CDN scripts) is not served
    assert Client().get("/api/docs").status_code == 404


def _refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        found = [node["$ref"]] if "$ref" in node else []
        return found + [r for v in node.values() for r in _refs(v)]
    if isinstance(node, list):
        return [r for v in node for r in _refs(v)]
    return []


def test_api_is_anonymous_and_read_only(world):
    entry = grant()
    client = Client()
    for url in (
        "/api/titles",
        f"/api/titles/{entry.public_id}",
        f"/api/units/{entry.unit_key}",
        "/api/openapi.json",
    ):
        assert client.get(url).status_code == 200, url
        for method in ("post", "put", "patch", "delete"):
            assert getattr(client, method)(url).status_code == 405, (method, url)
    assert client.get("/api/").status_code == 302
    body = json.loads(client.get(f"/api/titles/{entry.public_id}").content)
    assert body["published_indicators"][0] == {
        "label": "单位产品综合能耗",
        "level": "先进值",
        "value": "0.85",
        "unit": "tce/t",
    }
    assert body["credit_code"] == "91320506MA1XXXXX0Q"
    assert body["region"] == {"code": "320506", "name": "吴中区"}


# --------------------------------------------------------------------------------------------------
# exports (EXP-01)


def test_hostile_values_are_neutralised_in_both_formats(world):
    hostile = '=HYPERLINK("http://example.invalid","点击")'
    grant(
        unit_name=hostile,
        product_name="+1+cmd|' /C calc'!A0",
        product_model="-2+3",
        kind="product",
        credit_code="",
    )
    client = Client()
    rows = csv_rows(exported(client, reverse("register:export_csv")))
    assert (rows[1][10], rows[1][13], rows[1][14]) == ("'" + hostile, "'+1+cmd|' /C calc'!A0", "'-2+3")
    sheet = load_workbook(
        io.BytesIO(b"".join(exported(client, reverse("register:export_xlsx")).streaming_content))
    ).active
    cells = [c for row in sheet.iter_rows() for c in row]
    assert all(c.data_type != "f" for c in cells)
    assert sheet.cell(row=2, column=11).value == "'" + hostile


HOSTILE = sorted(exports.HOSTILE_PREFIXES)


def _xml_text(value: str | None) -> str:
    """What an XML round trip keeps of a string: line ends become LF."""
    return (value or "").replace("\r\n", "\n").replace("\r", "\n")


@example(prefixes=["\x00"], bodies=[""], plain="\x1f\r", number=0)  # a CR left after dropping \x1f
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    prefixes=st.lists(st.sampled_from(HOSTILE), min_size=1, max_size=len(HOSTILE)),
    bodies=st.lists(st.text(max_size=20), min_size=1, max_size=6),
    plain=st.text(max_size=20),
    number=st.integers(min_value=-(10**9), max_value=10**9),
)
def test_safe_cell_property(prefixes, bodies, plain, number):
    hostile_values = [p + b for p, b in zip(prefixes * len(bodies), bodies, strict=False)]
    raw = [*hostile_values, plain, number]
    safe = [exports.safe_cell(v) for v in raw]
    for value in safe[: len(hostile_values)]:
        assert isinstance(value, str) and value.startswith("'")
    assert safe[-1] == number  # numbers stay numbers
    assert isinstance(safe[-2], str)
    assert safe[-2].startswith("'") or safe[-2].lstrip()[:1] not in exports.HOSTILE_PREFIXES
    assert [exports.safe_cell(v) for v in safe] == safe  # idempotent: safe rows pass unchanged

    # the writers are given the raw values: neutralising them is theirs to do
    sheet = load_workbook(exports.write_xlsx([raw, raw])).active
    for cells in sheet.iter_rows():
        for written, cell in zip(safe, cells, strict=True):
            assert cell.data_type != "f"
            if isinstance(written, str) and written:
                # XML turns a bare CR into LF: compare what survives
                assert cell.value.startswith(written[:1])
                assert _xml_text(cell.value) == _xml_text(written)
            elif isinstance(written, int):
                assert cell.value == written

    lines = "".join(exports.csv_lines([raw])).removeprefix("\ufeff")
    (parsed,) = csv.reader(io.StringIO(lines, newline=""))
    assert parsed == [str(v) for v in safe]
    assert all(v.startswith("'") for v in parsed[: len(hostile_values)])
