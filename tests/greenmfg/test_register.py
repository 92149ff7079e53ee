"""The public register: rebuilt from the real national lists, titles recorded and revoked by the
publication services, anonymous search pages, the open-data API and safe exports (security EXP-01)."""

from __future__ import annotations

import csv
import io
import json
import uuid
from datetime import date
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from export_helpers import exported
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from greenmfg.publication.services import import_national_lists
from greenmfg.register import exports, selectors, services
from greenmfg.register.models import EntrySource, EntryStatus, RegisterEntry

JDF = "北京京东方显示技术有限公司"


@pytest.fixture
def lists(world: Any) -> Any:
    """The demo world plus the real national lists (batches 1–6) in the register."""
    import_national_lists()
    services.rebuild_from_national_lists()
    return world


def grant(**overrides: Any) -> RegisterEntry:
    """A city-level title granted on the platform, as the publication services will record it."""
    values: dict[str, Any] = {
        "source_key": "title:" + str(uuid.uuid4()),
        "kind": "factory",
        "level": "city",
        "grade": "3A级",
        "year": 2026,
        "announced_on": date(2026, 6, 30),
        "announcement_ref": "苏工信节能〔2026〕12号",
        "authority": "苏州市工业和信息化局",
        "region_code": "320506",
        "unit_name": "苏州测试机械有限公司（演示）",
        "credit_code": "91320506MA1XXXXX0Q",
        "industry_code": "34",
        "evaluation_body": "测试评价机构（演示）",
        "published_indicators": [
            {"label": "单位产品综合能耗", "level": "先进值", "value": "0.85", "unit": "tce/t", "raw": 0.8471},
            {"label": "绿色工厂等级", "level": "3A级"},
        ],
    }
    values.update(overrides)
    return services.record_title(**values)


# --------------------------------------------------------------------------------------------------
# the national lists


def test_rebuild_takes_every_real_row_and_is_idempotent(lists):
    assert RegisterEntry.objects.count() == 6457
    by_kind = {
        k: selectors.search_titles(kind=k).count() for k in ("factory", "park", "supply_chain", "product")
    }
    assert by_kind == {"factory": 2783, "park": 224, "supply_chain": 296, "product": 3163 - 9}
    assert set(RegisterEntry.objects.values_list("level", flat=True)) == {"national"}
    assert set(RegisterEntry.objects.values_list("source", flat=True)) == {EntrySource.NATIONAL_LIST}
    assert selectors.search_titles(kind="factory", batch="1").count() == 201
    assert selectors.search_titles(kind="product", batch="3").count() == 480
    assert selectors.search_titles(kind="park", batch="2021").count() == 52

    first = RegisterEntry.objects.get(source_key="national_list:绿色工厂名单.csv:2")
    assert (first.unit_name, first.kind, first.batch, first.year) == (JDF, "factory", "1", 2017)
    assert (first.announced_on, first.authority) == (date(2017, 8, 1), "工业和信息化部")
    assert (first.province_id, first.region_id, first.region_text) == ("110000", "110000", "北京")
    assert (first.industry_text, first.industry_id) == ("电子", "39")  # the list's sector, mapped
    assert (first.evaluation_body, first.grade, first.credit_code) == ("中国电子技术标准化研究院", "", "")
    assert first.batch_label == "第一批"
    assert first.public_id == services.public_id_for("national_list:绿色工厂名单.csv:2")
    # the sixth batch is the 2021 list, announced in January 2022
    sixth = RegisterEntry.objects.filter(batch="2021").first()
    assert (sixth.year, sixth.announced_on, sixth.batch_label) == (2021, date(2022, 1, 1), "2021年度")
    # a county listed by name is kept as the most precise division
    (jingtai,) = selectors.search_titles(q="景泰")
    assert (jingtai.unit_name, jingtai.region_id, jingtai.province_id) == (
        "景泰县金龙化工建材有限公司",
        "620423",
        "620000",
    )
    # 机械 spans several GB/T 4754 divisions: the unit name decides when a keyword in it does
    # (greencore.attribution), else the sector stays as text alone, with no code
    machinery = dict(
        RegisterEntry.objects.filter(industry_text="机械").values_list("unit_name", "industry_id")
    )
    assert machinery["江苏大中电机股份有限公司"] == "381"  # 电机: electric motors
    assert machinery["中信戴卡股份有限公司"] is None
    assert None in machinery.values()
    # a listed 地区 that names no division (a fragment of 海信): kept, province unknown
    assert RegisterEntry.objects.filter(province=None).count() == 12

    # a revocation survives a rebuild; public ids stay; nothing is added twice
    services.revoke("national_list:绿色工厂名单.csv:2", "复核不合格（测试）", revoked_on=date(2024, 5, 1))
    ids = dict(RegisterEntry.objects.values_list("source_key", "public_id"))
    report = services.rebuild_from_national_lists()
    assert (report.created, report.updated, report.removed) == (0, 6457, 0)
    assert dict(RegisterEntry.objects.values_list("source_key", "public_id")) == ids
    first.refresh_from_db()
    assert (first.status, first.revoked_on) == (EntryStatus.REVOKED, date(2024, 5, 1))


