"""The working shown with every result: steps, the reference rows they used, and warnings."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from greencore.calc.numbers import text
from greencore.reference import Mark, ReferenceTable, Row


@dataclass(frozen=True)
class Amount:
    """A figure with its unit."""

    value: Decimal
    unit: str


@dataclass(frozen=True)
class Step:
    """One step of a calculation: `quantity unit × coefficient coefficient_unit = result result_unit`.

    `table` is ``id@version`` of the reference table and `row` the row id the coefficient came from;
    `formula` writes the arithmetic out so a reader can redo it.
    """

    label: str
    formula: str
    result: Decimal
    result_unit: str
    quantity: Decimal | None = None
    unit: str | None = None
    coefficient: Decimal | None = None
    coefficient_unit: str | None = None
    table: str | None = None
    row: str | None = None
    mark: str | None = None
    place: str | None = None


@dataclass(frozen=True)
class RowUse:
    id: str
    name_zh: str
    mark: str
    source: str


@dataclass(frozen=True)
class TableUse:
    """A reference table a result used, with the rows it used."""

    id: str
    version: str
    title: str
    rows: tuple[RowUse, ...]


class Trail:
    """Collects steps, cited rows and warnings while a calculation runs."""

    def __init__(self) -> None:
        self.steps: list[Step] = []
        self.warnings: list[str] = []
        self._tables: dict[str, tuple[ReferenceTable, dict[str, Row]]] = {}

    def cite(self, table: ReferenceTable, row: Row) -> None:
        _, rows = self._tables.setdefault(table.key, (table, {}))
        if row.id in rows:
            return
        rows[row.id] = row
        if row.mark is Mark.RECALLED:
            self.warnings.append(
                f"{table.key} 行 {row.id}（{row.name_zh}）为未核实数据（R），请以公布值核对"
                f" / row {row.id} of {table.key} is recalled, not verified (R)"
            )
        elif row.mark is Mark.SECONDARY:
            self.warnings.append(
                f"{table.key} 行 {row.id}（{row.name_zh}）来自二手来源（S）"
                f" / row {row.id} of {table.key} is from a secondary source (S)"
            )

    def add(
        self,
        label: str,
        result: Decimal,
        result_unit: str,
        *,
        formula: str | None = None,
        quantity: Decimal | None = None,
        unit: str | None = None,
        coefficient: Decimal | None = None,
        coefficient_unit: str | None = None,
        table: ReferenceTable | None = None,
        row: Row | None = None,
        place: str | None = None,
    ) -> Decimal:
        """Record a step and return its result, so a calculation reads as a sequence of `add` calls."""
        if table is not None and row is not None:
            self.cite(table, row)
        if formula is None:
            parts = []
            if quantity is not None:
                parts.append(f"{text(quantity)} {unit or ''}".strip())
            if coefficient is not None:
                parts.append(f"{text(coefficient)} {coefficient_unit or ''}".strip())
            formula = " × ".join(parts)
        formula = f"{formula} = {text(result)} {result_unit}".strip()
        self.steps.append(
            Step(
                label=label,
                formula=formula,
                result=result,
                result_unit=result_unit,
                quantity=quantity,
                unit=unit,
                coefficient=coefficient,
                coefficient_unit=coefficient_unit,
                table=table.key if table is not None else None,
                row=row.id if row is not None else None,
                mark=row.mark.value if row is not None else None,
                place=place,
            )
        )
        return result

    def tables_used(self) -> tuple[TableUse, ...]:
        return tuple(
            TableUse(
                id=table.id,
                version=table.version,
                title=table.title,
                rows=tuple(RowUse(r.id, r.name_zh, r.mark.value, r.source) for r in rows.values()),
            )
            for table, rows in self._tables.values()
        )
