"""The self-evaluation workbook (自评价表): written from a scheme, read back as inputs.

Every sheet keeps the input ids in a hidden column (or row), so a workbook filled in by hand maps back
exactly, whatever the user does to the visible labels. Reading uses python-calamine (fast, read-only,
gives cached values of formula cells); writing uses openpyxl (styles, data validation).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from greencore.raw_cells import cell_text, written
from greencore.raw_form import fields_from_sheets
from greencore.scoring.compiled import CompiledScheme, InputSpec, compiled
from greencore.scoring.inputs import KIND_WORDS, InputError, describe, value_problem
from greencore.scoring.raw import derived_inputs, raw_scoring
from greencore.standards.model import InputKind, Scheme
from greencore.workbook_raw import (
    LAYOUT,
    LAYOUTS,
    PARK_LAYOUT,
    add_raw_sheets,
    fed_by_raw,
    raw_sheets_from_cells,
)
from greencore.workbook_safety import SafeWorkbook, open_workbook

GATES_SHEET = "基本要求"
DATA_SHEET = "数据"
README_SHEET = "说明"
BOOL_CHOICES = ("是", "否")
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
INPUT_FILL = PatternFill("solid", fgColor="FFF2CC")
BOLD = Font(bold=True)
KIND_ZH = {kind: words[0] for kind, words in KIND_WORDS.items()}
# the kinds whose answers are numbers: written to a cell as a number when typed as one
NUMERIC = frozenset(
    {InputKind.NUMBER, InputKind.PERCENT, InputKind.COUNT, InputKind.DEGREE, InputKind.POINTS}
)
# form keys (as the platform stores answers): a scheme input, a cell of a scheme input table
INPUT_KEY, TABLE_KEY = "in:", "tin:"
# answers as the platform stores them: {"inputs": {form key: text}, "raw": {raw form key: text}}
Answers = Mapping[str, Mapping[str, str]]


def _table_sheet_name(label: str, used: set[str]) -> str:
    name = "".join(ch for ch in label if ch not in "[]:*?/\\")[:28] or "表"
    while name in used:
        name += "_"
    used.add(name)
    return name


def _validation(spec: InputSpec) -> DataValidation | None:
    prompt = KIND_ZH[spec.kind] + (f"，单位 {spec.unit}" if spec.unit else "")
    if spec.kind is InputKind.BOOL:
        dv = DataValidation(type="list", formula1='"' + ",".join(BOOL_CHOICES) + '"', allow_blank=True)
    elif spec.kind is InputKind.CATEGORY:
        dv = DataValidation(type="list", formula1='"' + ",".join(spec.choices) + '"', allow_blank=True)
    else:
        lower = spec.min if spec.min is not None else (0 if spec.kind is not InputKind.NUMBER else None)
        upper = spec.max
        if upper is None and spec.kind is InputKind.PERCENT:
            upper = 100  # type: ignore[assignment]
        if upper is None and spec.kind is InputKind.DEGREE:
            upper = 1  # type: ignore[assignment]
        kind = "whole" if spec.kind is InputKind.COUNT else "decimal"
        if lower is not None and upper is not None:
            dv = DataValidation(type=kind, operator="between", formula1=str(lower), formula2=str(upper))
        elif lower is not None:
            dv = DataValidation(type=kind, operator="greaterThanOrEqual", formula1=str(lower))
        else:
            dv = DataValidation(type=kind)
        dv.allow_blank = True
    dv.error = f"请按要求填写：{prompt}"
    dv.errorTitle = "输入有误"
    dv.prompt = prompt
    dv.showErrorMessage = True
    dv.showInputMessage = True
    return dv


def write_template(scheme: Scheme, path: Path, answers: Answers | None = None) -> None:
    """The self-evaluation workbook of a scheme; with `answers` (as `read_answers` returns them: form
    keys to the text typed), every answered cell carries its value, so a workbook downloaded, left as
    it is and read back gives the same answers."""
    cs = compiled(scheme)
    typed = dict((answers or {}).get("inputs", {}))
    raw = dict((answers or {}).get("raw", {}))
    wb = Workbook()
    readme = wb.active
    assert readme is not None
    readme.title = README_SHEET
    lines = [
        (scheme.title.zh, True),
        (f"评价方案：{scheme.key}", False),
        (f"依据：{scheme.source.document}", False),
        ("", False),
        ("填写说明：", True),
        ("1. 在“基本要求”表中逐项选择“是/否”；任何一项为“否”即不具备申报资格（一票否决）。", False),
        ("2. 在“数据”表黄色单元格中填写数值，单位见“单位”列；百分数填 0–100 的数字。", False),
        ("3. 分产品、分年度的数据填写在对应名称的分表中，每行一个产品（或年度）。", False),
        ("4. 不适用或暂无的数据请留空，不要填 0：留空的项目会列为缺项，不会按 0 分处理。", False),
        (
            "5. 请勿修改隐藏的“编号”列；填好后运行：greenmfg score --scheme " + scheme.id + " 本文件.xlsx",
            False,
        ),
    ]
    for row, (text, bold) in enumerate(lines, start=1):
        cell = readme.cell(row=row, column=1, value=text)
        cell.font = Font(bold=bold, size=14 if row == 1 else 11)
    readme.column_dimensions["A"].width = 110

    gates = wb.create_sheet(GATES_SHEET)
    _header(gates, ["编号", "基本要求（一票否决）", "依据", "是否符合"], [16, 70, 26, 12])
    gate_dv = _validation(cs.inputs[cs.gates[0][0].id]) if any(f is None for _, f in cs.gates) else None
    if gate_dv is not None:
        gates.add_data_validation(gate_dv)
    row = 2
    for gate, formula in cs.gates:
        if formula is not None:
            continue  # computed from data: nothing to answer
        gates.cell(row=row, column=1, value=gate.id)
        gates.cell(row=row, column=2, value=gate.label.zh).alignment = Alignment(wrap_text=True)
        gates.cell(row=row, column=3, value=gate.source)
        answer = gates.cell(row=row, column=4, value=written(typed.get(INPUT_KEY + gate.id), False))
        answer.fill = INPUT_FILL
        if gate_dv is not None:
            gate_dv.add(answer)
        row += 1
    gates.column_dimensions["A"].hidden = True

    data = wb.create_sheet(DATA_SHEET)
    _header(data, ["编号", "分组", "项目", "单位", "填写值", "类型", "说明"], [16, 16, 52, 14, 16, 18, 50])
    row = 2
    for spec in cs.inputs.values():
        if spec.table is not None or (spec.kind is InputKind.BOOL and spec.id in {g.id for g, _ in cs.gates}):
            continue
        data.cell(row=row, column=1, value=spec.id)
        data.cell(
            row=row, column=2, value=spec.group or ("基准值与引领值" if spec.role == "benchmark" else "")
        )
        data.cell(row=row, column=3, value=spec.label.zh).alignment = Alignment(wrap_text=True)
        data.cell(row=row, column=4, value=spec.unit)
        cell = data.cell(
            row=row, column=5, value=written(typed.get(INPUT_KEY + spec.id), spec.kind in NUMERIC)
        )
        cell.fill = INPUT_FILL
        data.cell(row=row, column=6, value=describe(spec).zh)
        data.cell(row=row, column=7, value=spec.help).alignment = Alignment(wrap_text=True)
        dv = _validation(spec)
        if dv is not None:
            data.add_data_validation(dv)
            dv.add(cell)
        row += 1
    data.column_dimensions["A"].hidden = True
    data.freeze_panes = "C2"

    used = {README_SHEET, GATES_SHEET, DATA_SHEET}
    for table in cs.tables.values():
        sheet = wb.create_sheet(_table_sheet_name(table.label.zh, used))
        sheet.cell(row=1, column=1, value=f"table:{table.id}")
        sheet.cell(row=2, column=1, value=table.label.zh).font = BOLD
        specs = [cs.inputs[f"{table.id}.{col}"] for col in table.columns]
        for col_index, spec in enumerate(specs, start=2):
            sheet.cell(row=1, column=col_index, value=spec.column)
            head = sheet.cell(
                row=3,
                column=col_index,
                value=f"{spec.label.zh}（{spec.unit}）" if spec.unit else spec.label.zh,
            )
            head.font, head.fill = BOLD, HEADER_FILL
            head.alignment = Alignment(wrap_text=True)
            sheet.column_dimensions[head.column_letter].width = 22
            dv = _validation(spec)
            if dv is not None:
                sheet.add_data_validation(dv)
                for r in range(table.rows):
                    dv.add(sheet.cell(row=4 + r, column=col_index))
        sheet.cell(row=3, column=1, value="行").font = BOLD
        for r in range(table.rows):
            sheet.cell(row=4 + r, column=1, value=table.row_labels[r] if table.row_labels else f"第{r + 1}行")
            for col_index, spec in enumerate(specs, start=2):
                value = written(typed.get(f"{TABLE_KEY}{table.id}:{r}:{spec.column}"), spec.kind in NUMERIC)
                sheet.cell(row=4 + r, column=col_index, value=value).fill = INPUT_FILL
        sheet.row_dimensions[1].hidden = True
        sheet.column_dimensions["A"].width = 14
    if scheme.raw_data in LAYOUTS:
        add_raw_sheets(wb, LAYOUTS[scheme.raw_data], raw if fed_by_raw(scheme) else {})
        what = {"factory": "能源、排放、用水、固废、用地", "park": "园区各年统计"}[scheme.raw_data]
        readme.cell(
            row=len(lines) + 1,
            column=1,
            value=f"6. 也可在“原始数据-”各表填写{what}原始数据，由平台计算相应指标。",
        )
    wb.save(path)


def _header(sheet: Worksheet, titles: list[str], widths: list[int]) -> None:
    for index, (title, width) in enumerate(zip(titles, widths, strict=True), start=1):
        cell = sheet.cell(row=1, column=index, value=title)
        cell.font, cell.fill = BOLD, HEADER_FILL
        sheet.column_dimensions[cell.column_letter].width = width
    sheet.freeze_panes = "A2"


def _cell(value: Any) -> Any:
    """calamine gives integers as floats and empty cells as ''."""
    if value == "" or value is None:
        return None
    if isinstance(value, str):
        return value.strip()
    return value


@dataclass(frozen=True)
class _Cell:
    """One answer cell of the scheme's sheets: where it is and what it holds."""

    sheet: str
    row: int  # from 1
    column: int  # from 1
    key: str  # the form key: in:<input id> or tin:<table>:<row>:<column>
    spec: InputSpec
    value: Any

    @property
    def ref(self) -> str:
        return f"{get_column_letter(self.column)}{self.row}"


