"""Water: intake (取水量), reuse rate (工业用水重复利用率), water per product and per 万元.

R = V_r / (V_i + V_r) × 100 %, V_r the water used again (循环水、串联水、回用水), V_i the intake.
Waste-water reuse rate (废水处理回用率) = water reused after the plant's own treatment / water the
plant treated × 100 %, when both are given.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from greencore.calc.common import (
    ProductIntensity,
    ProductLine,
    intensities,
    non_negative,
    required_text,
)
from greencore.calc.errors import CalcInputError, InconsistentDataError
from greencore.calc.jsonio import JsonRecord, to_dict
from greencore.calc.numbers import ONE, ZERO, in_context, percent, text
from greencore.calc.trail import Amount, Step, TableUse, Trail
from greencore.calc.units import Dimension, canonical, convert, unit_factor


@dataclass(frozen=True)
class IntakeLine:
    """Water taken in from one source: a `quantity`, or a meter's readings at start and end of the period
    (× `multiplier` for meters that count in tens or hundreds)."""

    source: str
    unit: str
    quantity: Decimal | None = None
    reading_start: Decimal | None = None
    reading_end: Decimal | None = None
    multiplier: Decimal | None = None


@dataclass(frozen=True)
class ReuseLine:
    name: str
    quantity: Decimal
    unit: str


@dataclass(frozen=True)
class WaterInput(JsonRecord):
    intake: tuple[IntakeLine, ...]
    reused: tuple[ReuseLine, ...] = ()
    wastewater_treated: Decimal | None = None
    wastewater_reused: Decimal | None = None
    wastewater_unit: str | None = None
    products: tuple[ProductLine, ...] = ()
    output_value: Decimal | None = None
    output_value_unit: str | None = None


@dataclass(frozen=True)
class WaterResult:
    intake: Amount
    reused: Amount
    reuse_rate: Amount
    wastewater_reuse_rate: Amount | None
    per_product: tuple[ProductIntensity, ...]
    per_output_value: Amount | None
    trail: tuple[Step, ...]
    tables_used: tuple[TableUse, ...]
    warnings: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = to_dict(self)
        return out


def _m3(value: Decimal, unit: str, place: str, label: str, trail: Trail) -> Decimal:
    unit_factor(unit, Dimension.WATER, place, "水量", "a water quantity")
    m3 = convert(value, unit, "m³", Dimension.WATER, place)
    if canonical(unit) != "m³":
        trail.add(f"{label} 单位换算", m3, "m³", formula=f"{text(value)} {unit}")
    return m3


def _intake(line: IntakeLine, place: str, trail: Trail) -> Decimal:
    required_text(line.source, f"{place}.source")
    readings = line.reading_start is not None or line.reading_end is not None
    if readings == (line.quantity is not None):
        raise CalcInputError(
            place,
            "quantity 与表底数（reading_start、reading_end）须且只须给出一种",
            "give either quantity or meter readings",
        )
    if line.quantity is not None:
        non_negative(line.quantity, f"{place}.quantity", line.unit)
        quantity = line.quantity
    else:
        if line.reading_start is None or line.reading_end is None:
            raise CalcInputError(place, "表底数须给出期初与期末", "give both reading_start and reading_end")
        non_negative(line.reading_start, f"{place}.reading_start", line.unit)
        if line.reading_end < line.reading_start:
            raise InconsistentDataError(
                f"{place}.reading_end",
                "期末表底数小于期初（表底数倒退或换表，请分段填写）",
                "meter reading went backwards (meter replaced? give the periods as separate lines)",
                f"{text(line.reading_end)} < {text(line.reading_start)}",
            )
        multiplier = line.multiplier if line.multiplier is not None else ONE
        if multiplier <= 0:
            raise CalcInputError(
                f"{place}.multiplier",
                "倍率必须大于零",
                "multiplier must be greater than zero",
                text(multiplier),
            )
        quantity = trail.add(
            f"{line.source} 取水量（期末 − 期初表底数）× 倍率",
            (line.reading_end - line.reading_start) * multiplier,
            canonical(line.unit),
            formula=(
                f"({text(line.reading_end)} − {text(line.reading_start)}) × {text(multiplier)} {line.unit}"
            ),
            place=place,
        )
    return _m3(quantity, line.unit, f"{place}.unit", line.source, trail)


@in_context
def water_indicators(inp: WaterInput) -> WaterResult:
    """Intake, reuse rate, waste-water reuse rate, water per product and per 万元."""
    trail = Trail()
    if not inp.intake:
        raise CalcInputError("intake", "至少给出一个取水来源", "give at least one intake line")
    intake_parts = [_intake(line, f"intake[{i}]", trail) for i, line in enumerate(inp.intake)]
    intake = trail.add(
        "取水量 V_i", sum(intake_parts, ZERO), "m³", formula=" + ".join(text(v) for v in intake_parts) + " m³"
    )
    reused_parts = []
    for i, line in enumerate(inp.reused):
        required_text(line.name, f"reused[{i}].name")
        non_negative(line.quantity, f"reused[{i}].quantity", line.unit)
        reused_parts.append(_m3(line.quantity, line.unit, f"reused[{i}].unit", line.name, trail))
    reused = trail.add(
        "重复利用水量 V_r",
        sum(reused_parts, ZERO),
        "m³",
        formula=" + ".join(text(v) for v in reused_parts) + " m³" if reused_parts else "0 m³",
    )
    if intake + reused == 0:
        raise InconsistentDataError(
            "intake",
            "取水量与重复利用水量均为零，重复利用率无定义",
            "intake and reuse are both zero: the reuse rate is undefined",
        )
    rate = trail.add(
        "工业用水重复利用率 R = V_r / (V_i + V_r) × 100%",
        percent(reused, intake + reused),
        "%",
        formula=f"{text(reused)} ÷ ({text(intake)} + {text(reused)}) × 100",
    )

    wastewater: Amount | None = None
    given = (inp.wastewater_treated, inp.wastewater_reused, inp.wastewater_unit)
    if any(v is not None for v in given):
        if inp.wastewater_treated is None or inp.wastewater_reused is None or inp.wastewater_unit is None:
            raise CalcInputError(
                "wastewater_treated",
                "废水处理量、回用量及其单位须同时给出",
                "give wastewater_treated, wastewater_reused and wastewater_unit together",
            )
        non_negative(inp.wastewater_treated, "wastewater_treated", inp.wastewater_unit)
        non_negative(inp.wastewater_reused, "wastewater_reused", inp.wastewater_unit)
        unit_factor(inp.wastewater_unit, Dimension.WATER, "wastewater_unit", "水量", "a water quantity")
        if inp.wastewater_treated == 0 or inp.wastewater_reused > inp.wastewater_treated:
            raise InconsistentDataError(
                "wastewater_reused",
                "废水回用量应不大于处理量，且处理量大于零",
                "reused waste water must not exceed the treated amount, which must be above zero",
                f"{text(inp.wastewater_reused)} / {text(inp.wastewater_treated)} {inp.wastewater_unit}",
            )
        wastewater = Amount(
            trail.add(
                "废水处理回用率",
                percent(inp.wastewater_reused, inp.wastewater_treated),
                "%",
                formula=f"{text(inp.wastewater_reused)} ÷ {text(inp.wastewater_treated)} × 100",
            ),
            "%",
        )

    intake_amount = Amount(intake, "m³")
    per_product, per_output = intensities(
        intake_amount,
        inp.products,
        inp.output_value,
        inp.output_value_unit,
        Dimension.WATER,
        trail,
        what_zh="取水量",
        unit="m³",
        scale=ONE,
    )
    return WaterResult(
        intake=intake_amount,
        reused=Amount(reused, "m³"),
        reuse_rate=Amount(rate, "%"),
        wastewater_reuse_rate=wastewater,
        per_product=per_product,
        per_output_value=per_output,
        trail=tuple(trail.steps),
        tables_used=(),
        warnings=(),
    )
