"""Pieces shared by the calculations: checks of quantities, products and the per-万元 figure."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from greencore.calc.errors import CalcInputError, InconsistentDataError, NegativeQuantityError
from greencore.calc.numbers import HUNDRED, ZERO, ratio, text
from greencore.calc.trail import Amount, Trail
from greencore.calc.units import Dimension, canonical, convert, unit_factor


def non_negative(value: Decimal, place: str, unit: str = "") -> Decimal:
    if value < 0:
        shown = f"{text(value)} {unit}".strip()
        raise NegativeQuantityError(place, "数量不能为负", "negative quantity", shown)
    return value


def positive(
    value: Decimal, place: str, unit: str = "", what_zh: str = "数量", what_en: str = "quantity"
) -> Decimal:
    non_negative(value, place, unit)
    if value == 0:
        raise CalcInputError(
            place, f"{what_zh}必须大于零", f"{what_en} must be greater than zero", f"0 {unit}".strip()
        )
    return value


def required_text(value: str, place: str) -> str:
    if not value.strip():
        raise CalcInputError(place, "不能为空", "must not be empty")
    return value


@dataclass(frozen=True)
class ProductLine:
    """A product's output and its part of the plant total: `share` (%) or `allocated` (with its unit).

    For per-product consumption measured directly, give `allocated` (e.g. the product line's own
    metered energy in tce); for an allocation key, give `share`.
    """

    name: str
    output: Decimal
    output_unit: str
    share: Decimal | None = None
    allocated: Decimal | None = None
    allocated_unit: str | None = None


@dataclass(frozen=True)
class ProductIntensity:
    name: str
    output: Amount
    allocated: Amount
    intensity: Amount


def allocate_to_products(
    products: Sequence[ProductLine],
    total: Amount,
    dimension: Dimension,
    trail: Trail,
    *,
    what_zh: str,
    intensity_unit: str,
    intensity_scale: Decimal,
    place: str = "products",
) -> tuple[ProductIntensity, ...]:
    """Each product's part of `total` and its intensity `part × scale / output` (e.g. kgce per t)."""
    results: list[ProductIntensity] = []
    allocated_sum = ZERO
    for index, product in enumerate(products):
        at = f"{place}[{index}]"
        required_text(product.name, f"{at}.name")
        required_text(product.output_unit, f"{at}.output_unit")
        positive(product.output, f"{at}.output", product.output_unit, "产量", "output")
        if (product.share is None) == (product.allocated is None):
            raise CalcInputError(
                at, "share 与 allocated 须且只须给出一个", "give exactly one of share or allocated"
            )
        if product.share is not None:
            non_negative(product.share, f"{at}.share", "%")
            if product.share > HUNDRED:
                raise InconsistentDataError(
                    f"{at}.share", "分摊比例超过 100%", "share above 100 %", f"{text(product.share)} %"
                )
            part = trail.add(
                f"{product.name} 分摊{what_zh}",
                total.value * product.share / HUNDRED,
                total.unit,
                formula=f"{text(total.value)} {total.unit} × {text(product.share)} %",
                place=f"{at}.share",
            )
        else:
            assert product.allocated is not None
            if product.allocated_unit is None:
                raise CalcInputError(f"{at}.allocated_unit", "缺少单位", "missing unit")
            non_negative(product.allocated, f"{at}.allocated", product.allocated_unit)
            part = convert(
                product.allocated, product.allocated_unit, total.unit, dimension, f"{at}.allocated_unit"
            )
            if canonical(product.allocated_unit) != canonical(total.unit):
                trail.add(
                    f"{product.name} {what_zh}（换算）",
                    part,
                    total.unit,
                    formula=f"{text(product.allocated)} {product.allocated_unit}",
                    place=f"{at}.allocated",
                )
        allocated_sum += part
        unit = f"{intensity_unit}/{product.output_unit}"
        intensity = trail.add(
            f"{product.name} 单位产品{what_zh}",
            ratio(part * intensity_scale, product.output),
            unit,
            formula=(
                f"{text(part)} {total.unit} × {text(intensity_scale)}"
                f" ÷ {text(product.output)} {product.output_unit}"
            ),
        )
        results.append(
            ProductIntensity(
                name=product.name,
                output=Amount(product.output, product.output_unit),
                allocated=Amount(part, total.unit),
                intensity=Amount(intensity, unit),
            )
        )
    if allocated_sum > total.value:
        raise InconsistentDataError(
            place,
            f"各产品分摊的{what_zh}合计超过总量",
            "the products' parts add up to more than the total",
            f"{text(allocated_sum)} > {text(total.value)} {total.unit}",
        )
    return tuple(results)


