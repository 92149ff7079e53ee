"""苏州市绿色工厂 1A–5A (seeds/003): grades, status grades and prerequisites by hand."""

from __future__ import annotations

from decimal import Decimal

import pytest

from greencore.scoring import score
from greencore.standards.model import Mark
from greencore.standards.registry import get_scheme

SCHEME_ID = "factory-suzhou"


@pytest.fixture(scope="module")
def scheme():
    return get_scheme(SCHEME_ID)


def test_structure(scheme):
    assert scheme.extends == "factory-gbt36132-2018"
    assert scheme.region == "320500"
    assert len([n for n in scheme.iter_nodes() if n.is_leaf]) == 43
    grades = scheme.outcome.grades
    assert [g.id for g in grades] == ["5A", "4A", "3A", "2A", "1A"]
    # status grades first
    assert [bool(g.when) for g in grades] == [True, True, False, False, False]
    assert [g.min.value for g in grades[2:]] == [80, 70, 60]
    assert all(g.min.mark is Mark.SEED for g in grades[2:])
    assert [g.requires for g in grades] == ["held_grade >= 3", "held_grade >= 3", "held_grade >= 2", "", ""]
    held = scheme.input("held_grade")
    assert [(c.id, c.value) for c in held.choices] == [("none", 0), ("1A", 1), ("2A", 2), ("3A", 3)]
    assert scheme.outcome.pass_mark.value == 60
    recalled = {n.path for n in scheme.numbers if n.mark is Mark.RECALLED}
    assert recalled <= {n.path for n in scheme.unverified_numbers()}
    assert len(scheme.unverified_numbers()) == 66  # the parent's; the Suzhou numbers are seed


def _inputs(factory2018_inputs, variant, held="none", provincial=False, national=False):
    return {
        **factory2018_inputs(variant),
        "held_grade": held,
        "holds_provincial_title": provincial,
        "holds_national_title": national,
    }


@pytest.mark.parametrize(
    ("variant", "held", "expected_score", "expected_grade", "blocked"),
    [
        ("base", "2A", "82.00", "3A", ()),  # ≥ 80 and 2A held
        ("score_80", "2A", "80.00", "3A", ()),  # the lower bound belongs to 3A
        ("base", "1A", "82.00", "2A", ("3A",)),  # 3A needs 2A held → next grade down
        ("base", "none", "82.00", "2A", ("3A",)),
        ("score_75", "none", "75.00", "2A", ()),
        ("score_70", "none", "70.00", "2A", ()),
        ("score_67", "none", "67.00", "1A", ()),
        ("score_59", "none", "59.00", None, ()),
    ],
)
def test_score_grades(scheme, factory2018_inputs, variant, held, expected_score, expected_grade, blocked):
    r = score(scheme, _inputs(factory2018_inputs, variant, held=held))
    assert r.score == Decimal(expected_score)
    assert r.grade == expected_grade
    assert r.blocked_grades == blocked
    assert r.passed is (Decimal(expected_score) >= 60)


def test_provincial_title_gives_4a(scheme, factory2018_inputs):
    r = score(scheme, _inputs(factory2018_inputs, "base", held="3A", provincial=True))
    assert r.grade == "4A"
    assert r.blocked_grades == ()


def test_national_title_gives_5a(scheme, factory2018_inputs):
    r = score(scheme, _inputs(factory2018_inputs, "base", held="3A", provincial=True, national=True))
    assert r.grade == "5A"


def test_national_title_without_3a_is_blocked(scheme, factory2018_inputs):
    r = score(scheme, _inputs(factory2018_inputs, "base", held="2A", national=True))
    # 5A needs 3A held → blocked; 4A does not apply (no provincial title); 82 ≥ 80 with 2A held → 3A
    assert r.grade == "3A"
    assert r.blocked_grades == ("5A",)


def test_provincial_and_national_without_3a(scheme, factory2018_inputs):
    r = score(scheme, _inputs(factory2018_inputs, "score_75", held="1A", provincial=True, national=True))
    # 5A and 4A blocked (held 1A), 75 < 80 → 2A
    assert r.grade == "2A"
    assert r.blocked_grades == ("5A", "4A")


def test_ineligible_gets_no_grade(scheme, factory2018_inputs):
    inputs = _inputs(factory2018_inputs, "base", held="3A", national=True)
    inputs["gate_compliance"] = False
    r = score(scheme, inputs)
    assert r.eligible is False
    assert r.grade is None
