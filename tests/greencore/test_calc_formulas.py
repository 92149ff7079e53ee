"""Scheme formulas call the raw-data calculations: calc('figure', 'unit') and derive formulas."""

from __future__ import annotations

import json
from decimal import Decimal
from fractions import Fraction as F
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from greencore.calc.errors import UnitError
from greencore.calc.factory import compute_factory
from greencore.calc.figures import FACTORY_FIGURES, read_figure
from greencore.calc.units import UNITS, rescale
from greencore.scoring import InputError, score
from greencore.scoring.expr import CalcRef, FormulaError, parse
from greencore.scoring.raw import derived_inputs
from greencore.scoring.result import Result
from greencore.standards.loader import SchemeError
from greencore.standards.model import Scheme
from tests.conftest import EXAMPLES, make_scheme


def raw() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((EXAMPLES / "factory-raw.json").read_text(encoding="utf-8"))
    return data


# A small scheme of our own that reads the factory calculation three ways: an input derived in
# another unit, an input derived by arithmetic on two figures, a table column derived per product,
# and a computed value that calls calc directly (the carbon elasticity of a local 美丽工厂 scheme,
# standards.md §8.4: ≤ 0.5 full marks, ≥ 1 none).
RAW_SCHEME = """
id: t-raw
version: "1"
subject: factory
title: {zh: 原始数据测试}
source: {document: 测试文件}
marks: {mark: R, source: test}
raw_data: factory
inputs:
  - {id: energy_kgce, label: {zh: 综合能耗（千克标准煤）}, unit: kgce, derive: "calc('energy.total', 'kgce')"}
  - {id: combustion_share, label: {zh: 燃烧排放占比}, unit: "%", required: false,
     derive: "calc('ghg.combustion', 'tCO2') / calc('ghg.total', 'tCO2') * 100"}
  - id: products
    label: {zh: 产品}
    max_rows: 3
    required: false
    columns:
      - {id: carbon, label: {zh: 单位产品碳排放}, unit: tCO2/产品单位,
         derive: "calc('ghg.per_product.intensity', 'tCO2/产品单位')"}
computed:
  - {id: elasticity, label: {zh: 碳排放弹性系数}, unit: "", formula: "calc('elasticity.elasticity', '')"}
indicators:
  - id: cat
    label: {zh: 类别}
    points: 10
    children:
      - {id: elastic, label: {zh: 碳排放弹性系数}, points: 10, rule: {kind: linear, direction: lower, base: 1, lead: 0.5, value: elasticity}}
outcome: {scale: 10}
"""


@pytest.fixture(scope="module")
def raw_scheme() -> Scheme:
    return make_scheme(RAW_SCHEME, "t-raw.yaml")


# -- the expression language -----------------------------------------------------------------------


def test_calc_is_parsed_into_the_figures_a_formula_reads() -> None:
    formula = parse("calc('ghg.total', 'tCO2') * 1000 / output_value")
    assert formula.calcs == frozenset({CalcRef("ghg.total", "tCO2")})
    assert formula.names == frozenset({"output_value"})
    assert formula.bare_calc is None
    assert parse("calc('energy.total', 'tce')").bare_calc == CalcRef("energy.total", "tce")
    env = {"output_value": np.array([46000.0]), "calc:ghg.total[tCO2]": np.array([8653.2169])}
    assert formula(env)[0] == 8653.2169 * 1000 / 46000
    # without raw data the figure is missing, and so is the formula
    assert np.isnan(formula({"output_value": np.array([46000.0])})[0])


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("calc(x, 'tce')", "calc's arguments must be quoted text"),
        ("calc('energy.total')", "calc takes two arguments"),
        ("calc('energy.total', 'tce', 'kgce')", "calc takes two arguments"),
        ("calc('', 'tce')", "calc needs the path of a figure"),
        ("'tce' * 2", "only numbers are allowed as constants"),
    ],
)
def test_calc_calls_that_are_refused(source: str, message: str) -> None:
    with pytest.raises(FormulaError, match=message):
        parse(source)


# -- units -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("unit", "to_unit", "factor"),
    [
        ("tce", "tce", "1"),
        ("tce", "kgce", "1000"),
        ("kgce/万元", "tce/万元", "0.001"),
        ("m³/万元", "m³/元", "0.0001"),
        ("kgce/t", "kgce/产品单位", "1"),
        ("kgCO2/台", "tCO2/产品单位", "0.001"),
        ("m²", "hm²", "0.0001"),
        ("%", "%", "1"),
        ("", "", "1"),
    ],
)
def test_rescale_is_exact(unit: str, to_unit: str, factor: str) -> None:
    assert rescale(unit, to_unit, "here") == Decimal(factor)


