"""The vectorised evaluation: every rule, aggregation and outcome over arrays of applications.

One application is a population of one: the same float64 operations run either way, so scoring one
at a time and scoring a million at once give identical numbers.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from greencore.scoring.compiled import CompiledNode, CompiledScheme
from greencore.scoring.expr import Array, Formula, _truth
from greencore.standards.model import Aggregate, Direction, Rule, RuleKind

SCORED, MISSING, NOT_APPLICABLE, NOT_COUNTED = 0, 1, 2, 3
STATUS_NAMES = ("scored", "missing", "not_applicable", "not_counted")


def round_half_up(values: Array, precision: int) -> Array:
    """Half-up rounding that agrees with Decimal(str(x)).quantize(…, ROUND_HALF_UP).

    The small nudge removes binary representation error (2.675 is 2.67499999… in binary), so a
    published 2.675 rounds to 2.68 as a person rounding by hand would.
    """
    scale = 10.0**precision
    # 1e-7 of a unit in the last kept place absorbs representation error (≈1e-10 here) and nothing else
    return np.floor(values * scale + (0.5 + 1e-7)) / scale


@dataclass
class NodeResult:
    low: Array  # points with missing counted as 0
    high: Array  # points with missing counted as full
    max: Array  # the most this node can earn (0 when not applicable and excluded)
    status: NDArray[np.int8]
    fraction: Array | None = None
    value: Array | None = None
    base: Array | None = None
    lead: Array | None = None
    tier: NDArray[np.int16] | None = None
    rows: dict[str, Array] = field(default_factory=dict)  # per-row value/base/lead/weight/fraction


@dataclass
class Evaluation:
    cs: CompiledScheme
    n: int
    env: dict[str, Array]
    gates: dict[str, Array]  # 1 pass, 0 fail, NaN unanswered
    required_failed: dict[str, Array]  # 必选 items: 1 not fully met, 0 met, NaN unknown
    eligible: Array
    nodes: dict[str, NodeResult]
    score_low: Array  # rounded
    score_high: Array
    bonus_low: Array
    bonus_high: Array
    max_total: Array
    grade_low: NDArray[np.int16]  # index into outcome.grades, -1 for none
    grade_high: NDArray[np.int16]
    blocked: NDArray[np.bool_]  # (n, grades): reached by score/status but a prerequisite failed
    passed: Array  # 1 / 0 / NaN


def _row_env(env: dict[str, Array], table: str, columns: list[str]) -> dict[str, Array]:
    row_env: dict[str, Array] = {}
    for name, array in env.items():
        if array.ndim == 1:
            row_env[name] = array[:, None]
        else:
            row_env[name] = array
    for col in columns:
        row_env[col] = env[f"{table}.{col}"]
    return row_env


# ---------------------------------------------------------------------------------------------------
# the rule kinds: each turns an indicator's value (and base and lead) into the fraction of its points


@dataclass(frozen=True)
class RuleArrays:
    """What a rule kind scores: the value, base and lead of every application (or row)."""

    rule: Rule
    points: float
    shape: tuple[int, ...]
    value: Array
    base: Array
    lead: Array


def _linear(a: RuleArrays) -> Array:
    span = a.lead - a.base
    fraction = np.where(span == 0, np.nan, (a.value - a.base) / np.where(span == 0, 1.0, span))
    return np.clip(fraction, 0.0, 1.0)


def _ratio(a: RuleArrays) -> Array:
    x, lead = a.value, a.lead
    cap = float(a.rule.cap.value) if a.rule.cap else 1.0
    if a.rule.direction is Direction.LOWER:
        ratio = np.where(x == 0, cap, lead / np.where(x == 0, 1.0, x))
    else:
        ratio = np.where(lead == 0, np.nan, x / np.where(lead == 0, 1.0, lead))
    return np.clip(ratio, 0.0, cap)


def _bands(a: RuleArrays) -> Array:
    x = a.value
    awarded = np.where(np.isnan(x), np.nan, 0.0)
    settled = np.isnan(x)
    for band in a.rule.bands:
        if band.min is not None:
            hit = x >= float(band.min.value)
        else:
            assert band.max is not None
            hit = x <= float(band.max.value)
        take = ~settled & hit
        awarded = np.where(take, float(band.points.value), awarded)
        settled |= take
    return awarded / a.points


def _judged(a: RuleArrays) -> Array:
    return np.clip(a.value / a.points, 0.0, 1.0)


def _degree(a: RuleArrays) -> Array:
    """A checklist's degree of conformity, or a formula's fraction: already 0..1."""
    return np.clip(a.value, 0.0, 1.0)


FRACTION_RULES: Mapping[RuleKind, Callable[[RuleArrays], Array]] = {
    RuleKind.LINEAR: _linear,
    RuleKind.RATIO: _ratio,
    RuleKind.BANDS: _bands,
    RuleKind.JUDGED: _judged,
    RuleKind.CHECKLIST: _degree,
    RuleKind.FRACTION: _degree,
}


# ---------------------------------------------------------------------------------------------------
# the evaluation, step by step


def evaluate(cs: CompiledScheme, columns: dict[str, Array], n: int) -> Evaluation:
    env: dict[str, Array] = dict(columns)
    tree = _Tree(cs, env, n)
    tree.add_computed()
    gates = _gates(cs, env, n)
    main = [tree.walk(cn) for cn in cs.roots if not cn.node.bonus]
    bonus = [tree.walk(cn) for cn in cs.roots if cn.node.bonus]
    totals = _totals(cs, main, bonus, n)
    eligible = _eligibility(gates, tree.required_failed, n)
    grade_low, blocked_low = _grade(cs, env, eligible, totals.score_low, n)
    grade_high, _ = _grade(cs, env, eligible, totals.score_high, n)
    return Evaluation(
        cs=cs,
        n=n,
        env=env,
        gates=gates,
        required_failed=tree.required_failed,
        eligible=eligible,
        nodes=tree.nodes,
        score_low=totals.score_low,
        score_high=totals.score_high,
        bonus_low=totals.bonus_low,
        bonus_high=totals.bonus_high,
        max_total=totals.max_total,
        grade_low=grade_low,
        grade_high=grade_high,
        blocked=blocked_low if cs.scheme.outcome.grades else np.zeros((n, 0), bool),
        passed=_passed(cs, eligible, totals.score_low, totals.score_high),
    )


def _gates(cs: CompiledScheme, env: dict[str, Array], n: int) -> dict[str, Array]:
    """Each gate: 1 pass, 0 fail, NaN unanswered (an answered input, or a condition on the data)."""
    gates: dict[str, Array] = {}
    for gate, condition in cs.gates:
        raw = env[gate.id] if condition is None else condition(env)
        gates[gate.id] = np.broadcast_to(_truth(raw), (n,)).astype(np.float64)
    return gates


class _Tree:
    """The indicator tree scored bottom-up: leaves by their rule kind, categories by their children."""

    def __init__(self, cs: CompiledScheme, env: dict[str, Array], n: int) -> None:
        self.cs, self.env, self.n = cs, env, n
        self.table_columns: dict[str, list[str]] = {t.id: list(t.columns) for t in cs.tables.values()}
        self.row_present: dict[str, NDArray[np.bool_]] = {}
        for table in cs.tables.values():
            present = np.zeros((n, table.rows), bool)
            for col in table.columns:
                present |= ~np.isnan(env[f"{table.id}.{col}"])
            self.row_present[table.id] = present
        self.nodes: dict[str, NodeResult] = {}
        self.required_failed: dict[str, Array] = {}  # 必选 items: 1 not fully met, 0 met, NaN unknown

    def add_computed(self) -> None:
        """The scheme's computed values, in order, into the environment (per row for a table's)."""
        cs, env, n = self.cs, self.env, self.n
        for item, formula in cs.computed:
            if item.table:
                row_env = _row_env(env, item.table, self.table_columns[item.table])
                out = np.broadcast_to(formula(row_env), (n, cs.tables[item.table].rows)).astype(np.float64)
                env[f"{item.table}.{item.id}"] = np.where(self.row_present[item.table], out, np.nan)
                self.table_columns[item.table].append(item.id)
            else:
                env[item.id] = np.broadcast_to(formula(env), (n,)).astype(np.float64)

    def walk(self, cn: CompiledNode) -> NodeResult:
        result = self.leaf(cn) if cn.node.rule is not None else self.category(cn)
        self.nodes[cn.node.id] = result
        return result

    def leaf(self, cn: CompiledNode) -> NodeResult:
        node, rule = cn.node, cn.node.rule
        assert rule is not None and node.points is not None and cn.value is not None
        n = self.n
        points = float(node.points.value)
        if rule.over is not None:
            local = _row_env(self.env, rule.over, self.table_columns[rule.over])
            shape: tuple[int, ...] = (n, self.cs.tables[rule.over].rows)
        else:
            local, shape = self.env, (n,)

        def run(formula: Formula | None) -> Array:
            if formula is None:
                return np.full(shape, np.nan)
            out = formula(local)
            return out if out.shape == shape else np.broadcast_to(out, shape)

        x = run(cn.value)
        base, lead = run(cn.base), run(cn.lead)
        tier_index: NDArray[np.int16] | None = None
        if cn.tiers:
            base, lead, tier_index = _tiered(cn, local, shape, run)

        with np.errstate(divide="ignore", invalid="ignore"):
            fraction = FRACTION_RULES[rule.kind](RuleArrays(rule, points, shape, x, base, lead))

        rows: dict[str, Array] = {}
        value = x
        if rule.over is not None:
            present = self.row_present[rule.over]
            weight = run(cn.weight_by) if cn.weight_by is not None else np.ones(shape)
            rows = {"value": x, "base": base, "lead": lead, "weight": weight, "fraction": fraction}
            min_rows = self.cs.tables[rule.over].min_rows
            fraction, value = _aggregate_rows(rule.aggregate, present, fraction, x, weight, min_rows)
            base = lead = np.full(n, np.nan)

        if node.required and rule.kind is RuleKind.CHECKLIST:
            self.required_failed[node.id] = np.where(
                np.isnan(fraction), np.nan, (fraction < 1).astype(np.float64)
            )

        status = np.where(np.isnan(fraction), MISSING, SCORED).astype(np.int8)
        earned = points * np.where(np.isnan(fraction), 0.0, fraction)
        if self.cs.scheme.outcome.round_indicators:
            earned = round_half_up(earned, self.cs.scheme.precision)
        result = NodeResult(
            low=earned,
            high=np.where(status == MISSING, points, earned),
            max=np.full(n, points),
            status=status,
            fraction=fraction,
            value=value,
            base=base,
            lead=lead,
            tier=tier_index if rule.over is None else None,
            rows=rows,
        )
        return self.apply_applicable(cn, result)

    def category(self, cn: CompiledNode) -> NodeResult:
        node, n = cn.node, self.n
        kids = [self.walk(child) for child in cn.children]
        if node.choose is not None:
            result = _choose(node.choose.count, _points_of(cn.children[0]), kids)
        elif node.aggregate == "weighted":
            assert node.points is not None
            result = _weighted(float(node.points.value), [_weight_of(c) for c in cn.children], kids, n)
        else:
            result = NodeResult(
                low=sum((k.low for k in kids), np.zeros(n)),
                high=sum((k.high for k in kids), np.zeros(n)),
                max=sum((k.max for k in kids), np.zeros(n)),
                status=_category_status(kids),
            )
        if node.bonus and node.points is not None:
            cap = float(node.points.value)
            result.low, result.high = np.minimum(result.low, cap), np.minimum(result.high, cap)
            result.max = np.full(n, cap)
        return self.apply_applicable(cn, result)

    def apply_applicable(self, cn: CompiledNode, result: NodeResult) -> NodeResult:
        if cn.applicable is None:
            return result
        truth = np.broadcast_to(_truth(cn.applicable(self.env)), (self.n,))
        out_of_scope = truth == 0
        unknown = np.isnan(truth)
        full = cn.node.if_not_applicable == "full"
        maximum = result.max
        result.low = np.where(out_of_scope, maximum if full else 0.0, np.where(unknown, 0.0, result.low))
        result.high = np.where(
            out_of_scope, maximum if full else 0.0, np.where(unknown, maximum, result.high)
        )
        result.max = np.where(out_of_scope & (not full), 0.0, maximum)
        result.status = np.where(
            out_of_scope, NOT_APPLICABLE, np.where(unknown, MISSING, result.status)
        ).astype(np.int8)
        return result


def _tiered(
    cn: CompiledNode,
    local: Mapping[str, Array],
    shape: tuple[int, ...],
    run: Callable[[Formula | None], Array],
) -> tuple[Array, Array, NDArray[np.int16]]:
    """Base and lead from the first tier whose condition holds (none while a condition is unknown)."""
    tier_index = np.full(shape, -1, np.int16)
    decided = np.zeros(shape, bool)
    base, lead = np.full(shape, np.nan), np.full(shape, np.nan)
    for index, (when, tier_base, tier_lead) in enumerate(cn.tiers):
        truth = np.broadcast_to(_truth(when(local)), shape)
        take = ~decided & (truth == 1)
        base = np.where(take, run(tier_base), base)
        lead = np.where(take, run(tier_lead), lead)
        tier_index = np.where(take, np.int16(index), tier_index).astype(np.int16)
        decided |= (truth == 1) | np.isnan(truth)
    return base, lead, tier_index


def _choose(count: int, child_points: float, kids: list[NodeResult]) -> NodeResult:
    """The best `count` of the children count; the others are marked not counted."""
    low = np.stack([k.low for k in kids], axis=1)
    status = np.stack([k.status for k in kids], axis=1)
    scored = status == SCORED
    candidates = status != NOT_APPLICABLE
    ranked = np.where(scored, low, -np.inf)
    order = np.argsort(-ranked, axis=1, kind="stable")
    best = np.take_along_axis(ranked, order[:, :count], axis=1)
    best_sum = np.where(np.isfinite(best), best, 0.0).sum(axis=1)
    scored_count = scored.sum(axis=1)
    open_slots = np.minimum(np.maximum(count - scored_count, 0), (candidates & ~scored).sum(axis=1))
    enough = scored_count >= count
    counted = np.zeros_like(scored)
    np.put_along_axis(counted, order[:, :count], True, axis=1)
    counted &= scored
    for index, kid in enumerate(kids):
        demote = (scored[:, index] & ~counted[:, index]) | (enough & (status[:, index] == MISSING))
        kid.status = np.where(demote, NOT_COUNTED, kid.status).astype(np.int8)
    any_candidate = candidates.any(axis=1)
    return NodeResult(
        low=best_sum,
        high=best_sum + open_slots * child_points,
        max=np.where(any_candidate, count * child_points, 0.0),
        status=np.where(any_candidate, np.where(enough, SCORED, MISSING), NOT_APPLICABLE).astype(np.int8),
    )


def _weighted(points: float, weights: list[float], kids: list[NodeResult], n: int) -> NodeResult:
    """The children's shares of their maxima, weighted, over the weights of those that apply."""
    total_weight = np.zeros(n)
    low = np.zeros(n)
    high = np.zeros(n)
    for weight, kid in zip(weights, kids, strict=True):
        applies = kid.max > 0
        share = np.where(applies, weight, 0.0)
        total_weight += share
        with np.errstate(divide="ignore", invalid="ignore"):
            low += np.where(applies, share * kid.low / np.where(applies, kid.max, 1.0), 0.0)
            high += np.where(applies, share * kid.high / np.where(applies, kid.max, 1.0), 0.0)
    some = total_weight > 0
    with np.errstate(divide="ignore", invalid="ignore"):
        return NodeResult(
            low=np.where(some, points * low / np.where(some, total_weight, 1.0), 0.0),
            high=np.where(some, points * high / np.where(some, total_weight, 1.0), 0.0),
            max=np.where(some, points, 0.0),
            status=_category_status(kids),
        )


