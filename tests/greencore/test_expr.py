"""The formula language: what it computes, what it refuses."""

from __future__ import annotations

import math

import numpy as np
import pytest

from greencore.scoring.expr import FormulaError, parse


def run(formula: str, **values: float) -> float:
    env = {k: np.asarray([v], dtype=np.float64) for k, v in values.items()}
    return float(np.asarray(parse(formula)(env)).reshape(-1)[0])


def test_arithmetic_and_functions() -> None:
    assert run("a * 1000 / b", a=6000, b=50000) == 120.0
    assert run("min(a, b, 3) + max(a, 1)", a=5, b=2) == 7.0
    assert run("clamp(x, 0, 1)", x=1.7) == 1.0
    assert run("x ** 2 - abs(-3)", x=3) == 6.0
    assert run("if_(a >= 10000, 1, 2)", a=10000) == 1.0
    assert run("1 if a > b else 2", a=1, b=2) == 2.0
    assert run("coalesce(a, 7)", a=math.nan) == 7.0


def test_comparison_chain_and_logic() -> None:
    assert run("3000 <= x < 5000", x=4000) == 1.0
    assert run("3000 <= x < 5000", x=5000) == 0.0
    assert run("a and not b", a=1, b=0) == 1.0
    assert run("any_(a, b)", a=0, b=0) == 0.0


def test_missing_propagates_and_never_picks_a_branch() -> None:
    assert math.isnan(run("a + 1", a=math.nan))
    assert math.isnan(run("a > 1", a=math.nan))
    assert math.isnan(run("1 if a > 1 else 2", a=math.nan))
    # false wins over missing in "and", true wins over missing in "or"
    assert run("a and b", a=0, b=math.nan) == 0.0
    assert run("a or b", a=1, b=math.nan) == 1.0
    assert run("missing(a)", a=math.nan) == 1.0


def test_division_by_zero_is_not_computable() -> None:
    assert math.isnan(run("a / b", a=1, b=0))
    assert math.isnan(run("0 / b", b=0))


def test_row_functions_skip_absent_rows() -> None:
    env = {"t.x": np.asarray([[1.0, 2.0, np.nan]]), "y": np.asarray([2.0])}
    assert float(parse("row_sum(t.x) * y")(env)[0]) == 6.0
    assert float(parse("row_count(t.x)")(env)[0]) == 2.0
    assert float(parse("row_max(t.x)")(env)[0]) == 2.0


@pytest.mark.parametrize(
    ("formula", "reason"),
    [
        ("__import__('os').system('x')", "only calls of the listed functions"),
        ("open('f')", "unknown function 'open'"),
        ("a.b.c", "Attribute is not allowed"),
        ("x[0]", "Subscript is not allowed"),
        ("lambda: 1", "Lambda is not allowed"),
        ("'text'", "only numbers are allowed"),
        ("a // b", "operator FloorDiv is not allowed"),
        ("min(1)", "takes smallest of the arguments"),
        ("1 +", "syntax error"),
        ("", "empty formula"),
        ("[x for x in y]", "ListComp is not allowed"),
    ],
)
def test_refused_formulas_say_why(formula: str, reason: str) -> None:
    with pytest.raises(FormulaError, match=reason.replace("(", r"\(").replace(")", r"\)")):
        parse(formula)


def test_names_are_collected() -> None:
    assert parse("a + min(b, products.c)").names == frozenset({"a", "b", "products.c"})
