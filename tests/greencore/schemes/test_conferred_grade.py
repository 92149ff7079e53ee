"""A call that confers a title is graded as if the title were granted (issue 11; seeds/003).

Suzhou: 「获评省级绿色工厂的企业，自动评为4A级」 and 「申报省级、国家级绿色工厂的企业需获评3A级」. The
applicant to a provincial call does not hold the provincial title yet — the call confers it — so the engine
reads the status the call confers (`conferred_inputs`) and the verdict grants the status grade
(`conferred_grade`) given its prerequisite (3A held). A city call confers no status: its applicant still
caps at 3A. Scores are the GB/T 36132-2018 worked examples (tests/greencore/schemes/conftest.py):
base = 41 + 15 + 26 = 82.00; score_67 = 41 + 0 + 26 = 67.00; score_59 = 41 + 0 + 18 = 59.00.
"""

from __future__ import annotations

import json
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest

from greencore import (
    at_step,
    conferred_grade,
    conferred_inputs,
    get_scheme,
    ladder_for,
    ladder_of_call,
    later_levels,
    score,
    verdict,
)
from greencore.cli import main

SUZHOU = get_scheme("factory-suzhou")
WEIHAI = get_scheme("factory-weihai")
LADDER = ladder_for("factory-suzhou")
PROVINCIAL_CHAIN = ["district", "city", "province"]


def suzhou(inputs: dict[str, object], held: str, **status: bool) -> dict[str, object]:
    return {
        **inputs,
        "held_grade": held,
        "holds_provincial_title": status.get("provincial", False),
        "holds_national_title": status.get("national", False),
    }


def test_what_a_call_of_each_level_confers():
    assert conferred_grade(SUZHOU, "province") is not None
    assert conferred_grade(SUZHOU, "province").id == "4A"  # type: ignore[union-attr]
    assert conferred_grade(SUZHOU, "national").id == "5A"  # type: ignore[union-attr]
    assert conferred_grade(SUZHOU, "city") is None  # a city title gives no status
    assert conferred_grade(SUZHOU, "") is None
    assert conferred_grade(WEIHAI, "province") is None  # a scheme without status grades
    assert conferred_inputs(SUZHOU, "province") == {"holds_provincial_title": True}
    assert conferred_inputs(SUZHOU, "national") == {"holds_national_title": True}
    assert conferred_inputs(SUZHOU, "city") == {}
    assert conferred_inputs(WEIHAI, "national") == {}


def test_a_provincial_call_grades_4a_and_a_city_call_caps_at_3a(factory2018_inputs):
    typed = suzhou(factory2018_inputs("base"), "3A")
    # the city call: 82.00 ≥ 80 with 2A held (3A held is more) → 3A, the highest score band
    city = score(SUZHOU, {**typed, **conferred_inputs(SUZHOU, "city")})
    assert (city.score, city.grade, city.blocked_grades) == (Decimal("82.00"), "3A", ())
    city_verdict = verdict(SUZHOU, city, confers="city")
    assert (city_verdict.passed, city_verdict.grade, city_verdict.reasons) == (
        True,
        "3A",
        (("得分 82.00，评为3A级绿色工厂（市级）", "score 82.00, graded 3A (city level)"),),
    )
    # the provincial call: as if granted the provincial title, with 3A held → 4A on the same answers
    provincial = score(SUZHOU, {**typed, **conferred_inputs(SUZHOU, "province")})
    assert (provincial.score, provincial.grade, provincial.blocked_grades) == (Decimal("82.00"), "4A", ())
    assert provincial.inputs["holds_provincial_title"] is True
    found = verdict(SUZHOU, provincial, confers="province")
    assert (found.passed, found.score, found.grade, found.grade_label, found.capped) == (
        True,
        Decimal("82.00"),
        "4A",
        "4A级绿色工厂（省级）",
        (),
    )
    assert found.reasons == (
        ("得分 82.00，评为4A级绿色工厂（省级）", "score 82.00, graded 4A (provincial title)"),
    )
    # the verdict, not the engine's status reading, decides: the city-call result under a provincial call
    assert verdict(SUZHOU, city, confers="province").grade == "4A"
    # a typed provincial status does not make a city call grant 4A (the verdict reads the score bands)
    typed_status = score(SUZHOU, suzhou(factory2018_inputs("base"), "3A", provincial=True))
    assert typed_status.grade == "4A"  # the engine's own reading of what was typed
    assert verdict(SUZHOU, typed_status, confers="city").grade == "3A"
    # a national call: 5A, on the same prerequisite (3A held)
    national = score(SUZHOU, {**typed, **conferred_inputs(SUZHOU, "national")})
    assert (national.grade, verdict(SUZHOU, national, confers="national").grade) == ("5A", "5A")


