"""The public register over the real national lists: rebuilt from them, titles recorded beside them,
anonymous search pages, the open-data API, safe exports (security EXP-01) and the full-text index's answers.
The lists are imported once for the whole module (`_national_lists`); every test here reads them, and the
register's tests that must not see them are in test_register_platform.py."""

from __future__ import annotations

import io
import json
import uuid
from datetime import date
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from export_helpers import exported
from openpyxl import load_workbook
from register_helpers import JDF, TITLE_FIELDS, csv_rows, grant
from test_register_fulltext import found

from greenmfg.publication.services import import_national_lists
from greenmfg.register import exports, selectors, services
from greenmfg.register.models import EntrySource, EntryStatus, RegisterEntry

# one worker runs the whole module (--dist loadgroup, pyproject.toml), so the lists are imported once per run
pytestmark = pytest.mark.xdist_group("national_lists")


@pytest.fixture(scope="module")
def _national_lists(module_transaction: Any, django_db_blocker: Any) -> None:
    """The real national lists (batches 1–6, 6,457 titles) in the register, imported once for the module's
    tests inside its rolled-back transaction (importing them for each test took ~3 s a test)."""
    with django_db_blocker.unblock():
        import_national_lists()
        services.rebuild_from_national_lists()


@pytest.fixture
def lists(world: Any, _national_lists: None) -> Any:
    """The demo world plus the real national lists (batches 1–6) in the register."""
    return world


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


def test_overview_is_the_tally_of_active_titles(lists, django_assert_num_queries):
    """The home page's counts come from the tally kept on write (one query), and equal the grouped count
    of the active entries after grants, a re-grant under another kind and a revocation."""
    grant(source_key="title:a")
    grant(source_key="title:b", kind="product", level="province", region_code="330106")
    grant(source_key="title:c", level="district")
    grant(source_key="title:b", kind="park", level="province", region_code="330106")
    services.revoke("title:c", "复核不合格")
    active = RegisterEntry.objects.filter(status=EntryStatus.ACTIVE)
    with django_assert_num_queries(2):  # the tally, the provinces' names
        overview = selectors.overview()
    assert overview.total == active.count() == 6459
    cells = {(r[0], level): n for r in overview.rows for level, n in r[2]}
    assert cells == {
        (k, lv): active.filter(kind=k, level=lv).count()
        for k in ("factory", "park", "supply_chain", "product")
        for lv in ("district", "city", "province", "national")
    }
    assert cells["factory", "city"] == 1 and cells["park", "province"] == 1
    assert cells["product", "province"] == cells["factory", "district"] == 0
    assert [n for _, _, n in overview.provinces] == sorted(
        (active.filter(province_id=code).count() for code, _, _ in overview.provinces), reverse=True
    )
    assert {code: n for code, _, n in overview.provinces} == {
        code: active.filter(province_id=code).count()
        for code in active.exclude(province=None).values_list("province_id", flat=True).distinct()
    }
    assert overview.level_totals == [
        active.filter(level=lv).count() for lv in ("district", "city", "province", "national")
    ]


# --------------------------------------------------------------------------------------------------
# titles granted on the platform, beside the lists


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


# --------------------------------------------------------------------------------------------------
# the open-data API


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


# --------------------------------------------------------------------------------------------------
# exports (EXP-01)


