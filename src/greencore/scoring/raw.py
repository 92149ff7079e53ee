"""Scoring from raw plant data: the scheme's formulas call the calculations of `greencore.calc`.

An enterprise knows its coal, gas, electricity and steam purchases, output, water meters and waste
ledger, not its 单位产品综合能耗. A scheme that names a raw-data calculation (``raw_data: factory``)
reads that calculation's figures in its formulas with ``calc('energy.total', 'tce')``:

* an input with a ``derive`` formula is computed from raw data (a figure the applicant also typed
  must agree, or the merge refuses with the field named), and is typed only without raw data;
* any other formula may read a figure directly; without raw data that figure is missing.

The calculation runs once per application, exactly, in Decimal; every figure read is re-expressed in
the unit its formula asked for (`greencore.calc.units.rescale`), and travels with the result with
its section of the calculation and the reference-table rows behind it (`Result.figures`,
`Result.derived`, and the whole working in `Result.calculation`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

import numpy as np

from greencore.calc.errors import CalcError
from greencore.calc.figures import (
    RAW_CALCULATIONS,
    FigureValue,
    RawCalculation,
    read_figure,
    section_rows_used,
    section_steps,
)
from greencore.calc.numbers import text
from greencore.scoring.compiled import CompiledScheme, compiled
from greencore.scoring.expr import Array, CalcRef, Formula
from greencore.scoring.inputs import InputError
from greencore.scoring.result import DerivedValue, FigureUse, Result
from greencore.standards.model import Scheme
from greencore.standards.registry import shipped

# the raw document's list behind a per-row figure's list in the output, and what its rows are
RAW_LISTS = {"per_product": "products"}
ROW_WORDS = {"per_product": ("个产品", "products"), "years": ("个年度", "years")}


@dataclass(frozen=True)
class RawScoring:
    """What raw data adds to one application's scoring."""

    inputs: dict[str, Any]  # typed inputs with the derived ones merged in
    columns: dict[str, Array]  # the figures scoring formulas read, as evaluation columns
    calculation: dict[str, Any]  # the calculation's whole output (figures, working, tables used)
    figures: tuple[FigureUse, ...]
    derived: tuple[DerivedValue, ...]


def derived_inputs(scheme: Scheme) -> frozenset[str]:
    """The scheme inputs its derive formulas compute from raw data (``table.column`` for columns)."""
    return frozenset(compiled(scheme).derived)


def raw_calculation(scheme: Scheme) -> RawCalculation:
    calculation = RAW_CALCULATIONS.get(scheme.raw_data)
    if calculation is None:
        known = "、".join(s.id for s in shipped().all() if s.raw_data)
        raise InputError(
            "raw",
            f"评价方案 {scheme.id} 不接受原始数据（接受：{known}）",
            f"scheme {scheme.id} takes no raw data (schemes that do: {known})",
        )
    return calculation


def _same(a: Any, b: Any) -> bool:
    try:
        return Decimal(str(a)) == Decimal(str(b))
    except InvalidOperation:
        return str(a) == str(b)


def merge_inputs(typed: Mapping[str, Any], derived: Mapping[str, Any]) -> dict[str, Any]:
    """Typed inputs plus derived ones; a table merges row by row; a conflict is an error."""
    merged = dict(typed)
    for key, value in derived.items():
        mine = typed.get(key)
        if isinstance(value, list):
            rows = list(mine or [])
            if rows and len(rows) != len(value):
                raise InputError(
                    key,
                    f"填写了 {len(rows)} 行，而原始数据算出 {len(value)} 行",
                    f"{len(rows)} rows typed but {len(value)} derived from raw data",
                )
            out = []
            for index, derived_row in enumerate(value):
                row = dict(rows[index]) if index < len(rows) and rows[index] else {}
                for column, cell in derived_row.items():
                    if row.get(column) is not None and not _same(row[column], cell):
                        raise InputError(
                            f"{key}[{index + 1}].{column}",
                            f"填写值 {row[column]} 与原始数据计算值 {cell} 不一致",
                            f"typed {row[column]} differs from {cell} derived from raw data",
                        )
                    row[column] = cell
                out.append(row)
            merged[key] = out
        elif mine is not None and not _same(mine, value):
            raise InputError(
                key,
                f"填写值 {mine} 与原始数据计算值 {value} 不一致",
                f"typed {mine} differs from {value} derived from raw data",
            )
        else:
            merged[key] = value
    return merged


def _number(value: float) -> Decimal | None:
    """A float result of a derive formula as the shortest Decimal that reads back to it."""
    return None if np.isnan(value) else Decimal(repr(float(value)))


class _Figures:
    """Reads each asked figure once from the calculation's output and remembers its use."""

    def __init__(self, calculation: RawCalculation, output: Mapping[str, Any]) -> None:
        self.calculation = calculation
        self.output = output
        self.read: dict[CalcRef, FigureValue] = {}

    def value(self, ref: CalcRef) -> FigureValue:
        found = self.read.get(ref)
        if found is None:
            figure = self.calculation.figure(ref.path)
            try:
                found = read_figure(self.output["calculations"], figure, ref.unit)
            except CalcError as exc:
                raise InputError(f"raw.{exc.place}", exc.reason_zh, exc.reason_en) from None
            self.read[ref] = found
        return found

    def column(self, ref: CalcRef) -> Array:
        found = self.value(ref)
        if self.calculation.figure(ref.path).per_row:
            cells = [float(v) for v in found.rows] or [np.nan]
            return np.asarray([cells], dtype=np.float64)
        if found.value is None:
            return np.full(1, np.nan)
        return np.asarray([float(found.value)], dtype=np.float64)

    def uses(self) -> tuple[FigureUse, ...]:
        calculations = self.output["calculations"]
        out = []
        for ref, found in sorted(self.read.items()):
            figure = self.calculation.figure(ref.path)
            whole = figure.section == ref.path  # a top-level figure (output_value) has no working
            rows_used = () if whole else section_rows_used(calculations, figure.section)
            out.append(
                FigureUse(
                    path=ref.path,
                    label=figure.label_zh,
                    unit=ref.unit,
                    value=found.value,
                    rows=found.rows,
                    source_unit=found.source_unit,
                    section="" if whole else figure.section,
                    rows_used=rows_used,
                )
            )
        return tuple(out)


