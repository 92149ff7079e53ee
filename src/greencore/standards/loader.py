"""Load scheme files: resolve `extends:`, mark every number, validate, and check references.

Every error names the file, the indicator (or input, gate) id and the reason in plain words.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator, Mapping
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from greencore.calc.errors import CalcError
from greencore.calc.figures import RAW_CALCULATIONS
from greencore.calc.units import rescale
from greencore.errors import GreencoreError
from greencore.scoring.expr import CalcRef, FormulaError, parse
from greencore.standards.model import (
    InputKind,
    Mark,
    Node,
    NumberUse,
    Scheme,
)

# keys whose values are numbers of the scheme and therefore carry a verification mark
NUMBER_KEYS = frozenset(
    {"points", "weight", "base", "lead", "cap", "min", "max", "above", "pass_mark", "scale"}
)
# keys whose values are plain parameters, not marked numbers
PLAIN_KEYS = frozenset({"max_rows", "min_rows", "count", "top", "precision", "value"})
LIST_KEYS_BY_ID = ("inputs", "computed", "gates", "indicators", "children", "grades", "columns", "tiers")


class SchemeError(GreencoreError, ValueError):
    """A scheme file is malformed. The message names the file, the place and the reason.

    `place` is the path inside the file; `file` the file; the reason (English) is also `zh` and `en`."""

    def __init__(self, file: str, place: str, reason: str) -> None:
        self.file, self.reason = file, reason
        where = f"{file}: {place}: " if place else f"{file}: "
        super().__init__(place, reason, reason, message=where + reason)


MAX_SCHEME_CHARS = 400_000  # a scheme given as text (the largest shipped file is under 60 000 characters)


def read_yaml(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise SchemeError(str(path), "", "the file is not UTF-8 text") from None
    except OSError as exc:
        raise SchemeError(str(path), "", f"cannot read the file ({exc.strerror})") from None
    return _parse_yaml(text, str(path))


def read_yaml_text(text: str, file: str) -> dict[str, Any]:
    """A scheme given as text (not a file): its mapping, with id: and version:; `SchemeError` otherwise."""
    if len(text) > MAX_SCHEME_CHARS:
        raise SchemeError(file, "", f"the text is longer than {MAX_SCHEME_CHARS} characters")
    data = _parse_yaml(text, file)
    for key in ("id", "version"):
        if not data.get(key):
            raise SchemeError(file, key, f"a scheme needs {key}:")
    return data


def _parse_yaml(text: str, file: str) -> dict[str, Any]:
    path = file
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        place = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise SchemeError(path, place, f"not valid YAML: {problem}") from None
    if not isinstance(data, dict):
        raise SchemeError(path, "", "a scheme file must be a mapping (id:, version:, indicators: …)")
    return data


# ---------------------------------------------------------------------------------------------------
# extends: a local scheme names its parent and says only what differs


def merge_child(parent: dict[str, Any], child: dict[str, Any], file: str) -> dict[str, Any]:
    """Apply a child scheme's `patch`, `add`, `remove` and top-level replacements to its parent."""
    merged = copy.deepcopy(parent)
    for key in (
        "id",
        "version",
        "title",
        "source",
        "region",
        "subject",
        "precision",
        "marks",
        "raw_data",
        "report_layout",
    ):
        if key in child:
            merged[key] = copy.deepcopy(child[key])
    merged["extends"] = child["extends"]
    if "outcome" in child:
        merged["outcome"] = _deep_merge(merged.get("outcome", {}), child["outcome"])
    for item_id in child.get("remove", []) or []:
        if not _remove_by_id(merged, str(item_id)):
            raise SchemeError(
                file, f"remove: {item_id}", "no input, gate or indicator with this id in the parent"
            )
    for item_id, changes in (child.get("patch") or {}).items():
        target = _find_by_id(merged, str(item_id))
        if target is None:
            raise SchemeError(
                file, f"patch: {item_id}", "no input, gate or indicator with this id in the parent"
            )
        if not isinstance(changes, dict):
            raise SchemeError(file, f"patch: {item_id}", "a patch must be a mapping of the fields to change")
        target.update(_deep_merge(target, changes))
    add = child.get("add") or {}
    for section in ("inputs", "computed", "gates"):
        for item in add.get(section, []) or []:
            merged.setdefault(section, []).append(copy.deepcopy(item))
    for item in add.get("indicators", []) or []:
        item = copy.deepcopy(item)
        under = item.pop("under", None)
        if under in (None, "", "root"):
            merged.setdefault("indicators", []).append(item)
            continue
        target = _find_by_id(merged, str(under))
        if target is None or "rule" in target:
            raise SchemeError(
                file, f"add: indicators: {item.get('id')}", f"'under: {under}' is not a category"
            )
        target.setdefault("children", []).append(item)
    return merged


