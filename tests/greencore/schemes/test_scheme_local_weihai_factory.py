"""威海市绿色工厂 (seeds/000): the 2018 model + seven basic requirements + pass at 60."""

from __future__ import annotations

from decimal import Decimal

import pytest

from greencore.scoring import score
from greencore.standards.model import Mark
from greencore.standards.registry import get_scheme

SCHEME_ID = "factory-weihai"
WEIHAI_GATES = (
    "weihai_legal_person",
    "weihai_competitive",
    "weihai_green_body",
    "weihai_plan",
    "weihai_certifications",
    "weihai_performance",
    "weihai_no_accident",
)


@pytest.fixture(scope="module")
def scheme():
    return get_scheme(SCHEME_ID)


def _inputs(factory2018_inputs, variant):
    return {**factory2018_inputs(variant), **dict.fromkeys(WEIHAI_GATES, True)}


def test_structure(scheme):
    assert scheme.extends == "factory-gbt36132-2018"
    assert scheme.region == "371000"
    assert len([n for n in scheme.iter_nodes() if n.is_leaf]) == 43
    assert tuple(g.id for g in scheme.gates)[4:] == WEIHAI_GATES
    assert all(g.mark is Mark.SEED for g in scheme.gates[4:])
    assert scheme.outcome.pass_mark.value == 60
    assert scheme.outcome.pass_mark.mark is Mark.SEED
    unverified = {n.path for n in scheme.unverified_numbers()}
    recalled = {n.path for n in scheme.numbers if n.mark is Mark.RECALLED}
    assert recalled <= unverified
    assert len(unverified) == 66  # the parent's placeholders are still unverified
    assert "outcome.pass_mark" not in unverified  # a seed number counts as verified


@pytest.mark.parametrize(
    ("variant", "expected_score", "expected_pass"),
    [
        ("base", "82.00", True),
        ("score_67", "67.00", True),
        ("score_59", "59.00", False),  # 41 + 0 + 18 (see conftest)
    ],
)
def test_pass_mark(scheme, factory2018_inputs, variant, expected_score, expected_pass):
    r = score(scheme, _inputs(factory2018_inputs, variant))
    assert r.score == Decimal(expected_score)
    assert r.eligible is True
    assert r.passed is expected_pass


def test_basic_requirement_fails(scheme, factory2018_inputs):
    inputs = _inputs(factory2018_inputs, "base")
    inputs["weihai_no_accident"] = False
    r = score(scheme, inputs)
    assert r.score == Decimal("82.00")
    assert r.eligible is False
    assert r.failed_gates == ("weihai_no_accident",)
    assert r.passed is False
