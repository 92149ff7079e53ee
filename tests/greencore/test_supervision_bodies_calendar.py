"""greencore.supervision: an evaluation body's track record (its values against later checks', exact) and the
self-declaration (自我声明) calendar, yearly and half-yearly, on the boundary days and one day either side."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from greencore import (
    TRACK_TOLERANCE,
    Cadence,
    DeclarationPeriod,
    Discrepancy,
    declaration_window_open,
    discrepancies,
    open_periods,
    parse_period,
    track_record,
)

D = Decimal


def test_discrepancies_compare_the_indicators_both_valued_in_the_checks_order():
    found = discrepancies(
        {"energy": D("8600"), "output": D("52000"), "water": D("310000")},
        {"output": D("52000"), "energy": D("8000"), "land": D("5")},
    )
    assert [(d.indicator, d.difference, d.relative) for d in found] == [
        ("output", D("0"), D("0")),
        ("energy", D("600"), D("0.075")),  # 600 / 8000
    ]
    assert [d.within_tolerance for d in found] == [True, False]


def test_the_relative_discrepancy_is_rounded_half_up_to_four_places():
    assert Discrepancy("x", D("4"), D("3")).relative == D("0.3333")  # 1/3
    assert Discrepancy("x", D("1"), D("3")).relative == D("0.6667")  # 2/3
    assert Discrepancy("x", D("105"), D("100")).relative == TRACK_TOLERANCE  # 5 % exactly: within
    assert Discrepancy("x", D("105"), D("100")).within_tolerance
    assert not Discrepancy("x", D("105.01"), D("100")).within_tolerance


def test_a_check_that_measured_zero_makes_any_difference_unbounded():
    assert Discrepancy("x", D("0"), D("0")).relative == D("0")
    unbounded = Discrepancy("x", D("5"), D("0"))
    assert unbounded.relative is None and not unbounded.within_tolerance


def test_the_track_record_summarises_every_checked_report():
    first = discrepancies({"a": D("8600"), "b": D("52000")}, {"a": D("8000"), "b": D("52000")})
    second = discrepancies({"a": D("110"), "c": D("7")}, {"a": D("100"), "c": D("0")})
    record = track_record([first, second, []])  # a report with nothing to compare is not counted
    # relatives: 0.075, 0, 0.1 and one unbounded → mean (0.075 + 0 + 0.1) / 3 = 0.058333… → 0.0583
    assert (record.reports, record.compared, record.unbounded) == (2, 4, 1)
    assert (record.mean_relative, record.max_relative) == (D("0.0583"), D("0.1"))
    assert record.beyond_tolerance == 3
    empty = track_record([])
    assert (empty.reports, empty.mean_relative, empty.max_relative) == (0, None, None)


@given(
    st.lists(
        st.tuples(
            st.decimals(min_value=0, max_value=10**6, places=2),
            st.decimals(min_value=0, max_value=10**6, places=2),
        ),
        max_size=30,
    )
)
def test_every_compared_indicator_is_within_or_beyond_tolerance_and_the_mean_is_bounded(pairs):
    report = [Discrepancy(f"i{n}", body, checked) for n, (body, checked) in enumerate(pairs)]
    record = track_record([report])
    within = sum(1 for d in report if d.within_tolerance)
    assert within + record.beyond_tolerance == record.compared == len(pairs)
    if record.mean_relative is not None:
        assert record.max_relative is not None
        assert D(0) <= record.mean_relative <= record.max_relative


# --- the self-declaration calendar ----------------------------------------------------------------------


def test_periods_parse_and_know_their_windows():
    year = parse_period("2026")
    assert (year.cadence, year.code) == (Cadence.YEARLY, "2026")
    assert (year.opens_on, year.due_on, year.published_on) == (
        date(2027, 1, 1),
        date(2027, 3, 31),
        date(2027, 4, 1),
    )
    first = parse_period("2026h1")
    assert (first.code, first.opens_on, first.due_on, first.published_on) == (
        "2026H1",
        date(2026, 7, 1),
        date(2026, 7, 31),
        date(2026, 8, 1),
    )
    second = parse_period("2026H2")
    assert (second.opens_on, second.due_on, second.published_on) == (
        date(2027, 1, 1),
        date(2027, 1, 31),
        date(2027, 2, 1),
    )
    for bad in ("26", "2026H3", "2026-H1", "", "二〇二六"):
        with pytest.raises(ValueError, match="not a declaration period"):
            parse_period(bad)


@pytest.mark.parametrize(
    ("period", "boundary"),
    [("2026", date(2027, 1, 1)), ("2026H1", date(2026, 7, 1)), ("2026H2", date(2027, 1, 1))],
)
def test_a_window_opens_the_day_after_the_period_ends(period, boundary):
    chosen = parse_period(period)
    assert not declaration_window_open(chosen, boundary - timedelta(days=1))
    assert declaration_window_open(chosen, boundary)
    assert declaration_window_open(chosen, boundary + timedelta(days=1))


@pytest.mark.parametrize(
    ("period", "due"),
    [("2026", date(2027, 3, 31)), ("2026H1", date(2026, 7, 31)), ("2026H2", date(2027, 1, 31))],
)
def test_a_window_closes_after_its_due_day(period, due):
    chosen = parse_period(period)
    assert declaration_window_open(chosen, due - timedelta(days=1))
    assert declaration_window_open(chosen, due)
    assert not declaration_window_open(chosen, due + timedelta(days=1))


def test_the_open_periods_of_a_day():
    assert open_periods(Cadence.YEARLY, date(2027, 2, 1)) == (DeclarationPeriod(Cadence.YEARLY, 2026),)
    assert open_periods(Cadence.YEARLY, date(2027, 4, 1)) == ()
    assert open_periods(Cadence.HALF_YEARLY, date(2027, 1, 31)) == (
        DeclarationPeriod(Cadence.HALF_YEARLY, 2026, 2),
    )
    assert open_periods(Cadence.HALF_YEARLY, date(2027, 2, 1)) == ()
    assert open_periods(Cadence.HALF_YEARLY, date(2027, 7, 1)) == (
        DeclarationPeriod(Cadence.HALF_YEARLY, 2027, 1),
    )