def _scheme_cells(cs: CompiledScheme, book: SafeWorkbook, problems: list[InputError]) -> Iterator[_Cell]:
    """Every answer cell of the 基本要求, 数据 and table sheets, in sheet order; an id the scheme does not
    know is added to `problems`."""
    for sheet, answer_column in ((GATES_SHEET, 4), (DATA_SHEET, 5)):
        for row_number, row in enumerate(book.rows(sheet), start=1):
            if row_number == 1 or not row or not row[0]:
                continue
            key = str(row[0]).strip()
            if key not in cs.inputs:
                problems.append(InputError(f"{sheet}!A{row_number}", f"未知编号 {key}", f"unknown id {key}"))
                continue
            value = row[answer_column - 1] if len(row) >= answer_column else None
            yield _Cell(sheet, row_number, answer_column, INPUT_KEY + key, cs.inputs[key], value)
    for name in book.sheet_names:
        rows = book.rows(name)
        if not rows or not rows[0] or not str(rows[0][0]).startswith("table:"):
            continue
        table_id = str(rows[0][0]).removeprefix("table:")
        if table_id not in cs.tables:
            problems.append(InputError(f"{name}!A1", f"未知分表 {table_id}", f"unknown table {table_id}"))
            continue
        column_ids = [(i, str(c)) for i, c in enumerate(rows[0][1:], start=1) if c]
        for index, values in enumerate(rows[3 : 3 + cs.tables[table_id].rows]):
            for i, column_id in column_ids:
                spec = cs.inputs.get(f"{table_id}.{column_id}")
                if spec is None:
                    continue  # the caller's table rows keep unknown columns, as they always have
                yield _Cell(
                    name,
                    4 + index,
                    i + 1,
                    f"{TABLE_KEY}{table_id}:{index}:{column_id}",
                    spec,
                    values[i] if i < len(values) else None,
                )


