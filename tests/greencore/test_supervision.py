"""The rules after the title (greencore.supervision): deadlines, exemption, rectification, ban, the sample
draw and a filing's data-quality checks. Expected values are worked by hand from the rules' text."""

from __future__ import annotations

import hashlib
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from greencore import (
    ApplicantRecord,
    Applying,
    Eligibility,
    Filed,
    FilingState,
    HeldTitle,
    IndicatorSpec,
    Revocation,
    RiskFactor,
    Severity,
    blocking,
    check_eligibility,
    check_filing,
    draw_sample,
    exempt_until,
    filing_deadline,
    filing_state,
    is_exempt,
    may_apply_from,
    rectification_due,
    rectification_overdue,
    reminder_days,
    risk_weight,
)

# --- filing deadlines -----------------------------------------------------------------------------------


def test_the_national_deadline_is_15_april_and_a_level_may_only_bring_it_forward() -> None:
    assert filing_deadline(2027) == date(2027, 4, 15)
    assert filing_deadline(2027, (3, 30)) == date(2027, 3, 30)  # Heilongjiang
    assert filing_deadline(2027, (5, 31)) == date(2027, 4, 15)  # later than national: national holds


def test_reminders_fall_30_7_and_1_days_before() -> None:
    assert reminder_days(date(2027, 4, 15)) == (date(2027, 3, 16), date(2027, 4, 8), date(2027, 4, 14))


@pytest.mark.parametrize(
    ("filed_on", "today", "state"),
    [
        (None, date(2027, 4, 14), FilingState.OPEN),
        (None, date(2027, 4, 15), FilingState.OPEN),  # the deadline day is still in time
        (None, date(2027, 4, 16), FilingState.MISSING),
        (date(2027, 4, 15), date(2027, 5, 1), FilingState.FILED),
        (date(2027, 4, 16), date(2027, 5, 1), FilingState.LATE),
    ],
)
def test_filing_state_around_the_deadline(filed_on: date | None, today: date, state: FilingState) -> None:
    assert filing_state(date(2027, 4, 15), filed_on, today) == state


# --- exemption, rectification, ban ---------------------------------------------------------------------


def test_three_clean_spot_checks_in_a_row_exempt_for_five_years_from_the_third() -> None:
    checks = [(date(2020, 5, 1), True), (date(2023, 6, 1), True), (date(2021, 3, 2), True)]
    assert exempt_until(checks) == date(2028, 6, 1)
    assert is_exempt(checks, date(2028, 5, 31))
    assert not is_exempt(checks, date(2028, 6, 1))  # five years to the day: drawn again
    assert not is_exempt(checks, date(2028, 6, 2))


def test_a_failed_check_among_the_last_three_breaks_the_run() -> None:
    assert (
        exempt_until([(date(2020, 1, 1), True), (date(2021, 1, 1), False), (date(2022, 1, 1), True)]) is None
    )
    # four checks: the first failed, the last three clean → exempt
    assert exempt_until(
        [
            (date(2019, 1, 1), False),
            (date(2020, 1, 1), True),
            (date(2021, 1, 1), True),
            (date(2022, 1, 1), True),
        ]
    ) == date(2027, 1, 1)
    assert exempt_until([(date(2020, 1, 1), True), (date(2021, 1, 1), True)]) is None


def test_rectification_is_due_three_months_later_clamped_to_the_month_end() -> None:
    assert rectification_due(date(2027, 1, 10)) == date(2027, 4, 10)
    assert rectification_due(date(2026, 11, 30)) == date(2027, 2, 28)
    assert rectification_due(date(2027, 11, 30)) == date(2028, 2, 29)  # leap year
    opened = date(2027, 1, 10)
    assert not rectification_overdue(opened, date(2027, 4, 9))
    assert not rectification_overdue(opened, date(2027, 4, 10))
    assert rectification_overdue(opened, date(2027, 4, 11))


def test_the_ban_lasts_three_years_and_29_february_ends_on_28_february() -> None:
    assert may_apply_from(date(2027, 5, 6)) == date(2030, 5, 6)
    assert may_apply_from(date(2028, 2, 29)) == date(2031, 2, 28)


def _city_factory(record: ApplicantRecord, today: date) -> tuple[str, str] | None:
    return check_eligibility(Eligibility(), Applying("city", "factory"), record, today)


def test_eligibility_refuses_a_banned_unit_with_the_day_it_may_apply_again() -> None:
    record = ApplicantRecord(revocations=(Revocation("factory", "city", date(2027, 5, 6)),))
    refusal = _city_factory(record, date(2030, 5, 5))
    assert refusal is not None
    assert refusal.zh == (
        "本单位的市级绿色工厂称号已于 2027年05月06日 被撤销，三年内不得再次申报；自 2030年05月06日 起方可申报。"
    )
    assert "2030-05-06" in refusal.en
    assert _city_factory(record, date(2030, 5, 6)) is None
    assert _city_factory(record, date(2030, 5, 7)) is None
    # another level or kind is not barred
    assert check_eligibility(Eligibility(), Applying("province", "factory"), record, date(2028, 1, 1)) is None
    assert check_eligibility(Eligibility(), Applying("city", "product"), record, date(2028, 1, 1)) is None


def test_merged_records_keep_every_revocation() -> None:
    a = ApplicantRecord(titles=(HeldTitle("city", "3A"),))
    b = ApplicantRecord(revocations=(Revocation("factory", "city", date(2027, 1, 1)),))
    assert a.merged(b).revocations == b.revocations
    assert a.merged(b).titles == a.titles


# --- the sample draw -----------------------------------------------------------------------------------


