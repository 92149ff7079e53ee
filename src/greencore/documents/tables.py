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
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties

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


def write_table_xlsx(document: TableDocument) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = document.sheet[:31]
    width = len(document.columns)
    last = get_column_letter(width)
    sheet.merge_cells(f"A1:{last}1")
    sheet["A1"] = safe_text(document.title)
    sheet["A1"].font = Font(name="黑体", size=16, bold=True)
    sheet["A1"].alignment = Alignment(horizontal="center", vertical="center")
    sheet.row_dimensions[1].height = 30
    sheet.merge_cells(f"A2:{last}2")
    sheet["A2"] = safe_text(document.subtitle)
    sheet["A2"].font = Font(name="宋体", size=11)
    header_fill = PatternFill("solid", fgColor="E8F0E8")
    for index, column in enumerate(document.columns, 1):
        cell = sheet.cell(row=HEADER_ROW, column=index, value=safe_text(column.header))
        cell.font = Font(name="黑体", bold=True)
        cell.fill = header_fill
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.border = Border(top=THIN, bottom=THIN, left=THIN, right=THIN)
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    formats = {
        "integer": "0",
        "date": "yyyy-mm-dd",
    }
    for offset, row in enumerate(document.rows, HEADER_ROW + 1):
        for index, (value, column) in enumerate(zip(row, document.columns, strict=True), 1):
            cell = sheet.cell(row=offset, column=index, value=cell_value(value, column))
            if column.kind == "decimal":
                cell.number_format = "0." + "0" * column.decimals if column.decimals else "0"
            elif column.kind in formats:
                cell.number_format = formats[column.kind]
            cell.border = Border(top=THIN, bottom=THIN, left=THIN, right=THIN)
    end = HEADER_ROW + max(len(document.rows), 1)
    sheet.freeze_panes = f"A{HEADER_ROW + 1}"
    sheet.auto_filter.ref = f"A{HEADER_ROW}:{last}{end}"
    sheet.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"  # the header on every printed page
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.orientation = "landscape"
    # printed one page wide (every column on the page), as many pages down as the rows need
    sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


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
