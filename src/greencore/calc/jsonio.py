"""JSON in and out: `from_dict` builds an input dataclass from a JSON-like dict, `to_dict` the reverse.

Numbers come in as strings, ints or Decimals (the CLI parses JSON floats straight to Decimal; a
Python float is taken by its shortest repr, "0.1" not 0.1000000000000000055…). Numbers go out as
strings in plain notation, so no figure ever passes through binary floating point. Unknown fields
are errors, not silently ignored: a typo must not drop a carrier from the total.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Callable, Mapping
from decimal import Decimal, InvalidOperation
from enum import Enum
from functools import cache
from typing import Any, TypeVar

from greencore.calc.errors import CalcError, CalcInputError
from greencore.calc.numbers import text

T = TypeVar("T")
R = TypeVar("R")


def join(place: str, name: str) -> str:
    return f"{place}.{name}" if place else name


def document(data: Any, accepted: tuple[str, ...]) -> Mapping[str, Any]:
    """A raw-data document's top level: an object naming only `accepted` fields (a typo is an error)."""
    if not isinstance(data, Mapping):
        raise CalcInputError("", "应为对象", "expected an object")
    unknown = [key for key in data if key not in accepted]
    if unknown:
        raise CalcInputError(
            str(unknown[0]), "未知字段", "unknown field", choices=", ".join(accepted), choices_en="accepted"
        )
    return data


def in_section(section: str, run: Callable[[], R]) -> R:
    """Run one section's calculation, naming the section in any error (``energy.carriers[0].unit``)."""
    try:
        return run()
    except CalcError as error:
        raise type(error)(
            join(section, error.place),
            error.reason_zh,
            error.reason_en,
            error.detail,
            choices=error.choices,
            choices_en=error.choices_en,
        ) from None


def to_dict(value: Any) -> Any:
    """A dataclass (or list, mapping, Decimal …) as plain JSON-able data; `None` fields are left out."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        out: dict[str, Any] = {}
        for field in dataclasses.fields(value):
            item = getattr(value, field.name)
            if item is not None and not field.name.startswith("_"):
                out[field.name] = to_dict(item)
        return out
    if isinstance(value, Decimal):
        return text(value)
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, list | tuple):
        return [to_dict(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): to_dict(v) for k, v in value.items()}
    return value


@cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def decimal_from(value: Any, place: str) -> Decimal:
    if isinstance(value, bool) or value is None:
        raise CalcInputError(place, "应为数值", "expected a number", repr(value))
    if isinstance(value, Decimal):
        number = value
    elif isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, float):
        number = Decimal(repr(value))
    elif isinstance(value, str):
        try:
            number = Decimal(value.strip())
        except InvalidOperation:
            raise CalcInputError(place, "不是数值", "not a number", repr(value)) from None
    else:
        raise CalcInputError(place, "应为数值", "expected a number", repr(value))
    if not number.is_finite():
        raise CalcInputError(place, "不是有限数值", "not a finite number", repr(value))
    return number


def _convert(hint: Any, value: Any, place: str) -> Any:
    origin = typing.get_origin(hint)
    if origin in (types.UnionType, typing.Union):
        options = [a for a in typing.get_args(hint) if a is not type(None)]
        if value is None:
            return None
        return _convert(options[0], value, place)
    if origin is tuple:
        if not isinstance(value, list | tuple):
            raise CalcInputError(place, "应为列表", "expected a list", type(value).__name__)
        item_hint = typing.get_args(hint)[0]
        return tuple(_convert(item_hint, v, f"{place}[{i}]") for i, v in enumerate(value))
    if hint is Decimal:
        return decimal_from(value, place)
    if hint is bool:
        if not isinstance(value, bool):
            raise CalcInputError(place, "应为 true 或 false", "expected true or false", repr(value))
        return value
    if hint is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise CalcInputError(place, "应为整数", "expected an integer", repr(value))
        return value
    if hint is str:
        if not isinstance(value, str):
            raise CalcInputError(place, "应为文本", "expected a text", repr(value))
        return value
    if isinstance(hint, type) and issubclass(hint, Enum):
        try:
            return hint(value)
        except ValueError:
            choices = ", ".join(str(m.value) for m in hint)
            raise CalcInputError(
                place,
                f"取值 {value!r} 无效",
                f"invalid value {value!r}",
                choices=choices,
                choices_en="one of",
            ) from None
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        return from_dict(hint, value, place)
    raise TypeError(f"from_dict cannot read type {hint!r} at {place}")  # a programming error


def from_dict(cls: type[T], data: Any, place: str = "") -> T:
    """Build dataclass `cls` from `data`, naming the field of any error (``carriers[2].unit``)."""
    if not isinstance(data, Mapping):
        raise CalcInputError(
            place or "输入", "应为对象（键值映射）", "expected an object (a mapping)", type(data).__name__
        )
    if not dataclasses.is_dataclass(cls):
        raise TypeError(f"{cls!r} is not a dataclass")
    hints = _hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls) if f.init and not f.name.startswith("_")}
    unknown = [key for key in data if key not in fields]
    if unknown:
        raise CalcInputError(
            join(place, str(unknown[0])),
            "未知字段",
            "unknown field",
            choices=", ".join(fields),
            choices_en="accepted",
        )
    values: dict[str, Any] = {}
    for name, field in fields.items():
        if name in data:
            values[name] = _convert(hints[name], data[name], join(place, name))
        elif field.default is dataclasses.MISSING and field.default_factory is dataclasses.MISSING:
            raise CalcInputError(join(place, name), "缺少必填字段", "missing required field")
    return cls(**values)


class JsonRecord:
    """`from_dict` / `to_dict` for the calculations' input and result dataclasses."""

    @classmethod
    def from_dict(cls: type[T], data: Any) -> T:
        return from_dict(cls, data)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = to_dict(self)
        return out
