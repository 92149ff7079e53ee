"""Electronics green supply chain (EGSCI star bands on the 2016 items): grades by hand."""

from __future__ import annotations

from decimal import Decimal

import pytest

from greencore.scoring import score
from greencore.standards.model import Mark
from greencore.standards.registry import get_scheme

SCHEME_ID = "supply-chain-electronics"


@pytest.fixture(scope="module")
def scheme():
    return get_scheme(SCHEME_ID)


def test_structure(scheme):
    assert scheme.extends == "supply-chain-miit-2016"
    assert scheme.outcome.scale.value == 100
    assert len([n for n in scheme.iter_nodes() if n.is_leaf]) == 20
    grades = [(g.id, g.min.value) for g in scheme.outcome.grades]
    assert grades == [
        ("five_star", 85),
        ("four_star", 80),
        ("three_star", 75),
        ("two_star", 70),
        ("one_star", 0),
    ]
    assert all(g.min.mark is Mark.VERIFIED for g in scheme.outcome.grades)
    recalled = {n.path for n in scheme.numbers if n.mark is Mark.RECALLED}
    assert recalled <= {n.path for n in scheme.unverified_numbers()}
    assert scheme.unverified_numbers() == []


@pytest.mark.parametrize(
    ("changes", "expected_score", "expected_grade"),
    [
        ({}, "83.70", "four_star"),  # the base example of the national scheme
        ({"X44": 5}, "85.70", "five_star"),  # 83.7 + 2
        ({"X51": 8.3}, "85.00", "five_star"),  # 83.7 + 1.3: the lower bound belongs to the band
        ({"X51": 3.3}, "80.00", "four_star"),  # 83.7 − 3.7
        ({"X51": 0}, "76.70", "three_star"),  # 83.7 − 7
        ({"X51": 0, "X61": 0.8}, "75.00", "three_star"),  # 76.7 − 1.7
        ({"X51": 0, "X31": 5}, "71.70", "two_star"),  # 83.7 − 7 − 5
        ({"X51": 0, "X31": 0, "X32": 0}, "58.70", "one_star"),  # 83.7 − 7 − 10 − 8
    ],
)
def test_star_bands(scheme, supply_chain2016_inputs, changes, expected_score, expected_grade):
    r = score(scheme, {**supply_chain2016_inputs, **changes})
    assert r.score == Decimal(expected_score)
    assert r.grade == expected_grade
