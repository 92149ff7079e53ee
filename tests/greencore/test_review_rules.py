"""The pure rules of the review chain: forwarding between steps (seeds/003, seeds/004) and expert panels (AC-04)."""

from __future__ import annotations

import random
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from greencore.review import (
    Candidate,
    CaseFacts,
    Conflict,
    ExpertFacts,
    ForwardingDecision,
    ForwardingRule,
    PanelError,
    RuleError,
    aggregate,
    assign_panel,
    check_assignment,
    conflicts_of,
    decide,
    published_score,
)
from greencore.scoring import rank_population
from greencore.standards.registry import get_scheme
from tests.conftest import make_scheme

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
D = Decimal


# ---------------------------------------------------------------- forwarding: hand-worked examples


def test_suzhou_min_80_with_rounding_and_no_score() -> None:
    # seeds/003: initial score ≥ 80. 79.995 is published as 80.00 (half-up) and meets the line;
    # published 85.00, 80.00, 80.00, 79.50 → competition ranks 1, 2, 2, 4; no score → unranked
    rule = ForwardingRule.from_spec({"min": 80})
    candidates = [
        Candidate("a", D("85")),
        Candidate("b", D("80")),
        Candidate("c", D("79.995")),
        Candidate("d", D("79.5")),
        Candidate("e", None),
    ]
    assert decide(rule, candidates) == [
        ForwardingDecision(
            "a",
            True,
            1,
            "得分 85.00，排名第 1 位，符合转报条件",
            "score 85.00, rank 1, meets the forwarding rule",
        ),
        ForwardingDecision(
            "b",
            True,
            2,
            "得分 80.00，排名第 2 位，符合转报条件",
            "score 80.00, rank 2, meets the forwarding rule",
        ),
        ForwardingDecision(
            "c",
            True,
            2,
            "得分 80.00，排名第 2 位，符合转报条件",
            "score 80.00, rank 2, meets the forwarding rule",
        ),
        ForwardingDecision(
            "d", False, 4, "得分 79.50，低于转报分数线 80", "score 79.50 is below the forwarding line 80"
        ),
        ForwardingDecision("e", False, None, "无有效得分", "no valid score"),
    ]


def test_xx_city_above_80_and_top_30_with_ties_at_30th_place() -> None:
    # seeds/004: > 80 and top 30. 29 distinct scores 99.0 … 85.0 (ranks 1–29), two tied at 84.50 (rank 30,
    # both go through: 31 forwarded), 84.00 is rank 32; 80.00 is not above 80; an ineligible 95 is
    # neither ranked nor counted (it does not push anyone down)
    scores = [D("99") - D("0.5") * i for i in range(29)]
    candidates = [Candidate(f"c{i:02d}", s) for i, s in enumerate(scores)]
    candidates += [
        Candidate("tie1", D("84.5")),
        Candidate("tie2", D("84.50")),
        Candidate("next", D("84")),
        Candidate("eighty", D("80")),
        Candidate("ineligible", D("95"), eligible=False),
    ]
    decisions = decide(ForwardingRule.from_spec({"above": 80, "top": 30}), candidates)
    assert [d.key for d in decisions] == [c.key for c in candidates]  # input order
    assert [d.rank for d in decisions[:29]] == list(range(1, 30))
    assert all(d.forwarded for d in decisions[:29])
    by_key = {d.key: d for d in decisions}
    assert by_key["tie1"] == ForwardingDecision(
        "tie1",
        True,
        30,
        "得分 84.50，排名第 30 位，符合转报条件",
        "score 84.50, rank 30, meets the forwarding rule",
    )
    assert by_key["tie2"].forwarded and by_key["tie2"].rank == 30
    assert by_key["next"] == ForwardingDecision(
        "next", False, 32, "排名第 32 位，未进入前 30 名", "rank 32 is outside the top 30"
    )
    assert by_key["eighty"] == ForwardingDecision(
        "eighty", False, 33, "得分 80.00，未高于 80", "score 80.00 is not above 80"
    )
    assert by_key["ineligible"] == ForwardingDecision(
        "ineligible", False, None, "不符合申报条件", "not eligible"
    )
    assert sum(d.forwarded for d in decisions) == 31