def _category_status(kids: list[NodeResult]) -> NDArray[np.int8]:
    # elementwise over the children: reductions along a short axis of a stacked array are slow
    all_na = kids[0].status == NOT_APPLICABLE
    any_missing = kids[0].status == MISSING
    for kid in kids[1:]:
        all_na &= kid.status == NOT_APPLICABLE
        any_missing |= kid.status == MISSING
    return np.where(all_na, NOT_APPLICABLE, np.where(any_missing, MISSING, SCORED)).astype(np.int8)


@dataclass(frozen=True)
class _Totals:
    score_low: Array  # rounded
    score_high: Array
    bonus_low: Array
    bonus_high: Array
    max_total: Array


def _totals(cs: CompiledScheme, main: list[NodeResult], bonus: list[NodeResult], n: int) -> _Totals:
    """The main tree scaled to the outcome's scale, plus bonus points, rounded at the precision."""
    precision = cs.scheme.precision
    scale = float(cs.scheme.outcome.scale.value)
    max_total = sum((r.max for r in main), np.zeros(n))
    raw_low = sum((r.low for r in main), np.zeros(n))
    raw_high = sum((r.high for r in main), np.zeros(n))
    with np.errstate(divide="ignore", invalid="ignore"):
        factor = np.where(max_total > 0, scale / np.where(max_total > 0, max_total, 1.0), np.nan)
    bonus_low = sum((r.low for r in bonus), np.zeros(n))
    bonus_high = sum((r.high for r in bonus), np.zeros(n))
    return _Totals(
        score_low=round_half_up(raw_low * factor + bonus_low, precision),
        score_high=round_half_up(raw_high * factor + bonus_high, precision),
        bonus_low=bonus_low,
        bonus_high=bonus_high,
        max_total=max_total,
    )


