"""A park's raw yearly statistics feed the 2016 park scheme through calc('years.…') (examples/park-raw.json)."""

from __future__ import annotations

import json
from decimal import Decimal as D
from typing import Any

import pytest

from greencore.calc.errors import CalcError, InconsistentDataError
from greencore.calc.park import compute_park
from greencore.scoring import InputError as ScoringInputError
from greencore.scoring import score
from greencore.standards.model import Scheme
from greencore.standards.registry import get_scheme
from tests.conftest import EXAMPLES
from tests.greencore.schemes.conftest import _park


def raw() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((EXAMPLES / "park-raw.json").read_text(encoding="utf-8"))
    return data


def typed_rest() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((EXAMPLES / "park-2016-raw.json").read_text(encoding="utf-8"))
    return data["inputs"]  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def park() -> Scheme:
    return get_scheme("park-miit-2016")


def test_each_year_in_its_own_units() -> None:
    years = compute_park(raw())["calculations"]["years"]
    figures = [
        (
            y["year"],
            y["industrial_value_added"]["value"],
            y["energy_consumption"]["value"],
            y["fresh_water"]["value"],
            y["persons"]["value"],
            y["energy_productivity"]["value"],
            y["water_productivity"]["value"],
            y["value_added_per_person"]["value"],
        )
        for y in years
    ]
    assert figures == [
        # 3 亿元 = 30000 万元; 1 万tce = 10000 tce; 20 万m³ = 200000 m³
        # 30000 ÷ 10000 = 3 万元/tce; 30000 × 10000 ÷ 200000 = 1500 元/m³; 30000 ÷ 2000 = 15 万元/人
        (2022, "30000", "10000", "200000", "2000", "3", "1500", "15"),
        (2023, "24000", "10000", "200000", "2000", "2.4", "1200", "12"),
        # 1.8 亿元 = 18000 万元; 12 万m³ = 120000 m³; 0.2 万人 = 2000 人
        (2024, "18000", "10000", "120000", "2000", "1.8", "1500", "9"),
    ]
    assert years[2]["trail"][0]["formula"] == "1.8 亿元 = 18000 万元"


def test_years_must_run_oldest_first() -> None:
    data = raw()
    data["years"][2]["year"] = 2023
    with pytest.raises(InconsistentDataError) as caught:
        compute_park(data)
    assert caught.value.place == "years[2].year"
    assert caught.value.reason_zh == "年份应从早到晚排列且不重复（2023 之后为 2023）"


@pytest.mark.parametrize(
    ("change", "place"),
    [
        (lambda d: d.update(years=[]), "years"),
        (lambda d: d.update(companies=[]), "companies"),
        (lambda d: d["years"][1].update(energy_unit="kWh"), "years[1].energy_unit"),
        (lambda d: d["years"][0].update(persons="0"), "years[0].persons"),
        (lambda d: d["years"][0].pop("fresh_water"), "years[0].fresh_water"),
    ],
)
def test_bad_raw_data_names_the_field(change: Any, place: str) -> None:
    data = raw()
    change(data)
    with pytest.raises(CalcError) as caught:
        compute_park(data)
    assert caught.value.place == place


def test_scored_from_raw_data_the_park_gets_the_worked_examples_index(park: Scheme) -> None:
    from_raw = score(park, typed_rest(), raw=raw())
    typed = score(park, _park())  # the same park typed column by column (GI 92.41)
    assert from_raw.score == typed.score == D("92.41")
    assert from_raw.indicators == typed.indicators  # every indicator, row by row, the same
    derived = {d.id: d.rows for d in from_raw.derived}
    assert derived == {
        "park_data.value_added": (D(30000), D(24000), D(18000)),
        "park_data.energy_tce": (D(10000), D(10000), D(10000)),
        "park_data.fresh_water_m3": (D(200000), D(200000), D(120000)),
        "park_data.employees": (D(2000), D(2000), D(2000)),
    }
    # EG1, RG1 and CG3 are the park calculation's ratios, read by the scheme's computed formulas
    figures = {f.path: f.rows for f in from_raw.figures}
    assert figures["years.energy_productivity"] == (D(3), D("2.4"), D("1.8"))
    assert figures["years.water_productivity"] == (D(1500), D(1200), D(1500))
    assert figures["years.value_added_per_person"] == (D(15), D(12), D(9))
    computed = next(c for c in from_raw.computed if c.id == "energy_productivity")
    assert (
        computed.formula
        == "coalesce(calc('years.energy_productivity', '万元/tce'), value_added / energy_tce)"
    )


def test_a_local_park_scheme_inherits_the_raw_data(park: Scheme) -> None:
    weihai = get_scheme("park-weihai")
    assert weihai.raw_data == "park"
    assert score(weihai, typed_rest(), raw=raw()).figures == score(park, typed_rest(), raw=raw()).figures


def test_a_typed_column_that_disagrees_with_the_raw_year_is_refused(park: Scheme) -> None:
    inputs = typed_rest()
    inputs["park_data"][2]["value_added"] = 20000
    with pytest.raises(ScoringInputError) as caught:
        score(park, inputs, raw=raw())
    assert caught.value.place == "park_data[3].value_added"
    assert caught.value.zh == "填写值 20000 与原始数据计算值 18000 不一致"


def test_more_years_than_the_table_takes_names_the_raw_list(park: Scheme) -> None:
    data = raw()
    data["years"].append({**data["years"][2], "year": 2025})
    with pytest.raises(ScoringInputError) as caught:
        score(park, typed_rest(), raw=data)
    assert caught.value.place == "raw.years"
    assert caught.value.zh == "原始数据给出 4 个年度，而“园区指标数据（连续三年）”最多 3 行"


def test_typed_rows_and_raw_years_must_agree_in_number(park: Scheme) -> None:
    data = raw()
    data["years"].pop()
    with pytest.raises(ScoringInputError) as caught:
        score(park, typed_rest(), raw=data)
    assert caught.value.place == "park_data"
    assert caught.value.zh == "填写了 3 行，而原始数据算出 2 行"


def test_two_years_alone_leave_the_third_missing(park: Scheme) -> None:
    data = raw()
    data["years"].pop()
    rest = typed_rest()
    rest["park_data"].pop()
    r = score(park, rest, raw=data)
    assert not r.complete
    assert "park_data" in r.missing_inputs  # three years are needed (min_rows)
    assert r.score is not None and r.score_upper is not None and r.score < r.score_upper


def test_without_raw_data_the_typed_columns_are_used(park: Scheme) -> None:
    r = score(park, _park())
    assert r.figures == () and r.derived == () and r.calculation is None
    assert r.indicator("EG1").rows[2].value == D("1.8")  # 18000 ÷ 10000, the formula's fallback
