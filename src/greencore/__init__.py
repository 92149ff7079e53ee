"""greencore: the pure-Python core of greenmfg — schemes as data, scoring, calculations, workbooks,
the workflow table and the review rules. No Django, no database.

This module is the public API: the platform (``greenmfg``) imports names from ``greencore`` only, never
from its submodules, and an import-linter contract (pyproject.toml) holds it to that. The submodules stay
importable for greencore's own code, its command line and its tests; their layout may change.

- schemes: `get_scheme`, `shipped`, `Registry`, `load_data`, `Scheme` and its parts, `SchemeError`;
- scoring: `score`, `score_population`, `rank_population`, `Result` (with `Gap`, `Improvement`),
  `grade_for_score`, `grade_from_status`, the compiled form `compiled` / `CompiledScheme` /
  `InputSpec` / `TableSpec`, one value's checks `convert_value`, `value_problem`, `describe`;
- raw data and calculations: `raw_scoring`, `derived_inputs`, `working`, `CALCULATIONS`,
  `compute_factory`, `compute_park`, the raw-data layout (`LAYOUT`, `Column`, `Group`, `Sheet`, `Table`,
  `fed_by_raw`) and its form fields (`raw_from_fields`, `fields_from_raw`, `is_raw_key`);
- workbooks: `write_template`, `read_answers` (every invalid cell, or the answers of the filled
  ones), `read_workbook`, `read_raw_sheets`, `fields_from_workbook`, `check_workbook`;
- workflow: `load_workflow`, `check_transition`, `TransitionRefused`, the review chain (`steps`,
  `StepSpec`, `negative_list`, `title_status_input`, `ChainError`);
- review rules: forwarding (`ForwardingRule`, `decide`, `Candidate`), panels (`aggregate`,
  `assign_panel`, `check_assignment`, `CaseFacts`, `ExpertFacts`), quotas and comparisons
  (`quota_counts`, `quota_refusal`, `compare_results`, `NATIONAL_PROJECTS_PER_YEAR`);
- regions (GB/T 2260): `region_level`, `region_prefix`, `region_within`, `province_of`, `same_province`, a
  bureau's `jurisdiction_prefix` and `jurisdiction_contains`, `RegionError`;
- call eligibility: `Eligibility` (`parse`, `to_json`), `check_eligibility` over an `ApplicantRecord`
  (`HeldTitle`, `NegativeHit`) for what is applied for (`Applying`), a `Refusal`, `EligibilityError`;
- form keys: `input_key`, `input_table_key`, `raw_value_key`, `raw_table_key`, `table_cell_key`,
  `holds_raw_data`, and what a key names (`input_place`, `raw_place`);
- after the title (动态管理): filing deadlines and states (`filing_deadline`, `filing_state`,
  `reminder_days`), the five-year exemption (`exempt_until`, `is_exempt`), the rectification deadline
  (`rectification_due`, `rectification_overdue`), the three-year ban (`may_apply_from`, `Revocation`), a
  reproducible weighted sample draw (`draw_sample`, `risk_weight`), a filing's data-quality checks
  (`filing_indicators`, `check_filing`, `IndicatorSpec`, `Filed`, `QualityProblem`);
- errors: `GreencoreError`, the base of every error greencore raises (``place``, ``zh``, ``en``).
"""

from __future__ import annotations

from greencore.calc import CALCULATIONS, CalcError, CalcInputError, compute_factory
from greencore.calc.park import compute_park
from greencore.eligibility import (
    ApplicantRecord,
    Applying,
    Eligibility,
    EligibilityError,
    HeldTitle,
    NegativeHit,
    Refusal,
    TitleRequirement,
    check_eligibility,
)
from greencore.errors import GreencoreError
from greencore.evaluation_rules import (
    NATIONAL_PROJECTS_PER_YEAR,
    IndicatorComparison,
    Quota,
    compare_results,
    quota_counts,
    quota_refusal,
)
from greencore.form_keys import (
    InputPlace,
    RawPlace,
    holds_raw_data,
    input_key,
    input_place,
    input_table_key,
    raw_place,
    raw_table_key,
    raw_value_key,
    table_cell_key,
)
from greencore.raw_form import RawForm, fields_from_raw, fields_from_workbook, is_raw_key, raw_from_fields
from greencore.raw_layout import LayoutError
from greencore.regions import (
    RegionError,
    jurisdiction_contains,
    jurisdiction_prefix,
    province_of,
    region_level,
    region_prefix,
    region_within,
    same_province,
)
from greencore.review import (
    Candidate,
    CaseFacts,
    Conflict,
    ExpertFacts,
    ForwardingDecision,
    ForwardingRule,
    PanelError,
    RuleError,
    aggregate,
    assign_panel,
    check_assignment,
    conflicts_of,
    decide,
    published_score,
)
from greencore.scoring import (
    ENGINE_VERSION,
    InputError,
    PopulationResult,
    Ranking,
    Result,
    rank_population,
    score,
    score_population,
)
from greencore.scoring.compiled import CompiledScheme, InputSpec, TableSpec, compiled
from greencore.scoring.grading import grade_for_score, grade_from_status
from greencore.scoring.inputs import InputDescription, convert_value, describe, domain, value_problem
from greencore.scoring.raw import derived_inputs, raw_scoring, working
from greencore.scoring.result import Gap, Improvement, MissingInput
from greencore.standards.loader import SchemeError, load_data
from greencore.standards.model import Choice, InputKind, Scheme, Text
from greencore.standards.registry import Registry, get_scheme, shipped
from greencore.supervision import (
    BAN_YEARS,
    DRAW_ALGORITHM,
    EXEMPTION_YEARS,
    RECTIFICATION_MONTHS,
    Filed,
    FilingState,
    IndicatorSpec,
    QualityProblem,
    Revocation,
    RiskFactor,
    Severity,
    UnfiledFiling,
    blocking,
    check_filing,
    draw_sample,
    exempt_until,
    filing_deadline,
    filing_indicators,
    filing_state,
    in_indicator_unit,
    is_exempt,
    may_apply_from,
    rectification_due,
    rectification_overdue,
    reminder_days,
    risk_weight,
)
from greencore.workbook import (
    DATA_SHEET,
    GATES_SHEET,
    CellProblem,
    WorkbookAnswers,
    read_answers,
    read_workbook,
    write_template,
)
from greencore.workbook_raw import LAYOUT, Column, Group, Sheet, Table, fed_by_raw, read_raw_sheets
from greencore.workbook_safety import Limits, check_workbook
from greencore.workflow import State, Transition, TransitionRefused, Workflow, WorkflowError
from greencore.workflow import check as check_transition
from greencore.workflow import load as load_workflow
from greencore.workflow.chain import (
    ChainError,
    NegativeItem,
    StepSpec,
    negative_list,
    steps,
    title_status_input,
)

