"""Nothing typed is lost (issue 11): a workbook read for a dossier reports every invalid cell and stores
nothing, gives only the cells that hold something, and round-trips the answers it was written with."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from greencore.raw_form import fields_from_raw
from greencore.scoring.compiled import InputSpec, compiled
from greencore.scoring.inputs import describe, domain, value_problem
from greencore.scoring.raw import derived_inputs
from greencore.standards.model import InputKind, Scheme, Text
from greencore.standards.registry import get_scheme
from greencore.workbook import DATA_SHEET, GATES_SHEET, CellProblem, read_answers, write_template
from greencore.workbook_raw import ENERGY_SHEET, fed_by_raw
from tests.conftest import EXAMPLES

FACTORY = get_scheme("factory-gbt36132-2025")
PARK = get_scheme("park-weihai@1.0")
RAW = fields_from_raw(json.loads((EXAMPLES / "factory-raw.json").read_text(encoding="utf-8")))


def _rows(path: Path, sheet: str) -> dict[str, int]:
    return {row[0].value: row[0].row for row in load_workbook(path)[sheet].iter_rows(min_row=2)}


def test_a_workbook_with_five_bad_cells_reports_exactly_those_five_in_order(tmp_path: Path) -> None:
    path = tmp_path / "bad.xlsx"
    write_template(FACTORY, path, {"inputs": {"in:platform_functions": "3"}, "raw": RAW})
    data_rows = _rows(path, DATA_SHEET)
    book = load_workbook(path)
    book[GATES_SHEET]["D2"] = "也许"
    for key, value in (
        ("platform_functions", "五万"),
        ("water_reuse_rate", 120),
        ("retrofit_projects", -3),
        ("materials_reduction", 5),
    ):
        book[DATA_SHEET].cell(row=data_rows[key], column=5, value=value)
    book.save(path)

    read = read_answers(FACTORY, path)

    assert read.answers is None
    assert read.problems == (
        CellProblem(GATES_SHEET, 2, "D", "「也许」不是“是”或“否”", "'也许' is not yes or no"),
        *sorted(
            (
                CellProblem(
                    DATA_SHEET,
                    data_rows["platform_functions"],
                    "E",
                    "「五万」不是数字",
                    "'五万' is not a number",
                ),
                CellProblem(
                    DATA_SHEET,
                    data_rows["water_reuse_rate"],
                    "E",
                    "120 超出 0–100 范围",
                    "120 is outside 0–100",
                ),
                CellProblem(
                    DATA_SHEET,
                    data_rows["retrofit_projects"],
                    "E",
                    "−3 小于最小值 0",
                    "−3 is below the minimum 0",
                ),
                CellProblem(
                    DATA_SHEET, data_rows["materials_reduction"], "E", "5 超出 0–4 范围", "5 is outside 0–4"
                ),
            ),
            key=lambda p: p.row,
        ),
    )
    assert read.problems[1].place == f"{DATA_SHEET}!E{read.problems[1].row}"


def test_a_bad_raw_cell_is_reported_with_the_others(tmp_path: Path) -> None:
    path = tmp_path / "raw.xlsx"
    write_template(FACTORY, path, {"inputs": {}, "raw": {**RAW, "t:energy.carriers:0:quantity": "35万"}})
    read = read_answers(FACTORY, path)
    assert read.answers is None
    (problem,) = read.problems
    assert (problem.sheet, problem.column) == (ENERGY_SHEET, "D")
    assert problem.zh == "“数量（购入量）”应填数值，而不是 '35万'"


def test_empty_cells_give_nothing_and_the_rest_is_read_as_typed(tmp_path: Path) -> None:
    path = tmp_path / "some.xlsx"
    answers = {
        "inputs": {
            "in:advanced_equipment": "12",
            "in:platform_functions": "7",
            "tin:products:1:limit_grade1": "0.5",
        },
        "raw": {},
    }
    write_template(FACTORY, path, answers)
    read = read_answers(FACTORY, path)
    assert read.problems == ()
    assert read.answers == answers  # no key for an empty cell: the caller's merge keeps what it has


def test_a_cell_typed_differently_from_a_number_is_kept_as_typed(tmp_path: Path) -> None:
    path = tmp_path / "typed.xlsx"
    answers = {"inputs": {"in:green_material_lead": "92.50", "in:output_value": "1,200"}, "raw": {}}
    write_template(get_scheme("factory-suzhou@2023.1"), path, answers)
    assert read_answers(get_scheme("factory-suzhou@2023.1"), path).answers == answers


def _spec(kind: InputKind, low: str | None = None, high: str | None = None) -> InputSpec:
    return InputSpec(
        "x",
        Text(zh="x"),
        kind,
        "",
        Decimal(low) if low is not None else None,
        Decimal(high) if high is not None else None,
        {"a": 1.0, "b": 2.0} if kind is InputKind.CATEGORY else {},
    )


def test_value_problems_and_descriptions() -> None:
    degree = _spec(InputKind.DEGREE)
    assert value_problem(degree, "5") == ("5 超出 0–1 范围", "5 is outside 0–1")
    assert value_problem(degree, "0.85") is None
    assert value_problem(degree, "") is None
    assert value_problem(_spec(InputKind.NUMBER, "0"), "-3") == (
        "−3 小于最小值 0",
        "−3 is below the minimum 0",
    )
    assert value_problem(_spec(InputKind.NUMBER, None, "10"), 12.5) == (
        "12.5 大于最大值 10",
        "12.5 is above the maximum 10",
    )
    assert value_problem(_spec(InputKind.COUNT), "2.5") == ("2.5 不是整数", "2.5 is not a whole number")
    assert value_problem(_spec(InputKind.CATEGORY), "c") == (
        "「c」不是可选项（可选：a、b）",
        "'c' is not one of: a, b",
    )
    assert value_problem(_spec(InputKind.PERCENT), "35%") is None
    described = describe(degree)
    assert (described.zh, described.en, described.minimum, described.maximum) == (
        "符合程度（0–1）",
        "degree of conformity (0–1)",
        Decimal(0),
        Decimal(1),
    )
    points = describe(compiled(FACTORY).inputs["materials_reduction"])
    assert (points.zh, points.en, points.maximum) == ("评分（0–4）", "points (0–4)", Decimal(4))


# ---------------------------------------------------------------------------------------------------
# the round trip: answers → workbook → read is the identity


def _number_text(spec: InputSpec) -> st.SearchStrategy[str]:
    low, high = domain(spec)
    lower = low if low is not None else Decimal(-1000)
    upper = high if high is not None else Decimal(1_000_000)
    places = 0 if spec.kind is InputKind.COUNT else 3
    return st.decimals(lower, upper, places=places, allow_nan=False, allow_infinity=False).map(
        lambda d: format(d.normalize(), "f").replace("-0", "0") if d == 0 else format(d.normalize(), "f")
    )


def _value(spec: InputSpec) -> st.SearchStrategy[str]:
    if spec.kind is InputKind.BOOL:
        return st.sampled_from(["是", "否"])
    if spec.kind is InputKind.CATEGORY:
        return st.sampled_from(sorted(spec.choices))
    return _number_text(spec)


def _answers(scheme: Scheme) -> st.SearchStrategy[dict[str, dict[str, str]]]:
    cs = compiled(scheme)
    hidden = derived_inputs(scheme) if fed_by_raw(scheme) else frozenset()
    fields: dict[str, st.SearchStrategy[str]] = {}
    for key, spec in cs.inputs.items():
        if spec.table is None and key not in hidden:
            fields[f"in:{key}"] = _value(spec)
    for table in cs.tables.values():
        for row in range(table.rows):
            for column in table.columns:
                if f"{table.id}.{column}" in hidden:
                    continue
                fields[f"tin:{table.id}:{row}:{column}"] = _value(cs.inputs[f"{table.id}.{column}"])
    keys = sorted(fields)
    raw = RAW if fed_by_raw(scheme) else {}

    @st.composite
    def build(draw: Any) -> dict[str, dict[str, str]]:
        chosen = draw(st.lists(st.sampled_from(keys), unique=True, max_size=min(len(keys), 40)))
        return {"inputs": {key: draw(fields[key]) for key in sorted(chosen)}, "raw": dict(raw)}

    return build()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_the_round_trip_is_the_identity_for_the_factory_2025_and_a_park_scheme(
    tmp_path: Path, data: st.DataObject
) -> None:
    for scheme in (FACTORY, PARK):
        answers = data.draw(_answers(scheme), label=scheme.key)
        path = tmp_path / "round.xlsx"
        write_template(scheme, path, answers)
        read = read_answers(scheme, path)
        assert read.problems == ()
        assert read.answers == answers
