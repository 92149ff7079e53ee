"""Renewable share, carbon elasticity and park ratios."""

from __future__ import annotations

from decimal import Decimal as D
from typing import Any

import pytest

from greencore.calc import (
    CALCULATIONS,
    CalcInputError,
    ElasticityInput,
    InconsistentDataError,
    ParkInput,
    RenewableInput,
    UnitError,
    carbon_elasticity,
    park_ratios,
    renewable_share,
)


def test_renewable_share_from_tce() -> None:
    # 1 250 kgce = 1.25 tce ÷ 50 tce × 100 = 2.5 %
    result = renewable_share(
        RenewableInput.from_dict(
            {
                "total_energy": "50",
                "total_energy_unit": "tce",
                "renewable_energy": "1250",
                "renewable_energy_unit": "kgce",
            }
        )
    )
    assert result.share.value == D("2.5")


def test_renewable_share_from_carrier_lines() -> None:
    # 光伏 100 000 kWh × 0.1229 = 12 290 kgce = 12.29 tce (当量值)
    # 12.29 ÷ 500 × 100 = 2.458 %
    result = renewable_share(
        RenewableInput.from_dict(
            {
                "total_energy": "500",
                "total_energy_unit": "tce",
                "basis": "calorific_value",
                "renewable_lines": [
                    {"carrier": "电力", "quantity": "100000", "unit": "kWh", "label": "光伏"}
                ],
            }
        )
    )
    assert result.share.value == D("2.458")
    assert result.tables_used[0].id == "gbt2589-2020-standard-coal"


def test_renewable_share_errors() -> None:
    with pytest.raises(InconsistentDataError):
        renewable_share(
            RenewableInput.from_dict(
                {
                    "total_energy": "1",
                    "total_energy_unit": "tce",
                    "renewable_energy": "2",
                    "renewable_energy_unit": "tce",
                }
            )
        )
    with pytest.raises(CalcInputError):
        renewable_share(RenewableInput.from_dict({"total_energy": "1", "total_energy_unit": "tce"}))
    with pytest.raises(UnitError):
        renewable_share(
            RenewableInput.from_dict(
                {
                    "total_energy": "1",
                    "total_energy_unit": "kWh",
                    "renewable_energy": "0",
                    "renewable_energy_unit": "tce",
                }
            )
        )


def elasticity(emissions: list[str], output: list[str], **fields: Any) -> Any:
    return carbon_elasticity(
        ElasticityInput.from_dict(
            {
                "emissions": [{"year": 2020 + i, "value": v} for i, v in enumerate(emissions)],
                "emissions_unit": "tCO2",
                "output_values": [{"year": 2020 + i, "value": v} for i, v in enumerate(output)],
                "output_value_unit": "万元",
                **fields,
            }
        )
    )


def test_carbon_elasticity_three_year_geometric_rates() -> None:
    # emissions 1000 → 1331 over 3 years: (1.331)^(1/3) − 1 = 10 % a year
    # output    1000 → 1728 over 3 years: (1.728)^(1/3) − 1 = 20 % a year
    # elasticity = 10 % ÷ 20 % = 0.5
    result = elasticity(["1000", "1100", "1210", "1331"], ["1000", "1200", "1440", "1728"])
    assert (result.emissions_growth.value, result.output_growth.value) == (D("10"), D("20"))
    assert result.elasticity.value == D("0.5")
    assert (result.first_year, result.last_year) == (2020, 2023)


def test_carbon_elasticity_of_falling_emissions_is_negative() -> None:
    # emissions 1000 → 729: (0.729)^(1/3) − 1 = −10 %; output 1000 → 1331: +10 %  → −1
    result = elasticity(["1000", "900", "810", "729"], ["1000", "1100", "1210", "1331"])
    assert result.elasticity.value == D("-1")


def test_carbon_elasticity_span_and_missing_years() -> None:
    # two-year span from 2021: emissions 1100 → 1331 = 10 %/a; output 1200 → 1728 = 20 %/a
    assert elasticity(
        ["1000", "1100", "1210", "1331"], ["1000", "1200", "1440", "1728"], span_years=2
    ).elasticity.value == D("0.5")
    with pytest.raises(CalcInputError) as missing:
        elasticity(["1000", "1100"], ["1000", "1200"])
    assert "2018" in str(missing.value)
    with pytest.raises(InconsistentDataError):
        elasticity(["1000", "1100", "1210", "1331"], ["1000", "1000", "1000", "1000"])
    with pytest.raises(CalcInputError):
        elasticity(["0", "1100", "1210", "1331"], ["1000", "1200", "1440", "1728"])


def test_park_ratios() -> None:
    # value added 120 亿元 = 1 200 000 万元
    # 能源产出率 = 1 200 000 万元 ÷ 80 万tce (= 800 000 tce) = 1.5 万元/tce
    # 水资源产出率 = 1 200 000 万元 × 10 000 元/万元 ÷ 3 000 万m³ (= 30 000 000 m³) = 400 元/m³
    # 人均工业增加值 = 1 200 000 万元 ÷ 6 万人 (= 60 000 人) = 20 万元/人
    result = park_ratios(
        ParkInput.from_dict(
            {
                "industrial_value_added": "120",
                "value_added_unit": "亿元",
                "energy_consumption": "80",
                "energy_unit": "万tce",
                "fresh_water": "3000",
                "water_unit": "万m³",
                "persons": "6",
                "persons_unit": "万人",
            }
        )
    )
    assert result.energy_productivity.value == D("1.5")
    assert (result.water_productivity.value, result.water_productivity.unit) == (D("400"), "元/m³")
    assert (result.value_added_per_person.value, result.value_added_per_person.unit) == (D("20"), "万元/人")


def test_park_inputs_must_be_positive_and_in_their_units() -> None:
    base = {
        "industrial_value_added": "1",
        "value_added_unit": "万元",
        "energy_consumption": "1",
        "energy_unit": "tce",
        "fresh_water": "1",
        "water_unit": "m³",
        "persons": "1",
        "persons_unit": "人",
    }
    with pytest.raises(CalcInputError):
        park_ratios(ParkInput.from_dict({**base, "persons": "0"}))
    with pytest.raises(UnitError):
        park_ratios(ParkInput.from_dict({**base, "energy_unit": "kWh"}))
    assert CALCULATIONS["park"](base)["unit"] == "万元/tce"
