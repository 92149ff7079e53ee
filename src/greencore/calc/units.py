"""Units: explicit conversions within a dimension, nothing else.

Each carrier has one dimension (coal: mass, natural gas: gas volume, electricity: electricity …).
A unit converts only within its dimension, by an exact power-of-ten factor, so kWh for coal or t
for electricity is an error, never a guess. Physical conversions between dimensions (heat ↔ coal)
go through the published coefficients of the reference tables, not through unit algebra.
"""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum

from greencore.calc.errors import UnitError


class Dimension(StrEnum):
    MASS = "mass"
    GAS_VOLUME = "gas_volume"  # at standard state: m³ and Nm³ mean the same here
    WATER = "water"  # water and water-like media: 1 m³ = 1 t by convention
    ELECTRICITY = "electricity"
    HEAT = "heat"
    STANDARD_COAL = "standard_coal"
    CARBON = "carbon"
    CO2 = "co2"
    AREA = "area"
    MONEY = "money"
    PERSONS = "persons"


DIMENSION_ZH: dict[Dimension, str] = {
    Dimension.MASS: "质量",
    Dimension.GAS_VOLUME: "气体体积",
    Dimension.WATER: "水量",
    Dimension.ELECTRICITY: "电量",
    Dimension.HEAT: "热量",
    Dimension.STANDARD_COAL: "标准煤",
    Dimension.CARBON: "碳量",
    Dimension.CO2: "二氧化碳",
    Dimension.AREA: "面积",
    Dimension.MONEY: "金额",
    Dimension.PERSONS: "人数",
}

_D = Decimal
# Factor of each unit to the first unit of its dimension.
UNITS: dict[Dimension, dict[str, Decimal]] = {
    Dimension.MASS: {"kg": _D(1), "t": _D(1000), "万t": _D(10_000_000)},
    Dimension.GAS_VOLUME: {
        "m³": _D(1),
        "Nm³": _D(1),
        "万m³": _D(10_000),
        "万Nm³": _D(10_000),
        "亿m³": _D(100_000_000),
    },
    Dimension.WATER: {"m³": _D(1), "t": _D(1), "万m³": _D(10_000), "万t": _D(10_000)},
    Dimension.ELECTRICITY: {
        "kWh": _D(1),
        "MWh": _D(1000),
        "GWh": _D(1_000_000),
        "万kWh": _D(10_000),
        "亿kWh": _D(100_000_000),
    },
    Dimension.HEAT: {"MJ": _D(1), "kJ": _D("0.001"), "GJ": _D(1000), "TJ": _D(1_000_000)},
    Dimension.STANDARD_COAL: {"kgce": _D(1), "tce": _D(1000), "万tce": _D(10_000_000)},
    Dimension.CARBON: {"kgC": _D(1), "tC": _D(1000)},
    # totals are CO2 equivalent; a process emission given in tCO2e is added as reported
    Dimension.CO2: {
        "kgCO2": _D(1),
        "tCO2": _D(1000),
        "万tCO2": _D(10_000_000),
        "kgCO2e": _D(1),
        "tCO2e": _D(1000),
        "万tCO2e": _D(10_000_000),
    },
    Dimension.AREA: {"m²": _D(1), "hm²": _D(10_000), "km²": _D(1_000_000)},
    Dimension.MONEY: {"万元": _D(1), "元": _D("0.0001"), "亿元": _D(10_000)},
    Dimension.PERSONS: {"人": _D(1), "万人": _D(10_000)},
}

# Spelling variants accepted for the canonical symbols above.
ALIASES: dict[str, str] = {
    "m3": "m³",
    "m^3": "m³",
    "立方米": "m³",
    "Nm3": "Nm³",
    "标准立方米": "Nm³",
    "万m3": "万m³",
    "万立方米": "万m³",
    "万Nm3": "万Nm³",
    "亿m3": "亿m³",
    "亿立方米": "亿m³",
    "吨": "t",
    "千克": "kg",
    "公斤": "kg",
    "万吨": "万t",
    "kwh": "kWh",
    "KWh": "kWh",
    "千瓦时": "kWh",
    "度": "kWh",
    "万千瓦时": "万kWh",
    "万度": "万kWh",
    "万kwh": "万kWh",
    "兆瓦时": "MWh",
    "亿千瓦时": "亿kWh",
    "吉焦": "GJ",
    "百万千焦": "GJ",
    "兆焦": "MJ",
    "千焦": "kJ",
    "太焦": "TJ",
    "千克标准煤": "kgce",
    "吨标准煤": "tce",
    "万吨标准煤": "万tce",
    "m2": "m²",
    "平方米": "m²",
    "hm2": "hm²",
    "公顷": "hm²",
    "km2": "km²",
    "平方公里": "km²",
}


