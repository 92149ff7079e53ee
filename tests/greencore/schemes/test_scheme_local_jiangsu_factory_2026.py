"""江苏 2026 通则评分表 (Variant B, S G9) on GB/T 36132-2025: structure and a worked example by hand."""

from __future__ import annotations

from decimal import Decimal

import pytest

from greencore.scoring import score
from greencore.standards.model import Mark
from greencore.standards.registry import get_scheme

SCHEME_ID = "factory-jiangsu-2026"
GATES = (
    "gate_legal_person",
    "gate_discharge_permit",
    "gate_qms",
    "gate_ems",
    "gate_enms",
    "gate_ohsms",
    "gate_no_obsolete",
    "neg_operating",
    "neg_accidents",
    "neg_removed",
    "neg_inspection",
    "neg_energy_inspection",
    "neg_dishonest",
)


@pytest.fixture(scope="module")
def scheme():
    return get_scheme(SCHEME_ID)


@pytest.fixture
def inputs():
    """Every Variant B indicator at half way between base and lead (except 单位用地面积产值)."""
    return {
        **dict.fromkeys(GATES, True),
        "output_value": 10000,
        "total_energy_tce": 5000,  # tier t2 (5000–10000 tce)
        "site_area_m2": 8000,
        "has_energy_limit_standard": False,
        "energy_per_output_lead": 400,
        "energy_per_output_base": 600,  # 500 kgce/万元 → (600 − 500)/200 = 0.5 → 11 × 0.5 = 5.5
        "carbon_emission_t": 8000,
        "carbon_intensity_lead": 700,
        "carbon_intensity_base": 900,  # 800 kgCO2/万元 → 0.5 → 5.5
        "renewable_energy_tce": 297.5,  # 5.95 % against t2 lead 11.9 → 0.5 → 8 × 0.5 = 4
        "platform_functions": 3,  # 3/6 → 4 × 0.5 = 2
        "materials_reduction": 3,
        "materials_recycled": 2,  # judged: 3 + 2 = 5
        "has_water_quota_standard": False,
        "water_intake_m3": 50000,
        "water_per_output_lead": 4,
        "water_per_output_base": 6,  # 5 m³/万元 → 0.5 → 6 × 0.5 = 3
        "water_reuse_rate": 86.11,  # (86.11 − 80)/(92.22 − 80) = 0.5 → 2
        "solid_waste_rate": 90,  # (90 − 80)/(100 − 80) = 0.5 → 2
        "advanced_equipment": 4,  # (4 − 3)/(5 − 3) = 0.5 → 6 × 0.5 = 3
        "retrofit_projects": 3.635,  # (3.635 − 3.6)/(3.67 − 3.6) = 0.5 → 2
        "retrofit_investment_share": 0.535,  # (0.535 − 0.5)/0.07 = 0.5 → 2
        "has_wastewater_discharge": True,
        "wastewater_margin": 37.5,  # 37.5/75 = 0.5 → 2
        "has_gas_discharge": True,
        "gas_margin": 83.05,  # (83.05 − 80)/6.1 = 0.5 → 2
        "green_design": 2,  # judged
        "carbon_footprint_share": 90,  # 0.5 → 2
        "green_product": 3,  # judged (the row not retrieved, 6 points R)
        "building_coverage": 45.5,  # (45.5 − 40)/11 = 0.5 → 1
        "plot_ratio": 0.81,  # (0.81 − 0.5)/0.62 = 0.5 → 1
        # land output 10000/8000 = 1.25 万元/m² ≥ lead 1.2 → 4
        "zhufeng_tier": "backbone",  # +1.5
        "carbon_platform": 1,  # +1
        "zero_carbon": 0,  # +0
    }


