"""The raw-data sheets of the self-evaluation workbook: written, filled by hand, read back, computed."""

from __future__ import annotations

import dataclasses
import json
import typing
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from greencore.calc.energy import EnergyInput
from greencore.calc.factory import compute_factory
from greencore.calc.ghg import GhgInput
from greencore.calc.land import LandInput
from greencore.calc.ratios import ElasticityInput
from greencore.calc.waste import WasteInput
from greencore.calc.water import WaterInput
from greencore.scoring import InputError, score
from greencore.standards.model import Scheme
from greencore.standards.registry import get_scheme
from greencore.workbook import read_workbook, write_template
from greencore.workbook_raw import (
    ENERGY_SHEET,
    LISTS_SHEET,
    PARK_SHEET,
    PREFIX,
    add_raw_sheets,
    fed_by_raw,
    raw_paths,
    read_raw_sheets,
)
from tests.conftest import EXAMPLES

# What a person picks in the dropdowns for the raw format's coded values.
SHOWN = {"calorific_value": "当量值", "average": "平均排放因子", "hazardous": "危险废物"}


def example() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((EXAMPLES / "factory-raw.json").read_text(encoding="utf-8"))
    return data


def normalised(value: Any) -> Any:
    """Numbers as Decimal, whether the document holds "18.5", 18.5 or 2023."""
    if isinstance(value, dict):
        return {k: normalised(v) for k, v in value.items()}
    if isinstance(value, list):
        return [normalised(v) for v in value]
    if isinstance(value, bool):
        return value
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return value


def typed(value: Any) -> Any:
    """What a person types: numbers as numbers, 是/否, the Chinese of a coded value, text as text."""
    if isinstance(value, bool):
        return "是" if value else "否"
    if not isinstance(value, str):
        return value
    if value in SHOWN:
        return SHOWN[value]
    try:
        number = Decimal(value)
    except InvalidOperation:
        return value
    return int(number) if number == number.to_integral_value() else float(number)


def lookup(data: dict[str, Any], path: str) -> Any:
    node: Any = data
    for key in path.split("."):
        if not isinstance(node, dict) or key not in node:
            return None
        node = node[key]
    return node


def marked(wb: Workbook) -> dict[str, tuple[Worksheet, int]]:
    """Each row mark of column A (field:…, fields:…) → its sheet and row."""
    found: dict[str, tuple[Worksheet, int]] = {}
    for sheet in wb.worksheets:
        if sheet.title.startswith(PREFIX):
            for (cell,) in sheet.iter_rows(min_col=1, max_col=1):
                if isinstance(cell.value, str) and ":" in cell.value:
                    found[cell.value] = (sheet, cell.row)
    return found


def table_rows(doc: dict[str, Any], path: str) -> list[dict[str, Any]] | None:
    """The rows of a table as a person lays them out in the sheet."""
    if path == "products":
        rows: list[dict[str, Any]] = []
        for section in ("energy", "ghg", "water"):
            for i, product in enumerate(doc[section].get("products", [])):
                if i == len(rows):
                    rows.append({k: product[k] for k in ("name", "output", "output_unit")})
                rows[i].update({f"{section}.{k}": v for k, v in product.items() if k not in rows[i]})
        return rows
    if path == "land.buildings":
        rows = []
        for building in doc["land"]["buildings"]:
            for j, storey in enumerate(building["storeys"]):
                row = {f"storeys.{k}": v for k, v in storey.items()}
                if j == 0:
                    row |= {"name": building["name"], "footprint": building["footprint"]}
                rows.append(row)
        return rows
    if path == "history.years":
        years: dict[int, dict[str, Any]] = {}
        for key, column in (("emissions", "emissions"), ("output_values", "output_value")):
            for item in doc["history"][key]:
                years.setdefault(item["year"], {"year": item["year"]})[column] = item["value"]
        return list(years.values())
    value = lookup(doc, path)
    return value if isinstance(value, list) else None


