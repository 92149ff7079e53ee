"""The figures a raw-data calculation publishes, by name, for scheme formulas to call.

A scheme formula reads a calculated figure with ``calc('energy.total', 'tce')``: the figure's path
in the calculation's output and the unit the formula wants it in. This module is the catalogue a
scheme file is checked against when it loads (the path exists, the unit converts) and the resolver
that reads the figure from a calculation's output afterwards, exactly, in Decimal.

A path walks the calculation's JSON output: ``energy.total`` is ``calculations.energy.total``; a
figure under a list (``energy.per_product.…`` one value per product, ``years.…`` one per year) has
one value per row, in the order the raw data lists them, and fits only a table's formulas.

Paths, units and labels are listed here rather than read off the result types, because the unit of
a figure is a fact of the standard the scheme author must be able to look up (``greenmfg calc
figures``), not something learnt by running a calculation.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from greencore.calc.errors import CalcInputError
from greencore.calc.factory import compute_factory
from greencore.calc.numbers import text
from greencore.calc.park import compute_park
from greencore.calc.units import rescale


@dataclass(frozen=True)
class Figure:
    """One named figure of a calculation's output."""

    path: str
    unit: str  # 产品单位 in a per-product unit stands for each product's own unit
    label_zh: str
    label_en: str
    rows_at: str = ""  # the list the figure is read from, one value per row (per_product, years)
    optional: bool = False  # absent unless the raw data has the part it needs (e.g. history)

    @property
    def per_row(self) -> bool:
        return bool(self.rows_at)

    @property
    def section(self) -> str:
        """The calculation section whose working (steps, table rows) gives this figure."""
        return self.path.split(".", 1)[0]


@dataclass(frozen=True)
class FigureValue:
    """A figure read from one calculation's output, re-expressed in the unit a formula asked for."""

    path: str
    unit: str  # the asked unit
    value: Decimal | None  # a scalar figure (None when an optional figure is absent)
    rows: tuple[Decimal, ...] = ()  # a per-row figure
    source_unit: str = ""  # the unit the calculation gave (per row: the first row's)
    factor: Decimal = Decimal(1)


@dataclass(frozen=True)
class RawCalculation:
    """A calculation a scheme may name in ``raw_data:``, with the figures its formulas can call."""

    name: str
    run: Callable[[Mapping[str, Any]], dict[str, Any]]
    figures: Mapping[str, Figure]

    def figure(self, path: str) -> Figure:
        found = self.figures.get(path)
        if found is None:
            raise KeyError(path)
        return found


def _catalogue(*figures: Figure) -> dict[str, Figure]:
    return {f.path: f for f in figures}


def _product(section: str, what: str, total_unit: str, intensity_unit: str) -> tuple[Figure, Figure]:
    return (
        Figure(
            f"{section}.per_product.allocated",
            total_unit,
            f"各产品{what}（分摊量）",
            f"{what} allocated to each product",
            rows_at="per_product",
        ),
        Figure(
            f"{section}.per_product.intensity",
            intensity_unit,
            f"单位产品{what}",
            f"{what} per unit of each product",
            rows_at="per_product",
        ),
    )


FACTORY_FIGURES = _catalogue(
    Figure("output_value", "万元", "工业总产值", "Gross industrial output value"),
    Figure("energy.total", "tce", "综合能耗", "Comprehensive energy consumption"),
    Figure("energy.consumed", "tce", "能源消费量（未扣除外供）", "Energy consumed before exports"),
    Figure("energy.exported", "tce", "外供能源", "Energy sent out"),
    Figure("energy.renewable", "tce", "可再生能源消费量", "Renewable energy consumed"),
    Figure("energy.per_output_value", "kgce/万元", "单位产值综合能耗", "Energy per output value"),
    *_product("energy", "综合能耗", "tce", "kgce/产品单位"),
    Figure("ghg.total", "tCO2", "温室气体排放总量", "GHG emissions"),
    Figure("ghg.combustion", "tCO2", "化石燃料燃烧排放", "Fuel combustion emissions"),
    Figure("ghg.process", "tCO2", "过程排放", "Process emissions"),
    Figure("ghg.purchased_electricity", "tCO2", "购入电力排放", "Purchased electricity emissions"),
    Figure("ghg.purchased_heat", "tCO2", "购入热力排放", "Purchased heat emissions"),
    Figure("ghg.exported_electricity", "tCO2", "输出电力排放", "Exported electricity emissions"),
    Figure("ghg.exported_heat", "tCO2", "输出热力排放", "Exported heat emissions"),
    Figure("ghg.biomass", "tCO2", "生物质燃烧 CO2（单独报告）", "Biomass CO2 (reported apart)"),
    Figure("ghg.per_output_value", "kgCO2/万元", "单位产值碳排放量", "Carbon per output value"),
    *_product("ghg", "碳排放量", "tCO2", "kgCO2/产品单位"),
    Figure("water.intake", "m³", "取水量", "Water intake"),
    Figure("water.reused", "m³", "重复利用水量", "Water reused"),
    Figure("water.reuse_rate", "%", "工业用水重复利用率", "Industrial water reuse rate"),
    Figure(
        "water.wastewater_reuse_rate", "%", "废水处理回用率", "Treated waste-water reuse rate", optional=True
    ),
    Figure("water.per_output_value", "m³/万元", "单位产值取水量", "Water intake per output value"),
    *_product("water", "取水量", "m³", "m³/产品单位"),
    Figure("waste.utilisation_rate", "%", "一般工业固体废物综合利用率", "Solid waste utilisation rate"),
    Figure("waste.generated", "t", "一般工业固体废物产生量", "General solid waste generated"),
    Figure("waste.utilised", "t", "一般工业固体废物综合利用量", "General solid waste utilised"),
    Figure("waste.utilised_from_storage", "t", "综合利用往年贮存量", "Utilised from earlier storage"),
    Figure(
        "waste.hazardous_utilisation_rate",
        "%",
        "危险废物利用率",
        "Hazardous waste utilisation",
        optional=True,
    ),
    Figure("land.site_area", "m²", "厂区用地面积", "Site area"),
    Figure("land.floor_area_counted", "m²", "计容建筑面积", "Floor area counted"),
    Figure("land.occupied_area", "m²", "建筑物、构筑物及堆场占地面积", "Area occupied"),
    Figure("land.plot_ratio", "", "容积率", "Plot ratio"),
    Figure("land.building_coverage", "%", "建筑系数", "Building coverage ratio"),
    Figure("land.output_per_site_area", "万元/m²", "单位用地面积产值", "Output per m² of site"),
    Figure("renewable.share", "%", "可再生能源利用率", "Renewable energy share"),
    Figure("elasticity.elasticity", "", "碳排放弹性系数", "Carbon elasticity", optional=True),
    Figure("elasticity.emissions_growth", "%", "排放年均增长率", "Emissions growth rate", optional=True),
    Figure("elasticity.output_growth", "%", "产值年均增长率", "Output growth rate", optional=True),
)


