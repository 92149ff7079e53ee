"""The English of the raw-data layout: every sheet, group, table, column, help line and choice has it, and
the workbook (written and read in Chinese) never uses it."""

from __future__ import annotations

import re
from pathlib import Path

from openpyxl import Workbook

from greencore.calc.units import UNITS
from greencore.workbook_raw import LAYOUT, Column, Group, Kind, Table, add_raw_sheets

CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")
# unit symbols (万m³, 万kWh, 万元) are what is typed, in English too; a help text may name them
SYMBOLS = sorted({u for units in UNITS.values() for u in units} | {"台", "件"}, key=len, reverse=True)


def columns() -> list[tuple[str, Column]]:
    """Every column of the layout, named by where it is (sheet, block, field id)."""
    out: list[tuple[str, Column]] = []
    for sheet in LAYOUT:
        for block in sheet.blocks:
            if isinstance(block, Group):
                out += [(f"{sheet.name} {s.path}", s.column) for s in block.scalars]
            else:
                out += [(f"{sheet.name} {block.path}.{c.id}", c) for c in block.columns]
    return out


def english(text: str) -> bool:
    return bool(text.strip()) and not CJK.search(text)


def english_help(text: str) -> bool:
    for symbol in SYMBOLS:
        text = text.replace(symbol, "")
    return bool(text.strip()) and not CJK.search(text)


def test_every_sheet_group_and_table_has_an_english_title():
    missing = []
    for sheet in LAYOUT:
        if not english(sheet.title_en):
            missing.append(sheet.name)
        if len(sheet.help_en) != len(sheet.help) or not all(english_help(h) for h in sheet.help_en):
            missing.append(f"{sheet.name} help")
        for block in sheet.blocks:
            if not english(block.title_en):
                missing.append(f"{sheet.name} {block.title}")
    assert not missing, missing


def test_every_column_has_an_english_label_help_and_choices():
    found = columns()
    assert len(found) > 100
    missing = []
    for where, column in found:
        if not english(column.label_en):
            missing.append(f"{where}: label")
        if bool(column.help) != bool(column.help_en) or (column.help_en and not english_help(column.help_en)):
            missing.append(f"{where}: help")
        if column.kind is Kind.CHOICE and (
            len(column.choices_en) != len(column.choices) or not all(map(english, column.choices_en))
        ):
            missing.append(f"{where}: choices")
        offered, offered_en = column.offered(), column.offered_en()
        if len(offered) != len(offered_en):
            missing.append(f"{where}: offered")
        if column.kind in (Kind.BOOL, Kind.CHOICE) and not all(map(english, offered_en)):
            missing.append(f"{where}: offered choices")
    assert not missing, missing


def test_every_scalar_note_has_its_english():
    missing = [
        f"{sheet.name} {scalar.path}"
        for sheet in LAYOUT
        for block in sheet.blocks
        if isinstance(block, Group)
        for scalar in block.scalars
        if bool(scalar.note) != bool(scalar.note_en) or (scalar.note_en and not english_help(scalar.note_en))
    ]
    assert not missing, missing


def test_the_english_of_a_choice_and_of_yes_no():
    basis = next(c for where, c in columns() if where.endswith("energy.basis"))
    assert basis.offered() == ("当量值", "等价值")
    assert basis.offered_en() == ("Calorific value", "Primary energy equivalent")
    renewable = next(c for where, c in columns() if where.endswith("energy.carriers.renewable"))
    assert renewable.offered() == ("是", "否") and renewable.offered_en() == ("Yes", "No")
    unit = next(c for where, c in columns() if where.endswith("energy.carriers.unit"))
    assert unit.offered_en() == unit.offered()  # unit symbols are not translated


def test_the_workbook_stays_chinese(tmp_path: Path):
    """The template's labels, titles and help are the Chinese; no English text of the layout is written."""
    wb = Workbook()
    add_raw_sheets(wb)
    path = tmp_path / "raw.xlsx"
    wb.save(path)
    written = {
        str(cell.value)
        for sheet in wb.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if isinstance(cell.value, str)
    }
    english_texts = {sheet.title_en for sheet in LAYOUT} | {h for sheet in LAYOUT for h in sheet.help_en}
    english_texts |= {b.title_en for sheet in LAYOUT for b in sheet.blocks}
    english_texts |= {c.label_en for _, c in columns()} | {c.help_en for _, c in columns() if c.help_en}
    assert not written & english_texts, written & english_texts
    for sheet in LAYOUT:
        assert sheet.title in written and all(h in written for h in sheet.help)
        for block in sheet.blocks:
            assert block.title in written
            if isinstance(block, Table):
                assert all(c.label in written for c in block.columns)