def _deep_merge(base: Any, change: Any) -> Any:
    if isinstance(base, dict) and isinstance(change, dict):
        out = dict(base)
        for key, value in change.items():
            out[key] = _deep_merge(base.get(key), value) if key in base else copy.deepcopy(value)
        return out
    return copy.deepcopy(change)


def _walk_items(data: Any) -> Iterator[tuple[list[Any], int, dict[str, Any]]]:
    if isinstance(data, dict):
        for key in LIST_KEYS_BY_ID:
            items = data.get(key)
            if isinstance(items, list):
                for index, item in enumerate(items):
                    if isinstance(item, dict):
                        yield items, index, item
                        yield from _walk_items(item)
        for key in ("outcome",):
            if isinstance(data.get(key), dict):
                yield from _walk_items(data[key])


def _find_by_id(data: dict[str, Any], item_id: str) -> dict[str, Any] | None:
    for _, _, item in _walk_items(data):
        if item.get("id") == item_id:
            return item
    return None


def _remove_by_id(data: dict[str, Any], item_id: str) -> bool:
    for items, index, item in _walk_items(data):
        if item.get("id") == item_id:
            del items[index]
            return True
    return False


# ---------------------------------------------------------------------------------------------------
# marks: every number carries V / S / R / seed and a source


def mark_numbers(data: Any, file: str) -> list[NumberUse]:
    """Replace plain numbers under NUMBER_KEYS by {value, mark, source}, inheriting `marks:`."""
    uses: list[NumberUse] = []

    def visit(node: Any, path: str, default: Mapping[str, Any] | None) -> None:
        if isinstance(node, list):
            for index, item in enumerate(node):
                label = item.get("id", index) if isinstance(item, dict) else index
                visit(item, f"{path}[{label}]", default)
            return
        if not isinstance(node, dict):
            return
        local = node.pop("marks", None)
        if local is not None:
            if not isinstance(local, dict) or "mark" not in local:
                raise SchemeError(file, path or "marks", "marks: needs a mark (V, S, R or seed) and a source")
            default = {"mark": local["mark"], "source": str(local.get("source", ""))}
        for key, value in list(node.items()):
            where = f"{path}.{key}" if path else key
            if key in NUMBER_KEYS and value is not None and not isinstance(value, dict | list):
                if isinstance(value, bool) or not isinstance(value, int | float | str):
                    raise SchemeError(file, where, f"expected a number, got {value!r}")
                if default is None:
                    raise SchemeError(
                        file,
                        where,
                        "this number has no verification mark: write {value: …, mark: V|S|R|seed, "
                        "source: …} or declare marks: on an enclosing level",
                    )
                node[key] = {"value": value, "mark": default["mark"], "source": default["source"]}
                value = node[key]
            if key in NUMBER_KEYS and isinstance(value, dict) and "value" in value:
                if "mark" not in value:
                    if default is None:
                        raise SchemeError(file, where, "this number has no mark (V, S, R or seed)")
                    value["mark"] = default["mark"]
                    value.setdefault("source", default["source"])
                try:
                    amount = Decimal(str(value["value"]))
                    mark = Mark(str(value["mark"]))
                except (InvalidOperation, ValueError):
                    raise SchemeError(
                        file,
                        where,
                        f"not a number with a known mark: {value.get('value')!r} / {value.get('mark')!r}",
                    ) from None
                uses.append(
                    NumberUse(path=where, value=amount, mark=mark, source=str(value.get("source", "")))
                )
                continue
            if key == "inputs":
                continue  # bounds of inputs are domain constraints, not scheme numbers
            visit(value, where, default)

    visit(data, "", None)
    return uses


