"""Decimal arithmetic of the calculations: one fixed context, one rounding rule, one text form.

Products and sums of published figures are exact. Only quotients (intensities, rates) and the
44/12 of carbon to CO2 are inexact; those are rounded half-up to `PLACES` decimals, once, at the
step that produces them, and the rounded figure is what the trail shows and later steps add up.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from decimal import (
    ROUND_HALF_EVEN,
    ROUND_HALF_UP,
    Context,
    Decimal,
    DivisionByZero,
    InvalidOperation,
    Overflow,
    localcontext,
)
from typing import ParamSpec, TypeVar

# 34 digits keep every product of realistic inputs exact; the caller's own context never leaks in.
CONTEXT = Context(prec=34, rounding=ROUND_HALF_EVEN, traps=[InvalidOperation, DivisionByZero, Overflow])
PLACES = 4  # decimals of every rounded figure (rates in %, intensities, tCO2 of a combustion line)

ZERO = Decimal(0)
ONE = Decimal(1)
HUNDRED = Decimal(100)
THOUSAND = Decimal(1000)

P = ParamSpec("P")
R = TypeVar("R")


def in_context(function: Callable[P, R]) -> Callable[P, R]:
    """Run `function` under the calculations' Decimal context."""

    @functools.wraps(function)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        with localcontext(CONTEXT):
            return function(*args, **kwargs)

    return wrapper


def rounded(value: Decimal, places: int = PLACES) -> Decimal:
    """Round half-up to `places` decimals (the presentation rule of Chinese statistics)."""
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP, context=CONTEXT)


def ratio(numerator: Decimal, denominator: Decimal, places: int = PLACES) -> Decimal:
    """`numerator / denominator`, rounded half-up to `places` decimals. The caller checks the divisor."""
    with localcontext(CONTEXT):
        return rounded(numerator / denominator, places)


def percent(part: Decimal, whole: Decimal, places: int = PLACES) -> Decimal:
    with localcontext(CONTEXT):
        return rounded(part * HUNDRED / whole, places)


def text(value: Decimal) -> str:
    """Plain decimal notation without exponent or trailing zeros: 1056940.0000 → "1056940"."""
    if value.is_zero():
        return "0"
    plain = f"{value:f}"
    if "." in plain:
        plain = plain.rstrip("0").rstrip(".")
    return plain
