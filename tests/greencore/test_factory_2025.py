"""GB/T 36132-2025: the shipped example scored by hand, indicator by indicator."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from greencore.scoring import score
from greencore.standards.model import Mark, Scheme

D = Decimal


def test_structure(factory_2025: Scheme) -> None:
    leaves = [n for n in factory_2025.iter_nodes() if n.rule is not None]
    assert (
        len(leaves) == 21
    )  # 18 rows; rows 1 and 7 have two variants (per product, per output), row 13 two media
    assert [n.points.value for n in factory_2025.indicators if n.points] == [30, 30, 16, 16, 8]
    # 能源低碳化 + 资源高效化 = 60 % (standards.md §2.1, verified)
    assert sum(n.points.value for n in factory_2025.indicators[:2] if n.points) == 60
    assert len(factory_2025.gates) == 13
    marks = {n.mark for n in factory_2025.numbers}
    assert Mark.VERIFIED not in marks  # no official number was retrieved for the weights
    assert {n.path for n in factory_2025.unverified_numbers() if n.mark is Mark.RECALLED} >= {
        "indicators[resources].children[materials].children[materials_reduction].points",
        "indicators[land].children[land_output_score].points",
    }


def test_worked_example(factory_2025: Scheme, example_2025: dict[str, Any]) -> None:
    r = score(factory_2025, example_2025)
    got = {i.id: i.points for i in r.indicators}
    expected = {
        # products weighted by energy use 3000/2000/1000:
        #   (95 − 120)/(80 − 120) = 0.625; (70 − 100)/(75 − 100) = 1.2 → 1; (130 − 125)/(90 − 125) < 0 → 0
        #   8 × (3000×0.625 + 2000×1 + 0)/6000 = 8 × 0.645833 = 5.17
        "energy_intensity_product": D("5.17"),
        "energy_intensity_output": None,  # not applicable: a limit standard applies
        "energy_intensity": D("5.17"),
        # 15000 t × 1000 / 50000 万元 = 300 kgCO2/万元; 8 × (300 − 400)/(200 − 400) = 4.00
        "carbon_intensity_score": D("4.00"),
        # 300/6000 = 5 %; 6000 tce is tier 5000–10000, lead 11.9: 8 × 5/11.9 = 3.36
        "renewable": D("3.36"),
        "platform": D("4.50"),  # 6 × 6/8
        "energy": D("17.03"),
        "materials_reduction": D("3.00"),
        "materials_recycled": D("2.00"),
        "materials": D("5.00"),
        "water_intensity_product": None,
        # 150000 m³ / 50000 万元 = 3; 8 × (3 − 5)/(2 − 5) = 5.33
        "water_intensity_output": D("5.33"),
        "water_intensity": D("5.33"),
        "water_reuse": D("3.93"),  # 8 × (86 − 80)/(92.22 − 80) = 3.928
        "solid_waste": D("4.50"),  # 6 × 15/20
        "resources": D("18.76"),
        "equipment": D("3.00"),  # 6 × (4 − 3)/(5 − 3)
        "retrofit_count": D("0.00"),  # at the base value
        "retrofit_investment": D("1.43"),  # 2 × 0.05/0.07 = 1.4286
        "retrofit": D("1.43"),
        "wastewater": None,  # no waste-water discharge: not applicable
        "waste_gas": D("1.97"),  # 3 × 4/6.1 = 1.967
        "pollutants": D("1.97"),
        "cleaner": D("6.40"),
        "green_design": D("6.00"),
        "carbon_footprint": D("4.00"),  # 8 × 10/20
        "product": D("10.00"),
        "land_output_score": D("4.00"),  # 50000/40000 = 1.25 ≥ lead 1.2
        "building_coverage_score": D("0.91"),  # 2 × 5/11
        "plot_ratio_score": D("1.29"),  # 2 × 0.4/0.62
        "land": D("6.20"),
    }
    assert got == expected
    # sums keep full precision (published figures are rounded): 17.028011 + 18.761320 + 6.395785
    # + 10 + 6.199413 = 58.384529 of the applicable 97 (waste water's 3 excluded)
    # 58.384529 × 100/97 = 60.1902 → 60.19
    assert r.score == D("60.19")
    assert r.max_score == D("100")
    assert r.complete and r.eligible is True
    assert r.passed is None and r.grade is None  # the national 通则 sets no pass mark or grades
    assert r.indicator("renewable").tier == "5000–10000 tce"
    computed = {c.id: c.value for c in r.computed}
    assert computed == {
        "energy_per_output": D("120"),
        "carbon_intensity": D("300"),
        "renewable_share": D("5"),
        "water_per_output": D("3"),
        "land_output": D("1.25"),
    }


def test_one_gate_of_the_negative_list_vetoes(factory_2025: Scheme, example_2025: dict[str, Any]) -> None:
    r = score(factory_2025, {**example_2025, "neg_dishonest": False})
    assert r.eligible is False
    assert r.failed_gates == ("neg_dishonest",)
    assert r.score == D("60.19")


def test_switching_to_output_based_energy_intensity(
    factory_2025: Scheme, example_2025: dict[str, Any]
) -> None:
    inputs = {**example_2025, "has_energy_limit_standard": False, "products": []}
    r = score(factory_2025, inputs)
    # 120 kgce/万元 but no benchmark for it given: the indicator is missing, and says what is needed
    assert r.missing_inputs == ("energy_per_output_base", "energy_per_output_lead")
    inputs |= {"energy_per_output_lead": 100, "energy_per_output_base": 140}
    r = score(factory_2025, inputs)
    # 8 × (120 − 140)/(100 − 140) = 4 instead of 5.166667: 57.217863 × 100/97 = 58.9875 → 58.99
    assert r.indicator("energy_intensity_output").points == D("4.00")
    assert r.score == D("58.99")
