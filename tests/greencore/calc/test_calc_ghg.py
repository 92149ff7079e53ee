"""温室气体排放 (GB/T 32150-2015): expected figures worked by hand from the default parameters."""

from __future__ import annotations

from decimal import Decimal as D
from typing import Any

import pytest

from greencore.calc import (
    CALCULATIONS,
    CalcInputError,
    GhgInput,
    MissingReferenceError,
    UnitError,
    ghg_emissions,
)


def ghg(**fields: Any) -> Any:
    return ghg_emissions(GhgInput.from_dict({"year": 2022, **fields}))


def electricity(mwh: str = "1000") -> list[dict[str, str]]:
    return [{"quantity": mwh, "unit": "MWh"}]


def test_coal_combustion() -> None:
    # 100 t × 20.908 GJ/t = 2090.8 GJ
    # 2090.8 GJ × 26.37 tC/TJ = 55.134396 tC
    # × 94 % = 51.82633224 tC
    # × 44/12 = 190.02988488 → 190.0299 tCO2 (≈ 100 t × 1.9003 tCO2/t, the corroborated factor)
    result = ghg(fuels=[{"fuel": "原煤", "quantity": "100", "unit": "t"}])
    assert result.combustion.value == D("190.0299")
    assert result.total.value == D("190.0299")
    formulas = [step.formula for step in result.trail]
    assert "100 t × 20.908 GJ/t = 2090.8 GJ" in formulas
    assert "2090.8 GJ × 26.37 tC/TJ = 55.134396 tC" in formulas
    assert "51.82633224 tC × 44/12 = 190.0299 tCO2" in formulas


def test_multi_fuel_plant_with_stock_change() -> None:
    # 原煤: (90 + 20 − 10) t = 100 t → 190.0299 tCO2 (above)
    # 天然气 10 万Nm³ × 389.31 GJ/万Nm³ = 3893.1 GJ; × 15.3 tC/TJ = 59.56443 tC; × 99 % = 58.9687857 tC;
    #        × 44/12 = 216.21888090 → 216.2189 tCO2
    # 柴油 2000 kg = 2 t × 42.652 GJ/t = 85.304 GJ; × 20.2 tC/TJ = 1.7231408 tC; × 98 % = 1.688677984 tC;
    #        × 44/12 = 6.19181927 → 6.1918 tCO2
    # Σ = 190.0299 + 216.2189 + 6.1918 = 412.4406 tCO2
    result = ghg(
        fuels=[
            {"fuel": "raw_coal", "quantity": "90", "stock_start": "20", "stock_end": "10", "unit": "t"},
            {"fuel": "天然气", "quantity": "100000", "unit": "m³"},
            {"fuel": "diesel", "quantity": "2000", "unit": "kg"},
        ]
    )
    assert [line.emissions.value for line in result.lines] == [D("190.0299"), D("216.2189"), D("6.1918")]
    assert result.total.value == D("412.4406")
    assert any("diesel" in w and "(S)" in w for w in result.warnings)


def test_measured_parameters_replace_the_defaults() -> None:
    # 100 t × 22 MJ/kg (= 22 GJ/t) = 2200 GJ; × 0.0270 tC/GJ (= 27 kgC/GJ) = 59.4 tC; × 95 % = 56.43 tC;
    # × 44/12 = 206.91 tCO2
    result = ghg(
        fuels=[
            {
                "fuel": "原煤",
                "quantity": "100",
                "unit": "t",
                "ncv": "22",
                "ncv_unit": "MJ/kg",
                "carbon_content": "27",
                "carbon_content_unit": "kgC/GJ",
                "oxidation": "95",
                "oxidation_unit": "%",
            }
        ]
    )
    assert result.total.value == D("206.91")
    assert result.tables_used == ()


