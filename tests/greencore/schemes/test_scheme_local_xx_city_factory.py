"""'XX市'绿色工厂 (seeds/004): score > 80 and within the top 30 of the call."""

from __future__ import annotations

from decimal import Decimal

import pytest

from greencore.scoring import rank_population, score
from greencore.standards.model import Mark
from greencore.standards.registry import get_scheme

SCHEME_ID = "factory-xx-city"


@pytest.fixture(scope="module")
def scheme():
    return get_scheme(SCHEME_ID)


def test_structure(scheme):
    assert scheme.extends == "factory-gbt36132-2018"
    ranking = scheme.outcome.ranking
    assert ranking.top == 30
    assert ranking.above.value == 80
    assert ranking.above.mark is Mark.SEED
    assert scheme.outcome.pass_mark.value == 80
    assert scheme.outcome.pass_above is True
    recalled = {n.path for n in scheme.numbers if n.mark is Mark.RECALLED}
    assert recalled <= {n.path for n in scheme.unverified_numbers()}
    assert len(scheme.unverified_numbers()) == 66


@pytest.mark.parametrize(
    ("variant", "expected_score", "expected_pass"),
    [("base", "82.00", True), ("score_80", "80.00", False)],  # "高于80分": 80 itself does not pass
)
def test_threshold(scheme, factory2018_inputs, variant, expected_score, expected_pass):
    r = score(scheme, factory2018_inputs(variant))
    assert r.score == Decimal(expected_score)
    assert r.passed is expected_pass


def test_top_30_of_35(scheme):
    # 35 distinct scores 99.0, 98.5, …, 82.0, all above 80: ranks 1..35, the first 30 selected
    scores = [Decimal("99") - Decimal("0.5") * i for i in range(35)]
    ranking = rank_population(scheme, scores)
    assert list(ranking.rank) == list(range(1, 36))
    assert ranking.selected == [True] * 30 + [False] * 5


def test_ties_at_the_cut_off_are_all_selected(scheme):
    # 28 distinct scores 99.0 … 85.5, three tied at 85 (competition rank 29, 29, 29), then 84 (rank 32)
    scores = [Decimal("99") - Decimal("0.5") * i for i in range(28)]
    scores += [Decimal("85"), Decimal("85"), Decimal("85"), Decimal("84")]
    ranking = rank_population(scheme, scores)
    assert list(ranking.rank[28:]) == [29, 29, 29, 32]
    assert ranking.selected == [True] * 31 + [False]


def test_threshold_and_unscored(scheme):
    # 90 → selected; 80 (not above 80) and 79 → not selected though ranked; None → unranked
    scores = [Decimal("90"), Decimal("80"), Decimal("79"), None]
    ranking = rank_population(scheme, scores)
    assert list(ranking.rank[:3]) == [1, 2, 3]
    assert ranking.selected[:3] == [True, False, False]
    assert ranking.rank[3] == 0  # unranked
    assert not ranking.selected[3]
    assert ranking.percentile_grade == [None] * 4  # the scheme has no percentile grades
