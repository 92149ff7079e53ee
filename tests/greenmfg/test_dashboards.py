"""The authorities' dashboards (issue 17): every figure equals the count read directly from the database for
the jurisdiction asking, each bureau sees its own jurisdiction only, and the figures cost a constant number
of queries."""

from __future__ import annotations

import datetime
import io
from collections import Counter
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from factories import start
from openpyxl import load_workbook

from greenmfg.applications.models import Application
from greenmfg.audit.models import Event
from greenmfg.dashboards import selectors, services
from greenmfg.dashboards.models import Target
from greenmfg.dashboards.services import load_reference_targets
from greenmfg.orgs.models import Organisation
from greenmfg.orgs.selectors import actor_of
from greenmfg.publication.services import import_national_lists
from greenmfg.reference.models import Region
from greenmfg.register import services as register
from greenmfg.register.models import EntryStatus, RegisterEntry

BUREAUS = ("mof-reviewer", "js-reviewer", "sz-reviewer", "wz-reviewer", "ks-reviewer", "wx-reviewer")


def selectors_actor(world: Any, role: str) -> Any:
    return actor_of(world.users[role])


def bureau(world: Any, role: str) -> Organisation:
    return world.users[role].membership.organisation


def grant(
    key: str, region: str, kind: str = "factory", level: str = "city", year: int = 2025
) -> RegisterEntry:
    return register.record_title(
        source_key=f"title:{key}",
        kind=kind,
        level=level,
        grade="",
        year=year,
        announced_on=datetime.date(year, 6, 30),
        announcement_ref="",
        authority="某工业和信息化局（演示）",
        region_code=region,
        unit_name=f"看板测试企业{key}（演示）",
        credit_code="",
        industry_code=None,
    )


@pytest.fixture
def titles(world: Any) -> None:
    grant("wz-1", "320506")  # 吴中区
    grant("wz-2", "320506", kind="product", level="province", year=2024)
    grant("ks-1", "320583")  # 昆山市 (a county-level city of 苏州)
    grant("wx-1", "320200", kind="park")  # 无锡市, no district known
    grant("hz-1", "330100")  # 杭州市
    grant("revoked", "320506")
    register.revoke("title:revoked", "撤销测试")


def test_each_bureau_sees_its_jurisdiction_only(world, titles):
    # hand-counted from the fixture: active titles only, by the region each bureau answers for
    totals = {
        "wz-reviewer": 2,
        "ks-reviewer": 1,
        "sz-reviewer": 3,
        "wx-reviewer": 1,
        "js-reviewer": 4,
        "mof-reviewer": 5,
    }
    for role, total in totals.items():
        where = selectors.where(bureau(world, role))
        assert where.total == total, role
        assert sum(f.count for f in where.by_area) == total, role
        assert sum(f.count for f in where.by_kind) == total, role
    wz = selectors.where(bureau(world, "wz-reviewer"))
    assert {f.key: f.count for f in wz.by_kind if f.count} == {"factory": 1, "product": 1}
    assert {f.key: f.count for f in wz.by_level if f.count} == {"city": 1, "province": 1}
    assert [(f.key, f.count) for f in wz.by_batch] == [("2024-", 1), ("2025-", 1)]
    assert [(f.key, f.count) for f in wz.by_area] == [("320506", 2)]

    sz = selectors.where(bureau(world, "sz-reviewer"))
    assert sz.area_level == "district"
    assert [(f.key, f.label, f.count) for f in sz.by_area] == [
        ("320506", "吴中区", 2),
        ("320583", "昆山市", 1),
    ]

    js = selectors.where(bureau(world, "js-reviewer"))
    assert js.area_level == "city"
    assert [(f.key, f.label, f.count) for f in js.by_area] == [
        ("320500", "苏州市", 3),
        ("320200", "无锡市", 1),
    ]
    assert js.by_area[0].query == "region=320500"

    mof = selectors.where(bureau(world, "mof-reviewer"))
    assert mof.area_level == "province"
    assert [(f.key, f.count) for f in mof.by_area] == [("320000", 4), ("330000", 1)]
    assert mof.by_area[1].query == "province=330000"

    # limited to one kind
    assert selectors.where(bureau(world, "js-reviewer"), "park").total == 1