@pytest.mark.parametrize(
    ("year", "region", "series", "factor", "row", "mark"),
    [
        (2022, "national", "average", "0.5366", "average-2022-national", "V"),
        (2022, "全国", "average", "0.5366", "average-2022-national", "V"),
        (2021, "national", "average", "0.5568", "average-2021-national", "V"),
        (2023, "national", "average", "0.5306", "average-2023-national", "V"),
        (2022, "华北", "average", "0.6776", "average-2022-north_china", "V"),
        (2022, "华北电网", "average", "0.6776", "average-2022-north_china", "V"),
        (2023, "east_china", "average", "0.55", "average-2023-east_china", "V"),
        (2023, "西南", "average", "0.2472", "average-2023-southwest_china", "V"),
        (2022, "河北", "average", "0.7252", "average-2022-hebei", "V"),
        (2022, "河北省", "average", "0.7252", "average-2022-hebei", "V"),
        (2022, "云南", "average", "0.1073", "average-2022-yunnan", "V"),
        (2022, "national", "fossil", "0.8325", "fossil-2022-national", "V"),
        (
            2022,
            "national",
            "excluding_market_non_fossil",
            "0.5856",
            "excluding_market_non_fossil-2022-national",
            "V",
        ),
        (2022, "national", "carbon_market", "0.5703", "carbon_market-2022-national", "V"),
        (2021, "national", "carbon_market", "0.581", "carbon_market-2021-national", "S"),
        # provinces beyond the ten of standards.md are transcriptions: usable, marked S, warned about
        (2023, "江苏", "average", "0.5827", "average-2023-jiangsu", "S"),
        (2022, "江苏省", "average", "0.5978", "average-2022-jiangsu", "S"),
        (2021, "华东", "average", "0.5992", "average-2021-east_china", "S"),
        (2023, "national", "fossil", "0.8273", "fossil-2023-national", "V"),
    ],
)
def test_grid_factor_by_year_region_and_series(
    year: int, region: str, series: str, factor: str, row: str, mark: str
) -> None:
    # 1000 MWh × factor tCO2/MWh = 1000 × factor tCO2
    result = ghg_emissions(
        GhgInput.from_dict(
            {
                "year": year,
                "grid_region": region,
                "grid_series": series,
                "purchased_electricity": electricity(),
            }
        )
    )
    assert result.purchased_electricity.value == D(factor) * 1000
    assert result.grid_factor is not None
    assert (result.grid_factor.row, result.grid_factor.mark) == (row, mark)
    expected_table = "grid-co2-carbon-market" if series == "carbon_market" else "grid-co2-mee-nbs"
    assert result.grid_factor.table == f"{expected_table}@2026.2"


def test_the_carbon_market_series_is_kept_apart_from_the_national_average() -> None:
    average = ghg(grid_region="national", purchased_electricity=electricity())
    market = ghg(grid_region="national", grid_series="carbon_market", purchased_electricity=electricity())
    assert (average.total.value, market.total.value) == (D("536.6"), D("570.3"))


def test_a_province_without_a_published_factor_is_absent_not_inferred() -> None:
    with pytest.raises(MissingReferenceError) as error:
        ghg_emissions(
            GhgInput.from_dict({"year": 2023, "grid_region": "西藏", "purchased_electricity": electricity()})
        )
    message = str(error.value)
    assert error.value.place == "grid_region"
    assert "no factor for 2023 / 西藏 in table grid-co2-mee-nbs@2026.2" in message
    assert "2022: 全国、华北" in message and "2023: 全国、华北" in message


def test_a_region_without_a_factor_for_that_year_is_absent() -> None:
    # the table has regional factors for 2021–2023 and provinces for some years: 2020 has none,
    # and 河北 has no 2021 row
    for year, region in ((2020, "华东"), (2021, "河北")):
        with pytest.raises(MissingReferenceError):
            ghg_emissions(
                GhgInput.from_dict(
                    {"year": year, "grid_region": region, "purchased_electricity": electricity()}
                )
            )


def test_electricity_needs_a_region() -> None:
    with pytest.raises(CalcInputError) as error:
        ghg(purchased_electricity=electricity())
    assert error.value.place == "grid_region"


