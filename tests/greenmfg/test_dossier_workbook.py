"""Nothing typed is lost (issue 11): the workbook the dossier offers carries the answers already entered, an
import merges into the dossier (an empty cell never erases a web value), and a workbook with any invalid
cell stores nothing and reports every one by sheet, row, column and reason."""

from __future__ import annotations

import io

from factories import actor, start
from openpyxl import load_workbook
from test_applications import complete_answers

from greencore.workbook import DATA_SHEET, GATES_SHEET
from greenmfg.applications import services
from greenmfg.applications.models import Dossier, ImportJob
from greenmfg.audit.models import Event

SUZHOU_GRADING = "suzhou-2026-factory-grading"


def _download(client, application) -> bytes:
    response = client.get(f"/applications/{application.public_id}/template.xlsx")
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def _upload(client, application, content: bytes):
    handle = io.BytesIO(content)
    handle.name = "自评价表.xlsx"
    return client.post(f"/applications/{application.public_id}/import/", {"workbook": handle})


def _rows(book, sheet: str) -> dict[str, int]:
    return {row[0].value: row[0].row for row in book[sheet].iter_rows(min_row=2) if row[0].value}


def _draft(application) -> Dossier:
    return Dossier.objects.get(application=application, frozen_at__isnull=True)


def test_web_to_excel_to_web_is_the_identity_for_a_filled_dossier(world):
    user = world.users["sz-machinery"]
    application = start(user)
    typed = complete_answers()
    services.save_answers(actor(user), application, typed)
    before = _draft(application)
    client = world.client("sz-machinery")

    workbook = _download(client, application)
    sheet = load_workbook(io.BytesIO(workbook))[DATA_SHEET]
    rows = _rows(load_workbook(io.BytesIO(workbook)), DATA_SHEET)
    # the downloaded workbook carries what was typed: 6 platform functions, a 0.55 % retrofit share, and
    # "1.0" kept as the text typed (a number cell would read back as "1")
    assert (typed["in:platform_functions"], sheet.cell(rows["platform_functions"], 5).value) == ("6", 6)
    assert sheet.cell(rows["retrofit_investment_share"], 5).value == 0.55
    assert (typed["in:land_output_base"], sheet.cell(rows["land_output_base"], 5).value) == ("1.0", "1.0")

    response = _upload(client, application, workbook)

    assert response.status_code == 302
    job = ImportJob.objects.get(application=application)
    assert (job.status, job.errors) == ("done", [])
    after = _draft(application)
    assert after.answers == before.answers
    assert after.answers["inputs"]["in:platform_functions"] == "6"
    assert len(after.answers["inputs"]) + len(after.answers["raw"]) == len(typed)
    assert (after.score, after.grade) == (before.score, before.grade)
    assert str(after.score) == "66.05"


def test_an_empty_cell_never_erases_a_web_value_and_a_filled_one_is_merged(world):
    user = world.users["sz-machinery"]
    application = start(user)
    services.save_answers(
        actor(user), application, {"in:platform_functions": "7", "in:advanced_equipment": "5"}
    )
    client = world.client("sz-machinery")
    book = load_workbook(io.BytesIO(_download(client, application)))
    rows = _rows(book, DATA_SHEET)
    book[DATA_SHEET].cell(rows["platform_functions"], 5).value = None  # emptied in Excel
    book[DATA_SHEET].cell(rows["gas_margin"], 5).value = 62.5  # typed in Excel
    book[GATES_SHEET].cell(_rows(book, GATES_SHEET)["gate_qms"], 4).value = "是"
    buffer = io.BytesIO()
    book.save(buffer)

    _upload(client, application, buffer.getvalue())

    assert ImportJob.objects.get(application=application).status == "done"
    assert _draft(application).answers == {
        "inputs": {
            "in:platform_functions": "7",
            "in:advanced_equipment": "5",
            "in:gas_margin": "62.5",
            "in:gate_qms": "是",
        },
        "raw": {},
    }
    event = Event.objects.filter(action="application.imported").get()
    assert event.detail["changed"] == ["in:gas_margin", "in:gate_qms"]
    assert event.detail["previous_answers"] == {
        "inputs": {"in:platform_functions": "7", "in:advanced_equipment": "5"},
        "raw": {},
    }


def test_a_workbook_with_invalid_cells_stores_nothing_and_reports_every_cell(world):
    user = world.users["sz-machinery"]
    application = start(user, SUZHOU_GRADING)
    services.save_answers(actor(user), application, {"in:output_value": "8000", "in:building_basic": "0.5"})
    before = _draft(application)
    client = world.client("sz-machinery")
    book = load_workbook(io.BytesIO(_download(client, application)))
    rows = _rows(book, DATA_SHEET)
    data = book[DATA_SHEET]
    data.cell(rows["output_value"], 5).value = "五万"
    data.cell(rows["building_basic"], 5).value = 5  # 符合程度 is 0–1
    data.cell(rows["site_area_m2"], 5).value = -3
    data.cell(rows["floor_area_m2"], 5).value = 12000  # valid, and still not stored
    buffer = io.BytesIO()
    book.save(buffer)

    response = _upload(client, application, buffer.getvalue())

    job = ImportJob.objects.get(application=application)
    assert job.status == "failed"
    assert job.message == "工作簿有 3 个单元格填写有误，未导入任何数据，请逐项修改后重新导入。"
    assert job.errors == sorted(
        [
            {
                "place": f"数据!E{rows['output_value']}",
                "sheet": "数据",
                "row": rows["output_value"],
                "column": "E",
                "zh": "「五万」不是数字",
                "en": "'五万' is not a number",
            },
            {
                "place": f"数据!E{rows['building_basic']}",
                "sheet": "数据",
                "row": rows["building_basic"],
                "column": "E",
                "zh": "5 超出 0–1 范围",
                "en": "5 is outside 0–1",
            },
            {
                "place": f"数据!E{rows['site_area_m2']}",
                "sheet": "数据",
                "row": rows["site_area_m2"],
                "column": "E",
                "zh": "−3 小于最小值 0",
                "en": "−3 is below the minimum 0",
            },
        ],
        key=lambda e: e["row"],
    )
    after = _draft(application)
    assert after.answers == {"inputs": {"in:output_value": "8000", "in:building_basic": "0.5"}, "raw": {}}
    assert after.revision == before.revision
    assert not Event.objects.filter(action="application.imported").exists()
    page = client.get(response["Location"]).content.decode()
    assert "工作簿有 3 个单元格填写有误，未导入任何数据" in page
    for error in job.errors:
        assert f'<td class="num">{error["row"]}</td><td>E</td><td>{error["zh"]}</td>' in page