def _derive(cs: CompiledScheme, figures: _Figures) -> tuple[dict[str, Any], list[DerivedValue]]:
    """The inputs the scheme's derive formulas compute, as input values, and their trail."""
    values: dict[str, Any] = {}
    trail: list[DerivedValue] = []
    tables: dict[str, dict[str, list[Decimal | None]]] = {}
    for key, formula in cs.derived.items():
        spec = cs.inputs[key]
        result = _evaluate(formula, figures)
        paths = tuple(sorted({ref.path for ref in formula.calcs}))
        if spec.table is None:
            value = result[0] if result else None
            if value is not None:
                values[key] = text(value)
            trail.append(DerivedValue(key, spec.label.zh, spec.unit, formula.source, value, (), paths))
            continue
        table = cs.tables[spec.table]
        _check_rows(len(result), table.rows, table.label.zh, sorted(formula.calcs)[0], figures)
        tables.setdefault(spec.table, {})[spec.column or key] = result
        trail.append(DerivedValue(key, spec.label.zh, spec.unit, formula.source, None, tuple(result), paths))
    for table_id, columns in tables.items():
        count = max(len(cells) for cells in columns.values())
        values[table_id] = [
            {
                column: text(cell)
                for column, cells in columns.items()
                if row < len(cells) and (cell := cells[row]) is not None
            }
            for row in range(count)
        ]
    return values, trail


def _check_rows(count: int, rows: int, table_label: str, ref: CalcRef, figures: _Figures) -> None:
    """More raw rows (products, years) than the table takes is an error naming the raw list."""
    if count <= rows:
        return
    figure = figures.calculation.figure(ref.path)
    parts = figure.path.split(".")
    field = RAW_LISTS.get(figure.rows_at, figure.rows_at)
    place = "raw." + ".".join([*parts[: parts.index(figure.rows_at)], field])
    what_zh, what_en = ROW_WORDS.get(figure.rows_at, ("行", "rows"))
    raise InputError(
        place,
        f"原始数据给出 {count} {what_zh}，而“{table_label}”最多 {rows} 行",
        f"the raw data gives {count} {what_en}; the table takes at most {rows}",
    )


def _evaluate(formula: Formula, figures: _Figures) -> list[Decimal | None]:
    """A derive formula's value (one per row for a per-product one); exact for a bare calc(…)."""
    if formula.bare_calc is not None:
        found = figures.value(formula.bare_calc)
        return list(found.rows) if found.rows or found.value is None else [found.value]
    env = {ref.key: figures.column(ref) for ref in formula.calcs}
    out = np.atleast_1d(np.asarray(formula(env), dtype=np.float64)).reshape(-1)
    return [_number(float(v)) for v in out]


def raw_scoring(scheme: Scheme, raw: Mapping[str, Any], typed: Mapping[str, Any]) -> RawScoring:
    """Run the scheme's raw-data calculation and feed its figures to the scheme's formulas."""
    calculation = raw_calculation(scheme)
    try:
        output = calculation.run(raw)
    except CalcError as exc:  # names the field of the raw data
        place = f"raw.{exc.place}" if exc.place else "raw"
        raise InputError(place, str(exc), str(exc)) from None
    cs = compiled(scheme)
    figures = _Figures(calculation, output)
    derived_values, derived = _derive(cs, figures)
    columns: dict[str, Array] = {}
    for ref in sorted(cs.calc_refs):
        column = figures.column(ref)
        table_id = cs.calc_tables.get(ref)
        if table_id is not None and column.ndim == 2:
            table = cs.tables[table_id]
            _check_rows(column.shape[1], table.rows, table.label.zh, ref, figures)
            column = np.pad(column, ((0, 0), (0, table.rows - column.shape[1])), constant_values=np.nan)
        columns[ref.key] = column
    return RawScoring(
        inputs=merge_inputs(typed, derived_values),
        columns=columns,
        calculation=output,
        figures=figures.uses(),
        derived=tuple(derived),
    )


@dataclass(frozen=True)
class Working:
    """One figure the scheme read, with the steps of its section shown once (the first figure of it)."""

    figure: FigureUse
    steps: tuple[dict[str, Any], ...]


def working(result: Result) -> list[Working]:
    """The figures a result read from raw data, each section's steps under its first figure."""
    if result.calculation is None:
        return []
    sections = result.calculation.get("calculations", {})
    shown: set[str] = set()
    out = []
    for figure in result.figures:
        steps: tuple[dict[str, Any], ...] = ()
        if figure.section and figure.section not in shown:
            shown.add(figure.section)
            steps = tuple(section_steps(sections, figure.section))
        out.append(Working(figure, steps))
    return out
