"""Form keys: how a form field — of the web form, of an imported workbook, of stored answers — names what it
holds. Built and read here only.

``in:<input id>``
    a scheme input (``in:green_design``);
``tin:<table id>:<row>:<column id>``
    a cell of a scheme input table (``tin:products:0:output``);
``s:<path>``
    a raw-data value (``s:energy.basis``), see `greencore.raw_form`;
``t:<table path>:<row>:<column id>``
    a raw-data table cell (``t:energy.carriers:0:quantity``).

The first two hold scheme inputs, the last two the raw data a scheme's calculation reads.
"""

from __future__ import annotations

from dataclasses import dataclass

INPUT = "in:"
INPUT_TABLE = "tin:"
RAW_VALUE = "s:"
RAW_TABLE = "t:"


def input_key(input_id: str) -> str:
    return f"{INPUT}{input_id}"


def input_table_key(table_id: str) -> str:
    """The key of a scheme input table: the prefix of its cells' keys (`table_cell_key`)."""
    return f"{INPUT_TABLE}{table_id}"


def raw_value_key(path: str) -> str:
    return f"{RAW_VALUE}{path}"


def raw_table_key(path: str) -> str:
    """The key of a raw-data table: the prefix of its cells' keys (`table_cell_key`)."""
    return f"{RAW_TABLE}{path}"


def table_cell_key(table_key: str, row: int, column_id: str) -> str:
    """The key of one cell of a table (of scheme inputs or of raw data), from the table's key."""
    return f"{table_key}:{row}:{column_id}"


def holds_raw_data(key: str) -> bool:
    """Whether `key` is written as raw data (a raw value or table cell; whether the layout has it is
    `greencore.raw_form.is_raw_key`)."""
    return key.startswith((RAW_VALUE, RAW_TABLE))


@dataclass(frozen=True)
class InputPlace:
    """Where a scheme-input key points: an input, or one cell (`row`, `column`) of an input table."""

    input: str  # the input's id; for a cell, the table's id
    row: int | None = None
    column: str | None = None

    @property
    def is_cell(self) -> bool:
        return self.row is not None


@dataclass(frozen=True)
class RawPlace:
    """Where a raw-data key points: the value at `path`, or a cell (`row`, `column`) of the table there."""

    path: str
    row: int | None = None
    column: str | None = None


def raw_place(key: str) -> RawPlace | None:
    """The raw-data value (or table cell) a key names, or None when it names none (whether the layout has
    it is `greencore.raw_form.is_raw_key`)."""
    if key.startswith(RAW_VALUE):
        return RawPlace(key[len(RAW_VALUE) :])
    if key.startswith(RAW_TABLE):
        parts = key[len(RAW_TABLE) :].rsplit(":", 2)
        if len(parts) != 3 or not parts[1].isdigit():
            return None
        return RawPlace(parts[0], int(parts[1]), parts[2])
    return None


def input_place(key: str) -> InputPlace | None:
    """The scheme input (or table cell) a key names, or None when it names none (a raw-data key, or a table
    cell key without a row number)."""
    if key.startswith(INPUT):
        return InputPlace(key[len(INPUT) :])
    if key.startswith(INPUT_TABLE):
        table_id, _, rest = key[len(INPUT_TABLE) :].partition(":")
        row, _, column = rest.partition(":")
        if not row.isdigit():
            return None
        return InputPlace(table_id, int(row), column)
    return None
