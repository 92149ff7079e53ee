"""Industry benchmark values (issue 12): a bureau imports them from Excel through the checked-file service,
with a per-row report and nothing stored when a row is wrong; a call fills an application's benchmark
inputs from them by the unit's industry, and the enterprise cannot type over them."""

from __future__ import annotations

import io
import json
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from factories import FACTORY_CALL, actor, start
from openpyxl import Workbook

from greencore import BENCHMARK_COLUMNS, get_scheme
from greenmfg.applications import services as applications
from greenmfg.applications.services import ApplicationError
from greenmfg.audit.models import Event
from greenmfg.benchmarks import services
from greenmfg.benchmarks.models import BenchmarkImport, BenchmarkValue
from greenmfg.benchmarks.selectors import benchmarks_with_origin
from greenmfg.benchmarks.services import BenchmarkError, BenchmarkRowsRefused
from greenmfg.catalog.models import Call
from greenmfg.web.templatetags.greenmfg import fieldid

SOURCE = "工信部节〔2024〕13号 附件2 表3"


def sheet(*rows: list[Any], name: str = "基准值.xlsx") -> SimpleUploadedFile:
    book = Workbook()
    ws = book.active
    ws.append(list(BENCHMARK_COLUMNS))
    for row in rows:
        ws.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


def year() -> int:
    return Call.objects.get(code=FACTORY_CALL).opens_on.year


def stored_files() -> list[str]:
    if not default_storage.exists("benchmarks"):
        return []
    folders, names = default_storage.listdir("benchmarks")
    for folder in folders:
        names += default_storage.listdir(f"benchmarks/{folder}")[1]
    return names


def machinery_values() -> SimpleUploadedFile:
    # sz-machinery is in 34 (通用设备制造业); 3411 is narrower than the unit's code on record, 26 elsewhere
    return sheet(
        ["34", None, year(), "carbon_intensity_base", 120.5, "kgCO2/万元", SOURCE, "V"],
        ["34", None, year(), "carbon_intensity_lead", 80, "kgCO2/万元", SOURCE, "S"],
        ["3411", None, year(), "carbon_intensity_lead", 70, "kgCO2/万元", SOURCE, "V"],
        ["26", None, year(), "water_reuse_base", 90, "%", SOURCE, "R"],
    )


def test_a_city_bureau_imports_a_sheet(world: Any) -> None:
    before = len(stored_files())
    record = services.import_benchmarks(actor(world.users["sz-reviewer"]), machinery_values())
    assert record.count == 4 and record.file_name == "基准值.xlsx" and len(record.file_sm3) == 64
    assert len(stored_files()) == before + 1
    rows = BenchmarkValue.objects.filter(bureau=record.bureau).order_by("industry", "input_id")
    assert [(r.industry, r.input_id, r.value, r.mark, r.source) for r in rows] == [
        ("26", "water_reuse_base", Decimal("90"), "R", SOURCE),
        ("34", "carbon_intensity_base", Decimal("120.5"), "V", SOURCE),
        ("34", "carbon_intensity_lead", Decimal("80"), "S", SOURCE),
        ("3411", "carbon_intensity_lead", Decimal("70"), "V", SOURCE),
    ]
    assert Event.objects.filter(action="benchmarks.imported", object_id=str(record.pk)).count() == 1
    # a second import of the same key replaces the value, and keeps one row
    services.import_benchmarks(
        actor(world.users["sz-reviewer"]),
        sheet(["34", None, year(), "carbon_intensity_base", 110, "kgCO2/万元", SOURCE, "V"]),
    )
    assert BenchmarkValue.objects.get(industry="34", input_id="carbon_intensity_base").value == Decimal("110")
    assert BenchmarkValue.objects.count() == 4


def test_one_bad_row_stores_nothing_and_names_every_cell(world: Any) -> None:
    before = len(stored_files())
    events = Event.objects.count()
    bad = sheet(
        ["34", None, year(), "carbon_intensity_base", 120.5, "kgCO2/万元", SOURCE, "V"],
        ["C34", None, year(), "carbon_intensity_lead", "八十", "kgCO2/万元", "", "V"],
    )
    with pytest.raises(BenchmarkRowsRefused) as refused:
        services.import_benchmarks(actor(world.users["sz-reviewer"]), bad)
    assert [(p.row, p.column) for p in refused.value.problems] == [(3, "行业代码"), (3, "数值"), (3, "来源")]
    assert refused.value.zh == "有 3 处错误，未导入任何数据。"
    assert BenchmarkValue.objects.count() == 0 and BenchmarkImport.objects.count() == 0
    assert len(stored_files()) == before and Event.objects.count() == events


def test_a_file_that_is_not_a_workbook_is_refused_by_the_checked_file_service(world: Any) -> None:
    with pytest.raises(BenchmarkError):
        services.import_benchmarks(
            actor(world.users["sz-reviewer"]), SimpleUploadedFile("基准值.xlsx", b"%PDF-1.4 not a sheet")
        )
    with pytest.raises(BenchmarkError):
        services.import_benchmarks(actor(world.users["sz-reviewer"]), None)
    assert BenchmarkImport.objects.count() == 0