def test_exported_electricity_and_heat_are_subtracted() -> None:
    # purchased 860 万kWh = 8600 MWh × 0.6776 (华北 2022) = 5827.36 tCO2
    # exported 500 000 kWh = 500 MWh × 0.6776 = 338.8 tCO2
    # heat in 1000 GJ × 0.11 = 110; heat out 200 000 MJ = 200 GJ × 0.11 = 22
    # total = 5827.36 + 110 − 338.8 − 22 = 5576.56 tCO2
    result = ghg(
        grid_region="华北",
        purchased_electricity=[{"quantity": "860", "unit": "万kWh"}],
        exported_electricity=[{"quantity": "500000", "unit": "kWh"}],
        purchased_heat=[{"quantity": "1000", "unit": "GJ"}],
        exported_heat=[{"quantity": "200000", "unit": "MJ"}],
    )
    assert result.purchased_electricity.value == D("5827.36")
    assert result.exported_electricity.value == D("338.8")
    assert (result.purchased_heat.value, result.exported_heat.value) == (D("110"), D("22"))
    assert result.total.value == D("5576.56")


def test_steam_by_metered_heat_content_and_by_the_low_pressure_default() -> None:
    # 10 t × 3.763 GJ/t (default, mark S) = 37.63 GJ × 0.11 = 4.1393 tCO2
    # 10 t × 2800 kJ/kg (= 2.8 GJ/t) = 28 GJ × 0.11 = 3.08 tCO2
    default = ghg(purchased_heat=[{"quantity": "10", "unit": "t"}])
    metered = ghg(
        purchased_heat=[{"quantity": "10", "unit": "t", "heat_content": "2800", "heat_content_unit": "kJ/kg"}]
    )
    assert default.total.value == D("4.1393")
    assert metered.total.value == D("3.08")
    assert any("low_pressure_steam_heat" in w for w in default.warnings)
    assert any("heat-co2-default@2026.2 行 heat" in w and "(S)" in w for w in metered.warnings)


def test_process_emissions_direct_and_by_factor() -> None:
    # direct 12.5 tCO2; 1000 t × 0.405 tCO2/t = 405 tCO2; 500 t × 440 kgCO2/t = 220 tCO2;
    # 2 万t × 0.1 tCO2/t = 20 000 t × 0.1 = 2000 tCO2;  Σ = 2637.5 tCO2
    result = ghg(
        process=[
            {"name": "CO2 保护焊", "emissions": "12.5", "emissions_unit": "tCO2"},
            {
                "name": "石灰石分解",
                "activity": "1000",
                "activity_unit": "t",
                "factor": "0.405",
                "factor_unit": "tCO2/t",
            },
            {
                "name": "白云石",
                "activity": "500",
                "activity_unit": "t",
                "factor": "440",
                "factor_unit": "kgCO2/t",
            },
            {
                "name": "电石",
                "activity": "2",
                "activity_unit": "万t",
                "factor": "0.1",
                "factor_unit": "tCO2/t",
            },
        ]
    )
    assert result.process.value == D("2637.5")


def test_process_factor_unit_must_fit_the_activity() -> None:
    with pytest.raises(UnitError) as error:
        ghg(
            process=[
                {"name": "x", "activity": "1", "activity_unit": "t", "factor": "1", "factor_unit": "tCO2/kWh"}
            ]
        )
    assert error.value.place == "process[0].factor_unit"
    with pytest.raises(CalcInputError):
        ghg(process=[{"name": "x", "emissions": "1", "emissions_unit": "tCO2", "activity": "1"}])


def test_biomass_is_reported_apart_not_in_the_total() -> None:
    # 100 t × 15 GJ/t = 1500 GJ; × 27 tC/TJ = 40.5 tC; × 90 % = 36.45 tC; × 44/12 = 133.65 tCO2
    result = ghg(
        fuels=[{"fuel": "原煤", "quantity": "100", "unit": "t"}],
        biomass=[
            {
                "fuel": "稻壳",
                "quantity": "100",
                "unit": "t",
                "ncv": "15",
                "ncv_unit": "GJ/t",
                "carbon_content": "27",
                "carbon_content_unit": "tC/TJ",
                "oxidation": "90",
                "oxidation_unit": "%",
            }
        ],
    )
    assert result.biomass.value == D("133.65")
    assert result.total.value == D("190.0299")


