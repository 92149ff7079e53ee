"""The figures behind an authority's dashboards, as pure functions over exact `Decimal`s (issue 17).

- `quantiles`: the distribution of a set of values (scores, an indicator's values across the titled units
  of an industry) at given probabilities, by linear interpolation between order statistics — the rule of
  Excel's PERCENTILE.INC and numpy's default, so a bureau can check a figure in its own spreadsheet.
- `position`: where one unit's value stands among its peers (how many below, equal, above, and the
  mid-rank percentile).
- `histogram`: counts per band of half-open intervals.
- `pass_rates` and `forecast`: titles expected by a target's deadline from the applications still
  undecided, level by level, at each level's historical pass rate; the gap left to the target.
- `required_count`: the number of titles a target written as a share of a base means.
- `growth`: titles per year with the running total.
- `score_discrepancy`: how often a third party's total score stood further than the margin from the
  self-evaluation, and by how much on average (the evaluation bodies' panel).
- `grade_shifts`: what re-scoring under a draft scheme changes — who gains or loses a grade, and the
  grade distribution before and after (scheme back-testing).

No Django, no floats: every figure here is exact, and rounding is the caller's when it displays one.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal
from itertools import pairwise
from typing import TypeVar

from .errors import GreencoreError

K = TypeVar("K")

HUNDRED = Decimal(100)


class StatisticsError(GreencoreError, ValueError):
    """A statistic asked of values that cannot give it (a probability outside 0..1, unordered bands)."""

    def __init__(self, zh: str, en: str) -> None:
        super().__init__("统计", zh, en)


def quantiles(values: Iterable[Decimal], probabilities: Sequence[Decimal]) -> list[Decimal] | None:
    """The values at each probability p (0 ≤ p ≤ 1): with the n values sorted x[0] ≤ … ≤ x[n-1] and
    h = (n − 1)·p, x[⌊h⌋] + (h − ⌊h⌋)·(x[⌊h⌋+1] − x[⌊h⌋]). None for no values (a distribution of nothing
    has no quantiles, and 0 would be a lie)."""
    ordered = sorted(values)
    for p in probabilities:
        if not Decimal(0) <= p <= Decimal(1):
            raise StatisticsError(f"概率 {p} 不在 0–1 之间", f"probability {p} is outside 0..1")
    if not ordered:
        return None
    out = []
    last = len(ordered) - 1
    for p in probabilities:
        h = last * p
        low = int(h)  # h ≥ 0: int() is the floor
        fraction = h - low
        if low >= last:
            out.append(ordered[last])
        else:
            out.append(ordered[low] + fraction * (ordered[low + 1] - ordered[low]))
    return out


@dataclass(frozen=True)
class Position:
    """One value among its peers (the peers include the value itself when it is one of them)."""

    below: int
    equal: int
    above: int

    @property
    def count(self) -> int:
        return self.below + self.equal + self.above

    @property
    def percentile(self) -> Decimal | None:
        """The mid-rank percentile: the share of peers below, counting ties as half below (0–100)."""
        if not self.count:
            return None
        return (Decimal(self.below) + Decimal(self.equal) / 2) * HUNDRED / self.count


def position(value: Decimal, peers: Iterable[Decimal]) -> Position:
    below = equal = above = 0
    for peer in peers:
        if peer < value:
            below += 1
        elif peer == value:
            equal += 1
        else:
            above += 1
    return Position(below, equal, above)


def histogram(values: Iterable[Decimal], edges: Sequence[Decimal]) -> list[int]:
    """Counts in the bands [edges[i], edges[i+1]); the last band also holds a value equal to its upper
    edge (a score of 100 of 100). Values outside every band are not counted."""
    if len(edges) < 2 or any(a >= b for a, b in pairwise(edges)):
        raise StatisticsError(
            "分段边界须至少两个且严格递增", "band edges must rise strictly, at least two of them"
        )
    counts = [0] * (len(edges) - 1)
    for value in values:
        if value == edges[-1]:
            counts[-1] += 1
            continue
        for i in range(len(counts)):
            if edges[i] <= value < edges[i + 1]:
                counts[i] += 1
                break
    return counts


@dataclass(frozen=True)
class PassRate:
    granted: int  # decided applications that became titles
    refused: int  # decided applications that did not

    @property
    def decided(self) -> int:
        return self.granted + self.refused

    @property
    def rate(self) -> Decimal | None:
        """granted / decided; None without history (no rate is better than a guessed one)."""
        return Decimal(self.granted) / self.decided if self.decided else None


def pass_rates(history: Mapping[K, tuple[int, int]]) -> dict[K, PassRate]:
    """Each level's (granted, refused) counts as a `PassRate`."""
    return {level: PassRate(granted, refused) for level, (granted, refused) in history.items()}


@dataclass(frozen=True)
class Forecast:
    target: int
    achieved: int
    expected: Decimal  # titles expected from the undecided applications (a sum of count × rate)
    unrated: int  # undecided applications at a level with no history: not in `expected`
    gap: Decimal  # target − achieved − expected, never below 0

    @property
    def projected(self) -> Decimal:
        return self.achieved + self.expected

    @property
    def on_track(self) -> bool:
        return self.gap == 0


