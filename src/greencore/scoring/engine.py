"""score(scheme, inputs) -> Result, and the same for a whole population.

Both go through `evaluate`, the one vectorised evaluation; this module turns its arrays into the
per-application trail, the list of what is missing, and the gap to the next grade.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

import numpy as np
from numpy.typing import NDArray

from greencore.calc.figures import RAW_CALCULATIONS
from greencore.scoring.compiled import CompiledNode, CompiledScheme, compiled
from greencore.scoring.evaluate import (
    MISSING,
    SCORED,
    STATUS_NAMES,
    Evaluation,
    NodeResult,
    evaluate,
    round_half_up,
)
from greencore.scoring.expr import Array
from greencore.scoring.inputs import columns_from_arrays, columns_from_mapping
from greencore.scoring.raw import raw_scoring
from greencore.scoring.result import (
    ComputedValue,
    Gap,
    GateTrail,
    Improvement,
    IndicatorTrail,
    MissingInput,
    Result,
    RowTrail,
)
from greencore.standards.model import Direction, RuleKind, Scheme

ENGINE_VERSION = "1.0.0"


def _dec(value: float, places: int = 4) -> Decimal | None:
    """A float as a Decimal rounded half-up to `places` (None for NaN)."""
    if value is None or math.isnan(value) or math.isinf(value):
        return None
    rounded = float(round_half_up(np.asarray(value), places))
    return Decimal(repr(rounded)).quantize(Decimal(1).scaleb(-places)).normalize() + Decimal(0)


def _points(value: float, precision: int) -> Decimal | None:
    if math.isnan(value):
        return None
    rounded = float(round_half_up(np.asarray(value), precision))
    return Decimal(repr(rounded)).quantize(Decimal(1).scaleb(-precision))


def _zero_if_none(value: Decimal | None) -> Decimal:
    return Decimal(0) if value is None else value


def score(scheme: Scheme, inputs: Mapping[str, Any], raw: Mapping[str, Any] | None = None) -> Result:
    """Score one application. Pure and deterministic: the same inputs give the same Result.

    With `raw` plant data (see examples/factory-raw.json), the scheme's formulas read the figures of
    its raw-data calculation (`calc(…)`, inputs with `derive`), and the result carries the figures
    read, the inputs derived and the calculation's whole working (`greencore.scoring.raw`).
    """
    if raw is None:
        cs = compiled(scheme)
        ev = evaluate(cs, columns_from_mapping(cs, inputs), 1)
        return _result(cs, ev, 0, dict(inputs))
    from_raw = raw_scoring(scheme, raw, inputs)
    cs = compiled(scheme)
    columns = {**columns_from_mapping(cs, from_raw.inputs), **from_raw.columns}
    ev = evaluate(cs, columns, 1)
    return replace(
        _result(cs, ev, 0, from_raw.inputs),
        calculation=from_raw.calculation,
        figures=from_raw.figures,
        derived=from_raw.derived,
    )


# ---------------------------------------------------------------------------------------------------
# one application's result


def _result(cs: CompiledScheme, ev: Evaluation, i: int, inputs: dict[str, Any]) -> Result:
    scheme = cs.scheme
    precision = scheme.precision
    missing = _missing(cs, ev, i)
    grades = scheme.outcome.grades
    low_index, high_index = int(ev.grade_low[i]), int(ev.grade_high[i])
    eligible_raw = ev.eligible[i]
    eligible = None if math.isnan(eligible_raw) else bool(eligible_raw)
    complete = not missing
    determinable = eligible is False or (low_index == high_index and eligible is True)
    if eligible is False:
        possible: tuple[str, ...] = ()
    else:
        span = sorted({low_index, high_index})
        possible = tuple(grades[k].id for k in range(min(span), max(span) + 1) if k >= 0) if grades else ()
    grade = grades[low_index] if determinable and low_index >= 0 and eligible else None
    failed = tuple(g for g, v in ev.gates.items() if v[i] == 0) + tuple(
        node for node, v in ev.required_failed.items() if v[i] == 1
    )
    passed_raw = ev.passed[i]
    result_score = _points(ev.score_low[i], precision)
    upper = _points(ev.score_high[i], precision)
    indicators = tuple(_trails(cs, ev, i, missing))
    gap = _gap(cs, ev, i, indicators, result_score, eligible, failed) if complete else None
    notes: list[str] = []
    if not complete:
        notes.append(
            f"缺少 {len(missing)} 项数据：得分按缺项计 0 分的下限给出，补齐后最高可达 {upper}；"
            + ("等级已可确定。" if determinable else "等级暂不能确定。")
        )
    if float(ev.max_total[i]) < float(scheme.outcome.scale.value) and not math.isnan(ev.score_low[i]):
        notes.append(
            f"不适用指标已剔除，总分按适用满分 {_points(ev.max_total[i], precision)} 折算为 "
            f"{scheme.outcome.scale.value} 分制。"
        )
    return Result(
        scheme_id=scheme.id,
        scheme_version=scheme.version,
        scheme_title=scheme.title.zh,
        engine_version=ENGINE_VERSION,
        inputs=inputs,
        score=result_score,
        score_upper=upper,
        max_score=scheme.outcome.scale.value,
        bonus=_zero_if_none(_points(ev.bonus_low[i], precision)),
        complete=complete,
        eligible=eligible,
        failed_gates=failed,
        passed=None if math.isnan(passed_raw) else bool(passed_raw),
        grade=grade.id if grade else None,
        grade_label=grade.label.zh if grade else None,
        grade_determinable=determinable,
        possible_grades=possible,
        blocked_grades=tuple(grades[k].id for k in range(len(grades)) if ev.blocked[i, k]),
        gates=tuple(
            GateTrail(
                id=gate.id,
                label=gate.label.zh,
                status="missing"
                if math.isnan(ev.gates[gate.id][i])
                else ("pass" if ev.gates[gate.id][i] else "fail"),
                source=gate.source,
            )
            for gate, _ in cs.gates
        ),
        indicators=indicators,
        computed=tuple(
            ComputedValue(
                id=item.id,
                label=item.label.zh,
                value=None if item.table else _dec(float(ev.env[item.id][i]), 6),
                unit=item.unit,
                formula=item.formula,
            )
            for item, _ in cs.computed
        ),
        missing=missing,
        gap=gap,
        notes=tuple(notes),
    )


def _missing(cs: CompiledScheme, ev: Evaluation, i: int) -> tuple[MissingInput, ...]:
    """The raw inputs whose absence leaves a gate or an applicable indicator unscored."""
    needed: dict[str, list[str]] = {}

    figures = {ref.key: ref for ref in cs.calc_refs}

    def blame(deps: frozenset[str], who: str) -> None:
        for dep in sorted(deps):
            spec = cs.inputs.get(dep)
            if spec is None:
                # a figure read inside a table's formulas is covered by that table's own cells
                scalar = dep in figures and figures[dep] not in cs.calc_tables
                if scalar and math.isnan(np.broadcast_to(ev.env.get(dep, np.nan), (ev.n,))[i]):
                    needed.setdefault(dep, []).append(who)
                continue
            if spec.table is None:
                if math.isnan(ev.env[dep][i]):
                    needed.setdefault(dep, []).append(who)
                continue
            cells = ev.env[dep][i]
            present = np.zeros(cells.shape, bool)
            for col in cs.tables[spec.table].columns:
                present |= ~np.isnan(ev.env[f"{spec.table}.{col}"][i])
            if present.sum() < max(cs.tables[spec.table].min_rows, 1):
                needed.setdefault(spec.table, []).append(who)
            for row in np.nonzero(present & np.isnan(cells))[0]:
                needed.setdefault(f"{spec.table}.{row + 1}.{spec.column}", []).append(who)

    for gate, _ in cs.gates:
        if math.isnan(ev.gates[gate.id][i]):
            blame(cs.gate_deps[gate.id], gate.id)
    for cn in cs.leaves:
        if ev.nodes[cn.node.id].status[i] == MISSING:
            blame(cn.deps, cn.node.id)
    for cn in cs.nodes.values():
        if cn.node.rule is None and cn.applicable is not None and ev.nodes[cn.node.id].status[i] == MISSING:
            blame(cn.deps, cn.node.id)
    for k, requires in enumerate(cs.grade_requires):
        if requires is not None:
            value = requires(ev.env)
            if np.ndim(value) and math.isnan(np.broadcast_to(value, (ev.n,))[i]):
                blame(frozenset(n for n in requires.names if n in cs.inputs), cs.scheme.outcome.grades[k].id)
    out = []
    for key, who in needed.items():
        spec = cs.inputs.get(key)
        if spec is not None:
            label = spec.label.zh
        elif key in figures:
            label = f"原始数据：{figure_label(cs.scheme, figures[key].path)}"
        elif key in cs.tables:
            label = f"{cs.tables[key].label.zh}（至少 {max(cs.tables[key].min_rows, 1)} 行）"
        else:
            table, row, col = key.split(".")
            label = f"{cs.tables[table].label.zh} 第{row}行 {cs.inputs[f'{table}.{col}'].label.zh}"
        out.append(MissingInput(input=key, label=label, needed_by=tuple(dict.fromkeys(who))))
    return tuple(out)


def figure_label(scheme: Scheme, path: str) -> str:
    """The Chinese label of a raw-data figure of the scheme's calculation (its path if unknown)."""
    calculation = RAW_CALCULATIONS.get(scheme.raw_data)
    figure = calculation.figures.get(path) if calculation else None
    return f"{figure.label_zh}（{path}）" if figure else path


