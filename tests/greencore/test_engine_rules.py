"""Each rule of the engine on small schemes, with values worked by hand."""

from __future__ import annotations

from decimal import Decimal

import pytest

from greencore.scoring import InputError, score
from tests.conftest import make_scheme

D = Decimal

RULES = """
id: t-rules
version: "1"
subject: factory
title: {zh: 规则测试}
source: {document: test}
marks: {mark: R, source: test}
inputs:
  - {id: up, label: {zh: 正向}, unit: "%", kind: percent}
  - {id: down, label: {zh: 逆向}, unit: kgce/万元, min: 0}
  - {id: share, label: {zh: 比例}, kind: percent}
  - {id: energy, label: {zh: 能耗}, unit: tce, min: 0}
  - {id: count, label: {zh: 数量}, kind: count}
  - {id: has_water, label: {zh: 有废水}, kind: bool}
  - {id: water, label: {zh: 废水}, kind: percent, required: false}
  - id: products
    label: {zh: 产品}
    max_rows: 3
    columns:
      - {id: use, label: {zh: 能耗}, unit: tce, min: 0}
      - {id: intensity, label: {zh: 单耗}, min: 0}
      - {id: l1, label: {zh: 1级}, min: 0}
      - {id: l2, label: {zh: 2级}, min: 0}
gates:
  - {id: g1, label: {zh: 守法}}
  - {id: g_auto, label: {zh: 能耗为正}, condition: "energy > 0"}
indicators:
  - id: a
    label: {zh: 甲}
    points: 40
    children:
      - {id: lin_up, label: {zh: 正向线性}, points: 10, rule: {kind: linear, value: up, base: 40, lead: 90}}
      - {id: lin_down, label: {zh: 逆向线性}, points: 10, rule: {kind: linear, value: down, direction: lower, base: 120, lead: 80}}
      - {id: ratio, label: {zh: 比值}, points: 5, rule: {kind: ratio, value: share, lead: 30}}
      - id: tiered
        label: {zh: 分档引领值}
        points: 5
        rule:
          kind: linear
          value: share
          tiers:
            - {id: big, label: {zh: 大}, when: "energy >= 10000", base: 0, lead: 40}
            - {id: small, label: {zh: 小}, when: "energy >= 0", base: 0, lead: 10}
      - id: banded
        label: {zh: 分段}
        points: 5
        rule: {kind: bands, value: count, bands: [{min: 8, points: 5}, {min: 5, points: 3}, {min: 1, points: 1}]}
      - {id: prod, label: {zh: 产品加权}, points: 5, rule: {kind: linear, direction: lower, over: products, value: intensity, lead_formula: l1, base_formula: l2, weight_by: use}}
  - id: b
    label: {zh: 乙}
    points: 20
    choose: {count: 1}
    children:
      - {id: opt1, label: {zh: 选项1}, points: 20, rule: {kind: judged}}
      - {id: opt2, label: {zh: 选项2}, points: 20, rule: {kind: judged}}
  - id: c
    label: {zh: 丙}
    points: 40
    children:
      - {id: must, label: {zh: 必选项}, points: 20, required: true, rule: {kind: checklist}}
      - {id: waste_water, label: {zh: 废水}, points: 20, applicable: has_water, rule: {kind: linear, value: water, base: 0, lead: 50}}
  - id: extra
    label: {zh: 附加项}
    points: 3
    bonus: true
    children:
      - {id: bonus1, label: {zh: 加分1}, points: 2, rule: {kind: judged}}
      - {id: bonus2, label: {zh: 加分2}, points: 2, rule: {kind: judged}}
outcome:
  scale: 100
  pass_mark: 60
  grades:
    - {id: top, label: {zh: 优}, when: "has_water and up >= 100"}
    - {id: high, label: {zh: 高}, min: 80, requires: "count >= 5", requires_label: {zh: 须至少5项}}
    - {id: mid, label: {zh: 中}, min: 70}
    - {id: low, label: {zh: 低}, min: 60}
"""

