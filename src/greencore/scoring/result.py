"""The result of scoring one application: score, eligibility, grade, trail, what is missing, the gap.

`Result.to_json()` gives the documented, stable JSON form (`docs/result-format.md`); `Result.from_json`
reads it back into an equal Result.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields
from decimal import Decimal
from typing import Any

RESULT_FORMAT = "greenmfg.result/1"


@dataclass(frozen=True)
class RowTrail:
    row: int
    label: str
    value: Decimal | None
    base: Decimal | None
    lead: Decimal | None
    weight: Decimal | None
    fraction: Decimal | None


@dataclass(frozen=True)
class IndicatorTrail:
    id: str
    path: tuple[str, ...]
    label: str
    label_en: str
    is_leaf: bool
    status: str  # scored | missing | not_applicable | not_counted
    points: Decimal | None
    max_points: Decimal
    rule: str = ""
    value: Decimal | None = None
    unit: str = ""
    base: Decimal | None = None
    lead: Decimal | None = None
    tier: str = ""
    fraction: Decimal | None = None
    why: str = ""
    why_en: str = ""
    rows: tuple[RowTrail, ...] = ()
    missing: tuple[str, ...] = ()


@dataclass(frozen=True)
class GateTrail:
    id: str
    label: str
    status: str  # pass | fail | missing
    source: str = ""


@dataclass(frozen=True)
class MissingInput:
    input: str
    label: str
    needed_by: tuple[str, ...]


@dataclass(frozen=True)
class ComputedValue:
    id: str
    label: str
    value: Decimal | None
    unit: str
    formula: str


@dataclass(frozen=True)
class FigureUse:
    """A figure of the raw-data calculation that the scheme's formulas read, in the unit they asked.

    `section` names the part of `Result.calculation["calculations"]` whose steps give the figure;
    `rows_used` the reference-table rows behind it (``table@version row (mark)``).
    """

    path: str
    label: str
    unit: str
    value: Decimal | None = None
    rows: tuple[Decimal, ...] = ()  # one per product, for a per-product figure
    source_unit: str = ""
    section: str = ""
    rows_used: tuple[str, ...] = ()


@dataclass(frozen=True)
class DerivedValue:
    """An input computed from raw data by the scheme's derive formula (calc(…) figures)."""

    id: str  # "total_energy_tce", or "products.unit_energy" for a table column
    label: str
    unit: str
    formula: str
    value: Decimal | None = None
    rows: tuple[Decimal | None, ...] = ()
    figures: tuple[str, ...] = ()  # the paths of the FigureUse entries it read


@dataclass(frozen=True)
class Improvement:
    indicator: str
    label: str
    points_now: Decimal
    points_target: Decimal
    score_gain: Decimal
    value_now: Decimal | None = None
    value_target: Decimal | None = None
    unit: str = ""
    action: str = ""


@dataclass(frozen=True)
class Gap:
    target: str  # the grade id, or "pass"
    target_label: str
    threshold: Decimal
    needed: Decimal
    reachable: bool
    improvements: tuple[Improvement, ...] = ()
    blockers: tuple[str, ...] = ()  # gates or prerequisites that must change first
    note: str = ""


@dataclass(frozen=True)
class Result:
    scheme_id: str
    scheme_version: str
    scheme_title: str
    engine_version: str
    inputs: dict[str, Any]
    score: Decimal | None
    score_upper: Decimal | None
    max_score: Decimal
    bonus: Decimal
    complete: bool
    eligible: bool | None
    failed_gates: tuple[str, ...]
    passed: bool | None
    grade: str | None
    grade_label: str | None
    grade_determinable: bool
    possible_grades: tuple[str, ...]
    blocked_grades: tuple[str, ...]
    gates: tuple[GateTrail, ...]
    indicators: tuple[IndicatorTrail, ...]
    computed: tuple[ComputedValue, ...]
    missing: tuple[MissingInput, ...]
    gap: Gap | None
    notes: tuple[str, ...] = field(default=())
    # the raw-data calculation's output (figures, working, tables used), when scored from raw data
    calculation: dict[str, Any] | None = None
    # the calculated figures the scheme's formulas read, and the inputs derived from them
    figures: tuple[FigureUse, ...] = ()
    derived: tuple[DerivedValue, ...] = ()

    @property
    def missing_inputs(self) -> tuple[str, ...]:
        return tuple(m.input for m in self.missing)

    def indicator(self, indicator_id: str) -> IndicatorTrail:
        for item in self.indicators:
            if item.id == indicator_id:
                return item
        raise KeyError(indicator_id)

    def categories(self) -> list[IndicatorTrail]:
        """The top-level categories (for radar charts and summaries)."""
        return [i for i in self.indicators if len(i.path) == 1]

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data = {"format": RESULT_FORMAT, **data}
        return _jsonable(data)  # type: ignore[no-any-return]

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=indent)

    @classmethod
    def from_json(cls, text: str) -> Result:
        data = json.loads(text)
        if data.pop("format", None) != RESULT_FORMAT:
            raise ValueError(f"not a {RESULT_FORMAT} document")
        return _build(cls, data)  # type: ignore[no-any-return]


def _jsonable(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value


_DECIMAL_FIELDS = {
    "score", "score_upper", "max_score", "bonus", "points", "max_points", "value", "base", "lead",
    "fraction", "weight", "points_now", "points_target", "score_gain", "value_now", "value_target",
    "threshold", "needed",
}  # fmt: skip
_NESTED: dict[str, type] = {
    "gates": GateTrail,
    "indicators": IndicatorTrail,
    "computed": ComputedValue,
    "missing": MissingInput,
    "rows": RowTrail,
    "improvements": Improvement,
    "figures": FigureUse,
    "derived": DerivedValue,
}


def _build(cls: type, data: dict[str, Any]) -> Any:
    kwargs: dict[str, Any] = {}
    for f in fields(cls):
        if f.name not in data:
            continue
        value = data[f.name]
        if f.name == "gap" and value is not None:
            value = _build(Gap, value)
        elif f.name in _NESTED and isinstance(value, list) and all(isinstance(v, dict) for v in value):
            value = tuple(_build(_NESTED[f.name], v) for v in value)
        elif f.name in _DECIMAL_FIELDS and value is not None:
            value = Decimal(value)
        elif f.name == "rows" and cls in (FigureUse, DerivedValue):
            value = tuple(None if v is None else Decimal(v) for v in value)
        elif isinstance(value, list) and f.name != "inputs":
            value = tuple(value)
        kwargs[f.name] = value
    return cls(**kwargs)