def test_exports_follow_the_filters(lists):
    client = Client()
    response = exported(client, reverse("register:export_csv"), {"kind": "park", "q": "苏州"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "filename*=UTF-8''" in response["Content-Disposition"] and "X-Export-Truncated" not in response
    rows = csv_rows(response)
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
    assert len(csv_rows(response)) == 1 + 5
    response = exported(Client(), reverse("register:export_xlsx"), {"kind": "park"})
    assert response["X-Export-Truncated"] == "5"
    assert len(list(load_workbook(io.BytesIO(b"".join(response.streaming_content))).active.values)) == 1 + 5


# --------------------------------------------------------------------------------------------------
# the full-text index over the lists (register.fulltext)


def test_upserted_and_recorded_titles_are_searchable(lists: Any) -> None:
    title: dict[str, Any] = {
        "source_key": "title:x",
        "kind": "factory",
        "level": "city",
        "grade": "3A级",
        "year": 2026,
        "announced_on": date(2026, 6, 30),
        "announcement_ref": "",
        "authority": "苏州市工业和信息化局",
        "region_code": "320506",
        "unit_name": "苏州测试机械有限公司（演示）",
        "credit_code": "",
        "industry_code": "34",
    }
    services.record_title(**title)
    assert "title:x" in found("测试机械")
    assert "title:x" in found("吴中区")  # the region's name is indexed
    services.record_title(**{**title, "unit_name": "苏州改名机械有限公司（演示）"})
    assert "title:x" not in found("测试机械")
    assert "title:x" in found("改名机械")
    # every national-list title holding 京东方 in its indexed text, and no other
    expected = set(
        RegisterEntry.objects.filter(search_text__contains="京东方").values_list("source_key", flat=True)
    )
    assert expected and found("京东方") == expected


def test_national_lists_are_attributed_to_cities_and_industries(lists: Any) -> None:
    """The region filter finds the titles the keyword finds (issue 17: 2 for 苏州市 against 44), and the
    data-quality report's attribution counts are the database's."""
    in_suzhou = set(selectors.search_titles(region="320500").values_list("source_key", flat=True))
    named = set(
        RegisterEntry.objects.filter(source="national_list", province_id="320000")
        .filter(unit_name__startswith="苏州")
        .values_list("source_key", flat=True)
    ) | set(
        RegisterEntry.objects.filter(source="national_list", unit_name__contains="（苏州）").values_list(
            "source_key", flat=True
        )
    )
    # 苏州电瓷厂（宿迁）有限公司 is the Suzhou company's plant in 宿迁: it is found there
    suqian_plant = "national_list:绿色工厂名单.csv:1622"
    assert suqian_plant in set(selectors.search_titles(region="321300").values_list("source_key", flat=True))
    named.discard(suqian_plant)
    assert len(named) == 41 and named <= in_suzhou
    assert len(in_suzhou) == 63
    assert in_suzhou <= found("苏州")  # the attributed city's name is indexed too

    national = RegisterEntry.objects.filter(source="national_list")
    summary = selectors.attribution()
    assert summary.total == national.count() == 6457
    assert summary.region_totals["unknown"] == national.filter(region=None).count()
    assert summary.region_totals["province"] == sum(
        1 for r, p in national.values_list("region_id", "province_id") if r and r == p
    )
    assert summary.industry_totals["unknown"] == national.filter(industry=None).count()
    assert summary.industry_totals["listed"] + summary.industry_totals["inferred"] == (
        national.exclude(industry=None).count()
    )
    # most factories now have an industry, and the report says how many do not
    factories = {k: i for k, _, _, i, _ in summary.rows}["factory"]
    assert factories["unknown"] < factories["listed"] + factories["inferred"]

    client = Client(headers={"accept-language": "en"})
    client.cookies["django_language"] = "en"
    page = client.get("/public/quality/").content.decode()
    assert "Region and industry attribution" in page and f"{summary.total:,}" in page


ENGLISH_PAGES = {
    "/public/": ["Green manufacturing register", "Titles by kind and level", "By province", "Green factory"],
    "/public/titles/?q=苏州": ["Search results", "found", "Download these results", "Unit", "Year / batch"],
    "/public/titles/?q=不存在的单位名称": ["No title matches these conditions."],
    "/public/titles/?province=32": ["A province code has six digits"],
    "/public/quality/": [
        "Data-quality report of the national lists",
        "Region and industry attribution",
        "Rejected",
    ],
    "/public/api/": ["Open-data API", "Filters", "Errors are JSON too"],
    "/public/announcements/": ["Title announcements", "No announcements yet."],
    "/public/notices/": ["Publicity notices", "No publicity notices yet."],
}


CHINESE_UI = [
    "查询结果",
    "下载当前结果",
    "没有符合条件",
    "称号数量",
    "按省份",
    "数据质量报告",
    "开放数据接口",
    "共 ",
]


def test_public_pages_speak_english(lists: Any) -> None:
    client = Client()
    client.cookies["django_language"] = "en"
    for path, expected in ENGLISH_PAGES.items():
        response = client.get(path)
        page = response.content.decode()
        assert response.status_code in (200, 400), path
        for text in expected:
            assert text in page, (path, text)
        for text in CHINESE_UI:
            assert text not in page, (path, text)
    unit = RegisterEntry.objects.filter(unit_name="北京京东方显示技术有限公司").first().unit_key
    page = client.get(f"/public/units/{unit}/").content.decode()
    assert "All titles" in page and "National Green factory" in page and "全部称号" not in page
    # and Chinese by default, the empty result saying so
    assert "没有符合条件的称号。" in Client().get("/public/titles/?q=不存在的单位名称").content.decode()
