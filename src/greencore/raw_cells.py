"""Cells of the raw-data layout read into the raw document: shared by the workbook and the web form.

`parse_cell` turns one non-blank cell into the value the raw document holds (a plain decimal string,
an integer, a bool, a choice's stored value, a checked unit or name); `build_table` turns a table's
rows into the document's lists (one object per row, products split by section, buildings with their
storeys, yearly history). Both raise `InputError` naming the cell (or form key) they were given.
"""

from __future__ import annotations

import dataclasses
import math
from decimal import Decimal, InvalidOperation
from typing import Any

from greencore.calc.land import Storey
from greencore.calc.numbers import text
from greencore.raw_layout import PRODUCT_SECTIONS, Column, Kind, RawRow, Shape, Table
from greencore.scoring.inputs import FALSE_WORDS, TRUE_WORDS, InputError


def cell_text(value: Any) -> str:
    """A cell as the text a person typed: 是/否 for a boolean, a number without a float's noise
    (12000, 0.00001, never 12000.0 or 1e-05), anything else as written."""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        if not math.isfinite(value):
            return ""
        return format(Decimal(repr(value)).normalize(), "f")
    return "" if value is None else str(value).strip()


def written(text: str | None, numeric: bool) -> str | float | int | None:
    """What a cell is given for an answer typed as `text`: a number where the field takes numbers and
    the text is exactly how `cell_text` reads that number back, else the text itself, so a workbook
    read back gives the text unchanged (``18.50`` and ``五万`` stay text)."""
    if text is None or not text.strip():
        return None
    if numeric:
        try:
            number = Decimal(text)
        except InvalidOperation:
            return text
        if number.is_finite():
            value: float | int = int(number) if number == number.to_integral_value() else float(number)
            if abs(number) < 2**53 and cell_text(float(value)) == text:
                return value
    return text


def blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _number(value: Any, place: str, column: Column) -> str:
    """A plain decimal string, which the calculation reads exactly (a float by its shortest repr)."""
    number: Decimal | None = None
    if isinstance(value, int | float) and not isinstance(value, bool):
        number = Decimal(repr(value))
    elif isinstance(value, str):
        try:
            number = Decimal(value.strip().replace(",", "").replace("，", ""))
        except InvalidOperation:
            number = None
    if number is None or not number.is_finite():
        raise InputError(
            place, f"“{column.label}”应填数值，而不是 {value!r}", f"expected a number, got {value!r}"
        )
    if number < 0:
        raise InputError(place, f"“{column.label}”不能为负（{value}）", f"negative value {value}")
    return text(number)


def _integer(value: Any, place: str, column: Column) -> int:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    raise InputError(
        place, f"“{column.label}”应填整数，而不是 {value!r}", f"expected an integer, got {value!r}"
    )


def parse_cell(column: Column, value: Any, place: str) -> Any:
    """One non-blank cell as the raw document holds it; anything the column cannot take is an error."""
    if column.kind is Kind.NUMBER:
        return _number(value, place, column)
    if column.kind is Kind.INTEGER:
        return _integer(value, place, column)
    if column.kind is Kind.BOOL:
        if isinstance(value, bool):
            return value
        word = str(value).strip().lower()
        if word in TRUE_WORDS or word in FALSE_WORDS:
            return word in TRUE_WORDS
        raise InputError(place, f"应填“是”或“否”，而不是 {value!r}", f"expected yes or no, got {value!r}")
    if isinstance(value, bool):
        raise InputError(
            place, f"“{column.label}”应填文字，而不是 {value!r}", f"expected a text, got {value!r}"
        )
    # a name typed as a number (a product called 2024) is still a name, without calamine's ".0"
    word = text(Decimal(repr(value))) if isinstance(value, int | float) else str(value).strip()
    if column.kind is Kind.CHOICE:
        for shown, stored in column.choices:
            if word in (shown, stored):
                return stored
        shown_all = "、".join(column.offered())
        raise InputError(
            place, f"{word!r} 不是可选项（可选：{shown_all}）", f"{word!r} is not one of: {shown_all}"
        )
    if column.kind is Kind.UNIT and column.unit is not None:
        column.unit.check(word, place)
    elif column.check is not None:
        column.check(word, place)
    return word