def fill(wb: Workbook, doc: dict[str, Any]) -> None:
    """Fill the raw sheets from a raw document, cell by cell, as a person would."""
    for mark, (sheet, row) in marked(wb).items():
        kind, _, path = mark.partition(":")
        if kind == "field":
            value = lookup(doc, path)
            if value is not None:
                sheet.cell(row=row, column=3, value=typed(value))
        elif kind == "fields":
            ids = {cell.value: cell.column for cell in sheet[row][1:] if cell.value}
            for r, item in enumerate(table_rows(doc, path) or [], start=row + 2):
                for key, value in item.items():
                    sheet.cell(row=r, column=ids[key], value=typed(value))


def filled(tmp_path: Path, doc: dict[str, Any]) -> Path:
    wb = Workbook()
    add_raw_sheets(wb)
    fill(wb, doc)
    path = tmp_path / "raw.xlsx"
    wb.save(path)
    return path


def cell_of(path: Path, table: str, index: int, field: str) -> tuple[str, str]:
    """(sheet, coordinate) of a field in the index-th row of a table."""
    wb = load_workbook(path)
    sheet, row = marked(wb)[f"fields:{table}"]
    column = next(cell.column_letter for cell in sheet[row] if cell.value == field)
    return sheet.title, f"{column}{row + 2 + index}"


def test_example_round_trip_is_exact(tmp_path: Path) -> None:
    doc = example()
    raw = read_raw_sheets(filled(tmp_path, doc))
    assert raw is not None
    assert normalised(raw) == normalised(doc)
    assert raw["year"] == 2023  # the calculation wants the integer types back
    assert raw["land"]["buildings"][2]["storeys"][0]["count"] == 5
    assert raw["energy"]["carriers"][0]["quantity"] == "1200"
    assert raw["energy"]["carriers"][4]["renewable"] is True


def test_computed_indicators_equal_those_of_the_json(tmp_path: Path) -> None:
    doc = example()
    raw = read_raw_sheets(filled(tmp_path, doc))
    assert raw is not None
    from_sheets, from_json = compute_factory(raw), compute_factory(doc)
    assert from_sheets["indicators"] == from_json["indicators"]
    assert from_sheets["calculations"] == from_json["calculations"]
    assert from_sheets["indicators"]["total_energy"]["value"] == "2690.93675"


def test_every_field_of_the_raw_format_has_a_cell() -> None:
    def paths(cls: type[Any], prefix: str) -> set[str]:
        out: set[str] = set()
        hints = typing.get_type_hints(cls)
        for f in dataclasses.fields(cls):
            item = (typing.get_args(hints[f.name]) or (None,))[0]
            if isinstance(item, type) and dataclasses.is_dataclass(item):  # a list of objects
                out |= paths(item, f"{prefix}{f.name}[].")
            else:
                out.add(prefix + f.name)
        return out

    shared = {"year", "output_value", "output_value_unit"}  # given once at the top level
    expected = {"year", "output_value", "output_value_unit"}
    expected |= {f"enterprise.{k}" for k in example()["enterprise"]}
    for section, cls in (
        ("energy", EnergyInput),
        ("ghg", GhgInput),
        ("water", WaterInput),
        ("waste", WasteInput),
        ("land", LandInput),
    ):
        expected |= {p for p in paths(cls, f"{section}.") if p.removeprefix(f"{section}.") not in shared}
    expected |= paths(ElasticityInput, "history.")
    # the calculation refuses a renewable mark on energy sent out, so the sheet has no such column
    expected.discard("energy.exported[].renewable")
    assert raw_paths() == expected