def test_pages_show_only_the_jurisdictions_figures(world, titles):
    url = reverse("dashboards:home")
    ministry = world.client("mof-reviewer").get(url).content.decode()
    province = world.client("js-reviewer").get(url).content.decode()
    district = world.client("wz-reviewer").get(url).content.decode()
    assert "浙江省" in ministry and "江苏省" in ministry
    assert "浙江" not in province and "无锡市" in province and "苏州市" in province
    assert "无锡市" not in district.split("<main>")[1] and "昆山市" not in district.split("<main>")[1]
    assert 'href="/public/titles/?region=320506"' in district
    # every figure links to the register list behind it, which holds exactly that many titles
    list_page = world.client(None).get(reverse("register:titles") + "?region=320583")
    assert "看板测试企业ks-1" in list_page.content.decode()


def test_bad_kind_is_named_and_all_kinds_shown(world, titles):
    response = world.client("js-reviewer").get(reverse("dashboards:home") + "?kind=nonsense")
    assert response.status_code == 200
    assert "称号类型“nonsense”不存在" in response.content.decode()


def test_english_page(world, titles):
    client = world.client("sz-reviewer")
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    text = client.get(reverse("dashboards:home")).content.decode()
    assert "Dashboard" in text and "Download Excel" in text and "Applications by state" in text


def test_excel_download_holds_the_table(world, titles):
    response = world.client("js-reviewer").get(reverse("dashboards:table_xlsx", args=["area"]))
    assert response.status_code == 200
    sheet = load_workbook(
        io.BytesIO(b"".join(response.streaming_content if response.streaming else [response.content]))
    ).active
    assert [list(r) for r in sheet.iter_rows(values_only=True)] == [
        ["地区", "称号数"],
        ["苏州市", 3],
        ["无锡市", 1],
    ]
    assert world.client("js-reviewer").get("/dashboards/table/nonsense.xlsx").status_code == 404


def test_figures_cost_a_constant_number_of_queries(world, titles):
    authority = bureau(world, "mof-reviewer")
    with CaptureQueriesContext(connection) as few:
        selectors.where(authority)
        selectors.pipeline(authority, datetime.date(2026, 5, 1))
    for n in range(30):
        grant(f"more-{n}", ("320506", "330100", "440300", "370100")[n % 4], year=2017 + n % 8)
    with CaptureQueriesContext(connection) as many:
        selectors.where(authority)
        selectors.pipeline(authority, datetime.date(2026, 5, 1))
    assert len(few) == len(many) == 4


def test_pipeline_counts_and_overdue_boundary(world):
    for role in ("sz-machinery", "sz-energy", "ks-electronics"):
        start(world.users[role])
    apps = list(Application.objects.order_by("pk"))
    # drafts are their authors' alone: not counted until submitted
    assert selectors.pipeline(bureau(world, "sz-reviewer"), datetime.date(2026, 5, 1)).submitted == 0
    Application.objects.filter(pk=apps[0].pk).update(
        state="submitted", step_due_on=datetime.date(2026, 5, 10)
    )
    Application.objects.filter(pk=apps[1].pk).update(
        state="in_review", step_due_on=datetime.date(2026, 5, 12)
    )
    Application.objects.filter(pk=apps[2].pk).update(state="rejected", step_due_on=datetime.date(2026, 5, 1))
    for role in BUREAUS:
        authority = bureau(world, role)
        flow = selectors.pipeline(authority, datetime.date(2026, 5, 1))
        prefix = selectors.jurisdiction_of(authority) or ""
        direct = Counter(
            state
            for state, region in Application.objects.values_list("state", "region_id")
            if region.startswith(prefix) and state != "draft"
        )
        assert {f.key: f.count for f in flow.by_state if f.count} == dict(direct), role
        assert "draft" not in {f.key for f in flow.by_state}
    city = bureau(world, "sz-reviewer")
    # the boundary: due on 10 May is not overdue on 10 May, is on 11 May; the rejected one never counts
    assert selectors.pipeline(city, datetime.date(2026, 5, 10)).overdue == 0
    assert selectors.pipeline(city, datetime.date(2026, 5, 11)).overdue == 1
    assert selectors.pipeline(city, datetime.date(2026, 5, 12)).overdue == 1
    assert selectors.pipeline(city, datetime.date(2026, 5, 13)).overdue == 2
    with time_machine.travel(datetime.datetime(2026, 5, 13, 9, tzinfo=datetime.UTC)):
        page = world.client("sz-reviewer").get(reverse("dashboards:home")).content.decode()
    assert '<strong class="bad">2</strong>' in page


