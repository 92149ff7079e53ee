"""Comprehensive energy consumption (综合能耗) per GB/T 2589-2020.

综合能耗 = Σ (consumption of each carrier × its standard-coal coefficient) − energy sent out.

* consumption = purchases + stock at start − stock at end, in the carrier's own unit;
* electricity and heat are converted on the basis asked for:
  - ``calorific_value`` (当量值): the energy the carrier itself holds — electricity 0.1229 kgce/kWh,
    heat 0.03412 kgce/MJ. This is what energy statistics report.
  - ``primary_energy`` (等价值): the primary energy spent to make it — electricity at that year's
    thermal-power coal rate (table electricity-primary-energy), heat at the supplier's 供热煤耗,
    which the caller gives as `coefficient`;
  fuels and energy-carrying media have one coefficient on either basis;
* purchased energy-carrying media (新水, 压缩空气, 氧气 …) count at their 等价值;
* energy sold or transferred out (`exported`) is subtracted, converted on the same basis.

Products: each product gets its part of the total (a `share` in % or an `allocated` amount) and
its 单位产品综合能耗 in kgce per product unit; with an output value, 单位产值综合能耗 in kgce/万元.
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
    stock_adjusted,
)
from greencore.calc.errors import CalcInputError, InconsistentDataError, MissingReferenceError, UnitError
from greencore.calc.jsonio import JsonRecord, to_dict
from greencore.calc.numbers import THOUSAND, ZERO, in_context, text
from greencore.calc.trail import Amount, Step, TableUse, Trail
from greencore.calc.units import Dimension, canonical, convert, ratio_in, split_ratio, unit_factor
from greencore.reference import ReferenceSet, ReferenceTable, Row

STANDARD_COAL_TABLE = "gbt2589-2020-standard-coal"
MEDIA_TABLE = "gbt2589-2020-energy-media"
PRIMARY_ELECTRICITY_TABLE = "electricity-primary-energy"

CATEGORIES = ("fuel", "electricity", "heat", "medium")


class Basis(StrEnum):
    """How electricity and heat are converted to standard coal."""

    CALORIFIC_VALUE = "calorific_value"  # 当量值
    PRIMARY_ENERGY = "primary_energy"  # 等价值

    @classmethod
    def _missing_(cls, value: object) -> Basis | None:
        return _BASIS_ALIASES.get(str(value))


# The Chinese terms, and the names the project's issue text used for them.
_BASIS_ALIASES = {
    "当量值": Basis.CALORIFIC_VALUE,
    "equivalent_value": Basis.CALORIFIC_VALUE,
    "等价值": Basis.PRIMARY_ENERGY,
    "equal_value": Basis.PRIMARY_ENERGY,
}

BASIS_ZH = {Basis.CALORIFIC_VALUE: "当量值", Basis.PRIMARY_ENERGY: "等价值"}


@dataclass(frozen=True)
class CarrierLine:
    """One energy carrier as bought (or sent out) in the period.

    `carrier` is a row id or Chinese name of the coefficient tables (raw_coal / 原煤, natural_gas /
    天然气, electricity / 电力, heat / 热力, steam / 蒸汽, fresh_water / 新水 …). `quantity` is the
    purchase (or the consumption when no stock is given), in `unit`. Steam can carry its metered
    `heat_content` (e.g. 2.8 GJ/t), which converts it as heat. A `coefficient` (kgce or tce per a unit
    of the carrier, e.g. a measured calorific value, or the heat supplier's 供热煤耗 in kgce/GJ)
    replaces the table's; say where it comes from in `coefficient_source`.
    """

    carrier: str
    quantity: Decimal
    unit: str
    stock_start: Decimal | None = None
    stock_end: Decimal | None = None
    heat_content: Decimal | None = None
    heat_content_unit: str | None = None
    coefficient: Decimal | None = None
    coefficient_unit: str | None = None
    coefficient_source: str | None = None
    renewable: bool = False
    label: str | None = None


@dataclass(frozen=True)
class EnergyInput(JsonRecord):
    basis: Basis
    carriers: tuple[CarrierLine, ...]
    year: int | None = None
    exported: tuple[CarrierLine, ...] = ()
    products: tuple[ProductLine, ...] = ()
    output_value: Decimal | None = None
    output_value_unit: str | None = None


@dataclass(frozen=True)
class EnergyLine:
    """A carrier converted to standard coal; `table`/`row` are absent when the line gave its coefficient."""

    place: str
    carrier: str
    name_zh: str
    category: str
    consumption: Amount
    coefficient: Amount
    standard_coal: Amount
    renewable: bool
    table: str | None = None
    row: str | None = None
    mark: str | None = None
    coefficient_source: str | None = None


@dataclass(frozen=True)
class EnergyResult:
    basis: Basis
    year: int | None
    total: Amount  # 综合能耗, tce
    consumed: Amount  # before subtracting what was sent out
    exported: Amount
    renewable: Amount  # lines marked renewable
    by_category: dict[str, Amount]
    lines: tuple[EnergyLine, ...]
    exported_lines: tuple[EnergyLine, ...]
    per_product: tuple[ProductIntensity, ...]
    per_output_value: Amount | None
    trail: tuple[Step, ...]
    tables_used: tuple[TableUse, ...]
    warnings: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = to_dict(self)
        return out


def carrier_row(tables: ReferenceSet, carrier: str, place: str) -> tuple[ReferenceTable, Row]:
    """The coefficient row of a carrier: energy first, then energy-carrying media."""
    available: list[str] = []
    for table_id in (STANDARD_COAL_TABLE, MEDIA_TABLE):
        table = tables.table(table_id)
        row = table.find(carrier.strip())
        if row is not None:
            return table, row
        available.extend(f"{r.id}（{r.name_zh}）" for r in table.rows)
    raise MissingReferenceError(
        place,
        f"无此能源品种 {carrier!r} 的折标准煤系数（表 {STANDARD_COAL_TABLE}、{MEDIA_TABLE}）",
        f"no standard-coal coefficient for {carrier!r}",
        choices=", ".join(available),
    )


def _primary_electricity_row(
    tables: ReferenceSet, year: int | None, place: str
) -> tuple[ReferenceTable, Row]:
    table = tables.table(PRIMARY_ELECTRICITY_TABLE)
    if year is None:
        raise CalcInputError(
            "year", "等价值按年度取值，须给出 year", "the primary-energy basis is yearly: give year"
        )
    for row in table.rows:
        if row.text("carrier") == "electricity" and row.year == year:
            return table, row
    years = ", ".join(str(r.year) for r in table.rows if r.text("carrier") == "electricity")
    raise MissingReferenceError(
        place,
        f"表 {table.key} 无 {year} 年电力等价值",
        f"no primary-energy coefficient for electricity in {year} in table {table.key}",
        choices=years,
    )


class CarrierConverter:
    """Converts carrier lines to standard coal on one basis, writing each step to the trail."""

    def __init__(self, basis: Basis, year: int | None, tables: ReferenceSet, trail: Trail) -> None:
        self.basis, self.year, self.tables, self.trail = basis, year, tables, trail

    def line(self, line: CarrierLine, place: str, prefix: str = "") -> EnergyLine:
        table, row = carrier_row(self.tables, line.carrier, f"{place}.carrier")
        # metered steam is not necessarily low-pressure steam, which is what the row's name says
        base = "蒸汽" if row.id == "steam" and line.heat_content is not None else row.name_zh
        name = prefix + (f"{base}（{line.label}）" if line.label else base)
        carrier_id, category = row.id, row.text("category")
        dimension = Dimension(row.text("dimension"))
        if row.id == "steam" and canonical(line.unit) in ("MJ", "GJ", "kJ", "TJ"):
            raise UnitError(
                f"{place}.unit",
                "蒸汽按质量计（t、kg）；以热量计请用 carrier “heat”（热力）",
                "steam is counted by mass (t, kg); for metered heat use carrier 'heat'",
                line.unit,
            )
        unit_factor(line.unit, dimension, f"{place}.unit", row.name_zh, row.id)
        consumed = stock_adjusted(
            line.quantity, line.stock_start, line.stock_end, line.unit, name, self.trail, place
        )
        quantity, unit = consumed, canonical(line.unit)

        if line.heat_content is not None or line.heat_content_unit is not None:
            if row.id != "steam":
                raise CalcInputError(
                    f"{place}.heat_content",
                    "只有蒸汽可给出热量（heat_content）",
                    "only steam takes a heat_content",
                )
            if line.heat_content is None or line.heat_content_unit is None:
                raise CalcInputError(
                    f"{place}.heat_content",
                    "热量与其单位须同时给出",
                    "give heat_content with heat_content_unit",
                )
            non_negative(line.heat_content, f"{place}.heat_content", line.heat_content_unit)
            per_unit = ratio_in(
                line.heat_content,
                line.heat_content_unit,
                Dimension.HEAT,
                Dimension.MASS,
                f"MJ/{unit}",
                f"{place}.heat_content_unit",
            )
            quantity = self.trail.add(
                f"{name} 热量（按实测热焓）",
                quantity * per_unit,
                "MJ",
                quantity=quantity,
                unit=unit,
                coefficient=per_unit,
                coefficient_unit=f"MJ/{unit}",
                place=f"{place}.heat_content",
            )
            unit, dimension = "MJ", Dimension.HEAT
            table = self.tables.table(STANDARD_COAL_TABLE)
            row = table.row("heat")

        if line.coefficient is not None or line.coefficient_unit is not None:
            kgce, coefficient = self._given_coefficient(line, quantity, unit, dimension, name, place)
            used_table: ReferenceTable | None = None
            used_row: Row | None = None
        else:
            used_table, used_row = self._table_row(table, row, category, place)
            coefficient = Amount(used_row.number("value"), used_row.text("unit"))
            kgce = self._apply(quantity, unit, coefficient, dimension, name, place, used_table, used_row)
        return EnergyLine(
            place=place,
            carrier=carrier_id,
            name_zh=name,
            category=category,
            consumption=Amount(consumed, canonical(line.unit)),
            coefficient=coefficient,
            standard_coal=Amount(kgce / THOUSAND, "tce"),
            renewable=line.renewable,
            table=used_table.key if used_table else None,
            row=used_row.id if used_row else None,
            mark=used_row.mark.value if used_row else None,
            coefficient_source=line.coefficient_source,
        )

    def _table_row(
        self, table: ReferenceTable, row: Row, category: str, place: str
    ) -> tuple[ReferenceTable, Row]:
        if self.basis is Basis.PRIMARY_ENERGY:
            if category == "electricity":
                return _primary_electricity_row(self.tables, self.year, place)
            if category == "heat":
                raise MissingReferenceError(
                    f"{place}.coefficient",
                    "热力（蒸汽）等价值须按供热单位的供热标准煤耗给出 coefficient（如 kgce/GJ）",
                    "heat and steam on the primary-energy basis need the supplier's coefficient"
                    " (e.g. kgce/GJ)",
                )
        return table, row

    def _apply(
        self,
        quantity: Decimal,
        unit: str,
        coefficient: Amount,
        dimension: Dimension,
        name: str,
        place: str,
        table: ReferenceTable | None,
        row: Row | None,
    ) -> Decimal:
        """quantity × coefficient, after bringing the quantity to the coefficient's denominator unit."""
        numerator, denominator = split_ratio(coefficient.unit, f"{place}.coefficient_unit")
        unit_factor(
            numerator, Dimension.STANDARD_COAL, f"{place}.coefficient_unit", "系数分子", "the numerator"
        )
        unit_factor(denominator, dimension, f"{place}.coefficient_unit", name, "this carrier")
        if canonical(denominator) != unit:
            quantity = self.trail.add(
                f"{name} 单位换算",
                convert(quantity, unit, denominator, dimension, f"{place}.unit"),
                canonical(denominator),
                formula=f"{text(quantity)} {unit}",
            )
        basis = f"（{BASIS_ZH[self.basis]}）" if dimension in (Dimension.ELECTRICITY, Dimension.HEAT) else ""
        in_numerator = self.trail.add(
            f"{name} 折标准煤{basis}",
            quantity * coefficient.value,
            numerator,
            quantity=quantity,
            unit=canonical(denominator),
            coefficient=coefficient.value,
            coefficient_unit=coefficient.unit,
            table=table,
            row=row,
            place=place,
        )
        return convert(in_numerator, numerator, "kgce", Dimension.STANDARD_COAL, f"{place}.coefficient_unit")

    def _given_coefficient(
        self, line: CarrierLine, quantity: Decimal, unit: str, dimension: Dimension, name: str, place: str
    ) -> tuple[Decimal, Amount]:
        if line.coefficient is None or line.coefficient_unit is None:
            raise CalcInputError(
                f"{place}.coefficient", "系数与其单位须同时给出", "give coefficient with coefficient_unit"
            )
        non_negative(line.coefficient, f"{place}.coefficient", line.coefficient_unit)
        coefficient = Amount(line.coefficient, line.coefficient_unit)
        source = f"，{line.coefficient_source}" if line.coefficient_source else ""
        kgce = self._apply(
            quantity, unit, coefficient, dimension, f"{name}（给定系数{source}）", place, None, None
        )
        return kgce, coefficient


def _sum_step(trail: Trail, label: str, lines: tuple[EnergyLine, ...]) -> Decimal:
    """Σ of the lines' kgce, stated in tce."""
    kgce = [line.standard_coal.value * THOUSAND for line in lines]
    total = sum(kgce, ZERO) / THOUSAND
    terms = " + ".join(text(k) for k in kgce) or "0"
    return trail.add(label, total, "tce", formula=f"({terms}) kgce ÷ 1000")


@in_context
def comprehensive_energy(inp: EnergyInput, tables: ReferenceSet | None = None) -> EnergyResult:
    """综合能耗 of a plant (GB/T 2589-2020), per product and per 万元 output value."""
    tables = tables or ReferenceSet.default()
    trail = Trail()
    if not inp.carriers:
        raise CalcInputError("carriers", "至少给出一种能源", "give at least one energy carrier")
    converter = CarrierConverter(inp.basis, inp.year, tables, trail)
    lines = tuple(converter.line(line, f"carriers[{i}]") for i, line in enumerate(inp.carriers))
    for i, line in enumerate(inp.exported):
        if line.renewable:
            raise CalcInputError(
                f"exported[{i}].renewable", "外供能源不标记可再生", "exported lines are not marked renewable"
            )
    exported_lines = tuple(
        converter.line(line, f"exported[{i}]", "外供") for i, line in enumerate(inp.exported)
    )

    consumed = _sum_step(trail, "能源消费量合计", lines)
    exported = _sum_step(trail, "外供（输出）能源合计", exported_lines) if exported_lines else ZERO
    if exported > consumed:
        raise InconsistentDataError(
            "exported",
            "外供能源大于消费能源",
            "energy sent out exceeds energy consumed",
            f"{text(exported)} > {text(consumed)} tce",
        )
    total = trail.add(
        f"综合能耗（{BASIS_ZH[inp.basis]}）",
        consumed - exported,
        "tce",
        formula=f"{text(consumed)} tce − {text(exported)} tce",
    )
    renewable_lines = tuple(line for line in lines if line.renewable)
    renewable = _sum_step(trail, "可再生能源消费量", renewable_lines) if renewable_lines else ZERO
    by_category = {
        category: Amount(
            sum((line.standard_coal.value for line in lines if line.category == category), ZERO), "tce"
        )
        for category in CATEGORIES
        if any(line.category == category for line in lines)
    }

    total_amount = Amount(total, "tce")
    per_product, per_output = intensities(
        total_amount,
        inp.products,
        inp.output_value,
        inp.output_value_unit,
        Dimension.STANDARD_COAL,
        trail,
        what_zh="综合能耗",
        unit="kgce",
        scale=THOUSAND,
    )
    return EnergyResult(
        basis=inp.basis,
        year=inp.year,
        total=total_amount,
        consumed=Amount(consumed, "tce"),
        exported=Amount(exported, "tce"),
        renewable=Amount(renewable, "tce"),
        by_category=by_category,
        lines=lines,
        exported_lines=exported_lines,
        per_product=per_product,
        per_output_value=per_output,
        trail=tuple(trail.steps),
        tables_used=trail.tables_used(),
        warnings=tuple(trail.warnings),
    )
