"""综合能耗 (GB/T 2589-2020): expected figures worked by hand from the published coefficients."""

from __future__ import annotations

from decimal import Decimal as D
from typing import Any

import pytest

from greencore.calc import (
    CALCULATIONS,
    Basis,
    CalcInputError,
    EnergyInput,
    InconsistentDataError,
    MissingReferenceError,
    NegativeQuantityError,
    UnitError,
    comprehensive_energy,
)

# The five-carrier plant used below, on the calorific basis (当量值):
#   原煤   100 t    = 100 000 kg × 0.7143 kgce/kg   =  71 430    kgce
#   天然气 2 万m³   =  20 000 m³ × 1.2143 kgce/m³   =  24 286    kgce
#   电力   500 MWh  = 500 000 kWh × 0.1229 kgce/kWh =  61 450    kgce
#   热力   1000 GJ  = 1 000 000 MJ × 0.03412 kgce/MJ = 34 120    kgce
#   新水   5000 m³  =   5 000 t × 0.2571 kgce/t     =   1 285.5  kgce
#   Σ = 192 571.5 kgce = 192.5715 tce
PLANT: list[dict[str, Any]] = [
    {"carrier": "原煤", "quantity": "100", "unit": "t"},
    {"carrier": "natural_gas", "quantity": "2", "unit": "万m³"},
    {"carrier": "electricity", "quantity": "500", "unit": "MWh"},
    {"carrier": "热力", "quantity": "1000", "unit": "GJ"},
    {"carrier": "新水", "quantity": "5000", "unit": "m³"},
]


def energy(**fields: Any) -> Any:
    data: dict[str, Any] = {"basis": "calorific_value", "carriers": PLANT, **fields}
    return comprehensive_energy(EnergyInput.from_dict(data))


def test_multi_carrier_plant_on_the_calorific_basis() -> None:
    result = energy()
    assert result.total.value == D("192.5715")
    assert result.total.unit == "tce"
    assert [line.standard_coal.value for line in result.lines] == [
        D("71.43"),
        D("24.286"),
        D("61.45"),
        D("34.12"),
        D("1.2855"),
    ]
    # fuel = 71.43 + 24.286 = 95.716; medium = 1.2855
    assert result.by_category["fuel"].value == D("95.716")
    assert result.by_category["medium"].value == D("1.2855")
    rows = {(t.id, r.id) for t in result.tables_used for r in t.rows}
    assert ("gbt2589-2020-standard-coal", "electricity") in rows
    assert ("gbt2589-2020-energy-media", "fresh_water") in rows
    assert all(t.version == "2026.1" for t in result.tables_used)


def test_the_published_coefficients_are_used_not_recomputed() -> None:
    # 20 908 kJ/kg ÷ 29 307.6 kJ/kgce would give 0.71340; the standard prints 0.7143 (= 5000/7000)
    result = comprehensive_energy(
        EnergyInput.from_dict(
            {"basis": "当量值", "carriers": [{"carrier": "原煤", "quantity": "1", "unit": "kg"}]}
        )
    )
    assert result.lines[0].coefficient.value == D("0.7143")
    assert result.total.value == D("0.0007143")


def test_primary_energy_basis_uses_the_yearly_electricity_figure_and_the_heat_suppliers_coefficient() -> None:
    # 等价值 2022: 电力 500 000 kWh × 0.3007 kgce/kWh = 150 350 kgce (row electricity-2022, mark R)
    #              热力 1000 GJ × 40 kgce/GJ (supplier's 供热煤耗)  =  40 000 kgce
    # fuels and media unchanged: 71 430 + 24 286 + 1 285.5
    # Σ = 71 430 + 24 286 + 150 350 + 40 000 + 1 285.5 = 287 351.5 kgce = 287.3515 tce
    carriers = [dict(c) for c in PLANT]
    carriers[3] = {
        **carriers[3],
        "coefficient": "40",
        "coefficient_unit": "kgce/GJ",
        "coefficient_source": "热电厂",
    }
    result = comprehensive_energy(
        EnergyInput.from_dict({"basis": "primary_energy", "year": 2022, "carriers": carriers})
    )
    assert result.total.value == D("287.3515")
    electricity = result.lines[2]
    assert (electricity.table, electricity.row, electricity.mark) == (
        "electricity-primary-energy@2026.2",
        "electricity-2022",
        "S",
    )
    assert result.lines[3].table is None and result.lines[3].coefficient.unit == "kgce/GJ"
    assert any("electricity-2022" in w and "(S)" in w for w in result.warnings)


