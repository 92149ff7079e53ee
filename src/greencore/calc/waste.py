"""Industrial solid waste: comprehensive utilisation rate (工业固体废物综合利用率).

rate = 综合利用量 / (产生量 + 综合利用往年贮存量) × 100 %

综合利用量 (`utilised`) includes what was used this year out of earlier years' storage
(`utilised_from_storage`); that part is added to the denominator so the rate stays ≤ 100 %.
The indicator of the green-factory schemes is for general (一般) industrial solid waste; hazardous
waste streams are reported with their own rate and kept out of it.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Any

from greencore.calc.common import non_negative, required_text
from greencore.calc.errors import CalcInputError, InconsistentDataError
from greencore.calc.jsonio import JsonRecord, to_dict
from greencore.calc.numbers import ZERO, in_context, percent, text
from greencore.calc.trail import Amount, Step, TableUse, Trail
from greencore.calc.units import Dimension, canonical, convert, unit_factor


class WasteCategory(StrEnum):
    GENERAL = "general"  # 一般工业固体废物
    HAZARDOUS = "hazardous"  # 危险废物

    @classmethod
    def _missing_(cls, value: object) -> WasteCategory | None:
        return {
            "一般": cls.GENERAL,
            "一般工业固体废物": cls.GENERAL,
            "危险废物": cls.HAZARDOUS,
            "危废": cls.HAZARDOUS,
        }.get(str(value))


@dataclass(frozen=True)
class WasteStream:
    name: str
    generated: Decimal
    utilised: Decimal
    unit: str
    utilised_from_storage: Decimal | None = None
    category: WasteCategory = WasteCategory.GENERAL


@dataclass(frozen=True)
class WasteInput(JsonRecord):
    streams: tuple[WasteStream, ...]


@dataclass(frozen=True)
class StreamRate:
    name: str
    category: WasteCategory
    generated: Amount
    utilised: Amount
    utilised_from_storage: Amount
    rate: Amount | None  # None when nothing was generated nor taken from storage


@dataclass(frozen=True)
class WasteResult:
    utilisation_rate: Amount  # general industrial solid waste
    generated: Amount
    utilised: Amount
    utilised_from_storage: Amount
    hazardous_utilisation_rate: Amount | None
    streams: tuple[StreamRate, ...]
    trail: tuple[Step, ...]
    tables_used: tuple[TableUse, ...]
    warnings: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = to_dict(self)
        return out


def _tonnes(value: Decimal, unit: str, place: str) -> Decimal:
    return convert(value, unit, "t", Dimension.MASS, place)


def _rate(label: str, utilised: Decimal, generated: Decimal, from_storage: Decimal, trail: Trail) -> Decimal:
    return trail.add(
        label,
        percent(utilised, generated + from_storage),
        "%",
        formula=f"{text(utilised)} ÷ ({text(generated)} + {text(from_storage)}) × 100",
    )


@in_context
def solid_waste_utilisation(inp: WasteInput) -> WasteResult:
    """Utilisation rate of general industrial solid waste (and of hazardous waste, apart)."""
    trail = Trail()
    if not inp.streams:
        raise CalcInputError("streams", "至少给出一种固体废物", "give at least one waste stream")
    rates: list[StreamRate] = []
    totals = {category: [ZERO, ZERO, ZERO] for category in WasteCategory}  # generated, utilised, from storage
    for i, stream in enumerate(inp.streams):
        at = f"streams[{i}]"
        required_text(stream.name, f"{at}.name")
        unit_factor(stream.unit, Dimension.MASS, f"{at}.unit", "固体废物", "solid waste")
        generated = non_negative(stream.generated, f"{at}.generated", stream.unit)
        utilised = non_negative(stream.utilised, f"{at}.utilised", stream.unit)
        stored = non_negative(
            stream.utilised_from_storage or ZERO, f"{at}.utilised_from_storage", stream.unit
        )
        if stored > utilised:
            raise InconsistentDataError(
                f"{at}.utilised_from_storage",
                "利用往年贮存量大于综合利用量（综合利用量应包含利用往年贮存量）",
                "utilised from storage exceeds utilised (utilised includes it)",
                f"{text(stored)} > {text(utilised)} {stream.unit}",
            )
        if utilised > generated + stored:
            raise InconsistentDataError(
                f"{at}.utilised",
                "综合利用量大于产生量与利用往年贮存量之和",
                "utilised exceeds generated plus utilised from storage",
                f"{text(utilised)} > {text(generated)} + {text(stored)} {stream.unit}",
            )
        g, u, s = (_tonnes(v, stream.unit, f"{at}.unit") for v in (generated, utilised, stored))
        if canonical(stream.unit) != "t":
            trail.add(
                f"{stream.name} 单位换算（产生量、利用量、利用往年贮存量）",
                g,
                "t",
                formula=f"{text(generated)} {stream.unit}",
            )
        rate = _rate(f"{stream.name} 综合利用率", u, g, s, trail) if g + s > 0 else None
        rates.append(
            StreamRate(
                stream.name,
                stream.category,
                Amount(g, "t"),
                Amount(u, "t"),
                Amount(s, "t"),
                Amount(rate, "%") if rate is not None else None,
            )
        )
        for index, value in enumerate((g, u, s)):
            totals[stream.category][index] += value

    def category_rate(category: WasteCategory, label: str) -> Decimal | None:
        g, u, s = totals[category]
        if g + s == 0:
            return None
        return _rate(label, u, g, s, trail)

    general = category_rate(
        WasteCategory.GENERAL,
        "一般工业固体废物综合利用率 = 综合利用量 ÷ (产生量 + 综合利用往年贮存量) × 100%",
    )
    if general is None:
        raise InconsistentDataError(
            "streams",
            "无一般工业固体废物产生或利用，综合利用率无定义",
            "no general solid waste generated or used: the rate is undefined",
        )
    hazardous = category_rate(WasteCategory.HAZARDOUS, "危险废物综合利用率（单独报告）")
    g, u, s = totals[WasteCategory.GENERAL]
    return WasteResult(
        utilisation_rate=Amount(general, "%"),
        generated=Amount(g, "t"),
        utilised=Amount(u, "t"),
        utilised_from_storage=Amount(s, "t"),
        hazardous_utilisation_rate=Amount(hazardous, "%") if hazardous is not None else None,
        streams=tuple(rates),
        trail=tuple(trail.steps),
        tables_used=(),
        warnings=(),
    )
