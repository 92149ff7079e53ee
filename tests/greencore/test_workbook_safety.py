"""Untrusted workbooks are checked before any grid is built (issue 16).

The hostile file of the issue: 1.8 KB, a sheet with cells at A1 and XFD1048576. Handed to calamine it
asks for 16384 × 1048576 cells (549,755,813,888 bytes) and aborts the process. Here it is refused with
a message naming the sheet, and the read stays under a stated memory budget.
"""

from __future__ import annotations

import resource
import tracemalloc
import zipfile
from pathlib import Path

import pytest

from greencore.raw_form import fields_from_workbook
from greencore.scoring.inputs import InputError
from greencore.standards.model import Scheme
from greencore.workbook import read_workbook, write_template
from greencore.workbook_raw import read_raw_sheets
from greencore.workbook_safety import Limits, check_workbook, open_workbook

MEMORY_BUDGET = 64 * 1024 * 1024  # bytes: what refusing a hostile workbook may cost at most

CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>
<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>
</Types>"""
ROOT_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>
</Relationships>"""
WORKBOOK = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">
<sheets><sheet name="数据" sheetId="1" r:id="rId1"/></sheets>
</workbook>"""
WORKBOOK_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>
</Relationships>"""


def sheet_xml(dimension: str | None, cells: str) -> str:
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f"{dim}<sheetData>{cells}</sheetData></worksheet>"
    )


def build(path: Path, sheet: str, extra: dict[str, str | bytes] | None = None) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", ROOT_RELS)
        archive.writestr("xl/workbook.xml", WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        archive.writestr("xl/worksheets/sheet1.xml", sheet)
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return path


CORNERS = (
    '<row r="1"><c r="A1" t="inlineStr"><is><t>x</t></is></c></row>'
    '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'
)


def hostile(tmp_path: Path, dimension: str | None = "A1:XFD1048576") -> Path:
    return build(tmp_path / "hostile.xlsx", sheet_xml(dimension, CORNERS))


def test_the_issue_16_workbook_is_refused_naming_the_sheet_within_the_memory_budget(
    tmp_path: Path, factory_2025: Scheme
) -> None:
    path = hostile(tmp_path)
    assert path.stat().st_size < 2048  # the 1.8 KB file of the issue
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    tracemalloc.start()
    try:
        with pytest.raises(InputError) as caught:
            read_workbook(factory_2025, path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    rss_growth = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 - rss_before
    print(
        f"hostile workbook refused: tracemalloc peak {peak / 1e6:.2f} MB, max RSS growth {rss_growth / 1e6:.2f} MB"
    )
    assert peak < MEMORY_BUDGET
    assert rss_growth < MEMORY_BUDGET
    error = caught.value
    assert error.place == "数据"
    assert error.zh == (
        "工作表“数据”声明的范围 A1:XFD1048576 达 1048576 行 × 16384 列，"
        "超出上限（10000 行、256 列、共 250000 个单元格），不予读取"
    )
    assert error.en == (
        "sheet '数据' declares the range A1:XFD1048576: 1048576 rows × 16384 columns, "
        "beyond the limit (10000 rows, 256 columns, 250000 cells in all); it is not read"
    )


@pytest.mark.parametrize("dimension", [None, "A1", "A1:B2"])
def test_cells_beyond_the_limit_are_refused_whatever_the_dimension_declares(
    tmp_path: Path, dimension: str | None
) -> None:
    with pytest.raises(InputError) as caught:
        check_workbook(hostile(tmp_path, dimension))
    assert caught.value.place == "数据"
    assert caught.value.en.startswith("sheet '数据' holds cells over 1048576 rows × 16384 columns")


def test_every_reader_checks_first(tmp_path: Path) -> None:
    path = hostile(tmp_path)
    for read in (read_raw_sheets, fields_from_workbook):
        with pytest.raises(InputError, match="不予读取"):
            read(path)


def test_a_sheet_with_too_many_cells_is_refused(tmp_path: Path) -> None:
    cells = "".join(
        f'<row r="{r}"><c r="A{r}"><v>{r}</v></c><c r="B{r}"><v>1</v></c></row>' for r in range(1, 51)
    )
    path = build(tmp_path / "many.xlsx", sheet_xml("A1:B50", cells))
    assert check_workbook(path) == ["数据"]
    with pytest.raises(InputError) as caught:
        check_workbook(path, Limits(max_cells=99))
    assert caught.value.en == "sheet '数据' holds more than 99 cells; it is not read"


def test_entity_expansion_is_refused_before_any_parser_expands_it(tmp_path: Path) -> None:
    laughs = (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
        '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
        '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>&lol3;</t></si></sst>'
    )
    path = build(tmp_path / "laughs.xlsx", sheet_xml("A1", ""), {"xl/sharedStrings.xml": laughs})
    with pytest.raises(InputError) as caught:
        check_workbook(path)
    assert caught.value.en == (
        "cannot read the workbook (part 'xl/sharedStrings.xml' declares a DTD or entities (DTDForbidden))"
    )


def test_a_zip_bomb_and_a_path_out_of_the_archive_are_refused(tmp_path: Path) -> None:
    bomb = build(
        tmp_path / "bomb.xlsx", sheet_xml("A1", ""), {"xl/media/zeros.bin": b"\0" * (20 * 1024 * 1024)}
    )
    with pytest.raises(InputError, match="ZIP bomb"):
        check_workbook(bomb)
    escape = build(tmp_path / "escape.xlsx", sheet_xml("A1", ""), {"../../etc/evil.xml": "<a/>"})
    with pytest.raises(InputError, match="leaves the archive"):
        check_workbook(escape)
    many = build(tmp_path / "many.xlsx", sheet_xml("A1", ""), {f"xl/p{i}.xml": "<a/>" for i in range(20)})
    with pytest.raises(InputError, match="25 parts, above the limit of 10"):
        check_workbook(many, Limits(max_entries=10))


def test_a_part_that_unpacks_to_more_than_it_declares_is_refused(tmp_path: Path) -> None:
    path = build(tmp_path / "liar.xlsx", sheet_xml("A1", ""), {"xl/media/data.bin": b"0123456789" * 1000})
    raw = bytearray(path.read_bytes())
    # shrink the declared uncompressed size of the last part in its central-directory entry
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo("xl/media/data.bin")
    offset = raw.rfind(b"xl/media/data.bin") - 46  # the central-directory header before the name
    assert raw[offset : offset + 4] == b"PK\x01\x02"
    raw[offset + 24 : offset + 28] = (100).to_bytes(4, "little")
    path.write_bytes(bytes(raw))
    assert info.file_size == 10_000
    with pytest.raises(InputError, match="无法读取工作簿"):
        check_workbook(path)


def test_the_template_and_a_non_workbook(tmp_path: Path, factory_2025: Scheme) -> None:
    template = tmp_path / "template.xlsx"
    write_template(factory_2025, template)
    book = open_workbook(template)
    assert "数据" in book.sheet_names and book.rows("数据")[0][:3] == ["编号", "分组", "项目"]
    text = tmp_path / "text.xlsx"
    text.write_text("编号,值\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"无法读取工作簿（not an \.xlsx"):
        check_workbook(text)