def _eligibility(gates: dict[str, Array], required_failed: dict[str, Array], n: int) -> Array:
    """1 eligible, 0 a gate or a required (必选) item failed, NaN not yet known."""
    eligible = np.ones(n)
    for values in (*gates.values(), *(1 - v for v in required_failed.values())):
        eligible = np.where(
            (eligible == 0) | (values == 0), 0.0, np.where(np.isnan(values), np.nan, eligible)
        )
    return eligible


def _passed(cs: CompiledScheme, eligible: Array, score_low: Array, score_high: Array) -> Array:
    """1 / 0 once both bounds of the score agree on the pass mark (and eligibility is known)."""
    outcome = cs.scheme.outcome
    passed = np.where(eligible == 0, 0.0, np.nan)
    if outcome.pass_mark is not None:
        mark = float(outcome.pass_mark.value)
        low_pass = score_low > mark if outcome.pass_above else score_low >= mark
        high_pass = score_high > mark if outcome.pass_above else score_high >= mark
        settled = (low_pass == high_pass) & (eligible == 1)
        passed = np.where(settled, low_pass.astype(np.float64), passed)
    return passed


def _points_of(cn: CompiledNode) -> float:
    assert cn.node.points is not None
    return float(cn.node.points.value)


def _weight_of(cn: CompiledNode) -> float:
    assert cn.node.weight is not None
    return float(cn.node.weight.value)


