"""greencore.eligibility: a call's rules read from their JSON (refusals name the key) and checked against
what the platform knows of an applicant. Expected texts and dates are worked by hand."""

from __future__ import annotations

from datetime import date

import pytest

from greencore import (
    ApplicantRecord,
    Applying,
    Eligibility,
    EligibilityError,
    HeldTitle,
    NegativeHit,
    Refusal,
    TitleRequirement,
    check_eligibility,
    get_scheme,
    held_inputs,
    held_source,
    scheme_lineage,
)
from greencore.eligibility import latest_negative_hit, years_before

SUZHOU = get_scheme("factory-suzhou@2023.1")  # grades 5A (best) … 1A
TODAY = date(2026, 5, 20)


# --- parse ------------------------------------------------------------------------------------------


def test_parse_reads_every_rule_and_writes_back_only_what_is_set():
    rules = Eligibility.parse(
        {
            "requires_title": {"level": "city", "grade_at_least": " 2A "},
            "negative_list": True,
            "evidence_required": ["energy.1", " energy.1", ""],
        },
        call_level="province",
    )
    assert rules == Eligibility(TitleRequirement("city", "2A"), True, ("energy.1",))
    assert rules.to_json() == {
        "requires_title": {"level": "city", "grade_at_least": "2A"},
        "negative_list": True,
        "evidence_required": ["energy.1"],
    }
    assert Eligibility.parse(None, call_level="city").to_json() == {}
    assert Eligibility.parse({"negative_list": False}, call_level="city") == Eligibility()


@pytest.mark.parametrize(
    ("data", "call_level", "scheme", "place", "zh"),
    [
        ([], "city", None, "eligibility", "申报条件格式错误。"),
        ({"quota": 3, "area": 1}, "city", None, "eligibility", "不认识的申报条件：area、quota"),
        (
            {"requires_title": {"level": "city", "note": "x"}},
            "city",
            None,
            "requires_title",
            "所需称号的格式错误（层级 level，最低等级 grade_at_least，评价方案 scheme）。",
        ),
        (
            {"requires_title": {"level": "national"}},
            "national",
            None,
            "requires_title",
            "请选择须已取得的称号层级：市级或省级。",
        ),
        (
            {"requires_title": {"level": "province"}},
            "city",
            None,
            "requires_title",
            "须已取得的称号（省级）不能高于本批次的层级（市级）。",
        ),
        (
            {"requires_title": {"level": "city", "grade_at_least": "2B"}},
            "province",
            SUZHOU,
            "requires_title",
            "等级 2B 不是评价方案 factory-suzhou@2023.1 的等级（可选：5A、4A、3A、2A、1A）。",
        ),
        (
            {"requires_title": {"level": "city", "grade_at_least": "2A"}},
            "province",
            get_scheme("factory-gbt36132-2025@2025.1"),
            "requires_title",
            "等级 2A 不是评价方案 factory-gbt36132-2025@2025.1 的等级"
            "（该方案不分等级；要求其他方案的等级时，请注明该方案，如 factory-suzhou）。",
        ),
        (
            {"evidence_required": "energy.1"},
            "city",
            None,
            "evidence_required",
            "须提供佐证材料的指标应为指标编号列表。",
        ),
        (
            {"evidence_required": ["nope", "nada"]},
            "city",
            SUZHOU,
            "evidence_required",
            "评价方案 factory-suzhou@2023.1 中没有这些指标：nope、nada",
        ),
    ],
)
def test_parse_refuses_naming_the_key(data, call_level, scheme, place, zh):
    with pytest.raises(EligibilityError) as refused:
        Eligibility.parse(data, call_level=call_level, scheme=scheme)
    assert (refused.value.place, refused.value.zh) == (place, zh)
    assert refused.value.en


def test_parse_names_every_refused_key_at_once():
    with pytest.raises(EligibilityError) as refused:
        Eligibility.parse(
            {"requires_title": {"level": "national"}, "evidence_required": [1]}, call_level="national"
        )
    assert [p.place for p in refused.value.problems] == ["requires_title", "evidence_required"]


# --- check ------------------------------------------------------------------------------------------


def national(**rules: object) -> Eligibility:
    return Eligibility.parse(rules, call_level="national")


NATIONAL_FACTORY = Applying("national", "factory")
PROVINCIAL = national(requires_title={"level": "province"})