def required_fields(record: type[Any]) -> tuple[str, ...]:
    return tuple(
        f.name
        for f in dataclasses.fields(record)
        if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
    )


def require(table: Table, row: RawRow, names: tuple[str, ...], prefix: str = "") -> None:
    for name in names:
        key = prefix + name
        if key not in row.values:
            column = table.column(key)
            label = column.label if column else key
            raise InputError(
                row.places.get(key, row.start), f"缺少“{label}”", f"missing {key} in this row of {table.path}"
            )


def _section(out: dict[str, Any], path: str) -> dict[str, Any]:
    """The object at a dotted path, created as needed."""
    node = out
    for key in path.split(".") if path else ():
        node = node.setdefault(key, {})
    return node


def put(out: dict[str, Any], path: str, value: Any) -> None:
    parent, _, key = path.rpartition(".")
    _section(out, parent)[key] = value


def _build_products(table: Table, rows: list[RawRow], out: dict[str, Any]) -> None:
    for row in rows:
        require(table, row, ("name", "output", "output_unit"))
        base = {k: v for k, v in row.values.items() if "." not in k}
        found = False
        for section in PRODUCT_SECTIONS:
            part = {
                k.removeprefix(section + "."): v for k, v in row.values.items() if k.startswith(section + ".")
            }
            if part:
                _section(out, section).setdefault("products", []).append({**base, **part})
                found = True
        if not found:
            raise InputError(
                row.places.get("energy.share", row.start),
                "请填写该产品的能耗、碳排放或取水量分摊（比例或计量值）",
                "give the product's share (or allocated amount) of energy, emissions or water",
            )


def _build_buildings(table: Table, rows: list[RawRow], out: dict[str, Any]) -> None:
    buildings: list[tuple[dict[str, Any], RawRow]] = []
    storey_fields = tuple(f"storeys.{name}" for name in ("floor_area", "height_m", "count"))
    for row in rows:
        head = {k: v for k, v in row.values.items() if k in ("name", "footprint")}
        storey = {k.removeprefix("storeys."): v for k, v in row.values.items() if k in storey_fields}
        if head:
            require(table, row, ("name", "footprint"))
            buildings.append(({**head, "storeys": []}, row))
        elif not buildings:
            raise InputError(
                row.places.get("name", row.start),
                "续填楼层之前须先填写建筑物名称与占地面积",
                "a storey row needs a building (name and footprint) above it",
            )
        if storey:
            require(table, row, required_fields(Storey), "storeys.")
            buildings[-1][0]["storeys"].append(storey)
    for building, first in buildings:
        if not building["storeys"]:
            raise InputError(
                first.places.get("storeys.floor_area", first.start),
                "每栋建筑物至少填写一层地上楼层（楼层建筑面积、层高）",
                "give at least one above-ground storey",
            )
    if buildings:
        _section(out, "land")["buildings"] = [b for b, _ in buildings]


def _build_history(table: Table, rows: list[RawRow], out: dict[str, Any]) -> None:
    series: dict[str, list[dict[str, Any]]] = {"emissions": [], "output_values": []}
    for row in rows:
        require(table, row, ("year",))
        if len(row.values) == 1:
            raise InputError(
                row.places.get("emissions", row.start),
                "请填写该年的排放量或产值",
                "give the year's emissions or output value",
            )
        for column_id, key in (("emissions", "emissions"), ("output_value", "output_values")):
            if column_id in row.values:
                series[key].append({"year": row.values["year"], "value": row.values[column_id]})
    for key, values in series.items():
        if values:
            _section(out, "history")[key] = values


def build_table(table: Table, rows: list[RawRow], out: dict[str, Any]) -> None:
    if table.shape is Shape.PRODUCTS:
        _build_products(table, rows, out)
    elif table.shape is Shape.BUILDINGS:
        _build_buildings(table, rows, out)
    elif table.shape is Shape.HISTORY:
        _build_history(table, rows, out)
    elif rows:
        required = required_fields(table.record) if table.record else ()
        for row in rows:
            require(table, row, required)
        parent, _, key = table.path.rpartition(".")
        _section(out, parent)[key] = [row.values for row in rows]
