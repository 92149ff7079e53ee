"""Raw-data sheets of the self-evaluation workbook (原始数据-…): plant data in, the calculation's input out.

An enterprise knows its coal, gas, electricity and steam purchases, its output, water meters, waste
ledger and site, not its 单位产品综合能耗. These sheets take exactly the fields of the raw-data document
of `greencore.calc.factory.compute_factory` (see examples/factory-raw.json): one row per carrier, fuel,
meter, waste stream or building, and `read_raw_sheets` gives that document back.

As in the rest of the workbook, reading never depends on the visible labels. Column A is hidden and
marks each row: `field:<path>` a single value (in column C), `fields:<path>` the hidden row of field
ids above a table's header, `title` / `head` / `note` text. Unmarked rows below a table's header are
that table's rows, so rows a user inserts are read too. Blank cells are left out, never read as 0:
the calculation then takes its default or names the missing field.

The workbook is Chinese. Every label, title and help text of the layout also has its English (`label_en`,
`title_en`, `help_en`, `note_en`, `choices_en`) for forms shown in English; the workbook and its reader
never use it.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from greencore.raw_cells import blank, build_table, parse_cell, put, written
from greencore.raw_layout import (
    BOOL_CHOICES,
    BOOL_CHOICES_EN,
    PREFIX,
    PRODUCT_SECTIONS,
    Column,
    Group,
    Kind,
    RawRow,
    Scalar,
    Shape,
    Sheet,
    Table,
    UnitRule,
)
from greencore.raw_layout import (
    layout as _layout,
)
from greencore.scoring.inputs import InputError
from greencore.standards.model import Scheme
from greencore.workbook_safety import open_workbook

__all__ = [
    "BOOL_CHOICES",
    "BOOL_CHOICES_EN",
    "LAYOUT",
    "LAYOUTS",
    "PARK_LAYOUT",
    "PREFIX",
    "PRODUCT_SECTIONS",
    "Column",
    "Group",
    "Kind",
    "Scalar",
    "Shape",
    "Sheet",
    "Table",
    "UnitRule",
    "add_raw_sheets",
    "fed_by_raw",
    "raw_paths",
    "raw_sheets_from_cells",
    "read_raw_sheets",
]

BASIC_SHEET = PREFIX + "基本"
ENERGY_SHEET = PREFIX + "能源"
EXPORTED_SHEET = PREFIX + "外供能源"
PRODUCTS_SHEET = PREFIX + "产品"
GHG_SHEET = PREFIX + "排放"
WATER_SHEET = PREFIX + "用水"
WASTE_SHEET = PREFIX + "固废"
LAND_SHEET = PREFIX + "用地"
HISTORY_SHEET = PREFIX + "历史"
LISTS_SHEET = PREFIX + "选项"  # hidden: the dropdown lists, too long for an inline list (255 characters)
PARK_SHEET = PREFIX + "园区"


# The colours of greencore.workbook, repeated: importing them would make the two modules import each
# other once write_template calls add_raw_sheets.
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
INPUT_FILL = PatternFill("solid", fgColor="FFF2CC")
BOLD = Font(bold=True)

# The sheets of each raw-data calculation a scheme may name, from greencore/layouts/<name>.yaml.
LAYOUT: tuple[Sheet, ...] = _layout("factory")
PARK_LAYOUT: tuple[Sheet, ...] = _layout("park")
LAYOUTS: dict[str, tuple[Sheet, ...]] = {"factory": LAYOUT, "park": PARK_LAYOUT}


def raw_paths() -> set[str]:
    """Every field of the raw document the sheets can fill (``energy.carriers[].unit``)."""
    paths: set[str] = set()
    for sheet in LAYOUT:
        for block in sheet.blocks:
            if isinstance(block, Group):
                paths.update(s.path for s in block.scalars)
            elif block.shape is Shape.PRODUCTS:
                for column in block.columns:
                    section, _, name = column.id.rpartition(".")
                    for s in (section,) if section else PRODUCT_SECTIONS:
                        paths.add(f"{s}.products[].{name}")
            elif block.shape is Shape.BUILDINGS:
                paths.update(f"{block.path}[].{c.id.replace('.', '[].')}" for c in block.columns)
            elif block.shape is Shape.HISTORY:
                paths.update(
                    f"history.{series}[].{name}"
                    for series in ("emissions", "output_values")
                    for name in ("year", "value")
                )
            else:
                paths.update(f"{block.path}[].{c.id}" for c in block.columns)
    return paths


def fed_by_raw(scheme: Scheme) -> bool:
    """Whether the web form (greencore.raw_form) asks the scheme's raw data: the factory document only.

    A park (``raw_data: park``) has its yearly sheet in the workbook (PARK_LAYOUT) and as JSON, but its
    web form keeps the typed yearly columns the sheet derives (ADR 0006).
    """
    return scheme.raw_data == "factory"


# ---------------------------------------------------------------------------------------------------
# writing


class _Lists:
    """The dropdown lists, one column each of the hidden lists sheet; identical lists share a column."""

    def __init__(self) -> None:
        self.columns: dict[tuple[str, ...], int] = {}

    def formula(self, values: tuple[str, ...]) -> str:
        index = self.columns.setdefault(values, len(self.columns) + 1)
        letter = get_column_letter(index)
        return f"{quote_sheetname(LISTS_SHEET)}!${letter}$1:${letter}${len(values)}"

    def write(self, wb: Workbook) -> None:
        sheet = wb.create_sheet(LISTS_SHEET)
        for values, index in self.columns.items():
            for row, value in enumerate(values, start=1):
                sheet.cell(row=row, column=index, value=value)
        sheet.sheet_state = "hidden"


def _validation(column: Column, lists: _Lists) -> DataValidation | None:
    if column.kind is Kind.NUMBER:
        dv = DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0")
        expected = "不小于 0 的数值"
    elif column.kind is Kind.INTEGER:
        dv = DataValidation(type="whole", operator="greaterThanOrEqual", formula1="1")
        expected = "正整数"
    else:
        offered = column.offered()
        if not offered:
            return None
        dv = DataValidation(type="list", formula1=lists.formula(offered))
        if not column.strict:
            dv.errorStyle = "warning"  # the list is a suggestion: other names or units are accepted
        expected = "下拉列表中的选项" if column.strict else "下拉列表中的选项或其他有效值"
    dv.allow_blank = True
    dv.showErrorMessage = True
    dv.showInputMessage = True
    dv.promptTitle = column.label[:32]
    dv.prompt = (column.help or expected)[:250]
    dv.errorTitle = "输入有误"
    dv.error = f"请填写{expected}"
    return dv


def _input_cell(sheet: Worksheet, row: int, col: int, column: Column, text: str | None = None) -> None:
    cell = sheet.cell(row=row, column=col, value=written(text, column.kind in (Kind.NUMBER, Kind.INTEGER)))
    cell.fill = INPUT_FILL
    if column.kind not in (Kind.NUMBER, Kind.INTEGER):
        cell.number_format = "@"  # text: Excel must not turn a name like 001 or a unit into a number


def _write_group(
    sheet: Worksheet,
    group: Group,
    row: int,
    lists: _Lists,
    widths: dict[int, int],
    values: Mapping[str, str],
) -> int:
    sheet.cell(row=row, column=1, value="title")
    sheet.cell(row=row, column=2, value=group.title).font = BOLD
    row += 1
    sheet.cell(row=row, column=1, value="head")
    for col, title in enumerate(("项目", "填写值", "说明"), start=2):
        cell = sheet.cell(row=row, column=col, value=title)
        cell.font, cell.fill = BOLD, HEADER_FILL
    widths[2], widths[3] = max(widths.get(2, 0), 20), max(widths.get(3, 0), 22)
    for scalar in group.scalars:
        row += 1
        sheet.cell(row=row, column=1, value=f"field:{scalar.path}")
        sheet.cell(row=row, column=2, value=scalar.column.label)
        _input_cell(sheet, row, 3, scalar.column, values.get(f"s:{scalar.path}"))
        sheet.cell(row=row, column=4, value=scalar.note or scalar.column.help or None)
        dv = _validation(scalar.column, lists)
        if dv is not None:
            sheet.add_data_validation(dv)
            dv.add(sheet.cell(row=row, column=3))
    return row + 1


def _write_table(
    sheet: Worksheet,
    table: Table,
    row: int,
    lists: _Lists,
    widths: dict[int, int],
    values: Mapping[str, str],
) -> int:
    sheet.cell(row=row, column=1, value="title")
    sheet.cell(row=row, column=2, value=table.title).font = BOLD
    ids, head = row + 1, row + 2
    first, last = head + 1, head + table.rows
    sheet.cell(row=ids, column=1, value=f"fields:{table.path}")
    sheet.row_dimensions[ids].hidden = True
    sheet.cell(row=head, column=1, value="head")
    for col, column in enumerate(table.columns, start=2):
        sheet.cell(row=ids, column=col, value=column.id)
        cell = sheet.cell(row=head, column=col, value=column.label)
        cell.font, cell.fill = BOLD, HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        widths[col] = max(widths.get(col, 0), column.width)
        for r in range(first, last + 1):
            _input_cell(sheet, r, col, column, values.get(f"t:{table.path}:{r - first}:{column.id}"))
        dv = _validation(column, lists)
        if dv is not None:
            sheet.add_data_validation(dv)
            letter = get_column_letter(col)
            dv.add(f"{letter}{first}:{letter}{last}")
    return last + 1


def add_raw_sheets(
    wb: Workbook, layouts: tuple[Sheet, ...] = LAYOUT, values: Mapping[str, str] | None = None
) -> None:
    """Add the 原始数据- sheets (and their hidden lists sheet) to a workbook being written; `values`
    (raw form keys, `greencore.raw_form`, to the text typed) fill their cells."""
    values = values or {}
    lists = _Lists()
    for layout in layouts:
        sheet = wb.create_sheet(layout.name)
        sheet.column_dimensions["A"].hidden = True
        sheet.cell(row=1, column=1, value="title")
        sheet.cell(row=1, column=2, value=layout.title).font = Font(bold=True, size=14)
        row = 2
        for line in layout.help:
            sheet.cell(row=row, column=1, value="note")
            sheet.cell(row=row, column=2, value=line)
            row += 1
        widths: dict[int, int] = {}
        for block in layout.blocks:
            row += 1  # a blank row between blocks
            if isinstance(block, Group):
                row = _write_group(sheet, block, row, lists, widths, values)
            else:
                row = _write_table(sheet, block, row, lists, widths, values)
        for col, width in widths.items():
            sheet.column_dimensions[get_column_letter(col)].width = width
    lists.write(wb)


# ---------------------------------------------------------------------------------------------------
# reading


def _read_sheet(
    layout: Sheet, cells: list[list[Any]], out: dict[str, Any], problems: list[InputError]
) -> None:
    """Read one sheet into `out`; every cell the layout cannot take is added to `problems`, in reading
    order, and a table with a refused cell is not assembled (its "missing …" would only repeat it)."""
    tables = {b.path: b for b in layout.blocks if isinstance(b, Table)}
    scalars = {s.path: s for b in layout.blocks if isinstance(b, Group) for s in b.scalars}
    collected: dict[str, list[RawRow]] = {}
    refused: set[str] = set()
    table: Table | None = None
    columns: list[tuple[int, Column]] = []

    def place(row: int, col: int) -> str:
        return f"{layout.name}!{get_column_letter(col + 1)}{row}"

    for r, values in enumerate(cells, start=1):
        mark = str(values[0]).strip() if values and not blank(values[0]) else ""
        if mark.startswith("fields:"):
            path = mark.removeprefix("fields:")
            table, columns = tables.get(path), []
            if table is None:
                problems.append(InputError(place(r, 0), f"未知数据表 {path}", f"unknown table {path}"))
                continue
            for c, column_id in enumerate(values[1:], start=1):
                if blank(column_id):
                    continue
                column = table.column(str(column_id).strip())
                if column is None:
                    problems.append(
                        InputError(place(r, c), f"未知编号 {column_id}", f"unknown field id {column_id}")
                    )
                    refused.add(path)
                    continue
                columns.append((c, column))
            collected.setdefault(path, [])
        elif mark.startswith("field:"):
            table = None
            path = mark.removeprefix("field:")
            scalar = scalars.get(path)
            if scalar is None:
                problems.append(InputError(place(r, 0), f"未知编号 {path}", f"unknown field id {path}"))
                continue
            value = values[2] if len(values) > 2 else None
            if not blank(value):
                try:
                    put(out, path, parse_cell(scalar.column, value, place(r, 2)))
                except InputError as error:
                    problems.append(error)
        elif mark == "title":
            table = None
        elif mark in ("head", "note"):
            continue
        elif mark:
            problems.append(InputError(place(r, 0), f"未知行标记 {mark}", f"unknown row mark {mark}"))
        elif table is not None and columns:
            row = RawRow(start=place(r, columns[0][0]))
            accepted = True
            for c, column in columns:
                row.places[column.id] = place(r, c)
                value = values[c] if c < len(values) else None
                if not blank(value):
                    try:
                        row.values[column.id] = parse_cell(column, value, place(r, c))
                    except InputError as error:
                        problems.append(error)
                        accepted = False
            if accepted and row.values and table.row_check is not None:
                try:
                    table.row_check(row)
                except InputError as error:
                    problems.append(error)
                    accepted = False
            if not accepted:
                refused.add(table.path)
            elif row.values:
                collected[table.path].append(row)
    for path, rows in collected.items():
        if path in refused:
            continue
        try:
            build_table(tables[path], rows, out)
        except InputError as error:
            problems.append(error)


def raw_sheets_from_cells(
    sheets: Mapping[str, list[list[Any]]],
) -> tuple[dict[str, Any] | None, list[InputError]]:
    """The raw document of a workbook's 原始数据- sheets (their cells by sheet name), or None when none is
    there or nothing in them is filled; and every problem, each naming its sheet and cell."""
    out: dict[str, Any] = {}
    problems: list[InputError] = []
    for sheet in (*LAYOUT, *PARK_LAYOUT):
        if sheet.name in sheets:
            _read_sheet(sheet, sheets[sheet.name], out, problems)
    return (out or None), problems


def read_raw_sheets(path: Path) -> dict[str, Any] | None:
    """The raw document (shaped as examples/factory-raw.json or park-raw.json) of a filled workbook, or
    None when the workbook has no 原始数据- sheet or nothing in them is filled. Raises the first problem,
    naming the sheet and cell; `greencore.workbook.read_answers` reports them all."""
    book = open_workbook(path)
    names = [sheet.name for sheet in (*LAYOUT, *PARK_LAYOUT) if sheet.name in book.sheet_names]
    document, problems = raw_sheets_from_cells({name: book.rows(name) for name in names})
    if problems:
        raise problems[0]
    return document