_RULE_ZH = {
    RuleKind.LINEAR: "线性插值（基准值→引领值）",
    RuleKind.RATIO: "与引领值之比（封顶）",
    RuleKind.CHECKLIST: "符合程度",
    RuleKind.JUDGED: "评价人员酌情给分",
    RuleKind.BANDS: "分档计分",
    RuleKind.FRACTION: "公式计分",
}


def _trails(
    cs: CompiledScheme, ev: Evaluation, i: int, missing: tuple[MissingInput, ...]
) -> list[IndicatorTrail]:
    precision = cs.scheme.precision
    missing_by_node: dict[str, list[str]] = {}
    for item in missing:
        for who in item.needed_by:
            missing_by_node.setdefault(who, []).append(item.input)
    out: list[IndicatorTrail] = []

    def visit(cn: CompiledNode) -> None:
        node = cn.node
        res = ev.nodes[node.id]
        status = STATUS_NAMES[int(res.status[i])]
        points = None if status in ("missing", "not_applicable") and node.rule is not None else res.low[i]
        if node.rule is None and status == "not_applicable":
            points = None
        rule = node.rule
        trail = IndicatorTrail(
            id=node.id,
            path=cn.path,
            label=node.label.zh,
            label_en=node.label.en,
            is_leaf=rule is not None,
            status=status,
            points=None if points is None else _points(float(points), precision),
            max_points=_zero_if_none(_points(float(res.max[i]), precision)),
        )
        if rule is not None:
            trail = _leaf_trail(cs, cn, res, i, trail, missing_by_node.get(node.id, []))
        out.append(trail)
        for child in cn.children:
            visit(child)

    for root in cs.roots:
        visit(root)
    return out


