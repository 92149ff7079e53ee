"""The raw-data sheets as form fields: what a web form (or any key/value source) sends, read exactly as
the workbook's 原始数据- sheets are read.

A field key names one cell of the factory layout (`greencore/layouts/factory.yaml`):
``s:<path>`` a single value (``s:energy.basis``) and ``t:<table path>:<row>:<column id>`` a table cell
(``t:energy.carriers:0:quantity``). Values stay the text the user typed; `raw_from_fields` turns them into
the raw document of `greencore.calc.factory.compute_factory` and reports every cell it cannot take,
under the cell's own key, so a form can show each error beside its input and keep what was typed.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from greencore import form_keys
from greencore.raw_cells import blank, build_table, cell_text, parse_cell, put
from greencore.raw_layout import PRODUCT_SECTIONS, Column, Group, RawRow, Scalar, Shape, Sheet, Table, layout
from greencore.scoring.inputs import InputError
from greencore.workbook_safety import open_workbook

LAYOUT = layout("factory")


@dataclass
class RawForm:
    """The raw document read from form fields, and the errors by field key (Chinese, English)."""

    document: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, tuple[str, str]] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        return not self.document


def scalar_key(scalar: Scalar) -> str:
    return form_keys.raw_value_key(scalar.path)


def cell_key(table: Table, row: int, column: Column) -> str:
    return form_keys.table_cell_key(form_keys.raw_table_key(table.path), row, column.id)


def _tables() -> dict[str, Table]:
    return {b.path: b for sheet in LAYOUT for b in sheet.blocks if isinstance(b, Table)}


def _scalars() -> dict[str, Scalar]:
    return {s.path: s for sheet in LAYOUT for b in sheet.blocks if isinstance(b, Group) for s in b.scalars}


def is_raw_key(key: str) -> bool:
    """Whether `key` names a cell of the layout (the only keys a form may store as raw data)."""
    place = form_keys.raw_place(key)
    if place is None:
        return False
    if place.row is None:
        return place.path in _scalars()
    table = _tables().get(place.path)
    return table is not None and place.row < table.rows and table.column(str(place.column)) is not None


def _row_of(key: str) -> int:
    place = form_keys.raw_place(key)
    assert place is not None and place.row is not None  # a row starts at one of its own cells' keys
    return place.row


def raw_from_fields(fields: Mapping[str, str]) -> RawForm:
    form = RawForm()
    scalars = _scalars()
    tables = _tables()
    rows: dict[str, dict[int, RawRow]] = {}
    for key, value in fields.items():
        if blank(value):
            continue
        place = form_keys.raw_place(key)
        try:
            if place is None:
                continue
            if place.row is None:
                if place.path in scalars:
                    put(form.document, place.path, parse_cell(scalars[place.path].column, value, key))
            else:
                table = tables[place.path]
                column_id = str(place.column)
                column = table.column(column_id)
                if column is None:
                    continue
                row = rows.setdefault(place.path, {}).setdefault(place.row, RawRow(start=key))
                row.places[column_id] = key
                row.values[column_id] = parse_cell(column, value, key)
        except InputError as error:
            form.errors[key] = (error.zh, error.en)
    for path, by_index in rows.items():
        table = tables[path]
        ordered = [by_index[i] for i in sorted(by_index)]
        for row in ordered:
            # the start of a row is its first column's key, where "missing …" errors are shown
            row.start = cell_key(table, _row_of(row.start), table.columns[0])
        try:
            for row in ordered:
                if table.row_check is not None and row.values:
                    table.row_check(row)
            build_table(table, [r for r in ordered if r.values], form.document)
        except InputError as error:
            form.errors.setdefault(error.place, (error.zh, error.en))
    return form


def _sheet_fields(layout: Sheet, cells: list[list[Any]]) -> Iterator[tuple[str, str]]:
    tables = {b.path: b for b in layout.blocks if isinstance(b, Table)}
    table: Table | None = None
    columns: list[tuple[int, Column]] = []
    index = 0
    for values in cells:
        mark = str(values[0]).strip() if values and not blank(values[0]) else ""
        if mark.startswith("fields:"):
            table = tables.get(mark.removeprefix("fields:"))
            columns = []
            index = 0
            if table is not None:
                for c, column_id in enumerate(values[1:], start=1):
                    column = table.column(str(column_id).strip()) if not blank(column_id) else None
                    if column is not None:
                        columns.append((c, column))
        elif mark.startswith("field:"):
            table = None
            value = values[2] if len(values) > 2 else None
            if not blank(value):
                yield form_keys.raw_value_key(mark.removeprefix("field:")), cell_text(value)
        elif mark:
            if mark == "title":
                table = None
        elif table is not None and columns:
            filled = [
                (column, values[c]) for c, column in columns if c < len(values) and not blank(values[c])
            ]
            # a row's index is its place under the header, so an empty row keeps the rows below where
            # they were (the web form's row 2 stays row 2, whatever row 1 holds)
            if filled and index < table.rows:
                for column, value in filled:
                    yield cell_key(table, index, column), cell_text(value)
            index += 1


def fields_from_workbook(path: Path) -> dict[str, str]:
    """The raw-data field values of a filled workbook (as typed, unparsed): what an import stores."""
    book = open_workbook(path)
    return fields_from_sheets({s.name: book.rows(s.name) for s in LAYOUT if s.name in book.sheet_names})


def fields_from_sheets(sheets: Mapping[str, list[list[Any]]]) -> dict[str, str]:
    """The raw-data field values of the 原始数据- sheets given by name (their cells from A1)."""
    out: dict[str, str] = {}
    for sheet in LAYOUT:
        if sheet.name in sheets:
            out.update(_sheet_fields(sheet, sheets[sheet.name]))
    return out


def _get(document: Mapping[str, Any], path: str) -> Any:
    node: Any = document
    for part in path.split("."):
        if not isinstance(node, Mapping) or part not in node:
            return None
        node = node[part]
    return node


def _shown(column: Column, value: Any) -> str:
    if isinstance(value, bool):
        return "是" if value else "否"
    for shown, stored in column.choices:
        if value == stored:
            return shown
    return str(value)


def _table_rows(table: Table, document: Mapping[str, Any]) -> list[dict[str, Any]]:
    if table.shape is Shape.PRODUCTS:
        merged: list[dict[str, Any]] = []
        for section in PRODUCT_SECTIONS:
            for index, product in enumerate(_get(document, f"{section}.products") or []):
                while len(merged) <= index:
                    merged.append({})
                for key, value in product.items():
                    if key in ("name", "output", "output_unit"):
                        merged[index].setdefault(key, value)
                    else:
                        merged[index][f"{section}.{key}"] = value
        return merged
    if table.shape is Shape.BUILDINGS:
        rows: list[dict[str, Any]] = []
        for building in _get(document, table.path) or []:
            storeys = building.get("storeys") or [{}]
            for number, storey in enumerate(storeys):
                row = (
                    {"name": building.get("name"), "footprint": building.get("footprint")}
                    if number == 0
                    else {}
                )
                row.update({f"storeys.{k}": v for k, v in storey.items()})
                rows.append(row)
        return rows
    if table.shape is Shape.HISTORY:
        by_year: dict[Any, dict[str, Any]] = {}
        for series, column in (("emissions", "emissions"), ("output_values", "output_value")):
            for item in _get(document, f"history.{series}") or []:
                by_year.setdefault(item["year"], {"year": item["year"]})[column] = item["value"]
        return [by_year[year] for year in sorted(by_year)]
    return list(_get(document, table.path) or [])


def fields_from_raw(document: Mapping[str, Any]) -> dict[str, str]:
    """The form fields of a raw document (the inverse of `raw_from_fields`, for imports and tests)."""
    out: dict[str, str] = {}
    for sheet in LAYOUT:
        for block in sheet.blocks:
            if isinstance(block, Group):
                for scalar in block.scalars:
                    value = _get(document, scalar.path)
                    if value is not None:
                        out[scalar_key(scalar)] = _shown(scalar.column, value)
            else:
                for index, row in enumerate(_table_rows(block, document)[: block.rows]):
                    for column_id, value in row.items():
                        column = block.column(column_id)
                        if column is not None and value is not None:
                            out[cell_key(block, index, column)] = _shown(column, value)
    return out