def _open_template(scheme: Scheme, path: Path) -> SafeWorkbook:
    book = open_workbook(path)
    for required in (GATES_SHEET, DATA_SHEET):
        if required not in book.sheet_names:
            raise InputError(
                str(path),
                f"缺少工作表“{required}”，请使用 greenmfg template 生成的模板",
                f"no sheet '{required}'",
            )
    return book


def read_workbook(scheme: Scheme, path: Path) -> dict[str, Any]:
    """The inputs of a filled self-evaluation workbook. Errors name the sheet, cell and item."""
    cs: CompiledScheme = compiled(scheme)
    book = _open_template(scheme, path)
    inputs: dict[str, Any] = {}
    for row_number, row in enumerate(book.rows(GATES_SHEET), start=1):
        if row_number == 1 or not row or not row[0]:
            continue
        key = str(row[0]).strip()
        if key not in cs.inputs:
            raise InputError(f"{GATES_SHEET}!A{row_number}", f"未知编号 {key}", f"unknown id {key}")
        inputs[key] = _cell(row[3] if len(row) > 3 else None)
    for row_number, row in enumerate(book.rows(DATA_SHEET), start=1):
        if row_number == 1 or not row or not row[0]:
            continue
        key = str(row[0]).strip()
        if key not in cs.inputs:
            raise InputError(f"{DATA_SHEET}!A{row_number}", f"未知编号 {key}", f"unknown id {key}")
        inputs[key] = _cell(row[4] if len(row) > 4 else None)
    for name in book.sheet_names:
        rows = book.rows(name)
        if not rows or not rows[0] or not str(rows[0][0]).startswith("table:"):
            continue
        table_id = str(rows[0][0]).removeprefix("table:")
        if table_id not in cs.tables:
            raise InputError(f"{name}!A1", f"未知分表 {table_id}", f"unknown table {table_id}")
        inputs[table_id] = _table_rows(rows, cs.tables[table_id].rows)
    return inputs


