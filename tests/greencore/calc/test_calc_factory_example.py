"""The worked example examples/factory-raw.json, from raw data to every indicator, checked by hand.

The factory (fictitious, Jiangsu, 华东 grid, 2023): coal boiler, natural gas, diesel, purchased and
rooftop-solar electricity, purchased steam, bottled oxygen; 60 000 kWh passed on to a neighbour;
three products; two water sources; four waste streams; a 12 hm² site.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from greencore.calc import compute_factory

EXAMPLE = Path(__file__).parents[3] / "examples/factory-raw.json"


@pytest.fixture(scope="module")
def report() -> dict[str, Any]:
    data = json.loads(EXAMPLE.read_text(encoding="utf-8"), parse_float=Decimal)
    return compute_factory(data)


def figure(report: dict[str, Any], key: str) -> tuple[str, str]:
    item = report["indicators"][key]
    return item["value"], item["unit"]


def test_comprehensive_energy(report: dict[str, Any]) -> None:
    # 当量值 (calorific basis):
    #   原煤    (1200 + 150 − 90) t = 1260 t = 1 260 000 kg × 0.7143 = 900 018      kgce
    #   天然气  35 万m³ = 350 000 m³ × 1.2143                     = 425 005      kgce
    #   柴油    18.5 t = 18 500 kg × 1.4571                      =  26 956.35   kgce
    #   电力    860 万kWh = 8 600 000 kWh × 0.1229                = 1 056 940    kgce
    #   光伏    450 000 kWh × 0.1229 (renewable)                 =  55 305      kgce
    #   蒸汽    2400 t × 2.8 GJ/t = 6 720 000 MJ × 0.03412        = 229 286.4    kgce
    #   氧气    12 000 m³ × 0.4000                               =   4 800      kgce
    #   Σ consumed = 2 698 310.75 kgce = 2698.31075 tce
    #   sent out: 60 000 kWh × 0.1229 = 7 374 kgce = 7.374 tce
    #   综合能耗 = 2698.31075 − 7.374 = 2690.93675 tce
    assert figure(report, "total_energy") == ("2690.93675", "tce")
    energy = report["calculations"]["energy"]
    assert energy["consumed"]["value"] == "2698.31075"
    assert energy["exported"]["value"] == "7.374"
    # per 万元: 2 690 936.75 kgce ÷ 46 000 万元 = 58.498625 → 58.4986
    assert figure(report, "energy_per_output_value") == ("58.4986", "kgce/万元")


def test_unit_product_energy(report: dict[str, Any]) -> None:
    # 铸件   62 % × 2690.93675 = 1668.380785 tce = 1 668 380.785 kgce ÷ 5200 t   = 320.84245… → 320.8425
    # 齿轮箱 28 %               =  753.46229 tce =   753 462.29 kgce ÷ 18 000 台 = 41.85901… → 41.8590
    # 液压阀 10 %               =  269.093675 tce =  269 093.675 kgce ÷ 400 000 件 = 0.67273… → 0.6727
    assert report["indicators"]["unit_product_energy"] == [
        {"name": "铸件", "energy_use_tce": "1668.380785", "unit_energy": "320.8425", "unit": "kgce/t"},
        {"name": "齿轮箱", "energy_use_tce": "753.46229", "unit_energy": "41.859", "unit": "kgce/台"},
        {"name": "液压阀", "energy_use_tce": "269.093675", "unit_energy": "0.6727", "unit": "kgce/件"},
    ]


def test_renewable_share(report: dict[str, Any]) -> None:
    # 55.305 tce ÷ 2690.93675 tce × 100 = 2.0552322… → 2.0552 %
    assert figure(report, "renewable_share") == ("2.0552", "%")


def test_ghg(report: dict[str, Any]) -> None:
    # 原煤   1260 t × 20.908 = 26 344.08 GJ; × 26.37 tC/TJ = 694.6933896 tC; × 94 % = 653.011786224 tC;
    #        × 44/12 = 2394.37655 → 2394.3765 tCO2  (653.011786224 × 44 = 28 732.5185939; ÷ 12 = 2394.37654949)
    # 天然气 35 万Nm³ × 389.31 = 13 625.85 GJ; × 15.3 = 208.475505 tC; × 99 % = 206.39074995 tC;
    #        × 44/12 = 756.76608315 → 756.7661 tCO2
    # 柴油   18.5 t × 42.652 = 789.062 GJ; × 20.2 = 15.9390524 tC; × 98 % = 15.620271352 tC;
    #        × 44/12 = 57.274328291 → 57.2743 tCO2
    # combustion = 2394.3765 + 756.7661 + 57.2743 = 3208.4169
    # process (CO2 welding gas) = 8.6
    # electricity 8600 MWh × 0.5500 (华东 2023) = 4730; heat 6720 GJ × 0.11 = 739.2; exported 60 MWh × 0.55 = 33
    # total = 3208.4169 + 8.6 + 4730 + 739.2 − 33 = 8653.2169 tCO2
    assert figure(report, "ghg_emissions") == ("8653.2169", "tCO2")
    ghg = report["calculations"]["ghg"]
    assert ghg["combustion"]["value"] == "3208.4169"
    assert ghg["grid_factor"]["row"] == "average-2023-east_china"
    # biomass (canteen): 30 t × 16.5 = 495 GJ; × 30.5 tC/TJ = 15.0975 tC; × 90 % = 13.58775 tC;
    #        × 44/12 = 49.82175 → 49.8218 tCO2, reported apart
    assert figure(report, "biomass_co2") == ("49.8218", "tCO2")
    # per 万元: 8 653 216.9 kgCO2 ÷ 46 000 = 188.11341… → 188.1134
    assert figure(report, "carbon_per_output_value") == ("188.1134", "kgCO2/万元")
    # 铸件 65 % = 5624.590985 t = 5 624 590.985 kg ÷ 5200 t = 1081.65211… → 1081.6521 kgCO2/t
    # 齿轮箱 25 % = 2163.304225 t ÷ 18 000 台 = 120.18356… kg → 120.1836
    # 液压阀 10 % = 865.32169 t ÷ 400 000 件 = 2.16330… kg → 2.1633
    assert [(p["unit_carbon"], p["unit"]) for p in report["indicators"]["unit_product_carbon"]] == [
        ("1081.6521", "kgCO2/t"),
        ("120.1836", "kgCO2/台"),
        ("2.1633", "kgCO2/件"),
    ]


def test_water(report: dict[str, Any]) -> None:
    # intake: (213 700 − 125 300) × 1 = 88 400 m³ + 12 000 m³ = 100 400 m³
    # reused: 1 250 000 + 30 000 = 1 280 000 m³
    # R = 1 280 000 ÷ (100 400 + 1 280 000) × 100 = 92.726745… → 92.7267 %
    # waste water 30 000 ÷ 42 000 × 100 = 71.428571… → 71.4286 %
    # per 万元: 100 400 ÷ 46 000 = 2.182608… → 2.1826 m³/万元
    assert figure(report, "water_intake") == ("100400", "m³")
    assert figure(report, "water_reuse_rate") == ("92.7267", "%")
    assert figure(report, "wastewater_reuse_rate") == ("71.4286", "%")
    assert figure(report, "water_per_output_value") == ("2.1826", "m³/万元")
    # 铸件 70 % = 70 280 ÷ 5200 = 13.51538… → 13.5154; 齿轮箱 20 % = 20 080 ÷ 18 000 = 1.11555… → 1.1156;
    # 液压阀 10 % = 10 040 ÷ 400 000 = 0.0251
    assert [p["unit_water"] for p in report["indicators"]["unit_product_water"]] == [
        "13.5154",
        "1.1156",
        "0.0251",
    ]


def test_solid_waste(report: dict[str, Any]) -> None:
    # general: utilised 2950 + 480 + 260 = 3690; generated 3100 + 420 + 260 = 3780, + 60 from storage = 3840
    # 3690 ÷ 3840 × 100 = 96.09375 → 96.0938 % (half-up); 废乳化液 (hazardous) kept apart
    assert figure(report, "solid_waste_utilisation") == ("96.0938", "%")
    assert report["calculations"]["waste"]["hazardous_utilisation_rate"]["value"] == "0"


def test_land(report: dict[str, Any]) -> None:
    # site 12 hm² = 120 000 m²
    # floor area: 铸造车间 18 000 × 2 (12 m) + 机加工 15 000 × 2 (9 m) + 办公楼 1 500 × 5 + 仓库 6 000 (7.5 m)
    #           = 36 000 + 30 000 + 7 500 + 6 000 = 79 500 m²;  容积率 = 79 500 ÷ 120 000 = 0.6625
    # occupied: 18 000 + 15 000 + 1 500 + 6 000 + 800 + 4 200 = 45 500 m²; ÷ 120 000 × 100 = 37.91666… → 37.9167 %
    # output per m²: 46 000 万元 ÷ 120 000 m² = 0.38333… → 0.3833 万元/m²
    assert figure(report, "plot_ratio") == ("0.6625", "")
    assert figure(report, "building_coverage") == ("37.9167", "%")
    assert figure(report, "output_per_site_area") == ("0.3833", "万元/m²")


def test_carbon_elasticity(report: dict[str, Any]) -> None:
    # emissions 2020 → 2023: 7600 → 8653.2169; 8653.2169 ÷ 7600 = 1.1385811710…
    #   1.1385811710^(1/3) = 1.0442103636 (check: 1.0442103636³ = 1.13858117) → 4.4210364 % → 4.4210 %
    # output    2020 → 2023: 36 000 → 46 000; 46 000 ÷ 36 000 = 1.2777…
    #   1.2777…^(1/3) = 1.0851383453 (check: 1.0851383453³ = 1.27777778) → 8.5138345 % → 8.5138 %
    # elasticity = 0.044210364 ÷ 0.085138345 = 0.519277 → 0.5193 (the unrounded rates are divided)
    assert figure(report, "carbon_elasticity") == ("0.5193", "")
    elasticity = report["calculations"]["elasticity"]
    assert (elasticity["emissions_growth"]["value"], elasticity["output_growth"]["value"]) == (
        "4.421",
        "8.5138",
    )


def test_output_value_is_a_figure_in_10k_yuan(report: dict[str, Any]) -> None:
    assert report["calculations"]["output_value"] == {"value": "46000", "unit": "万元"}
    assert "scheme_inputs" not in report  # the calculation knows no scheme: schemes call calc(…)


def test_errors_name_the_section() -> None:
    data = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    data["energy"]["carriers"][2]["quantity"] = "-5"
    with pytest.raises(ValueError, match=r"^energy\.carriers\[2\]\.quantity：数量不能为负（-5 t）"):
        compute_factory(data)
