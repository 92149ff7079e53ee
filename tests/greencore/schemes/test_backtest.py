"""Scheme back-testing (greencore.backtest): past Suzhou applications re-scored under a draft that raises 3A to
83 and lowers 2A to 66 — who gains, who loses, the distributions before and after, by hand."""

from __future__ import annotations

import math
from decimal import Decimal as D
from typing import Any

from greencore import (
    backtest_draft,
    derive_scheme_text,
    get_scheme,
    grade_order,
    input_key,
    input_table_key,
    load_scheme_text,
    parents_from,
    population_columns,
    shipped,
    table_cell_key,
    with_derived,
)

CURRENT = get_scheme("factory-suzhou")


def answers(inputs: dict[str, Any]) -> dict[str, Any]:
    """Inputs as the platform stores typed answers: one form key per input or table cell."""
    out: dict[str, Any] = {}
    for key, value in inputs.items():
        if isinstance(value, list):
            for row, cells in enumerate(value):
                for column, cell in cells.items():
                    out[table_cell_key(input_table_key(key), row, column)] = cell
        else:
            out[input_key(key)] = value
    return out


def draft():
    text = derive_scheme_text(
        CURRENT,
        scheme_id="factory-suzhou-draft",
        version="1",
        title_zh="苏州市绿色工厂评价（征求意见稿）",
        title_en="Suzhou draft",
        source="测试",
        region="320500",
        numbers={"outcome.grades[3A].min": D("83"), "outcome.grades[2A].min": D("66")},
    )
    return load_scheme_text(text, "草稿", parents_from(shipped()))


def test_grades_that_move_under_the_draft(factory2018_inputs):
    cases = [
        ("base", "2A"),
        ("score_80", "2A"),
        ("score_75", "none"),
        ("score_67", "none"),
        ("score_59", "none"),
    ]
    past = [answers({**factory2018_inputs(v), "held_grade": held}) for v, held in cases]
    past[4]["in:held_grade"] = "7A"  # a value the scheme refuses: counted, scored as missing
    found = backtest_draft(CURRENT, draft(), past)
    assert (
        found.score_before
        == found.score_after
        == [D("82.00"), D("80.00"), D("75.00"), D("67.00"), D("59.00")]
    )
    assert found.grade_before == ["3A", "3A", "2A", "1A", ""]
    assert found.grade_after == ["2A", "2A", "2A", "2A", ""]
    assert found.shifts.gained == (3,)  # 67 ≥ 66
    assert found.shifts.lost == (0, 1)  # 82 and 80 < 83
    assert found.shifts.unchanged == 2
    assert found.shifts.moves == {("3A", "2A"): 2, ("1A", "2A"): 1}
    assert found.shifts.before == {"1A": 1, "2A": 1, "3A": 2, "4A": 0, "5A": 0, "": 1}
    assert found.shifts.after == {"1A": 0, "2A": 4, "3A": 0, "4A": 0, "5A": 0, "": 1}
    assert (found.refused_before, found.refused_after) == (1, 1)
    assert (found.passed_before, found.passed_after) == (4, 4)
    # scores sorted 59, 67, 75, 80, 82: the median 75; p0.9 → h = 3.6: 80 + 0.6 × 2
    assert found.quantiles_before[2] == D("75.00")
    assert found.quantiles_before[4] == D("81.200")
    assert grade_order(CURRENT) == ["1A", "2A", "3A", "4A", "5A"]


def test_columns_leave_out_what_the_scheme_does_not_know(factory2018_inputs):
    columns, refused = population_columns(CURRENT, [{"in:no_such_input": "1", "s:raw.thing": "2"}, {}])
    assert columns == {} and refused == 0


def test_derived_inputs_complete_the_typed_answers():
    result = {
        "derived": [
            {"id": "total_energy_tce", "value": "900.5"},
            {"id": "products.unit_energy", "rows": ["1.5", None, "2"]},
            {"id": "typed_already", "value": "3"},
        ]
    }
    assert with_derived({"in:typed_already": "4"}, result) == {
        "in:typed_already": "4",  # the typed value is kept
        "in:total_energy_tce": "900.5",
        "tin:products:0:unit_energy": "1.5",
        "tin:products:2:unit_energy": "2",
    }
    assert with_derived({"in:a": "1"}, None) == {"in:a": "1"}


def test_columns_read_like_the_engine_cell_by_cell():
    # "1,200" is a number the engine reads (the fast pass cannot); -5 is below a quantity's domain (refused,
    # counted, missing); a yes/no in a number is refused too
    rows = [
        {"in:output_value": "1,200"},
        {"in:output_value": "-5"},
        {"in:output_value": "8000"},
        {"in:output_value": True},
    ]
    columns, refused = population_columns(CURRENT, rows)
    assert refused == 2
    assert columns["output_value"][0] == 1200 and columns["output_value"][2] == 8000
    assert math.isnan(columns["output_value"][1]) and math.isnan(columns["output_value"][3])
    fast, none_refused = population_columns(CURRENT, [{"in:output_value": "1200"}, {"in:output_value": ""}])
    assert none_refused == 0 and fast["output_value"][0] == 1200
