"""Tables bureaus collect and forward (汇总表, score sheets, published lists) as Excel workbooks.

Official headers in a header row that stays frozen and carries filters; column widths set; numbers
written as numbers and dates as dates (a bureau sums and sorts them); every text cell neutralised
against formula injection, whatever the rows hold (an enterprise name is typed by its applicant).
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import IO, Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

# = + - @ start formulas in Excel, LibreOffice and WPS; TAB, CR and NUL are stripped by some readers
# before they look at the next character; full-width forms are folded to ASCII by some (NFKC)
HOSTILE_PREFIXES = frozenset("=+-@\t\r\0＝＋－＠")
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
HEADER_ROW = 3  # row 1: the title, row 2: the subtitle (issuer, date, announcement number)


@dataclass(frozen=True)
class TableColumn:
    header: str
    width: float = 14
    kind: str = "text"  # text | integer | decimal | date
    decimals: int = 2  # for decimal columns: the places shown (the value keeps all of them)


@dataclass(frozen=True)
class TableDocument:
    title: str
    subtitle: str
    columns: tuple[TableColumn, ...]
    rows: tuple[tuple[Any, ...], ...]
    sheet: str = "Sheet1"


def safe_text(value: Any) -> str:
    """Text a spreadsheet shows as typed: a leading formula character gets an apostrophe before it, and
    characters XML cannot hold are dropped."""
    text = str(value)
    cleaned = _NOT_XML.sub("", text)
    if any(head[:1] in HOSTILE_PREFIXES for head in (text, cleaned, cleaned.lstrip())):
        return "'" + cleaned
    return cleaned


def cell_value(value: Any, column: TableColumn) -> Any:
    """What one cell holds: a number or a date in number and date columns, neutral text otherwise."""
    if value is None or value == "":
        return None
    if (
        column.kind in ("integer", "decimal")
        and isinstance(value, int | float | Decimal)
        and not isinstance(value, bool)
    ):
        return value
    if column.kind == "date" and isinstance(value, date):
        return value.date() if isinstance(value, datetime) else value
    if isinstance(value, bool):
        return "是" if value else "否"
    return safe_text(value)


THIN = Side(style="thin", color="808080")
BOX = Border(top=THIN, bottom=THIN, left=THIN, right=THIN)
HEADER_FILL = PatternFill("solid", fgColor="E8F0E8")
FORMATS = {"integer": "0", "date": "yyyy-mm-dd"}


def write_table_xlsx(document: TableDocument) -> bytes:
    out = io.BytesIO()
    write_table_xlsx_to(
        out, document.title, document.subtitle, document.columns, document.rows, sheet=document.sheet
    )
    return out.getvalue()


def write_table_xlsx_to(
    handle: IO[bytes],
    title: str,
    subtitle: str,
    columns: Sequence[TableColumn],
    rows: Iterable[Sequence[Any]],
    sheet: str = "Sheet1",
) -> int:
    """Write the table into `handle` and return its row count. Rows are streamed (openpyxl's write-only
    mode keeps one row in memory, not the grid), so a list of 100,000 units costs what a list of 10 does."""
    workbook = Workbook(write_only=True)
    worksheet = workbook.create_sheet(sheet[:31])
    width = len(columns)
    last = get_column_letter(width)

    def styled(value: Any, font: Font | None = None, **style: Any) -> WriteOnlyCell:
        cell = WriteOnlyCell(worksheet, value=value)
        if font is not None:
            cell.font = font
        for name, setting in style.items():
            setattr(cell, name, setting)
        return cell

    for index, column in enumerate(columns, 1):
        worksheet.column_dimensions[get_column_letter(index)].width = column.width
    worksheet.row_dimensions[1].height = 30
    worksheet.merged_cells.add(f"A1:{last}1")
    worksheet.merged_cells.add(f"A2:{last}2")
    worksheet.freeze_panes = f"A{HEADER_ROW + 1}"
    worksheet.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"  # the header on every printed page
    worksheet.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    worksheet.page_setup.orientation = "landscape"
    # printed one page wide (every column on the page), as many pages down as the rows need
    worksheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    worksheet.page_setup.fitToWidth = 1
    worksheet.page_setup.fitToHeight = 0
    centred = Alignment(horizontal="center", vertical="center")
    worksheet.append([styled(safe_text(title), Font(name="黑体", size=16, bold=True), alignment=centred)])
    worksheet.append([styled(safe_text(subtitle), Font(name="宋体", size=11))])
    worksheet.append(
        [
            styled(
                safe_text(column.header),
                Font(name="黑体", bold=True),
                fill=HEADER_FILL,
                alignment=Alignment(horizontal="center", vertical="center", wrap_text=True),
                border=BOX,
            )
            for column in columns
        ]
    )
    number_formats = [
        ("0." + "0" * column.decimals if column.decimals else "0")
        if column.kind == "decimal"
        else FORMATS.get(column.kind)
        for column in columns
    ]
    count = 0
    for row in rows:
        cells = []
        for value, column, number_format in zip(row, columns, number_formats, strict=True):
            cell = styled(cell_value(value, column), border=BOX)
            if number_format is not None:
                cell.number_format = number_format
            cells.append(cell)
        worksheet.append(cells)
        count += 1
    # the filter covers the header and every row (set before saving: write-only sheets write it at the end)
    worksheet.auto_filter.ref = f"A{HEADER_ROW}:{last}{HEADER_ROW + max(count, 1)}"
    workbook.save(handle)
    return count


def table_html(document: TableDocument) -> str:
    """The same table as an HTML page (the baseline the benchmark compares with)."""
    escape = _html_escape
    head = "".join(f"<th>{escape(c.header)}</th>" for c in document.columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{escape('' if v is None else v)}</td>" for v in row) + "</tr>"
        for row in document.rows
    )
    return (
        f"<!DOCTYPE html><html lang='zh-CN'><meta charset='utf-8'><title>{escape(document.title)}</title>"
        f"<h1>{escape(document.title)}</h1><p>{escape(document.subtitle)}</p>"
        f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></html>"
    )


def _html_escape(value: Any) -> str:
    return str(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def rows_of(items: Iterable[Sequence[Any]]) -> tuple[tuple[Any, ...], ...]:
    return tuple(tuple(item) for item in items)