def test_unit_pages_group_spelling_variants(lists):
    page = selectors.unit_page(services.name_key("广州立白（番禺）有限公司"))
    # the lists write it with full- and half-width brackets: one unit
    assert {page.unit_name, *page.other_names} == {"广州立白（番禺）有限公司", "广州立白(番禺)有限公司"}
    assert len(page.entries) == 6
    jdf = selectors.unit_page(services.name_key(JDF))
    assert [(e.kind, e.batch_label) for e in jdf.entries] == [
        ("supply_chain", "第五批"),
        ("factory", "第一批"),
    ]
    assert selectors.unit_page("no-such-unit") is None


def test_search_filters_combine_and_search_is_chinese(lists):
    s = selectors.search_titles
    assert s(q="京东方").count() == 10
    assert s(q="京东方", kind="factory").count() == 8
    assert s(province="320000").count() == 408
    assert s(kind="factory", province="320000").count() == 199
    assert s(kind="factory", province="320000", year=2020).count() == 27
    # 4 since the city a park's county lies in is indexed too (a park in 张家港 is found by 苏州)
    assert s(kind="park", q="苏州").count() == 4
    assert s(kind="park", q="苏州", batch="1").count() == 2
    assert [e.unit_name for e in s(kind="park", q="吴中")] == ["苏州吴中经济技术开发区"]
    assert s(year=2018).count() == 1213
    assert s(batch="2021").count() == 1810
    # every term must occur; brackets and Latin letters in either width or case
    assert s(q="格力 石家庄").count() == 4
    assert s(q="格力电器(石家庄)").count() == s(q="格力电器（石家庄）").count() == 3
    assert s(q="tcl").count() == s(q="TCL").count() == s(q="ＴＣＬ").count() == 48
    # 地区 includes the divisions inside it; 行业 includes its subdivisions
    # the lists say 江苏 only: the unit names place 63 titles in 苏州 (2 before issue 17)
    in_suzhou = set(s(region="320500").values_list("unit_name", flat=True))
    assert (
        len(s(region="320500")) == 63 and {"苏州三星电子有限公司", "苏州汉丰新材料股份有限公司"} <= in_suzhou
    )
    assert s(region="320000").count() == 408
    # the listed sector where it names one division, else the product category's or the unit name's
    # keywords (greencore.attribution): 294 titles had an industry before issue 17
    assert s(industry="39").count() == 608
    assert s(industry="30").count() == 494
    assert s().exclude(industry=None).count() == 4744
    assert s(industry="C").count() == 4722
    assert s(industry="B").count() == 12  # 矿山 and the 煤业 / 矿业 of unit names
    # LIKE wildcards are literal
    assert s(q="京%方").count() == s(q="京_方").count() == 0