def _leaf_trail(
    cs: CompiledScheme, cn: CompiledNode, res: NodeResult, i: int, trail: IndicatorTrail, missing: list[str]
) -> IndicatorTrail:
    node, rule = cn.node, cn.node.rule
    assert rule is not None and node.points is not None
    value = _dec(float(res.value[i])) if res.value is not None else None
    base = _dec(float(res.base[i])) if res.base is not None else None
    lead = _dec(float(res.lead[i])) if res.lead is not None else None
    fraction = _dec(float(res.fraction[i]), 6) if res.fraction is not None else None
    tier = ""
    if res.tier is not None and res.tier[i] >= 0:
        tier = rule.tiers[int(res.tier[i])].label.zh
    rows: list[RowTrail] = []
    if rule.over is not None:
        table = cs.tables[rule.over]
        for r in range(table.rows):
            cells = {k: res.rows[k][i, r] for k in res.rows}
            if all(math.isnan(v) for k, v in cells.items() if k != "weight"):
                continue
            rows.append(
                RowTrail(
                    row=r + 1,
                    label=table.row_labels[r] if table.row_labels else f"第{r + 1}行",
                    value=_dec(cells["value"]),
                    base=_dec(cells["base"]),
                    lead=_dec(cells["lead"]),
                    weight=_dec(cells["weight"]),
                    fraction=_dec(cells["fraction"], 6),
                )
            )
    unit = rule.unit or node.unit
    why, why_en = _why(
        rule.kind, rule.direction, trail, value, base, lead, unit, node.points.value, missing, rule.over
    )
    return replace(
        trail,
        rule=_RULE_ZH[rule.kind] + (f"，{len(rows)} 行加权" if rule.over else ""),
        value=value,
        unit=unit,
        base=base,
        lead=lead,
        tier=tier,
        fraction=fraction,
        why=why,
        why_en=why_en,
        rows=tuple(rows),
        missing=tuple(missing),
    )