def test_basis_aliases() -> None:
    assert EnergyInput.from_dict({"basis": "等价值", "carriers": []}).basis is Basis.PRIMARY_ENERGY
    assert EnergyInput.from_dict({"basis": "equivalent_value", "carriers": []}).basis is Basis.CALORIFIC_VALUE


def test_primary_energy_basis_needs_a_year_and_a_published_year() -> None:
    with pytest.raises(CalcInputError) as no_year:
        comprehensive_energy(EnergyInput.from_dict({"basis": "primary_energy", "carriers": PLANT[2:3]}))
    assert no_year.value.place == "year"
    with pytest.raises(MissingReferenceError) as absent:
        comprehensive_energy(
            EnergyInput.from_dict({"basis": "primary_energy", "year": 2019, "carriers": PLANT[2:3]})
        )
    assert "no primary-energy coefficient for electricity in 2019" in str(absent.value)
    assert "available: 2020, 2021, 2022, 2023" in str(absent.value)


def test_heat_on_the_primary_basis_without_the_suppliers_coefficient_is_refused() -> None:
    with pytest.raises(MissingReferenceError) as error:
        comprehensive_energy(
            EnergyInput.from_dict({"basis": "primary_energy", "year": 2022, "carriers": PLANT[3:4]})
        )
    assert error.value.place == "carriers[0].coefficient"


def test_stock_changes() -> None:
    # consumption = 1000 + 200 − 350 = 850 t; 850 000 kg × 0.7143 = 607 155 kgce = 607.155 tce
    result = comprehensive_energy(
        EnergyInput.from_dict(
            {
                "basis": "calorific_value",
                "carriers": [
                    {
                        "carrier": "原煤",
                        "quantity": "1000",
                        "stock_start": "200",
                        "stock_end": "350",
                        "unit": "t",
                    }
                ],
            }
        )
    )
    assert result.lines[0].consumption.value == D("850")
    assert result.total.value == D("607.155")
    assert result.trail[0].formula == "(1000 + 200 − 350) t = 850 t"


def test_stock_at_end_larger_than_supply_is_an_error() -> None:
    with pytest.raises(InconsistentDataError) as error:
        comprehensive_energy(
            EnergyInput.from_dict(
                {
                    "basis": "calorific_value",
                    "carriers": [
                        {
                            "carrier": "原煤",
                            "quantity": "10",
                            "stock_start": "5",
                            "stock_end": "20",
                            "unit": "t",
                        }
                    ],
                }
            )
        )
    assert error.value.place == "carriers[0].stock_end"


def test_exported_energy_is_subtracted() -> None:
    # consumed 1 000 000 kWh × 0.1229 = 122 900 kgce; sent out 200 000 kWh × 0.1229 = 24 580 kgce
    # 综合能耗 = 122.9 − 24.58 = 98.32 tce
    result = comprehensive_energy(
        EnergyInput.from_dict(
            {
                "basis": "calorific_value",
                "carriers": [{"carrier": "电力", "quantity": "100", "unit": "万kWh"}],
                "exported": [{"carrier": "电力", "quantity": "200000", "unit": "kWh"}],
            }
        )
    )
    assert (result.consumed.value, result.exported.value, result.total.value) == (
        D("122.9"),
        D("24.58"),
        D("98.32"),
    )


def test_exports_above_consumption_are_refused() -> None:
    with pytest.raises(InconsistentDataError):
        comprehensive_energy(
            EnergyInput.from_dict(
                {
                    "basis": "calorific_value",
                    "carriers": [{"carrier": "电力", "quantity": "1", "unit": "kWh"}],
                    "exported": [{"carrier": "电力", "quantity": "2", "unit": "kWh"}],
                }
            )
        )