def forecast(target: int, achieved: int, undecided: Mapping[K, int], rates: Mapping[K, PassRate]) -> Forecast:
    """Titles expected by the deadline: those achieved plus, level by level, the undecided applications
    times that level's historical pass rate. Applications at a level without history are counted apart
    (`unrated`), never assumed to pass or to fail."""
    expected = Decimal(0)
    unrated = 0
    for level, count in undecided.items():
        found = rates.get(level)
        rate = found.rate if found is not None else None
        if rate is None:
            unrated += count
        else:
            expected += count * rate
    gap = max(Decimal(0), target - achieved - expected)
    return Forecast(target=target, achieved=achieved, expected=expected, unrated=unrated, gap=gap)


def required_count(share_percent: Decimal, base: int) -> int:
    """The titles a target written as a share means: share % of `base`, rounded up (a plan asking for 30 %
    of 1,001 enterprises is not met by 300)."""
    if not Decimal(0) < share_percent <= HUNDRED:
        raise StatisticsError(
            f"比例 {share_percent}% 须大于 0 且不超过 100", f"share {share_percent} % is outside (0, 100]"
        )
    if base < 0:
        raise StatisticsError("比例的基数不能为负", "the base of a share cannot be negative")
    return int((share_percent * base / HUNDRED).to_integral_value(rounding=ROUND_CEILING))


@dataclass(frozen=True)
class YearGrowth:
    year: int
    added: int
    total: int  # running total up to and including the year
    change: Decimal | None  # added vs the year before, in percent; None after a year with none


def growth(per_year: Mapping[int, int]) -> list[YearGrowth]:
    """Titles per year, every year from the first to the last (a year with none shows 0), with the
    running total and the change on the year before."""
    if not per_year:
        return []
    out: list[YearGrowth] = []
    total = 0
    previous: int | None = None
    for year in range(min(per_year), max(per_year) + 1):
        added = per_year.get(year, 0)
        total += added
        change = None
        if previous:
            change = (Decimal(added) - previous) * HUNDRED / previous
        out.append(YearGrowth(year, added, total, change))
        previous = added
    return out


@dataclass(frozen=True)
class ScoreDiscrepancy:
    """How far third-party scores stood from the applicants' own, over an evaluation body's work."""

    compared: int  # evaluations with both scores
    flagged: int  # |third party − self| above the margin then in force
    mean_abs: Decimal | None  # the mean absolute difference in points

    @property
    def rate(self) -> Decimal | None:
        """flagged / compared in percent; None when nothing was compared."""
        return Decimal(self.flagged) * HUNDRED / self.compared if self.compared else None


def score_discrepancy(pairs: Iterable[tuple[Decimal, Decimal, Decimal]]) -> ScoreDiscrepancy:
    """Over (self-evaluation score, third-party score, margin) triples: how many differ by more than their
    margin (the rule `compare_results` applies per indicator, here on the total), and the mean absolute
    difference."""
    compared = flagged = 0
    total = Decimal(0)
    for own, third, margin in pairs:
        difference = abs(third - own)
        compared += 1
        total += difference
        flagged += difference > margin
    return ScoreDiscrepancy(compared, flagged, total / compared if compared else None)


@dataclass(frozen=True)
class GradeShifts:
    """What re-scoring under a draft changes, unit by unit (grades as the schemes name them; '' for no
    grade, which ranks below every grade)."""

    gained: tuple[int, ...]  # indices of units whose grade rises
    lost: tuple[int, ...]  # indices of units whose grade falls
    unchanged: int
    before: dict[str, int]  # units per grade, in `order`, then '' (no grade)
    after: dict[str, int]
    moves: dict[tuple[str, str], int]  # (before, after) → units, only where the grade changed


def grade_shifts(before: Sequence[str], after: Sequence[str], order: Sequence[str]) -> GradeShifts:
    """Compare the grades of the same units before and after. `order` lists the grades lowest first
    (both schemes' grades: a draft may add one); a grade outside it is an error, not a guess."""
    if len(before) != len(after):
        raise StatisticsError("前后两次评级的单位须相同", "before and after must grade the same units")
    rank = {grade: i + 1 for i, grade in enumerate(order)}
    rank[""] = 0
    counts_before = dict.fromkeys([*order, ""], 0)
    counts_after = dict(counts_before)
    gained: list[int] = []
    lost: list[int] = []
    moves: dict[tuple[str, str], int] = {}
    for i, (old, new) in enumerate(zip(before, after, strict=True)):
        if old not in rank or new not in rank:
            missing = old if old not in rank else new
            raise StatisticsError(
                f"等级 {missing!r} 不在 {list(order)} 之中", f"grade {missing!r} is not among {list(order)}"
            )
        counts_before[old] += 1
        counts_after[new] += 1
        if rank[new] > rank[old]:
            gained.append(i)
        elif rank[new] < rank[old]:
            lost.append(i)
        if old != new:
            moves[(old, new)] = moves.get((old, new), 0) + 1
    return GradeShifts(
        gained=tuple(gained),
        lost=tuple(lost),
        unchanged=len(before) - len(gained) - len(lost),
        before=counts_before,
        after=counts_after,
        moves=moves,
    )
