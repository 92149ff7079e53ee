"""The self-evaluation workbook (自评价表): written from a scheme, read back as inputs.

Every sheet keeps the input ids in a hidden column (or row), so a workbook filled in by hand maps back
exactly, whatever the user does to the visible labels. Reading uses python-calamine (fast, read-only,
gives cached values of formula cells); writing uses openpyxl (styles, data validation).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from greencore.scoring.compiled import CompiledScheme, InputSpec, compiled
from greencore.scoring.inputs import InputError
from greencore.standards.model import InputKind, Scheme
from greencore.workbook_raw import LAYOUTS, add_raw_sheets
from greencore.workbook_safety import open_workbook

GATES_SHEET = "基本要求"
DATA_SHEET = "数据"
README_SHEET = "说明"
BOOL_CHOICES = ("是", "否")
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
INPUT_FILL = PatternFill("solid", fgColor="FFF2CC")
BOLD = Font(bold=True)
KIND_ZH = {
    InputKind.NUMBER: "数值",
    InputKind.PERCENT: "百分数（填 0–100）",
    InputKind.COUNT: "整数",
    InputKind.BOOL: "是/否",
    InputKind.DEGREE: "符合程度（0–1）",
    InputKind.POINTS: "评分",
    InputKind.CATEGORY: "选项",
}


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


def write_template(scheme: Scheme, path: Path) -> None:
    cs = compiled(scheme)
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
        answer = gates.cell(row=row, column=4)
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
        cell = data.cell(row=row, column=5)
        cell.fill = INPUT_FILL
        kind = KIND_ZH[spec.kind]
        if spec.kind is InputKind.CATEGORY:
            kind += "：" + "、".join(spec.choices)
        if spec.max is not None and spec.kind is InputKind.POINTS:
            kind += f"（0–{spec.max}）"
        data.cell(row=row, column=6, value=kind)
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
            for col_index in range(2, len(specs) + 2):
                sheet.cell(row=4 + r, column=col_index).fill = INPUT_FILL
        sheet.row_dimensions[1].hidden = True
        sheet.column_dimensions["A"].width = 14
    if scheme.raw_data in LAYOUTS:
        add_raw_sheets(wb, LAYOUTS[scheme.raw_data])
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


def read_workbook(scheme: Scheme, path: Path) -> dict[str, Any]:
    """The inputs of a filled self-evaluation workbook. Errors name the sheet, cell and item."""
    cs: CompiledScheme = compiled(scheme)
    book = open_workbook(path)
    names = book.sheet_names
    for required in (GATES_SHEET, DATA_SHEET):
        if required not in names:
            raise InputError(
                str(path),
                f"缺少工作表“{required}”，请使用 greenmfg template 生成的模板",
                f"no sheet '{required}'",
            )
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
    for name in names:
        rows = book.rows(name)
        if not rows or not rows[0] or not str(rows[0][0]).startswith("table:"):
            continue
        table_id = str(rows[0][0]).removeprefix("table:")
        if table_id not in cs.tables:
            raise InputError(f"{name}!A1", f"未知分表 {table_id}", f"unknown table {table_id}")
        column_ids = [str(c) for c in rows[0][1:] if c]
        table_rows: list[dict[str, Any] | None] = []
        for values in rows[3 : 3 + cs.tables[table_id].rows]:
            cells = {
                col: _cell(values[i + 1]) if i + 1 < len(values) else None for i, col in enumerate(column_ids)
            }
            table_rows.append(cells if any(v is not None for v in cells.values()) else None)
        while table_rows and table_rows[-1] is None:
            table_rows.pop()
        inputs[table_id] = table_rows
    return inputs
