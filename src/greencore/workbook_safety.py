"""An untrusted .xlsx, checked before any parser builds anything from it (issue 16).

A workbook is a ZIP of XML parts. python-calamine (and openpyxl) trust both layers: a 1.8 KB file whose
sheet has cells at A1 and XFD1048576 makes calamine allocate the whole 16384 × 1048576 grid and abort
the process. `open_workbook` therefore reads the file twice, the first time with nothing but bounded
streams:

1. the ZIP: a bounded number of entries, no path that leaves the archive, no encrypted entry, every
   entry's declared and actual uncompressed size under a cap, the total under a cap, and no entry
   whose compression ratio is that of a bomb;
2. every XML part, streamed through defusedxml (a DTD, entity declarations and external references are
   refused, so no entity expansion), with the bytes decompressed counted as they arrive;
3. every worksheet: its declared ``<dimension>`` and the extent and count of the cells it actually
   holds, against `Limits` (rows, columns, rows × columns from A1, cells), stopping at the first cell
   beyond them.

Only a file that passes reaches calamine. A refusal is an `InputError` whose place is the file (or
``sheet!``) and whose reason, in Chinese and English, names the sheet and the limit.
"""

from __future__ import annotations

import re
import stat
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO, Any
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse
from python_calamine import CalamineWorkbook

from greencore.scoring.inputs import InputError

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PACKAGE_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_CELL_REF = re.compile(r"^\$?([A-Za-z]{1,3})\$?([0-9]{1,7})$")
_CHUNK = 64 * 1024


@dataclass(frozen=True)
class Limits:
    """What one workbook may hold. The defaults are far above any self-evaluation template (a few
    hundred rows, under 30 columns per sheet) and far below what would take a process down: a sheet of
    `max_area` cells read by calamine costs a few tens of MB."""

    max_file_bytes: int = 20 * 1024 * 1024
    max_entries: int = 500
    max_entry_bytes: int = 50 * 1024 * 1024  # one part, uncompressed
    max_total_bytes: int = 150 * 1024 * 1024  # all parts, uncompressed
    max_ratio: float = 100.0  # uncompressed / compressed, for a part above `ratio_grace_bytes`
    ratio_grace_bytes: int = 1024 * 1024
    max_rows: int = 10_000
    max_columns: int = 256  # IV: Excel 2003's limit; a template uses under 30
    max_area: int = 250_000  # rows × columns from A1: the grid a reader builds
    max_cells: int = 250_000  # cells actually present in one sheet


DEFAULT_LIMITS = Limits()


class SafeWorkbook:
    """A workbook that passed the checks, read through python-calamine."""

    def __init__(self, path: Path, sheet_names: list[str]) -> None:
        self.path = path
        try:
            self._book: Any = CalamineWorkbook.from_path(str(path))
        except Exception as exc:  # calamine raises its own error types for corrupt or foreign files
            raise _unreadable(path, str(exc)) from None
        self.sheet_names: list[str] = list(self._book.sheet_names)
        self.checked = frozenset(sheet_names)

    def rows(self, name: str) -> list[list[Any]]:
        """The cells of a sheet from A1 (row i of the list is the sheet's row i + 1)."""
        if name not in self.checked:  # calamine found a sheet the workbook part did not list
            raise _refused(self.path, name, "不在工作簿目录中", "is not listed in the workbook part")
        try:
            rows: list[list[Any]] = self._book.get_sheet_by_name(name).to_python(skip_empty_area=False)
        except Exception as exc:  # calamine's own error types
            raise _unreadable(self.path, str(exc)) from None
        return rows


def open_workbook(path: Path, limits: Limits = DEFAULT_LIMITS) -> SafeWorkbook:
    """The workbook at `path` once it has passed every check; `InputError` otherwise."""
    names = check_workbook(path, limits)
    return SafeWorkbook(path, names)


