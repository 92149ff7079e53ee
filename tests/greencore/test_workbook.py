"""The self-evaluation workbook: template out, filled by hand (openpyxl), read back, scored."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook

from greencore.scoring import InputError, score
from greencore.standards.model import Scheme
from greencore.workbook import DATA_SHEET, GATES_SHEET, read_workbook, write_template


def fill(template: Path, target: Path, inputs: dict[str, Any]) -> None:
    """Fill the template as a person would: 是/否 for gates, numbers in the yellow cells."""
    wb = load_workbook(template)
    for row in wb[GATES_SHEET].iter_rows(min_row=2):
        key = row[0].value
        if key in inputs:
            row[3].value = "是" if inputs[key] else "否"
    for row in wb[DATA_SHEET].iter_rows(min_row=2):
        key = row[0].value
        if key in inputs and inputs[key] is not None:
            value = inputs[key]
            row[4].value = ("是" if value else "否") if isinstance(value, bool) else value
    for sheet in wb.worksheets:
        marker = sheet.cell(row=1, column=1).value
        if not (isinstance(marker, str) and marker.startswith("table:")):
            continue
        table = marker.removeprefix("table:")
        columns = [c.value for c in sheet[1][1:]]
        for r, product in enumerate(inputs.get(table) or []):
            for c, name in enumerate(columns, start=2):
                sheet.cell(row=4 + r, column=c, value=product.get(name))
    wb.save(target)


def test_template_has_headers_validation_and_hidden_ids(tmp_path: Path, factory_2025: Scheme) -> None:
    path = tmp_path / "t.xlsx"
    write_template(factory_2025, path)
    wb = load_workbook(path)
    assert wb.sheetnames[:3] == ["说明", "基本要求", "数据"]
    data = wb[DATA_SHEET]
    assert [c.value for c in data[1]] == ["编号", "分组", "项目", "单位", "填写值", "类型", "说明"]
    assert data.column_dimensions["A"].hidden
    first = {row[0].value: row for row in data.iter_rows(min_row=2)}
    assert first["output_value"][2].value == "工业总产值（现价）"
    assert first["output_value"][3].value == "万元"
    validations = {str(dv.sqref): dv for dv in data.data_validations.dataValidation}
    cell = first["water_reuse_rate"][4].coordinate
    rule = next(dv for ref, dv in validations.items() if cell in ref.split())
    assert (rule.type, rule.operator, rule.formula1, rule.formula2) == ("decimal", "between", "0", "100")
    gates = wb[GATES_SHEET]
    assert gates.cell(row=2, column=2).value == "依法设立的独立法人、从事制造业生产"
    gate_rule = gates.data_validations.dataValidation[0]
    assert gate_rule.formula1 == '"是,否"'
    assert "主要产品单位产品综合能耗（按能耗排序前三）"[:28] in wb.sheetnames


def test_filled_workbook_scores_like_the_json(
    tmp_path: Path, factory_2025: Scheme, example_2025: dict[str, Any]
) -> None:
    template, filled = tmp_path / "t.xlsx", tmp_path / "filled.xlsx"
    write_template(factory_2025, template)
    fill(template, filled, example_2025)
    inputs = read_workbook(factory_2025, filled)
    from_workbook, from_json = score(factory_2025, inputs), score(factory_2025, example_2025)
    assert from_workbook.score == from_json.score == from_json.score
    assert [i.points for i in from_workbook.indicators] == [i.points for i in from_json.indicators]
    assert from_workbook.missing_inputs == ()


def test_blank_cells_are_missing_not_zero(
    tmp_path: Path, factory_2025: Scheme, example_2025: dict[str, Any]
) -> None:
    template, filled = tmp_path / "t.xlsx", tmp_path / "filled.xlsx"
    write_template(factory_2025, template)
    fill(template, filled, {**example_2025, "water_reuse_rate": None})
    r = score(factory_2025, read_workbook(factory_2025, filled))
    assert r.missing_inputs == ("water_reuse_rate",)
    assert r.indicator("water_reuse").status == "missing"


def test_a_bad_cell_is_named(tmp_path: Path, factory_2025: Scheme, example_2025: dict[str, Any]) -> None:
    template, filled = tmp_path / "t.xlsx", tmp_path / "filled.xlsx"
    write_template(factory_2025, template)
    fill(template, filled, {**example_2025, "output_value": "五万"})
    with pytest.raises(InputError) as caught:
        score(factory_2025, read_workbook(factory_2025, filled))
    assert caught.value.place == "output_value"
    assert "应填数值" in caught.value.zh


def test_not_a_workbook_is_a_clear_error(tmp_path: Path, factory_2025: Scheme) -> None:
    fake = tmp_path / "fake.xlsx"
    fake.write_bytes(b"PK\x03\x04 this is not a real workbook")
    with pytest.raises(InputError, match="无法读取工作簿"):
        read_workbook(factory_2025, fake)
    other = tmp_path / "other.xlsx"

    Workbook().save(other)
    with pytest.raises(InputError, match="缺少工作表“基本要求”"):
        read_workbook(factory_2025, other)
