"""GB/T 32163.2-2015 (degradable plastics) plugged into the GB/T 32161 通则: pass/fail by hand."""

from __future__ import annotations

from decimal import Decimal

import pytest

from greencore.scoring import score
from greencore.standards.model import Mark
from greencore.standards.registry import get_scheme

SCHEME_ID = "product-gbt32163-2-degradable-plastics"
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


@pytest.fixture(scope="module")
def scheme():
    return get_scheme(SCHEME_ID)


@pytest.fixture
def product():
    return {
        **dict.fromkeys(GATES, True),
        "unit_water_intake": 3,
        "unit_water_intake_base": 4,  # 3 ≤ 4 → met
        "unit_energy": 500,
        "unit_energy_base": 600,  # 500 ≤ 600 → met
        "biodegradation_rate": 90,
        "biodegradation_base": 90,  # 90 ≥ 90 → met (the base value itself conforms)
        "heavy_metals_ok": 1,
        "product_conformity": 1,
    }


def test_structure(scheme):
    assert scheme.extends == "product-gbt32161-2015"
    leaves = [n for n in scheme.iter_nodes() if n.is_leaf]
    assert [n.id for n in leaves] == [
        "unit_water_intake_ok",
        "unit_energy_ok",
        "biodegradation_ok",
        "heavy_metals_ok",
        "product_conformity",
    ]
    assert all(n.required for n in leaves)
    assert len(scheme.gates) == 10
    # no official 基准值 is encoded: every base value is a benchmark input
    assert {i.id for i in scheme.inputs if i.role == "benchmark"} == {
        "unit_water_intake_base",
        "unit_energy_base",
        "biodegradation_base",
    }
    assert scheme.outcome.pass_mark.value == scheme.outcome.scale.value == 100


def test_marks(scheme):
    unverified = {n.path for n in scheme.unverified_numbers()}
    recalled = {n.path for n in scheme.numbers if n.mark is Mark.RECALLED}
    assert recalled == unverified
    # 4 categories + 5 items + scale + pass mark, all the pass/fail device
    assert len(recalled) == 11


def test_conforming_product_passes(scheme, product):
    r = score(scheme, product)
    # 25 + 25 + 12.5 + 12.5 + 25 = 100
    assert r.score == Decimal("100.00")
    assert r.passed is True
    assert r.failed_gates == ()


def test_energy_above_base_fails(scheme, product):
    product["unit_energy"] = 650  # 650 > 600
    r = score(scheme, product)
    assert r.indicator("unit_energy_ok").points == Decimal("0")
    assert r.score == Decimal("75.00")
    assert r.eligible is False
    assert r.failed_gates == ("unit_energy_ok",)
    assert r.passed is False


def test_heavy_metals_fail(scheme, product):
    product["heavy_metals_ok"] = 0
    r = score(scheme, product)
    # 100 − 12.5 = 87.5
    assert r.score == Decimal("87.50")
    assert r.failed_gates == ("heavy_metals_ok",)
    assert r.passed is False