def _walk(root: Mapping[str, Any], parts: list[str]) -> Any:
    node: Any = root
    for part in parts:
        if not isinstance(node, Mapping) or part not in node:
            return None
        node = node[part]
    return node


def _amount(node: Any, place: str) -> tuple[Decimal, str]:
    if not isinstance(node, Mapping) or "value" not in node or "unit" not in node:
        raise CalcInputError(place, "计算结果中没有此数值", "the calculation gives no such figure")
    return Decimal(str(node["value"])), str(node["unit"])


def _plain(value: Decimal) -> Decimal:
    """The same number without the trailing zeros a unit factor leaves (2690.93675 × 1000)."""
    return Decimal(text(value))


def read_figure(calculations: Mapping[str, Any], figure: Figure, unit: str) -> FigureValue:
    """`figure` from a calculation's ``calculations`` output, in `unit` (exact)."""
    place = f"calc('{figure.path}', '{unit}')"
    parts = figure.path.split(".")
    if not figure.per_row:
        node = _walk(calculations, parts)
        if node is None:
            if figure.optional:
                return FigureValue(figure.path, unit, None)
            raise CalcInputError(place, "计算结果中没有此数值", "the calculation gives no such figure")
        value, source_unit = _amount(node, place)
        factor = rescale(source_unit, unit, place)
        return FigureValue(figure.path, unit, _plain(value * factor), source_unit=source_unit, factor=factor)
    split = parts.index(figure.rows_at) + 1
    rows = _walk(calculations, parts[:split]) or []
    values: list[Decimal] = []
    first_unit, first_factor = "", Decimal(1)
    for index, row in enumerate(rows):
        value, source_unit = _amount(_walk(row, parts[split:]), f"{place}[{index}]")
        factor = rescale(source_unit, unit, f"{place}[{index}]")
        if index == 0:
            first_unit, first_factor = source_unit, factor
        values.append(_plain(value * factor))
    return FigureValue(
        figure.path, unit, None, rows=tuple(values), source_unit=first_unit, factor=first_factor
    )


def _year(path: str, unit: str, label_zh: str, label_en: str) -> Figure:
    return Figure(f"years.{path}", unit, f"各年{label_zh}", f"{label_en}, each year", rows_at="years")


PARK_FIGURES = _catalogue(
    _year("industrial_value_added", "万元", "工业增加值", "Industrial value added"),
    _year("energy_consumption", "tce", "综合能源消费量", "Comprehensive energy consumption"),
    _year("fresh_water", "m³", "工业用新鲜水量", "Industrial fresh water"),
    _year("persons", "人", "工业从业人员数", "Industrial employees"),
    _year("energy_productivity", "万元/tce", "能源产出率", "Energy productivity"),
    _year("water_productivity", "元/m³", "水资源产出率", "Water productivity"),
    _year("value_added_per_person", "万元/人", "人均工业增加值", "Value added per person"),
)

# the calculations a scheme may name in `raw_data:`
RAW_CALCULATIONS: dict[str, RawCalculation] = {
    "factory": RawCalculation("factory", compute_factory, FACTORY_FIGURES),
    "park": RawCalculation("park", compute_park, PARK_FIGURES),
}


def _parts(calculations: Mapping[str, Any], section: str) -> list[tuple[str, Mapping[str, Any]]]:
    """A section's results with a prefix: one for a section, one per year for a list of years."""
    node = calculations.get(section)
    if isinstance(node, Mapping):
        return [("", node)]
    if isinstance(node, list):
        return [(f"{item.get('year', index + 1)} ", item) for index, item in enumerate(node)]
    return []


def section_steps(calculations: Mapping[str, Any], section: str) -> list[dict[str, Any]]:
    """Every step of a calculation section's working (a yearly section: each year's, labelled)."""
    return [
        {**step, "label": prefix + str(step.get("label", ""))}
        for prefix, part in _parts(calculations, section)
        for step in part.get("trail", ())
    ]


def section_rows_used(calculations: Mapping[str, Any], section: str) -> tuple[str, ...]:
    """The reference-table rows a section used, as ``table@version row (mark)``, each once."""
    seen = {
        f"{table['id']}@{table['version']} {row['id']} ({row['mark']})": None
        for _, part in _parts(calculations, section)
        for table in part.get("tables_used", ())
        for row in table["rows"]
    }
    return tuple(seen)
