"""Reference tables: published coefficients and factors shipped as versioned YAML data.

A table file holds `id`, `version`, `title`, `source` (document and source ids of standards.md §10),
`year`, `kind` and `rows`. Every row carries a verification mark (V/S/R, the tags of standards.md) and
the source id it was taken from (e.g. P40). Numbers are written as quoted strings so they stay exact
Decimals; a bare YAML float is refused, because `0.1229` read as a float is not the published figure.

A new year's factor is a data change: add a row (or a table file) and bump `version`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from greencore.errors import GreencoreError

PACKAGE = "greencore.reference"


class Mark(StrEnum):
    """How far a figure is verified (the tags of standards.md)."""

    VERIFIED = "V"  # checked against the official text or a faithful re-publication
    SECONDARY = "S"  # seen in implementations or commentary, not the official text
    RECALLED = "R"  # recalled, not verified: a placeholder to be replaced by the published figure


class TableKind(StrEnum):
    COEFFICIENTS = "coefficients"  # per-carrier conversion coefficient (value + unit + dimension)
    YEARLY_COEFFICIENTS = "yearly_coefficients"  # one coefficient per year (electricity 等价值)
    FUEL_PARAMETERS = "fuel_parameters"  # NCV, carbon content, oxidation rate per fuel
    GRID_FACTORS = "grid_factors"  # electricity CO2 factors by series, year and region
    FACTORS = "factors"  # single named factors (heat CO2 factor, default steam heat content)


# Row fields each kind requires: numbers are parsed to Decimal, texts kept as str.
_COMMON_TEXTS = frozenset({"id", "name_zh", "mark", "source"})
_KIND_NUMBERS: dict[TableKind, frozenset[str]] = {
    TableKind.COEFFICIENTS: frozenset({"value"}),
    TableKind.YEARLY_COEFFICIENTS: frozenset({"value"}),
    TableKind.FUEL_PARAMETERS: frozenset({"ncv", "carbon_content", "oxidation"}),
    TableKind.GRID_FACTORS: frozenset({"value"}),
    TableKind.FACTORS: frozenset({"value"}),
}
_KIND_TEXTS: dict[TableKind, frozenset[str]] = {
    TableKind.COEFFICIENTS: frozenset({"unit", "category", "dimension"}),
    TableKind.YEARLY_COEFFICIENTS: frozenset({"unit", "carrier"}),
    TableKind.FUEL_PARAMETERS: frozenset({"ncv_unit", "carbon_content_unit", "oxidation_unit", "dimension"}),
    TableKind.GRID_FACTORS: frozenset({"unit", "series", "level", "region", "region_zh"}),
    TableKind.FACTORS: frozenset({"unit"}),
}
_KIND_INTS: dict[TableKind, frozenset[str]] = {
    TableKind.YEARLY_COEFFICIENTS: frozenset({"year"}),
    TableKind.GRID_FACTORS: frozenset({"year"}),
}
_OPTIONAL_TEXTS = frozenset({"note", "ncv_text"})
# Kinds looked up by name (id, Chinese name, alias); the others by their columns (year, region …),
# so only their ids need to be unique.
_NAMED_KINDS = frozenset({TableKind.COEFFICIENTS, TableKind.FUEL_PARAMETERS, TableKind.FACTORS})


class ReferenceTableError(GreencoreError, ValueError):
    """A reference table file is malformed. The message names the file, the row and the reason."""

    def __init__(self, file: str, place: str, reason: str) -> None:
        self.file, self.reason = file, reason
        message = f"{file}: {place}: {reason}" if place else f"{file}: {reason}"
        super().__init__(place, reason, reason, message=message)


class ReferenceLookupError(GreencoreError, LookupError):
    """No row of a table matches; `available` lists what the table does hold for the caller's message."""

    def __init__(self, table: ReferenceTable, wanted: str, available: Iterable[str]) -> None:
        self.table, self.wanted, self.available = table, wanted, tuple(available)
        super().__init__(
            table.key,
            f"表 {table.key} 中没有 {wanted!r}",
            f"no row {wanted!r} in table {table.key}",
            message=f"no row {wanted!r} in table {table.key}",
        )


