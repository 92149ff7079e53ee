"""The layout of the raw-data sheets (原始数据-…), read from data files and validated like schemes.

`greencore/layouts/<name>.yaml` says which fields of a calculation's raw document the workbook and the
web form ask, where, in which words (Chinese and English) and with which checks: ADR 0001's "data, not
code". A file is validated on load (pydantic, unknown keys refused); an error names the file, the place
in it and the reason. What a file cannot hold as data, a check written in Python or a list drawn from the
reference tables, it names, and the name must be one of `NAMES`, `CHECKS`, `ROW_CHECKS` or `RECORDS`.

The workbook (`greencore.workbook_raw`) and the web form (`greencore.raw_form`) both read these
definitions; the cells they read are parsed and assembled by `greencore.raw_cells`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag, ValidationError, model_validator

from greencore.calc.common import ProductLine
from greencore.calc.energy import MEDIA_TABLE, STANDARD_COAL_TABLE, CarrierLine, carrier_row
from greencore.calc.errors import CalcError
from greencore.calc.ghg import (
    CARBON_MARKET_TABLE,
    FUEL_TABLE,
    GRID_TABLE,
    ElectricityLine,
    FuelLine,
    HeatLine,
    ProcessLine,
)
from greencore.calc.land import Area, Building
from greencore.calc.ratios import ParkInput, YearValue
from greencore.calc.units import UNITS, Dimension, canonical, split_ratio, unit_factor
from greencore.calc.waste import WasteStream
from greencore.calc.water import IntakeLine, ReuseLine
from greencore.errors import GreencoreError
from greencore.reference import ReferenceSet
from greencore.scoring.inputs import InputError

LAYOUTS_DIR = Path(__file__).parent / "layouts"
PREFIX = "原始数据-"
BOOL_CHOICES = ("是", "否")
BOOL_CHOICES_EN = ("Yes", "No")
PRODUCT_SECTIONS = ("energy", "ghg", "water")


class LayoutError(GreencoreError, ValueError):
    """A layout file is malformed. The message names the file, the place and the reason."""

    def __init__(self, file: str, place: str, reason: str) -> None:
        self.file, self.reason = file, reason
        where = f"{file}: {place}: " if place else f"{file}: "
        super().__init__(place, reason, reason, message=where + reason)


class Kind(StrEnum):
    TEXT = "text"
    NUMBER = "number"  # written to the raw data as a plain decimal string, e.g. "18.5"
    INTEGER = "integer"  # the raw format takes these as JSON integers (year, storey count)
    BOOL = "bool"
    CHOICE = "choice"
    UNIT = "unit"


# the column width a kind has when its file gives none
DEFAULT_WIDTH = {
    Kind.TEXT: 16,
    Kind.NUMBER: 12,
    Kind.INTEGER: 10,
    Kind.BOOL: 10,
    Kind.CHOICE: 12,
    Kind.UNIT: 10,
}


def from_calc(place: str, error: CalcError) -> InputError:
    """A calculation's check, reported at the cell instead of the raw document's field path."""
    return InputError(place, error.zh, error.en)


@dataclass(frozen=True)
class UnitRule:
    """The units a cell accepts: of `dims` (any known unit when empty), or a ratio `dims`/`per`."""

    dims: tuple[Dimension, ...] = ()
    per: tuple[Dimension, ...] | None = None
    offered: tuple[str, ...] = ()  # the dropdown; by default every unit of `dims`

    def choices(self) -> tuple[str, ...]:
        if self.offered:
            return self.offered
        return tuple(dict.fromkeys(u for d in self.dims for u in UNITS[d]))

    @property
    def strict(self) -> bool:
        """A plain unit of known dimensions is one of a short list; ratios and open units are not."""
        return self.per is None and bool(self.dims)

    def check(self, unit: str, place: str) -> None:
        parts = [(unit, self.dims)]
        if self.per is not None:
            try:
                numerator, denominator = split_ratio(unit, place)
            except CalcError as error:
                raise from_calc(place, error) from None
            parts = [(numerator, self.dims), (denominator, self.per)]
        for part, dims in parts:
            symbol = canonical(part)
            if not any(symbol in UNITS[d] for d in dims or tuple(Dimension)):
                shown = "、".join(self.choices())
                raise InputError(
                    place,
                    f"单位 {unit!r} 不适用于此项（可选：{shown}）",
                    f"unit {unit!r} does not fit this field (accepted: {', '.join(self.choices())})",
                )


@dataclass(frozen=True)
class Column:
    """One field of the raw format: its id, its Chinese header and how a cell of it is read.

    The workbook and its reader use the Chinese only; `label_en`, `help_en` and `choices_en` (the English
    of each shown choice, in order) are for forms shown in English."""

    id: str
    label: str
    kind: Kind = Kind.NUMBER
    unit: UnitRule | None = None
    choices: tuple[tuple[str, str], ...] = ()  # CHOICE: (shown in the dropdown, value in the raw data)
    names: Callable[[], tuple[str, ...]] | None = None  # TEXT: names offered in a dropdown
    check: Callable[[str, str], None] | None = None  # TEXT: refuses (at read) what the calculation would
    width: int = 12
    help: str = ""
    label_en: str = ""
    help_en: str = ""
    choices_en: tuple[str, ...] = ()

    def offered(self) -> tuple[str, ...]:
        if self.kind is Kind.BOOL:
            return BOOL_CHOICES
        if self.kind is Kind.CHOICE:
            return tuple(shown for shown, _ in self.choices)
        if self.kind is Kind.UNIT and self.unit is not None:
            return self.unit.choices()
        return self.names() if self.names else ()

    def offered_en(self) -> tuple[str, ...]:
        """The English of each of `offered()`, in order: a choice's or yes/no's English label; names and
        units (data, symbols) as they are."""
        if self.kind is Kind.BOOL:
            return BOOL_CHOICES_EN
        if self.kind is Kind.CHOICE:
            english = self.choices_en + ("",) * (len(self.choices) - len(self.choices_en))
            return tuple(en or shown for (shown, _), en in zip(self.choices, english, strict=False))
        return self.offered()

    @property
    def strict(self) -> bool:
        """Whether Excel refuses an entry outside the dropdown (else it only warns)."""
        if self.kind is Kind.UNIT:
            return self.unit is not None and self.unit.strict
        if self.kind is Kind.TEXT:
            return self.check is not None
        return True


class Shape(StrEnum):
    """How a table's rows become the raw document."""

    ROWS = "rows"  # one object per row, in the list at the table's path
    PRODUCTS = "products"  # one row per product, its shares for energy, ghg and water side by side
    BUILDINGS = "buildings"  # a row with a name starts a building; each row adds a storey
    HISTORY = "history"  # one row per year: emissions and output value


