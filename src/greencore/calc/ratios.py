"""Ratios built on other figures: renewable share, carbon elasticity, park-level productivities.

* 可再生能源利用率 = renewable energy consumed / comprehensive energy consumption × 100 %
  (both in tce on the same basis — take both from one energy calculation);
* 碳排放弹性系数 = average annual growth rate of emissions over `span_years` (3) years ÷ that of
  output value; the average annual rate is geometric: (last / first)^(1/n) − 1;
* park: 能源产出率 (万元/tce) = industrial value added / comprehensive energy consumption;
  水资源产出率 (元/m³) = industrial value added / industrial fresh-water use;
  人均工业增加值 (万元/人) = industrial value added / persons.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from greencore.calc.common import non_negative, positive
from greencore.calc.energy import Basis, CarrierConverter, CarrierLine
from greencore.calc.errors import CalcInputError, InconsistentDataError
from greencore.calc.jsonio import JsonRecord, to_dict
from greencore.calc.numbers import HUNDRED, ONE, ZERO, in_context, percent, ratio, rounded, text
from greencore.calc.trail import Amount, Step, TableUse, Trail
from greencore.calc.units import Dimension, canonical, convert, unit_factor
from greencore.reference import ReferenceSet

# ---------------------------------------------------------------------------------------------------
# renewable share


@dataclass(frozen=True)
class RenewableInput(JsonRecord):
    """Renewable energy given in tce (`renewable_energy`), as carrier lines, or both (they add up).

    `total_energy` is the comprehensive energy consumption on the same basis; lines need `basis`.
    """

    total_energy: Decimal
    total_energy_unit: str
    renewable_energy: Decimal | None = None
    renewable_energy_unit: str | None = None
    renewable_lines: tuple[CarrierLine, ...] = ()
    basis: Basis | None = None
    year: int | None = None


@dataclass(frozen=True)
class RenewableResult:
    share: Amount
    renewable: Amount
    total: Amount
    trail: tuple[Step, ...]
    tables_used: tuple[TableUse, ...]
    warnings: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = to_dict(self)
        return out


def _tce(value: Decimal, unit: str, place: str, trail: Trail, label: str) -> Decimal:
    unit_factor(unit, Dimension.STANDARD_COAL, f"{place}_unit", "标准煤", "standard coal")
    tce = convert(value, unit, "tce", Dimension.STANDARD_COAL, f"{place}_unit")
    if canonical(unit) != "tce":
        trail.add(f"{label} 单位换算", tce, "tce", formula=f"{text(value)} {unit}")
    return tce


@in_context
def renewable_share(inp: RenewableInput, tables: ReferenceSet | None = None) -> RenewableResult:
    trail = Trail()
    positive(
        inp.total_energy,
        "total_energy",
        inp.total_energy_unit,
        "综合能耗",
        "comprehensive energy consumption",
    )
    total = _tce(inp.total_energy, inp.total_energy_unit, "total_energy", trail, "综合能耗")
    parts: list[Decimal] = []
    if inp.renewable_energy is not None or inp.renewable_energy_unit is not None:
        if inp.renewable_energy is None or inp.renewable_energy_unit is None:
            raise CalcInputError(
                "renewable_energy",
                "可再生能源消费量与其单位须同时给出",
                "give renewable_energy with renewable_energy_unit",
            )
        non_negative(inp.renewable_energy, "renewable_energy", inp.renewable_energy_unit)
        parts.append(
            _tce(inp.renewable_energy, inp.renewable_energy_unit, "renewable_energy", trail, "可再生能源")
        )
    if inp.renewable_lines:
        if inp.basis is None:
            raise CalcInputError(
                "basis",
                "按能源品种给出可再生能源时须给出 basis（当量值或等价值）",
                "renewable_lines need basis",
            )
        converter = CarrierConverter(inp.basis, inp.year, tables or ReferenceSet.default(), trail)
        parts.extend(
            converter.line(line, f"renewable_lines[{i}]").standard_coal.value
            for i, line in enumerate(inp.renewable_lines)
        )
    if not parts:
        raise CalcInputError(
            "renewable_energy",
            "须给出 renewable_energy 或 renewable_lines",
            "give renewable_energy or renewable_lines",
        )
    renewable = trail.add(
        "可再生能源消费量", sum(parts, ZERO), "tce", formula=" + ".join(text(p) for p in parts) + " tce"
    )
    if renewable > total:
        raise InconsistentDataError(
            "renewable_energy",
            "可再生能源消费量大于综合能耗",
            "renewable energy exceeds the total",
            f"{text(renewable)} > {text(total)} tce",
        )
    share = trail.add(
        "可再生能源利用率",
        percent(renewable, total),
        "%",
        formula=f"{text(renewable)} tce ÷ {text(total)} tce × 100",
    )
    return RenewableResult(
        share=Amount(share, "%"),
        renewable=Amount(renewable, "tce"),
        total=Amount(total, "tce"),
        trail=tuple(trail.steps),
        tables_used=trail.tables_used(),
        warnings=tuple(trail.warnings),
    )


# ---------------------------------------------------------------------------------------------------
# carbon elasticity


@dataclass(frozen=True)
class YearValue:
    year: int
    value: Decimal


@dataclass(frozen=True)
class ElasticityInput(JsonRecord):
    emissions: tuple[YearValue, ...]
    emissions_unit: str
    output_values: tuple[YearValue, ...]
    output_value_unit: str
    span_years: int = 3


@dataclass(frozen=True)
class ElasticityResult:
    elasticity: Amount
    emissions_growth: Amount
    output_growth: Amount
    first_year: int
    last_year: int
    trail: tuple[Step, ...]
    tables_used: tuple[TableUse, ...]
    warnings: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = to_dict(self)
        return out


def _series(values: tuple[YearValue, ...], key: str, unit: str) -> dict[int, Decimal]:
    series: dict[int, Decimal] = {}
    for i, item in enumerate(values):
        if item.year in series:
            raise CalcInputError(f"{key}[{i}].year", "年份重复", "year given twice", str(item.year))
        series[item.year] = positive(item.value, f"{key}[{i}].value", unit, "数值", "value")
    return series


def annual_growth(first: Decimal, last: Decimal, years: int) -> Decimal:
    """Geometric average annual growth rate, unrounded: (last / first)^(1/years) − 1."""
    return ((last / first).ln() / years).exp() - ONE


@in_context
def carbon_elasticity(inp: ElasticityInput) -> ElasticityResult:
    trail = Trail()
    unit_factor(inp.emissions_unit, Dimension.CO2, "emissions_unit", "排放量", "emissions")
    unit_factor(inp.output_value_unit, Dimension.MONEY, "output_value_unit", "产值", "output value")
    if inp.span_years < 1:
        raise CalcInputError(
            "span_years", "年数至少为 1", "span_years must be at least 1", str(inp.span_years)
        )
    emissions = _series(inp.emissions, "emissions", inp.emissions_unit)
    output = _series(inp.output_values, "output_values", inp.output_value_unit)
    if not emissions:
        raise CalcInputError("emissions", "须给出逐年排放量", "give yearly emissions")
    last = max(emissions)
    first = last - inp.span_years
    for key, series in (("emissions", emissions), ("output_values", output)):
        missing = [y for y in (first, last) if y not in series]
        if missing:
            raise CalcInputError(
                key,
                f"缺少 {'、'.join(map(str, missing))} 年的数值"
                f"（{inp.span_years} 年年均增长率需要 {first} 与 {last} 年）",
                f"missing year(s) {', '.join(map(str, missing))}:"
                f" a {inp.span_years}-year rate needs {first} and {last}",
            )
    e_rate = annual_growth(emissions[first], emissions[last], inp.span_years)
    o_rate = annual_growth(output[first], output[last], inp.span_years)
    e_pct = trail.add(
        f"碳排放 {inp.span_years} 年年均增长率",
        rounded(e_rate * HUNDRED),
        "%",
        formula=f"(({text(emissions[last])} ÷ {text(emissions[first])})^(1/{inp.span_years}) − 1) × 100",
    )
    o_pct = trail.add(
        f"产值 {inp.span_years} 年年均增长率",
        rounded(o_rate * HUNDRED),
        "%",
        formula=f"(({text(output[last])} ÷ {text(output[first])})^(1/{inp.span_years}) − 1) × 100",
    )
    if o_rate == ZERO:
        raise InconsistentDataError(
            "output_values",
            "产值年均增长率为零，弹性系数无定义",
            "output growth is zero: elasticity undefined",
        )
    # the quotient of the unrounded rates: rounding both first would shift the result
    elasticity = trail.add(
        "碳排放弹性系数（用未舍入的增长率相除）",
        rounded(e_rate / o_rate),
        "",
        formula=f"{text(e_pct)} % ÷ {text(o_pct)} %",
    )
    return ElasticityResult(
        elasticity=Amount(elasticity, ""),
        emissions_growth=Amount(e_pct, "%"),
        output_growth=Amount(o_pct, "%"),
        first_year=first,
        last_year=last,
        trail=tuple(trail.steps),
        tables_used=(),
        warnings=(),
    )


# ---------------------------------------------------------------------------------------------------
# park-level ratios


@dataclass(frozen=True)
class ParkInput(JsonRecord):
    industrial_value_added: Decimal
    value_added_unit: str
    energy_consumption: Decimal
    energy_unit: str
    fresh_water: Decimal
    water_unit: str
    persons: Decimal
    persons_unit: str


@dataclass(frozen=True)
class ParkResult:
    industrial_value_added: Amount  # 万元
    energy_consumption: Amount  # tce
    fresh_water: Amount  # m³
    persons: Amount  # 人
    energy_productivity: Amount
    water_productivity: Amount
    value_added_per_person: Amount
    trail: tuple[Step, ...]
    tables_used: tuple[TableUse, ...]
    warnings: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = to_dict(self)
        return out


@in_context
def park_ratios(inp: ParkInput) -> ParkResult:
    trail = Trail()
    checks = (
        (
            inp.industrial_value_added,
            inp.value_added_unit,
            "industrial_value_added",
            "value_added_unit",
            Dimension.MONEY,
            "工业增加值",
        ),
        (
            inp.energy_consumption,
            inp.energy_unit,
            "energy_consumption",
            "energy_unit",
            Dimension.STANDARD_COAL,
            "综合能耗",
        ),
        (inp.fresh_water, inp.water_unit, "fresh_water", "water_unit", Dimension.WATER, "工业用新鲜水量"),
        (inp.persons, inp.persons_unit, "persons", "persons_unit", Dimension.PERSONS, "人数"),
    )
    base: dict[str, Decimal] = {}
    targets = {
        Dimension.MONEY: "万元",
        Dimension.STANDARD_COAL: "tce",
        Dimension.WATER: "m³",
        Dimension.PERSONS: "人",
    }
    for value, unit, key, unit_key, dimension, label in checks:
        unit_factor(unit, dimension, unit_key, label, key)
        positive(value, key, unit, label, key)
        converted = convert(value, unit, targets[dimension], dimension, unit_key)
        if canonical(unit) != targets[dimension]:
            trail.add(f"{label} 单位换算", converted, targets[dimension], formula=f"{text(value)} {unit}")
        base[key] = converted
    va = base["industrial_value_added"]
    energy = trail.add(
        "能源产出率",
        ratio(va, base["energy_consumption"]),
        "万元/tce",
        formula=f"{text(va)} 万元 ÷ {text(base['energy_consumption'])} tce",
    )
    water = trail.add(
        "水资源产出率",
        ratio(va * 10_000, base["fresh_water"]),
        "元/m³",
        formula=f"{text(va)} 万元 × 10000 元/万元 ÷ {text(base['fresh_water'])} m³",
    )
    per_person = trail.add(
        "人均工业增加值",
        ratio(va, base["persons"]),
        "万元/人",
        formula=f"{text(va)} 万元 ÷ {text(base['persons'])} 人",
    )
    return ParkResult(
        industrial_value_added=Amount(va, "万元"),
        energy_consumption=Amount(base["energy_consumption"], "tce"),
        fresh_water=Amount(base["fresh_water"], "m³"),
        persons=Amount(base["persons"], "人"),
        energy_productivity=Amount(energy, "万元/tce"),
        water_productivity=Amount(water, "元/m³"),
        value_added_per_person=Amount(per_person, "万元/人"),
        trail=tuple(trail.steps),
        tables_used=(),
        warnings=(),
    )