def test_the_31st_of_31_distinct_scores_is_cut() -> None:
    candidates = [Candidate(f"c{i}", D(99) - D("0.5") * i) for i in range(31)]  # 99.0 … 84.0
    decisions = decide(ForwardingRule(above=D(80), top=30), candidates)
    assert [d.forwarded for d in decisions] == [True] * 30 + [False]
    assert decisions[-1].reason_zh == "排名第 31 位，未进入前 30 名"
    assert decisions[-1].reason_en == "rank 31 is outside the top 30"


def test_thresholds_with_decimals_are_written_as_given() -> None:
    rule = ForwardingRule.from_spec({"min": "80.5"})
    (d,) = decide(rule, [Candidate("x", D("80.49"))])
    assert (d.reason_zh, d.reason_en) == (
        "得分 80.49，低于转报分数线 80.5",
        "score 80.49 is below the forwarding line 80.5",
    )
    (d,) = decide(ForwardingRule(above=D("100")), [Candidate("x", D("100"))])
    assert d.reason_zh == "得分 100.00，未高于 100"


def test_min_is_checked_before_above_and_top() -> None:
    rule = ForwardingRule(min=D(60), above=D(80), top=1)
    decisions = decide(
        rule, [Candidate("a", D(59)), Candidate("b", D(70)), Candidate("c", D(90)), Candidate("d", D(85))]
    )
    assert [d.reason_en for d in decisions] == [
        "score 59.00 is below the forwarding line 60",
        "score 70.00 is not above 80",
        "score 90.00, rank 1, meets the forwarding rule",
        "rank 2 is outside the top 1",
    ]


def test_non_finite_scores_are_no_valid_score() -> None:
    decisions = decide(
        ForwardingRule(min=D(0)), [Candidate("nan", D("NaN")), Candidate("inf", D("Infinity"))]
    )
    assert [(d.forwarded, d.rank, d.reason_zh) for d in decisions] == [(False, None, "无有效得分")] * 2


def test_published_score() -> None:
    assert published_score(D("79.995")) == D("80.00")
    assert published_score(D("2.675")) == D("2.68")
    assert published_score(D("79.994999")) == D("79.99")
    assert published_score(D("79.95"), places=1) == D("80.0")
    assert published_score(None) is None
    assert published_score(D("NaN")) is None


def test_places_follow_the_rule() -> None:
    (d,) = decide(ForwardingRule(min=D(80), places=1), [Candidate("x", D("79.95"))])
    assert d.forwarded and d.reason_zh == "得分 80.0，排名第 1 位，符合转报条件"


def test_duplicate_candidate_keys_are_refused() -> None:
    with pytest.raises(RuleError, match="'a' appears twice"):
        decide(ForwardingRule(min=D(80)), [Candidate("a", D(90)), Candidate("a", D(85))])


def test_empty_call_decides_nothing() -> None:
    assert decide(ForwardingRule(top=3), []) == []


# ---------------------------------------------------------------- forwarding: rules from specs and schemes