@dataclass
class RawRow:
    """A table row as read: values by field id, and the cell of every field (for error messages)."""

    values: dict[str, Any] = field(default_factory=dict)
    places: dict[str, str] = field(default_factory=dict)
    start: str = ""


@dataclass(frozen=True)
class Table:
    path: str
    title: str
    columns: tuple[Column, ...]
    rows: int
    record: type[Any] | None = None  # the calculation's dataclass of a row: its required fields
    shape: Shape = Shape.ROWS
    row_check: Callable[[RawRow], None] | None = None
    title_en: str = ""

    def column(self, column_id: str) -> Column | None:
        return next((c for c in self.columns if c.id == column_id), None)


@dataclass(frozen=True)
class Scalar:
    path: str
    column: Column
    note: str = ""
    note_en: str = ""


@dataclass(frozen=True)
class Group:
    title: str
    scalars: tuple[Scalar, ...]
    title_en: str = ""


@dataclass(frozen=True)
class Sheet:
    """One 原始数据- sheet: its name, title and help lines (Chinese, as written to the workbook), and the
    English of the title and of each help line for forms shown in English."""

    name: str
    title: str
    help: tuple[str, ...]
    blocks: tuple[Group | Table, ...]
    title_en: str = ""
    help_en: tuple[str, ...] = ()


