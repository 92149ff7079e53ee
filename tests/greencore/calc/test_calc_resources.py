"""Water, solid waste and land: expected figures worked by hand."""

from __future__ import annotations

from decimal import Decimal as D
from typing import Any

import pytest

from greencore.calc import (
    CALCULATIONS,
    CalcInputError,
    InconsistentDataError,
    LandInput,
    NegativeQuantityError,
    UnitError,
    WasteInput,
    WaterInput,
    land_indicators,
    solid_waste_utilisation,
    water_indicators,
)

# --------------------------------------------------------------------------------------------------
# water


def water(**fields: Any) -> Any:
    data: dict[str, Any] = {
        "intake": [
            {
                "source": "自来水",
                "reading_start": "1000",
                "reading_end": "3500",
                "multiplier": "10",
                "unit": "m³",
            },
            {"source": "地下水", "quantity": "0.5", "unit": "万m³"},
        ],
        "reused": [{"name": "循环冷却水", "quantity": "270000", "unit": "m³"}],
        **fields,
    }
    return water_indicators(WaterInput.from_dict(data))


def test_water_intake_reuse_rate_and_intensities() -> None:
    # 自来水 (3500 − 1000) × 10 = 25 000 m³; 地下水 0.5 万m³ = 5 000 m³;  V_i = 30 000 m³
    # V_r = 270 000 m³;  R = 270 000 ÷ (30 000 + 270 000) × 100 = 90 %
    # product 80 %: 24 000 m³ ÷ 1200 t = 20 m³/t;  per 万元: 30 000 ÷ 8000 万元 = 3.75 m³/万元
    # waste water: 9 000 ÷ 12 000 × 100 = 75 %
    result = water(
        products=[{"name": "纸板", "output": "1200", "output_unit": "t", "share": "80"}],
        output_value="8000",
        output_value_unit="万元",
        wastewater_treated="12000",
        wastewater_reused="9000",
        wastewater_unit="m³",
    )
    assert (result.intake.value, result.reused.value) == (D("30000"), D("270000"))
    assert result.reuse_rate.value == D("90")
    assert result.per_product[0].intensity.value == D("20")
    assert result.per_product[0].intensity.unit == "m³/t"
    assert result.per_output_value is not None and result.per_output_value.value == D("3.75")
    assert result.wastewater_reuse_rate is not None and result.wastewater_reuse_rate.value == D("75")


def test_reuse_rate_rounds_half_up_to_four_places() -> None:
    # 2 ÷ (1 + 2) × 100 = 66.66666… → 66.6667 %
    result = water_indicators(
        WaterInput.from_dict(
            {
                "intake": [{"source": "a", "quantity": "1", "unit": "t"}],
                "reused": [{"name": "b", "quantity": "2", "unit": "t"}],
            }
        )
    )
    assert result.reuse_rate.value == D("66.6667")


def test_meter_going_backwards_and_mixed_inputs_are_errors() -> None:
    with pytest.raises(InconsistentDataError) as backwards:
        water_indicators(
            WaterInput.from_dict(
                {"intake": [{"source": "a", "reading_start": "10", "reading_end": "5", "unit": "m³"}]}
            )
        )
    assert backwards.value.place == "intake[0].reading_end"
    with pytest.raises(CalcInputError):
        water_indicators(
            WaterInput.from_dict(
                {"intake": [{"source": "a", "quantity": "1", "reading_end": "5", "unit": "m³"}]}
            )
        )
    with pytest.raises(UnitError):
        water_indicators(WaterInput.from_dict({"intake": [{"source": "a", "quantity": "1", "unit": "kWh"}]}))
    with pytest.raises(NegativeQuantityError):
        water(reused=[{"name": "x", "quantity": "-1", "unit": "m³"}])


# --------------------------------------------------------------------------------------------------
# solid waste


def test_solid_waste_utilisation_counts_earlier_storage() -> None:
    # 粉煤灰: generated 1000 t, utilised 1100 t of which 200 t from earlier storage
    # 炉渣:   generated 500 t, utilised 400 t
    # rate = (1100 + 400) ÷ (1000 + 500 + 200) × 100 = 1500 ÷ 1700 × 100 = 88.2352941… → 88.2353 %
    # 危废 (reported apart): 2000 kg = 2 t generated, 0.5 t utilised → 25 %
    result = solid_waste_utilisation(
        WasteInput.from_dict(
            {
                "streams": [
                    {
                        "name": "粉煤灰",
                        "generated": "1000",
                        "utilised": "1100",
                        "utilised_from_storage": "200",
                        "unit": "t",
                    },
                    {"name": "炉渣", "generated": "500", "utilised": "400", "unit": "t"},
                    {
                        "name": "废矿物油",
                        "category": "危险废物",
                        "generated": "2000",
                        "utilised": "500",
                        "unit": "kg",
                    },
                ]
            }
        )
    )
    assert result.utilisation_rate.value == D("88.2353")
    assert result.hazardous_utilisation_rate is not None
    assert result.hazardous_utilisation_rate.value == D("25")
    # 粉煤灰 alone: 1100 ÷ (1000 + 200) × 100 = 91.6666… → 91.6667
    assert [s.rate.value for s in result.streams if s.rate] == [D("91.6667"), D("80"), D("25")]