def test_template_sheets_hide_ids_and_offer_dropdowns(tmp_path: Path) -> None:
    path = tmp_path / "raw.xlsx"
    wb = Workbook()
    add_raw_sheets(wb)
    wb.save(path)
    wb = load_workbook(path)
    assert wb[LISTS_SHEET].sheet_state == "hidden"
    energy = wb[ENERGY_SHEET]
    assert energy.column_dimensions["A"].hidden
    sheet, row = marked(wb)["fields:energy.carriers"]
    assert sheet.title == ENERGY_SHEET
    assert energy.row_dimensions[row].hidden
    heads = {cell.value: cell.column_letter for cell in energy[row + 1][1:] if cell.value}
    assert list(heads)[:4] == ["品种", "用途/说明", "数量（购入量）", "单位"]
    first = energy[f"{heads['数量（购入量）']}{row + 2}"]
    assert first.fill.fgColor.rgb.endswith("FFF2CC")
    rules = {str(dv.sqref): dv for dv in energy.data_validations.dataValidation}
    carrier = next(dv for ref, dv in rules.items() if ref.startswith(f"{heads['品种']}{row + 2}:"))
    assert carrier.type == "list"
    assert carrier.formula1.startswith(f"'{LISTS_SHEET}'!$")
    column = carrier.formula1.split("!$")[1].split("$")[0]
    listed = [c.value for c in wb[LISTS_SHEET][column] if c.value]
    assert {"原煤", "天然气", "柴油", "电力", "蒸汽", "氧气", "新水"} <= set(listed)
    quantity = next(dv for ref, dv in rules.items() if ref.startswith(f"{heads['数量（购入量）']}{row + 2}:"))
    assert (quantity.type, quantity.operator, quantity.formula1) == ("decimal", "greaterThanOrEqual", "0")


def test_empty_raw_sheets_and_no_raw_sheets_give_none(tmp_path: Path) -> None:
    empty = tmp_path / "empty.xlsx"
    wb = Workbook()
    add_raw_sheets(wb)
    wb.save(empty)
    assert read_raw_sheets(empty) is None
    plain = tmp_path / "plain.xlsx"
    Workbook().save(plain)
    assert read_raw_sheets(plain) is None


def test_blank_cells_are_left_out_not_zero(tmp_path: Path) -> None:
    doc = example()
    raw = read_raw_sheets(filled(tmp_path, doc))
    assert raw is not None
    gas = raw["energy"]["carriers"][1]
    assert set(gas) == {"carrier", "label", "quantity", "unit"}  # no stock, no renewable, no 0


@pytest.mark.parametrize(
    ("table", "index", "field", "value", "words"),
    [
        ("energy.carriers", 0, "unit", "kWh", "电量单位"),  # coal in kWh
        ("energy.carriers", 3, "unit", "吨公里", "不适用"),
        ("energy.carriers", 0, "carrier", "无烟块煤", "无此能源品种"),
        ("energy.carriers", 1, "quantity", "35万", "应填数值"),
        ("ghg.purchased_electricity", 0, "unit", "t", "不适用"),
        ("waste.streams", 3, "category", "有毒", "不是可选项"),
        ("energy.carriers", 4, "renewable", "可能", "是"),
        ("land.buildings", 2, "storeys.count", 2.5, "整数"),
        ("water.intake", 0, "reading_end", -5, "不能为负"),
    ],
)
def test_a_bad_cell_is_named(
    tmp_path: Path, table: str, index: int, field: str, value: Any, words: str
) -> None:
    path = filled(tmp_path, example())
    sheet, coordinate = cell_of(path, table, index, field)
    wb = load_workbook(path)
    wb[sheet][coordinate] = value
    wb.save(path)
    with pytest.raises(InputError) as caught:
        read_raw_sheets(path)
    assert caught.value.place == f"{sheet}!{coordinate}"
    assert words in caught.value.zh


def test_a_missing_required_cell_is_named(tmp_path: Path) -> None:
    path = filled(tmp_path, example())
    sheet, coordinate = cell_of(path, "energy.carriers", 2, "quantity")
    wb = load_workbook(path)
    wb[sheet][coordinate] = None
    wb.save(path)
    with pytest.raises(InputError) as caught:
        read_raw_sheets(path)
    assert caught.value.place == f"{ENERGY_SHEET}!{coordinate}"
    assert "数量" in caught.value.zh