# ---------------------------------------------------------------------------------------------------
# what a layout file names: lists drawn from the reference tables, checks, and the calculation's records


@cache
def _carrier_names() -> tuple[str, ...]:
    """Every Chinese name (and alias) of the standard-coal and energy-media tables, as accepted."""
    tables = ReferenceSet.default()
    names = (
        name
        for table_id in (STANDARD_COAL_TABLE, MEDIA_TABLE)
        for row in tables.table(table_id).rows
        for name in (row.name_zh, *row.aliases)
    )
    return tuple(dict.fromkeys(names))


@cache
def _fuel_names() -> tuple[str, ...]:
    rows = ReferenceSet.default().table(FUEL_TABLE).rows
    return tuple(dict.fromkeys(name for row in rows for name in (row.name_zh, *row.aliases)))


@cache
def _grid_regions() -> tuple[str, ...]:
    tables = ReferenceSet.default()
    rows = (*tables.table(GRID_TABLE).rows, *tables.table(CARBON_MARKET_TABLE).rows)
    return tuple(dict.fromkeys(row.text("region_zh") for row in rows))


def _check_carrier(name: str, place: str) -> None:
    try:
        carrier_row(ReferenceSet.default(), name, place)
    except CalcError as error:
        raise from_calc(place, error) from None


def _check_carrier_unit(row: RawRow) -> None:
    """Coal in kWh or electricity in t: refused at the unit's cell, by the calculation's own check."""
    carrier, unit = row.values.get("carrier"), row.values.get("unit")
    if carrier is None or unit is None:
        return
    _, ref = carrier_row(ReferenceSet.default(), carrier, row.places["carrier"])
    place = row.places["unit"]
    try:
        unit_factor(unit, Dimension(ref.text("dimension")), place, ref.name_zh, ref.id)
    except CalcError as error:
        raise from_calc(place, error) from None


def _check_fuel_unit(row: RawRow) -> None:
    """A fuel of the defaults table has its dimension; another fuel's comes from its ncv_unit."""
    fuel, unit = row.values.get("fuel"), row.values.get("unit")
    ref = ReferenceSet.default().table(FUEL_TABLE).find(fuel.strip()) if fuel else None
    if ref is None or unit is None:
        return
    place = row.places["unit"]
    try:
        unit_factor(unit, Dimension(ref.text("dimension")), place, ref.name_zh, ref.id)
    except CalcError as error:
        raise from_calc(place, error) from None


def _check_year_given(row: RawRow) -> None:
    if "year" not in row.values:
        raise InputError(row.places.get("year", row.start), "缺少“年度”", "missing the year of this row")


NAMES: Mapping[str, Callable[[], tuple[str, ...]]] = {
    "carriers": _carrier_names,
    "fuels": _fuel_names,
    "grid_regions": _grid_regions,
}
CHECKS: Mapping[str, Callable[[str, str], None]] = {"carrier": _check_carrier}
ROW_CHECKS: Mapping[str, Callable[[RawRow], None]] = {
    "carrier_unit": _check_carrier_unit,
    "fuel_unit": _check_fuel_unit,
    "year_given": _check_year_given,
}
RECORDS: Mapping[str, type[Any]] = {
    cls.__name__: cls
    for cls in (
        CarrierLine,
        ProductLine,
        FuelLine,
        ProcessLine,
        ElectricityLine,
        HeatLine,
        IntakeLine,
        ReuseLine,
        WasteStream,
        Building,
        Area,
        YearValue,
        ParkInput,
    )
}


# ---------------------------------------------------------------------------------------------------
# the file, as validated


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _Words(_Model):
    zh: str
    en: str = ""


class _UnitRule(_Model):
    dims: tuple[Dimension, ...] = ()
    per: tuple[Dimension, ...] | None = None
    offered: tuple[str, ...] = ()