def test_a_provincial_title_is_met_by_a_provincial_or_national_title_or_the_national_lists():
    refusal = Refusal(
        "申报国家级须已列入省级绿色工厂名单（未找到本单位的省级称号）",
        "a national application needs a province factory title (none found)",
    )
    assert check_eligibility(PROVINCIAL, NATIONAL_FACTORY, ApplicantRecord(), TODAY) == refusal
    assert refusal == (refusal.zh, refusal.en)  # a pair, as the platform's refusals are
    city_only = ApplicantRecord(titles=(HeldTitle("city", "3A"),))
    assert check_eligibility(PROVINCIAL, NATIONAL_FACTORY, city_only, TODAY) == refusal
    for held in (HeldTitle("province"), HeldTitle("national")):
        assert check_eligibility(PROVINCIAL, NATIONAL_FACTORY, ApplicantRecord(titles=(held,)), TODAY) is None
    assert check_eligibility(PROVINCIAL, NATIONAL_FACTORY, ApplicantRecord(national_list=True), TODAY) is None


def test_a_city_title_is_not_met_by_the_national_lists():
    rules = Eligibility.parse({"requires_title": {"level": "city"}}, call_level="province")
    applying = Applying("province", "park")
    assert check_eligibility(rules, applying, ApplicantRecord(national_list=True), TODAY) == (
        "申报省级须已列入市级绿色工业园区名单（未找到本单位的市级称号）",
        "a province application needs a city park title (none found)",
    )


def test_a_grade_must_rank_at_least_as_high_in_the_scheme():
    rules = Eligibility.parse(
        {"requires_title": {"level": "city", "grade_at_least": "2A"}}, call_level="city", scheme=SUZHOU
    )
    applying = Applying.to("city", "factory", SUZHOU)
    assert applying.grades == ("5A", "4A", "3A", "2A", "1A")
    assert check_eligibility(rules, applying, ApplicantRecord(), TODAY) == (
        "申报市级须已获得市级绿色工厂称号且等级不低于2A（未找到本单位的市级称号）",
        "a city application needs a city factory title of grade 2A or better (none found)",
    )
    low = ApplicantRecord(titles=(HeldTitle("city", "1A"), HeldTitle("city", "")))
    assert check_eligibility(rules, applying, low, TODAY) == (
        "申报市级须已获得市级绿色工厂称号且等级不低于2A（本单位的市级称号等级为1A、无等级）",
        "a city application needs a city factory title of grade 2A or better (held: 1A, )",
    )
    for grade in ("2A", "3A", "5A"):
        record = ApplicantRecord(titles=(HeldTitle("city", "1A"), HeldTitle("city", grade)))
        assert check_eligibility(rules, applying, record, TODAY) is None
    # a provincial title of a higher grade does not meet a city requirement: the levels are the rule's
    assert (
        check_eligibility(rules, applying, ApplicantRecord(titles=(HeldTitle("province", "5A"),)), TODAY)
        is not None
    )


def test_a_negative_list_hit_counts_for_three_years_to_the_day():
    rules = national(negative_list=True)
    hit = NegativeHit("dishonest", date(2023, 5, 20), "信用中国")
    assert check_eligibility(rules, NATIONAL_FACTORY, ApplicantRecord(negative_hits=(hit,)), TODAY) == (
        "本单位近三年有负面清单记录：被列为失信被执行人（信用中国，2023年05月20日核查），不能申报。",
        "a negative-list hit within three years (dishonest, 2023-05-20)",
    )
    older = NegativeHit("dishonest", date(2023, 5, 19), "信用中国")
    future = NegativeHit("accident", date(2026, 5, 21), "信用中国")
    assert (
        check_eligibility(rules, NATIONAL_FACTORY, ApplicantRecord(negative_hits=(older, future)), TODAY)
        is None
    )
    unnamed = NegativeHit("", date(2025, 1, 2), "国家企业信用信息公示系统")
    assert check_eligibility(rules, NATIONAL_FACTORY, ApplicantRecord(negative_hits=(unnamed,)), TODAY) == (
        "本单位近三年有负面清单记录：负面清单事项（国家企业信用信息公示系统，2025年01月02日核查），不能申报。",
        "a negative-list hit within three years (unspecified, 2025-01-02)",
    )
    # without the rule, a hit does not matter
    assert (
        check_eligibility(Eligibility(), NATIONAL_FACTORY, ApplicantRecord(negative_hits=(hit,)), TODAY)
        is None
    )