def test_4a_needs_3a_held_and_never_falls_back_to_a_city_grade(factory2018_inputs):
    """82.00 with only 2A held: the provincial call's 4A is withheld (申报省级须已获评3A级), and the call does
    not grant the 3A the score reaches — that is the city's call."""
    typed = suzhou(factory2018_inputs("base"), "2A")
    provincial = score(SUZHOU, {**typed, **conferred_inputs(SUZHOU, "province")})
    # the engine withholds 4A and grades the next band the prerequisites allow
    assert (provincial.score, provincial.grade, provincial.blocked_grades) == (
        Decimal("82.00"),
        "3A",
        ("4A",),
    )
    found = verdict(SUZHOU, provincial, confers="province")
    assert (found.passed, found.grade, found.score) == (False, "", Decimal("82.00"))
    assert found.reasons == (
        (
            "本批次授予4A级绿色工厂（省级），但申报省级须已获评3A级",
            "this call grants 4A (provincial title), but A provincial title needs 3A held",
        ),
    )
    # the platform's titles decide the held grade: with a 3A read from them (unmet = none), 4A is granted
    assert verdict(SUZHOU, provincial, confers="province", unmet=frozenset()).grade == "4A"
    # at every step of the provincial call's chain it fails, so no step grades it
    for index, level in enumerate(PROVINCIAL_CHAIN):
        assert not at_step(found, LADDER, level, later_levels(PROVINCIAL_CHAIN, index)).allowed


def test_the_conferred_grade_still_needs_the_pass_mark_and_the_gates(factory2018_inputs):
    # 67.00 with 3A held: at or above the pass mark 60 → 4A (the score band would be 1A)
    low = score(
        SUZHOU, {**suzhou(factory2018_inputs("score_67"), "3A"), **conferred_inputs(SUZHOU, "province")}
    )
    assert (low.score, low.grade) == (Decimal("67.00"), "4A")
    assert verdict(SUZHOU, low, confers="province").grade == "4A"
    # 59.00: below the pass mark → fails, whatever the status
    under = score(
        SUZHOU, {**suzhou(factory2018_inputs("score_59"), "3A"), **conferred_inputs(SUZHOU, "province")}
    )
    found = verdict(SUZHOU, under, confers="province")
    assert (under.score, found.passed, found.grade) == (Decimal("59.00"), False, "")
    assert found.reasons == (("得分 59.00，低于合格线 60 分", "score 59.00 is below the pass mark 60"),)
    # a failed basic requirement (计量设备, 必选, 6 points at 0.5: 82 − 3 = 79.00) → fails
    gated = score(
        SUZHOU,
        {
            **suzhou({**factory2018_inputs("base"), "metering_basic": 0.5}, "3A"),
            **conferred_inputs(SUZHOU, "province"),
        },
    )
    failed = verdict(SUZHOU, gated, confers="province")
    assert (gated.score, gated.eligible, failed.passed, failed.failed[0][0]) == (
        Decimal("79.00"),
        False,
        False,
        "metering_basic",
    )


def test_the_4a_verdict_goes_up_the_provincial_chain_to_the_province(factory2018_inputs):
    provincial = score(
        SUZHOU, {**suzhou(factory2018_inputs("base"), "3A"), **conferred_inputs(SUZHOU, "province")}
    )
    found = verdict(SUZHOU, provincial, confers="province")
    routes = [
        at_step(found, LADDER, level, later_levels(PROVINCIAL_CHAIN, index)).allowed
        for index, level in enumerate(PROVINCIAL_CHAIN)
    ]
    assert routes == [True, True, True]
    assert LADDER is not None and LADDER.level_of("4A") == "province"
    # the same answers under the city call: 3A, granted by the city, and stopped at the province
    city = verdict(SUZHOU, score(SUZHOU, suzhou(factory2018_inputs("base"), "3A")), confers="city")
    assert city.grade == "3A"
    assert not at_step(city, LADDER, "province", ()).allowed


def test_the_command_line_scores_as_if_granted_the_title_the_call_confers(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, factory2018_inputs
) -> None:
    """`greenmfg score --confers`: base (82.00) with 3A held grades 3A for a city call, 4A for a provincial
    one, 5A for a national one — the bureau's rule on a laptop."""
    path = tmp_path / "suzhou.json"
    inputs = suzhou(factory2018_inputs("base"), "3A")
    path.write_text(json.dumps({"scheme": "factory-suzhou", "inputs": inputs}), encoding="utf-8")
    grades = []
    for confers in ((), ("--confers", "city"), ("--confers", "province"), ("--confers", "national")):
        assert main(["score", str(path), "--format", "json", *confers]) == 0
        data = json.loads(capsys.readouterr().out)
        grades.append((data["score"], data["grade"]))
    assert grades == [("82.00", "3A"), ("82.00", "3A"), ("82.00", "4A"), ("82.00", "5A")]


def test_a_conferring_call_grants_its_status_grade_alone_at_the_level_of_its_title(factory2018_inputs):
    provincial = ladder_of_call(SUZHOU, "province")
    assert provincial is not None and dict(provincial.grades) == {"province": ("4A",)}
    national = ladder_of_call(SUZHOU, "national")
    assert national is not None and dict(national.grades) == {"ministry": ("5A",)}
    assert ladder_of_call(SUZHOU, "city") == LADDER  # a city call keeps the scheme's ladder
    assert ladder_of_call(WEIHAI, "province") is None  # no ladder, no status grade
    # a 4A goes up to the province; a 3A or 2A in a provincial call is granted by no step of it
    chain = PROVINCIAL_CHAIN
    for grade, expected in (("4A", [True, True, True]), ("3A", [False] * 3), ("2A", [False] * 3)):
        # a passing verdict (base, 82.00) given each grade
        found = verdict(SUZHOU, score(SUZHOU, suzhou(factory2018_inputs("base"), "3A")))
        found = replace(found, grade=grade, grade_label=grade, grade_label_en=grade)
        assert found.passed
        allowed = [
            at_step(found, provincial, level, later_levels(chain, index)).allowed
            for index, level in enumerate(chain)
        ]
        assert allowed == expected, grade
