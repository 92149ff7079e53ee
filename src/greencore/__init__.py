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
  bureau's `jurisdiction_prefix` and `jurisdiction_contains`, which bureau sits where and which it may
  open (`authority_level_for`, `bureau_refusal`), `RegionError`;
- evaluation bodies' listing: `LISTING_TRANSITIONS`, `LISTING_TARGET`, `listing_refusal`,
  `ENGAGEABLE_LISTING`;
- deadline reminders: `REMINDER_OFFSETS`, `reminder_dates` (7 days and 1 day before, the day after);
- call eligibility: `Eligibility` (`parse`, `to_json`), `check_eligibility` over an `ApplicantRecord`
  (`HeldTitle`, `NegativeHit`) for what is applied for (`Applying`), a `Refusal`, `EligibilityError`;
- form keys: `input_key`, `input_table_key`, `raw_value_key`, `raw_table_key`, `table_cell_key`,
  `holds_raw_data`, and what a key names (`input_place`, `raw_place`);
- industry benchmark values: `BenchmarkValue`, a sheet's rows checked (`check_benchmark_rows`,
  `read_benchmark_workbook`, `RowProblem`, `BENCHMARK_COLUMNS`, `BENCHMARK_MARKS`), the inputs they fill
  (`benchmark_inputs`) and the value that applies to an industry (`match_benchmarks`);
- local schemes: `load_scheme_text` (YAML text, `extends:` resolved by `parents_from(registry)`), the
  numbers a derived scheme may change (`editable_numbers`), `derive_scheme_text`, and `scheme_diff`
  (`NumberChange`) against the parent;