def test_overview_and_facets(lists):
    overview = selectors.overview()
    assert overview.total == 6457
    factory = next(r for r in overview.rows if r[0] == "factory")
    # district titles (Suzhou 1A/2A, graded by districts: issue 11) have their column too
    assert factory[2] == [("district", 0), ("city", 0), ("province", 0), ("national", 2783)]
    assert overview.provinces[0][1] == "广东省"
    facets = selectors.facet_counts(selectors.search_titles(q="京东方"))
    assert [(v, n) for v, _, n in facets.kinds] == [
        ("factory", 8),
        ("park", 0),
        ("supply_chain", 2),
        ("product", 0),
    ]


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


def test_platform_title_gathers_the_units_listed_titles(lists):
    entry = grant(unit_name=JDF, credit_code="91110000MA00ABCD1X", region_code="110105", industry_code="39")
    page = selectors.unit_page("91110000MA00ABCD1X")
    assert [(e.level, e.kind, e.batch) for e in page.entries] == [
        ("city", "factory", ""),
        ("national", "supply_chain", "5"),
        ("national", "factory", "1"),
    ]
    assert page.entries[0] == entry
    assert selectors.unit_page(services.name_key(JDF)) is None
    # and a rebuild keeps them together
    services.rebuild_from_national_lists()
    assert len(selectors.unit_page("91110000MA00ABCD1X").entries) == 3


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


# --------------------------------------------------------------------------------------------------
# the pages, anonymous


def test_pages_are_public_and_read_only(lists):
    client = Client()
    home = client.get(reverse("register:home"))
    assert home.status_code == 200
    text = home.content.decode()
    assert "绿色制造名单查询" in text and "6,457" in text and "2,783" in text
    assert "greenmfg/register.css" in text

    url = reverse("register:titles")
    page = client.get(url, {"q": "苏州", "kind": "park"})
    text = page.content.decode()
    assert page.status_code == 200
    assert "共 4 条" in text  # 张家港经济技术开发区 too: 苏州 is its city
    assert "苏州吴中经济技术开发区" in text and "第五批" in text
    # the download forms carry the filters (posted: a download is built in the background)
    assert '<input type="hidden" name="q" value="苏州"><input type="hidden" name="kind" value="park">' in text

    listed = client.get(url, {"kind": "factory", "province": "320000", "page": "3"})
    text = listed.content.decode()
    assert "共 199 条，第 3 / 10 页" in text
    assert text.count('<a href="/public/units/') == 20

    assert client.get(url, {"kind": "shop"}).status_code == 400
    assert client.get(url, {"province": "32"}).status_code == 400
    for name in ("register:home", "register:titles", "register:api_docs"):
        assert client.post(reverse(name)).status_code == 405
        assert client.head(reverse(name)).status_code == 200
    for name in ("register:export_csv", "register:export_xlsx"):  # a download starts on POST only
        assert client.head(reverse(name)).status_code == 200
        assert client.put(reverse(name)).status_code == 405

    unit = client.get(reverse("register:unit", args=[services.name_key(JDF)]))
    text = unit.content.decode()
    assert unit.status_code == 200 and JDF in text
    assert "绿色供应链管理企业" in text and "第五批" in text and "第一批" in text
    assert client.get(reverse("register:unit", args=["不存在的单位"])).status_code == 404


def test_count_is_bounded(lists, monkeypatch):
    monkeypatch.setattr(selectors, "COUNT_CAP", 100)
    paginator = selectors.BoundedPaginator(selectors.search_titles(), 20, cap=100)
    assert (paginator.count, paginator.capped, paginator.num_pages) == (100, True, 5)
    assert paginator.get_page(50).number == 5
    exact = selectors.BoundedPaginator(selectors.search_titles(kind="park", q="苏州"), 20, cap=100)
    assert (exact.count, exact.capped) == (4, False)


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


TITLE_FIELDS = {
    "id", "kind", "kind_label", "level", "level_label", "grade", "year", "batch", "batch_label",
    "announced_on", "announcement_ref", "authority", "province", "region", "region_text", "unit_key",
    "unit_name", "credit_code", "industry", "industry_text", "product_name", "product_model",
    "product_category", "standard", "evaluation_body", "highlights", "published_indicators", "source",
    "status", "revoked_on", "revoked_reason",
}  # fmt: skip


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