@dataclass(frozen=True)
class _Scored:
    """A scored leaf, as its explanation reads it."""

    direction: Direction
    value: Decimal | None
    base: Decimal | None
    lead: Decimal | None
    unit: str
    points: Decimal
    got: Decimal | None

    @property
    def shown(self) -> str:
        return f"{self.value}{self.unit}" if self.value is not None else "—"


def _why_linear(s: _Scored) -> tuple[str, str] | None:
    value, base, lead, unit, points, got, shown = s.value, s.base, s.lead, s.unit, s.points, s.got, s.shown
    if base is None or lead is None:
        return None
    if (s.direction is Direction.LOWER and value is not None and value <= lead) or (
        s.direction is Direction.HIGHER and value is not None and value >= lead
    ):
        return (
            f"实际值 {shown} 达到引领值 {lead}{unit}，得满分 {points}。",
            f"{shown} reaches the lead {lead}: full {points}.",
        )
    if (s.direction is Direction.LOWER and value is not None and value >= base) or (
        s.direction is Direction.HIGHER and value is not None and value <= base
    ):
        return (
            f"实际值 {shown} 未优于基准值 {base}{unit}，得 0 分。",
            f"{shown} is no better than the base {base}: 0.",
        )
    working = f"{points} × ({value} − {base}) / ({lead} − {base}) = {got}"
    return (
        f"实际值 {shown} 介于基准值 {base} 与引领值 {lead} 之间：{working}。",
        f"{shown} between base {base} and lead {lead}: {working}.",
    )


def _why_ratio(s: _Scored) -> tuple[str, str] | None:
    if s.lead is None:
        return None
    return (
        f"实际值 {s.shown}，引领值 {s.lead}{s.unit}，按比例得 {s.got} 分（满分 {s.points}）。",
        f"{s.shown} against lead {s.lead}: {s.got} of {s.points}.",
    )


def _why_judged(s: _Scored) -> tuple[str, str] | None:
    return f"评价人员给分 {s.got}（满分 {s.points}）。", f"Awarded {s.got} of {s.points}."


def _why_checklist(s: _Scored) -> tuple[str, str] | None:
    return (
        f"符合程度 {s.value}，得 {s.got} 分（满分 {s.points}）。",
        f"Conformity {s.value}: {s.got} of {s.points}.",
    )