def _table_rows(rows: list[list[Any]], count: int) -> list[dict[str, Any] | None]:
    column_ids = [str(c) for c in rows[0][1:] if c]
    table_rows: list[dict[str, Any] | None] = []
    for values in rows[3 : 3 + count]:
        cells = {
            col: _cell(values[i + 1]) if i + 1 < len(values) else None for i, col in enumerate(column_ids)
        }
        table_rows.append(cells if any(v is not None for v in cells.values()) else None)
    while table_rows and table_rows[-1] is None:
        table_rows.pop()
    return table_rows


# ---------------------------------------------------------------------------------------------------
# reading for a dossier: every problem, or the answers of the non-empty cells


_PLACE = re.compile(r"^(?P<sheet>.+)!(?P<column>[A-Z]{1,3})(?P<row>[0-9]+)$")


@dataclass(frozen=True)
class CellProblem:
    """One cell a workbook cannot be read with: where (sheet, row, column letters) and why."""

    sheet: str
    row: int
    column: str
    zh: str
    en: str

    @property
    def cell(self) -> str:
        return f"{self.column}{self.row}"

    @property
    def place(self) -> str:
        return f"{self.sheet}!{self.cell}"

    @classmethod
    def of(cls, error: InputError) -> CellProblem:
        """A problem from an error whose place is ``sheet!A1`` (a whole sheet's is at row 0)."""
        match = _PLACE.match(error.place)
        if match is None:
            return cls(error.place, 0, "", error.zh, error.en)
        return cls(match["sheet"], int(match["row"]), match["column"], error.zh, error.en)


