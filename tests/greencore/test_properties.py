"""Invariants of the engine, checked over generated applications (Hypothesis)."""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Any

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from greencore.scoring import Result, score, score_population
from greencore.scoring.compiled import compiled
from greencore.standards.model import InputKind, Scheme
from greencore.standards.registry import get_scheme
from tests.conftest import make_scheme
from tests.greencore.test_engine_rules import RULES

SCHEMES = {"rules": make_scheme(RULES), "factory-2025": get_scheme("factory-gbt36132-2025")}
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def value_strategy(kind: InputKind, low: float, high: float | None) -> st.SearchStrategy[Any]:
    if kind is InputKind.BOOL:
        return st.booleans()
    if kind is InputKind.COUNT:
        return st.integers(int(low), int(high) if high is not None else 20)
    top = high if high is not None else {InputKind.PERCENT: 100.0, InputKind.DEGREE: 1.0}.get(kind, 20000.0)
    return st.floats(low, top, allow_nan=False, allow_infinity=False).map(lambda x: round(x, 3))


@st.composite
def applications(draw: st.DrawFn, scheme: Scheme, allow_missing: bool = True) -> dict[str, Any]:
    cs = compiled(scheme)
    data: dict[str, Any] = {}
    for key, spec in cs.inputs.items():
        if spec.table is not None:
            continue
        low = float(spec.min) if spec.min is not None else 0.0
        high = float(spec.max) if spec.max is not None else None
        value = draw(value_strategy(spec.kind, low, high))
        if allow_missing and draw(st.integers(0, 15)) == 0:
            value = None
        data[key] = value
    for table in cs.tables.values():
        rows = []
        for _ in range(draw(st.integers(0, table.rows))):
            rows.append(
                {
                    col: draw(
                        value_strategy(cs.inputs[f"{table.id}.{col}"].kind, 0.0, None).filter(
                            lambda v: v != 0
                        )
                    )
                    for col in table.columns
                }
            )
        data[table.id] = rows
    return data


def population_arrays(scheme: Scheme, apps: list[dict[str, Any]]) -> dict[str, Any]:
    cs = compiled(scheme)
    arrays: dict[str, Any] = {}
    for key, spec in cs.inputs.items():
        if spec.table is None:
            values = [a.get(key) for a in apps]
            if spec.kind is InputKind.BOOL:
                arrays[key] = np.asarray([math.nan if v is None else float(v) for v in values])
            else:
                arrays[key] = np.asarray([math.nan if v is None else v for v in values], dtype=np.float64)
    for table in cs.tables.values():
        for r in range(table.rows):
            for col in table.columns:
                arrays[f"{table.id}.{r + 1}.{col}"] = np.asarray(
                    [a[table.id][r][col] if r < len(a.get(table.id) or []) else math.nan for a in apps],
                    dtype=np.float64,
                )
    return arrays


@SETTINGS
@given(st.data())
def test_score_within_bounds_and_lower_never_above_upper(data: st.DataObject) -> None:
    for scheme in SCHEMES.values():
        r = score(scheme, data.draw(applications(scheme)))
        top = scheme.outcome.scale.value + sum(
            (n.points.value for n in scheme.indicators if n.bonus and n.points), Decimal(0)
        )
        assert r.score is not None and r.score_upper is not None
        assert Decimal(0) <= r.score <= r.score_upper <= top
        for item in r.indicators:
            if item.points is not None:
                assert Decimal(0) <= item.points <= item.max_points
        assert r.complete == (not r.missing)


@SETTINGS
@given(st.data())
def test_a_failed_gate_means_ineligible_and_no_grade(data: st.DataObject) -> None:
    for scheme in SCHEMES.values():
        app = data.draw(applications(scheme))
        gate = data.draw(st.sampled_from([g.id for g in scheme.gates if not g.condition]))
        r = score(scheme, {**app, gate: False})
        assert r.eligible is False
        assert gate in r.failed_gates
        assert r.grade is None and r.passed is not True


@SETTINGS
@given(st.data())
def test_monotonic_in_each_indicators_direction(data: st.DataObject) -> None:
    scheme = SCHEMES["rules"]
    app = data.draw(applications(scheme, allow_missing=False))
    for name, better in (("up", 1), ("down", -1), ("share", 1), ("count", 1), ("water", 1)):
        spec = compiled(scheme).inputs[name]
        base = app[name]
        step = data.draw(st.integers(1, 30))
        moved = base + better * step
        upper = (
            float(spec.max) if spec.max is not None else (100.0 if spec.kind is InputKind.PERCENT else None)
        )
        if upper is not None:
            moved = min(moved, upper)
        moved = max(moved, 0)
        before, after = score(scheme, app), score(scheme, {**app, name: moved})
        assert after.score is not None and before.score is not None
        assert after.score >= before.score, (name, base, moved)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_one_at_a_time_equals_vectorised(data: st.DataObject) -> None:
    for scheme in SCHEMES.values():
        apps = data.draw(st.lists(applications(scheme), min_size=1, max_size=12))
        population = score_population(scheme, population_arrays(scheme, apps), len(apps))
        for index, app in enumerate(apps):
            single = score(scheme, app)
            from_population = population.result(index, app)
            assert single == from_population
            assert single.score == Decimal(repr(float(population.score[index]))).quantize(Decimal("0.01"))
            assert single.grade == population.grade[index]


@SETTINGS
@given(st.data())
def test_result_json_round_trips(data: st.DataObject) -> None:
    for scheme in SCHEMES.values():
        r = score(scheme, data.draw(applications(scheme)))
        assert Result.from_json(r.to_json()) == r