def test_the_latest_hit_is_named_and_the_window_survives_29_february():
    first = NegativeHit("accident", date(2025, 3, 1), "a")
    same_day = NegativeHit("inspection", date(2025, 3, 1), "b")
    earlier = NegativeHit("dishonest", date(2024, 1, 1), "c")
    assert latest_negative_hit((first, same_day, earlier), TODAY) is first
    assert years_before(date(2028, 2, 29), 3) == date(2025, 2, 28)
    assert latest_negative_hit((NegativeHit("x", date(2025, 2, 27), "a"),), date(2028, 2, 29)) is None
    assert latest_negative_hit((NegativeHit("x", date(2025, 2, 28), "a"),), date(2028, 2, 29)) is not None


def test_records_from_several_contexts_merge():
    titles = ApplicantRecord(titles=(HeldTitle("city", "3A"),), national_list=True)
    hits = ApplicantRecord(negative_hits=(NegativeHit("x", TODAY, "a"),))
    merged = titles.merged(hits)
    assert merged == ApplicantRecord((HeldTitle("city", "3A"),), True, (NegativeHit("x", TODAY, "a"),))
    assert ApplicantRecord().merged(ApplicantRecord()) == ApplicantRecord()


# --- a requirement naming the scheme whose grade it asks for ------------------------------------------

NATIONAL_2025 = get_scheme("factory-gbt36132-2025@2025.1")  # no grades
SUZHOU_3A = {"requires_title": {"level": "city", "grade_at_least": "3A", "scheme": "factory-suzhou@2023.1"}}


def test_a_call_without_grades_may_require_the_grade_of_a_named_scheme():
    rules = Eligibility.parse(SUZHOU_3A, call_level="province", scheme=NATIONAL_2025)
    required = rules.requires_title
    assert required == TitleRequirement("city", "3A", "factory-suzhou")  # the ladder is the scheme's id
    assert required is not None and required.grades == ("5A", "4A", "3A", "2A", "1A")
    assert required.scheme_title == ("苏州市绿色工厂评价（1A–5A）", "Suzhou green factory grading (1A–5A)")
    assert rules.to_json() == {
        "requires_title": {"level": "city", "grade_at_least": "3A", "scheme": "factory-suzhou"}
    }
    # stored as written back, it reads the same (a resolver of the platform's schemes may be given)
    again = Eligibility.parse(rules.to_json(), call_level="province", schemes=get_scheme)
    assert (
        again == rules and again.requires_title is not None and again.requires_title.grades == required.grades
    )

    applying = Applying.to("province", "factory", NATIONAL_2025)
    assert applying.grades == ()  # the call's own scheme has none: without the named scheme, no 3A exists
    suzhou_3a = HeldTitle("city", "3A", "", "factory-suzhou")
    assert check_eligibility(rules, applying, ApplicantRecord(titles=(suzhou_3a,)), TODAY) is None
    assert (
        check_eligibility(
            rules, applying, ApplicantRecord(titles=(HeldTitle("city", "4A", "", "factory-suzhou"),)), TODAY
        )
        is None
    )
    # a 3A of another ladder, or of no known scheme, is not Suzhou's 3A
    for other in (HeldTitle("city", "3A", "", "factory-other"), HeldTitle("city", "3A")):
        assert check_eligibility(rules, applying, ApplicantRecord(titles=(other,)), TODAY) == (
            "申报省级须已获得市级绿色工厂称号「苏州市绿色工厂评价（1A–5A）」且等级不低于3A（未找到本单位的市级称号）",
            "a province application needs a city factory title (Suzhou green factory grading (1A–5A)) of grade "
            "3A or better (none found)",
        )
    low = ApplicantRecord(titles=(HeldTitle("city", "2A", "", "factory-suzhou"),))
    assert check_eligibility(rules, applying, low, TODAY) == (
        "申报省级须已获得市级绿色工厂称号「苏州市绿色工厂评价（1A–5A）」且等级不低于3A（本单位的市级称号等级为2A）",
        "a province application needs a city factory title (Suzhou green factory grading (1A–5A)) of grade "
        "3A or better (held: 2A)",
    )