FULL = {
    "g1": True,
    "up": 65,  # linear up: 10 × (65 − 40)/(90 − 40) = 5.00
    "down": 95,  # linear down: 10 × (95 − 120)/(80 − 120) = 6.25
    "share": 12,  # ratio: 5 × 12/30 = 2.00; tier small (energy 5000): 5 × 12/10 → capped 5.00
    "energy": 5000,
    "count": 6,  # bands: 6 ≥ 5 → 3.00
    "has_water": True,
    "water": 40,  # 20 × 40/50 = 16.00
    "products": [
        # fractions 0.625, 1 (clamped), 0 (clamped); weights 3000/2000/1000
        # (3000×0.625 + 2000×1 + 1000×0)/6000 = 0.6458333 → 5 × 0.6458333 = 3.23
        {"use": 3000, "intensity": 95, "l1": 80, "l2": 120},
        {"use": 2000, "intensity": 70, "l1": 75, "l2": 100},
        {"use": 1000, "intensity": 130, "l1": 90, "l2": 125},
    ],
    "opt1": 12,  # choose 1 of 2: best is 15
    "opt2": 15,
    "must": 1,  # checklist degree 1 → 20
    "bonus1": 2,
    "bonus2": 2,  # bonus 4, capped at 3
}


@pytest.fixture(scope="module")
def rules():  # type: ignore[no-untyped-def]
    return make_scheme(RULES)


def test_every_rule_worked_by_hand(rules) -> None:  # type: ignore[no-untyped-def]
    r = score(rules, FULL)
    points = {i.id: i.points for i in r.indicators}
    assert points == {
        "a": D("24.48"),  # 5 + 6.25 + 2 + 5 + 3 + 3.23
        "lin_up": D("5.00"),
        "lin_down": D("6.25"),
        "ratio": D("2.00"),
        "tiered": D("5.00"),
        "banded": D("3.00"),
        "prod": D("3.23"),
        "b": D("15.00"),
        "opt1": D("12.00"),
        "opt2": D("15.00"),
        "c": D("36.00"),
        "must": D("20.00"),
        "waste_water": D("16.00"),
        "extra": D("3.00"),
        "bonus1": D("2.00"),
        "bonus2": D("2.00"),
    }
    assert r.indicator("opt1").status == "not_counted"
    assert r.indicator("tiered").tier == "小"
    # 24.48 + 15 + 36 = 75.48, plus the capped bonus 3 = 78.48
    assert r.score == D("78.48")
    assert r.bonus == D("3.00")
    assert r.complete and r.eligible is True and r.passed is True
    assert r.grade == "mid"
    assert r.failed_gates == ()
    assert [(row.row, row.fraction) for row in r.indicator("prod").rows] == [
        (1, D("0.625")),
        (2, D("1")),
        (3, D("0")),
    ]


def test_not_applicable_is_excluded_and_the_total_rescaled(rules) -> None:  # type: ignore[no-untyped-def]
    r = score(rules, {**FULL, "has_water": False, "water": None})
    assert r.indicator("waste_water").status == "not_applicable"
    assert r.indicator("waste_water").points is None
    assert r.indicator("waste_water").max_points == D("0.00")
    # (24.48 + 15 + 20) = 59.48 of 80 → × 100/80 = 74.35, plus bonus 3 = 77.35
    assert r.score == D("77.35")
    assert r.complete
    assert r.missing_inputs == ()


def test_a_failed_gate_makes_the_application_ineligible(rules) -> None:  # type: ignore[no-untyped-def]
    r = score(rules, {**FULL, "g1": False})
    assert r.eligible is False
    assert r.failed_gates == ("g1",)
    assert r.grade is None and r.passed is False
    assert r.score == D("78.48")  # the score is still shown


