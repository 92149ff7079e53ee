"""A factory's raw data → every indicator figure, each with its working.

The raw file has one section per calculation (`energy`, `ghg`, `water`, `waste`, `land`) and a
`history` of earlier years for the carbon elasticity. `year` and the output value are given once
at the top level and passed to the sections that use them. Figures that depend on other results
are chained, never re-typed: the renewable share takes its two terms from the energy result, and
the elasticity appends this year's emissions (from the GHG result) and output value to the history.

The calculation knows no scheme: a scheme's formulas read its figures by name (``calc('energy.total',
'tce')``, catalogue in `greencore.calc.figures`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from greencore.calc.energy import EnergyInput, EnergyResult, comprehensive_energy
from greencore.calc.errors import CalcInputError
from greencore.calc.ghg import GhgInput, GhgResult, ghg_emissions
from greencore.calc.jsonio import decimal_from, document, from_dict, in_section, join, to_dict
from greencore.calc.land import LandInput, land_indicators
from greencore.calc.numbers import text
from greencore.calc.ratios import (
    ElasticityInput,
    RenewableInput,
    YearValue,
    carbon_elasticity,
    renewable_share,
)
from greencore.calc.trail import Amount
from greencore.calc.units import Dimension, convert
from greencore.calc.waste import WasteInput, solid_waste_utilisation
from greencore.calc.water import WaterInput, water_indicators

SECTIONS = ("energy", "ghg", "water", "waste", "land")
TOP_LEVEL = ("enterprise", "year", "output_value", "output_value_unit", *SECTIONS, "history")


def _section(data: Mapping[str, Any], name: str, shared: Mapping[str, Any]) -> dict[str, Any]:
    section = data.get(name)
    if not isinstance(section, Mapping):
        raise CalcInputError(name, "缺少该部分或不是对象", "section missing or not an object")
    for key in shared:
        if key in section:
            raise CalcInputError(
                join(name, key), "已在顶层统一给出，此处不再填写", "given once at the top level"
            )
    return {**section, **shared}


def _figure(label: str, amount: Amount | None) -> dict[str, Any] | None:
    if amount is None:
        return None
    return {"label": label, "value": text(amount.value), "unit": amount.unit}


def compute_factory(data: Mapping[str, Any]) -> dict[str, Any]:
    """Every indicator of a factory from its raw data (see examples/factory-raw.json)."""
    data = document(data, TOP_LEVEL)
    year = data.get("year")
    if not isinstance(year, int) or isinstance(year, bool):
        raise CalcInputError("year", "应为整数年份", "expected the year as an integer")
    output_value = decimal_from(data.get("output_value"), "output_value")
    output_unit = data.get("output_value_unit")
    if not isinstance(output_unit, str):
        raise CalcInputError("output_value_unit", "缺少产值单位", "missing the unit of the output value")
    money = {"output_value": data["output_value"], "output_value_unit": output_unit}

    energy: EnergyResult = in_section(
        "energy",
        lambda: comprehensive_energy(
            from_dict(EnergyInput, _section(data, "energy", {"year": year, **money}))
        ),
    )
    ghg: GhgResult = in_section(
        "ghg", lambda: ghg_emissions(from_dict(GhgInput, _section(data, "ghg", {"year": year, **money})))
    )
    water = in_section(
        "water", lambda: water_indicators(from_dict(WaterInput, _section(data, "water", money)))
    )
    waste = in_section(
        "waste", lambda: solid_waste_utilisation(from_dict(WasteInput, _section(data, "waste", {})))
    )
    land = in_section("land", lambda: land_indicators(from_dict(LandInput, _section(data, "land", money))))
    renewable = in_section(
        "energy",
        lambda: renewable_share(
            RenewableInput(
                total_energy=energy.total.value,
                total_energy_unit="tce",
                renewable_energy=energy.renewable.value,
                renewable_energy_unit="tce",
            )
        ),
    )

    history = data.get("history")
    elasticity = None
    if history is not None:

        def run_elasticity() -> Any:
            base = from_dict(ElasticityInput, history, "")
            this_year_emissions = convert(
                ghg.total.value, "tCO2", base.emissions_unit, Dimension.CO2, "emissions_unit"
            )
            this_year_output = convert(
                output_value, output_unit, base.output_value_unit, Dimension.MONEY, "output_value_unit"
            )
            if any(item.year == year for item in (*base.emissions, *base.output_values)):
                raise CalcInputError(
                    "emissions",
                    f"{year} 年由本年计算结果给出，历史数据中不再填写",
                    f"{year} comes from this year's results",
                )
            return carbon_elasticity(
                ElasticityInput(
                    emissions=(*base.emissions, YearValue(year, this_year_emissions)),
                    emissions_unit=base.emissions_unit,
                    output_values=(*base.output_values, YearValue(year, this_year_output)),
                    output_value_unit=base.output_value_unit,
                    span_years=base.span_years,
                )
            )

        elasticity = in_section("history", run_elasticity)

    products_energy = [
        {
            "name": p.name,
            "energy_use_tce": text(p.allocated.value),
            "unit_energy": text(p.intensity.value),
            "unit": p.intensity.unit,
        }
        for p in energy.per_product
    ]
    products_carbon = [
        {
            "name": p.name,
            "carbon_t": text(p.allocated.value),
            "unit_carbon": text(p.intensity.value),
            "unit": p.intensity.unit,
        }
        for p in ghg.per_product
    ]
    products_water = [
        {
            "name": p.name,
            "water_use_m3": text(p.allocated.value),
            "unit_water": text(p.intensity.value),
            "unit": p.intensity.unit,
        }
        for p in water.per_product
    ]
    indicators = {
        "total_energy": _figure("综合能耗", energy.total),
        "energy_per_output_value": _figure("单位产值综合能耗", energy.per_output_value),
        "ghg_emissions": _figure("温室气体排放总量", ghg.total),
        "biomass_co2": _figure("生物质燃烧 CO2（单独报告）", ghg.biomass),
        "carbon_per_output_value": _figure("单位产值碳排放量", ghg.per_output_value),
        "renewable_share": _figure("可再生能源利用率", renewable.share),
        "water_intake": _figure("取水量", water.intake),
        "water_reuse_rate": _figure("工业用水重复利用率", water.reuse_rate),
        "wastewater_reuse_rate": _figure("废水处理回用率", water.wastewater_reuse_rate),
        "water_per_output_value": _figure("单位产值取水量", water.per_output_value),
        "solid_waste_utilisation": _figure("一般工业固体废物综合利用率", waste.utilisation_rate),
        "plot_ratio": _figure("容积率", land.plot_ratio),
        "building_coverage": _figure("建筑系数", land.building_coverage),
        "output_per_site_area": _figure("单位用地面积产值", land.output_per_site_area),
        "carbon_elasticity": _figure("碳排放弹性系数", elasticity.elasticity if elasticity else None),
        "unit_product_energy": products_energy,
        "unit_product_carbon": products_carbon,
        "unit_product_water": products_water,
    }
    output_10k = convert(output_value, output_unit, "万元", Dimension.MONEY, "output_value_unit")
    calculations: dict[str, Any] = {
        "output_value": {"value": text(output_10k), "unit": "万元"},
        "energy": to_dict(energy),
        "ghg": to_dict(ghg),
        "water": to_dict(water),
        "waste": to_dict(waste),
        "land": to_dict(land),
        "renewable": to_dict(renewable),
    }
    if elasticity is not None:
        calculations["elasticity"] = to_dict(elasticity)
    return {
        "enterprise": data.get("enterprise"),
        "year": year,
        "indicators": {k: v for k, v in indicators.items() if v is not None},
        "calculations": calculations,
    }
