"""Why a grade is capped (issue 11): the Suzhou 1A–5A prerequisites named in the scheme's own words."""

from __future__ import annotations

from decimal import Decimal

from greencore import GradeCap, grade_caps, score
from greencore.standards.registry import get_scheme

SUZHOU = get_scheme("factory-suzhou")


def _inputs(factory2018_inputs, variant, held, provincial=False, national=False):
    return {
        **factory2018_inputs(variant),
        "held_grade": held,
        "holds_provincial_title": provincial,
        "holds_national_title": national,
    }


def test_82_points_with_1a_held_is_capped_at_2a_because_3a_needs_2a(factory2018_inputs):
    result = score(SUZHOU, _inputs(factory2018_inputs, "base", "1A"))
    assert (result.score, result.grade) == (Decimal("82.00"), "2A")
    assert grade_caps(SUZHOU, result) == (
        GradeCap("3A", "3A级绿色工厂（市级）", "3A (city level)", "申报3A级须已获评2A级", "3A needs 2A held"),
    )


def test_a_national_title_without_3a_held_names_the_national_prerequisite(factory2018_inputs):
    result = score(SUZHOU, _inputs(factory2018_inputs, "base", "2A", national=True))
    assert result.grade == "3A"
    assert grade_caps(SUZHOU, result) == (
        GradeCap(
            "5A",
            "5A级绿色工厂（国家级）",
            "5A (national title)",
            "申报国家级须已获评3A级",
            "A national title needs 3A held",
        ),
    )


def test_nothing_is_capped_when_2a_is_held(factory2018_inputs):
    result = score(SUZHOU, _inputs(factory2018_inputs, "base", "2A"))
    assert (result.grade, grade_caps(SUZHOU, result)) == ("3A", ())