class _Choice(_Model):
    shown: str
    value: str
    en: str = ""


def _one_of(known: Mapping[str, Any], what: str) -> Callable[[str | None], str | None]:
    def check(value: str | None) -> str | None:
        if value is not None and value not in known:
            raise ValueError(f"unknown {what} {value!r} (known: {', '.join(sorted(known))})")
        return value

    return check


class _Column(_Model):
    id: Annotated[str, Field(min_length=1)]
    label: _Words
    kind: Kind = Kind.NUMBER
    units: str | None = None
    choices: tuple[_Choice, ...] = ()
    names: str | tuple[str, ...] | None = None
    check: str | None = None
    width: Annotated[int, Field(ge=4, le=80)] | None = None
    help: _Words = _Words(zh="")

    @model_validator(mode="after")
    def _fits_kind(self) -> _Column:
        if (self.units is not None) != (self.kind is Kind.UNIT):
            raise ValueError("a unit column (kind: unit) names its units, and only a unit column does")
        if bool(self.choices) != (self.kind is Kind.CHOICE):
            raise ValueError(
                "a choice column (kind: choice) lists its choices, and only a choice column does"
            )
        if (self.names is not None or self.check is not None) and self.kind is not Kind.TEXT:
            raise ValueError("only a text column offers names or has a check")
        if isinstance(self.names, str):
            _one_of(NAMES, "list of names")(self.names)
        _one_of(CHECKS, "check")(self.check)
        return self


class _Scalar(_Model):
    path: Annotated[str, Field(min_length=1)]
    column: _Column
    note: _Words = _Words(zh="")


class _Group(_Model):
    group: _Words
    scalars: Annotated[tuple[_Scalar, ...], Field(min_length=1)]


class _Table(_Model):
    table: Annotated[str, Field(min_length=1)]
    title: _Words
    rows: Annotated[int, Field(ge=1, le=1000)]
    record: str | None = None
    shape: Shape = Shape.ROWS
    row_check: str | None = None
    columns: Annotated[tuple[_Column, ...], Field(min_length=1)]

    @model_validator(mode="after")
    def _known(self) -> _Table:
        _one_of(RECORDS, "record")(self.record)
        _one_of(ROW_CHECKS, "row check")(self.row_check)
        ids = [c.id for c in self.columns]
        twice = sorted({i for i in ids if ids.count(i) > 1})
        if twice:
            raise ValueError(f"column id {twice[0]!r} used twice")
        return self


def _block_kind(value: Any) -> str:
    grouped = isinstance(value, _Group) or (isinstance(value, Mapping) and "group" in value)
    return "Group" if grouped else "Table"


# a block is validated as the one kind its keys say, so an error names the place inside it
_Block = Annotated[
    Annotated[_Group, Tag("Group")] | Annotated[_Table, Tag("Table")], Discriminator(_block_kind)
]


class _Sheet(_Model):
    name: Annotated[str, Field(min_length=1, max_length=31)]  # Excel's limit on a sheet name
    title: _Words
    help: tuple[_Words, ...] = ()
    blocks: Annotated[tuple[_Block, ...], Field(min_length=1)]


class _Layout(_Model):
    layout: str
    units: dict[str, _UnitRule] = {}
    sheets: Annotated[tuple[_Sheet, ...], Field(min_length=1)]

    @model_validator(mode="after")
    def _consistent(self) -> _Layout:
        paths: set[str] = set()
        for sheet in self.sheets:
            if not sheet.name.startswith(PREFIX):
                raise ValueError(f"sheet {sheet.name!r} must be named {PREFIX}…")
            for block in sheet.blocks:
                columns = block.columns if isinstance(block, _Table) else [s.column for s in block.scalars]
                for column in columns:
                    if column.units is not None and column.units not in self.units:
                        raise ValueError(f"column {column.id!r}: unknown units {column.units!r}")
                claimed = [block.table] if isinstance(block, _Table) else [s.path for s in block.scalars]
                for path in claimed:
                    if path in paths:
                        raise ValueError(f"path {path!r} used twice")
                    paths.add(path)
        return self


