"""威海市绿色园区 (seeds/000): the 2016 park index, pass at 绿色指数 ≥ 60."""

from __future__ import annotations

from decimal import Decimal

import pytest

from greencore.scoring import score
from greencore.standards.model import Mark
from greencore.standards.registry import get_scheme

SCHEME_ID = "park-weihai"


@pytest.fixture(scope="module")
def scheme():
    return get_scheme(SCHEME_ID)


def test_structure(scheme):
    assert scheme.extends == "park-miit-2016"
    assert len([n for n in scheme.iter_nodes() if n.is_leaf]) == 31
    assert len(scheme.gates) == 6
    assert scheme.outcome.pass_mark.value == 60
    assert scheme.outcome.pass_mark.mark is Mark.SEED
    unverified = {n.path for n in scheme.unverified_numbers()}
    recalled = {n.path for n in scheme.numbers if n.mark is Mark.RECALLED}
    assert recalled == unverified
    assert len(recalled) == 66


def test_worked_example_passes(scheme, park2016_inputs):
    r = score(scheme, park2016_inputs)
    # GI 92.41 (see test_scheme_park_miit_2016) ≥ 60
    assert r.score == Decimal("92.41")
    assert r.passed is True


def _half_of_every_lead(inputs):
    """Every ratio indicator at half its 引领值 in every year, the four checklists at 0."""
    for row in inputs["park_data"]:
        row.update(
            value_added=15000,  # EG1 1.5/3, RG1 750/1500, RG2 7.5/15, CG3 7.5/15 → 0.5
            fresh_water_m3=200000,
            renewable_share=7.5,
            clean_energy_share=37.5,
            solid_waste_util_rate=47.5,
            water_reuse_rate=45,
            reclaimed_water_rate=15,
            waste_heat_rate=30,
            waste_gas_recovery_rate=45,
            recycled_resource_rate=40,
            green_industrial_building_share=15,
            green_public_building_share=30,
            bus_stop_coverage=45,
            green_bus_share=15,
            hightech_share=15,
            green_industry_share=15,
            modern_services_share=15,
            waste_disposal_rate=50,
            carbon_reduction_rate=1.5,
            wastewater_t=150000,  # 10 t/万元 against 5, lower → 0.5
            pollutant_elasticity=0.6,  # 0.3/0.6 → 0.5
            air_quality_rate=40,
            green_coverage_rate=15,
            road_shade_rate=40,
            parking_shade_rate=40,
        )
    inputs.update(IG1=0, MG1=0, MG2=0, MG3=0)
    return inputs


def test_low_index_fails(scheme, park2016_inputs):
    r = score(scheme, _half_of_every_lead(park2016_inputs))
    assert r.eligible is True
    assert r.passed is False
    assert r.indicator("EG1").points == Decimal("1.73")  # published: 3.45 × 0.5 = 1.725 → 1.73


def test_low_index_exact_score(scheme, park2016_inputs):
    r = score(scheme, _half_of_every_lead(park2016_inputs))
    # counted slots at half: 20 ratio indicators of 3.45 and 5 slots of 3.44 (RG5–RG8 best 2, HG6–HG8);
    # the checklists IG1, MG1–MG3 earn 0: 20 × 1.725 + 5 × 1.72 = 34.5 + 8.6 = 43.1
    assert r.score == Decimal("43.10")
