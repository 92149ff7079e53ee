"""Turn an application's inputs (or a population's columns) into checked float64 arrays.

Missing is NaN. Nothing is coerced silently: a value of the wrong type, out of its bounds, an unknown
choice, an unknown key or too many table rows is an InputError naming the place.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import numpy as np

from greencore.errors import GreencoreError
from greencore.scoring.compiled import CompiledScheme, InputSpec
from greencore.scoring.expr import Array
from greencore.standards.model import InputKind

TRUE_WORDS = {"true", "yes", "y", "1", "是", "有", "符合", "√"}
FALSE_WORDS = {"false", "no", "n", "0", "否", "无", "不符合", "×"}


class InputError(GreencoreError, ValueError):
    """An input value is not acceptable. `place` names it; the message is Chinese, then English."""

    def __init__(self, place: str, zh: str, en: str) -> None:
        super().__init__(place, zh, en, message=f"{place}：{zh} / {en}")


def _is_missing(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, str) and value.strip() in ("", "-", "—", "/"):
        return True
    return isinstance(value, float) and math.isnan(value)


def _as_number(spec: InputSpec, value: Any) -> float | None:
    """A number as typed: ``1,200``, ``35%`` for a percentage; None for what is not a number."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float | Decimal):
        return float(value)
    text = str(value).strip().replace(",", "").replace("，", "")
    if text.endswith("%") and spec.kind is InputKind.PERCENT:
        text = text[:-1]
    try:
        return float(text)
    except ValueError:
        return None


def domain(spec: InputSpec) -> tuple[Decimal | None, Decimal | None]:
    """The lowest and highest value an input takes: its own min and max, else its kind's (counts,
    percentages, degrees and points are not negative; a degree is at most 1, a percentage 100)."""
    lower = spec.min
    if lower is None and spec.kind in (
        InputKind.COUNT,
        InputKind.PERCENT,
        InputKind.DEGREE,
        InputKind.POINTS,
    ):
        lower = Decimal(0)
    upper = spec.max
    if upper is None and spec.kind is InputKind.DEGREE:
        upper = Decimal(1)
    if upper is None and spec.kind is InputKind.PERCENT:
        upper = Decimal(100)
    return lower, upper


def convert_value(spec: InputSpec, value: Any, place: str) -> float:
    """One cell: a float, or NaN when missing."""
    if _is_missing(value):
        return math.nan
    if spec.kind is InputKind.BOOL:
        if isinstance(value, bool):
            return 1.0 if value else 0.0
        if isinstance(value, int | float) and value in (0, 1):
            return float(value)
        word = str(value).strip().lower()
        if word in TRUE_WORDS:
            return 1.0
        if word in FALSE_WORDS:
            return 0.0
        raise InputError(place, f"应填“是”或“否”，而不是 {value!r}", f"expected yes or no, got {value!r}")
    if spec.kind is InputKind.CATEGORY:
        key = str(value).strip()
        if key in spec.choices:
            return spec.choices[key]
        known = "、".join(spec.choices)
        raise InputError(place, f"{value!r} 不是可选项（可选：{known}）", f"{value!r} is not one of: {known}")
    number = _as_number(spec, value)
    if number is None:
        raise InputError(place, f"应填数值，而不是 {value!r}", f"expected a number, got {value!r}")
    if not math.isfinite(number):
        raise InputError(place, f"数值无效：{value!r}", f"not a finite number: {value!r}")
    check_bounds(spec, np.asarray([number]), place)
    return number