# how a scored leaf of each rule kind explains its points; a kind not listed (or an explainer that
# returns None for want of a base or lead) reads "value: points of maximum"
_WHY: dict[RuleKind, Callable[[_Scored], tuple[str, str] | None]] = {
    RuleKind.LINEAR: _why_linear,
    RuleKind.RATIO: _why_ratio,
    RuleKind.JUDGED: _why_judged,
    RuleKind.CHECKLIST: _why_checklist,
}


def _why(
    kind: RuleKind,
    direction: Direction,
    trail: IndicatorTrail,
    value: Decimal | None,
    base: Decimal | None,
    lead: Decimal | None,
    unit: str,
    points: Decimal,
    missing: list[str],
    over: str | None,
) -> tuple[str, str]:
    if trail.status == "not_applicable":
        return "不适用，不计分。", "Not applicable; not scored."
    if trail.status == "missing":
        names = "、".join(missing) if missing else "数据"
        return (
            f"缺少 {names}，未计分（不按 0 分处理）。",
            f"Missing {', '.join(missing) or 'data'}; not scored.",
        )
    if trail.status == "not_counted":
        return "未计入：本组只取得分最高的若干项。", "Not counted: only the best items of this group count."
    got = trail.points
    if over is not None:
        return (
            f"各行分别按规则计分后加权平均，得 {got} 分（满分 {points}）。",
            f"Each row scored, then averaged by weight: {got} of {points}.",
        )
    scored = _Scored(direction, value, base, lead, unit, points, got)
    explain = _WHY.get(kind)
    told = explain(scored) if explain is not None else None
    if told is not None:
        return told
    return f"实际值 {scored.shown}，得 {got} 分（满分 {points}）。", f"{scored.shown}: {got} of {points}."


# ---------------------------------------------------------------------------------------------------
# the gap to the next grade


def _multipliers(cs: CompiledScheme, ev: Evaluation, i: int) -> dict[str, float]:
    """How much one raw point of each counted leaf moves the final score."""
    scale = float(cs.scheme.outcome.scale.value)
    total = float(ev.max_total[i])
    out: dict[str, float] = {}

    def walk(cn: CompiledNode, factor: float) -> None:
        node = cn.node
        res = ev.nodes[node.id]
        if int(res.status[i]) not in (SCORED, MISSING):
            return
        if node.rule is not None:
            out[node.id] = factor
            return
        if node.aggregate == "weighted":
            assert node.points is not None
            kids = [(c, ev.nodes[c.node.id]) for c in cn.children]
            weight_total = sum(float(c.node.weight.value) for c, r in kids if r.max[i] > 0 and c.node.weight)
            for child, r in kids:
                if r.max[i] > 0 and child.node.weight is not None and weight_total > 0:
                    share = float(child.node.weight.value) / weight_total
                    walk(child, factor * float(node.points.value) * share / float(r.max[i]))
            return
        for child in cn.children:
            walk(child, factor)

    for root in cs.roots:
        if not root.node.bonus and total > 0:
            walk(root, scale / total)
    return out