def test_a_named_scheme_is_checked_and_each_refusal_names_the_place():
    def problems(rule: dict[str, str], scheme=NATIONAL_2025) -> list[tuple[str, str, str]]:
        with pytest.raises(EligibilityError) as error:
            Eligibility.parse({"requires_title": rule}, call_level="province", scheme=scheme)
        return [tuple(p) for p in error.value.problems]

    assert problems({"level": "city", "grade_at_least": "3A"}) == [
        (
            "requires_title",
            "等级 3A 不是评价方案 factory-gbt36132-2025@2025.1 的等级"
            "（该方案不分等级；要求其他方案的等级时，请注明该方案，如 factory-suzhou）。",
            "requires_title.grade_at_least: 3A is not a grade of scheme factory-gbt36132-2025@2025.1 "
            "(it has no grades; name the scheme whose grade is required)",
        )
    ]
    assert problems({"level": "city", "grade_at_least": "3A", "scheme": "factory-nowhere"}) == [
        (
            "requires_title",
            "须已取得称号的评价方案 factory-nowhere 不存在（须为平台已有或已采用的方案）。",
            "requires_title.scheme: there is no scheme factory-nowhere",
        )
    ]
    assert problems({"level": "city", "grade_at_least": "6A", "scheme": "factory-suzhou"}) == [
        (
            "requires_title",
            "等级 6A 不是评价方案 factory-suzhou@2023.1 的等级（可选：5A、4A、3A、2A、1A）。",
            "requires_title.grade_at_least: 6A is not a grade of scheme factory-suzhou@2023.1",
        )
    ]
    assert problems({"level": "city", "grade_at_least": "3A", "scheme": "factory-gbt36132-2025"}) == [
        (
            "requires_title",
            "等级 3A 不是评价方案 factory-gbt36132-2025@2025.1 的等级（该方案不分等级）。",
            "requires_title.grade_at_least: 3A is not a grade of scheme factory-gbt36132-2025@2025.1",
        )
    ]
    assert problems({"level": "city", "grade_at_least": "3A", "scheme": "park-miit-2016"}) == [
        (
            "requires_title",
            "须已取得称号的评价方案 park-miit-2016@2016.1 评价的称号类型与本批次的评价方案 "
            "factory-gbt36132-2025@2025.1 不同。",
            "requires_title.scheme: park-miit-2016@2016.1 evaluates another kind of title than "
            "factory-gbt36132-2025@2025.1",
        )
    ]
    assert problems({"level": "city", "scheme": "factory-suzhou", "extra": "x"}) == [
        (
            "requires_title",
            "所需称号的格式错误（层级 level，最低等级 grade_at_least，评价方案 scheme）。",
            "requires_title takes level, grade_at_least and scheme",
        )
    ]


def test_a_named_scheme_without_a_grade_is_not_met_by_the_national_lists():
    rules = Eligibility.parse(
        {"requires_title": {"level": "province", "scheme": "factory-suzhou"}}, call_level="national"
    )
    applying = Applying.to("national", "factory", NATIONAL_2025)
    # the lists name no scheme: only a provincial title graded under Suzhou's scheme meets it
    assert check_eligibility(rules, applying, ApplicantRecord(national_list=True), TODAY) == (
        "申报国家级须已列入省级绿色工厂名单「苏州市绿色工厂评价（1A–5A）」（未找到本单位的省级称号）",
        "a national application needs a province factory title (Suzhou green factory grading (1A–5A)) (none found)",
    )
    held = ApplicantRecord(titles=(HeldTitle("province", "4A", "", "factory-suzhou"),))
    assert check_eligibility(rules, applying, held, TODAY) is None


# --- a grade is read on its own ladder ------------------------------------------------------------------

# a scheme a district derives from Suzhou's (its grades are Suzhou's), and 'XX市' (no grades of its own, but a
# title recorded with grade names would not be Suzhou's either)
WUZHONG = ("factory-suzhou-wuzhong", "factory-suzhou", "factory-gbt36132-2018")
XX_CITY = ("factory-xx-city", "factory-gbt36132-2018")


def titled(grade: str, lineage: tuple[str, ...], level: str = "city") -> HeldTitle:
    return HeldTitle(level, grade, "", lineage[0] if lineage else "", lineage)


