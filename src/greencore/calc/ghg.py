"""Greenhouse-gas emissions of an industrial enterprise per GB/T 32150-2015.

E = E_combustion + E_process + E_purchased_electricity + E_purchased_heat
    − E_exported_electricity − E_exported_heat                         (tCO2)

* combustion, per fuel: activity × NCV × carbon content × oxidation rate × 44/12, with the
  defaults of table fuel-co2-defaults unless measured values are given with the line;
* process emissions: given directly (tCO2) or activity × factor;
* electricity: MWh × the grid factor of the asked year, region (national, one of the seven
  regional grids, or a province where the table has one) and series; heat: GJ × 0.11 tCO2/GJ;
* biomass combustion is computed the same way but reported apart, never in the total.

Rounding: the only inexact step is × 44/12; each combustion line is rounded half-up to 0.0001 t
there, and the totals add the rounded lines, as the trail shows.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Any

from greencore.calc.common import (
    ProductIntensity,
    ProductLine,
    intensities,
    non_negative,
    positive,
    required_text,
    stock_adjusted,
)
from greencore.calc.errors import (
    CalcInputError,
    InconsistentDataError,
    MissingReferenceError,
    UnitError,
)
from greencore.calc.jsonio import JsonRecord, to_dict
from greencore.calc.numbers import HUNDRED, THOUSAND, ZERO, in_context, rounded, text
from greencore.calc.trail import Amount, Step, TableUse, Trail
from greencore.calc.units import UNITS, Dimension, canonical, convert, ratio_in, split_ratio, unit_factor
from greencore.reference import ReferenceSet, ReferenceTable, Row

FUEL_TABLE = "fuel-co2-defaults"
GRID_TABLE = "grid-co2-mee-nbs"
CARBON_MARKET_TABLE = "grid-co2-carbon-market"
HEAT_TABLE = "heat-co2-default"

CO2_PER_C = (Decimal(44), Decimal(12))  # molar masses: CO2 44, C 12


class GridSeries(StrEnum):
    """Which published electricity factor series to use."""

    AVERAGE = "average"  # 电力平均二氧化碳排放因子 (MEE + NBS)
    EXCLUDING_MARKET_NON_FOSSIL = "excluding_market_non_fossil"  # 不含市场化交易的非化石能源电量
    FOSSIL = "fossil"  # 化石能源电力二氧化碳排放因子
    CARBON_MARKET = "carbon_market"  # 全国碳市场 全国电网平均排放因子 (a separate table)


@dataclass(frozen=True)
class FuelLine:
    """A fuel burnt in the period. Measured parameters (each with its unit) replace the defaults."""

    fuel: str
    quantity: Decimal
    unit: str
    stock_start: Decimal | None = None
    stock_end: Decimal | None = None
    ncv: Decimal | None = None
    ncv_unit: str | None = None  # GJ/t, MJ/kg, GJ/万Nm³, MJ/m³ …
    carbon_content: Decimal | None = None
    carbon_content_unit: str | None = None  # tC/TJ, kgC/GJ
    oxidation: Decimal | None = None
    oxidation_unit: str | None = None  # %
    label: str | None = None


@dataclass(frozen=True)
class ProcessLine:
    """A process emission: `emissions` directly, or `activity` × `factor` (e.g. tCO2/t)."""

    name: str
    emissions: Decimal | None = None
    emissions_unit: str | None = None
    activity: Decimal | None = None
    activity_unit: str | None = None
    factor: Decimal | None = None
    factor_unit: str | None = None


@dataclass(frozen=True)
class ElectricityLine:
    quantity: Decimal
    unit: str
    label: str | None = None


@dataclass(frozen=True)
class HeatLine:
    """Heat in GJ/MJ, or steam in t/kg with its metered `heat_content` (default: low-pressure steam)."""

    quantity: Decimal
    unit: str
    heat_content: Decimal | None = None
    heat_content_unit: str | None = None
    label: str | None = None


@dataclass(frozen=True)
class GhgInput(JsonRecord):
    year: int
    grid_region: str | None = None
    grid_series: GridSeries = GridSeries.AVERAGE
    fuels: tuple[FuelLine, ...] = ()
    process: tuple[ProcessLine, ...] = ()
    purchased_electricity: tuple[ElectricityLine, ...] = ()
    purchased_heat: tuple[HeatLine, ...] = ()
    exported_electricity: tuple[ElectricityLine, ...] = ()
    exported_heat: tuple[HeatLine, ...] = ()
    biomass: tuple[FuelLine, ...] = ()
    products: tuple[ProductLine, ...] = ()
    output_value: Decimal | None = None
    output_value_unit: str | None = None


@dataclass(frozen=True)
class GhgLine:
    place: str
    category: str
    name: str
    activity: Amount
    emissions: Amount


@dataclass(frozen=True)
class GridFactor:
    year: int
    region: str
    series: GridSeries
    factor: Amount
    table: str
    row: str
    mark: str


@dataclass(frozen=True)
class GhgResult:
    year: int
    total: Amount
    combustion: Amount
    process: Amount
    purchased_electricity: Amount
    purchased_heat: Amount
    exported_electricity: Amount
    exported_heat: Amount
    biomass: Amount  # reported apart: not in the total
    grid_factor: GridFactor | None
    lines: tuple[GhgLine, ...]
    per_product: tuple[ProductIntensity, ...]
    per_output_value: Amount | None
    trail: tuple[Step, ...]
    tables_used: tuple[TableUse, ...]
    warnings: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = to_dict(self)
        return out


_REGION_SUFFIXES = ("区域电网", "电网", "壮族自治区", "回族自治区", "维吾尔自治区", "自治区", "省", "市")


def _region_key(region: str) -> str:
    region = region.strip()
    for suffix in _REGION_SUFFIXES:
        if region.endswith(suffix) and len(region) > len(suffix):
            return region[: -len(suffix)]
    return region


def grid_factor_row(
    tables: ReferenceSet, year: int, region: str, series: GridSeries, place: str
) -> tuple[ReferenceTable, Row]:
    """The published factor for exactly this year, region and series; absent is an error, never inferred."""
    table = tables.table(CARBON_MARKET_TABLE if series is GridSeries.CARBON_MARKET else GRID_TABLE)
    wanted = _region_key(region)
    in_series = [r for r in table.rows if r.text("series") == series.value]
    for row in in_series:
        if row.year == year and wanted in (row.text("region"), row.text("region_zh")):
            return table, row
    by_year: dict[int, list[str]] = {}
    for row in in_series:
        by_year.setdefault(row.year or 0, []).append(row.text("region_zh"))
    available = "; ".join(f"{y}: {'、'.join(names)}" for y, names in sorted(by_year.items()))
    raise MissingReferenceError(
        place,
        f"表 {table.key} 无 {year} 年 {region} 的电网排放因子（系列 {series.value}）",
        f"no factor for {year} / {region} in table {table.key} (series {series.value})",
        choices=available,
    )


def _dimension_of(unit: str, candidates: tuple[Dimension, ...]) -> Dimension | None:
    symbol = canonical(unit)
    return next((d for d in candidates if symbol in UNITS[d]), None)


class _Calculator:
    def __init__(self, inp: GhgInput, tables: ReferenceSet, trail: Trail) -> None:
        self.inp, self.tables, self.trail = inp, tables, trail
        self.fuel_table = tables.table(FUEL_TABLE)
        self.heat_table = tables.table(HEAT_TABLE)

    # -- combustion ------------------------------------------------------------------------------

    def fuel(self, line: FuelLine, place: str, *, biomass: bool) -> GhgLine:
        required_text(line.fuel, f"{place}.fuel")
        row = self.fuel_table.find(line.fuel.strip())
        if biomass and row is not None:
            raise CalcInputError(
                f"{place}.fuel",
                "生物质不能使用化石燃料的缺省参数",
                "biomass cannot take a fossil fuel's defaults",
                line.fuel,
            )
        overrides = (line.ncv, line.carbon_content, line.oxidation)
        if row is None and any(v is None for v in overrides):
            known = ", ".join(f"{r.id}（{r.name_zh}）" for r in self.fuel_table.rows)
            raise MissingReferenceError(
                f"{place}.fuel",
                f"表 {self.fuel_table.key} 无 {line.fuel} 的缺省参数，须给出 ncv、carbon_content、oxidation",
                f"no default parameters for {line.fuel!r} in {self.fuel_table.key}:"
                " give ncv, carbon_content, oxidation",
                choices=known,
                choices_en="defaults for",
            )
        name = (row.name_zh if row else line.fuel) + (f"（{line.label}）" if line.label else "")
        if row is not None:
            dimension = Dimension(row.text("dimension"))
        else:
            ncv_unit = line.ncv_unit or ""
            den = split_ratio(ncv_unit, f"{place}.ncv_unit")[1] if "/" in ncv_unit else ""
            found = _dimension_of(den, (Dimension.MASS, Dimension.GAS_VOLUME))
            if found is None:
                raise UnitError(
                    f"{place}.ncv_unit",
                    "低位发热量单位应为 热量/质量 或 热量/体积",
                    "ncv unit must be heat per mass or per volume",
                    ncv_unit,
                )
            dimension = found
        unit_factor(line.unit, dimension, f"{place}.unit", name, line.fuel)
        consumed = stock_adjusted(
            line.quantity, line.stock_start, line.stock_end, line.unit, name, self.trail, place
        )

        ncv, ncv_unit, ncv_row = self._parameter(line.ncv, line.ncv_unit, row, "ncv", "ncv_unit", place)
        ncv_den = split_ratio(ncv_unit, f"{place}.ncv_unit")[1]
        ncv_gj = ratio_in(
            ncv, ncv_unit, Dimension.HEAT, dimension, f"GJ/{canonical(ncv_den)}", f"{place}.ncv_unit"
        )
        activity = convert(consumed, line.unit, ncv_den, dimension, f"{place}.unit")
        if canonical(ncv_den) != canonical(line.unit):
            activity = self.trail.add(
                f"{name} 单位换算", activity, canonical(ncv_den), formula=f"{text(consumed)} {line.unit}"
            )
        heat_gj = self.trail.add(
            f"{name} 燃烧热量（消费量 × 低位发热量）",
            activity * ncv_gj,
            "GJ",
            quantity=activity,
            unit=canonical(ncv_den),
            coefficient=ncv_gj,
            coefficient_unit=f"GJ/{canonical(ncv_den)}",
            table=self.fuel_table if ncv_row else None,
            row=ncv_row,
            place=f"{place}.ncv" if ncv_row is None else place,
        )
        cc, cc_unit, cc_row = self._parameter(
            line.carbon_content, line.carbon_content_unit, row, "carbon_content", "carbon_content_unit", place
        )
        cc_per_gj = ratio_in(
            cc, cc_unit, Dimension.CARBON, Dimension.HEAT, "tC/GJ", f"{place}.carbon_content_unit"
        )
        carbon = self.trail.add(
            f"{name} 含碳量（热量 × 单位热值含碳量）",
            heat_gj * cc_per_gj,
            "tC",
            # the coefficient as published (tC/TJ); the product is taken with the unit conversion
            formula=f"{text(heat_gj)} GJ × {text(cc)} {cc_unit}",
            quantity=heat_gj,
            unit="GJ",
            coefficient=cc,
            coefficient_unit=cc_unit,
            table=self.fuel_table if cc_row else None,
            row=cc_row,
            place=f"{place}.carbon_content" if cc_row is None else place,
        )
        of, of_unit, of_row = self._parameter(
            line.oxidation, line.oxidation_unit, row, "oxidation", "oxidation_unit", place
        )
        if canonical(of_unit) != "%":
            raise UnitError(f"{place}.oxidation_unit", "碳氧化率以 % 计", "oxidation rate is in %", of_unit)
        if not ZERO < of <= HUNDRED:
            raise CalcInputError(
                f"{place}.oxidation",
                "碳氧化率应在 0–100% 之间",
                "oxidation rate must be in (0, 100] %",
                f"{text(of)} %",
            )
        oxidised = self.trail.add(
            f"{name} 氧化碳量（× 碳氧化率）",
            carbon * of / HUNDRED,
            "tC",
            quantity=carbon,
            unit="tC",
            coefficient=of,
            coefficient_unit="%",
            table=self.fuel_table if of_row else None,
            row=of_row,
            place=f"{place}.oxidation" if of_row is None else place,
        )
        co2 = self.trail.add(
            f"{name} {'生物质 ' if biomass else ''}CO2 排放（× 44/12，保留 4 位小数）",
            rounded(oxidised * CO2_PER_C[0] / CO2_PER_C[1]),
            "tCO2",
            formula=f"{text(oxidised)} tC × 44/12",
        )
        return GhgLine(
            place,
            "biomass" if biomass else "combustion",
            name,
            Amount(consumed, canonical(line.unit)),
            Amount(co2, "tCO2"),
        )

    def _parameter(
        self, value: Decimal | None, unit: str | None, row: Row | None, key: str, unit_key: str, place: str
    ) -> tuple[Decimal, str, Row | None]:
        """A measured parameter given with the line, else the table default (then the row is returned)."""
        if value is not None or unit is not None:
            if value is None or unit is None:
                raise CalcInputError(
                    f"{place}.{key}", f"{key} 与 {unit_key} 须同时给出", f"give {key} with {unit_key}"
                )
            positive(value, f"{place}.{key}", unit, "参数", "parameter")
            return value, unit, None
        assert row is not None  # checked by the caller: no row means every parameter is given
        return row.number(key), row.text(unit_key), row

    # -- process -------------------------------------------------------------------------------

    def process(self, line: ProcessLine, place: str) -> GhgLine:
        required_text(line.name, f"{place}.name")
        direct = line.emissions is not None or line.emissions_unit is not None
        computed = any(
            v is not None for v in (line.activity, line.activity_unit, line.factor, line.factor_unit)
        )
        if direct == computed:
            raise CalcInputError(
                place,
                "emissions 与 activity×factor 须且只须给出一种",
                "give either emissions, or activity and factor",
            )
        if direct:
            if line.emissions is None or line.emissions_unit is None:
                raise CalcInputError(
                    f"{place}.emissions", "排放量与其单位须同时给出", "give emissions with emissions_unit"
                )
            non_negative(line.emissions, f"{place}.emissions", line.emissions_unit)
            tco2 = convert(
                line.emissions, line.emissions_unit, "tCO2", Dimension.CO2, f"{place}.emissions_unit"
            )
            tco2 = self.trail.add(
                f"{line.name} 过程排放（直接给出）",
                tco2,
                "tCO2",
                formula=f"{text(line.emissions)} {line.emissions_unit}",
                place=place,
            )
            return GhgLine(
                place, "process", line.name, Amount(line.emissions, line.emissions_unit), Amount(tco2, "tCO2")
            )
        if (
            line.activity is None
            or line.activity_unit is None
            or line.factor is None
            or line.factor_unit is None
        ):
            raise CalcInputError(
                place,
                "activity、activity_unit、factor、factor_unit 须全部给出",
                "give activity, activity_unit, factor and factor_unit",
            )
        non_negative(line.activity, f"{place}.activity", line.activity_unit)
        non_negative(line.factor, f"{place}.factor", line.factor_unit)
        numerator, denominator = split_ratio(line.factor_unit, f"{place}.factor_unit")
        per_ton = (
            unit_factor(
                numerator, Dimension.CO2, f"{place}.factor_unit", "排放因子分子", "the factor numerator"
            )
            / THOUSAND
        )
        activity = line.activity
        if canonical(denominator) != canonical(line.activity_unit):
            shared = next(
                (
                    d
                    for d in Dimension
                    if canonical(denominator) in UNITS[d] and canonical(line.activity_unit) in UNITS[d]
                ),
                None,
            )
            if shared is None:
                raise UnitError(
                    f"{place}.factor_unit",
                    f"排放因子单位 {line.factor_unit} 与活动数据单位 {line.activity_unit} 不匹配",
                    f"factor unit {line.factor_unit} does not fit activity unit {line.activity_unit}",
                )
            activity = self.trail.add(
                f"{line.name} 单位换算",
                convert(activity, line.activity_unit, denominator, shared, f"{place}.activity_unit"),
                canonical(denominator),
                formula=f"{text(line.activity)} {line.activity_unit}",
            )
        tco2 = self.trail.add(
            f"{line.name} 过程排放（活动数据 × 排放因子）",
            activity * line.factor * per_ton,
            "tCO2",
            quantity=activity,
            unit=canonical(denominator),
            coefficient=line.factor,
            coefficient_unit=line.factor_unit,
            place=place,
        )
        return GhgLine(
            place, "process", line.name, Amount(line.activity, line.activity_unit), Amount(tco2, "tCO2")
        )

    # -- electricity and heat --------------------------------------------------------------------

    def grid_factor(self) -> tuple[ReferenceTable, Row, Decimal]:
        if self.inp.grid_region is None:
            raise CalcInputError(
                "grid_region",
                "有外购或输出电力时须给出 grid_region（national、区域电网或省份）",
                "give grid_region (national, a regional grid or a province) for electricity",
            )
        table, row = grid_factor_row(
            self.tables, self.inp.year, self.inp.grid_region, self.inp.grid_series, "grid_region"
        )
        per_mwh = ratio_in(
            row.number("value"),
            row.text("unit"),
            Dimension.CO2,
            Dimension.ELECTRICITY,
            "tCO2/MWh",
            "grid_region",
        )
        return table, row, per_mwh

    def electricity(self, line: ElectricityLine, place: str, category: str) -> GhgLine:
        non_negative(line.quantity, f"{place}.quantity", line.unit)
        unit_factor(line.unit, Dimension.ELECTRICITY, f"{place}.unit", "电力", "electricity")
        table, row, per_mwh = self.grid_factor()
        label = ("外购电力" if category == "purchased_electricity" else "输出电力") + (
            f"（{line.label}）" if line.label else ""
        )
        mwh = convert(line.quantity, line.unit, "MWh", Dimension.ELECTRICITY, f"{place}.unit")
        if canonical(line.unit) != "MWh":
            mwh = self.trail.add(
                f"{label} 单位换算", mwh, "MWh", formula=f"{text(line.quantity)} {line.unit}"
            )
        tco2 = self.trail.add(
            f"{label} 排放（电量 × {row.name_zh}）",
            mwh * per_mwh,
            "tCO2",
            quantity=mwh,
            unit="MWh",
            coefficient=per_mwh,
            coefficient_unit="tCO2/MWh",
            table=table,
            row=row,
            place=place,
        )
        return GhgLine(
            place, category, label, Amount(line.quantity, canonical(line.unit)), Amount(tco2, "tCO2")
        )

    def heat(self, line: HeatLine, place: str, category: str) -> GhgLine:
        non_negative(line.quantity, f"{place}.quantity", line.unit)
        label = ("外购热力" if category == "purchased_heat" else "输出热力") + (
            f"（{line.label}）" if line.label else ""
        )
        dimension = _dimension_of(line.unit, (Dimension.HEAT, Dimension.MASS))
        if dimension is None:
            unit_factor(
                line.unit, Dimension.HEAT, f"{place}.unit", "热力", "heat"
            )  # raises with the right message
            raise AssertionError("unreachable")
        if dimension is Dimension.HEAT:
            if line.heat_content is not None or line.heat_content_unit is not None:
                raise CalcInputError(
                    f"{place}.heat_content",
                    "以热量计时不再给出蒸汽热焓",
                    "heat given in GJ takes no heat_content",
                )
            gj = convert(line.quantity, line.unit, "GJ", Dimension.HEAT, f"{place}.unit")
            if canonical(line.unit) != "GJ":
                gj = self.trail.add(
                    f"{label} 单位换算", gj, "GJ", formula=f"{text(line.quantity)} {line.unit}"
                )
        else:
            if line.heat_content is not None or line.heat_content_unit is not None:
                if line.heat_content is None or line.heat_content_unit is None:
                    raise CalcInputError(
                        f"{place}.heat_content",
                        "热量与其单位须同时给出",
                        "give heat_content with heat_content_unit",
                    )
                positive(
                    line.heat_content,
                    f"{place}.heat_content",
                    line.heat_content_unit,
                    "蒸汽热量",
                    "heat content",
                )
                per_t = ratio_in(
                    line.heat_content,
                    line.heat_content_unit,
                    Dimension.HEAT,
                    Dimension.MASS,
                    "GJ/t",
                    f"{place}.heat_content_unit",
                )
                steam_row: Row | None = None
            else:
                steam_row = self.heat_table.row("low_pressure_steam_heat")
                per_t = ratio_in(
                    steam_row.number("value"),
                    steam_row.text("unit"),
                    Dimension.HEAT,
                    Dimension.MASS,
                    "GJ/t",
                    place,
                )
            tonnes = convert(line.quantity, line.unit, "t", Dimension.MASS, f"{place}.unit")
            gj = self.trail.add(
                f"{label} 蒸汽热量",
                tonnes * per_t,
                "GJ",
                quantity=tonnes,
                unit="t",
                coefficient=per_t,
                coefficient_unit="GJ/t",
                table=self.heat_table if steam_row else None,
                row=steam_row,
                place=place,
            )
        row = self.heat_table.row("heat")
        factor = ratio_in(
            row.number("value"), row.text("unit"), Dimension.CO2, Dimension.HEAT, "tCO2/GJ", place
        )
        tco2 = self.trail.add(
            f"{label} 排放（热量 × 热力排放因子）",
            gj * factor,
            "tCO2",
            quantity=gj,
            unit="GJ",
            coefficient=factor,
            coefficient_unit="tCO2/GJ",
            table=self.heat_table,
            row=row,
            place=place,
        )
        return GhgLine(
            place, category, label, Amount(line.quantity, canonical(line.unit)), Amount(tco2, "tCO2")
        )


def _category_sum(trail: Trail, label: str, lines: list[GhgLine]) -> Decimal:
    values = [line.emissions.value for line in lines]
    if not values:
        return ZERO
    return trail.add(label, sum(values, ZERO), "tCO2", formula=" + ".join(text(v) for v in values) + " tCO2")


@in_context
def ghg_emissions(inp: GhgInput, tables: ReferenceSet | None = None) -> GhgResult:
    """Emissions of an enterprise per GB/T 32150-2015, with intensities per product and per 万元."""
    tables = tables or ReferenceSet.default()
    trail = Trail()
    calc = _Calculator(inp, tables, trail)
    combustion = [calc.fuel(line, f"fuels[{i}]", biomass=False) for i, line in enumerate(inp.fuels)]
    process = [calc.process(line, f"process[{i}]") for i, line in enumerate(inp.process)]
    electricity_in = [
        calc.electricity(line, f"purchased_electricity[{i}]", "purchased_electricity")
        for i, line in enumerate(inp.purchased_electricity)
    ]
    heat_in = [
        calc.heat(line, f"purchased_heat[{i}]", "purchased_heat") for i, line in enumerate(inp.purchased_heat)
    ]
    electricity_out = [
        calc.electricity(line, f"exported_electricity[{i}]", "exported_electricity")
        for i, line in enumerate(inp.exported_electricity)
    ]
    heat_out = [
        calc.heat(line, f"exported_heat[{i}]", "exported_heat") for i, line in enumerate(inp.exported_heat)
    ]
    biomass = [calc.fuel(line, f"biomass[{i}]", biomass=True) for i, line in enumerate(inp.biomass)]

    sums = {
        "combustion": _category_sum(trail, "化石燃料燃烧排放合计", combustion),
        "process": _category_sum(trail, "过程排放合计", process),
        "purchased_electricity": _category_sum(trail, "外购电力排放合计", electricity_in),
        "purchased_heat": _category_sum(trail, "外购热力排放合计", heat_in),
        "exported_electricity": _category_sum(trail, "输出电力排放合计", electricity_out),
        "exported_heat": _category_sum(trail, "输出热力排放合计", heat_out),
    }
    bio = _category_sum(trail, "生物质燃烧 CO2（单独报告，不计入总量）", biomass)
    gross = sums["combustion"] + sums["process"] + sums["purchased_electricity"] + sums["purchased_heat"]
    sent_out = sums["exported_electricity"] + sums["exported_heat"]
    if sent_out > gross:
        raise InconsistentDataError(
            "exported_electricity",
            "输出电力、热力的排放大于其余排放之和",
            "exported electricity and heat exceed all other emissions",
            f"{text(sent_out)} > {text(gross)} tCO2",
        )
    total = trail.add(
        "温室气体排放总量",
        gross - sent_out,
        "tCO2",
        formula=(
            f"{text(sums['combustion'])} + {text(sums['process'])} + {text(sums['purchased_electricity'])}"
            f" + {text(sums['purchased_heat'])} − {text(sums['exported_electricity'])}"
            f" − {text(sums['exported_heat'])} tCO2"
        ),
    )
    grid: GridFactor | None = None
    if inp.purchased_electricity or inp.exported_electricity:
        table, row, per_mwh = calc.grid_factor()
        grid = GridFactor(
            inp.year,
            row.text("region_zh"),
            inp.grid_series,
            Amount(per_mwh, "tCO2/MWh"),
            table.key,
            row.id,
            row.mark.value,
        )

    total_amount = Amount(total, "tCO2")
    per_product, per_output = intensities(
        total_amount,
        inp.products,
        inp.output_value,
        inp.output_value_unit,
        Dimension.CO2,
        trail,
        what_zh="碳排放量",
        unit="kgCO2",
        scale=THOUSAND,
    )
    return GhgResult(
        year=inp.year,
        total=total_amount,
        combustion=Amount(sums["combustion"], "tCO2"),
        process=Amount(sums["process"], "tCO2"),
        purchased_electricity=Amount(sums["purchased_electricity"], "tCO2"),
        purchased_heat=Amount(sums["purchased_heat"], "tCO2"),
        exported_electricity=Amount(sums["exported_electricity"], "tCO2"),
        exported_heat=Amount(sums["exported_heat"], "tCO2"),
        biomass=Amount(bio, "tCO2"),
        grid_factor=grid,
        lines=tuple(combustion + process + electricity_in + heat_in + electricity_out + heat_out + biomass),
        per_product=per_product,
        per_output_value=per_output,
        trail=tuple(trail.steps),
        tables_used=trail.tables_used(),
        warnings=tuple(trail.warnings),
    )
