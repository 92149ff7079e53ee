"""Local schemes a bureau writes: read from YAML text (the format of the shipped scheme files), derived from
a parent by changing its numbers (weights, thresholds, grade bands, pass mark), and compared with the parent.

Every number of a scheme is listed with its place (`Scheme.numbers`: ``indicators[energy].points``,
``outcome.grades[g3].min``); a derived scheme is written as a child that `extends:` its parent and patches
those places, so that the platform keeps a readable file and greencore's own loader checks it. Errors are
`SchemeError`s naming the place (a line and column of the text, or a number's path).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import yaml

from greencore.standards.loader import SchemeError, load_data, read_yaml_text
from greencore.standards.model import NumberUse, Scheme
from greencore.standards.registry import Registry

# the lists whose items a child's `patch:` reaches by id (greencore.standards.loader._walk_items)
_PATCHABLE_LISTS = frozenset({"indicators", "children", "grades"})
_SEGMENT = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)(?:\[([^\]]+)\])?")


def parents_from(registry: Registry) -> Callable[[str], dict[str, Any]]:
    """A resolver of `extends:` names over a registry (the shipped schemes, or those plus adopted ones)."""
    return registry.parent_data


def load_scheme_text(
    text: str, file: str, resolve_parent: Callable[[str], dict[str, Any]], *, require_parent: bool = False
) -> Scheme:
    """Read, resolve `extends:`, mark and validate a scheme given as text. `SchemeError` names the place.
    With `require_parent`, a scheme that extends nothing is refused (a local scheme derives from one)."""
    raw = read_yaml_text(text, file)
    if require_parent and not raw.get("extends"):
        raise SchemeError(file, "extends", "a local scheme must name the scheme it derives from")
    return load_data(raw, file, resolve_parent)


@dataclass(frozen=True)
class NumberChange:
    """One number that differs between a parent and a child: `before` or `after` is None when the place
    exists on one side only (an indicator added or removed)."""

    path: str
    before: NumberUse | None
    after: NumberUse | None


def scheme_diff(parent: Scheme, child: Scheme) -> list[NumberChange]:
    """Every number of `child` that differs from `parent` (value or mark), by place, in the child's order
    and then the parent's places the child dropped."""
    before = {n.path: n for n in parent.numbers}
    after = {n.path: n for n in child.numbers}
    changes = [
        NumberChange(path, before.get(path), number)
        for path, number in after.items()
        if path not in before
        or before[path].value != number.value
        or before[path].mark != number.mark
        or before[path].source != number.source
    ]
    changes += [NumberChange(path, number, None) for path, number in before.items() if path not in after]
    return changes


def _patch_target(path: str) -> tuple[str, list[str]] | None:
    """Where a number's path is patched: (the item id, or "" for the outcome; the keys below it)."""
    segments = path.split(".")
    target: str | None = "" if segments[0] == "outcome" else None
    below: list[str] = []
    for index, segment in enumerate(segments):
        match = _SEGMENT.fullmatch(segment)
        if match is None:
            return None
        key, label = match.groups()
        if label is None:
            below.append(key)
        elif key in _PATCHABLE_LISTS and not label.isdigit():
            target, below = label, []
        else:
            return None  # a list item patch-by-id does not reach (a tier inside a rule)
        if index == 0 and key == "outcome" and label is None:
            below = []
    if target is None or not below:
        return None
    return target, below


def editable_numbers(scheme: Scheme) -> list[NumberUse]:
    """The numbers a derived scheme may change (weights, thresholds, grade bands, pass mark)."""
    return [n for n in scheme.numbers if _patch_target(n.path) is not None]


def derive_scheme_text(
    parent: Scheme,
    *,
    scheme_id: str,
    version: str,
    title_zh: str,
    title_en: str,
    source: str,
    region: str,
    numbers: Mapping[str, Decimal],
) -> str:
    """A child of `parent` as YAML text: the given numbers (by path) set, marked V with the bureau's
    `source` (its own document); the rest inherited. A path that cannot be changed raises `SchemeError`."""
    patch: dict[str, Any] = {}
    outcome: dict[str, Any] = {}
    # a pass mark may be set where the parent has none (the national schemes leave it to the call)
    known = {n.path for n in parent.numbers} | {"outcome.pass_mark"}
    for path, value in numbers.items():
        found = _patch_target(path) if path in known else None
        if found is None:
            raise SchemeError(scheme_id, path, "this number is not one a derived scheme may change")
        target, below = found
        node = outcome if target == "" else patch.setdefault(target, {})
        for key in below[:-1]:
            node = node.setdefault(key, {})
        node[below[-1]] = {"value": format(value.normalize(), "f"), "mark": "V", "source": source}
    data: dict[str, Any] = {
        "id": scheme_id,
        "version": version,
        "extends": parent.key,
        "subject": parent.subject.value,
        "title": {"zh": title_zh, "en": title_en or title_zh},
        "source": {"document": source},
    }
    if region:
        data["region"] = region
    if outcome:
        data["outcome"] = outcome
    if patch:
        data["patch"] = patch
    text: str = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=110)
    return text