def _gap(
    cs: CompiledScheme,
    ev: Evaluation,
    i: int,
    indicators: tuple[IndicatorTrail, ...],
    current: Decimal | None,
    eligible: bool | None,
    failed: tuple[str, ...],
) -> Gap | None:
    outcome = cs.scheme.outcome
    if current is None:
        return None
    step = Decimal(1).scaleb(-cs.scheme.precision)
    targets: list[tuple[str, str, Decimal, bool]] = []  # id, label, threshold, strictly above
    for grade in outcome.grades:
        if grade.min is not None:
            targets.append((grade.id, grade.label.zh, grade.min.value, False))
        elif grade.above is not None:
            targets.append((grade.id, grade.label.zh, grade.above.value, True))
    if outcome.pass_mark is not None:
        targets.append(("pass", "合格", outcome.pass_mark.value, outcome.pass_above))
    above_now = [t for t in targets if (current < t[2] or (t[3] and current == t[2]))]
    if not above_now:
        return None
    target_id, label, threshold, strict = min(above_now, key=lambda t: t[2])
    needed = threshold - current + (step if strict else 0)
    blockers = list(failed) if eligible is False else []
    if target_id != "pass":
        grade_index = [g.id for g in outcome.grades].index(target_id)
        requires = cs.grade_requires[grade_index]
        if requires is not None and np.broadcast_to(requires(ev.env), (ev.n,))[i] != 1:
            grade = outcome.grades[grade_index]
            blockers.append(grade.requires_label.zh if grade.requires_label else grade.requires)
    multipliers = _multipliers(cs, ev, i)
    by_id = {t.id: t for t in indicators}
    options: list[tuple[float, CompiledNode]] = []
    for cn in cs.leaves:
        trail = by_id[cn.node.id]
        if cn.node.id not in multipliers or trail.status != "scored" or trail.points is None:
            continue
        headroom = float(trail.max_points - trail.points) * multipliers[cn.node.id]
        if headroom > 1e-9:
            options.append((headroom, cn))
    options.sort(key=lambda o: -o[0])
    chosen: list[Improvement] = []
    remaining = float(needed)
    for headroom, cn in options:
        if remaining <= 1e-9:
            break
        take = min(headroom, remaining)
        remaining -= take
        chosen.append(
            _improvement(cn, by_id[cn.node.id], take / multipliers[cn.node.id], take, cs.scheme.precision)
        )
    reachable = remaining <= 1e-9
    return Gap(
        target=target_id,
        target_label=label,
        threshold=threshold,
        needed=needed,
        reachable=reachable,
        improvements=tuple(chosen),
        blockers=tuple(blockers),
        note="" if reachable else "即使所有可改进指标均达到满分，也达不到该等级。",
    )


def _improvement(
    cn: CompiledNode, trail: IndicatorTrail, raw_gain: float, score_gain: float, precision: int
) -> Improvement:
    rule = cn.node.rule
    assert rule is not None and cn.node.points is not None and trail.points is not None
    points = float(cn.node.points.value)
    target_points = min(float(trail.points) + raw_gain, points)
    fraction = target_points / points
    value_target: float | None = None
    base = float(trail.base) if trail.base is not None else None
    lead = float(trail.lead) if trail.lead is not None else None
    if rule.over is None and lead is not None:
        if rule.kind is RuleKind.LINEAR and base is not None:
            value_target = base + fraction * (lead - base)
        elif rule.kind is RuleKind.RATIO:
            value_target = fraction * lead if rule.direction is Direction.HIGHER else lead / fraction
    if rule.kind is RuleKind.BANDS:
        reach = [b for b in rule.bands if float(b.points.value) >= target_points - 1e-9]
        if reach:
            band = min(reach, key=lambda b: float(b.points.value))
            threshold = band.min or band.max
            value_target = float(threshold.value) if threshold else None
    if rule.kind is RuleKind.JUDGED:
        action = f"补充证明材料，争取评分提高到 {_points(target_points, precision)} 分"
    elif rule.kind is RuleKind.CHECKLIST:
        action = f"提高符合程度到 {_dec(fraction, 4)}"
    elif value_target is not None:
        verb = "降低" if rule.direction is Direction.LOWER else "提高"
        action = f"将{trail.label}{verb}到 {_dec(value_target)}{trail.unit}"
    else:
        action = f"提高{trail.label}的得分"
    return Improvement(
        indicator=cn.node.id,
        label=trail.label,
        points_now=trail.points,
        points_target=_zero_if_none(_points(target_points, precision)),
        score_gain=_zero_if_none(_points(score_gain, precision)),
        value_now=trail.value,
        value_target=_dec(value_target) if value_target is not None else None,
        unit=trail.unit,
        action=action,
    )