__all__ = [
    "BAN_YEARS",
    "CALCULATIONS",
    "DATA_SHEET",
    "DRAW_ALGORITHM",
    "ENGINE_VERSION",
    "EXEMPTION_YEARS",
    "GATES_SHEET",
    "LAYOUT",
    "NATIONAL_PROJECTS_PER_YEAR",
    "RECTIFICATION_MONTHS",
    "ApplicantRecord",
    "Applying",
    "CalcError",
    "CalcInputError",
    "Candidate",
    "CaseFacts",
    "CellProblem",
    "ChainError",
    "Choice",
    "Column",
    "CompiledScheme",
    "Conflict",
    "Eligibility",
    "EligibilityError",
    "ExpertFacts",
    "Filed",
    "FilingState",
    "ForwardingDecision",
    "ForwardingRule",
    "Gap",
    "GreencoreError",
    "Group",
    "HeldTitle",
    "Improvement",
    "IndicatorComparison",
    "IndicatorSpec",
    "InputDescription",
    "InputError",
    "InputKind",
    "InputPlace",
    "InputSpec",
    "LayoutError",
    "Limits",
    "MissingInput",
    "NegativeHit",
    "NegativeItem",
    "PanelError",
    "PopulationResult",
    "QualityProblem",
    "Quota",
    "Ranking",
    "RawForm",
    "RawPlace",
    "Refusal",
    "RegionError",
    "Registry",
    "Result",
    "Revocation",
    "RiskFactor",
    "RuleError",
    "Scheme",
    "SchemeError",
    "Severity",
    "Sheet",
    "State",
    "StepSpec",
    "Table",
    "TableSpec",
    "Text",
    "TitleRequirement",
    "Transition",
    "TransitionRefused",
    "UnfiledFiling",
    "WorkbookAnswers",
    "Workflow",
    "WorkflowError",
    "aggregate",
    "assign_panel",
    "blocking",
    "check_assignment",
    "check_eligibility",
    "check_filing",
    "check_transition",
    "check_workbook",
    "compare_results",
    "compiled",
    "compute_factory",
    "compute_park",
    "conflicts_of",
    "convert_value",
    "decide",
    "derived_inputs",
    "describe",
    "domain",
    "draw_sample",
    "exempt_until",
    "fed_by_raw",
    "fields_from_raw",
    "fields_from_workbook",
    "filing_deadline",
    "filing_indicators",
    "filing_state",
    "get_scheme",
    "grade_for_score",
    "grade_from_status",
    "holds_raw_data",
    "in_indicator_unit",
    "input_key",
    "input_place",
    "input_table_key",
    "is_exempt",
    "is_raw_key",
    "jurisdiction_contains",
    "jurisdiction_prefix",
    "load_data",
    "load_workflow",
    "may_apply_from",
    "negative_list",
    "province_of",
    "published_score",
    "quota_counts",
    "quota_refusal",
    "rank_population",
    "raw_from_fields",
    "raw_place",
    "raw_scoring",
    "raw_table_key",
    "raw_value_key",
    "read_answers",
    "read_raw_sheets",
    "read_workbook",
    "rectification_due",
    "rectification_overdue",
    "region_level",
    "region_prefix",
    "region_within",
    "reminder_days",
    "risk_weight",
    "same_province",
    "score",
    "score_population",
    "shipped",
    "steps",
    "table_cell_key",
    "title_status_input",
    "value_problem",
    "working",
    "write_template",
]