def check_workbook(path: Path, limits: Limits = DEFAULT_LIMITS) -> list[str]:
    """Check an untrusted .xlsx without building any grid; the names of its sheets, in order."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise _unreadable(path, exc.strerror or "cannot open") from None
    if size > limits.max_file_bytes:
        raise InputError(
            str(path),
            f"无法读取工作簿（文件 {size} 字节，超过上限 {limits.max_file_bytes} 字节）",
            f"cannot read the workbook ({size} bytes, above the limit of {limits.max_file_bytes})",
        )
    try:
        with zipfile.ZipFile(path) as archive:
            entries = _check_entries(path, archive, limits)
            budget = _Budget(limits.max_total_bytes)
            for info in entries:
                if not info.filename.endswith((".xml", ".rels", ".vml")):
                    _drain(path, archive, info, limits, budget)  # images, printer settings: bytes only
            sheets = _sheet_parts(path, archive, limits, budget)
            for info in entries:
                if info.filename.endswith((".xml", ".rels", ".vml")):
                    sheet = sheets.get(info.filename)
                    with _stream(path, archive, info, limits, budget) as stream:
                        if sheet is None:
                            _parse_part(path, info.filename, stream)
                        else:
                            _check_sheet(path, sheet, stream, limits)
            return list(sheets.values())
    except zipfile.BadZipFile as exc:
        raise _unreadable(path, f"not an .xlsx (ZIP) file: {exc}") from None
    except (zipfile.LargeZipFile, NotImplementedError, EOFError, OSError) as exc:
        raise _unreadable(path, str(exc)) from None


def _unreadable(path: Path, detail: str) -> InputError:
    return InputError(str(path), f"无法读取工作簿（{detail}）", f"cannot read the workbook ({detail})")


def _refused(path: Path, sheet: str, zh: str, en: str) -> InputError:
    return InputError(sheet, f"工作表“{sheet}”{zh}，不予读取", f"sheet '{sheet}' {en}; it is not read")


def _check_entries(path: Path, archive: zipfile.ZipFile, limits: Limits) -> list[zipfile.ZipInfo]:
    entries = archive.infolist()
    if len(entries) > limits.max_entries:
        raise _unreadable(path, f"{len(entries)} parts, above the limit of {limits.max_entries}")
    declared = 0
    for info in entries:
        name = info.filename
        pure = PurePosixPath(name)
        if (
            name.startswith(("/", "\\"))
            or "\\" in name
            or ".." in pure.parts
            or re.match(r"^[A-Za-z]:", name)
            or stat.S_ISLNK(info.external_attr >> 16)
        ):
            raise _unreadable(path, f"part {name!r} leaves the archive")
        if info.flag_bits & 0x1:
            raise _unreadable(path, f"part {name!r} is encrypted")
        if info.file_size > limits.max_entry_bytes:
            raise _unreadable(
                path, f"part {name!r} unpacks to {info.file_size} bytes, above {limits.max_entry_bytes}"
            )
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > limits.ratio_grace_bytes and ratio > limits.max_ratio:
            raise _unreadable(path, f"part {name!r} is compressed {ratio:.0f}:1, a ZIP bomb's ratio")
        declared += info.file_size
    if declared > limits.max_total_bytes:
        raise _unreadable(path, f"parts unpack to {declared} bytes, above {limits.max_total_bytes}")
    return entries


class _Budget:
    """The bytes decompressed so far across all parts, against the total cap."""

    def __init__(self, total: int) -> None:
        self.left = total


class _Bounded:
    """A part's decompressed bytes, counted as they are read: a part may not unpack to more than its
    cap (whatever its header declares) nor the workbook to more than the total."""

    def __init__(self, path: Path, raw: IO[bytes], info: zipfile.ZipInfo, limits: Limits, budget: _Budget):
        self.path, self.raw, self.info = path, raw, info
        self.cap = min(limits.max_entry_bytes, info.file_size)
        self.compressed = max(info.compress_size, 1)
        self.limits, self.budget, self.seen = limits, budget, 0

    def read(self, size: int = -1) -> bytes:
        data = self.raw.read(_CHUNK if size < 0 else min(size, _CHUNK))
        self.seen += len(data)
        self.budget.left -= len(data)
        if self.seen > self.cap or self.budget.left < 0:
            raise _unreadable(self.path, f"part {self.info.filename!r} unpacks to more than declared")
        if self.seen > self.limits.ratio_grace_bytes and self.seen / self.compressed > self.limits.max_ratio:
            raise _unreadable(self.path, f"part {self.info.filename!r} is compressed like a ZIP bomb")
        return data

    def close(self) -> None:
        self.raw.close()

    def __enter__(self) -> _Bounded:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


def _stream(
    path: Path, archive: zipfile.ZipFile, info: zipfile.ZipInfo, limits: Limits, budget: _Budget
) -> _Bounded:
    return _Bounded(path, archive.open(info), info, limits, budget)


def _drain(
    path: Path, archive: zipfile.ZipFile, info: zipfile.ZipInfo, limits: Limits, budget: _Budget
) -> None:
    with _stream(path, archive, info, limits, budget) as stream:
        while stream.read(_CHUNK):
            pass  # zipfile checks the CRC at the end: a truncated or altered part is refused


def _events(
    path: Path, part: str, stream: _Bounded, events: tuple[str, ...]
) -> Iterator[tuple[str, Element]]:
    """A part's XML events, with DTDs, entities and external references refused."""
    try:
        yield from iterparse(stream, events=events, forbid_dtd=True)
    except DefusedXmlException as exc:
        raise _unreadable(path, f"part {part!r} declares a DTD or entities ({type(exc).__name__})") from None
    except ParseError as exc:
        raise _unreadable(path, f"part {part!r} is not well-formed XML ({exc})") from None