@pytest.mark.parametrize(
    ("spec", "zh", "en"),
    [
        (
            {"min": 80, "bottom": 3},
            "转报规则中有未知的键 'bottom'（可用：min、above、top、places）",
            "unknown key 'bottom' in the forwarding rule (allowed: min, above, top, places)",
        ),
        ({"min": "eighty"}, "转报规则 min 的值 'eighty' 不是数字", "min: 'eighty' is not a number"),
        ({"above": [80]}, "转报规则 above 的值 [80] 不是数字", "above: [80] is not a number"),
        ({"min": True}, "转报规则 min 的值 True 不是数字", "min: True is not a number"),
        ({"min": float("nan")}, "转报规则 min 的值 nan 不是数字", "min: nan is not a number"),
        ({"above": -1}, "转报规则 above 的值 -1 不能为负数", "above: -1 must not be negative"),
        ({"min": "-0.5"}, "转报规则 min 的值 -0.5 不能为负数", "min: -0.5 must not be negative"),
        (
            {"top": 0},
            "转报规则 top 的值 0 必须是不小于 1 的整数",
            "top: 0 must be a whole number of at least 1",
        ),
        (
            {"top": -3},
            "转报规则 top 的值 -3 必须是不小于 1 的整数",
            "top: -3 must be a whole number of at least 1",
        ),
        ({"top": 2.5}, "转报规则 top 的值 2.5 不是整数", "top: 2.5 is not a whole number"),
        ({"top": "ten"}, "转报规则 top 的值 'ten' 不是整数", "top: 'ten' is not a whole number"),
        (
            {"min": 80, "places": 7},
            "转报规则 places 的值 7 必须是 0 至 6 之间的整数",
            "places: 7 must be a whole number from 0 to 6",
        ),
        (
            {},
            "转报规则至少需要 min、above 或 top 之一",
            "a forwarding rule needs at least one of min, above or top",
        ),
        (
            {"min": None},
            "转报规则至少需要 min、above 或 top 之一",
            "a forwarding rule needs at least one of min, above or top",
        ),
    ],
)
def test_bad_specs_name_the_key_and_value(spec: dict[str, Any], zh: str, en: str) -> None:
    with pytest.raises(RuleError) as caught:
        ForwardingRule.from_spec(spec)
    assert (caught.value.zh, caught.value.en) == (zh, en)
    assert str(caught.value) == f"{zh} / {en}"


def test_a_spec_must_be_a_mapping() -> None:
    with pytest.raises(RuleError, match="must be a mapping, not list"):
        ForwardingRule.from_spec([("min", 80)])  # type: ignore[arg-type]


def test_direct_construction_is_validated_too() -> None:
    with pytest.raises(RuleError, match="top: 0 must be"):
        ForwardingRule(top=0)
    with pytest.raises(RuleError, match="needs at least one"):
        ForwardingRule()


def test_specs_accept_json_values_and_round_trip() -> None:
    rule = ForwardingRule.from_spec({"above": "80", "top": "30"})
    assert rule == ForwardingRule(above=D(80), top=30)
    assert ForwardingRule.from_spec({"min": 79.5}).min == D("79.5")
    assert rule.to_spec() == {"above": "80", "top": 30}
    assert ForwardingRule.from_spec(rule.to_spec()) == rule
    odd = ForwardingRule(min=D("80.50"), places=1)
    assert odd.to_spec() == {"min": "80.5", "places": 1}
    assert ForwardingRule.from_spec(odd.to_spec()) == odd
    assert rule.describe() == ("得分高于 80，且排名前 30 名", "score above 80 and within the top 30")
    assert ForwardingRule(min=D(80)).describe() == ("得分不低于 80", "score at least 80")


def test_from_scheme_xx_city_is_its_ranking() -> None:
    assert ForwardingRule.from_scheme(get_scheme("factory-xx-city")) == ForwardingRule(above=D(80), top=30)


def test_from_scheme_suzhou_pass_mark_and_3a_line() -> None:
    suzhou = get_scheme("factory-suzhou")
    # without a grade: the pass mark (60, 1A); the city's 3A review forwards by the 3A line (seeds/003)
    assert ForwardingRule.from_scheme(suzhou) == ForwardingRule(min=D(60))
    assert ForwardingRule.from_scheme(suzhou, grade="3A") == ForwardingRule(min=D(80))
    with pytest.raises(RuleError, match="has no score line"):
        ForwardingRule.from_scheme(suzhou, grade="5A")  # given by status (national title), not by score
    with pytest.raises(RuleError, match=r"has no grade '6A' \(it has: 5A, 4A, 3A, 2A, 1A\)"):
        ForwardingRule.from_scheme(suzhou, grade="6A")


