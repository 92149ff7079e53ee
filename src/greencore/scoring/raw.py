"""From raw plant data to a scheme's inputs, through the calculations of `greencore.calc`.

An enterprise knows its coal, gas, electricity and steam purchases, output, water meters and waste
ledger, not its 单位产品综合能耗. `inputs_from_raw` runs the factory calculation on such raw data and
merges the figures it derives into the scheme's inputs; figures the applicant also typed in must
agree, or the merge refuses with the field named. The calculation's full working (every step with
its unit, coefficient and reference-table row) travels with the result.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from greencore.calc.factory import DERIVED_INPUTS, compute_factory
from greencore.scoring.inputs import InputError
from greencore.standards.model import Scheme
from greencore.standards.registry import shipped

# the raw-data calculations a scheme may name in `raw_data:`
RAW_CALCULATIONS: dict[str, Callable[[Mapping[str, Any]], dict[str, Any]]] = {"factory": compute_factory}
RAW_DERIVED: dict[str, frozenset[str]] = {"factory": DERIVED_INPUTS}


def derived_inputs(scheme: Scheme) -> frozenset[str]:
    """The scheme inputs its raw-data calculation fills (``table.column`` for table columns)."""
    return RAW_DERIVED.get(scheme.raw_data or "", frozenset())


def _mapping_for(scheme: Scheme, derived: Mapping[str, Any]) -> dict[str, Any]:
    """The derived inputs for this scheme, or for the nearest ancestor the calculation maps."""
    current: Scheme | None = scheme
    while current is not None:
        if current.id in derived:
            return dict(derived[current.id])
        current = shipped().get(current.extends) if current.extends else None
    raise InputError(
        "raw",
        f"计算结果未对应评价方案 {scheme.id}",
        f"the calculation gives no inputs for scheme {scheme.id}",
    )


def _same(a: Any, b: Any) -> bool:
    try:
        return Decimal(str(a)) == Decimal(str(b))
    except InvalidOperation:
        return str(a) == str(b)


def merge_inputs(typed: Mapping[str, Any], derived: Mapping[str, Any]) -> dict[str, Any]:
    """Typed inputs plus derived ones; a table merges row by row; a conflict is an error."""
    merged = dict(typed)
    for key, value in derived.items():
        mine = typed.get(key)
        if isinstance(value, list):
            rows = list(mine or [])
            if rows and len(rows) != len(value):
                raise InputError(
                    key,
                    f"填写了 {len(rows)} 行，而原始数据算出 {len(value)} 行",
                    f"{len(rows)} rows typed but {len(value)} derived from raw data",
                )
            out = []
            for index, derived_row in enumerate(value):
                row = dict(rows[index]) if index < len(rows) and rows[index] else {}
                for column, cell in derived_row.items():
                    if row.get(column) is not None and not _same(row[column], cell):
                        raise InputError(
                            f"{key}[{index + 1}].{column}",
                            f"填写值 {row[column]} 与原始数据计算值 {cell} 不一致",
                            f"typed {row[column]} differs from {cell} derived from raw data",
                        )
                    row[column] = cell
                out.append(row)
            merged[key] = out
        elif mine is not None and not _same(mine, value):
            raise InputError(
                key,
                f"填写值 {mine} 与原始数据计算值 {value} 不一致",
                f"typed {mine} differs from {value} derived from raw data",
            )
        else:
            merged[key] = value
    return merged


def inputs_from_raw(
    scheme: Scheme, raw: Mapping[str, Any], typed: Mapping[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """(the scheme's inputs, the calculation's full output) from raw plant data and typed inputs."""
    calculate = RAW_CALCULATIONS.get(scheme.raw_data)
    if calculate is None:
        known = "、".join(s.id for s in shipped().all() if s.raw_data)
        raise InputError(
            "raw",
            f"评价方案 {scheme.id} 不接受原始数据（接受：{known}）",
            f"scheme {scheme.id} takes no raw data (schemes that do: {known})",
        )
    try:
        calculation = calculate(raw)
    except ValueError as exc:  # CalcError: names the field of the raw data
        place = getattr(exc, "place", "")
        raise InputError(f"raw.{place}" if place else "raw", str(exc), str(exc)) from None
    derived = _mapping_for(scheme, calculation["scheme_inputs"])
    return merge_inputs(typed, derived), calculation