def test_a_computed_gate_fails_from_data(rules) -> None:  # type: ignore[no-untyped-def]
    r = score(rules, {**FULL, "energy": 0})
    assert r.failed_gates == ("g_auto",)


def test_required_checklist_item_not_met_is_a_veto(rules) -> None:  # type: ignore[no-untyped-def]
    r = score(rules, {**FULL, "must": 0.5})
    assert r.eligible is False
    assert r.failed_gates == ("must",)
    assert r.indicator("must").points == D("10.00")


def test_missing_data_is_never_zero_silently(rules) -> None:  # type: ignore[no-untyped-def]
    inputs = {**FULL, "down": None, "g1": None}
    r = score(rules, inputs)
    assert not r.complete
    assert r.missing_inputs == ("g1", "down")
    assert r.indicator("lin_down").status == "missing"
    assert r.indicator("lin_down").points is None
    assert r.eligible is None
    # lower bound counts the missing 10 points as 0, upper bound as full
    assert r.score == D("72.23")
    assert r.score_upper == D("82.23")
    assert r.grade is None and not r.grade_determinable
    assert r.possible_grades == ("high", "mid")
    assert r.gap is None


def test_grade_still_determinable_when_the_missing_points_cannot_change_it(rules) -> None:  # type: ignore[no-untyped-def]
    r = score(rules, {**FULL, "bonus1": None})
    # bonus: low min(0 + 2, 3) = 2, high min(2 + 2, 3) = 3 → 77.48 … 78.48, "mid" either way
    assert r.missing_inputs == ("bonus1",)
    assert (r.score, r.score_upper) == (D("77.48"), D("78.48"))
    assert r.grade_determinable and r.grade == "mid"
    r = score(rules, {**FULL, "share": None})
    # ratio (2 of 5) and tiered (5 of 5) unknown: 78.48 − 7 = 71.48 … 71.48 + 10 = 81.48: "mid" or "high"
    assert r.missing_inputs == ("share",)
    assert (r.score, r.score_upper) == (D("71.48"), D("81.48"))
    assert not r.grade_determinable and r.possible_grades == ("high", "mid")


def test_missing_table_row_cell_is_named(rules) -> None:  # type: ignore[no-untyped-def]
    products = [dict(p) for p in FULL["products"]]  # type: ignore[attr-defined]
    products[1]["intensity"] = None
    r = score(rules, {**FULL, "products": products})
    assert r.missing_inputs == ("products.2.intensity",)
    empty = score(rules, {**FULL, "products": []})
    assert empty.missing_inputs == ("products",)


def test_grade_prerequisite_blocks_and_says_so(rules) -> None:  # type: ignore[no-untyped-def]
    r = score(rules, {**FULL, "opt2": 20, "count": 4, "must": 1, "water": 50})
    # count 4 → band 1 point; a = 5+6.25+2+5+1+3.23 = 22.48; b 20; c 40 → 82.48 + 3 = 85.48
    assert r.score == D("85.48")
    assert r.blocked_grades == ("high",)
    assert r.grade == "mid"


def test_status_grade_comes_first(rules) -> None:  # type: ignore[no-untyped-def]
    assert score(rules, {**FULL, "up": 100}).grade == "top"


def test_gap_to_the_next_grade_lists_the_smallest_set(rules) -> None:  # type: ignore[no-untyped-def]
    r = score(rules, FULL)  # 78.48, grade mid; next: high at 80 (prerequisite count ≥ 5 holds)
    assert r.gap is not None
    assert r.gap.target == "high"
    assert r.gap.needed == D("1.52")
    assert r.gap.blockers == ()
    # largest headroom first (5 points each for lin_up and opt2; ties keep scheme order); 1.52 from one
    assert [(i.indicator, i.score_gain) for i in r.gap.improvements] == [("lin_up", D("1.52"))]
    step = r.gap.improvements[0]
    # 5.00 + 1.52 = 6.52 points → fraction 0.652 → x = 40 + 0.652 × (90 − 40) = 72.6
    assert (step.points_target, step.value_target) == (D("6.52"), D("72.6"))