def _aggregate_rows(
    how: Aggregate, present: NDArray[np.bool_], fraction: Array, value: Array, weight: Array, min_rows: int
) -> tuple[Array, Array]:
    """Reduce per-row fractions to one per application.

    Missing when a present row is incomplete, when no row is present, or when fewer rows than the
    table's `min_rows` are (three years of park data need all three years). Tables have a handful of
    rows, so the loops run over rows, elementwise over applications.
    """
    rows = present.shape[1]
    n = present.shape[0]
    count = np.zeros(n)
    incomplete = np.zeros(n, bool)
    for r in range(rows):
        here = present[:, r]
        count += here
        incomplete |= here & (np.isnan(fraction[:, r]) | np.isnan(weight[:, r]))
    out_f = np.zeros(n)
    out_v = np.zeros(n)
    with np.errstate(divide="ignore", invalid="ignore"):
        if how in (Aggregate.WEIGHTED_MEAN, Aggregate.MEAN):
            total = np.zeros(n)
            for r in range(rows):
                here = present[:, r]
                w = np.where(here, weight[:, r] if how is Aggregate.WEIGHTED_MEAN else 1.0, 0.0)
                total += w
                out_f += w * np.where(here, fraction[:, r], 0.0)
                out_v += w * np.where(here, value[:, r], 0.0)
            total = np.where(total == 0, np.nan, total)
            out_f, out_v = out_f / total, out_v / total
        elif how is Aggregate.MIN:
            out_f, out_v = np.full(n, np.inf), np.full(n, np.nan)
            for r in range(rows):
                lower = present[:, r] & (fraction[:, r] < out_f)
                out_f = np.where(lower, fraction[:, r], out_f)
                out_v = np.where(lower, value[:, r], out_v)
        else:  # latest: the last filled row
            out_f, out_v = np.full(n, np.nan), np.full(n, np.nan)
            for r in range(rows):
                here = present[:, r]
                out_f = np.where(here, fraction[:, r], out_f)
                out_v = np.where(here, value[:, r], out_v)
    bad = incomplete | (count < max(min_rows, 1))
    return np.where(bad, np.nan, out_f), np.where(bad, np.nan, out_v)


def _grade(
    cs: CompiledScheme, env: dict[str, Array], eligible: Array, score: Array, n: int
) -> tuple[NDArray[np.int16], NDArray[np.bool_]]:
    grades = cs.scheme.outcome.grades
    chosen = np.full(n, -1, np.int16)
    blocked = np.zeros((n, len(grades)), bool)
    # grades are computed for applications not (yet) known to be ineligible; the result gives a grade
    # only to an eligible one, but can say which grades are still possible
    open_ = eligible != 0
    for index, grade in enumerate(grades):
        when = cs.grade_when[index]
        if when is not None:
            reached = np.broadcast_to(_truth(when(env)), (n,)) == 1
        elif grade.min is not None:
            reached = score >= float(grade.min.value)
        else:
            assert grade.above is not None
            reached = score > float(grade.above.value)
        requires = cs.grade_requires[index]
        allowed = np.ones(n, bool) if requires is None else np.broadcast_to(_truth(requires(env)), (n,)) == 1
        take = open_ & reached & allowed
        blocked[:, index] = open_ & reached & ~allowed
        chosen = np.where(take, np.int16(index), chosen).astype(np.int16)
        open_ &= ~take
    return chosen, blocked