def test_biomass_needs_its_own_parameters() -> None:
    with pytest.raises(MissingReferenceError):
        ghg(biomass=[{"fuel": "木屑", "quantity": "1", "unit": "t"}])
    with pytest.raises(CalcInputError):
        ghg(biomass=[{"fuel": "原煤", "quantity": "1", "unit": "t", "ncv": "1", "ncv_unit": "GJ/t"}])


def test_intensity_per_product_and_per_output_value() -> None:
    # total 536.6 tCO2 (1000 MWh × 0.5366)
    #   product A 75 %: 402.45 tCO2 = 402 450 kgCO2 ÷ 300 t = 1341.5 kgCO2/t
    #   product B 100 tCO2 allocated = 100 000 kgCO2 ÷ 4000 件 = 25 kgCO2/件
    # per 万元: 536 600 kgCO2 ÷ 1.2 亿元 (= 12 000 万元) = 44.7166… → 44.7167 kgCO2/万元
    result = ghg(
        grid_region="national",
        purchased_electricity=electricity(),
        products=[
            {"name": "A", "output": "300", "output_unit": "t", "share": "75"},
            {
                "name": "B",
                "output": "4000",
                "output_unit": "件",
                "allocated": "100",
                "allocated_unit": "tCO2",
            },
        ],
        output_value="1.2",
        output_value_unit="亿元",
    )
    a, b = result.per_product
    assert (a.intensity.value, a.intensity.unit) == (D("1341.5"), "kgCO2/t")
    assert (b.intensity.value, b.intensity.unit) == (D("25"), "kgCO2/件")
    assert result.per_output_value is not None
    assert (result.per_output_value.value, result.per_output_value.unit) == (D("44.7167"), "kgCO2/万元")


@pytest.mark.parametrize(
    ("fields", "place"),
    [
        ({"fuels": [{"fuel": "原煤", "quantity": "1", "unit": "kWh"}]}, "fuels[0].unit"),
        ({"fuels": [{"fuel": "天然气", "quantity": "1", "unit": "t"}]}, "fuels[0].unit"),
        (
            {"grid_region": "national", "purchased_electricity": [{"quantity": "1", "unit": "t"}]},
            "purchased_electricity[0].unit",
        ),
        ({"purchased_heat": [{"quantity": "1", "unit": "kWh"}]}, "purchased_heat[0].unit"),
    ],
)
def test_unit_errors(fields: dict[str, Any], place: str) -> None:
    with pytest.raises(UnitError) as error:
        ghg(**fields)
    assert error.value.place == place


def test_negative_activity() -> None:
    with pytest.raises(
        ValueError, match=r"fuels\[0\]\.quantity：数量不能为负（-1 t）/ negative quantity -1 t"
    ):
        ghg(fuels=[{"fuel": "原煤", "quantity": "-1", "unit": "t"}])


def test_json_entry_point_states_tables_and_rows() -> None:
    out = CALCULATIONS["ghg"](
        {"year": 2022, "grid_region": "河北", "purchased_electricity": [{"quantity": "100", "unit": "MWh"}]}
    )
    # 100 MWh × 0.7252 = 72.52 tCO2
    assert (out["result"], out["unit"]) == ("72.52", "tCO2")
    assert out["tables_used"] == [
        {
            "id": "grid-co2-mee-nbs",
            "version": "2026.2",
            "title": "电力二氧化碳排放因子（生态环境部、国家统计局）/ Electricity CO2 factors (MEE + NBS)",
            "rows": [
                {
                    "id": "average-2022-hebei",
                    "name_zh": "河北电力平均二氧化碳排放因子（2022 年，平均）",
                    "mark": "V",
                    "source": "P42",
                }
            ],
        }
    ]