def test_steam_by_default_coefficient_and_by_metered_heat() -> None:
    # default (low-pressure steam, mark S): 100 t = 100 000 kg × 0.1286 kgce/kg = 12 860 kgce
    # metered: 100 t × 2.8 GJ/t = 280 000 MJ × 0.03412 kgce/MJ = 9 553.6 kgce
    default = comprehensive_energy(
        EnergyInput.from_dict(
            {"basis": "calorific_value", "carriers": [{"carrier": "蒸汽", "quantity": "100", "unit": "t"}]}
        )
    )
    metered = comprehensive_energy(
        EnergyInput.from_dict(
            {
                "basis": "calorific_value",
                "carriers": [
                    {
                        "carrier": "steam",
                        "quantity": "100",
                        "unit": "t",
                        "heat_content": "2.8",
                        "heat_content_unit": "GJ/t",
                    }
                ],
            }
        )
    )
    assert default.total.value == D("12.86")
    assert any("(S)" in w for w in default.warnings)
    assert metered.total.value == D("9.5536")
    assert metered.lines[0].row == "heat"


def test_a_measured_coefficient_replaces_the_table() -> None:
    # 2 万m³ × 12.143 tce/万m³ = 24.286 tce, the same as 20 000 m³ × 1.2143 kgce/m³
    # 100 t × 650 kgce/t = 65 000 kgce = 65 tce
    result = comprehensive_energy(
        EnergyInput.from_dict(
            {
                "basis": "calorific_value",
                "carriers": [
                    {
                        "carrier": "天然气",
                        "quantity": "2",
                        "unit": "万m³",
                        "coefficient": "12.143",
                        "coefficient_unit": "tce/万m³",
                    },
                    {
                        "carrier": "原煤",
                        "quantity": "100",
                        "unit": "t",
                        "coefficient": "650",
                        "coefficient_unit": "kgce/t",
                    },
                ],
            }
        )
    )
    assert [line.standard_coal.value for line in result.lines] == [D("24.286"), D("65")]
    assert result.tables_used == ()


def test_media_and_electricity_units() -> None:
    # 压缩空气 1 万m³ = 10 000 m³ × 0.0400 = 400 kgce; 氧气 1000 m³ × 0.4000 = 400 kgce;
    # 电力 2 GWh = 2 000 000 kWh × 0.1229 = 245 800 kgce;  Σ = 246 600 kgce = 246.6 tce
    result = comprehensive_energy(
        EnergyInput.from_dict(
            {
                "basis": "calorific_value",
                "carriers": [
                    {"carrier": "压缩空气", "quantity": "1", "unit": "万m³"},
                    {"carrier": "oxygen", "quantity": "1000", "unit": "m3"},
                    {"carrier": "电力", "quantity": "2", "unit": "GWh"},
                ],
            }
        )
    )
    assert result.total.value == D("246.6")


def test_per_product_by_share_and_by_allocated_energy_and_per_output_value() -> None:
    # total 192.5715 tce
    #   product A: 60 % → 115.5429 tce = 115 542.9 kgce ÷ 1000 t = 115.5429 kgce/t
    #   product B: 50 tce allocated = 50 000 kgce ÷ 200 台 = 250 kgce/台
    # per 万元: 192 571.5 kgce ÷ (50 000 000 元 = 5000 万元) = 38.5143 kgce/万元
    result = energy(
        products=[
            {"name": "A", "output": "1000", "output_unit": "t", "share": "60"},
            {"name": "B", "output": "200", "output_unit": "台", "allocated": "50", "allocated_unit": "tce"},
        ],
        output_value="50000000",
        output_value_unit="元",
    )
    a, b = result.per_product
    assert (a.allocated.value, a.intensity.value, a.intensity.unit) == (
        D("115.5429"),
        D("115.5429"),
        "kgce/t",
    )
    assert (b.intensity.value, b.intensity.unit) == (D("250"), "kgce/台")
    assert result.per_output_value is not None
    assert (result.per_output_value.value, result.per_output_value.unit) == (D("38.5143"), "kgce/万元")


def test_allocations_above_the_total_are_refused() -> None:
    with pytest.raises(InconsistentDataError):
        energy(
            products=[
                {"name": "A", "output": "1", "output_unit": "t", "allocated": "200", "allocated_unit": "tce"}
            ]
        )
    with pytest.raises(InconsistentDataError):
        energy(products=[{"name": "A", "output": "1", "output_unit": "t", "share": "101"}])
    with pytest.raises(CalcInputError):
        energy(products=[{"name": "A", "output": "1", "output_unit": "t"}])