def output_value_in_10k_yuan(
    value: Decimal | None, unit: str | None, trail: Trail, place: str
) -> Decimal | None:
    """The output value in 万元 (the denominator of every per-万元 figure), or None if not given."""
    if value is None and unit is None:
        return None
    if value is None or unit is None:
        missing = place if value is None else f"{place}_unit"
        raise CalcInputError(
            missing, "产值与其单位须同时给出", "give the output value together with its unit"
        )
    positive(value, place, unit, "产值", "output value")
    unit_factor(unit, Dimension.MONEY, f"{place}_unit", "产值", "the output value")
    in_10k = convert(value, unit, "万元", Dimension.MONEY, f"{place}_unit")
    if canonical(unit) != "万元":
        trail.add("产值（换算为万元）", in_10k, "万元", formula=f"{text(value)} {unit}", place=place)
    return in_10k


def per_output_value(
    total: Amount, output_10k_yuan: Decimal | None, scale: Decimal, unit: str, label: str, trail: Trail
) -> Amount | None:
    if output_10k_yuan is None:
        return None
    value = trail.add(
        label,
        ratio(total.value * scale, output_10k_yuan),
        unit,
        formula=f"{text(total.value)} {total.unit} × {text(scale)} ÷ {text(output_10k_yuan)} 万元",
    )
    return Amount(value, unit)


def stock_adjusted(
    quantity: Decimal,
    stock_start: Decimal | None,
    stock_end: Decimal | None,
    unit: str,
    name: str,
    trail: Trail,
    place: str,
) -> Decimal:
    """Consumption = purchases + stock at start − stock at end (GB/T 2589 / GB/T 32150 activity data)."""
    non_negative(quantity, f"{place}.quantity", unit)
    if stock_start is None and stock_end is None:
        return quantity
    start = non_negative(stock_start if stock_start is not None else ZERO, f"{place}.stock_start", unit)
    end = non_negative(stock_end if stock_end is not None else ZERO, f"{place}.stock_end", unit)
    consumed = quantity + start - end
    if consumed < 0:
        raise InconsistentDataError(
            f"{place}.stock_end",
            "期末库存大于购入量与期初库存之和",
            "stock at end exceeds purchases plus stock at start",
            f"{text(quantity)} + {text(start)} − {text(end)} = {text(consumed)} {unit}",
        )
    return trail.add(
        f"{name} 消费量（购入 + 期初库存 − 期末库存）",
        consumed,
        unit,
        formula=f"({text(quantity)} + {text(start)} − {text(end)}) {unit}",
        place=place,
    )


def intensities(
    total: Amount,
    products: Sequence[ProductLine],
    output_value: Decimal | None,
    output_value_unit: str | None,
    dimension: Dimension,
    trail: Trail,
    *,
    what_zh: str,
    unit: str,
    scale: Decimal,
) -> tuple[tuple[ProductIntensity, ...], Amount | None]:
    """`total` per product (in `unit` per product unit) and per 万元 of output (`unit`/万元)."""
    per_product = allocate_to_products(
        products, total, dimension, trail, what_zh=what_zh, intensity_unit=unit, intensity_scale=scale
    )
    output_10k = output_value_in_10k_yuan(output_value, output_value_unit, trail, "output_value")
    per_output = per_output_value(total, output_10k, scale, f"{unit}/万元", f"单位产值{what_zh}", trail)
    return per_product, per_output