# ---------------------------------------------------------------------------------------------------
# validation with errors in plain words


def _place(data: Any, loc: tuple[int | str, ...]) -> str:
    """Turn a pydantic location into a readable place, naming ids instead of list indexes."""
    parts: list[str] = []
    node = data
    kind = ""
    for step in loc:
        if isinstance(step, int) and isinstance(node, list) and step < len(node):
            node = node[step]
            item_id = node.get("id") if isinstance(node, dict) else None
            label = {
                "inputs": "input",
                "gates": "gate",
                "computed": "computed value",
                "columns": "column",
            }.get(kind, "indicator")
            parts.append(f"{label} {item_id}" if item_id else f"item {step + 1}")
        elif isinstance(step, str):
            kind = step
            if isinstance(node, dict):
                node = node.get(step)
            if step not in ("indicators", "children", "inputs", "gates", "computed", "columns"):
                parts.append(step)
        else:
            parts.append(str(step))
    return " › ".join(parts)


_MESSAGES = {
    "missing": "is required but missing",
    "extra_forbidden": "is not a known field (check the spelling)",
}


def validate(data: dict[str, Any], file: str) -> Scheme:
    try:
        return Scheme.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        reason = _MESSAGES.get(first["type"], first["msg"].removeprefix("Value error, "))
        if first["type"] == "enum":
            expected = first.get("ctx", {}).get("expected", "")
            reason = f"{first.get('input')!r} is not one of {expected}"
        more = f" (and {exc.error_count() - 1} more problems)" if exc.error_count() > 1 else ""
        raise SchemeError(file, _place(data, tuple(first["loc"])), reason + more) from None