@pytest.mark.parametrize(
    ("unit", "to_unit", "message"),
    [
        ("tce", "kWh", "单位 tce 不能换算为 kWh"),
        ("%", "", "单位 % 不能换算为 （无量纲）"),
        ("tce", "kgce/万元", "一个是比值一个不是"),
        ("万元/m²", "万元/t", "单位 m² 不能换算为 t"),
    ],
)
def test_rescale_refuses_other_dimensions(unit: str, to_unit: str, message: str) -> None:
    with pytest.raises(UnitError, match=message) as caught:
        rescale(unit, to_unit, "here")
    assert caught.value.place == "here"


# -- scheme files are checked against the catalogue when they load -----------------------------------


def load_error(text: str) -> SchemeError:
    with pytest.raises(SchemeError) as caught:
        make_scheme(text, "bad.yaml")
    return caught.value


def test_a_figure_the_calculation_does_not_give_is_refused() -> None:
    err = load_error(RAW_SCHEME.replace("calc('energy.total', 'kgce')", "calc('energy.totl', 'kgce')"))
    assert err.place == "input energy_kgce › derive"
    assert "the factory calculation has no figure 'energy.totl'" in err.reason
    assert "energy.total" in err.reason  # the figures of that section are listed


def test_a_unit_the_figure_does_not_convert_to_is_refused() -> None:
    err = load_error(RAW_SCHEME.replace("calc('energy.total', 'kgce')", "calc('energy.total', 'kWh')"))
    assert err.place == "input energy_kgce › derive"
    assert err.reason.startswith("calc('energy.total', 'kWh'): the figure is in tce; 单位 tce 不能换算为 kWh")


def test_calc_needs_a_raw_data_calculation() -> None:
    err = load_error(RAW_SCHEME.replace("raw_data: factory\n", ""))
    assert err.place == "input energy_kgce › derive"
    assert "the scheme names no raw-data calculation" in err.reason


def test_a_per_product_figure_fits_only_a_table_column() -> None:
    text = RAW_SCHEME.replace(
        "formula: \"calc('elasticity.elasticity', '')\"",
        "formula: \"calc('energy.per_product.intensity', 'kgce/产品单位')\"",
    )
    err = load_error(text)
    assert err.place == "computed value elasticity"
    assert "one value per row (per_product); only a table's formulas can read it" in err.reason


def test_a_derive_formula_reads_figures_only() -> None:
    err = load_error(
        RAW_SCHEME.replace("calc('energy.total', 'kgce')\"", "calc('energy.total', 'kgce') + x\"")
    )
    assert err.place == "input energy_kgce › derive"
    assert "a derive formula reads calc(…) figures and numbers only" in err.reason


def test_every_catalogued_figure_is_in_the_calculation_output() -> None:
    output = compute_factory(raw())["calculations"]
    for figure in FACTORY_FIGURES.values():
        found = read_figure(output, figure, figure.unit)
        if figure.per_row:
            assert len(found.rows) == 3, figure.path
        else:
            assert found.value is not None, figure.path


# -- scoring -----------------------------------------------------------------------------------------


def test_formulas_read_the_figures_exactly(raw_scheme: Scheme) -> None:
    r = score(raw_scheme, {}, raw=raw())
    derived = {d.id: d for d in r.derived}
    # 2690.93675 tce × 1000 (tests/greencore/calc/test_calc_factory_example.py works out the tce)
    assert r.inputs["energy_kgce"] == "2690936.75"
    assert derived["energy_kgce"].value == Decimal("2690936.75")
    assert derived["energy_kgce"].formula == "calc('energy.total', 'kgce')"
    # arithmetic on two figures runs in the engine's float64, then reads back as the shortest decimal
    share = derived["combustion_share"].value
    assert share is not None
    assert abs(F(share) - F("3208.4169") / F("8653.2169") * 100) < F(1, 10**12)
    assert derived["combustion_share"].figures == ("ghg.combustion", "ghg.total")
    # per product: kgCO2/t, kgCO2/台, kgCO2/件 re-expressed per product unit in tCO2
    assert derived["products.carbon"].rows == (
        Decimal("1.0816521"),
        Decimal("0.1201836"),
        Decimal("0.0021633"),
    )
    assert r.inputs["products"] == [{"carbon": "1.0816521"}, {"carbon": "0.1201836"}, {"carbon": "0.0021633"}]
    # the computed value calls calc directly: elasticity 0.5193, linear from 1 (none) to 0.5 (full)
    assert {c.id: c.value for c in r.computed}["elasticity"] == Decimal("0.5193")
    assert r.indicator("elastic").points == Decimal("9.61")  # 10 × (1 − 0.5193) / 0.5 = 9.614
    assert r.score == Decimal("9.61")