def test_api_lists_filters_and_pages(lists):
    client = Client()
    response = client.get(
        "/api/titles", {"kind": "factory", "province": "320000", "year": 2020, "page_size": 10, "page": 3}
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    body = json.loads(response.content)
    assert {k: body[k] for k in ("count", "count_capped", "page", "page_size", "num_pages")} == {
        "count": 27, "count_capped": False, "page": 3, "page_size": 10, "num_pages": 3,
    }  # fmt: skip
    assert len(body["items"]) == 7
    item = body["items"][0]
    assert set(item) == TITLE_FIELDS
    assert (item["kind"], item["level"], item["year"], item["province"]) == (
        "factory",
        "national",
        2020,
        {"code": "320000", "name": "江苏省"},
    )
    assert "绿色工厂" in response.content.decode()  # UTF-8, not \u escapes

    first = json.loads(client.get("/api/titles", {"q": "北京京东方显示技术", "kind": "factory"}).content)[
        "items"
    ][0]
    assert (first["unit_name"], first["batch"], first["batch_label"], first["announced_on"]) == (
        JDF,
        "1",
        "第一批",
        "2017-08-01",
    )
    assert first["industry"] == {"code": "39", "name": "计算机、通信和其他电子设备制造业"}

    one = client.get(f"/api/titles/{first['id']}")
    assert one.status_code == 200 and json.loads(one.content) == first
    assert client.get(f"/api/titles/{uuid.uuid4()}").status_code == 404

    unit = json.loads(client.get(reverse("api:unit", args=[first["unit_key"]])).content)
    assert (unit["unit_name"], unit["credit_code"], unit["other_names"]) == (JDF, "", [])
    assert [(t["kind"], t["batch"]) for t in unit["titles"]] == [("supply_chain", "5"), ("factory", "1")]
    assert client.get("/api/units/不存在").status_code == 404

    # bad filters are refused with the reason, not ignored
    assert client.get("/api/titles", {"kind": "shop"}).status_code == 422
    assert client.get("/api/titles", {"page_size": 1000}).status_code == 422
    assert client.get("/api/titles", {"province": "32"}).status_code == 422


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


def _csv_rows(response: Any) -> list[list[str]]:
    raw = b"".join(response.streaming_content)
    assert raw.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))


def test_exports_follow_the_filters(lists):
    client = Client()
    response = exported(client, reverse("register:export_csv"), {"kind": "park", "q": "苏州"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "filename*=UTF-8''" in response["Content-Disposition"] and "X-Export-Truncated" not in response
    rows = _csv_rows(response)
    assert rows[0] == list(exports.EXPORT_COLUMNS)
    assert len(rows) == 1 + 4
    wuzhong = next(r for r in rows if r[10] == "苏州吴中经济技术开发区")
    assert wuzhong[:5] == ["绿色工业园区", "国家级", "", "2020", "第五批"]
    assert (wuzhong[8], wuzhong[19], wuzhong[22]) == ("江苏省", "有效", "国家级名单（第一至六批）")

    response = exported(client, reverse("register:export_xlsx"), {"q": "京东方"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    values = list(sheet.values)
    assert list(values[0]) == list(exports.EXPORT_COLUMNS)
    assert len(values) == 1 + 10
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)
    assert {type(row[3]) for row in values[1:]} == {int}  # years stay numbers

    assert client.get(reverse("register:export_csv"), {"year": "abc"}).status_code == 400


def test_exports_are_capped_and_say_so(lists, monkeypatch):
    monkeypatch.setattr(exports, "EXPORT_CAP", 5)
    response = exported(Client(), reverse("register:export_csv"), {"kind": "park"})
    assert response["X-Export-Truncated"] == "5"
    assert "%E5%89%8D5%E6%9D%A1" in response["Content-Disposition"]  # 前5条
    assert len(_csv_rows(response)) == 1 + 5
    response = exported(Client(), reverse("register:export_xlsx"), {"kind": "park"})
    assert response["X-Export-Truncated"] == "5"
    assert len(list(load_workbook(io.BytesIO(b"".join(response.streaming_content))).active.values)) == 1 + 5


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
    rows = _csv_rows(exported(client, reverse("register:export_csv")))
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
