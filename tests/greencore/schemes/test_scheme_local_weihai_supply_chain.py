"""威海市绿色供应链 (seeds/000): the 2016 GSCI, five basic requirements, pass at 60."""

from __future__ import annotations

from decimal import Decimal

import pytest

from greencore.scoring import score
from greencore.standards.model import Mark
from greencore.standards.registry import get_scheme

SCHEME_ID = "supply-chain-weihai"
GATES = (
    "weihai_sc_management",
    "weihai_sc_suppliers",
    "weihai_sc_supplier_system",
    "weihai_sc_finance",
    "weihai_sc_plan",
)


@pytest.fixture(scope="module")
def scheme():
    return get_scheme(SCHEME_ID)


def test_structure(scheme):
    assert scheme.extends == "supply-chain-miit-2016"
    assert tuple(g.id for g in scheme.gates) == GATES
    assert all(g.mark is Mark.SEED for g in scheme.gates)
    assert len([n for n in scheme.iter_nodes() if n.is_leaf]) == 20
    assert scheme.outcome.pass_mark.value == 60
    assert scheme.outcome.pass_mark.mark is Mark.SEED
    recalled = {n.path for n in scheme.numbers if n.mark is Mark.RECALLED}
    assert recalled <= {n.path for n in scheme.unverified_numbers()}
    assert scheme.unverified_numbers() == []


@pytest.mark.parametrize(
    ("changes", "expected_score", "expected_pass"),
    [
        ({}, "83.70", True),
        ({"X51": 0, "X31": 0, "X32": 0}, "58.70", False),  # 83.7 − 7 − 10 − 8
        ({"X51": 0, "X31": 0, "X32": 1.3}, "60.00", True),  # 58.7 + 1.3: 60 passes
    ],
)
def test_pass_mark(scheme, supply_chain2016_inputs, changes, expected_score, expected_pass):
    inputs = {**supply_chain2016_inputs, **dict.fromkeys(GATES, True), **changes}
    r = score(scheme, inputs)
    assert r.score == Decimal(expected_score)
    assert r.passed is expected_pass


def test_basic_requirement_fails(scheme, supply_chain2016_inputs):
    inputs = {**supply_chain2016_inputs, **dict.fromkeys(GATES, True), "weihai_sc_finance": False}
    r = score(scheme, inputs)
    assert r.eligible is False
    assert r.failed_gates == ("weihai_sc_finance",)
    assert r.passed is False