# ---------------------------------------------------------------------------------------------------
# populations


# chunks keep every array of a chunk in cache; NumPy releases the GIL, so chunks run on all cores
CHUNK_SIZE = 1 << 16


@dataclass(frozen=True)
class PopulationResult:
    """Scores of many applications, as columns (NaN / -1 / None where not given)."""

    scheme: Scheme
    score: Array  # lower bound when incomplete, rounded to the scheme's precision
    score_upper: Array
    eligible: Array  # 1 / 0 / NaN
    passed: Array
    complete: NDArray[np.bool_]
    missing_count: NDArray[np.int32]
    grade: list[str | None]  # only where determinable
    chunks: tuple[tuple[int, Evaluation], ...]  # (first index, evaluation of the chunk)

    def result(self, index: int, inputs: dict[str, Any] | None = None) -> Result:
        """The full Result of one application of the population."""
        for start, evaluation in reversed(self.chunks):
            if index >= start:
                return _result(compiled(self.scheme), evaluation, index - start, inputs or {})
        raise IndexError(index)


def score_population(
    scheme: Scheme, arrays: Mapping[str, Any], n: int, row_names: Sequence[str] | None = None
) -> PopulationResult:
    """Score n applications at once from columns (see `columns_from_arrays`)."""
    cs = compiled(scheme)
    columns = columns_from_arrays(cs, arrays, n, row_names)
    starts = list(range(0, n, CHUNK_SIZE)) or [0]

    def run(start: int) -> Evaluation:
        stop = min(start + CHUNK_SIZE, n)
        return evaluate(cs, {k: v[start:stop] for k, v in columns.items()}, stop - start)

    if len(starts) == 1:
        evaluations = [run(0)]
    else:
        with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
            evaluations = list(pool.map(run, starts))

    def joined(get: Callable[[Evaluation], NDArray[Any]]) -> NDArray[Any]:
        return np.concatenate([get(ev) for ev in evaluations])

    missing_count = np.zeros(n, np.int32)
    for node_id in (cn.node.id for cn in cs.leaves):
        missing_count += joined(lambda ev, key=node_id: ev.nodes[key].status == MISSING).astype(np.int32)  # type: ignore[misc]
    for gate_id in (gate.id for gate, _ in cs.gates):
        missing_count += joined(lambda ev, key=gate_id: np.isnan(ev.gates[key])).astype(np.int32)  # type: ignore[misc]
    eligible = joined(lambda ev: ev.eligible)
    grade_low, grade_high = joined(lambda ev: ev.grade_low), joined(lambda ev: ev.grade_high)
    determinable = (eligible == 1) & (grade_low == grade_high) & (grade_low >= 0)
    ids = [g.id for g in scheme.outcome.grades]
    labels: list[str | None] = [None] * n
    for index in np.nonzero(determinable)[0]:
        labels[index] = ids[int(grade_low[index])]
    return PopulationResult(
        scheme=scheme,
        score=joined(lambda ev: ev.score_low),
        score_upper=joined(lambda ev: ev.score_high),
        eligible=eligible,
        passed=joined(lambda ev: ev.passed),
        complete=missing_count == 0,
        missing_count=missing_count,
        grade=labels,
        chunks=tuple(zip(starts, evaluations, strict=True)),
    )


@dataclass(frozen=True)
class Ranking:
    rank: NDArray[np.int64]  # competition rank (1 = best; ties share), 0 where unranked
    selected: list[bool | None]  # within the call's top N and threshold (None: scheme has no ranking)
    percentile_grade: list[str | None]
    group_percentile_grade: list[str | None]


