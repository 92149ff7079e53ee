"""Scheme back-testing (issue 17): past applications re-scored under a draft scheme with the bulk engine, and
what changes — who gains or loses a grade, the grade and score distributions before and after.

Both sides are scored here from the same answers, by `score_population`: the applications' stored results
may come from older engine versions, and comparing like with like isolates what the draft changes. The
answers are the platform's typed form keys (`greencore.form_keys`); a value a scheme refuses counts as
missing (and is counted), never as a failure of the whole run.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import numpy as np

from greencore.form_keys import input_key, input_place, input_table_key, table_cell_key
from greencore.scoring.compiled import compiled
from greencore.scoring.engine import score_population
from greencore.scoring.inputs import InputError, convert_value
from greencore.standards.model import InputKind, Scheme
from greencore.statistics import GradeShifts, grade_shifts, quantiles

QUANTILES = (Decimal("0.1"), Decimal("0.25"), Decimal("0.5"), Decimal("0.75"), Decimal("0.9"))


def population_columns(scheme: Scheme, answers: Sequence[Mapping[str, Any]]) -> tuple[dict[str, Any], int]:
    """The columns `score_population` takes, from many applications' answers keyed by form key; the inputs
    the scheme does not know are left out. Returns the columns and how many values were refused."""
    cs = compiled(scheme)
    n = len(answers)
    columns: dict[str, Any] = {}
    refused = 0
    for i, values in enumerate(answers):
        for key, value in values.items():
            place = input_place(key)
            if place is None:
                continue
            if place.row is None:
                spec = cs.inputs.get(place.input)
                if spec is None or spec.table is not None:
                    continue
                name = place.input
            else:
                spec = cs.inputs.get(f"{place.input}.{place.column}")
                table = cs.tables.get(place.input)
                if spec is None or table is None or place.row >= table.rows:
                    continue
                name = f"{place.input}.{place.row + 1}.{place.column}"
            try:
                number = convert_value(spec, value, key)
            except InputError:
                refused += 1
                continue
            if math.isnan(number):
                continue
            if spec.kind is InputKind.CATEGORY:  # the engine takes choice ids as text
                columns.setdefault(name, np.full(n, None, dtype=object))[i] = str(value).strip()
            else:
                columns.setdefault(name, np.full(n, np.nan))[i] = number
    return columns, refused


def with_derived(inputs: Mapping[str, Any], result: Mapping[str, Any] | None) -> dict[str, Any]:
    """Typed answers completed with the inputs a stored result derived from raw data (greencore.result/1
    `derived`: a value, or per-row values of a table column): the bulk engine scores inputs, not raw
    data, and the raw-data calculation does not depend on a scheme's weights, thresholds or bands. A typed
    value is kept where both exist."""
    out = dict(inputs)
    for item in (result or {}).get("derived") or []:
        key = str(item.get("id", ""))
        if "." not in key:
            if item.get("value") is not None:
                out.setdefault(input_key(key), item["value"])
            continue
        table, column = key.split(".", 1)
        for row, value in enumerate(item.get("rows") or []):
            if value is not None:
                out.setdefault(table_cell_key(input_table_key(table), row, column), value)
    return out


def grade_order(*schemes: Scheme) -> list[str]:
    """The grades of the schemes, lowest first (a scheme lists its bands highest first); a grade only one
    scheme has keeps its place among that scheme's."""
    order: list[str] = []
    for scheme in schemes:
        for band in reversed(scheme.outcome.grades):
            if band.id not in order:
                order.append(band.id)
    return order


@dataclass(frozen=True)
class Backtest:
    n: int
    refused_before: int  # answers the current scheme refused (counted as missing)
    refused_after: int
    shifts: GradeShifts
    grades: list[str]  # lowest first
    score_before: list[Decimal | None]  # per application (None: not scored)
    score_after: list[Decimal | None]
    grade_before: list[str]  # '' no grade
    grade_after: list[str]
    quantiles_before: list[Decimal] | None  # scores at QUANTILES
    quantiles_after: list[Decimal] | None
    passed_before: int
    passed_after: int
    probabilities: tuple[Decimal, ...] = QUANTILES  # of the quantiles


def _scores(values: Any) -> list[Decimal | None]:
    return [None if math.isnan(v) else Decimal(f"{v:.2f}") for v in values.tolist()]


def backtest(current: Scheme, draft: Scheme, answers: Sequence[Mapping[str, Any]]) -> Backtest:
    """Score the answers under the current scheme and under the draft, and compare."""
    n = len(answers)
    before_columns, refused_before = population_columns(current, answers)
    after_columns, refused_after = population_columns(draft, answers)
    before = score_population(current, before_columns, n)
    after = score_population(draft, after_columns, n)
    grade_before = [g or "" for g in before.grade]
    grade_after = [g or "" for g in after.grade]
    order = grade_order(current, draft)
    score_before, score_after = _scores(before.score), _scores(after.score)
    return Backtest(
        n=n,
        refused_before=refused_before,
        refused_after=refused_after,
        shifts=grade_shifts(grade_before, grade_after, order),
        grades=order,
        score_before=score_before,
        score_after=score_after,
        grade_before=grade_before,
        grade_after=grade_after,
        quantiles_before=quantiles([s for s in score_before if s is not None], QUANTILES),
        quantiles_after=quantiles([s for s in score_after if s is not None], QUANTILES),
        passed_before=int(np.sum(before.passed == 1)),
        passed_after=int(np.sum(after.passed == 1)),
    )