def test_from_scheme_pass_above_and_nothing_to_forward_by() -> None:
    scheme = make_scheme(CALL.replace("ranking: {top: 3, above: 80}", "pass_mark: 75\n  pass_above: true"))
    assert ForwardingRule.from_scheme(scheme) == ForwardingRule(above=D(75))
    with pytest.raises(RuleError, match="neither a pass mark nor a ranking"):
        ForwardingRule.from_scheme(get_scheme("factory-gbt36132-2025"))


# ---------------------------------------------------------------- forwarding: properties

CALL = """
id: t-review
version: "1"
subject: factory
title: {zh: 批次}
source: {document: test}
marks: {mark: seed, source: seeds/004}
inputs: [{id: x, label: {zh: X}, kind: percent}]
indicators: [{id: only, label: {zh: 唯一}, points: 100, rule: {kind: linear, value: x, base: 0, lead: 100}}]
outcome:
  scale: 100
  ranking: {top: 3, above: 80}
"""

# scores around the lines with three decimals (so rounding matters) and many ties
scores_3dp = st.one_of(st.none(), st.integers(78_000, 84_000).map(lambda n: D(n).scaleb(-3)))
scores_ties = st.one_of(st.none(), st.integers(790, 840).map(lambda n: D(n).scaleb(-1)))


@st.composite
def calls(draw: st.DrawFn, scores: st.SearchStrategy[Decimal | None]) -> list[Candidate]:
    values = draw(st.lists(st.tuples(scores, st.booleans() | st.just(True)), max_size=40))
    return [Candidate(f"k{i}", s, eligible=e) for i, (s, e) in enumerate(values)]


@st.composite
def rules(draw: st.DrawFn) -> ForwardingRule:
    line = st.none() | st.integers(790, 830).map(lambda n: D(n).scaleb(-1))
    low, high, top = draw(line), draw(line), draw(st.none() | st.integers(1, 12))
    if low is None and high is None and top is None:
        top = 5
    return ForwardingRule(min=low, above=high, top=top)


@SETTINGS
@given(rule=rules(), candidates=calls(scores_3dp) | calls(scores_ties))
def test_forwarding_properties(rule: ForwardingRule, candidates: list[Candidate]) -> None:
    decisions = decide(rule, candidates)
    assert [d.key for d in decisions] == [c.key for c in candidates]
    published = {c.key: published_score(c.score) if c.eligible else None for c in candidates}
    ranked = [p for p in published.values() if p is not None]
    forwarded = [c for c, d in zip(candidates, decisions, strict=True) if d.forwarded]
    for c, d in zip(candidates, decisions, strict=True):
        p = published[c.key]
        # unranked exactly when ineligible or scoreless; rank = 1 + number of strictly better published scores
        assert (d.rank is None) == (p is None)
        if p is not None:
            assert d.rank == 1 + sum(q > p for q in ranked)
        # exactly those meeting every condition go through
        meets = (
            p is not None
            and (rule.min is None or p >= rule.min)
            and (rule.above is None or p > rule.above)
            and (rule.top is None or (d.rank is not None and d.rank <= rule.top))
        )
        assert d.forwarded == meets
    # monotone: an eligible candidate with a strictly higher score than a forwarded one is forwarded
    for f in forwarded:
        assert f.score is not None
        for c, d in zip(candidates, decisions, strict=True):
            if c.eligible and c.score is not None and c.score > f.score:
                assert d.forwarded
    # never more than top, except candidates tied at the cut-off score
    if rule.top is not None and forwarded:
        cut = min(published[f.key] for f in forwarded)  # type: ignore[type-var]
        assert sum(published[f.key] != cut for f in forwarded) < rule.top