def test_a_unit_alias_is_kept_as_typed(tmp_path: Path) -> None:
    doc = example()
    doc["energy"]["carriers"][0]["unit"] = "吨"  # the calculation accepts 吨 for t
    raw = read_raw_sheets(filled(tmp_path, doc))
    assert raw is not None
    assert raw["energy"]["carriers"][0]["unit"] == "吨"
    assert compute_factory(raw)["indicators"] == compute_factory(example())["indicators"]


def test_the_scheme_template_with_raw_sheets_scores_like_the_json(
    tmp_path: Path, factory_2025: Scheme
) -> None:
    """The scheme's template carries the raw sheets; the typed inputs and the raw data score together."""
    path = tmp_path / "自评价表.xlsx"
    write_template(factory_2025, path)
    wb = load_workbook(path)
    assert ENERGY_SHEET in wb.sheetnames
    fill(wb, example())
    wb.save(path)
    inputs = read_workbook(factory_2025, path)
    raw = read_raw_sheets(path)
    from_sheets = score(factory_2025, inputs, raw=raw)
    from_json = score(factory_2025, inputs, raw=example())
    assert [(c.id, c.value) for c in from_sheets.computed] == [(c.id, c.value) for c in from_json.computed]
    assert (from_sheets.score, from_sheets.score_upper, from_sheets.inputs) == (
        from_json.score,
        from_json.score_upper,
        from_json.inputs,
    )


def test_only_schemes_fed_by_raw_data_get_the_sheets(factory_2025: Scheme, tmp_path: Path) -> None:
    assert fed_by_raw(factory_2025)
    assert fed_by_raw(get_scheme("factory-jiangsu-2026"))  # extends the 2025 scheme
    assert not fed_by_raw(get_scheme("factory-gbt36132-2018"))
    # the web form's raw sections are the factory's; a park's template gets its own yearly sheet
    assert not fed_by_raw(get_scheme("park-miit-2016"))
    sheets = {}
    for scheme_id in ("factory-gbt36132-2018", "park-miit-2016", "supply-chain-miit-2016"):
        path = tmp_path / f"{scheme_id}.xlsx"
        write_template(get_scheme(scheme_id), path)
        sheets[scheme_id] = [name for name in load_workbook(path).sheetnames if name.startswith(PREFIX)]
    assert sheets == {
        "factory-gbt36132-2018": [],
        "park-miit-2016": [PARK_SHEET, LISTS_SHEET],
        "supply-chain-miit-2016": [],
    }


def test_a_parks_yearly_sheet_reads_back_and_scores_like_the_json(tmp_path: Path) -> None:
    park = get_scheme("park-miit-2016")
    doc = json.loads((EXAMPLES / "park-raw.json").read_text(encoding="utf-8"))
    rest = json.loads((EXAMPLES / "park-2016-raw.json").read_text(encoding="utf-8"))["inputs"]
    path = tmp_path / "园区自评价表.xlsx"
    write_template(park, path)
    wb = load_workbook(path)
    fill(wb, doc)
    wb.save(path)
    raw = read_raw_sheets(path)
    assert raw is not None
    assert normalised(raw) == normalised(doc)
    assert [y["year"] for y in raw["years"]] == [2022, 2023, 2024]  # integers, as the calculation wants
    assert score(park, rest, raw=raw).score == Decimal("92.41")


def test_a_park_year_without_its_year_is_named_by_cell(tmp_path: Path) -> None:
    park = get_scheme("park-miit-2016")
    doc = json.loads((EXAMPLES / "park-raw.json").read_text(encoding="utf-8"))
    del doc["years"][1]["year"]
    path = tmp_path / "园区自评价表.xlsx"
    write_template(park, path)
    wb = load_workbook(path)
    fill(wb, doc)
    wb.save(path)
    with pytest.raises(InputError) as caught:
        read_raw_sheets(path)
    assert caught.value.place == f"{PARK_SHEET}!B14"  # the second year's row
    assert caught.value.zh == "缺少“年度”"