@pytest.mark.parametrize("role", ["wz-reviewer", "sz-machinery", "evaluator", "expert-1"])
def test_only_bureaus_that_issue_calls_keep_values(world: Any, role: str) -> None:
    with pytest.raises(PermissionDenied):
        services.import_benchmarks(actor(world.users[role]), machinery_values())
    assert BenchmarkImport.objects.count() == 0


def test_the_page_reports_each_bad_row_and_stores_nothing(world: Any) -> None:
    client = world.client("sz-reviewer")
    bad = sheet(["34", None, "明年", "carbon_intensity_base", 1, "", SOURCE, "Q"])
    response = client.post(reverse("benchmarks:import"), {"file": bad})
    assert response.status_code == 400
    page = response.content.decode()
    assert "应为年份，如 2025" in page and "应为 V（已核实）、S（二手来源）或 R（待核实）" in page
    assert BenchmarkValue.objects.count() == 0
    response = client.post(reverse("benchmarks:import"), {"file": machinery_values()})
    assert response.status_code == 302
    assert "carbon_intensity_lead" in client.get(reverse("benchmarks:list")).content.decode()


def test_a_call_fills_the_benchmark_inputs_by_the_units_industry(world: Any) -> None:
    services.import_benchmarks(actor(world.users["sz-reviewer"]), machinery_values())
    # another city's bureau keeps its own values: they never reach Suzhou's calls
    services.import_benchmarks(
        actor(world.users["wx-reviewer"]),
        sheet(["34", None, year(), "water_reuse_lead", 99, "%", SOURCE, "V"]),
    )
    application = start(world.users["sz-machinery"])
    inputs = application.versions.get().answers["inputs"]
    # 34 applies to the unit (code 34); 3411 is narrower than the unit's and does not; 26 is elsewhere
    assert {k: v for k, v in inputs.items() if "carbon_intensity" in k or "water_reuse" in k} == {
        "in:carbon_intensity_base": "120.5",
        "in:carbon_intensity_lead": "80",
    }
    started = Event.objects.get(action="application.started", object_id=str(application.public_id))
    assert started.detail["benchmarks"] == {
        "in:carbon_intensity_base": "120.5",
        "in:carbon_intensity_lead": "80",
    }


def test_the_enterprise_cannot_type_over_a_fixed_value(world: Any) -> None:
    services.import_benchmarks(actor(world.users["sz-reviewer"]), machinery_values())
    user = world.users["sz-machinery"]
    application = start(user)
    draft = application.versions.get()
    with pytest.raises(ApplicationError) as refused:
        applications.save_answers(actor(user), application, {"in:carbon_intensity_base": "999"})
    assert refused.value.zh == "基准值由主管部门按行业统一设定，不能修改：in:carbon_intensity_base"
    draft.refresh_from_db()
    assert draft.answers["inputs"]["in:carbon_intensity_base"] == "120.5" and draft.revision == 0
    # a value the bureau imports later reaches the draft at its next save
    services.import_benchmarks(
        actor(world.users["sz-reviewer"]),
        sheet(["34", None, year(), "water_reuse_base", 85, "%", SOURCE, "V"]),
    )
    applications.save_answers(actor(user), application, {"in:platform_functions": "5"})
    draft.refresh_from_db()
    assert draft.answers["inputs"]["in:water_reuse_base"] == "85"
    assert draft.answers["inputs"]["in:carbon_intensity_base"] == "120.5"


@pytest.mark.parametrize("role", ["wz-reviewer", "sz-machinery", "evaluator"])
def test_a_refused_import_through_the_page_changes_nothing(world: Any, role: str) -> None:
    response = world.client(role).post(reverse("benchmarks:import"), {"file": machinery_values()})
    assert response.status_code == 404
    assert BenchmarkImport.objects.count() == 0 and BenchmarkValue.objects.count() == 0


def test_the_dossier_shows_a_fixed_value_read_only_with_its_source(world: Any) -> None:
    services.import_benchmarks(actor(world.users["sz-reviewer"]), machinery_values())
    application = start(world.users["sz-machinery"])
    url = reverse("applications:dossier", kwargs={"public_id": application.public_id})
    # every section in the page, as without JavaScript (sections otherwise load when opened)
    page = world.client("sz-machinery").get(url, {"section": "all"}).content.decode()
    field = page[page.index(f'id="{fieldid("in:carbon_intensity_base")}"') :]
    field = field[: field.index("</small>")]
    assert 'value="120.5" readonly' in field and 'name="in:carbon_intensity_base"' not in field
    assert f"来源：{SOURCE}（V，行业代码 34，{year()}年）" in field