def test_solid_waste_contradictions() -> None:
    def run(stream: dict[str, str]) -> Any:
        return solid_waste_utilisation(
            WasteInput.from_dict({"streams": [{"name": "x", "unit": "t", **stream}]})
        )

    with pytest.raises(InconsistentDataError) as too_much:
        run({"generated": "10", "utilised": "11"})
    assert too_much.value.place == "streams[0].utilised"
    with pytest.raises(InconsistentDataError):
        run({"generated": "10", "utilised": "5", "utilised_from_storage": "6"})
    with pytest.raises(InconsistentDataError):
        run({"generated": "0", "utilised": "0"})
    with pytest.raises(UnitError):
        run({"generated": "1", "utilised": "1", "unit": "m³"})


# --------------------------------------------------------------------------------------------------
# land


def land(**fields: Any) -> Any:
    data: dict[str, Any] = {
        "site_area": "5",
        "site_area_unit": "hm²",
        "area_unit": "m²",
        "buildings": [
            # 12 m > 8 m: counted twice → 10 000 × 2 = 20 000
            {
                "name": "联合厂房",
                "footprint": "10000",
                "storeys": [{"floor_area": "10000", "height_m": "12"}],
            },
            # exactly 8 m is not "higher than 8 m": 3 000
            {"name": "仓库", "footprint": "3000", "storeys": [{"floor_area": "3000", "height_m": "8"}]},
            # 4 storeys × 1 000 = 4 000
            {
                "name": "办公楼",
                "footprint": "1000",
                "storeys": [{"floor_area": "1000", "height_m": "4.2", "count": 4}],
            },
        ],
        "structures": [{"name": "罐区", "area": "1500"}],
        "yards": [{"name": "露天堆场", "area": "2500"}],
        **fields,
    }
    return land_indicators(LandInput.from_dict(data))


def test_plot_ratio_building_coverage_and_output_per_site_area() -> None:
    # site 5 hm² = 50 000 m²
    # 计容建筑面积 = 20 000 + 3 000 + 4 000 = 27 000 m²;  容积率 = 27 000 ÷ 50 000 = 0.54
    # 占地 = 10 000 + 3 000 + 1 000 + 1 500 + 2 500 = 18 000 m²;  建筑系数 = 18 000 ÷ 50 000 × 100 = 36 %
    # 产值 2.5 亿元 = 25 000 万元 ÷ 50 000 m² = 0.5 万元/m²
    result = land(output_value="2.5", output_value_unit="亿元")
    assert result.floor_area_counted.value == D("27000")
    assert result.plot_ratio.value == D("0.54")
    assert result.building_coverage.value == D("36")
    assert result.output_per_site_area is not None
    assert (result.output_per_site_area.value, result.output_per_site_area.unit) == (D("0.5"), "万元/m²")


def test_land_errors() -> None:
    with pytest.raises(InconsistentDataError):
        land(yards=[{"name": "堆场", "area": "40000"}])  # 18 000 − 2 500 + 40 000 > 50 000
    with pytest.raises(UnitError) as mu:
        land(site_area_unit="亩")  # 1 亩 = 666.67 m² is not exact: convert it explicitly
    assert mu.value.place == "site_area_unit"
    with pytest.raises(CalcInputError):
        land(site_area="0")
    with pytest.raises(NegativeQuantityError):
        land(structures=[{"name": "罐区", "area": "-1"}])


def test_json_entry_points() -> None:
    assert (
        CALCULATIONS["land"](
            {
                "site_area": "1000",
                "site_area_unit": "m²",
                "area_unit": "m²",
                "buildings": [
                    {"name": "a", "footprint": "400", "storeys": [{"floor_area": "400", "height_m": "9"}]}
                ],
            }
        )["result"]
        == "0.8"
    )  # 400 × 2 ÷ 1000
    assert (
        CALCULATIONS["waste"]({"streams": [{"name": "a", "generated": "4", "utilised": "3", "unit": "t"}]})[
            "result"
        ]
        == "75"
    )
    out = CALCULATIONS["water"]({"intake": [{"source": "a", "quantity": "1", "unit": "m³"}]})
    assert (out["result"], out["unit"]) == ("0", "%")