def test_national_lists_figures_equal_the_database(world):
    """After the real national lists are imported: green factories by province and by batch, for the
    ministry and for a province, equal the counts read directly from the register."""
    import_national_lists()
    register.rebuild_from_national_lists()
    active = RegisterEntry.objects.filter(status=EntryStatus.ACTIVE)
    for role in ("mof-reviewer", "js-reviewer", "sz-reviewer"):
        authority = bureau(world, role)
        prefix = selectors.jurisdiction_of(authority) or ""
        rows = [
            (batch, province, region)
            for batch, province, region in active.filter(kind="factory").values_list(
                "batch", "province_id", "region_id"
            )
            if prefix == "" or (region or "").startswith(prefix)
        ]
        where = selectors.where(authority, "factory")
        assert where.total == len(rows), role
        assert {f.key: f.count for f in where.by_batch} == {
            f"{active.filter(batch=b).values_list('year', flat=True).first()}-{b}": n
            for b, n in Counter(b for b, _, _ in rows).items()
        }, role
        if prefix == "":
            by_province = Counter(p or "" for _, p, _ in rows)
            assert {f.key: f.count for f in where.by_area} == dict(by_province)
            assert by_province["320000"] == active.filter(kind="factory", province_id="320000").count() > 100
    # the province's figure agrees with the lists' own province column too
    jiangsu = selectors.where(bureau(world, "js-reviewer"), "factory")
    assert jiangsu.total == active.filter(kind="factory", province_id="320000").count()
    assert sum(f.count for f in jiangsu.by_area) == jiangsu.total
    # the ministry's total is every active title of the lists
    assert selectors.where(bureau(world, "mof-reviewer")).total == active.count() > 6000


# --- targets -------------------------------------------------------------------------------------------


def test_reference_targets_ship_with_their_sources(world):
    assert load_reference_targets() == 13
    assert load_reference_targets() == 13  # idempotent
    reference = {t.reference_key: t for t in Target.objects.all()}
    assert len(reference) == 13
    gd = reference["gd-2020-factory"]
    assert (gd.region_id, gd.kind, gd.count, gd.deadline, gd.confidence) == (
        "440000",
        "factory",
        100,
        datetime.date(2020, 12, 31),
        "V",
    )
    assert reference["miit-2020-product"].count == 10_000 and reference["miit-2020-product"].region_id is None
    assert reference["xx-2025-factory"].place_text == "XX市" and reference["xx-2025-factory"].level == "city"
    assert {t.confidence for t in reference.values()} <= {"V", "S"}
    assert all(t.source_document and t.source_ref for t in reference.values())


def test_targets_progress_per_jurisdiction(world):
    load_reference_targets()
    grant("sd-1", "371002", year=2019)  # 威海市环翠区, before the deadline
    grant("sd-2", "370100", year=2020)  # 济南市
    grant("sd-3", "371002", year=2021)  # after the 2020 deadline: not achieved for it
    grant("sd-4", "371002", kind="park", year=2018)
    grant("gd-1", "440300", level="national", year=2018)
    shandong = Organisation.objects.create(
        kind="authority", name="山东省工业和信息化厅（演示）", region_id="370000", level="province"
    )
    weihai = Organisation.objects.create(
        kind="authority", name="威海市工业和信息化局（演示）", region_id="371000", level="city"
    )
    progress = {p.target.reference_key: p for p in selectors.progress(shandong)}
    # the province sees its own targets and Weihai's, not Guangdong's, the ministry's or 'XX市'
    assert set(progress) == {
        "sd-2020-park",
        "sd-2020-factory",
        "sd-2020-product",
        "wh-2020-factory",
        "wh-2020-park",
        "wh-2020-supply-chain",
    }
    assert (progress["sd-2020-factory"].achieved, progress["sd-2020-factory"].gap) == (2, 98)
    assert progress["sd-2020-factory"].query == "province=370000&kind=factory"
    assert (progress["wh-2020-factory"].achieved, progress["wh-2020-factory"].gap) == (1, 9)
    assert (progress["wh-2020-park"].achieved, progress["wh-2020-park"].gap) == (1, 1)
    assert progress["wh-2020-park"].query == "region=371000&kind=park"
    assert {p.target.reference_key for p in selectors.progress(weihai)} == {
        "wh-2020-factory",
        "wh-2020-park",
        "wh-2020-supply-chain",
    }
    ministry = {p.target.reference_key: p for p in selectors.progress(bureau(world, "mof-reviewer"))}
    assert len(ministry) == 13
    assert ministry["miit-2020-factory"].achieved == 3  # sd-1, sd-2 and gd-1: announced by the end of 2020
    assert ministry["gd-2020-factory"].achieved == 1
    assert ministry["xx-2025-factory"].achieved is None and ministry["xx-2025-factory"].gap is None
    assert selectors.progress(bureau(world, "js-reviewer")) == []