def _by_hand(seed: str, population: list[str], size: int, weights: dict[str, int]) -> list[str]:
    """The documented algorithm, written again from its docstring."""
    keys = []
    for position, unit in enumerate(population):
        tickets = [
            int(hashlib.sha256(f"{seed}\n{unit}\n{i}".encode()).hexdigest(), 16)
            for i in range(weights.get(unit, 1))
        ]
        keys.append((min(tickets), position, unit))
    return [unit for _, _, unit in sorted(keys)[:size]]


def test_the_draw_is_the_documented_algorithm() -> None:
    population = [f"U{i:03d}" for i in range(40)]
    weights = {"U007": 3, "U011": 5}
    drawn = draw_sample("2027-抽查-1", population, 6, weights)
    assert drawn == _by_hand("2027-抽查-1", population, 6, weights)
    # a fixed seed and population always give this sample (recorded once; any change breaks reproducibility)
    assert draw_sample("seed", ["a", "b", "c", "d", "e"], 2) == _by_hand(
        "seed", ["a", "b", "c", "d", "e"], 2, {}
    )


def test_the_draw_refuses_duplicates_and_bad_weights() -> None:
    with pytest.raises(ValueError, match="duplicate"):
        draw_sample("s", ["a", "a"], 1)
    with pytest.raises(ValueError, match="weight"):
        draw_sample("s", ["a", "b"], 1, {"a": 0})


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.text(alphabet="ab1-抽查", max_size=8),
    population=st.lists(st.text(alphabet="xyz09单位", min_size=1, max_size=6), unique=True, max_size=20),
    size=st.integers(min_value=0, max_value=25),
)
def test_a_draw_is_a_subset_of_the_right_size_independent_of_order(
    seed: str, population: list[str], size: int
) -> None:
    drawn = draw_sample(seed, population, size)
    assert len(drawn) == min(size, len(population))
    assert set(drawn) <= set(population)
    assert draw_sample(seed, population, size) == drawn
    # the keys do not depend on the position: reversing the population draws the same units
    assert set(draw_sample(seed, list(reversed(population)), size)) == set(drawn)


def test_risk_weight_adds_tickets_per_distinct_factor() -> None:
    assert risk_weight([]) == 1
    assert risk_weight([RiskFactor.LATE_FILING]) == 2
    assert risk_weight([RiskFactor.MISSING_FILING, RiskFactor.COMPLAINT, RiskFactor.COMPLAINT]) == 5


def test_a_heavier_unit_is_drawn_first_more_often() -> None:
    # 400 seeds, a population of 10 where one unit holds 10 tickets of 19: it comes first in about half
    population = [f"u{i}" for i in range(10)]
    first = sum(draw_sample(f"s{n}", population, 1, {"u3": 10})[0] == "u3" for n in range(400))
    assert 150 < first < 250


# --- data-quality checks ---------------------------------------------------------------------------------

SPECS = [
    IndicatorSpec("energy", "综合能源消费量", "tce", minimum=Decimal(0)),
    IndicatorSpec("water", "取水量", "m³"),
    IndicatorSpec("note_value", "可选指标", "万元", required=False),
]


def test_a_clean_filing_has_no_problem_and_units_convert() -> None:
    problems = check_filing(
        SPECS,
        {"energy": Filed(Decimal("1200000"), "kgce"), "water": Filed(Decimal("5000"), "m³")},
        last_year={"energy": Decimal("1000"), "water": Decimal("4000")},
    )
    assert problems == []  # 1 200 000 kgce = 1 200 tce, +20 %


def test_missing_and_wrong_units_block_acceptance_with_plain_explanations() -> None:
    problems = check_filing(SPECS, {"energy": Filed(Decimal(5), "kWh")})
    assert [(p.indicator, p.check, p.severity) for p in problems] == [
        ("energy", "unit", Severity.ERROR),
        ("water", "completeness", Severity.ERROR),
    ]
    assert problems[0].zh == "“综合能源消费量”的单位 kWh 不能换算为 tce，请按 tce 填报。"
    assert problems[1].zh == "“取水量”未填写：动态管理表须填报此项。"
    assert blocking(problems)


def test_a_jump_against_last_year_warns_above_half() -> None:
    values = {"energy": Filed(Decimal("1501"), "tce"), "water": Filed(Decimal("2000"), "m³")}
    problems = check_filing(SPECS, values, last_year={"energy": Decimal("1000"), "water": Decimal("4000")})
    # +50.1 % warns; −50 % exactly does not
    assert [(p.indicator, p.check) for p in problems] == [("energy", "jump")]
    assert problems[0].zh.startswith("“综合能源消费量”较上年 1000 tce 变化 +50%")
    assert not blocking(problems)


def test_an_outlier_against_industry_peers_warns() -> None:
    peers = {"water": [Decimal(v) for v in (100, 110, 90, 105, 95)]}
    # median 100, MAD 5: z = (140 − 100) × 0.6745 / 5 = 5.396 > 3.5; 120 gives 2.698
    far = check_filing(SPECS[1:2], {"water": Filed(Decimal(140), "m³")}, peers=peers)
    assert [(p.check, p.severity) for p in far] == [("outlier", Severity.WARNING)]
    assert "稳健 z 值 5.4" in far[0].zh
    assert check_filing(SPECS[1:2], {"water": Filed(Decimal(120), "m³")}, peers=peers) == []
    # fewer than five peers: no comparison
    assert (
        check_filing(SPECS[1:2], {"water": Filed(Decimal(900), "m³")}, peers={"water": peers["water"][:4]})
        == []
    )
