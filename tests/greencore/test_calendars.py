"""Call calendars (issue 12): the rules of a calendar, a step's due date and overdue on the boundary day,
the province's quota — hand-worked on Guangdong's dates (seeds/002: key list by the end of March, cities'
first review by the end of October, the province's recommendation by the end of November)."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from greencore import QuotaExceeded, check_calendar, check_quota, is_overdue, key_list_refusal, step_due

GD = ["city", "province"]
CLOSES = date(2027, 9, 30)


def places(problems: list) -> list[str]:
    return [problem.place for problem in problems]


def test_guangdong_calendar_holds() -> None:
    assert check_calendar(GD, CLOSES, [date(2027, 10, 31), date(2027, 11, 30)], date(2027, 3, 31), 20) == []


def test_no_dates_at_all_is_a_calendar_too() -> None:
    assert check_calendar(GD, CLOSES, [None, None], None, None) == []


def test_one_dated_step_needs_the_others() -> None:
    problems = check_calendar(GD, CLOSES, [date(2027, 10, 31), None], None, None)
    assert places(problems) == ["step_1"]
    assert problems[0].zh == "已为其他审核环节设定日期，省级审核也须设定完成日期。"


def test_steps_rise_in_time_and_start_after_the_call_closes() -> None:
    same = check_calendar(GD, CLOSES, [date(2027, 10, 31), date(2027, 10, 31)], None, None)
    assert places(same) == ["step_1"]
    assert same[0].zh == "须晚于上一审核环节的完成日期（2027年10月31日）。"
    early = check_calendar(GD, CLOSES, [date(2027, 9, 29), date(2027, 11, 30)], None, None)
    assert places(early) == ["step_0"]
    assert early[0].zh == "审核完成日期不能早于申报截止日期（2027年9月30日）。"
    # the closing day itself is allowed: a review may end the day the call closes
    assert check_calendar(GD, CLOSES, [CLOSES, date(2027, 11, 30)], None, None) == []


def test_the_key_list_comes_first() -> None:
    late = check_calendar(GD, CLOSES, [date(2027, 10, 31), date(2027, 11, 30)], date(2027, 11, 1), None)
    assert places(late) == ["key_list_due", "key_list_due"]  # after closing and not before the first step
    assert check_calendar(GD, CLOSES, [None, None], CLOSES, None) == []


def test_the_quota_needs_a_province_step_and_a_sane_number() -> None:
    assert places(check_calendar(["district", "city"], CLOSES, [], None, 5)) == ["quota"]
    assert places(check_calendar(GD, CLOSES, [], None, 0)) == ["quota"]
    assert places(check_calendar(GD, CLOSES, [], None, 10001)) == ["quota"]
    assert check_calendar(GD, CLOSES, [], None, 10000) == []
    assert check_calendar(GD, CLOSES, [], None, 5, recommended=5) == []
    lower = check_calendar(GD, CLOSES, [], None, 4, recommended=5)
    assert [(p.place, p.zh) for p in lower] == [("quota", "已有省级主管部门推荐 5 个，名额不能少于此数。")]


def test_due_date_and_overdue_on_the_boundary_day() -> None:
    assert step_due(date(2027, 10, 31), date(2027, 10, 2), 30) == date(2027, 10, 31)
    assert step_due(None, date(2027, 10, 2), 30) == date(2027, 11, 1)
    assert not is_overdue(date(2027, 10, 31), date(2027, 10, 30))
    assert not is_overdue(date(2027, 10, 31), date(2027, 10, 31))  # the last day the step may be done
    assert is_overdue(date(2027, 10, 31), date(2027, 11, 1))
    assert not is_overdue(None, date(2099, 1, 1))


def test_the_quota_plus_one_is_refused() -> None:
    check_quota(3, 2, 1)
    check_quota(None, 100, 100)
    with pytest.raises(QuotaExceeded) as refused:
        check_quota(3, 3, 1)
    assert refused.value.zh == (
        "本批次每个省级主管部门最多推荐 3 个，已推荐 3 个，本次 1 个将超出名额（尚余 0 个）；未作任何更改。"
    )


def test_the_key_list_is_open_until_its_day() -> None:
    due = date(2027, 3, 31)
    assert key_list_refusal(due, date(2027, 3, 31)) is None
    assert key_list_refusal(due, date(2027, 4, 1)) == (
        "对标摸底名单已于 2027年3月31日 截止报送。",
        "the key-enterprise list closed on 2027-03-31",
    )
    assert key_list_refusal(None, date(2027, 3, 1)) is not None


@given(st.integers(1, 50), st.integers(0, 60), st.integers(0, 60))
def test_a_quota_never_lets_more_through(quota: int, already: int, asked: int) -> None:
    try:
        check_quota(quota, already, asked)
    except QuotaExceeded:
        assert already + asked > quota
    else:
        assert already + asked <= quota