def check_references(scheme: Scheme) -> None:
    """Ids unique, formulas valid and naming known values, points adding up."""
    file = scheme.file or scheme.id
    seen: dict[str, str] = {}

    def claim(item_id: str, what: str) -> None:
        if item_id in seen:
            raise SchemeError(file, f"{what} {item_id}", f"id already used by a {seen[item_id]}")
        seen[item_id] = what

    tables: dict[str, set[str]] = {}
    for item in scheme.inputs:
        claim(item.id, "input")
        if item.is_table:
            tables[item.id] = {c.id for c in item.columns}
    for gate in scheme.gates:
        claim(gate.id, "gate")
    for value in scheme.computed:
        claim(value.id, "computed value")
    nodes = scheme.iter_nodes()
    for node in nodes:
        claim(node.id, "indicator")

    scalars = {i.id for i in scheme.inputs if not i.is_table} | {
        g.id for g in scheme.gates if not g.condition
    }
    known = set(scalars)
    row_known: dict[str, set[str]] = {t: set(cols) for t, cols in tables.items()}

    def check(formula: str, place: str, table: str | None = None) -> None:
        try:
            parsed = parse(formula)
        except FormulaError as exc:
            raise SchemeError(file, place, f"formula '{formula}': {exc}") from None
        columns = {f"{t}.{c}" for t, cols in row_known.items() for c in cols}
        allowed = known | columns | (row_known.get(table, set()) if table else set())
        unknown = sorted(parsed.names - allowed)
        if unknown:
            raise SchemeError(file, place, f"formula '{formula}' names unknown values: {', '.join(unknown)}")
        for ref in sorted(parsed.calcs):
            _check_calc(scheme, ref, place, per_row_allowed=table is not None)

    # derive formulas: computed from the raw-data calculation's figures and numbers only
    for item in scheme.inputs:
        derives = [(c.derive, f"input {item.id}.{c.id} › derive", True) for c in item.columns if c.derive]
        if item.derive:
            derives.append((item.derive, f"input {item.id} › derive", False))
        for formula, place, per_row in derives:
            try:
                parsed = parse(formula)
            except FormulaError as exc:
                raise SchemeError(file, place, f"formula '{formula}': {exc}") from None
            if parsed.names or not parsed.calcs:
                raise SchemeError(
                    file,
                    place,
                    f"formula '{formula}': a derive formula reads calc(…) figures and numbers only",
                )
            for ref in sorted(parsed.calcs):
                _check_calc(scheme, ref, place, per_row_allowed=per_row)

    for value in scheme.computed:
        if value.table is not None and value.table not in tables:
            raise SchemeError(
                file, f"computed value {value.id}", f"table '{value.table}' is not a table input"
            )
        check(value.formula, f"computed value {value.id}", value.table)
        if value.table:
            row_known[value.table].add(value.id)
        else:
            known.add(value.id)
    for gate in scheme.gates:
        if gate.condition:
            check(gate.condition, f"gate {gate.id}")

    for node in nodes:
        place = f"indicator {node.id}"
        if node.applicable:
            check(node.applicable, place + " › applicable")
        rule = node.rule
        if rule is None:
            _check_points(node, file)
            continue
        if rule.over is not None and rule.over not in tables:
            raise SchemeError(file, place, f"over: '{rule.over}' is not a table input")
        if not rule.value and node.id not in known and rule.kind.value not in ("judged", "checklist"):
            raise SchemeError(
                file, place, "the rule has no value formula and no input has the indicator's id"
            )
        if rule.value:
            check(rule.value, place + " › rule.value", rule.over)
        for formula, what in ((rule.base_formula, "base_formula"), (rule.lead_formula, "lead_formula")):
            if formula:
                check(formula, f"{place} › rule.{what}", rule.over)
        if rule.weight_by:
            check(rule.weight_by, place + " › rule.weight_by", rule.over)
        for tier in rule.tiers:
            for formula in (tier.when, tier.base_formula, tier.lead_formula):
                if formula:
                    check(formula, f"{place} › tier {tier.id}", rule.over)
        if rule.kind.value == "bands":
            assert node.points is not None
            for band in rule.bands:
                if band.points.value > node.points.value:
                    raise SchemeError(
                        file,
                        place,
                        f"a band gives {band.points.value} points, more than the {node.points.value} "
                        "available",
                    )
    for grade in scheme.outcome.grades:
        for formula, what in ((grade.when, "when"), (grade.requires, "requires")):
            if formula:
                check(formula, f"grade {grade.id} › {what}")
        if not grade.when and grade.min is None and grade.above is None:
            raise SchemeError(file, f"grade {grade.id}", "a grade needs min, above or when")

    total = sum((n.points.value for n in scheme.indicators if not n.bonus and n.points), Decimal(0))
    if scheme.outcome.scale.value != total:
        raise SchemeError(
            file,
            "outcome › scale",
            f"the scale is {scheme.outcome.scale.value} but the indicators add up to {total}",
        )
    for item in scheme.inputs:
        if item.kind is InputKind.CATEGORY and len({c.id for c in item.choices}) != len(item.choices):
            raise SchemeError(file, f"input {item.id}", "two choices share an id")


def _check_calc(scheme: Scheme, ref: CalcRef, place: str, *, per_row_allowed: bool) -> None:
    """A calc(…) reference names a figure of the scheme's raw-data calculation, in a unit it converts to."""
    file = scheme.file or scheme.id
    call = f"calc('{ref.path}', '{ref.unit}')"
    calculation = RAW_CALCULATIONS.get(scheme.raw_data)
    if calculation is None:
        raise SchemeError(
            file, place, f"{call}: the scheme names no raw-data calculation (raw_data: factory …)"
        )
    figure = calculation.figures.get(ref.path)
    if figure is None:
        stem = ref.path.split(".", 1)[0]
        near = [p for p in calculation.figures if p.startswith(stem)] or list(calculation.figures)
        raise SchemeError(
            file,
            place,
            f"{call}: the {calculation.name} calculation has no figure '{ref.path}' "
            f"(figures: {', '.join(near)})",
        )
    if figure.per_row and not per_row_allowed:
        raise SchemeError(
            file,
            place,
            f"{call}: one value per row ({figure.rows_at}); only a table's formulas can read it "
            "(a column's derive, a computed value with table:, a rule with over:)",
        )
    try:
        rescale(figure.unit, ref.unit, call)
    except CalcError as exc:
        raise SchemeError(
            file, place, f"{call}: the figure is in {figure.unit or '(no unit)'}; {exc.reason}"
        ) from None