def test_negative_quantity_names_the_field_in_chinese_then_english() -> None:
    carriers = [*PLANT[:2], {"carrier": "原煤", "quantity": "-5", "unit": "t"}]
    with pytest.raises(NegativeQuantityError) as error:
        comprehensive_energy(EnergyInput.from_dict({"basis": "calorific_value", "carriers": carriers}))
    assert str(error.value) == "carriers[2].quantity：数量不能为负（-5 t）/ negative quantity -5 t"
    assert isinstance(error.value, ValueError)


@pytest.mark.parametrize(
    ("carrier", "unit", "place"),
    [
        ("原煤", "kWh", "carriers[0].unit"),  # electricity unit for coal
        ("电力", "t", "carriers[0].unit"),
        ("天然气", "kg", "carriers[0].unit"),
        ("热力", "kWh", "carriers[0].unit"),
        ("蒸汽", "GJ", "carriers[0].unit"),  # metered heat goes under carrier heat
        ("原煤", "桶", "carriers[0].unit"),  # unknown unit
    ],
)
def test_a_unit_that_does_not_fit_the_carrier_is_refused(carrier: str, unit: str, place: str) -> None:
    with pytest.raises(UnitError) as error:
        comprehensive_energy(
            EnergyInput.from_dict(
                {
                    "basis": "calorific_value",
                    "carriers": [{"carrier": carrier, "quantity": "1", "unit": unit}],
                }
            )
        )
    assert error.value.place == place
    assert unit in str(error.value)


def test_kwh_for_coal_says_what_is_wrong() -> None:
    with pytest.raises(UnitError) as error:
        comprehensive_energy(
            EnergyInput.from_dict(
                {
                    "basis": "calorific_value",
                    "carriers": [{"carrier": "原煤", "quantity": "1", "unit": "kWh"}],
                }
            )
        )
    assert "unit kWh measures electricity, raw_coal needs mass" in str(error.value)
    assert "accepted: kg、t、万t" in str(error.value)


def test_unknown_carrier_and_unknown_field() -> None:
    with pytest.raises(MissingReferenceError) as unknown_carrier:
        comprehensive_energy(
            EnergyInput.from_dict(
                {"basis": "calorific_value", "carriers": [{"carrier": "焦油", "quantity": "1", "unit": "t"}]}
            )
        )
    assert unknown_carrier.value.place == "carriers[0].carrier"
    assert "raw_coal（原煤）" in str(unknown_carrier.value)
    with pytest.raises(CalcInputError) as typo:
        EnergyInput.from_dict(
            {"basis": "calorific_value", "carriers": [{"carrier": "原煤", "quantiy": "1", "unit": "t"}]}
        )
    assert typo.value.place == "carriers[0].quantiy"


def test_numbers_are_never_coerced_from_booleans_or_bad_text() -> None:
    with pytest.raises(CalcInputError):
        EnergyInput.from_dict(
            {"basis": "calorific_value", "carriers": [{"carrier": "原煤", "quantity": True, "unit": "t"}]}
        )
    with pytest.raises(CalcInputError):
        EnergyInput.from_dict(
            {"basis": "calorific_value", "carriers": [{"carrier": "原煤", "quantity": "1,5", "unit": "t"}]}
        )
    with pytest.raises(CalcInputError):
        EnergyInput.from_dict(
            {"basis": "calorific_value", "carriers": [{"carrier": "原煤", "quantity": "NaN", "unit": "t"}]}
        )


def test_json_entry_point() -> None:
    out = CALCULATIONS["energy"]({"basis": "calorific_value", "carriers": PLANT})
    assert (out["result"], out["unit"], out["calculation"]) == ("192.5715", "tce", "energy")
    coal_step = next(step for step in out["trail"] if step.get("row") == "raw_coal")
    assert coal_step["formula"] == "100000 kg × 0.7143 kgce/kg = 71430 kgce"
    assert coal_step["table"] == "gbt2589-2020-standard-coal@2026.1"
    assert {t["id"] for t in out["tables_used"]} == {
        "gbt2589-2020-standard-coal",
        "gbt2589-2020-energy-media",
    }


def test_input_round_trips_through_json() -> None:
    inp = EnergyInput.from_dict(
        {
            "basis": "calorific_value",
            "carriers": PLANT,
            "products": [{"name": "A", "output": "1000", "output_unit": "t", "share": "60"}],
        }
    )
    assert EnergyInput.from_dict(inp.to_dict()) == inp
