"""greencore.form_keys: the keys a form field names its value by, built and read in one place."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from greencore import form_keys
from greencore.form_keys import InputPlace, RawPlace, input_place, raw_place
from greencore.raw_form import cell_key, is_raw_key, scalar_key
from greencore.workbook_raw import LAYOUT, Group, Table


def test_keys_of_each_kind():
    assert form_keys.input_key("green_design") == "in:green_design"
    table = form_keys.input_table_key("products")
    assert table == "tin:products"
    assert form_keys.table_cell_key(table, 0, "output") == "tin:products:0:output"
    assert form_keys.raw_value_key("energy.basis") == "s:energy.basis"
    raw_table = form_keys.raw_table_key("energy.carriers")
    assert form_keys.table_cell_key(raw_table, 2, "quantity") == "t:energy.carriers:2:quantity"


@pytest.mark.parametrize(
    ("key", "place"),
    [
        ("in:green_design", InputPlace("green_design")),
        ("tin:products:0:output", InputPlace("products", 0, "output")),
        ("tin:products:12:output", InputPlace("products", 12, "output")),
        ("tin:products:x:output", None),  # no row number
        ("tin:products", None),
        ("s:energy.basis", None),
        ("other", None),
    ],
)
def test_input_place(key, place):
    assert input_place(key) == place


@pytest.mark.parametrize(
    ("key", "place", "raw"),
    [
        ("s:energy.basis", RawPlace("energy.basis"), True),
        ("t:energy.carriers:0:quantity", RawPlace("energy.carriers", 0, "quantity"), True),
        ("t:energy.carriers:zero:quantity", None, True),
        ("t:energy.carriers", None, True),
        ("in:green_design", None, False),
        ("tin:products:0:output", None, False),
    ],
)
def test_raw_place(key, place, raw):
    assert raw_place(key) == place
    assert form_keys.holds_raw_data(key) is raw


def test_the_raw_forms_keys_are_these():
    for sheet in LAYOUT:
        for block in sheet.blocks:
            if isinstance(block, Group):
                for scalar in block.scalars:
                    key = scalar_key(scalar)
                    assert key == form_keys.raw_value_key(scalar.path) and is_raw_key(key)
            elif isinstance(block, Table):
                for column in block.columns:
                    key = cell_key(block, block.rows - 1, column)
                    assert raw_place(key) == RawPlace(block.path, block.rows - 1, column.id)
                    assert is_raw_key(key)
                    assert not is_raw_key(cell_key(block, block.rows, column))  # past the last row


identifier = st.from_regex(r"[a-z][a-z0-9_.]{0,20}", fullmatch=True)


@given(
    table=identifier,
    row=st.integers(min_value=0, max_value=10_000),
    column=st.from_regex(r"[a-z_]{1,12}", fullmatch=True),
)
def test_a_built_key_reads_back(table, row, column):
    assert input_place(form_keys.table_cell_key(form_keys.input_table_key(table), row, column)) == InputPlace(
        table, row, column
    )
    assert raw_place(form_keys.table_cell_key(form_keys.raw_table_key(table), row, column)) == RawPlace(
        table, row, column
    )
    assert input_place(form_keys.input_key(table)) == InputPlace(table)
    assert raw_place(form_keys.raw_value_key(table)) == RawPlace(table)