@dataclass(frozen=True)
class Row:
    """One row of a reference table with its mark and source."""

    id: str
    name_zh: str
    mark: Mark
    source: str
    numbers: Mapping[str, Decimal]
    texts: Mapping[str, str]
    year: int | None = None
    aliases: tuple[str, ...] = ()
    note: str = ""

    def number(self, key: str) -> Decimal:
        return self.numbers[key]

    def text(self, key: str) -> str:
        return self.texts[key]

    def names(self) -> tuple[str, ...]:
        """Every name this row answers to: its id, its Chinese name and its aliases."""
        return (self.id, self.name_zh, *self.aliases)


@dataclass(frozen=True)
class ReferenceTable:
    id: str
    version: str
    title: str
    source_document: str
    source_refs: tuple[str, ...]
    year: int
    kind: TableKind
    rows: tuple[Row, ...]
    notes: str = ""
    _by_name: Mapping[str, Row] = field(default_factory=dict, repr=False, compare=False)

    @property
    def key(self) -> str:
        """`id@version`: what every result cites."""
        return f"{self.id}@{self.version}"

    def row(self, name: str) -> Row:
        """The row whose id, Chinese name or alias is `name`."""
        found = self._by_name.get(name)
        if found is None:
            raise ReferenceLookupError(self, name, (f"{r.id}（{r.name_zh}）" for r in self.rows))
        return found

    def find(self, name: str) -> Row | None:
        return self._by_name.get(name)

    def marks(self) -> dict[str, int]:
        counts = {mark.value: 0 for mark in Mark}
        for row in self.rows:
            counts[row.mark.value] += 1
        return counts


def _number(value: Any, file: str, place: str) -> Decimal:
    if isinstance(value, bool | float):
        raise ReferenceTableError(
            file, place, f'write the number as a quoted string ("{value}") so it stays exact'
        )
    if isinstance(value, int):
        return Decimal(value)
    if not isinstance(value, str):
        raise ReferenceTableError(file, place, f"expected a number as a quoted string, got {value!r}")
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise ReferenceTableError(file, place, f"not a number: {value!r}") from None
    if not number.is_finite():
        raise ReferenceTableError(file, place, f"not a finite number: {value!r}")
    return number


def _row(raw: Any, kind: TableKind, file: str, index: int) -> Row:
    place = f"rows[{index}]"
    if not isinstance(raw, dict):
        raise ReferenceTableError(file, place, "a row must be a mapping")
    place = f"rows[{index}] ({raw.get('id', '?')})"
    numbers_wanted = _KIND_NUMBERS[kind]
    texts_wanted = _COMMON_TEXTS | _KIND_TEXTS[kind]
    ints_wanted = _KIND_INTS.get(kind, frozenset())
    known = numbers_wanted | texts_wanted | ints_wanted | _OPTIONAL_TEXTS | {"aliases"}
    unknown = sorted(set(raw) - known)
    if unknown:
        raise ReferenceTableError(file, place, f"unknown field(s) {', '.join(unknown)}")
    missing = sorted(k for k in numbers_wanted | texts_wanted | ints_wanted if k not in raw)
    if missing:
        raise ReferenceTableError(file, place, f"missing field(s) {', '.join(missing)}")
    texts: dict[str, str] = {}
    for key in texts_wanted | (_OPTIONAL_TEXTS & set(raw)):
        value = raw[key]
        if not isinstance(value, str) or not value.strip():
            raise ReferenceTableError(file, f"{place}.{key}", "expected a non-empty text")
        texts[key] = value
    try:
        mark = Mark(texts["mark"])
    except ValueError:
        raise ReferenceTableError(file, f"{place}.mark", "mark must be V, S or R") from None
    year: int | None = None
    if "year" in ints_wanted:
        if not isinstance(raw["year"], int) or isinstance(raw["year"], bool):
            raise ReferenceTableError(file, f"{place}.year", "year must be an integer")
        year = raw["year"]
    aliases = raw.get("aliases", [])
    if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
        raise ReferenceTableError(file, f"{place}.aliases", "aliases must be a list of texts")
    return Row(
        id=texts["id"],
        name_zh=texts["name_zh"],
        mark=mark,
        source=texts["source"],
        numbers={k: _number(raw[k], file, f"{place}.{k}") for k in sorted(numbers_wanted)},
        texts=texts,
        year=year,
        aliases=tuple(aliases),
        note=texts.get("note", ""),
    )