@SETTINGS
@given(candidates=calls(st.one_of(st.none(), st.integers(7_800, 8_400).map(lambda n: D(n).scaleb(-2)))))
def test_ranks_and_cut_agree_with_the_engine(candidates: list[Candidate]) -> None:
    # on published (2-place) scores, decide() and the engine's rank_population agree on ranks and the cut
    scheme = make_scheme(CALL)
    decisions = decide(ForwardingRule.from_scheme(scheme), candidates)
    ranking = rank_population(
        scheme, [c.score for c in candidates], eligible=[c.eligible for c in candidates]
    )
    assert [d.rank or 0 for d in decisions] == [int(r) for r in ranking.rank]
    assert [d.forwarded for d in decisions] == [bool(s) for s in ranking.selected]


# ---------------------------------------------------------------- panels: aggregation


@pytest.mark.parametrize(
    ("scores", "method", "expected"),
    [
        (["70", "80", "90", "100"], "trimmed_mean", "85.00"),  # drop 70 and 100: (80 + 90) / 2
        (["80", "85", "90"], "mean", "85.00"),
        (["80", "85", "90"], "trimmed_mean", "85.00"),  # only the middle one is left
        (["100", "0", "0"], "mean", "33.33"),  # 33.333…
        (["100", "100", "0"], "mean", "66.67"),  # 66.666…
        (["1", "1", "0"], "mean", "0.67"),
        (["80", "85"], "mean", "82.50"),
        (["80.005"], "mean", "80.01"),  # half-up, not half-even
        (["80.004", "80.005"], "mean", "80.00"),  # 80.0045 → 80.00
        (["60", "95", "95", "60", "70"], "trimmed_mean", "75.00"),  # drop one 60 and one 95 only: 225 / 3
        (["82.5", "82.5", "82.5", "82.5"], "trimmed_mean", "82.50"),
    ],
)
def test_aggregate_hand_worked(scores: list[str], method: str, expected: str) -> None:
    result = aggregate([D(s) for s in scores], method)
    assert result == D(expected)
    assert str(result) == expected  # always two places


def test_aggregate_errors() -> None:
    with pytest.raises(PanelError, match="no expert scores"):
        aggregate([], "mean")
    with pytest.raises(PanelError) as caught:
        aggregate([D(80), D(90)], "trimmed_mean")
    assert caught.value.zh == "去掉一个最高分和一个最低分至少需要 3 个评分，现有 2 个"
    with pytest.raises(PanelError, match="unknown panel aggregation method 'median'"):
        aggregate([D(80)], "median")
    with pytest.raises(PanelError, match=r"expert score 2 \(NaN\) is not a number"):
        aggregate([D(80), D("NaN")], "mean")


score_2dp = st.integers(0, 10_000).map(lambda n: D(n).scaleb(-2))


@SETTINGS
@given(scores=st.lists(score_2dp, min_size=3, max_size=15))
def test_trimmed_mean_lies_between_min_and_max(scores: list[Decimal]) -> None:
    result = aggregate(scores, "trimmed_mean")
    ordered = sorted(scores)
    assert min(scores) <= ordered[1] <= result <= ordered[-2] <= max(scores)
    assert min(scores) <= aggregate(scores, "mean") <= max(scores)
    assert result == aggregate(list(reversed(scores)), "trimmed_mean")  # order does not matter


# ---------------------------------------------------------------- panels: conflicts of interest (AC-04)

CASE = CaseFacts("case-1", applicant="acme", park="wz-park", evaluation_body="eval-co", field="machinery")


