"""The grading ladder (review.yaml `grading_ladders`, seeds/003) and the grade held read from the platform's
titles (greencore.review.ladder)."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from greencore import (
    HeldTitle,
    Route,
    at_step,
    get_scheme,
    held_inputs,
    held_source,
    ladder_for,
    later_levels,
    route,
    score,
    title_level,
    unmet_prerequisites,
    verdict,
)
from greencore.review.verdict import Basis, Verdict

SUZHOU = get_scheme("factory-suzhou")
LADDER = ladder_for("factory-suzhou")
GRADES = {"1A": "1A级绿色工厂", "2A": "2A级绿色工厂", "3A": "3A级绿色工厂（市级）", "4A": "", "5A": ""}


def passing(grade: str, score: str = "76.80") -> Verdict:
    return Verdict(
        basis=Basis.SELF,
        score=Decimal(score),
        eligible=True,
        failed=(),
        passed=True,
        grade=grade,
        grade_label=GRADES[grade] or f"{grade}级绿色工厂",
        grade_label_en=grade,
        capped=(),
        reasons=((f"得分 {score}，评为{grade}", f"score {score}, graded {grade}"),),
    )


def test_suzhou_ladder_is_seeds_003():
    assert LADDER is not None
    assert dict(LADDER.grades) == {
        "district": ("1A", "2A"),
        "city": ("3A",),
        "province": ("4A",),
        "ministry": ("5A",),
    }
    assert LADDER.source == "seeds/003 五(一)、(三)"
    assert ladder_for("factory-weihai") is None  # no ladder: the chain's own behaviour
    assert (title_level("district"), title_level("ministry")) == ("district", "national")


def test_routes_on_the_district_city_chain():
    chain = ["district", "city"]
    district, city = later_levels(chain, 0), later_levels(chain, 1)
    assert (district, city) == (("city",), ())
    assert route(LADDER, "district", district, passing("1A")) is Route.GRADE_HERE
    assert route(LADDER, "district", district, passing("2A")) is Route.GRADE_HERE
    assert route(LADDER, "district", district, passing("3A", "85.50")) is Route.FORWARD
    assert route(LADDER, "city", city, passing("3A", "85.50")) is Route.GRADE_HERE
    assert route(LADDER, "city", city, passing("2A")) is Route.STOP
    assert route(LADDER, "district", district, passing("4A")) is Route.STOP
    # without a ladder: forward while steps remain, grant at the last
    assert route(None, "district", district, passing("2A")) is Route.FORWARD
    assert route(None, "city", city, passing("2A")) is Route.GRADE_HERE


def test_a_grade_no_step_ahead_grants_fails_naming_its_level():
    found = at_step(passing("2A"), LADDER, "city", ())
    assert not found.allowed and found.grade == "2A"
    assert found.reasons[-1] == (
        "2A级绿色工厂不在本级（市级）及以后环节评定：该等级由区县级主管部门评定；本批次评定 3A",
        "2A is not granted at city level or after it: it is granted at district level; this call grants 3A",
    )
    assert at_step(passing("2A"), LADDER, "district", ("city",)) == passing("2A")
    assert at_step(passing("2A"), None, "city", ()) == passing("2A")


@given(st.sampled_from(["1A", "2A", "3A", "4A", "5A"]), st.sampled_from(["district", "city", "province"]))
def test_every_passing_grade_is_granted_by_exactly_one_level(grade, level):
    """A grade is graded here, forwarded, or fails at this step: never both granted here and forwarded."""
    chain = ["district", "city", "province", "ministry"]
    index = chain.index(level)
    found = passing(grade)
    way = route(LADDER, level, later_levels(chain, index), found)
    assert (way is Route.GRADE_HERE) == (LADDER is not None and LADDER.grants(level, grade))
    assert at_step(found, LADDER, level, later_levels(chain, index)).allowed == (way is not Route.STOP)


def test_the_platform_title_decides_the_held_grade():
    assert held_inputs(SUZHOU, []) == {}  # none on the platform: the typed answer stands
    assert held_inputs(SUZHOU, [HeldTitle("district", "2A")]) == {"held_grade": "2A"}
    assert held_inputs(SUZHOU, [HeldTitle("district", "1A"), HeldTitle("district", "2A")]) == {
        "held_grade": "2A"
    }
    # a 4A (a provincial title raised it) has reached 3A, the highest choice; the provincial title is a status
    assert held_inputs(SUZHOU, [HeldTitle("city", "4A"), HeldTitle("province", "")]) == {
        "held_grade": "3A",
        "holds_provincial_title": True,
    }
    # a grade of another scheme's bands says nothing about this one
    assert held_inputs(SUZHOU, [HeldTitle("city", "一级")]) == {}
    assert held_source(SUZHOU, [HeldTitle("district", "2A")]) == (
        "已获等级依据本平台称号：2A（区县级）",
        "the grade held is read from the platform's title: 2A (district)",
    )
    assert held_source(SUZHOU, []) is None


def test_a_typed_2a_does_not_lift_a_platform_1a(factory2018_inputs):
    """The unit typed 2A held, the platform granted it 1A: 82.00 stays 2A, capped (the worked example
    `base` of the 2018 model, 41 + 15 + 26 = 82)."""
    typed = {
        **factory2018_inputs("base"),
        "held_grade": "2A",
        "holds_provincial_title": False,
        "holds_national_title": False,
    }
    result = score(SUZHOU, typed)
    assert (result.score, result.grade) == (Decimal("82.00"), "3A")  # on the typed answer alone
    held = held_inputs(SUZHOU, [HeldTitle("district", "1A")])
    unmet = unmet_prerequisites(SUZHOU, {**result.inputs, **held})
    assert "3A" in unmet
    found = verdict(SUZHOU, result, unmet=unmet)
    assert (found.grade, found.capped[0][0]) == (
        "2A",
        "得分达到3A级绿色工厂（市级）分数线，但申报3A级须已获评2A级",
    )
    # and the platform's 2A lets a typed "none" reach 3A
    typed_none = score(SUZHOU, {**typed, "held_grade": "none"})
    lifted = held_inputs(SUZHOU, [HeldTitle("district", "2A")])
    assert (
        verdict(SUZHOU, typed_none, unmet=unmet_prerequisites(SUZHOU, {**typed_none.inputs, **lifted})).grade
        == "3A"
    )