- errors: `GreencoreError`, the base of every error greencore raises (``place``, ``zh``, ``en``).
"""

from __future__ import annotations

from greencore.benchmarks import (
    BENCHMARK_COLUMNS,
    BENCHMARK_MARKS,
    BenchmarkValue,
    RowProblem,
    benchmark_inputs,
    check_benchmark_rows,
    match_benchmarks,
    read_benchmark_workbook,
)
from greencore.calc import CALCULATIONS, CalcError, CalcInputError, compute_factory
from greencore.calc.park import compute_park
from greencore.documents import (
    CertificateData,
    Finding,
    SelfEvaluationReport,
    TableColumn,
    TableDocument,
    Templates,
    ThirdPartyReport,
    certificate_pdf,
    html_to_pdf,
    radar_png,
    radar_svg,
    render_docx,
    render_html,
    self_evaluation_docx,
    self_evaluation_html,
    self_evaluation_pdf,
    self_evaluation_report,
    third_party_docx,
    third_party_pdf,
    third_party_report,
    write_table_xlsx,
)
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
from greencore.listing import ENGAGEABLE_LISTING, LISTING_TARGET, LISTING_TRANSITIONS, listing_refusal
from greencore.local_schemes import (
    NumberChange,
    derive_scheme_text,
    editable_numbers,
    load_scheme_text,
    parents_from,
    scheme_diff,
)
from greencore.raw_form import RawForm, fields_from_raw, fields_from_workbook, is_raw_key, raw_from_fields
from greencore.raw_layout import LayoutError
from greencore.regions import (
    RegionError,
    authority_level_for,
    bureau_refusal,
    jurisdiction_contains,
    jurisdiction_prefix,
    province_of,
    region_level,
    region_prefix,
    region_within,
    same_province,
)
from greencore.reminders import REMINDER_OFFSETS, reminder_dates
from greencore.review import (
    Basis,
    Candidate,
    CaseFacts,
    Conflict,
    ExpertFacts,
    ForwardingDecision,
    ForwardingRule,
    PanelError,
    RuleError,
    Verdict,
    aggregate,
    assign_panel,
    check_assignment,
    conflicts_of,
    decide,
    decisive_basis,
    published_score,
    unmet_prerequisites,
    verdict,
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
from greencore.standards.registry import Registry, get_scheme, shipped, shipped_dir
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
    "BENCHMARK_COLUMNS",
    "BENCHMARK_MARKS",
    "CALCULATIONS",
    "DATA_SHEET",
    "ENGAGEABLE_LISTING",
    "ENGINE_VERSION",
    "GATES_SHEET",
    "LAYOUT",
    "LISTING_TARGET",
    "LISTING_TRANSITIONS",
    "NATIONAL_PROJECTS_PER_YEAR",
    "REMINDER_OFFSETS",
    "ApplicantRecord",
    "Applying",
    "Basis",
    "BenchmarkValue",
    "CalcError",
    "CalcInputError",
    "Candidate",
    "CaseFacts",
    "CellProblem",
    "CertificateData",
    "ChainError",
    "Choice",
    "Column",
    "CompiledScheme",
    "Conflict",
    "Eligibility",
    "EligibilityError",
    "ExpertFacts",
    "Finding",
    "ForwardingDecision",
    "ForwardingRule",
    "Gap",
    "GreencoreError",
    "Group",
    "HeldTitle",
    "Improvement",
    "IndicatorComparison",
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
    "NumberChange",
    "PanelError",
    "PopulationResult",
    "Quota",
    "Ranking",
    "RawForm",
    "RawPlace",
    "Refusal",
    "RegionError",
    "Registry",
    "Result",
    "RowProblem",
    "RuleError",
    "Scheme",
    "SchemeError",
    "SelfEvaluationReport",
    "Sheet",
    "State",
    "StepSpec",
    "Table",
    "TableColumn",
    "TableDocument",
    "TableSpec",
    "Templates",
    "Text",
    "ThirdPartyReport",
    "TitleRequirement",
    "Transition",
    "TransitionRefused",
    "Verdict",
    "WorkbookAnswers",
    "Workflow",
    "WorkflowError",
    "aggregate",
    "assign_panel",
    "authority_level_for",
    "benchmark_inputs",
    "bureau_refusal",
    "certificate_pdf",
    "check_assignment",
    "check_benchmark_rows",
    "check_eligibility",
    "check_transition",
    "check_workbook",
    "compare_results",
    "compiled",
    "compute_factory",
    "compute_park",
    "conflicts_of",
    "convert_value",
    "decide",
    "decisive_basis",
    "derive_scheme_text",
    "derived_inputs",
    "describe",
    "domain",
    "editable_numbers",
    "fed_by_raw",
    "fields_from_raw",
    "fields_from_workbook",
    "get_scheme",
    "grade_for_score",
    "grade_from_status",
    "holds_raw_data",
    "html_to_pdf",
    "input_key",
    "input_place",
    "input_table_key",
    "is_raw_key",
    "jurisdiction_contains",
    "jurisdiction_prefix",
    "listing_refusal",
    "load_data",
    "load_scheme_text",
    "load_workflow",
    "match_benchmarks",
    "negative_list",
    "parents_from",
    "province_of",
    "published_score",
    "quota_counts",
    "quota_refusal",
    "radar_png",
    "radar_svg",
    "rank_population",
    "raw_from_fields",
    "raw_place",
    "raw_scoring",
    "raw_table_key",
    "raw_value_key",
    "read_answers",
    "read_benchmark_workbook",
    "read_raw_sheets",
    "read_workbook",
    "region_level",
    "region_prefix",
    "region_within",
    "reminder_dates",
    "render_docx",
    "render_html",
    "same_province",
    "scheme_diff",
    "score",
    "score_population",
    "self_evaluation_docx",
    "self_evaluation_html",
    "self_evaluation_pdf",
    "self_evaluation_report",
    "shipped",
    "shipped_dir",
    "steps",
    "table_cell_key",
    "third_party_docx",
    "third_party_pdf",
    "third_party_report",
    "title_status_input",
    "unmet_prerequisites",
    "value_problem",
    "verdict",
    "working",
    "write_table_xlsx",
    "write_template",
]
