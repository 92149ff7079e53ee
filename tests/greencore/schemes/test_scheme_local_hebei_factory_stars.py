"""河北 绿色工厂星级 (standards.md §7, V P35): 三星 60–75, 四星 75–90, 五星 ≥ 90."""

from __future__ import annotations

from decimal import Decimal

import pytest

from greencore.scoring import score
from greencore.standards.model import Mark
from greencore.standards.registry import get_scheme

SCHEME_ID = "factory-hebei-stars"


@pytest.fixture(scope="module")
def scheme():
    return get_scheme(SCHEME_ID)


def test_structure(scheme):
    assert scheme.extends == "factory-gbt36132-2018"
    assert scheme.region == "130000"
    grades = [(g.id, g.min.value, g.min.mark) for g in scheme.outcome.grades]
    assert grades == [
        ("five_star", 90, Mark.VERIFIED),
        ("four_star", 75, Mark.VERIFIED),
        ("three_star", 60, Mark.VERIFIED),
    ]
    assert [g.id for g in scheme.gates][-2:] == ["hebei_listed", "hebei_normal_operation"]
    recalled = {n.path for n in scheme.numbers if n.mark is Mark.RECALLED}
    assert recalled <= {n.path for n in scheme.unverified_numbers()}
    assert len(scheme.unverified_numbers()) == 66


@pytest.mark.parametrize(
    ("variant", "expected_score", "expected_grade"),
    [
        ("score_96", "96.00", "five_star"),
        ("score_90", "90.00", "five_star"),  # the lower bound belongs to the band
        ("base", "82.00", "four_star"),
        ("score_75", "75.00", "four_star"),
        ("score_67", "67.00", "three_star"),
        ("score_59", "59.00", None),
    ],
)
def test_star_bands(scheme, factory2018_inputs, variant, expected_score, expected_grade):
    inputs = {**factory2018_inputs(variant), "hebei_listed": True, "hebei_normal_operation": True}
    r = score(scheme, inputs)
    assert r.score == Decimal(expected_score)
    assert r.grade == expected_grade


def test_not_listed_gets_no_star(scheme, factory2018_inputs):
    inputs = {**factory2018_inputs("score_96"), "hebei_listed": False, "hebei_normal_operation": True}
    r = score(scheme, inputs)
    assert r.eligible is False
    assert r.failed_gates == ("hebei_listed",)
    assert r.grade is None