def test_pipeline_counts_toward_a_target(world):
    start(world.users["sz-machinery"])
    Application.objects.update(state="in_review")
    actor = selectors_actor(world, "sz-reviewer")
    services.record_target(
        actor,
        kind="factory",
        level="",
        count=3,
        deadline=datetime.date(2026, 12, 31),
        source_document="苏州市绿色制造三年行动（演示）",
    )
    (row,) = selectors.progress(bureau(world, "sz-reviewer"))
    assert (row.achieved, row.pipeline, row.gap) == (0, 1, 2)
    assert row.target.region_id == "320500" and row.target.scope == "city"
    # the province above sees it; the district below and a neighbouring city do not
    assert len(selectors.progress(bureau(world, "js-reviewer"))) == 1
    assert selectors.progress(bureau(world, "wz-reviewer")) == []
    assert selectors.progress(bureau(world, "wx-reviewer")) == []


def test_recording_a_target_through_the_page(world):
    client = world.client("wz-reviewer")
    url = reverse("dashboards:target_new")
    bad = client.post(url, {"kind": "factory", "count": "0", "deadline": "2026-13-01", "source_document": ""})
    assert bad.status_code == 200 and Target.objects.count() == 0
    text = bad.content.decode()
    assert "目标数量：" in text and "完成期限：" in text and "出处（文件名称）：" in text
    ok = client.post(
        url,
        {
            "kind": "park",
            "level": "city",
            "count": "2",
            "deadline": "2027-06-30",
            "source_document": "吴中区方案",
        },
    )
    assert ok.status_code == 302
    target = Target.objects.get()
    assert (target.region_id, target.kind, target.level, target.count) == ("320506", "park", "city", 2)
    assert Event.objects.filter(action="target.recorded", object_id=str(target.pk)).count() == 1
    # an enterprise cannot reach the page, and its refusal changes nothing
    assert world.client("sz-machinery").post(url, {"kind": "park", "count": "2"}).status_code == 404
    assert Target.objects.count() == 1
    sheet = load_workbook(
        io.BytesIO(client.get(reverse("dashboards:table_xlsx", args=["targets"])).content)
    ).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][:4] == ("吴中区", "绿色工业园区", "市级", 2)


def test_drill_down_stays_inside_the_jurisdiction(world, titles):
    ministry = bureau(world, "mof-reviewer")
    jiangsu = selectors.where(ministry, within=Region.objects.get(code="320000"))
    province = selectors.where(bureau(world, "js-reviewer"))
    assert (
        [(f.key, f.count, f.drill) for f in jiangsu.by_area]
        == [(f.key, f.count, f.drill) for f in province.by_area]
        == [("320500", 3, "320500"), ("320200", 1, "320200")]
    )
    suzhou = selectors.where(ministry, within=Region.objects.get(code="320500"))
    assert [(f.key, f.count, f.drill) for f in suzhou.by_area] == [("320506", 2, ""), ("320583", 1, "")]
    url = reverse("dashboards:home")
    page = world.client("mof-reviewer").get(url + "?region=320000").content.decode()
    assert (
        "正在查看：江苏省" in page
        and 'href="?region=320500"' in page
        and "浙江" not in page.split("<main>")[1]
    )
    # a region outside the jurisdiction, or none at all: 404, as for anything not one's own
    assert world.client("js-reviewer").get(url + "?region=330000").status_code == 404
    assert world.client("sz-reviewer").get(url + "?region=320200").status_code == 404
    assert world.client("js-reviewer").get(url + "?region=999999").status_code == 404
    assert world.client("js-reviewer").get(url + "?region=x").status_code == 404
    assert world.client("sz-reviewer").get(url + "?region=320506").status_code == 200
    sheet = load_workbook(
        io.BytesIO(
            world.client("mof-reviewer")
            .get(reverse("dashboards:table_xlsx", args=["area"]) + "?region=320500")
            .content
        )
    ).active
    assert list(sheet.iter_rows(values_only=True))[1:] == [("吴中区", 2), ("昆山市", 1)]