def test_structure(scheme):
    assert scheme.extends == "factory-gbt36132-2025"
    assert scheme.outcome.scale.value == 100
    top = {n.id: (n.points.value, n.bonus) for n in scheme.indicators}
    assert top == {
        "energy": (34, False),
        "resources": (22, False),
        "cleaner": (22, False),
        "product": (14, False),
        "land": (8, False),
        "bonus": (5, True),
    }
    leaves = [n for n in scheme.iter_nodes() if n.is_leaf]
    assert len(leaves) == 25  # 18 rows (+ the two alternatives of rows 1 and 7 + the 6-point row) + 3 bonus
    points = {n.id: n.points.value for n in scheme.iter_nodes()}
    assert points["energy_intensity"] == points["carbon_intensity_score"] == 11
    assert points["platform"] == 4
    assert points["water_intensity"] == 6
    assert points["water_reuse"] == points["solid_waste"] == 4
    assert points["retrofit_count"] == points["retrofit_investment"] == 4
    assert points["wastewater"] == points["waste_gas"] == 4
    assert points["green_design"] == points["carbon_footprint"] == 4
    assert (points["land_output_score"], points["building_coverage_score"], points["plot_ratio_score"]) == (
        4,
        2,
        2,
    )
    # only the benchmarks Variant B does not give are still inputs
    assert {i.id for i in scheme.inputs if i.role == "benchmark"} == {
        "energy_per_output_lead",
        "energy_per_output_base",
        "carbon_intensity_lead",
        "carbon_intensity_base",
        "water_per_output_lead",
        "water_per_output_base",
    }
    assert len(scheme.gates) == 13


def test_marks(scheme):
    unverified = {n.path: n for n in scheme.unverified_numbers()}
    recalled = {n.path for n in scheme.numbers if n.mark is Mark.RECALLED}
    assert recalled <= set(unverified)
    # the three numbers we had to supply are R: the missing row, its category total and the bonus cap
    assert recalled == {
        "indicators[product].points",
        "indicators[product].children[green_product].points",
        "indicators[bonus].points",
    }
    lead = unverified["indicators[resources].children[water_reuse].rule.lead"]
    assert (lead.value, lead.mark, lead.source.split()[0]) == (Decimal("92.22"), Mark.SECONDARY, "G9")
    tier = unverified["indicators[energy].children[renewable].rule.tiers[t4].lead"]
    assert (tier.value, tier.mark) == (Decimal("33.03"), Mark.SECONDARY)
    assert not [n for n in scheme.numbers if n.mark.is_verified]


def test_worked_example(scheme, inputs):
    r = score(scheme, inputs)
    # energy 5.5 + 5.5 + 4 + 2 = 17; resources 5 + 3 + 2 + 2 = 12; cleaner 3 + 2 + 2 + 2 + 2 = 11;
    # product 2 + 2 + 3 = 7; land 4 + 1 + 1 = 6 → 53; bonus 1.5 + 1 + 0 = 2.5 (cap 5) → 55.5
    assert r.score == Decimal("55.50")
    assert r.complete is True
    assert r.eligible is True
    assert r.indicator("energy").points == Decimal("17")
    assert r.indicator("resources").points == Decimal("12")
    assert r.indicator("cleaner").points == Decimal("11")
    assert r.indicator("product").points == Decimal("7")
    assert r.indicator("land").points == Decimal("6")
    assert r.indicator("renewable").points == Decimal("4")
    assert r.indicator("zhufeng").points == Decimal("1.5")
    assert r.indicator("bonus").points == Decimal("2.5")
    assert r.indicator("energy_intensity_product").status == "not_applicable"


@pytest.mark.parametrize(
    ("tier", "platform", "zero", "expected"),
    [
        ("quasi_chain_leader", 1, 1, "58.00"),  # 53 + 2 + 1 + 2 = 58 (exactly the cap 5)
        ("key", 0, 1, "56.00"),  # 53 + 1 + 0 + 2
        ("none", 1, 0, "54.00"),  # 53 + 0 + 1 + 0
    ],
)
def test_bonus(scheme, inputs, tier, platform, zero, expected):
    r = score(scheme, {**inputs, "zhufeng_tier": tier, "carbon_platform": platform, "zero_carbon": zero})
    assert r.score == Decimal(expected)


def test_product_weighted_energy_intensity(scheme, inputs):
    inputs["has_energy_limit_standard"] = True
    inputs["products"] = [
        # (120 − 110)/(120 − 100) = 0.5, weight 3000 tce
        {"energy_use_tce": 3000, "unit_energy": 110, "limit_grade1": 100, "limit_grade2": 120},
        # at grade 1 → 1, weight 1000 tce
        {"energy_use_tce": 1000, "unit_energy": 100, "limit_grade1": 100, "limit_grade2": 120},
    ]
    r = score(scheme, inputs)
    # (3000 × 0.5 + 1000 × 1)/4000 = 0.625 → 11 × 0.625 = 6.875 (instead of 5.5)
    # 53 − 5.5 + 6.875 + 2.5 = 56.875 → 56.88
    assert r.indicator("energy_intensity_output").status == "not_applicable"
    assert r.score == Decimal("56.88")