def parse_table(data: Any, file: str) -> ReferenceTable:
    """Validate the content of one table file into a `ReferenceTable`."""
    if not isinstance(data, dict):
        raise ReferenceTableError(file, "", "a table file must be a mapping (id:, version:, rows: …)")
    for key in ("id", "version", "title", "kind", "year", "source", "rows"):
        if key not in data:
            raise ReferenceTableError(file, key, "missing")
    unknown = sorted(set(data) - {"id", "version", "title", "kind", "year", "source", "rows", "notes"})
    if unknown:
        raise ReferenceTableError(file, "", f"unknown key(s) {', '.join(unknown)}")
    try:
        kind = TableKind(data["kind"])
    except ValueError:
        kinds = ", ".join(k.value for k in TableKind)
        raise ReferenceTableError(file, "kind", f"unknown kind {data['kind']!r}; one of {kinds}") from None
    source = data["source"]
    if not isinstance(source, dict) or not isinstance(source.get("document"), str):
        raise ReferenceTableError(file, "source", "expected {document: …, refs: [P40, …]}")
    refs = source.get("refs", [])
    if not isinstance(refs, list) or not all(isinstance(r, str) for r in refs):
        raise ReferenceTableError(file, "source.refs", "expected a list of source ids")
    if not isinstance(data["version"], str):
        raise ReferenceTableError(file, "version", "write the version as a quoted string")
    if not isinstance(data["year"], int) or isinstance(data["year"], bool):
        raise ReferenceTableError(file, "year", "year must be an integer")
    raw_rows = data["rows"]
    if not isinstance(raw_rows, list) or not raw_rows:
        raise ReferenceTableError(file, "rows", "expected a non-empty list of rows")
    rows = tuple(_row(raw, kind, file, i) for i, raw in enumerate(raw_rows))
    by_name: dict[str, Row] = {}
    for row in rows:
        for name in row.names() if kind in _NAMED_KINDS else (row.id,):
            if name in by_name and by_name[name] is not row:
                raise ReferenceTableError(
                    file, f"row {row.id}", f"name {name!r} also used by row {by_name[name].id}"
                )
            by_name[name] = row
    return ReferenceTable(
        id=str(data["id"]),
        version=data["version"],
        title=str(data["title"]),
        source_document=source["document"],
        source_refs=tuple(refs),
        year=data["year"],
        kind=kind,
        rows=rows,
        notes=str(data.get("notes", "")),
        _by_name=by_name,
    )


def _load_text(text: str, file: str) -> ReferenceTable:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ReferenceTableError(file, "", f"not valid YAML: {exc}") from None
    return parse_table(data, file)


def load_table_file(path: Path) -> ReferenceTable:
    """Load a table from a file outside the package (a newer edition, a local authority's figures)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ReferenceTableError(str(path), "", f"cannot read the file ({exc})") from None
    return _load_text(text, str(path))


@cache
def shipped_tables() -> tuple[ReferenceTable, ...]:
    """Every table shipped in this package, read with importlib.resources so it works when installed."""
    tables: list[ReferenceTable] = []
    for entry in sorted(resources.files(PACKAGE).iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".yaml"):
            tables.append(_load_text(entry.read_text(encoding="utf-8"), entry.name))
    ids = [t.id for t in tables]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise ReferenceTableError(PACKAGE, "", f"table id(s) shipped twice: {', '.join(duplicates)}")
    return tuple(tables)


@dataclass(frozen=True)
class ReferenceSet:
    """The tables a calculation may use, by id. `default()` is the shipped set; `replace` swaps one."""

    tables: Mapping[str, ReferenceTable]

    @classmethod
    def default(cls) -> ReferenceSet:
        return _default_set()

    def table(self, table_id: str) -> ReferenceTable:
        try:
            return self.tables[table_id]
        except KeyError:
            raise KeyError(
                f"no reference table {table_id!r}; have {', '.join(sorted(self.tables))}"
            ) from None

    def replace(self, table: ReferenceTable) -> ReferenceSet:
        """A set where `table` takes the place of the table with the same id (or is added)."""
        return ReferenceSet({**self.tables, table.id: table})


@cache
def _default_set() -> ReferenceSet:
    return ReferenceSet({t.id: t for t in shipped_tables()})


def load_table(table_id: str) -> ReferenceTable:
    """One shipped table by id."""
    return ReferenceSet.default().table(table_id)