def _parse_part(path: Path, part: str, stream: _Bounded) -> None:
    """Any other part: parsed only to refuse what the parsers after us might expand."""
    for _, element in _events(path, part, stream, ("end",)):
        element.clear()


def _sheet_parts(path: Path, archive: zipfile.ZipFile, limits: Limits, budget: _Budget) -> dict[str, str]:
    """The worksheet parts by ZIP name, with their sheet names, from the workbook part and its rels."""
    names = set(archive.namelist())
    if "xl/workbook.xml" not in names:
        raise _unreadable(path, "no workbook part (xl/workbook.xml): not an .xlsx workbook")
    targets: dict[str, str] = {}
    rels = "xl/_rels/workbook.xml.rels"
    if rels in names:
        with _stream(path, archive, archive.getinfo(rels), limits, _Budget(limits.max_entry_bytes)) as stream:
            for _, element in _events(path, rels, stream, ("end",)):
                if element.tag == f"{_PACKAGE_REL}Relationship":
                    target = element.get("Target", "")
                    full = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
                    targets[element.get("Id", "")] = str(PurePosixPath(full))
                element.clear()
    sheets: dict[str, str] = {}
    book = archive.getinfo("xl/workbook.xml")
    with _stream(path, archive, book, limits, _Budget(limits.max_entry_bytes)) as stream:
        for _, element in _events(path, "xl/workbook.xml", stream, ("end",)):
            if element.tag == f"{_MAIN}sheet":
                part = targets.get(element.get(f"{_REL}id", ""), "")
                sheets[part] = element.get("name", "")
            elif element.tag != f"{_MAIN}sheets":
                element.clear()
    return sheets


def _position(ref: str) -> tuple[int, int] | None:
    """(row, column) from 1 of a cell reference such as XFD1048576."""
    match = _CELL_REF.match(ref)
    if match is None:
        return None
    column = 0
    for letter in match.group(1).upper():
        column = column * 26 + ord(letter) - 64
    return int(match.group(2)), column


def _check_extent(
    path: Path, sheet: str, rows: int, columns: int, what: tuple[str, str], limits: Limits
) -> None:
    zh, en = what
    if rows > limits.max_rows or columns > limits.max_columns or rows * columns > limits.max_area:
        raise _refused(
            path,
            sheet,
            f"{zh}达 {rows} 行 × {columns} 列，超出上限（{limits.max_rows} 行、{limits.max_columns} 列、"
            f"共 {limits.max_area} 个单元格）",
            f"{en} {rows} rows × {columns} columns, beyond the limit ({limits.max_rows} rows, "
            f"{limits.max_columns} columns, {limits.max_area} cells in all)",
        )


def _check_sheet(path: Path, sheet: str, stream: _Bounded, limits: Limits) -> None:
    """The sheet's declared dimension and its cells, streamed: refused at the first cell beyond the
    limits, so a hostile sheet costs no more than reading that far."""
    row, column, cells = 0, 0, 0
    top_row, top_column = 0, 0
    for event, element in _events(path, stream.info.filename, stream, ("start", "end")):
        tag = element.tag
        if event == "start":
            if tag == f"{_MAIN}row":
                given = element.get("r")
                row = int(given) if given and given.isdigit() else row + 1
                column = 0
            elif tag == f"{_MAIN}c":
                where = _position(element.get("r", ""))
                if where is not None:
                    row, column = where
                else:
                    column += 1
                cells += 1
                top_row, top_column = max(top_row, row), max(top_column, column)
                _check_extent(path, sheet, top_row, top_column, ("的单元格范围", "holds cells over"), limits)
                if cells > limits.max_cells:
                    raise _refused(
                        path,
                        sheet,
                        f"的单元格超过 {limits.max_cells} 个",
                        f"holds more than {limits.max_cells} cells",
                    )
            elif tag == f"{_MAIN}dimension":
                ref = element.get("ref", "")
                corner = _position(ref.rpartition(":")[2])
                if corner is not None:
                    _check_extent(
                        path,
                        sheet,
                        corner[0],
                        corner[1],
                        (f"声明的范围 {ref} ", f"declares the range {ref}:"),
                        limits,
                    )
        elif tag in (f"{_MAIN}c", f"{_MAIN}row"):
            element.clear()