@pytest.mark.parametrize(
    ("expert", "codes"),
    [
        (ExpertFacts("e", employer="uni"), []),
        (ExpertFacts("e", employer="acme"), ["same_employer"]),
        (ExpertFacts("e", employer="neighbour", park="wz-park"), ["same_park"]),
        (ExpertFacts("e", employer="wz-park"), ["same_park"]),  # works for the applicant's park
        (ExpertFacts("e", employer="other", park="other-park"), []),
        (ExpertFacts("e", employer="eval-co"), ["evaluation_body_staff"]),
        (ExpertFacts("e", employer="uni", evaluation_body="eval-co"), ["evaluation_body_staff"]),
        (ExpertFacts("e", employer="uni", evaluation_body="other-eval"), []),
        (
            ExpertFacts("e", employer="uni", related=frozenset({"acme"})),
            ["declared"],
        ),  # consulted for the applicant
        (
            ExpertFacts("e", employer="uni", related=frozenset({"wz-park", "eval-co", "x"})),
            ["declared", "declared"],
        ),
        (
            ExpertFacts("e", employer="acme", park="wz-park", related=frozenset({"acme"})),
            ["same_employer", "same_park", "declared"],
        ),
    ],
)
def test_conflict_codes(expert: ExpertFacts, codes: list[str]) -> None:
    found = conflicts_of(expert, CASE)
    assert [c.code for c in found] == codes
    assert check_assignment(CASE, expert) == (found[0] if found else None)


def test_conflict_texts() -> None:
    assert conflicts_of(ExpertFacts("e", employer="acme"), CASE) == [
        Conflict("same_employer", "专家任职于申报单位", "the expert works for the applicant")
    ]
    declared = conflicts_of(ExpertFacts("e", employer="uni", related=frozenset({"eval-co"})), CASE)
    assert declared == [
        Conflict(
            "declared",
            "专家已声明与第三方评价机构存在关联关系",
            "the expert declared a relation with the evaluation body",
        )
    ]


def test_park_applications_and_cases_without_park_or_evaluation_body() -> None:
    park_case = CaseFacts("case-2", applicant="wz-park")  # the park itself applies
    assert [c.code for c in conflicts_of(ExpertFacts("e", employer="firm", park="wz-park"), park_case)] == [
        "same_park"
    ]
    bare = CaseFacts("case-3", applicant="acme")
    # no park and no evaluation body on the case: an expert without a park is not "in the same park"
    assert conflicts_of(ExpertFacts("e", employer="uni", evaluation_body="eval-co"), bare) == []


# ---------------------------------------------------------------- panels: assignment


def _pool() -> list[ExpertFacts]:
    return [
        ExpertFacts("busy-in-field", employer="u1", fields=frozenset({"machinery"}), load=4),
        ExpertFacts("idle-in-field", employer="u2", fields=frozenset({"machinery", "energy"}), load=0),
        ExpertFacts("idle-other", employer="u3", fields=frozenset({"chemicals"}), load=0),
        ExpertFacts("same-firm", employer="acme", fields=frozenset({"machinery"})),
        ExpertFacts("declared", employer="u4", related=frozenset({"acme"}), fields=frozenset({"machinery"})),
        ExpertFacts("loaded-other", employer="u5", load=2),
    ]


def test_assign_prefers_field_then_load_and_skips_conflicts() -> None:
    assert assign_panel(CASE, _pool(), 3, seed="case-1") == ["idle-in-field", "busy-in-field", "idle-other"]
    assert assign_panel(CASE, _pool(), 4, seed="case-1")[-1] == "loaded-other"


def test_assign_reports_how_many_were_available() -> None:
    with pytest.raises(PanelError) as caught:
        assign_panel(CASE, _pool(), 5, seed="case-1")
    assert caught.value.zh == "无利益冲突的可选专家只有 4 名（专家库共 6 名），少于所需的 5 名"
    assert caught.value.en == "only 4 conflict-free experts available (of 6 in the pool), 5 needed"
    with pytest.raises(PanelError, match="panel size 0"):
        assign_panel(CASE, _pool(), 0, seed="case-1")
    with pytest.raises(PanelError, match="appears twice"):
        assign_panel(CASE, [*_pool(), ExpertFacts("idle-other", employer="u9")], 1, seed="case-1")


