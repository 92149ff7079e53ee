"""The answers of a self-evaluation form, as one immutable value: the dossier's versions and the third-party
evaluation of them (evaluations.Engagement) both keep their answers so.

Answers are the text the user typed, under greencore's form keys (`greencore.form_keys`): scheme inputs
under ``inputs``, raw data under ``raw``. Nothing is converted before storage (ADR 0004): a half-typed or
wrong value is kept, and greencore reports it beside its field when the answers are scored. Stored as JSON:
``{"inputs": {key: text}, "raw": {key: text}}``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from greencore import holds_raw_data

MAX_TEXT = 500  # characters kept of one typed value


def _frozen(values: Mapping[str, str] | None = None) -> Mapping[str, str]:
    return MappingProxyType({str(k): str(v) for k, v in (values or {}).items()})


def as_typed(value: object) -> str:
    """The text a posted value is stored as: as typed, cut to MAX_TEXT characters ("" clears the field)."""
    return str(value)[:MAX_TEXT]


@dataclass(frozen=True, eq=True)
class Answers:
    inputs: Mapping[str, str] = field(default_factory=_frozen)
    raw: Mapping[str, str] = field(default_factory=_frozen)

    def __post_init__(self) -> None:
        # read-only views of copies: a caller's dict can change neither these answers nor their JSON
        object.__setattr__(self, "inputs", _frozen(self.inputs))
        object.__setattr__(self, "raw", _frozen(self.raw))

    @classmethod
    def from_json(cls, data: Mapping[str, Any] | None) -> Answers:
        """Answers as stored (None, or a missing part, reads as empty)."""
        data = data or {}
        return cls(data.get("inputs") or {}, data.get("raw") or {})

    def to_json(self) -> dict[str, dict[str, str]]:
        return {"inputs": dict(self.inputs), "raw": dict(self.raw)}

    def merge(self, values: Mapping[str, object]) -> Answers:
        """These answers with `values` saved over them: a field not in `values` is kept (two tabs editing
        different fields both keep their work), a value is kept as typed (`as_typed`), and a blank value
        clears its field. Raw-data keys go to `raw`, every other key to `inputs`."""
        inputs, raw = dict(self.inputs), dict(self.raw)
        for key, value in values.items():
            part = raw if holds_raw_data(key) else inputs
            text = as_typed(value)
            if text.strip():
                part[key] = text
            else:
                part.pop(key, None)
        return Answers(inputs, raw)

    def values(self) -> dict[str, str]:
        """Every field's text by its key, as a form shows them."""
        return {**self.inputs, **self.raw}

    def differing(self, other: Answers, keys: Iterable[str] | None = None) -> set[str]:
        """The keys (all, or those of `keys`) whose text differs between these answers and `other`."""
        mine, theirs = self.values(), other.values()
        asked = set(mine) | set(theirs) if keys is None else set(keys)
        return {key for key in asked if mine.get(key) != theirs.get(key)}

    def __len__(self) -> int:
        return len(self.inputs) + len(self.raw)