def _competition_rank(keys: NDArray[np.int64], scores: NDArray[np.int64]) -> NDArray[np.int64]:
    """1 + the number of better scores within the same key (group)."""
    composite = keys * (1 << 40) + scores
    order = np.argsort(composite, kind="stable")
    ordered = composite[order]
    # searching the sorted values themselves walks memory in order: far faster than random probes
    last_equal = np.searchsorted(ordered, ordered, side="right")
    group_end = np.searchsorted(ordered, (ordered >> 40) * (1 << 40) + (1 << 40) - 1, side="right")
    better = np.empty_like(composite)
    better[order] = group_end - last_equal
    return (better + 1).astype(np.int64)


def rank_population(
    scheme: Scheme,
    scores: Sequence[Decimal | float | None] | Array,
    groups: Sequence[str] | NDArray[np.str_] | None = None,
    eligible: Sequence[bool | None] | Array | None = None,
) -> Ranking:
    """Rank cut-offs (top N with a threshold) and percentile grades, overall and within groups.

    Ranking is by the published (rounded) score; ties share a rank (competition ranking), so ties at
    the cut-off are all selected. Applications without a score (or ineligible) get no rank or grade.
    """
    if isinstance(scores, np.ndarray):
        values = scores.astype(np.float64, copy=False)
    else:
        values = np.asarray([math.nan if s is None else float(s) for s in scores], dtype=np.float64)
    n = len(values)
    ok = ~np.isnan(values)
    if isinstance(eligible, np.ndarray):
        ok &= eligible == 1
    elif eligible is not None:
        ok &= np.asarray([e is True for e in eligible], dtype=np.bool_)
    precision = scheme.precision
    as_int = np.where(ok, np.round(values * 10**precision), 0).astype(np.int64) + (1 << 39)
    as_int_ok = np.where(ok, as_int, -1)
    # unscored rows go to group −1, below every real group, so they never outrank anyone
    rank = np.where(ok, _competition_rank(np.where(ok, 0, -1), as_int_ok), 0)
    outcome = scheme.outcome
    selected: list[bool | None] = [None] * n
    if outcome.ranking is not None:
        ranking = outcome.ranking
        meets = ok.copy()
        if ranking.min is not None:
            meets &= values >= float(ranking.min.value)
        if ranking.above is not None:
            meets &= values > float(ranking.above.value)
        pool_rank = np.where(meets, _competition_rank(np.where(meets, 0, -1), np.where(meets, as_int, -1)), 0)
        selected = [bool(m and r <= ranking.top) for m, r in zip(meets, pool_rank, strict=True)]
    overall = _percentile_grades(scheme, rank, ok, np.zeros(n, np.int64))
    by_group: list[str | None] = [None] * n
    if groups is not None:
        # a fixed-width string array sorts about ten times faster than Python objects
        labels = groups if isinstance(groups, np.ndarray) else np.asarray([str(g) for g in groups])
        codes = np.unique(labels.astype(str), return_inverse=True)[1].astype(np.int64).reshape(-1)
        group_rank = np.where(ok, _competition_rank(np.where(ok, codes, -1), as_int_ok), 0)
        by_group = _percentile_grades(scheme, group_rank, ok, codes)
    return Ranking(rank=rank, selected=selected, percentile_grade=overall, group_percentile_grade=by_group)


def _percentile_grades(
    scheme: Scheme, rank: NDArray[np.int64], ok: NDArray[np.bool_], codes: NDArray[np.int64]
) -> list[str | None]:
    percentiles = scheme.outcome.percentiles
    n = len(rank)
    if percentiles is None:
        return [None] * n
    sizes = (
        np.bincount(codes[ok], minlength=int(codes.max()) + 1 if n else 0)
        if ok.any()
        else np.zeros(1, np.int64)
    )
    size = np.where(ok, sizes[np.clip(codes, 0, None)] if len(sizes) else 0, 1)
    position = rank / np.maximum(size, 1)
    out = np.full(n, None, dtype=object)
    assigned = ~ok
    for band in percentiles.bands:
        take = ~assigned & (position <= float(band.top) + 1e-12)
        out[take] = band.id
        assigned |= take
    return list(out)