def check_bounds(spec: InputSpec, values: Array, place: str, row_names: Sequence[str] | None = None) -> None:
    """Raise for the first value outside the input's domain (negative quantities, shares over 100 …)."""
    lower, upper = domain(spec)
    if values.size == 0:
        return
    finite = values[~np.isnan(values)] if values.size < 64 else values
    # one pass for the common case where every value is in range; search for the culprit only if not
    with np.errstate(invalid="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # an all-missing column has no min
        smallest, largest = (
            np.nanmin(finite) if finite.size else np.nan,
            np.nanmax(finite) if finite.size else np.nan,
        )
    in_range = (lower is None or not smallest < float(lower)) and (
        upper is None or not largest > float(upper)
    )
    if in_range and spec.kind is not InputKind.COUNT:
        return
    with np.errstate(invalid="ignore"):
        bad_low = values < float(lower) if lower is not None else np.zeros(values.shape, bool)
        bad_high = values > float(upper) if upper is not None else np.zeros(values.shape, bool)
        bad_int = (
            (values != np.floor(values)) & ~np.isnan(values)
            if spec.kind is InputKind.COUNT
            else np.zeros(values.shape, bool)
        )
    for mask, zh, en in (
        (bad_low, f"不能小于 {lower}{spec.unit}", f"must not be below {lower} {spec.unit}".rstrip()),
        (bad_high, f"不能大于 {upper}{spec.unit}", f"must not exceed {upper} {spec.unit}".rstrip()),
        (bad_int, "应为整数", "must be a whole number"),
    ):
        if mask.any():
            index = np.argwhere(mask)[0]
            value = values[tuple(index)]
            where = place
            if row_names is not None:
                where = f"{row_names[int(index[0])]} › {place}"
            raise InputError(where, f"{_fmt(value)} {zh}", f"{_fmt(value)} {en}")


def _fmt(value: float) -> str:
    return f"{value:g}"


def columns_from_mapping(cs: CompiledScheme, data: Mapping[str, Any]) -> dict[str, Array]:
    """One application's inputs as arrays of length 1 (tables: shape (1, rows))."""
    if not isinstance(data, Mapping):
        raise InputError("inputs", "输入应为“编号: 值”的映射", "inputs must be a mapping of id to value")
    columns: dict[str, Array] = {}
    known = set(cs.inputs) | set(cs.tables)
    for key in data:
        if key not in known:
            close = [k for k in known if k.lower() == str(key).lower()]
            hint_zh = f"（是否为 {close[0]}？）" if close else ""
            hint_en = f" (did you mean {close[0]}?)" if close else ""
            raise InputError(
                str(key),
                f"不是本评价方案的输入项{hint_zh}",
                f"not an input of scheme {cs.scheme.key}{hint_en}",
            )
    for key, spec in cs.inputs.items():
        if spec.table is None:
            columns[key] = np.asarray([convert_value(spec, data.get(key), key)], dtype=np.float64)
    for table in cs.tables.values():
        rows = data.get(table.id)
        if _is_missing(rows):
            rows = []
        if not isinstance(rows, Sequence) or isinstance(rows, str):
            raise InputError(table.id, "应为若干行的列表", "expected a list of rows")
        if len(rows) > table.rows:
            raise InputError(
                table.id,
                f"最多 {table.rows} 行，实际 {len(rows)} 行",
                f"at most {table.rows} rows, got {len(rows)}",
            )
        for col in table.columns:
            columns[f"{table.id}.{col}"] = np.full((1, table.rows), np.nan)
        for index, row in enumerate(rows):
            if row is None:
                continue
            if not isinstance(row, Mapping):
                raise InputError(
                    f"{table.id}[{index + 1}]", "每行应为“列: 值”的映射", "each row must be a mapping"
                )
            for col_key in row:
                if col_key not in table.columns and col_key not in ("name", "label", "名称"):
                    raise InputError(
                        f"{table.id}[{index + 1}].{col_key}",
                        "不是该表的列",
                        f"not a column of table {table.id}",
                    )
            for col in table.columns:
                key = f"{table.id}.{col}"
                place = f"{table.id}[{index + 1}].{col}"
                columns[key][0, index] = convert_value(cs.inputs[key], row.get(col), place)
    return columns


def columns_from_arrays(
    cs: CompiledScheme, arrays: Mapping[str, Any], n: int, row_names: Sequence[str] | None = None
) -> dict[str, Array]:
    """A population's inputs. Scalars by id; table cells as "table.<row>.<column>" (rows from 1).

    Values are float arrays (NaN = missing) or, for bool and category inputs, arrays of strings.
    """
    columns: dict[str, Array] = {}
    known = set(cs.inputs)
    for table in cs.tables.values():
        known |= {f"{table.id}.{r}.{c}" for r in range(1, table.rows + 1) for c in table.columns}
    unknown = sorted(set(arrays) - known)
    if unknown:
        raise InputError(
            unknown[0], "不是本评价方案的输入列", f"not an input column of scheme {cs.scheme.key}"
        )

    def convert(spec: InputSpec, raw: Any, place: str) -> Array:
        array = np.asarray(raw)
        if array.dtype.kind in "fiub":
            values = array.astype(np.float64, copy=False)
            if spec.kind is InputKind.CATEGORY:
                raise InputError(place, "应填选项编号", "expected choice ids")
            if spec.kind is InputKind.BOOL:
                bad = ~np.isnan(values) & (values != 0) & (values != 1)
                if bad.any():
                    raise InputError(place, "应填 1/0 或 是/否", "expected 1/0 or yes/no")
        else:
            values = np.asarray(
                [convert_value(spec, v, place) for v in array.tolist()],
                dtype=np.float64,
            )
        check_bounds(spec, values, place, row_names)
        return values

    for key, spec in cs.inputs.items():
        if spec.table is None:
            columns[key] = convert(spec, arrays[key], key) if key in arrays else np.full(n, np.nan)
    for table in cs.tables.values():
        for col in table.columns:
            cell = np.full((n, table.rows), np.nan)
            for r in range(table.rows):
                name = f"{table.id}.{r + 1}.{col}"
                if name in arrays:
                    cell[:, r] = convert(cs.inputs[f"{table.id}.{col}"], arrays[name], name)
            columns[f"{table.id}.{col}"] = cell
    return columns


# ---------------------------------------------------------------------------------------------------
# one value's problem, in the words of a cell report, and what an input asks for


def _shown(number: float | Decimal) -> str:
    """A number as a person writes it: 5, 0.85, −3 (a true minus sign)."""
    text = format(Decimal(repr(number)) if isinstance(number, float) else number, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.replace("-", "−")


def value_problem(spec: InputSpec, value: Any) -> tuple[str, str] | None:
    """Why one typed value is refused, as (Chinese, English), or None when it is accepted or empty.

    The same checks as `convert_value`, worded for a list of cells: 「五万」不是数字 / '五万' is not a
    number; 5 超出 0–1 范围 / 5 is outside 0–1; −3 小于最小值 0 / −3 is below the minimum 0."""
    if _is_missing(value):
        return None
    typed = str(value).strip()
    if spec.kind is InputKind.BOOL:
        if isinstance(value, bool) or (isinstance(value, int | float) and value in (0, 1)):
            return None
        if typed.lower() in TRUE_WORDS or typed.lower() in FALSE_WORDS:
            return None
        return f"「{typed}」不是“是”或“否”", f"'{typed}' is not yes or no"
    if spec.kind is InputKind.CATEGORY:
        if typed in spec.choices:
            return None
        return (
            f"「{typed}」不是可选项（可选：{'、'.join(spec.choices)}）",
            f"'{typed}' is not one of: {', '.join(spec.choices)}",
        )
    number = _as_number(spec, value)
    if number is None:
        return f"「{typed}」不是数字", f"'{typed}' is not a number"
    if not math.isfinite(number):
        return f"「{typed}」不是有限的数", f"'{typed}' is not a finite number"
    lower, upper = domain(spec)
    shown = _shown(number)
    below = lower is not None and number < float(lower)
    above = upper is not None and number > float(upper)
    if (below or above) and lower is not None and upper is not None:
        span = f"{_shown(lower)}–{_shown(upper)}"
        return f"{shown} 超出 {span} 范围", f"{shown} is outside {span}"
    if below and lower is not None:
        return f"{shown} 小于最小值 {_shown(lower)}", f"{shown} is below the minimum {_shown(lower)}"
    if above and upper is not None:
        return f"{shown} 大于最大值 {_shown(upper)}", f"{shown} is above the maximum {_shown(upper)}"
    if spec.kind is InputKind.COUNT and not number.is_integer():
        return f"{shown} 不是整数", f"{shown} is not a whole number"
    return None


KIND_WORDS: dict[InputKind, tuple[str, str]] = {
    InputKind.NUMBER: ("数值", "number"),
    InputKind.PERCENT: ("百分数（填 0–100）", "percentage (0–100)"),
    InputKind.COUNT: ("整数", "whole number"),
    InputKind.BOOL: ("是/否", "yes/no"),
    InputKind.DEGREE: ("符合程度（0–1）", "degree of conformity (0–1)"),
    InputKind.POINTS: ("评分", "points"),
    InputKind.CATEGORY: ("选项", "choice"),
}


@dataclass(frozen=True)
class InputDescription:
    """What an input asks for, as the workbook's 类型 column says it and a web form can show it."""

    kind: InputKind
    unit: str
    minimum: Decimal | None
    maximum: Decimal | None
    choices: tuple[str, ...]
    zh: str  # 符合程度（0–1）, 选项：a、b, 评分（0–20）
    en: str


def describe(spec: InputSpec) -> InputDescription:
    zh, en = KIND_WORDS[spec.kind]
    if spec.kind is InputKind.CATEGORY:
        zh += "：" + "、".join(spec.choices)
        en += ": " + ", ".join(spec.choices)
    if spec.max is not None and spec.kind is InputKind.POINTS:
        zh += f"（0–{spec.max}）"
        en += f" (0–{spec.max})"
    lower, upper = domain(spec)
    return InputDescription(spec.kind, spec.unit, lower, upper, tuple(spec.choices), zh, en)
