"""MIIT 2016 green park scheme (GI reconstruction [R]): structure and hand-computed worked examples."""

from __future__ import annotations

from decimal import Decimal

import pytest

from greencore.scoring import score
from greencore.standards.model import Mark
from greencore.standards.registry import get_scheme

SCHEME_ID = "park-miit-2016"


@pytest.fixture(scope="module")
def scheme():
    return get_scheme(SCHEME_ID)


def test_structure(scheme):
    assert scheme.outcome.scale.value == 100
    top = {n.id: n.points.value for n in scheme.indicators}
    # 24 indicators × 3.45 + 5 slots × 3.44 (RG5–RG8 best 2, HG6–HG8) = 100
    assert top == {
        "EG": Decimal("10.35"),
        "RG": Decimal("20.68"),
        "IG": Decimal("17.25"),
        "CG": Decimal("13.8"),
        "HG": Decimal("27.57"),
        "MG": Decimal("10.35"),
    }
    leaves = [n for n in scheme.iter_nodes() if n.is_leaf]
    assert len(leaves) == 31
    assert sorted(n.id for n in leaves if n.rule.kind.value == "checklist") == ["IG1", "MG1", "MG2", "MG3"]
    assert not [n for n in leaves if n.required]  # 必选 = always counted, not a veto
    choose = next(n for n in scheme.iter_nodes() if n.choose is not None)
    assert choose.id == "RG_optional"
    assert choose.choose.count == 2
    assert [c.id for c in choose.children] == ["RG5", "RG6", "RG7", "RG8"]
    table = scheme.input("park_data")
    assert table.row_labels == ("第1年", "第2年", "第3年")
    assert table.min_rows == 3
    ratio_rules = [n.rule for n in leaves if n.rule.kind.value == "ratio"]
    assert len(ratio_rules) == 27
    assert all(r.over == "park_data" and r.aggregate.value == "mean" for r in ratio_rules)
    assert len(scheme.gates) == 6


def test_every_recalled_number_is_listed_as_unverified(scheme):
    unverified = {n.path for n in scheme.unverified_numbers()}
    recalled = {n.path for n in scheme.numbers if n.mark is Mark.RECALLED}
    assert recalled <= unverified
    # every 引领值 is recalled
    leads = {n.path: n.value for n in scheme.numbers if n.path.endswith(".rule.lead")}
    assert len(leads) == 27
    assert all(p in unverified for p in leads)
    assert leads["indicators[EG].children[EG1].rule.lead"] == 3
    assert leads["indicators[HG].children[HG4].rule.lead"] == Decimal("0.3")
    # all numbers are R: nothing of the GI is verified
    assert {n.mark for n in scheme.numbers} == {Mark.RECALLED}


def test_worked_example(scheme, park2016_inputs):
    r = score(scheme, park2016_inputs)
    # Full marks everywhere except (mean of the three years' fractions × points):
    # EG1 能源产出率 3, 2.4, 1.8 万元/tce vs 3 → (1 + 0.8 + 0.6)/3 = 0.8 → 3.45 × 0.8 = 2.76   (−0.69)
    # RG1 水资源产出率 1500, 1200, 1500 元/m³ vs 1500 → 2.8/3 → 3.45 × 2.8/3 = 3.22          (−0.23)
    # RG2 土地产出率 15, 12, 9 亿元/km² vs 15 → 0.8 → 2.76                                    (−0.69)
    # RG5–RG8 best 2 of 4: RG6 = RG8 = 3.44 (RG7 0.833…, RG5 0.5 not counted)             (0)
    # CG3 人均工业增加值 15, 12, 9 万元/人 vs 15 → 0.8 → 2.76                                 (−0.69)
    # HG2 消减率 3, 2.4, −1 % vs 3 (negative counts 0) → (1 + 0.8 + 0)/3 = 0.6 → 2.07          (−1.38)
    # HG3 废水 5, 6.25, 4 t/万元 vs 5, lower → (1 + 0.8 + 1)/3 → 3.22                         (−0.23)
    # HG4 弹性系数 0.3, 0.375, −0.2 vs 0.3, lower (≤ 0 is best) → (1 + 0.8 + 1)/3 → 3.22      (−0.23)
    # MG3 信息平台 not in place → 0                                                           (−3.45)
    # GI = 100 − 7.59 = 92.41
    assert r.score == Decimal("92.41")
    assert r.eligible is True
    assert r.complete is True
    assert r.indicator("EG1").points == Decimal("2.76")
    assert r.indicator("RG1").points == Decimal("3.22")
    assert r.indicator("HG2").points == Decimal("2.07")
    assert r.indicator("HG4").points == Decimal("3.22")
    assert r.indicator("RG_optional").points == Decimal("6.88")
    assert r.indicator("RG6").status == "scored"
    assert r.indicator("RG8").status == "scored"
    assert r.indicator("RG5").status == "not_counted"
    assert r.indicator("RG7").status == "not_counted"
    assert r.indicator("MG3").points == Decimal("0")
    # EG: 2.76 + 3.45 + 3.45 = 9.66
    assert r.indicator("EG").points == Decimal("9.66")


def test_gate_with_condition(scheme, park2016_inputs):
    park2016_inputs["green_staff"] = 1  # fewer than 2 full-time staff
    r = score(scheme, park2016_inputs)
    assert r.eligible is False
    assert r.failed_gates == ("gate_green_body",)
    assert r.score == Decimal("92.41")


def test_three_years_are_needed(scheme, park2016_inputs):
    park2016_inputs["park_data"] = park2016_inputs["park_data"][:2]
    r = score(scheme, park2016_inputs)
    # min_rows: 3 — the third year is missing, so the result cannot be complete
    assert r.complete is False
    assert "park_data" in r.missing_inputs