def test_a_provinces_values_reach_its_cities_calls_and_the_citys_own_come_first(world: Any) -> None:
    # Jiangsu keeps the carbon base and lead and the water-reuse lead; Suzhou imported only its carbon base
    services.import_benchmarks(
        actor(world.users["js-reviewer"]),
        sheet(
            ["34", None, year(), "carbon_intensity_base", 150, "kgCO2/万元", SOURCE, "V"],
            ["34", None, year(), "carbon_intensity_lead", 90, "kgCO2/万元", SOURCE, "V"],
            ["34", None, year() - 1, "water_reuse_lead", 95, "%", SOURCE, "S"],
        ),
    )
    # the ministry's nationwide value is the last resort; Jiangsu's own comes before it
    services.import_benchmarks(
        actor(world.users["mof-reviewer"]),
        sheet(
            ["34", None, year(), "water_reuse_lead", 90, "%", SOURCE, "V"],
            ["34", None, year(), "water_reuse_base", 85, "%", SOURCE, "V"],
        ),
    )
    services.import_benchmarks(
        actor(world.users["sz-reviewer"]),
        sheet(["34", None, year(), "carbon_intensity_base", 120.5, "kgCO2/万元", SOURCE, "V"]),
    )
    # Wuxi's values are a sibling's, never Suzhou's
    services.import_benchmarks(
        actor(world.users["wx-reviewer"]),
        sheet(["34", None, year(), "carbon_intensity_lead", 1, "kgCO2/万元", SOURCE, "V"]),
    )
    call = Call.objects.get(code=FACTORY_CALL)
    applicant = world.users["sz-machinery"].membership.organisation
    found = {
        key: (bureau.name, format(value.value.normalize(), "f"))
        for key, (bureau, value) in benchmarks_with_origin(call, applicant).items()
        if "carbon_intensity" in key or "water_reuse" in key
    }
    assert found == {
        "carbon_intensity_base": ("苏州市工业和信息化局（演示）", "120.5"),  # the city's own
        "carbon_intensity_lead": ("江苏省工业和信息化厅（演示）", "90"),  # the province's
        # the province's value of last year is older than the ministry's of this year, but nearer: it wins
        "water_reuse_lead": ("江苏省工业和信息化厅（演示）", "95"),
        "water_reuse_base": ("工业和信息化部（演示）", "85"),
    }
    inputs = start(world.users["sz-machinery"]).versions.get().answers["inputs"]
    assert inputs["in:carbon_intensity_lead"] == "90" and inputs["in:water_reuse_base"] == "85"


def test_energy_limit_grades_and_water_quotas_are_imported_per_product(world: Any) -> None:
    record = services.import_benchmarks(
        actor(world.users["sz-reviewer"]),
        sheet(
            ["3110", "粗钢", year(), "products.limit_grade1", 395, "kgce/t", SOURCE, "S"],
            ["3110", "粗钢", year(), "water_products.quota_base", 4.8, "m³/t", SOURCE, "S"],
        ),
    )
    assert record.count == 2
    page = world.client("sz-reviewer").get(reverse("benchmarks:list")).content.decode()
    limits = page[page.index('id="benchmark-limits"') :]
    assert "products.limit_grade1" in limits and "water_products.quota_base" in limits and "粗钢" in limits
    before = list(BenchmarkValue.objects.values_list("pk", flat=True))
    with pytest.raises(BenchmarkRowsRefused) as refused:  # a grade without its product: nothing stored
        services.import_benchmarks(
            actor(world.users["sz-reviewer"]),
            sheet(["3110", None, year(), "products.limit_grade2", 435, "kgce/t", SOURCE, "S"]),
        )
    assert [(p.row, p.column) for p in refused.value.problems] == [(2, "产品")]
    assert list(BenchmarkValue.objects.values_list("pk", flat=True)) == before


def test_a_scheme_without_raw_data_takes_the_bureaus_values_too(world: Any) -> None:
    """GB/T 36132-2018 has no raw-data form: its benchmark inputs (行业先进值 of the 绩效 indicators, the
    land-use control value) are filled from the reference data by the unit's industry all the same, and the
    engine scores with them."""
    call = Call.objects.get(code=FACTORY_CALL)
    call.scheme_id, call.scheme_version = "factory-gbt36132-2018", get_scheme("factory-gbt36132-2018").version
    call.save()
    assert not get_scheme("factory-gbt36132-2018").raw_data
    services.import_benchmarks(
        actor(world.users["sz-reviewer"]),
        sheet(
            ["34", None, year(), "land_output_lead", 1.2, "万元/m²", SOURCE, "S"],
            ["34", None, year(), "plot_ratio_min", 0.8, "", SOURCE, "S"],
        ),
    )
    application = start(world.users["sz-machinery"])
    draft = application.versions.get()
    assert {
        k: v for k, v in draft.answers["inputs"].items() if k in ("in:land_output_lead", "in:plot_ratio_min")
    } == {
        "in:land_output_lead": "1.2",
        "in:plot_ratio_min": "0.8",
    }
    scored = json.loads(draft.result)["inputs"] if draft.result else {}
    assert (scored.get("land_output_lead"), scored.get("plot_ratio_min")) == ("1.2", "0.8")
    with pytest.raises(ApplicationError):  # the enterprise cannot type over them
        applications.save_answers(
            actor(world.users["sz-machinery"]), application, {"in:land_output_lead": "9"}
        )
    draft.refresh_from_db()
    assert draft.answers["inputs"]["in:land_output_lead"] == "1.2"
