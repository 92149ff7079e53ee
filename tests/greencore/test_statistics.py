"""greencore's authority statistics (issue 17): hand-worked values, and the invariants Hypothesis checks."""

from __future__ import annotations

from decimal import Decimal as D

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from greencore import (
    PassRate,
    Position,
    StatisticsError,
    YearGrowth,
    forecast,
    grade_shifts,
    growth,
    histogram,
    pass_rates,
    position,
    quantiles,
    required_count,
    score_discrepancy,
)

SCORES = [D("91.00"), D("60.00"), D("80.25"), D("95.50"), D("72.50")]


def test_quantiles_interpolate_between_order_statistics():
    # sorted 60, 72.5, 80.25, 91, 95.5; h = 4p: p=0.1 → 60 + 0.4 × 12.5; p=0.9 → 91 + 0.6 × 4.5
    assert quantiles(SCORES, [D("0"), D("0.1"), D("0.5"), D("0.9"), D("1")]) == [
        D("60.00"),
        D("65.00"),
        D("80.25"),
        D("93.70"),
        D("95.50"),
    ]
    # h = 3p over 1..4: 1.75, 2.5, 3.25 — as Excel's PERCENTILE.INC
    assert quantiles([D(4), D(1), D(3), D(2)], [D("0.25"), D("0.5"), D("0.75")]) == [
        D("1.75"),
        D("2.5"),
        D("3.25"),
    ]
    assert quantiles([D("7")], [D("0.5")]) == [D("7")]
    assert quantiles([], [D("0.5")]) is None
    with pytest.raises(StatisticsError):
        quantiles(SCORES, [D("1.01")])


@given(
    st.lists(st.decimals(min_value=-1000, max_value=1000, places=2), min_size=1, max_size=40),
    st.lists(st.decimals(min_value=0, max_value=1, places=3), min_size=1, max_size=6),
)
def test_quantiles_agree_with_numpy_and_stay_ordered(values, probabilities):
    found = quantiles(values, probabilities)
    assert found is not None
    expected = np.percentile([float(v) for v in values], [float(p) * 100 for p in probabilities])
    for got, want in zip(found, expected, strict=True):
        assert abs(float(got) - want) < 1e-6
        assert min(values) <= got <= max(values)
    ordered = quantiles(values, sorted(probabilities))
    assert ordered == sorted(ordered)


def test_position_counts_ties_as_half():
    assert position(D("80.25"), SCORES) == Position(below=2, equal=1, above=2)
    assert position(D("80.25"), SCORES).percentile == D(50)
    assert position(D("100"), SCORES).percentile == D(100)
    assert position(D("60"), [D("60"), D("60"), D("70"), D("80")]).percentile == D(25)
    assert position(D("1"), []).percentile is None


def test_histogram_half_open_bands_last_closed():
    values = [*SCORES, D("100"), D("59.99"), D("70")]
    assert histogram(values, [D(60), D(70), D(80), D(90), D(100)]) == [1, 2, 1, 3]
    with pytest.raises(StatisticsError):
        histogram(values, [D(60), D(60)])


def test_forecast_from_pass_rates_per_level():
    rates = pass_rates({"city": (45, 15), "province": (1, 3), "national": (0, 0)})
    assert rates["city"] == PassRate(45, 15)
    assert rates["city"].rate == D("0.75")
    assert rates["national"].rate is None
    # 30 × 0.75 + 10 × 0.25 = 25 expected; the 5 national ones have no history; 100 − 40 − 25 = 35
    found = forecast(100, 40, {"city": 30, "province": 10, "national": 5}, rates)
    assert (found.expected, found.unrated, found.gap, found.projected) == (D(25), 5, D(35), D(65))
    assert not found.on_track
    over = forecast(20, 18, {"city": 4}, rates)  # 18 + 3 ≥ 20
    assert over.gap == 0 and over.on_track
    # 3 × 2/3 = 2 exactly enough
    assert forecast(2, 0, {"x": 3}, pass_rates({"x": (2, 1)})).gap == 0


def test_required_count_rounds_a_share_up():
    assert required_count(D("30"), 1001) == 301  # 300.3
    assert required_count(D("30"), 1000) == 300
    assert required_count(D("12.5"), 8) == 1
    assert required_count(D("100"), 0) == 0
    for bad in (D("0"), D("100.01"), D("-1")):
        with pytest.raises(StatisticsError):
            required_count(bad, 10)


def test_growth_fills_missing_years():
    assert growth({2020: 4, 2022: 6, 2023: 3}) == [
        YearGrowth(2020, 4, 4, None),
        YearGrowth(2021, 0, 4, D(-100)),
        YearGrowth(2022, 6, 10, None),  # after a year with none there is no percentage
        YearGrowth(2023, 3, 13, D(-50)),
    ]
    assert growth({}) == []


def test_grade_shifts_gains_losses_and_distributions():
    shifts = grade_shifts(["1A", "2A", "", "3A"], ["2A", "2A", "1A", "2A"], ["1A", "2A", "3A"])
    assert shifts.gained == (0, 2)
    assert shifts.lost == (3,)
    assert shifts.unchanged == 1
    assert shifts.before == {"1A": 1, "2A": 1, "3A": 1, "": 1}
    assert shifts.after == {"1A": 1, "2A": 3, "3A": 0, "": 0}
    assert shifts.moves == {("1A", "2A"): 1, ("", "1A"): 1, ("3A", "2A"): 1}
    with pytest.raises(StatisticsError):
        grade_shifts(["1A"], ["5A"], ["1A", "2A"])
    with pytest.raises(StatisticsError):
        grade_shifts(["1A"], [], ["1A"])


@given(st.lists(st.tuples(st.sampled_from(["", "A", "B", "C"]), st.sampled_from(["", "A", "B", "C"]))))
def test_grade_shifts_conserve_units(pairs):
    before = [a for a, _ in pairs]
    after = [b for _, b in pairs]
    shifts = grade_shifts(before, after, ["A", "B", "C"])
    assert len(shifts.gained) + len(shifts.lost) + shifts.unchanged == len(pairs)
    assert sum(shifts.before.values()) == sum(shifts.after.values()) == len(pairs)
    assert set(shifts.gained).isdisjoint(shifts.lost)


def test_discrepancy_rate_and_mean():
    # differences 5.00 (> 3), 3.00 (= margin: not flagged), 0.50 → 1 of 3 flagged, mean 8.5 / 3
    found = score_discrepancy(
        [
            (D("80.00"), D("75.00"), D("3")),
            (D("70.00"), D("73.00"), D("3")),
            (D("90.00"), D("90.50"), D("1")),
        ]
    )
    assert (found.compared, found.flagged) == (3, 1)
    assert found.mean_abs == D("8.50") / 3
    assert found.rate == D(100) / 3
    empty = score_discrepancy([])
    assert empty.rate is None and empty.mean_abs is None