def _place(data: Any, loc: tuple[int | str, ...]) -> str:
    """A pydantic location as a path through the file: ``sheets[0].blocks[1].columns[2].kind``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part in ("Group", "Table") or part.startswith(("function-", "_")):
            continue  # the kind of block pydantic validated, not a key of the file
        else:
            out += f".{part}" if out else str(part)
    return out


def _column(model: _Column, rules: Mapping[str, UnitRule]) -> Column:
    names: Callable[[], tuple[str, ...]] | None = None
    if isinstance(model.names, str):
        names = NAMES[model.names]
    elif model.names is not None:
        listed = model.names

        def names() -> tuple[str, ...]:
            return listed

    return Column(
        model.id,
        model.label.zh,
        model.kind,
        unit=rules[model.units] if model.units is not None else None,
        choices=tuple((c.shown, c.value) for c in model.choices),
        names=names,
        check=CHECKS[model.check] if model.check is not None else None,
        width=model.width if model.width is not None else DEFAULT_WIDTH[model.kind],
        help=model.help.zh,
        label_en=model.label.en,
        help_en=model.help.en,
        choices_en=tuple(c.en for c in model.choices),
    )


def _sheet(model: _Sheet, rules: Mapping[str, UnitRule]) -> Sheet:
    blocks: list[Group | Table] = []
    for block in model.blocks:
        if isinstance(block, _Group):
            scalars = tuple(
                Scalar(s.path, _column(s.column, rules), s.note.zh, s.note.en) for s in block.scalars
            )
            blocks.append(Group(block.group.zh, scalars, block.group.en))
        else:
            blocks.append(
                Table(
                    block.table,
                    block.title.zh,
                    tuple(_column(c, rules) for c in block.columns),
                    block.rows,
                    RECORDS[block.record] if block.record is not None else None,
                    block.shape,
                    ROW_CHECKS[block.row_check] if block.row_check is not None else None,
                    block.title.en,
                )
            )
    return Sheet(
        model.name,
        model.title.zh,
        tuple(h.zh for h in model.help),
        tuple(blocks),
        model.title.en,
        tuple(h.en for h in model.help),
    )


def read_layout(path: Path) -> tuple[Sheet, ...]:
    """The sheets of one layout file; `LayoutError` names the file, the place and the reason."""
    file = str(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise LayoutError(file, "", f"cannot read the file ({exc})") from None
    except yaml.YAMLError as exc:
        raise LayoutError(file, "", f"not valid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise LayoutError(file, "", "a layout file must be a mapping (layout:, units:, sheets:)")
    try:
        model = _Layout.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        more = f" (and {exc.error_count() - 1} more problems)" if exc.error_count() > 1 else ""
        reason = first["msg"].removeprefix("Value error, ")
        raise LayoutError(file, _place(data, tuple(first["loc"])), reason + more) from None
    if model.layout != path.stem:
        raise LayoutError(file, "layout", f"the layout {model.layout!r} must be named as its file")
    rules = {name: UnitRule(rule.dims, rule.per, rule.offered) for name, rule in model.units.items()}
    return tuple(_sheet(sheet, rules) for sheet in model.sheets)


@cache
def layout(name: str) -> tuple[Sheet, ...]:
    """The shipped layout of a raw-data calculation a scheme may name (``raw_data: factory``)."""
    path = LAYOUTS_DIR / f"{name}.yaml"
    if not path.is_file():
        known = ", ".join(sorted(p.stem for p in LAYOUTS_DIR.glob("*.yaml")))
        raise LayoutError(str(path), "", f"no layout {name!r} (known: {known})")
    return read_layout(path)


def layout_names() -> tuple[str, ...]:
    return tuple(sorted(p.stem for p in LAYOUTS_DIR.glob("*.yaml")))
