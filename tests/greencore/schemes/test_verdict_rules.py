"""The verdict a review step decides on (issue 11): the decisive result's whole outcome — gates and required
items, the negative list, the pass mark or `pass_above`, grade bands with their prerequisites. Scores are
hand-worked from the 2018 model's worked examples (conftest: `score_59` is 41 + 0 + 18 = 59, `score_80` is
82 − 2 for 绿色采购, `score_96` 41 + 29 + 26)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from greencore import (
    Basis,
    Candidate,
    ForwardingRule,
    decide,
    decisive_basis,
    get_scheme,
    grade_for_score,
    score,
    unmet_prerequisites,
    verdict,
)

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
def weihai():
    return get_scheme("factory-weihai")


@pytest.fixture(scope="module")
def xx_city():
    return get_scheme("factory-xx-city")


@pytest.fixture(scope="module")
def suzhou():
    return get_scheme("factory-suzhou")


def _weihai(factory2018_inputs, variant, **changes):
    return {**factory2018_inputs(variant), **dict.fromkeys(WEIHAI_GATES, True), **changes}


def test_the_decisive_basis():
    assert decisive_basis(requires_third_party=False, panel_scored=False) is Basis.SELF
    assert decisive_basis(requires_third_party=True, panel_scored=False) is Basis.THIRD_PARTY
    assert decisive_basis(requires_third_party=True, panel_scored=True) is Basis.PANEL
    assert decisive_basis(requires_third_party=False, panel_scored=True) is Basis.PANEL


def test_weihai_59_99_fails_and_60_passes(weihai, factory2018_inputs):
    # 59 + 绿色采购 (2 points) × 0.495 = 59.99; × 0.5 = 60.00
    below = verdict(weihai, score(weihai, _weihai(factory2018_inputs, "score_59", procurement_green=0.495)))
    assert (below.score, below.allowed, below.grade) == (Decimal("59.99"), False, "")
    assert below.reasons == (("得分 59.99，低于合格线 60 分", "score 59.99 is below the pass mark 60"),)
    at = verdict(weihai, score(weihai, _weihai(factory2018_inputs, "score_59", procurement_green=0.5)))
    assert (at.score, at.allowed, at.eligible) == (Decimal("60.00"), True, True)
    assert at.summary == ("合格（企业自评价得分 60.00）", "pass (self-evaluation score 60.00)")


def test_xx_city_80_fails_and_80_01_passes(xx_city, factory2018_inputs):
    at = verdict(xx_city, score(xx_city, factory2018_inputs("score_80")))
    assert (at.score, at.allowed) == (Decimal("80.00"), False)
    assert at.reasons_zh == "得分 80.00，未高于合格线 80 分"
    above = verdict(xx_city, score(xx_city, {**factory2018_inputs("score_80"), "procurement_green": 0.005}))
    assert (above.score, above.allowed) == (Decimal("80.01"), True)


def test_a_failed_gate_fails_whatever_the_score(weihai, factory2018_inputs):
    # 96 − 社会责任报告 1 = 95, and the seventh basic requirement answered 否
    failed = verdict(
        weihai, score(weihai, _weihai(factory2018_inputs, "score_96", csr_report=0, weihai_no_accident=False))
    )
    assert (failed.score, failed.eligible, failed.allowed, failed.grade) == (
        Decimal("95.00"),
        False,
        False,
        "",
    )
    assert [f[0] for f in failed.failed] == ["weihai_no_accident"]
    assert failed.reasons_zh.startswith(
        "基本要求「近三年（含成立不足三年）未发生较大及以上安全、环保、质量事故"
    )
    # a panel score cannot lift it either: the gates stay those of the result the panel scored
    assert not verdict(
        weihai,
        score(weihai, _weihai(factory2018_inputs, "score_96", weihai_no_accident=False)),
        Basis.PANEL,
        score=Decimal("99"),
    ).allowed


def test_a_required_item_not_met_fails(weihai, factory2018_inputs):
    # 计量设备 (6 points, 必选) at 0.5: 96 − 3 = 93, yet ineligible
    found = verdict(weihai, score(weihai, _weihai(factory2018_inputs, "score_96", metering_basic=0.5)))
    assert (found.score, found.allowed) == (Decimal("93.00"), False)
    assert found.failed[0][0] == "metering_basic"
    assert found.reasons_zh.startswith("必选项「计量设备（必选）")


def test_a_negative_list_hit_fails(weihai, factory2018_inputs):
    found = verdict(
        weihai, score(weihai, _weihai(factory2018_inputs, "base")), negative_item="发生较大及以上安全事故"
    )
    assert (found.eligible, found.allowed) == (False, False)
    assert found.reasons_zh == "命中负面清单：发生较大及以上安全事故"


def test_suzhou_grades_by_the_panel_score_with_the_prerequisite(suzhou, factory2018_inputs):
    result = score(suzhou, {"held_grade": "1A"})
    assert unmet_prerequisites(suzhou, {"held_grade": "1A"}) == {"3A", "4A", "5A"}
    assert unmet_prerequisites(suzhou, {"held_grade": "2A"}) == {"4A", "5A"}
    eligible = result.__class__(**{**result.__dict__, "eligible": True, "failed_gates": ()})
    capped = verdict(suzhou, eligible, Basis.PANEL, score=Decimal("85"))
    assert (capped.allowed, capped.grade, capped.grade_label) == (True, "2A", "2A级绿色工厂")
    assert capped.reasons == (
        ("得分 85.00，评为2A级绿色工厂", "score 85.00, graded 2A"),
        (
            "得分达到3A级绿色工厂（市级）分数线，但申报3A级须已获评2A级",
            "the score reaches 3A (city level), but 3A needs 2A held",
        ),
    )
    below = verdict(suzhou, eligible, Basis.PANEL, score=Decimal("25.33"))
    assert (below.allowed, below.grade) == (False, "")
    assert below.reasons_zh == "得分 25.33，低于合格线 60 分"
    held = verdict(suzhou, eligible, Basis.PANEL, score=Decimal("85"), unmet=())
    assert held.grade == "3A"


@settings(max_examples=200, deadline=None)
@given(
    points=st.decimals(min_value=0, max_value=110, places=2),
    held=st.sampled_from(["none", "1A", "2A", "3A"]),
    gate_fails=st.booleans(),
)
def test_an_allowed_verdict_always_carries_grade_for_score(suzhou, points, held, gate_fails):
    result = score(suzhou, {"held_grade": held})
    result = result.__class__(
        **{
            **result.__dict__,
            "eligible": not gate_fails,
            "failed_gates": ("gate_compliance",) if gate_fails else (),
        }
    )
    found = verdict(suzhou, result, Basis.PANEL, score=points)
    if found.allowed:
        band = grade_for_score(suzhou, points, unmet_prerequisites(suzhou, {"held_grade": held}))
        assert band is not None and found.grade == band.id and not gate_fails and points >= 60
    else:
        assert found.grade == "" and found.reasons
        assert gate_fails or points < 60


def test_forwarding_ranks_only_what_the_verdict_allows(xx_city):
    # the 31st tied with the 30th goes through (competition ranking); a failing one is never ranked
    scores = [Decimal("81.10") + Decimal("0.10") * k for k in range(29)] + [Decimal(81)] * 2 + [Decimal(99)]
    candidates = [Candidate(str(i), s) for i, s in enumerate(scores)]
    candidates[-1] = Candidate("failing", Decimal("99"), eligible=False)
    decisions = decide(ForwardingRule.from_scheme(xx_city), candidates)
    assert [d.forwarded for d in decisions[-3:]] == [True, True, False]
    assert [d.rank for d in decisions[-3:]] == [30, 30, None]