def test_seeds_spread_equal_experts_across_cases() -> None:
    pool = [ExpertFacts(f"x{i}", employer=f"u{i}") for i in range(10)]
    panels = [tuple(assign_panel(CASE, pool, 3, seed=f"case-{n}")) for n in range(20)]
    assert len({key for panel in panels for key in panel}) > 3
    assert panels == [tuple(assign_panel(CASE, pool, 3, seed=f"case-{n}")) for n in range(20)]


ORGS = ["acme", "beta", "gamma", "wz-park", "ks-park", "eval-co", "eval-b", "uni"]
PARKS = ["wz-park", "ks-park"]
BODIES = ["eval-co", "eval-b"]
FIELDS = ["machinery", "energy", "chemicals"]


@st.composite
def experts(draw: st.DrawFn, key: str) -> ExpertFacts:
    return ExpertFacts(
        key,
        employer=draw(st.sampled_from(ORGS)),
        park=draw(st.none() | st.sampled_from(PARKS)),
        evaluation_body=draw(st.none() | st.sampled_from(BODIES)),
        related=frozenset(draw(st.lists(st.sampled_from(ORGS), max_size=3))),
        fields=frozenset(draw(st.lists(st.sampled_from(FIELDS), max_size=2))),
        load=draw(st.integers(0, 3)),
    )


@st.composite
def pools(draw: st.DrawFn) -> list[ExpertFacts]:
    n = draw(st.integers(0, 14))
    return [draw(experts(f"e{i}")) for i in range(n)]


cases = st.builds(
    CaseFacts,
    key=st.just("case"),
    applicant=st.sampled_from(["acme", "beta", "gamma", "wz-park"]),
    park=st.none() | st.sampled_from(PARKS),
    evaluation_body=st.none() | st.sampled_from(BODIES),
    field=st.none() | st.sampled_from(FIELDS),
)


def conflicted(e: ExpertFacts, c: CaseFacts) -> bool:
    """AC-04 written out independently of conflicts_of."""
    case_orgs = {c.applicant, c.park, c.evaluation_body} - {None}
    return (
        e.employer == c.applicant
        or (e.park is not None and e.park in (c.park, c.applicant))
        or (c.park is not None and e.employer == c.park)
        or (c.evaluation_body is not None and c.evaluation_body in (e.employer, e.evaluation_body))
        or bool(case_orgs & e.related)
    )


@SETTINGS
@given(case=cases, pool=pools(), size=st.integers(1, 6), seed=st.text(max_size=8), shuffle=st.randoms())
def test_assignment_properties(
    case: CaseFacts, pool: list[ExpertFacts], size: int, seed: str, shuffle: random.Random
) -> None:
    free = [e for e in pool if not conflicted(e, case)]
    assert {e.key for e in free} == {e.key for e in pool if not conflicts_of(e, case)}
    if len(free) < size:
        with pytest.raises(PanelError, match=f"only {len(free)} conflict-free"):
            assign_panel(case, pool, size, seed=seed)
        return
    panel = assign_panel(case, pool, size, seed=seed)
    # exactly `size` distinct experts, none conflicted
    assert len(panel) == size == len(set(panel))
    by_key = {e.key: e for e in pool}
    assert not any(conflicted(by_key[k], case) for k in panel)
    assert all(check_assignment(case, by_key[k]) is None for k in panel)
    # deterministic, and independent of the pool's order
    assert assign_panel(case, pool, size, seed=seed) == panel
    shuffled = list(pool)
    shuffle.shuffle(shuffled)
    assert assign_panel(case, shuffled, size, seed=seed) == panel

    # nobody left out is preferable to anybody chosen: field match first, then load
    def rank(e: ExpertFacts) -> tuple[int, int]:
        return (0 if case.field is not None and case.field in e.fields else 1, e.load)

    worst_chosen = max(rank(by_key[k]) for k in panel)
    assert all(rank(e) >= worst_chosen for e in free if e.key not in panel)
