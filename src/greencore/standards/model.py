"""Frozen definitions of an evaluation scheme, validated from a scheme file.

A scheme file is data (YAML). The loader (`loader.py`) resolves `extends:`, attaches a verification
mark to every number, and validates the result into these models. Nothing here computes a score;
the engine in `greencore.scoring` does.
"""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Identifier = Annotated[str, Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$", max_length=64)]


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Mark(StrEnum):
    """How far a number is verified (the tags of `standards.md`)."""

    VERIFIED = "V"  # checked against the official text or a faithful re-publication
    SECONDARY = "S"  # seen in implementations or commentary, not the official text
    RECALLED = "R"  # a placeholder: unverified, must be overridable data
    SEED = "seed"  # stated in a local policy document shipped in shared/seeds

    @property
    def is_verified(self) -> bool:
        return self in (Mark.VERIFIED, Mark.SEED)


class Number(Frozen):
    """A number of a scheme with its provenance."""

    value: Decimal
    mark: Mark
    source: str = ""

    def __float__(self) -> float:
        return float(self.value)


class Text(Frozen):
    zh: str
    en: str = ""


class SubjectKind(StrEnum):
    FACTORY = "factory"
    PARK = "park"
    SUPPLY_CHAIN = "supply_chain"
    PRODUCT = "product"


class InputKind(StrEnum):
    NUMBER = "number"  # a quantity with a unit
    PERCENT = "percent"  # 0..100 unless max says otherwise
    COUNT = "count"  # a non-negative integer
    BOOL = "bool"  # yes / no
    DEGREE = "degree"  # degree of conformity 0..1 (checklist items)
    POINTS = "points"  # points awarded by an evaluator, 0..max
    CATEGORY = "category"  # one of `choices`, each with a numeric value


class Choice(Frozen):
    id: str
    label: Text
    value: Decimal


class Column(Frozen):
    id: Identifier
    label: Text
    kind: InputKind = InputKind.NUMBER
    unit: str = ""
    min: Decimal | None = None
    max: Decimal | None = None
    choices: tuple[Choice, ...] = ()
    help: str = ""
    # the formula that computes the column from the scheme's raw-data calculation, one value per row
    derive: str = ""


class Input(Frozen):
    """One thing the applicant (or evaluator) supplies."""

    id: Identifier
    label: Text
    kind: InputKind = InputKind.NUMBER
    unit: str = ""
    # domain bounds of the value (a percentage ≤ 100, a count ≥ 0), not marked scheme numbers
    min: Decimal | None = None
    max: Decimal | None = None
    choices: tuple[Choice, ...] = ()
    required: bool = True
    help: str = ""
    group: str = ""  # a heading in forms and workbooks
    # who supplies it: the applicant's data, a benchmark the call or an industry table fixes, or an
    # evaluator's judgement
    role: Literal["data", "benchmark", "judgement"] = "data"
    # a table input: one row per product, per year ...; its cells are `columns`
    columns: tuple[Column, ...] = ()
    max_rows: int = 0
    min_rows: int = 0
    row_labels: tuple[str, ...] = ()  # fixed rows, e.g. 第1年 第2年 第3年
    # the formula that computes this input from the scheme's raw-data calculation, e.g.
    # "calc('energy.total', 'tce')": with raw data the value is computed (a typed one must agree);
    # without, the applicant types it
    derive: str = ""

    @property
    def is_table(self) -> bool:
        return bool(self.columns)

    @model_validator(mode="after")
    def _check(self) -> Input:
        if self.is_table:
            if self.max_rows < 1:
                raise ValueError("a table input needs max_rows ≥ 1")
            if self.row_labels and len(self.row_labels) != self.max_rows:
                raise ValueError("row_labels must name every row (as many as max_rows)")
            if self.min_rows > self.max_rows:
                raise ValueError("min_rows exceeds max_rows")
            if self.derive:
                raise ValueError("a table input derives its columns: put derive on each column")
        if self.kind is InputKind.CATEGORY and not self.choices and not self.is_table:
            raise ValueError("a category input needs choices")
        return self


class Computed(Frozen):
    """A value derived from inputs by a formula (shown in the trail with its unit)."""

    id: Identifier
    label: Text
    unit: str = ""
    formula: str
    table: Identifier | None = None  # evaluated once per row of this table


class Gate(Frozen):
    """A veto condition (一票否决): every gate must hold or the application is ineligible."""

    id: Identifier
    label: Text
    # when empty the gate is a yes/no question of its own (an implicit bool input named after the gate)
    condition: str = ""
    source: str = ""
    mark: Mark = Mark.SECONDARY


class Tier(Frozen):
    id: str
    label: Text
    when: str  # formula; the first tier whose condition holds applies
    base: Number | None = None
    lead: Number | None = None
    base_formula: str = ""
    lead_formula: str = ""


class Band(Frozen):
    """A step band: points awarded when the value reaches `min` (or stays at or under `max`)."""

    min: Number | None = None
    max: Number | None = None
    points: Number


class RuleKind(StrEnum):
    LINEAR = "linear"  # points × clamp((x − base)/(lead − base)), either direction
    RATIO = "ratio"  # points × min(x/lead, cap) or min(lead/x, cap) for lower-is-better
    CHECKLIST = "checklist"  # points × degree of conformity (0..1)
    JUDGED = "judged"  # evaluator awards 0..points on evidence
    BANDS = "bands"  # step bands
    FRACTION = "fraction"  # a formula gives the achieved fraction 0..1 directly


class Direction(StrEnum):
    HIGHER = "higher"
    LOWER = "lower"


class Aggregate(StrEnum):
    WEIGHTED_MEAN = "weighted_mean"
    MEAN = "mean"
    MIN = "min"
    LATEST = "latest"


class Rule(Frozen):
    kind: RuleKind
    value: str = ""  # formula of the indicator value; defaults to the indicator's own input
    unit: str = ""
    direction: Direction = Direction.HIGHER
    base: Number | None = None
    lead: Number | None = None
    # base and lead may come from formulas (e.g. per-product values from an energy-limit standard)
    base_formula: str = ""
    lead_formula: str = ""
    tiers: tuple[Tier, ...] = ()
    cap: Number | None = None
    bands: tuple[Band, ...] = ()
    # per-row scoring over a table input, aggregated (product-weighted, multi-year)
    over: Identifier | None = None
    weight_by: str = ""  # formula of each row's weight
    aggregate: Aggregate = Aggregate.WEIGHTED_MEAN

    @model_validator(mode="after")
    def _check(self) -> Rule:
        kind = self.kind
        has_base_lead = (self.lead is not None or bool(self.lead_formula)) or bool(self.tiers)
        if kind is RuleKind.LINEAR:
            if not self.tiers and (
                (self.base is None and not self.base_formula) or (self.lead is None and not self.lead_formula)
            ):
                raise ValueError("a linear rule needs base and lead (or tiers)")
            if self.base is not None and self.lead is not None and self.base.value == self.lead.value:
                raise ValueError("base and lead are equal: the linear rule would divide by zero")
            if self.base is not None and self.lead is not None:
                lower = self.lead.value < self.base.value
                if lower != (self.direction is Direction.LOWER):
                    raise ValueError(
                        f"direction is {self.direction.value} but lead {self.lead.value} and base "
                        f"{self.base.value} point the other way"
                    )
        if kind is RuleKind.RATIO and not has_base_lead:
            raise ValueError("a ratio rule needs lead (or tiers)")
        if kind is RuleKind.BANDS:
            if not self.bands:
                raise ValueError("a bands rule needs bands")
            for band in self.bands:
                if (band.min is None) == (band.max is None):
                    raise ValueError("each band needs exactly one of min or max")
        if kind is RuleKind.FRACTION and not self.value:
            raise ValueError("a fraction rule needs a value formula")
        if self.weight_by and self.over is None:
            raise ValueError("weight_by is only meaningful with over: <table>")
        return self


class Choose(Frozen):
    """Choose k of the children (e.g. 可选 4 选 2): the best k scored children count."""

    count: int = Field(ge=1)


class Node(Frozen):
    """A node of the indicator tree: a category (children) or an indicator (rule)."""

    id: Identifier
    label: Text
    points: Number | None = None  # the most this node can earn
    weight: Number | None = None  # share of the parent's points when the parent aggregates by weight
    rule: Rule | None = None
    children: tuple[Node, ...] = ()
    aggregate: Literal["sum", "weighted"] = "sum"
    choose: Choose | None = None
    bonus: bool = False  # a bonus branch: added on top of the scale, up to `points` as the cap
    required: bool = False  # 必选: must reach full conformity or the application is ineligible
    applicable: str = ""  # formula; when false the node is not applicable
    if_not_applicable: Literal["full", "exclude"] = "exclude"
    unit: str = ""
    source: str = ""
    help: str = ""

    @property
    def is_leaf(self) -> bool:
        return self.rule is not None

    @model_validator(mode="after")
    def _check(self) -> Node:
        if (self.rule is None) == (not self.children):
            raise ValueError("a node has either a rule (an indicator) or children (a category), not both")
        if self.rule is not None and self.points is None:
            raise ValueError("an indicator needs points")
        if self.choose is not None and self.choose.count > len(self.children):
            raise ValueError(f"choose {self.choose.count} of only {len(self.children)} children")
        if self.aggregate == "weighted":
            if self.points is None:
                raise ValueError("a weighted category needs points")
            missing = [c.id for c in self.children if c.weight is None]
            if missing:
                raise ValueError(f"children without weight under a weighted category: {', '.join(missing)}")
        return self


class GradeBand(Frozen):
    id: str
    label: Text
    min: Number | None = None  # score ≥ min
    above: Number | None = None  # score > above
    # grades given by status, not score (e.g. Suzhou 4A = provincial title); a formula
    when: str = ""
    # the grade is only given if this holds (e.g. 3A needs 2A already held); a formula
    requires: str = ""
    requires_label: Text | None = None


class Ranking(Frozen):
    """Top N of a call among those that meet the threshold (e.g. 'XX市': > 80 and top 30)."""

    top: int = Field(ge=1)
    min: Number | None = None
    above: Number | None = None


class PercentileBand(Frozen):
    id: str
    label: Text
    top: Decimal = Field(gt=0, le=1)  # cumulative share from the best, e.g. 0.05, 0.40, 1


class Percentiles(Frozen):
    bands: tuple[PercentileBand, ...]
    source: str = ""
    mark: Mark = Mark.SECONDARY


class Outcome(Frozen):
    scale: Number  # the full score without bonus (usually 100)
    pass_mark: Number | None = None
    pass_above: bool = False  # pass needs score > pass_mark rather than ≥
    grades: tuple[GradeBand, ...] = ()
    ranking: Ranking | None = None
    percentiles: Percentiles | None = None
    label: Text = Text(zh="总分", en="Total score")
    # round each indicator's points before adding them up (a scoring sheet kept to `precision`);
    # by default sums keep full precision and only published figures are rounded
    round_indicators: bool = False


class Source(Frozen):
    document: str
    issued_by: str = ""
    refs: tuple[str, ...] = ()
    notes: str = ""


class NumberUse(Frozen):
    """Where a number of the scheme is used, with its mark: what `scheme show` lists."""

    path: str
    value: Decimal
    mark: Mark
    source: str


class Scheme(Frozen):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_.-]*$")
    version: str
    subject: SubjectKind
    title: Text
    source: Source
    extends: str = ""
    region: str = ""  # GB/T 2260 code of the issuing region; empty for national
    # the calculation of greencore.calc (greencore.calc.figures.RAW_CALCULATIONS) whose figures the
    # scheme's formulas read with calc(…) when an application brings raw plant data (coal, gas,
    # electricity, steam, meters, ledgers); empty when the scheme takes indicator values only
    raw_data: Literal["", "factory", "park"] = ""
    precision: int = Field(default=2, ge=0, le=6)
    # the layout of the self-evaluation report where the scheme's issuer prescribes one (Suzhou's
    # 《苏州市绿色工厂评价报告》, 'XX市' 自评表 + 自评报告): the report is drawn from the template files
    # self_evaluation-<layout>.html / .docx; empty = the general 自评价报告. A child scheme inherits it.
    report_layout: str = Field(default="", pattern=r"^[a-z0-9_-]*$")
    inputs: tuple[Input, ...] = ()
    computed: tuple[Computed, ...] = ()
    gates: tuple[Gate, ...] = ()
    indicators: tuple[Node, ...]
    outcome: Outcome
    numbers: tuple[NumberUse, ...] = ()  # filled by the loader
    file: str = ""  # filled by the loader

    @property
    def key(self) -> str:
        return f"{self.id}@{self.version}"

    def iter_nodes(self) -> list[Node]:
        out: list[Node] = []

        def walk(nodes: tuple[Node, ...]) -> None:
            for node in nodes:
                out.append(node)
                walk(node.children)

        walk(self.indicators)
        return out

    def input(self, input_id: str) -> Input:
        for item in self.inputs:
            if item.id == input_id:
                return item
        raise KeyError(input_id)

    def unverified_numbers(self) -> list[NumberUse]:
        return [n for n in self.numbers if not n.mark.is_verified]


Node.model_rebuild()


def plain(data: Any) -> Any:
    """The JSON-ready form of a definition (for `scheme show --format json` and diffs)."""
    if isinstance(data, BaseModel):
        return data.model_dump(mode="json", exclude_defaults=True)
    return data
