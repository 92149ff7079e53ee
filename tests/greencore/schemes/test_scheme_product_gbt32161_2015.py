"""GB/T 32161-2015 eco-design product 通则: pass/fail by gates and 必选 conformity items."""

from __future__ import annotations

from decimal import Decimal

import pytest

from greencore.scoring import score
from greencore.standards.model import Mark
from greencore.standards.registry import get_scheme

SCHEME_ID = "product-gbt32161-2015"
GATES = (
    "basic_discharge",
    "basic_no_accident",
    "basic_total_load",
    "basic_ems",
    "basic_qms",
    "basic_product_quality",
    "basic_ohsms",
    "basic_energy_metering",
    "basic_enms",
    "lca_report",
)
ITEMS = ("resource_conformity", "energy_conformity", "environment_conformity", "product_conformity")


@pytest.fixture(scope="module")
def scheme():
    return get_scheme(SCHEME_ID)


@pytest.fixture
def conforming():
    return {**dict.fromkeys(GATES, True), **dict.fromkeys(ITEMS, 1)}


def test_structure(scheme):
    assert tuple(g.id for g in scheme.gates) == GATES
    assert [g.mark for g in scheme.gates].count(Mark.VERIFIED) == 6
    assert [n.id for n in scheme.indicators] == [
        "resource_attributes",
        "energy_attributes",
        "environment_attributes",
        "product_attributes",
    ]
    leaves = [n for n in scheme.iter_nodes() if n.is_leaf]
    assert tuple(n.id for n in leaves) == ITEMS
    assert all(n.required and n.rule.kind.value == "checklist" for n in leaves)
    # pass only at full conformity: the pass mark equals the scale
    assert scheme.outcome.pass_mark.value == scheme.outcome.scale.value == 100


def test_marks(scheme):
    unverified = {n.path for n in scheme.unverified_numbers()}
    recalled = {n.path for n in scheme.numbers if n.mark is Mark.RECALLED}
    assert recalled == unverified  # every number is the pass/fail device [R]
    assert len(recalled) == 10  # 4 categories + 4 items + scale + pass mark
    assert "outcome.pass_mark" in recalled


def test_conforming_product_passes(scheme, conforming):
    r = score(scheme, conforming)
    # 4 × 25 = 100 = pass mark
    assert r.score == Decimal("100.00")
    assert r.eligible is True
    assert r.passed is True


def test_one_attribute_not_met_fails(scheme, conforming):
    conforming["environment_conformity"] = 0
    r = score(scheme, conforming)
    # 75 < 100, and the 必选 item makes the product ineligible
    assert r.score == Decimal("75.00")
    assert r.eligible is False
    assert r.failed_gates == ("environment_conformity",)
    assert r.passed is False


def test_no_lca_report_fails(scheme, conforming):
    conforming["lca_report"] = False
    r = score(scheme, conforming)
    assert r.score == Decimal("100.00")
    assert r.eligible is False
    assert r.failed_gates == ("lca_report",)
    assert r.passed is False


def test_unanswered_basic_requirement(scheme, conforming):
    del conforming["basic_enms"]
    r = score(scheme, conforming)
    assert r.eligible is None
    assert r.passed is None