def canonical(unit: str) -> str:
    unit = unit.strip()
    return ALIASES.get(unit, unit)


def accepted(dimension: Dimension) -> str:
    return "、".join(UNITS[dimension])


def unit_factor(unit: str, dimension: Dimension, place: str, what_zh: str = "", what_en: str = "") -> Decimal:
    """Factor of `unit` to the base unit of `dimension`; a unit of another dimension is an error."""
    symbol = canonical(unit)
    table = UNITS[dimension]
    if symbol in table:
        return table[symbol]
    for other, units in UNITS.items():
        if symbol in units:
            raise UnitError(
                place,
                f"单位 {unit} 是{DIMENSION_ZH[other]}单位，"
                f"{what_zh or '此处'}应为{DIMENSION_ZH[dimension]}单位",
                f"unit {unit} measures {other.value}, {what_en or 'this field'} needs {dimension.value}",
                choices=accepted(dimension),
                choices_en="accepted",
            )
    raise UnitError(
        place,
        f"未知单位 {unit!r}",
        f"unknown unit {unit!r}",
        choices=accepted(dimension),
        choices_en="accepted",
    )


def convert(value: Decimal, unit: str, to_unit: str, dimension: Dimension, place: str) -> Decimal:
    """`value` in `unit` expressed in `to_unit` (exact: the factors are powers of ten)."""
    if canonical(unit) == canonical(to_unit):
        return value
    return value * unit_factor(unit, dimension, place) / unit_factor(to_unit, dimension, place)


def split_ratio(unit: str, place: str) -> tuple[str, str]:
    """ "kgce/kg" → ("kgce", "kg")."""
    parts = unit.split("/")
    if len(parts) != 2 or not parts[0].strip() or not parts[1].strip():
        raise UnitError(
            place, f"单位 {unit!r} 应为“分子/分母”形式", f"unit {unit!r} must read numerator/denominator"
        )
    return parts[0].strip(), parts[1].strip()


def ratio_in(
    value: Decimal,
    unit: str,
    numerator: Dimension,
    denominator: Dimension,
    to_unit: str,
    place: str,
) -> Decimal:
    """A coefficient `value unit` (e.g. 12.143 tce/万m³) re-expressed in `to_unit` (e.g. kgce/m³)."""
    num, den = split_ratio(unit, place)
    to_num, to_den = split_ratio(to_unit, place)
    num_factor = unit_factor(num, numerator, place) / unit_factor(to_num, numerator, place)
    den_factor = unit_factor(den, denominator, place) / unit_factor(to_den, denominator, place)
    return value * num_factor / den_factor


# A denominator that stands for each product's own unit (t, 台, 件 …) in a per-product figure.
PRODUCT_UNIT = "产品单位"
_DIMENSIONLESS = ("", "%")


def _simple_factor(unit: str, to_unit: str, place: str) -> Decimal:
    """Factor from one plain unit to another of the same dimension (t ↔ kg, 万元 ↔ 元 …)."""
    a, b = canonical(unit), canonical(to_unit)
    if a == b:
        return Decimal(1)
    for units in UNITS.values():
        if a in units and b in units:
            return units[a] / units[b]
    raise UnitError(
        place,
        f"单位 {unit or '（无量纲）'} 不能换算为 {to_unit or '（无量纲）'}",
        f"unit {unit or '(none)'} does not convert to {to_unit or '(none)'}",
    )


def rescale(unit: str, to_unit: str, place: str) -> Decimal:
    """The exact factor that re-expresses a figure in `unit` as one in `to_unit`.

    Plain units convert within their dimension (tce → kgce); a ratio converts numerator and
    denominator apart (kgce/万元 → tce/万元); % and a dimensionless figure convert only to
    themselves; 产品单位 matches whatever unit a product is counted in (kgce/t reads as
    kgce/产品单位). Anything else is a UnitError naming `place`.
    """
    if unit in _DIMENSIONLESS or to_unit in _DIMENSIONLESS:
        if unit == to_unit:
            return Decimal(1)
        raise UnitError(
            place,
            f"单位 {unit or '（无量纲）'} 不能换算为 {to_unit or '（无量纲）'}",
            f"unit {unit or '(none)'} does not convert to {to_unit or '(none)'}",
        )
    if "/" not in unit and "/" not in to_unit:
        return _simple_factor(unit, to_unit, place)
    if "/" not in unit or "/" not in to_unit:
        raise UnitError(
            place,
            f"单位 {unit} 与 {to_unit} 一个是比值一个不是，不能换算",
            f"unit {unit} and {to_unit} are not both ratios",
        )
    num, den = split_ratio(unit, place)
    to_num, to_den = split_ratio(to_unit, place)
    factor = _simple_factor(num, to_num, place)
    if PRODUCT_UNIT in (den, to_den):
        return factor
    return factor / _simple_factor(den, to_den, place)
