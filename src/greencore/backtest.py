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
from greencore.scoring.compiled import InputSpec, compiled
from greencore.scoring.engine import score_population
from greencore.scoring.inputs import InputError, _as_number, _is_missing, check_bounds, convert_value, domain
from greencore.standards.model import InputKind, Scheme
from greencore.statistics import GradeShifts, grade_shifts, quantiles

QUANTILES = (Decimal("0.1"), Decimal("0.25"), Decimal("0.5"), Decimal("0.75"), Decimal("0.9"))


def _cell(
    spec: InputSpec, value: Any, place: str, limits: dict[str, tuple[float | None, float | None]]
) -> float:
    """`convert_value` for one cell, with the domain check done in plain Python: the same answer, without
    the array machinery that makes one check per cell cost a hundred times the parse (a population has
    millions of cells)."""
    if spec.kind in (InputKind.BOOL, InputKind.CATEGORY) or _is_missing(value):
        return convert_value(spec, value, place)
    number = _as_number(spec, value)
    if number is None or not math.isfinite(number):
        return convert_value(spec, value, place)  # raises the engine's own error
    if spec.id not in limits:
        lower, upper = domain(spec)
        limits[spec.id] = (None if lower is None else float(lower), None if upper is None else float(upper))
    lower_f, upper_f = limits[spec.id]
    outside = (lower_f is not None and number < lower_f) or (upper_f is not None and number > upper_f)
    if outside or (spec.kind is InputKind.COUNT and not number.is_integer()):
        return convert_value(spec, value, place)  # raises, naming the bound
    return number


def _fast_column(spec: InputSpec, column: list[Any]) -> Any:
    """A numeric column read in one pass by NumPy when every cell is a plain number within the input's
    domain; None when any cell is not (the caller then reads cell by cell, as the engine would)."""
    if spec.kind in (InputKind.BOOL, InputKind.CATEGORY):
        return None
    if any(type(v) is bool for v in column):  # the engine refuses yes/no in a number: let it say so
        return None
    try:
        # NumPy parses plain numbers and number strings in C, and takes None as missing; anything else
        # ("", "1,200", "35%", "—") raises and is read cell by cell below
        numbers = np.array(column, dtype=np.float64)
    except (TypeError, ValueError):
        try:
            numbers = np.array([np.nan if _is_missing(v) else v for v in column], dtype=np.float64)
        except (TypeError, ValueError):
            return None
    if int(np.isnan(numbers).sum()) != sum(1 for v in column if _is_missing(v)):
        return None  # a typed "nan" is no number to the engine
    if np.isinf(numbers).any():
        return None
    try:
        check_bounds(spec, numbers, spec.id)
    except InputError:
        return None
    return numbers


def population_columns(scheme: Scheme, answers: Sequence[Mapping[str, Any]]) -> tuple[dict[str, Any], int]:
    """The columns `score_population` takes, from many applications' answers keyed by form key; the inputs
    the scheme does not know are left out. Returns the columns and how many values were refused."""
    cs = compiled(scheme)
    n = len(answers)
    columns: dict[str, Any] = {}
    refused = 0
    limits: dict[str, tuple[float | None, float | None]] = {}
    # what each form key names, worked out once: the same few dozen keys recur in every application
    places: dict[str, tuple[InputSpec, str] | None] = {}

    def resolve(key: str) -> tuple[InputSpec, str] | None:
        place = input_place(key)
        if place is None:
            return None
        if place.row is None:
            spec = cs.inputs.get(place.input)
            if spec is None or spec.table is not None:
                return None
            return spec, place.input
        spec = cs.inputs.get(f"{place.input}.{place.column}")
        table = cs.tables.get(place.input)
        if spec is None or table is None or place.row >= table.rows:
            return None
        return spec, f"{place.input}.{place.row + 1}.{place.column}"

    cells: dict[str, list[Any]] = {}
    specs: dict[str, InputSpec] = {}
    for i, values in enumerate(answers):
        for key, value in values.items():
            if key not in places:
                places[key] = resolve(key)
            found = places[key]
            if found is None:
                continue
            spec, name = found
            if name not in cells:
                cells[name], specs[name] = [None] * n, spec
            cells[name][i] = value
    for name, column in cells.items():
        spec = specs[name]
        numbers = _fast_column(spec, column)
        if numbers is None:  # some cell needs the engine's own reading (or is refused): cell by cell
            numbers = np.full(n, np.nan)
            for i, value in enumerate(column):
                try:
                    numbers[i] = _cell(spec, value, name, limits)
                except InputError:
                    refused += 1
        if spec.kind is InputKind.CATEGORY:  # the engine takes choice ids as text
            texts = np.full(n, None, dtype=object)
            for index in np.flatnonzero(~np.isnan(numbers)).tolist():
                texts[index] = str(column[index]).strip()
            columns[name] = texts
        elif not np.isnan(numbers).all():
            columns[name] = numbers
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


def backtest_draft(current: Scheme, draft: Scheme, answers: Sequence[Mapping[str, Any]]) -> Backtest:
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