def test_the_result_names_each_figure_and_the_reference_rows_behind_it(raw_scheme: Scheme) -> None:
    r = score(raw_scheme, {}, raw=raw())
    figures = {f.path: f for f in r.figures}
    assert sorted(figures) == [
        "elasticity.elasticity",
        "energy.total",
        "ghg.combustion",
        "ghg.per_product.intensity",
        "ghg.total",
    ]
    energy = figures["energy.total"]
    assert (energy.value, energy.unit, energy.source_unit, energy.section) == (
        Decimal("2690936.75"),
        "kgce",
        "tce",
        "energy",
    )
    assert energy.rows_used == (
        "gbt2589-2020-standard-coal@2026.1 raw_coal (V)",
        "gbt2589-2020-standard-coal@2026.1 natural_gas (V)",
        "gbt2589-2020-standard-coal@2026.1 diesel (V)",
        "gbt2589-2020-standard-coal@2026.1 electricity (V)",
        "gbt2589-2020-standard-coal@2026.1 heat (V)",
        "gbt2589-2020-energy-media@2026.1 oxygen (V)",
    )
    assert "grid-co2-mee-nbs@2026.2 average-2023-east_china (V)" in figures["ghg.total"].rows_used
    # the section's working is in the result: each step with its unit and row
    steps = r.calculation["calculations"]["energy"]["trail"] if r.calculation else []
    coal = next(s for s in steps if s.get("row") == "raw_coal")
    assert coal["formula"] == "1260000 kg × 0.7143 kgce/kg = 900018 kgce"
    assert (
        r.calculation is not None
        and r.calculation["calculations"]["energy"]["total"]["value"] == "2690.93675"
    )


def test_without_raw_data_a_figure_is_missing_and_named(raw_scheme: Scheme) -> None:
    r = score(raw_scheme, {"energy_kgce": "2690936.75"})
    assert r.indicator("elastic").status == "missing"
    missing = {m.input: m.label for m in r.missing}
    assert missing == {"calc:elasticity.elasticity[]": "原始数据：碳排放弹性系数（elasticity.elasticity）"}
    assert r.score == Decimal("0.00") and r.score_upper == Decimal("10.00")
    assert r.figures == () and r.derived == ()


def test_an_optional_figure_absent_from_the_raw_data_is_missing(raw_scheme: Scheme) -> None:
    data = raw()
    del data["history"]  # no earlier years: no elasticity
    r = score(raw_scheme, {}, raw=data)
    assert r.indicator("elastic").status == "missing"
    assert r.missing_inputs == ("calc:elasticity.elasticity[]",)
    assert r.inputs["energy_kgce"] == "2690936.75"  # the rest is still computed


def test_more_products_than_the_table_takes_is_an_error_naming_the_raw_field(raw_scheme: Scheme) -> None:
    data = raw()
    products = data["ghg"]["products"]
    products[0]["share"] = "55"
    products.append({"name": "轴承座", "output": "1000", "output_unit": "件", "share": "10"})
    with pytest.raises(InputError) as caught:
        score(raw_scheme, {}, raw=data)
    assert caught.value.place == "raw.ghg.products"
    assert caught.value.zh == "原始数据给出 4 个产品，而“产品”最多 3 行"


def test_a_typed_value_must_agree_with_the_derived_one(raw_scheme: Scheme) -> None:
    with pytest.raises(InputError) as caught:
        score(raw_scheme, {"energy_kgce": "2690936"}, raw=raw())
    assert caught.value.place == "energy_kgce"
    assert caught.value.zh == "填写值 2690936 与原始数据计算值 2690936.75 不一致"
    # the same figure in another spelling agrees
    assert score(raw_scheme, {"energy_kgce": "2690936.750"}, raw=raw()).score == Decimal("9.61")


