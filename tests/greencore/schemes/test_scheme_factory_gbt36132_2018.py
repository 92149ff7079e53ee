"""GB/T 36132-2018 + MIIT 2016 green factory scheme: structure and hand-computed worked examples."""

from __future__ import annotations

from decimal import Decimal

import pytest

from greencore.scoring import score
from greencore.standards.model import Mark
from greencore.standards.registry import get_scheme

SCHEME_ID = "factory-gbt36132-2018"


@pytest.fixture(scope="module")
def scheme():
    return get_scheme(SCHEME_ID)


def test_structure(scheme):
    assert scheme.outcome.scale.value == 100
    assert scheme.outcome.pass_mark is None  # the 2018 standard sets no pass mark [R]
    top = {n.id: n.points.value for n in scheme.indicators}
    assert top == {
        "infrastructure": 20,
        "management": 15,
        "energy_resources": 15,
        "product": 10,
        "emissions": 10,
        "performance": 30,
    }
    # the first-level weights are secondary (G4), not verified
    assert {n.points.mark for n in scheme.indicators} == {Mark.SECONDARY}
    leaves = [n for n in scheme.iter_nodes() if n.is_leaf]
    assert len(leaves) == 43  # 31 checklist items + 12 绩效 indicators
    checklist = [n for n in leaves if n.rule.kind.value == "checklist"]
    assert len(checklist) == 31
    required = [n for n in leaves if n.required]
    assert len(required) == 17
    assert sum(n.points.value for n in required) == 41
    assert sum(n.points.value for n in checklist if not n.required) == 29
    performance = next(n for n in scheme.indicators if n.id == "performance")
    perf_leaves = [n for c in performance.children for n in c.children]
    assert len(perf_leaves) == 12
    assert {n.points.value for n in perf_leaves} == {Decimal("2.5")}
    assert [g.id for g in scheme.gates] == [
        "gate_compliance",
        "gate_top_management",
        "gate_factory_management",
        "gate_plot_ratio",
    ]


def test_every_recalled_number_is_listed_as_unverified(scheme):
    unverified = {n.path for n in scheme.unverified_numbers()}
    recalled = {n.path for n in scheme.numbers if n.mark is Mark.RECALLED}
    assert recalled
    assert recalled <= unverified
    # every point below the first level is our placeholder [R]
    for node in scheme.iter_nodes():
        if node not in scheme.indicators:
            assert node.points.mark is Mark.RECALLED, node.id
    assert "indicators[performance].children[land_use].children[building_density_score].rule.lead" in (
        recalled
    )
    # nothing in this scheme is verified
    assert not [n for n in scheme.numbers if n.mark.is_verified]


def test_worked_example_base(scheme, factory2018_inputs):
    r = score(scheme, factory2018_inputs("base"))
    # 必选 41 + 可选 15 + 绩效 26 = 82 (item by item in conftest.py)
    assert r.score == Decimal("82.00")
    assert r.complete is True
    assert r.eligible is True
    assert r.failed_gates == ()
    assert r.passed is None or r.passed is True  # no pass mark in the national scheme
    # infrastructure: building 4 + 4×0.5 + metering 6 + lighting 3 + 3 = 18
    assert r.indicator("infrastructure").points == Decimal("18")
    # management: 2 + 2 + 1.5 + 1.5 + (2 + 1.5) + (2 + 0) + 0 = 12.5
    assert r.indicator("management").points == Decimal("12.5")
    # energy and resources: (3 + 1.5) + (3 + 0) + (2 + 2) = 11.5
    assert r.indicator("energy_resources").points == Decimal("11.5")
    # product: 0 + 3 + 2×0.5 + 0 = 4
    assert r.indicator("product").points == Decimal("4")
    assert r.indicator("emissions").points == Decimal("10")
    # performance: 7.0 + 1.5 + 6.5 + 6.75 + 4.25 = 26
    assert r.indicator("performance").points == Decimal("26")
    # land_output 0.8 万元/m² against lead 1.0 → 2.5 × 0.8 = 2.0
    assert r.indicator("land_output_score").points == Decimal("2.0")
    # waste gas 20 m³/unit, lower is better, lead 25 → min(25/20, 1) = 1 → 2.5
    assert r.indicator("waste_gas_score").points == Decimal("2.5")
    # solid waste 90 / (95 + 5) = 90 % against lead 100 → 2.25
    assert r.indicator("solid_waste_score").points == Decimal("2.25")
    assert r.indicator("carbon_score").max_points == Decimal("2.5")


def test_not_applicable_indicator_is_excluded_and_rescaled(scheme, factory2018_inputs):
    inputs = factory2018_inputs("base")
    inputs["treats_wastewater"] = False
    for key in ("wastewater_treated_m3", "wastewater_reused_m3", "wastewater_reuse_lead"):
        del inputs[key]
    r = score(scheme, inputs)
    # A.10 (2.0 of 2.5) drops out: 80 of a maximum 97.5, rescaled: 80 / 97.5 × 100 = 82.0512… → 82.05
    assert r.indicator("wastewater_reuse_score").status == "not_applicable"
    assert r.indicator("wastewater_reuse_score").points is None
    assert r.score == Decimal("82.05")
    assert r.complete is True


def test_required_item_below_full_conformity_makes_ineligible(scheme, factory2018_inputs):
    inputs = factory2018_inputs("base")
    inputs["metering_basic"] = 0.5
    r = score(scheme, inputs)
    # the 必选 item still scores by degree: 6 × 0.5 = 3 → 82 − 3 = 79, but the application is ineligible
    assert r.eligible is False
    assert "metering_basic" in r.failed_gates
    assert r.score == Decimal("79.00")


def test_plot_ratio_gate(scheme, factory2018_inputs):
    inputs = factory2018_inputs("base")
    inputs["floor_area_m2"] = 9000  # 容积率 0.9 < control value 1.0
    r = score(scheme, inputs)
    assert r.eligible is False
    assert r.failed_gates == ("gate_plot_ratio",)
    # A.1 scores 2.5 × 0.9/1.0 = 2.25 → 82 − 0.25 = 81.75
    assert r.indicator("plot_ratio_score").points == Decimal("2.25")
    assert r.score == Decimal("81.75")


def test_failed_general_requirement(scheme, factory2018_inputs):
    inputs = factory2018_inputs("base")
    inputs["gate_compliance"] = False
    r = score(scheme, inputs)
    assert r.eligible is False
    assert r.failed_gates == ("gate_compliance",)
    assert r.score == Decimal("82.00")


def test_unanswered_gate(scheme, factory2018_inputs):
    inputs = factory2018_inputs("base")
    del inputs["gate_top_management"]
    r = score(scheme, inputs)
    assert r.eligible is None
    assert r.failed_gates == ()
    assert r.complete is False


def test_missing_input_counts_zero(scheme, factory2018_inputs):
    inputs = factory2018_inputs("base")
    del inputs["ghg_emission_t"]
    r = score(scheme, inputs)
    # A.12 cannot be computed: 0 of 2.5 → 82 − 2.25 = 79.75, and the result is incomplete
    assert r.complete is False
    assert "ghg_emission_t" in r.missing_inputs
    assert r.indicator("carbon_score").status == "missing"
    assert r.indicator("carbon_score").points is None
    assert r.score == Decimal("79.75")