def _check_points(node: Node, file: str) -> None:
    place = f"indicator {node.id}"
    if node.aggregate == "weighted":
        total = sum((c.weight.value for c in node.children if c.weight), Decimal(0))
        if total != 1:
            raise SchemeError(file, place, f"the children's weights add up to {total}, not 1")
        return
    if node.points is None or node.bonus:
        return
    child_points = [c.points.value if c.points else None for c in node.children]
    if None in child_points:
        missing = [c.id for c in node.children if c.points is None]
        raise SchemeError(file, place, f"children without points: {', '.join(missing)}")
    values = [p for p in child_points if p is not None]
    if node.choose is not None:
        if len(set(values)) != 1:
            raise SchemeError(
                file, place, "the children of a 'choose' category must all carry the same points"
            )
        expected = values[0] * node.choose.count
    else:
        expected = sum(values, Decimal(0))
    if expected != node.points.value:
        raise SchemeError(
            file, place, f"points are {node.points.value} but the children add up to {expected}"
        )


# ---------------------------------------------------------------------------------------------------


def load_file(path: Path, resolve_parent: Callable[[str], dict[str, Any]] | None = None) -> Scheme:
    """Load one scheme file. `resolve_parent` returns the raw data of a scheme named in `extends:`."""
    raw = read_yaml(path)
    return load_data(raw, str(path), resolve_parent)


def prepare(
    raw: dict[str, Any], file: str, resolve_parent: Callable[[str], dict[str, Any]] | None = None
) -> tuple[dict[str, Any], list[NumberUse]]:
    """Resolve `extends:` and mark every number; a parent's numbers keep the parent's marks."""
    data = resolve_raw(raw, file, resolve_parent)
    return data, mark_numbers(data, file)


def load_data(
    raw: dict[str, Any], file: str, resolve_parent: Callable[[str], dict[str, Any]] | None = None
) -> Scheme:
    data, numbers = prepare(raw, file, resolve_parent)
    return finish(data, numbers, file)


def finish(data: dict[str, Any], numbers: list[NumberUse], file: str) -> Scheme:
    data = copy.deepcopy(data)
    data["numbers"] = [n.model_dump() for n in numbers]
    data["file"] = file
    scheme = validate(data, file)
    check_references(scheme)
    return scheme


def resolve_raw(
    raw: dict[str, Any], file: str, resolve_parent: Callable[[str], dict[str, Any]] | None
) -> dict[str, Any]:
    """The raw data of a scheme with its ancestry merged in (still unmarked, unvalidated)."""
    parent_name = raw.get("extends")
    if not parent_name:
        for key in ("patch", "add", "remove"):
            if key in raw:
                raise SchemeError(file, key, f"'{key}:' is only meaningful with 'extends:'")
        return copy.deepcopy(raw)
    if resolve_parent is None:
        raise SchemeError(file, "extends", f"cannot resolve parent scheme '{parent_name}' outside a registry")
    try:
        parent = resolve_parent(str(parent_name))
    except KeyError:
        raise SchemeError(file, "extends", f"no scheme '{parent_name}' is known") from None
    allowed = {
        "id", "version", "title", "source", "region", "subject", "precision", "marks", "raw_data",
        "report_layout", "extends", "outcome", "patch", "add", "remove",
    }  # fmt: skip
    unknown = sorted(set(raw) - allowed)
    if unknown:
        raise SchemeError(
            file, unknown[0], "a scheme that extends another may only set " + ", ".join(sorted(allowed))
        )
    return merge_child(parent, raw, file)