def test_the_result_with_figures_round_trips_through_json(raw_scheme: Scheme) -> None:
    r = score(raw_scheme, {}, raw=raw())
    assert Result.from_json(r.to_json()) == r


# -- the 2025 factory scheme ---------------------------------------------------------------------------


def test_the_2025_scheme_derives_exactly_the_raw_data_figures(factory_2025: Scheme) -> None:
    assert derived_inputs(factory_2025) == {
        "output_value",
        "total_energy_tce",
        "site_area_m2",
        "carbon_emission_t",
        "renewable_energy_tce",
        "water_intake_m3",
        "water_reuse_rate",
        "solid_waste_rate",
        "building_coverage",
        "plot_ratio",
        "products.energy_use_tce",
        "products.unit_energy",
        "water_products.water_use_m3",
        "water_products.unit_water",
    }
    r = score(factory_2025, {}, raw=raw())
    assert {d.id: d.value for d in r.derived if not d.rows} == {
        "output_value": Decimal("46000"),
        "total_energy_tce": Decimal("2690.93675"),
        "site_area_m2": Decimal("120000"),  # 12 hm²
        "carbon_emission_t": Decimal("8653.2169"),
        "renewable_energy_tce": Decimal("55.305"),
        "water_intake_m3": Decimal("100400"),
        "water_reuse_rate": Decimal("92.7267"),
        "solid_waste_rate": Decimal("96.0938"),
        "building_coverage": Decimal("37.9167"),
        "plot_ratio": Decimal("0.6625"),
    }
    assert {d.id: d.rows for d in r.derived if d.rows} == {
        "products.energy_use_tce": (Decimal("1668.380785"), Decimal("753.46229"), Decimal("269.093675")),
        "products.unit_energy": (Decimal("320.8425"), Decimal("41.859"), Decimal("0.6727")),
        "water_products.water_use_m3": (Decimal("70280"), Decimal("20080"), Decimal("10040")),
        "water_products.unit_water": (Decimal("13.5154"), Decimal("1.1156"), Decimal("0.0251")),
    }


# -- invariants ------------------------------------------------------------------------------------------

# plain units with the dimension they belong to; ratios are built from two of them
PLAIN = [(unit, dimension) for dimension, units in UNITS.items() for unit in units]


@given(st.sampled_from(PLAIN), st.data())
def test_rescale_round_trips_and_chains(first: tuple[str, Any], data: st.DataObject) -> None:
    unit, dimension = first
    same = list(UNITS[dimension])
    b, c = data.draw(st.sampled_from(same)), data.draw(st.sampled_from(same))
    assert rescale(unit, b, "x") * rescale(b, unit, "x") == 1
    assert rescale(unit, c, "x") == rescale(unit, b, "x") * rescale(b, c, "x")
    # a ratio converts numerator and denominator apart; 产品单位 leaves the denominator alone
    assert rescale(f"{unit}/万元", f"{b}/元", "x") == rescale(unit, b, "x") / 10000
    assert rescale(f"{unit}/t", f"{b}/产品单位", "x") == rescale(unit, b, "x")


@settings(max_examples=40, deadline=None)
@given(
    st.decimals(min_value=1, max_value=10**6, places=2, allow_nan=False, allow_infinity=False),
    st.sampled_from(["tce", "kgce", "万tce"]),
)
def test_a_figure_read_in_any_unit_is_the_same_quantity(coal_t: Decimal, unit: str) -> None:
    """calc('energy.total', u) × (u → tce) is the total in tce, exactly, whatever the coal burnt."""
    data = raw()
    data["energy"]["carriers"][0]["quantity"] = str(coal_t)
    data["ghg"]["fuels"][0]["quantity"] = str(coal_t)
    output = compute_factory(data)["calculations"]
    figure = FACTORY_FIGURES["energy.total"]
    in_tce = read_figure(output, figure, "tce").value
    asked = read_figure(output, figure, unit).value
    assert in_tce is not None and asked is not None
    assert asked * rescale(unit, "tce", "x") == in_tce
    assert in_tce == Decimal(output["energy"]["total"]["value"])


def test_a_scalar_input_cannot_derive_a_per_product_figure() -> None:
    text = RAW_SCHEME.replace("calc('energy.total', 'kgce')", "calc('energy.per_product.allocated', 'kgce')")
    err = load_error(text)
    assert err.place == "input energy_kgce › derive"
    assert "one value per row (per_product)" in err.reason