def test_the_lineage_of_a_scheme_follows_extends():
    assert scheme_lineage(SUZHOU) == ("factory-suzhou", "factory-gbt36132-2018")
    assert scheme_lineage(get_scheme("factory-gbt36132-2025")) == ("factory-gbt36132-2025",)

    # an unknown parent ends the lineage with its id
    def resolve(name: str):
        raise KeyError(name)

    assert scheme_lineage(SUZHOU, resolve) == ("factory-suzhou", "factory-gbt36132-2018")


def test_a_grade_of_another_ladder_does_not_meet_the_calls_grade():
    """Without a named scheme the grade is the call's scheme's: a 3A graded under a scheme derived from
    Suzhou's (or Suzhou's own, for a call under the derived scheme) meets it; a '3A' recorded under another
    ladder does not, whatever its name; a title of unknown scheme is taken by its grade's name."""
    rules = Eligibility.parse(
        {"requires_title": {"level": "city", "grade_at_least": "3A"}}, call_level="province", scheme=SUZHOU
    )
    applying = Applying.to("province", "factory", SUZHOU)
    assert applying.lineage == ("factory-suzhou", "factory-gbt36132-2018")
    for meets in (
        titled("3A", ("factory-suzhou", "factory-gbt36132-2018")),
        titled("4A", WUZHONG),
        titled("3A", ()),
    ):
        assert check_eligibility(rules, applying, ApplicantRecord(titles=(meets,)), TODAY) is None, meets
    assert check_eligibility(rules, applying, ApplicantRecord(titles=(titled("3A", XX_CITY),)), TODAY) == (
        "申报省级须已获得市级绿色工厂称号且等级不低于3A（本单位的市级称号并非按本批次评价方案的等级评定）",
        "a province application needs a city factory title of grade 3A or better (its titles were graded on "
        "another scheme's ladder)",
    )
    # a call under the derived scheme reads Suzhou's own 3A as its grade, and not a sibling's
    derived = Applying("province", "factory", applying.grades, WUZHONG)
    suzhou_3a = titled("3A", ("factory-suzhou", "factory-gbt36132-2018"))
    assert check_eligibility(rules, derived, ApplicantRecord(titles=(suzhou_3a,)), TODAY) is None
    sibling = titled("3A", ("factory-suzhou-kunshan", "factory-suzhou", "factory-gbt36132-2018"))
    assert check_eligibility(rules, derived, ApplicantRecord(titles=(sibling,)), TODAY) is not None
    # without a grade, any city title meets it
    any_title = Eligibility.parse({"requires_title": {"level": "city"}}, call_level="province", scheme=SUZHOU)
    assert (
        check_eligibility(any_title, applying, ApplicantRecord(titles=(titled("", XX_CITY),)), TODAY) is None
    )


def test_a_named_scheme_is_met_by_a_title_of_a_scheme_derived_from_it():
    rules = Eligibility.parse(
        {"requires_title": {"level": "city", "grade_at_least": "3A", "scheme": "factory-suzhou"}},
        call_level="province",
        scheme=get_scheme("factory-gbt36132-2025"),
    )
    applying = Applying.to("province", "factory", get_scheme("factory-gbt36132-2025"))
    assert check_eligibility(rules, applying, ApplicantRecord(titles=(titled("3A", WUZHONG),)), TODAY) is None
    assert (
        check_eligibility(rules, applying, ApplicantRecord(titles=(titled("3A", XX_CITY),)), TODAY)
        is not None
    )


def test_the_grade_held_is_read_only_from_titles_on_the_schemes_ladder():
    on_ladder = titled("3A", ("factory-suzhou", "factory-gbt36132-2018"))
    assert held_inputs(SUZHOU, [on_ladder])["held_grade"] == "3A"
    assert held_inputs(SUZHOU, [titled("3A", WUZHONG)])["held_grade"] == "3A"
    assert "held_grade" not in held_inputs(SUZHOU, [titled("3A", XX_CITY)])
    assert held_source(SUZHOU, [titled("3A", XX_CITY)]) is None  # the typed answer stands
    assert held_source(SUZHOU, [titled("3A", XX_CITY), on_ladder]) == (
        "已获等级依据本平台称号：3A（市级）",
        "the grade held is read from the platform's title: 3A (city)",
    )
