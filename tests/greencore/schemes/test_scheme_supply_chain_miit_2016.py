"""MIIT 2016 green supply-chain scheme (GSCI): structure and hand-computed worked examples."""

from __future__ import annotations

from decimal import Decimal

import pytest

from greencore.scoring import InputError, score
from greencore.standards.model import Mark
from greencore.standards.registry import get_scheme

SCHEME_ID = "supply-chain-miit-2016"


@pytest.fixture(scope="module")
def scheme():
    return get_scheme(SCHEME_ID)


def test_structure(scheme):
    assert scheme.outcome.scale.value == 100
    top = {n.id: n.points.value for n in scheme.indicators}
    assert top == {"X1": 20, "X2": 20, "X3": 20, "X4": 20, "X5": 10, "X6": 10}
    leaves = [n for n in scheme.iter_nodes() if n.is_leaf]
    assert len(leaves) == 20
    kinds = {n.id: n.rule.kind.value for n in leaves}
    assert sorted(i for i, k in kinds.items() if k == "ratio") == ["X26", "X41", "X42"]
    assert sum(1 for k in kinds.values() if k == "judged") == 17
    assert {n.id: n.points.value for n in leaves if n.id.startswith("X6")} == dict.fromkeys(
        ("X61", "X62", "X63", "X64"), Decimal("2.5")
    )
    # the targets are benchmark inputs
    assert {i.id for i in scheme.inputs if i.role == "benchmark"} == {
        "low_risk_supplier_target",
        "product_recovery_target",
        "packaging_recovery_target",
    }
    assert scheme.gates == ()


def test_marks(scheme):
    # the max points are verified [V P15]: nothing is unverified, nothing is recalled
    assert {n.mark for n in scheme.numbers} == {Mark.VERIFIED}
    recalled = {n.path for n in scheme.numbers if n.mark is Mark.RECALLED}
    assert recalled <= {n.path for n in scheme.unverified_numbers()}
    assert scheme.unverified_numbers() == []


def test_worked_example(scheme, supply_chain2016_inputs):
    r = score(scheme, supply_chain2016_inputs)
    # X1 8 + 4 + 6 = 18
    # X2 4 + 3 + 2 + 3 + 1 + X26 (4 × 72/90 = 3.2) = 16.2
    # X3 10 + 8 = 18
    # X4 X41 (5 × 30/60 = 2.5) + X42 (5 × min(80/50, 1) = 5) + 5 + 3 = 15.5
    # X5 7;  X6 2.5 + 2.5 + 1.5 + 2.5 = 9
    # GSCI = 18 + 16.2 + 18 + 15.5 + 7 + 9 = 83.7
    assert r.score == Decimal("83.70")
    assert r.complete is True
    assert r.eligible is True
    assert r.indicator("X26").points == Decimal("3.2")
    assert r.indicator("X41").points == Decimal("2.5")
    assert r.indicator("X42").points == Decimal("5")
    assert r.indicator("X2").points == Decimal("16.2")
    assert r.indicator("X4").points == Decimal("15.5")


def test_missing_judgement(scheme, supply_chain2016_inputs):
    del supply_chain2016_inputs["X51"]
    r = score(scheme, supply_chain2016_inputs)
    # X51 counts 0: 83.7 − 7 = 76.7
    assert r.complete is False
    assert "X51" in r.missing_inputs
    assert r.score == Decimal("76.70")


def test_judged_points_above_the_maximum_are_an_input_error(scheme, supply_chain2016_inputs):
    supply_chain2016_inputs["X11"] = 9  # X11 is worth at most 8
    with pytest.raises(InputError):
        score(scheme, supply_chain2016_inputs)