def test_gap_value_target_for_a_linear_indicator() -> None:
    scheme = make_scheme(
        """
        id: t-gap
        version: "1"
        subject: factory
        title: {zh: 差距}
        source: {document: test}
        marks: {mark: R, source: test}
        inputs: [{id: x, label: {zh: 单耗}, unit: kgce/t, min: 0}]
        indicators:
          - {id: only, label: {zh: 单耗}, points: 100, rule: {kind: linear, value: x, direction: lower, base: 120, lead: 80, unit: kgce/t}}
        outcome: {scale: 100, pass_mark: 60}
        """
    )
    r = score(scheme, {"x": 100})  # 100 × 20/40 = 50
    assert r.score == D("50.00") and r.passed is False
    assert r.gap is not None and r.gap.target == "pass" and r.gap.needed == D("10.00")
    step = r.gap.improvements[0]
    # fraction 0.6 → x = 120 + 0.6 × (80 − 120) = 96
    assert (step.value_now, step.value_target, step.points_target) == (D("100"), D("96"), D("60.00"))
    assert step.action == "将单耗降低到 96kgce/t"


@pytest.mark.parametrize(
    ("inputs", "place", "fragment"),
    [
        ({"down": -5}, "down", "-5 不能小于 0kgce/万元"),
        ({"up": 120}, "up", "120 不能大于 100%"),
        ({"count": 2.5}, "count", "应为整数"),
        ({"g1": "maybe"}, "g1", "应填“是”或“否”"),
        ({"down": "abc"}, "down", "应填数值"),
        ({"nonsense": 1}, "nonsense", "不是本评价方案的输入项"),
        ({"products": [{"use": 1}] * 4}, "products", "最多 3 行"),
        ({"products": [{"weight": 1}]}, "products[1].weight", "不是该表的列"),
        ({"opt1": 25}, "opt1", "25 不能大于 20"),
    ],
)
def test_bad_input_names_the_place(rules, inputs, place, fragment) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InputError) as caught:
        score(rules, {**FULL, **inputs})
    assert caught.value.place == place
    assert fragment in caught.value.zh
    assert caught.value.en


def test_weighted_category_and_full_when_not_applicable() -> None:
    scheme = make_scheme(
        """
        id: t-weighted
        version: "1"
        subject: factory
        title: {zh: 加权}
        source: {document: test}
        marks: {mark: R, source: test}
        inputs: [{id: flag, label: {zh: 适用}, kind: bool}]
        indicators:
          - id: cat
            label: {zh: 类}
            points: 20
            aggregate: weighted
            children:
              - {id: a, label: {zh: A}, weight: 0.5, points: 1, rule: {kind: checklist}}
              - {id: b, label: {zh: B}, weight: 0.25, points: 1, rule: {kind: checklist}}
              - {id: c, label: {zh: C}, weight: 0.25, points: 1, rule: {kind: checklist}, applicable: flag, if_not_applicable: exclude}
          - {id: d, label: {zh: D}, points: 80, rule: {kind: judged}, applicable: flag, if_not_applicable: full}
        outcome: {scale: 100}
        """
    )
    r = score(scheme, {"a": 1, "b": 0.5, "c": 0, "flag": True, "d": 40})
    # 20 × (0.5×1 + 0.25×0.5 + 0.25×0) = 12.5; + 40
    assert r.score == D("52.50")
    r = score(scheme, {"a": 1, "b": 0.5, "flag": False})
    # c excluded: weights renormalised 0.5/0.75, 0.25/0.75 → 20 × (0.6667 + 0.1667) = 16.67; d full 80
    assert r.indicator("cat").points == D("16.67")
    assert r.score == D("96.67")
    assert r.passed is None  # no pass mark in this scheme
