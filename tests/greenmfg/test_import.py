"""A filled self-evaluation workbook imported through the background task gives the same answers."""

from __future__ import annotations

import json
from pathlib import Path

from factories import actor, filled_workbook, start
from openpyxl import load_workbook
from test_applications import complete_answers

from greencore.workbook import write_template
from greenmfg.applications.dossier import evaluate, scheme_for
from greenmfg.applications.models import Dossier, ImportJob
from greenmfg.applications.workbook import answers_from_workbook


def test_workbook_round_trip_gives_the_typed_answers(world, tmp_path):
    scheme = scheme_for("factory-gbt36132-2025", "2025.1")
    path = tmp_path / "filled.xlsx"
    values = complete_answers()
    filled_workbook(scheme, path, values)
    answers = answers_from_workbook(scheme, path)

    assert str(evaluate(scheme, answers).result.score) == "66.05"


def test_import_through_the_view_runs_the_task_and_updates_the_draft(world, tmp_path):
    user = world.users["sz-machinery"]
    application = start(user)
    path = tmp_path / "filled.xlsx"
    filled_workbook(scheme_for("factory-gbt36132-2025", "2025.1"), path, complete_answers())
    client = world.client("sz-machinery")
    with path.open("rb") as handle:
        response = client.post(f"/applications/{application.public_id}/import/", {"workbook": handle})
    assert response.status_code == 302
    job = ImportJob.objects.get(application=application)
    assert (job.status, job.progress) == ("done", 100)
    assert str(Dossier.objects.get(application=application).score) == "66.05"
    page = client.get(response["Location"])
    assert "已完成" in page.content.decode()
    assert actor(user).organisation == application.applicant


def test_a_file_that_is_not_a_workbook_is_refused_and_nothing_changes(world, tmp_path):
    user = world.users["sz-machinery"]
    application = start(user)
    path = tmp_path / "fake.xlsx"
    path.write_bytes(b"<html>not a workbook</html>")
    with path.open("rb") as handle:
        response = world.client("sz-machinery").post(
            f"/applications/{application.public_id}/import/", {"workbook": handle}
        )
    assert response.status_code == 302
    assert not ImportJob.objects.exists()
    assert Dossier.objects.get(application=application).revision == 0


def test_a_parks_yearly_raw_sheet_becomes_its_typed_columns(world, tmp_path):
    """The park form has no raw section: an imported 原始数据-园区 sheet fills the yearly columns that the
    scheme derives from it (value added, energy, fresh water, employees), in the form's units."""

    examples = Path(__file__).resolve().parents[2] / "examples"
    scheme = scheme_for("park-miit-2016", "2016.1")
    path = tmp_path / "园区自评价表.xlsx"
    write_template(scheme, path)
    wb = load_workbook(path)
    sheet = wb["原始数据-园区"]
    fields_row = next(r for r in range(1, sheet.max_row + 1) if sheet.cell(r, 1).value == "fields:years")
    ids = {sheet.cell(fields_row, c).value: c for c in range(2, sheet.max_column + 1)}
    raw = json.loads((examples / "park-raw.json").read_text(encoding="utf-8"))
    for offset, year in enumerate(raw["years"]):
        for key, value in year.items():
            sheet.cell(fields_row + 2 + offset, ids[key], value=value if key == "year" else str(value))
    wb.save(path)
    answers = answers_from_workbook(scheme, path)
    columns = {k: v for k, v in answers["inputs"].items() if k.startswith("tin:park_data:")}
    # 3 亿元 → 30000 万元, 1 万tce → 10000 tce, 20 万m³ → 200000 m³; 0.2 万人 → 2000 人 (2024)
    assert columns == {
        "tin:park_data:0:value_added": "30000",
        "tin:park_data:0:energy_tce": "10000",
        "tin:park_data:0:fresh_water_m3": "200000",
        "tin:park_data:0:employees": "2000",
        "tin:park_data:1:value_added": "24000",
        "tin:park_data:1:energy_tce": "10000",
        "tin:park_data:1:fresh_water_m3": "200000",
        "tin:park_data:1:employees": "2000",
        "tin:park_data:2:value_added": "18000",
        "tin:park_data:2:energy_tce": "10000",
        "tin:park_data:2:fresh_water_m3": "120000",
        "tin:park_data:2:employees": "2000",
    }
    assert answers["raw"] == {}
    result = evaluate(scheme, answers).result
    assert result is not None
    # EG1 能源产出率 of each year from the typed columns: 30000 ÷ 10000, 24000 ÷ 10000, 18000 ÷ 10000
    assert [str(row.value) for row in result.indicator("EG1").rows] == ["3", "2.4", "1.8"]
