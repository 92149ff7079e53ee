"""The raw-data form fields and the workbook's raw sheets are read by the same rules."""

import json
import threading
from pathlib import Path

from openpyxl import load_workbook

from greencore.calc.factory import compute_factory
from greencore.raw_form import fields_from_raw, fields_from_workbook, is_raw_key, raw_from_fields
from greencore.standards.registry import Registry, get_scheme, shipped_dir
from greencore.workbook import write_template

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def test_fields_become_the_raw_document_with_errors_by_key():
    form = raw_from_fields(
        {
            "s:year": "2023",
            "s:output_value": "1,200",
            "s:energy.basis": "当量值",
            "t:energy.carriers:0:name": "电力",
            "t:energy.carriers:0:quantity": "十二",
            "s:land.site_area": "-5",
        }
    )
    assert form.document["year"] == 2023
    assert form.document["output_value"] == "1200"
    assert form.document["energy"]["basis"] == "calorific_value"
    assert set(form.errors) == {"t:energy.carriers:0:quantity", "s:land.site_area"}
    assert form.errors["s:land.site_area"][0] == "“厂区用地面积”不能为负（-5）"


def test_blank_fields_are_left_out_not_zero():
    form = raw_from_fields({"s:year": " ", "s:output_value": ""})
    assert form.document == {}
    assert form.errors == {}


def test_keys_outside_the_layout_are_refused():
    assert is_raw_key("s:energy.basis")
    assert is_raw_key("t:energy.carriers:0:quantity")
    assert not is_raw_key("t:energy.carriers:9999:quantity")
    assert not is_raw_key("t:energy.carriers:0:nonsense")
    assert not is_raw_key("s:__class__")
    assert not is_raw_key("inputs")


def test_workbook_raw_sheets_give_the_same_fields(tmp_path):
    path = tmp_path / "t.xlsx"
    write_template(get_scheme("factory-gbt36132-2025"), path)
    wb = load_workbook(path)
    sheet = wb["原始数据-基本"]
    for row in sheet.iter_rows():
        if row[0].value == "field:year":
            row[2].value = 2023
        if row[0].value == "field:output_value":
            row[2].value = 15000.5
    wb.save(path)
    fields = fields_from_workbook(path)
    assert fields == {"s:year": "2023", "s:output_value": "15000.5"}
    assert raw_from_fields(fields).document == {"year": 2023, "output_value": "15000.5"}


def test_the_example_raw_document_round_trips_through_form_fields():
    raw = json.loads((EXAMPLES / "factory-raw.json").read_text(encoding="utf-8"))
    form = raw_from_fields(fields_from_raw(raw))
    assert form.errors == {}
    assert compute_factory(form.document)["calculations"] == compute_factory(raw)["calculations"]


def test_a_registry_loads_once_when_threads_race():
    registry = Registry(roots=(shipped_dir(),))
    barrier = threading.Barrier(8)
    found: list[object] = []
    errors: list[BaseException] = []

    def load() -> None:
        barrier.wait()
        try:
            found.append(registry.get("factory-suzhou"))
        except BaseException as error:  # pragma: no cover - the failure being tested for
            errors.append(error)

    threads = [threading.Thread(target=load) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(found) == 8 and all(s is found[0] for s in found)
