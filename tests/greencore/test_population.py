"""Rank cut-offs and percentile grades over a population."""

from __future__ import annotations

from decimal import Decimal

from greencore.scoring import rank_population
from tests.conftest import make_scheme

CALL = """
id: t-call
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
  percentiles:
    bands:
      - {id: A+, label: {zh: A+}, top: 0.05}
      - {id: A, label: {zh: A}, top: 0.40}
      - {id: B, label: {zh: B}, top: 1}
"""


def test_top_n_above_threshold_with_ties_at_the_cut_off() -> None:
    scheme = make_scheme(CALL)
    scores = [
        Decimal("95"),
        Decimal("80"),
        Decimal("88.5"),
        Decimal("90"),
        Decimal("88.5"),
        None,
        Decimal("81"),
    ]
    ranking = rank_population(scheme, scores)
    # competition ranking by score: 95 → 1, 90 → 2, 88.5 → 3 (twice), 81 → 5, 80 → 6; no score → 0
    assert list(ranking.rank) == [1, 6, 3, 2, 3, 0, 5]
    # > 80 pool: 95, 88.5, 90, 88.5, 81 → top 3 with ties: 95, 90 and both 88.5; 80 is not > 80
    assert ranking.selected == [True, False, True, True, True, False, False]


def test_ineligible_applications_are_not_ranked() -> None:
    scheme = make_scheme(CALL)
    ranking = rank_population(scheme, [Decimal(90), Decimal(95)], eligible=[True, False])
    assert list(ranking.rank) == [1, 0]
    assert ranking.selected == [True, False]
    # the one ranked application is rank 1 of 1 = 100 %: shares are never exceeded, so B
    assert ranking.percentile_grade == ["B", None]


def test_percentile_grades_overall_and_within_industry() -> None:
    scheme = make_scheme(CALL)
    scores = [Decimal(100 - i) for i in range(100)]  # 100, 99, … 1: distinct
    ranking = rank_population(scheme, scores)
    grades = ranking.percentile_grade
    assert grades[:5] == ["A+"] * 5  # ranks 1–5: top 5 %
    assert grades[5:40] == ["A"] * 35  # ranks 6–40: next 35 %
    assert grades[40:] == ["B"] * 60
    # within two industries of 50 (even and odd ranks): ranks 1–2 of 50 are ≤ 5 %? 2/50 = 4 % yes, 3/50 no
    groups = ["C13" if i % 2 == 0 else "C38" for i in range(100)]
    by_group = rank_population(scheme, scores, groups).group_percentile_grade
    evens = [g for i, g in enumerate(by_group) if i % 2 == 0]
    assert evens[:2] == ["A+", "A+"]
    assert evens[2:20] == ["A"] * 18  # 20/50 = 40 %
    assert evens[20:] == ["B"] * 30


def test_equal_scores_share_a_grade() -> None:
    scheme = make_scheme(CALL)
    scores = [Decimal(90)] * 10 + [Decimal(50)] * 10
    ranking = rank_population(scheme, scores)
    # all ten 90s share rank 1 (1/20 = 5 %): A+; the 50s share rank 11 (55 %): B
    assert ranking.percentile_grade == ["A+"] * 10 + ["B"] * 10