@dataclass(frozen=True)
class WorkbookAnswers:
    """A read workbook: the answers of its non-empty cells and no problem, or no answers and every
    problem, so a caller stores nothing from a workbook with any invalid cell."""

    answers: dict[str, dict[str, str]] | None
    problems: tuple[CellProblem, ...] = ()


def _text(value: Any) -> str:
    return "" if value is None else cell_text(value)


def read_answers(scheme: Scheme, path: Path) -> WorkbookAnswers:
    """The answers a filled workbook gives, as the platform stores answers: ``{"inputs": {form key:
    text}, "raw": {raw form key: text}}``, with only the cells that hold something. An empty cell is
    "no value given", never a value that erases one: the caller merges.

    Every cell is checked before anything is returned, and every invalid one is reported by sheet,
    row, column and reason in Chinese and English ("「五万」不是数字 / '五万' is not a number"). A file
    that is not a safe, readable template is refused with `InputError` before any cell is read.
    """
    cs = compiled(scheme)
    book = _open_template(scheme, path)
    errors: list[InputError] = []
    problems: list[CellProblem] = []
    # inputs the form asks as raw data only (a factory's), where the workbook's raw sheets feed them
    hidden = derived_inputs(scheme) if fed_by_raw(scheme) else frozenset()
    inputs: dict[str, str] = {}
    values: dict[str, Any] = {}
    for cell in _scheme_cells(cs, book, errors):
        problems.extend(CellProblem.of(e) for e in errors)
        errors.clear()
        text = _text(cell.value)
        if not text:
            continue
        problem = value_problem(cell.spec, cell.value)
        if problem is not None:
            problems.append(CellProblem(cell.sheet, cell.row, get_column_letter(cell.column), *problem))
            continue
        if cell.spec.table is None:
            values[cell.spec.id] = cell.value
            if cell.spec.id not in hidden:
                inputs[cell.key] = text
        else:
            _, table_id, index, column = cell.key.split(":", 3)
            rows = values.setdefault(table_id, [])
            while len(rows) <= int(index):
                rows.append({})
            rows[int(index)][column] = cell.value
            if cell.spec.id not in hidden:
                inputs[cell.key] = text
    problems.extend(CellProblem.of(e) for e in errors)
    layouts = LAYOUT if fed_by_raw(scheme) else PARK_LAYOUT if scheme.raw_data == "park" else ()
    sheets = {s.name: book.rows(s.name) for s in layouts if s.name in book.sheet_names}
    document, raw_errors = raw_sheets_from_cells(sheets)
    problems.extend(CellProblem.of(e) for e in raw_errors)
    raw = fields_from_sheets(sheets) if fed_by_raw(scheme) else {}
    if document is not None and scheme.raw_data and not fed_by_raw(scheme) and not problems:
        # the form has no raw section for this calculation (a park's years): the raw sheet becomes the
        # typed columns it derives, by the scheme's own derive formulas (a disagreeing cell is a problem)
        try:
            derived = raw_scoring(scheme, document, values).inputs
        except InputError as error:
            problems.append(CellProblem.of(error))
        else:
            inputs = _keys_of(derived, hidden)
    if problems:
        return WorkbookAnswers(None, tuple(problems))
    return WorkbookAnswers({"inputs": inputs, "raw": raw})


def _keys_of(values: Mapping[str, Any], hidden: frozenset[str]) -> dict[str, str]:
    """Input values (tables as lists of rows) as form keys to text, non-empty only."""
    out: dict[str, str] = {}
    for key, value in values.items():
        if isinstance(value, list):
            for row, cells in enumerate(value):
                for column, cell in (cells or {}).items():
                    if f"{key}.{column}" not in hidden:
                        out[f"{TABLE_KEY}{key}:{row}:{column}"] = _text(cell)
        elif key not in hidden:
            out[INPUT_KEY + key] = _text(value)
    return {k: v for k, v in out.items() if v.strip()}
