"""A scheme compiled once for evaluation: parsed formulas, implicit inputs, dependency sets."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from greencore.scoring.expr import CalcRef, Formula, parse
from greencore.standards.model import (
    Column,
    Computed,
    Gate,
    Input,
    InputKind,
    Node,
    RuleKind,
    Scheme,
    Text,
)


@dataclass(frozen=True)
class InputSpec:
    """One scalar value or one table column the engine reads."""

    id: str  # "output_value" or "products.unit_energy"
    label: Text
    kind: InputKind
    unit: str
    min: Decimal | None
    max: Decimal | None
    choices: dict[str, float]
    table: str | None = None
    column: str | None = None
    rows: int = 0
    implicit: bool = False  # a gate's yes/no, or a judged/checklist indicator's own input
    role: str = "data"
    group: str = ""
    help: str = ""
    required: bool = True
    # computed from the raw-data calculation when an application brings raw data (greencore.scoring.raw)
    derive: Formula | None = None


@dataclass(frozen=True)
class TableSpec:
    id: str
    label: Text
    rows: int
    min_rows: int
    row_labels: tuple[str, ...]
    columns: tuple[str, ...]  # input column ids (without the table prefix)


@dataclass
class CompiledNode:
    node: Node
    path: tuple[str, ...]
    children: list[CompiledNode] = field(default_factory=list)
    value: Formula | None = None
    base: Formula | None = None
    lead: Formula | None = None
    weight_by: Formula | None = None
    tiers: list[tuple[Formula, Formula | None, Formula | None]] = field(default_factory=list)
    applicable: Formula | None = None
    deps: frozenset[str] = frozenset()  # raw input ids this node reads


@dataclass
class CompiledScheme:
    scheme: Scheme
    inputs: dict[str, InputSpec]
    tables: dict[str, TableSpec]
    computed: list[tuple[Computed, Formula]]
    gates: list[tuple[Gate, Formula | None]]
    roots: list[CompiledNode]
    leaves: list[CompiledNode]
    nodes: dict[str, CompiledNode]
    grade_when: list[Formula | None]
    grade_requires: list[Formula | None]
    gate_deps: dict[str, frozenset[str]]
    # the raw-data figures the scoring formulas read (derive formulas aside): columns of the evaluation
    calc_refs: frozenset[CalcRef] = frozenset()
    # the table whose formulas read a figure (a per-row figure is fitted to its rows)
    calc_tables: dict[CalcRef, str] = field(default_factory=dict)

    @property
    def derived(self) -> dict[str, Formula]:
        """The inputs (``table.column`` for columns) computed from raw data, with their formulas."""
        return {key: spec.derive for key, spec in self.inputs.items() if spec.derive is not None}


def _number_formula(value: Decimal | None, formula: str) -> Formula | None:
    if formula:
        return parse(formula)
    if value is not None:
        return parse(repr(float(value)))
    return None


def compile_scheme(scheme: Scheme) -> CompiledScheme:
    inputs: dict[str, InputSpec] = {}
    tables: dict[str, TableSpec] = {}

    def spec(item: Input | Column, key: str, **extra: Any) -> InputSpec:
        return InputSpec(
            id=key,
            label=item.label,
            kind=item.kind,
            unit=item.unit,
            min=item.min,
            max=item.max,
            choices={c.id: float(c.value) for c in item.choices},
            help=item.help,
            derive=parse(item.derive) if item.derive else None,
            **extra,
        )

    for item in scheme.inputs:
        if item.is_table:
            tables[item.id] = TableSpec(
                id=item.id,
                label=item.label,
                rows=item.max_rows,
                min_rows=item.min_rows,
                row_labels=item.row_labels,
                columns=tuple(c.id for c in item.columns),
            )
            for col in item.columns:
                key = f"{item.id}.{col.id}"
                inputs[key] = spec(
                    col, key, table=item.id, column=col.id, rows=item.max_rows, group=item.group
                )
        else:
            inputs[item.id] = spec(item, item.id, role=item.role, group=item.group, required=item.required)

    gates: list[tuple[Gate, Formula | None]] = []
    for gate in scheme.gates:
        if gate.condition:
            gates.append((gate, parse(gate.condition)))
        else:
            inputs[gate.id] = InputSpec(
                id=gate.id,
                label=gate.label,
                kind=InputKind.BOOL,
                unit="",
                min=None,
                max=None,
                choices={},
                implicit=True,
                group="基本要求",
            )
            gates.append((gate, None))

    computed = [(c, parse(c.formula)) for c in scheme.computed]
    calc_refs: set[CalcRef] = set()

    # dependency closure: computed name -> raw input ids
    closure: dict[str, frozenset[str]] = {}
    for key in inputs:
        closure[key] = frozenset({key})
    for table in tables.values():
        closure[table.id] = frozenset(f"{table.id}.{c}" for c in table.columns)
    for c, formula in computed:
        deps: set[str] = {ref.key for ref in formula.calcs}
        for name in formula.names:
            qualified = f"{c.table}.{name}" if c.table and f"{c.table}.{name}" in closure else name
            deps |= closure.get(qualified, frozenset())
        closure[f"{c.table}.{c.id}" if c.table else c.id] = frozenset(deps)

    def deps_of(formulas: list[Formula | None], table: str | None) -> frozenset[str]:
        out: set[str] = set()
        for formula in formulas:
            if formula is None:
                continue
            out |= {ref.key for ref in formula.calcs}
            for name in formula.names:
                qualified = f"{table}.{name}" if table and f"{table}.{name}" in closure else name
                out |= closure.get(qualified, frozenset())
        return frozenset(out)

    nodes: dict[str, CompiledNode] = {}
    leaves: list[CompiledNode] = []

    def build(node: Node, path: tuple[str, ...]) -> CompiledNode:
        here = CompiledNode(node=node, path=(*path, node.label.zh))
        here.applicable = parse(node.applicable) if node.applicable else None
        rule = node.rule
        if rule is not None:
            implicit_kinds = {RuleKind.JUDGED: InputKind.POINTS, RuleKind.CHECKLIST: InputKind.DEGREE}
            if not rule.value and rule.kind in implicit_kinds and node.id not in inputs:
                assert node.points is not None
                inputs[node.id] = InputSpec(
                    id=node.id,
                    label=node.label,
                    kind=implicit_kinds[rule.kind],
                    unit="分" if rule.kind is RuleKind.JUDGED else "",
                    min=Decimal(0),
                    max=node.points.value if rule.kind is RuleKind.JUDGED else Decimal(1),
                    choices={},
                    implicit=True,
                    role="judgement" if rule.kind is RuleKind.JUDGED else "data",
                    group=path[0] if path else node.label.zh,
                    help=node.help,
                )
                closure[node.id] = frozenset({node.id})
            here.value = parse(rule.value or node.id)
            here.base = _number_formula(rule.base.value if rule.base else None, rule.base_formula)
            here.lead = _number_formula(rule.lead.value if rule.lead else None, rule.lead_formula)
            here.weight_by = parse(rule.weight_by) if rule.weight_by else None
            for tier in rule.tiers:
                here.tiers.append(
                    (
                        parse(tier.when),
                        _number_formula(tier.base.value if tier.base else None, tier.base_formula),
                        _number_formula(tier.lead.value if tier.lead else None, tier.lead_formula),
                    )
                )
            formulas = [here.value, here.base, here.lead, here.weight_by, here.applicable]
            formulas += [f for tier in here.tiers for f in tier]
            here.deps = deps_of(formulas, rule.over)
            leaves.append(here)
        else:
            here.children = [build(child, here.path) for child in node.children]
            here.deps = deps_of([here.applicable], None)
        nodes[node.id] = here
        return here

    roots = [build(node, ()) for node in scheme.indicators]
    every = [f for _, f in computed] + [f for _, f in gates if f is not None]
    every += [f for cn in leaves for f in (cn.value, cn.base, cn.lead, cn.weight_by) if f is not None]
    every += [f for cn in leaves for tier in cn.tiers for f in tier if f is not None]
    every += [cn.applicable for cn in nodes.values() if cn.applicable is not None]
    grade_when = [parse(g.when) if g.when else None for g in scheme.outcome.grades]
    grade_requires = [parse(g.requires) if g.requires else None for g in scheme.outcome.grades]
    every += [f for f in (*grade_when, *grade_requires) if f is not None]
    for formula in every:
        calc_refs |= formula.calcs
    calc_tables: dict[CalcRef, str] = {}
    for c, formula in computed:
        if c.table:
            calc_tables.update(dict.fromkeys(formula.calcs, c.table))
    for cn in leaves:
        over = cn.node.rule.over if cn.node.rule else None
        if over:
            for f in (cn.value, cn.base, cn.lead, cn.weight_by, *(g for t in cn.tiers for g in t)):
                if f is not None:
                    calc_tables.update(dict.fromkeys(f.calcs, over))
    gate_deps = {
        gate.id: deps_of([formula], None) if formula else frozenset({gate.id}) for gate, formula in gates
    }
    return CompiledScheme(
        scheme=scheme,
        inputs=inputs,
        tables=tables,
        computed=computed,
        gates=gates,
        roots=roots,
        leaves=leaves,
        nodes=nodes,
        grade_when=grade_when,
        grade_requires=grade_requires,
        gate_deps=gate_deps,
        calc_refs=frozenset(calc_refs),
        calc_tables=calc_tables,
    )


_CACHE: dict[int, tuple[Scheme, CompiledScheme]] = {}


def compiled(scheme: Scheme) -> CompiledScheme:
    """The compiled form of a scheme, built once per scheme object."""
    hit = _CACHE.get(id(scheme))
    if hit is not None and hit[0] is scheme:
        return hit[1]
    result = compile_scheme(scheme)
    _CACHE[id(scheme)] = (scheme, result)
    return result
