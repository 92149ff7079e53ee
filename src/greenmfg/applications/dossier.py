"""The self-evaluation form of a scheme and its live result — read from greencore, never re-implemented.

Answers (`answers.Answers`) are stored as the text the user typed, under greencore's form keys
(`greencore.form_keys`: scheme inputs, input-table cells, raw-data values and cells). Nothing is converted
before storage, so a half-typed or wrong value is never lost; `evaluate` reports it beside its field and
scores the rest, and `store_result` keeps the result beside the answers.

Labels, titles and help are the Chinese (`label`, `title`, `help`), which also name sections and fields in
messages and reopened items; the English beside them (`label_en`, `title_en`, `help_en`, `choices_en`) comes
from greencore — the scheme's `Text.en`, the raw layout's English — and is empty where greencore has none, so
an English page shows the Chinese there (the `bilingual` template filter).
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from django.core.cache import cache as shared_cache

import greencore
from greencore import (
    ENGINE_VERSION,
    LAYOUT,
    Choice,
    Column,
    CompiledScheme,
    Group,
    InputError,
    InputSpec,
    Result,
    Scheme,
    Sheet,
    Table,
    TableSpec,
    compiled,
    convert_value,
    derived_inputs,
    describe,
    fed_by_raw,
    input_key,
    input_place,
    input_table_key,
    is_raw_key,
    raw_from_fields,
    raw_table_key,
    raw_value_key,
    score,
    table_cell_key,
)
from greenmfg.core.errors import Detail
from greenmfg.schemes.selectors import get_scheme

from .answers import Answers
from .models import ScoredAnswers

logger = logging.getLogger(__name__)
# rows of an entry table shown at first; the rest, to the scheme's limit, open under "more rows"
TABLE_ROWS_SHOWN = 5
# The English of the section titles this module and greencore's compiler name (not a scheme's words).
FIXED_TITLES_EN = {
    "基本要求": "Basic requirements",
    "评价数据": "Evaluation data",
    "分项数据": "Data by item",
}


def scheme_for(scheme_id: str, version: str) -> Scheme:
    return get_scheme(f"{scheme_id}@{version}")


@dataclass(frozen=True)
class Field:
    key: str
    label: str
    kind: str  # number | bool | choice | text | integer | unit
    unit: str = ""
    help: str = ""
    choices: tuple[str, ...] = ()  # the values offered (what is typed and stored)
    required: bool = True
    indicator: str = ""
    label_en: str = ""
    help_en: str = ""
    choices_en: tuple[str, ...] = ()  # the English label of each of `choices`, "" where none
    choices_zh: tuple[str, ...] = ()  # the Chinese label of each of `choices` (a scheme's category input)
    scale: str = ""  # what the field takes, as the workbook says it: 符合程度（0–1）, 百分数（填 0–100）…
    scale_en: str = ""


@dataclass(frozen=True)
class TableBlock:
    """An entry table: `rows` shown at first, up to `capacity` (the scheme's limit) under "more rows"."""

    key: str
    title: str
    columns: tuple[Field, ...]
    rows: int
    capacity: int
    row_labels: tuple[str, ...] = ()
    title_en: str = ""

    def cell_key(self, row: int, column: Field) -> str:
        return table_cell_key(self.key, row, column.key)


@dataclass(frozen=True)
class Section:
    title: str  # Chinese: also the name of a reopened item
    fields: tuple[Field, ...] = ()
    tables: tuple[TableBlock, ...] = ()
    help: tuple[str, ...] = ()
    raw: bool = False
    title_en: str = ""
    help_en: tuple[str, ...] = ()


@dataclass(frozen=True)
class Indicator:
    """A leaf indicator, for evidence and findings: its id and its label in both languages."""

    id: str
    label: str
    label_en: str = ""


@dataclass(frozen=True)
class Form:
    scheme: Scheme
    sections: tuple[Section, ...]
    keys: frozenset[str]
    indicators: tuple[tuple[str, str], ...]  # (leaf id, Chinese label) for evidence
    indicator_rows: tuple[Indicator, ...] = ()  # the same leaves, with their English

    @property
    def indicator_by_id(self) -> dict[str, Indicator]:
        return {row.id: row for row in self.indicator_rows}

    def accepts(self, key: str) -> bool:
        return key in self.keys or (fed_by_raw(self.scheme) and is_raw_key(key))

    def section_of(self, key: str) -> str | None:
        """The title of the section a field belongs to (a bureau reopens whole sections)."""
        for section in self.sections:
            if any(f.key == key for f in section.fields):
                return section.title
            if any(key.startswith(f"{t.key}:") for t in section.tables):
                return section.title
        return None


def _kind(spec: InputSpec) -> str:
    kind = str(spec.kind.value if hasattr(spec.kind, "value") else spec.kind)
    if kind == "category":
        return "choice"
    return "bool" if kind == "bool" else "number"


def _input_field(key: str, spec: InputSpec, labels: Mapping[str, Choice] | None = None) -> Field:
    """A scheme input; `labels` are its choices by id, for their English (the scheme input help has none)."""
    choices = tuple(spec.choices)
    labels = labels or {}
    scale = describe(spec)
    return Field(
        key=key,
        label=spec.label.zh,
        kind=_kind(spec),
        unit=spec.unit,
        help=spec.help,
        choices=choices,
        required=spec.required,
        label_en=spec.label.en,
        choices_en=tuple(labels[c].label.en if c in labels else "" for c in choices),
        choices_zh=tuple(labels[c].label.zh if c in labels else c for c in choices),
        scale=scale.zh,
        scale_en=scale.en,
    )


def _choice_labels(scheme: Scheme) -> dict[str, dict[str, Choice]]:
    """The choices of every category input (and table column, as ``table.column``) by id."""
    out: dict[str, dict[str, Choice]] = {}
    for item in scheme.inputs:
        if item.choices:
            out[item.id] = {c.id: c for c in item.choices}
        for column in item.columns:
            if column.choices:
                out[f"{item.id}.{column.id}"] = {c.id: c for c in column.choices}
    return out


def _titles_en(scheme: Scheme) -> dict[str, str]:
    """The English of section titles: a scheme group named after an indicator category takes the
    category's English; a group with no English is not listed (its Chinese is shown)."""
    titles = dict(FIXED_TITLES_EN)
    for node in scheme.iter_nodes():
        if node.label.en:
            titles.setdefault(node.label.zh, node.label.en)
    return titles


def _raw_sections() -> list[Section]:
    sections: list[Section] = []
    for sheet in LAYOUT:
        sections.append(_raw_section(sheet))
    return sections


def _raw_column(column: Column) -> Field:
    return Field(
        key=column.id,
        label=column.label,
        kind=str(column.kind.value),
        help=column.help,
        choices=column.offered(),
        label_en=column.label_en,
        help_en=column.help_en,
        choices_en=column.offered_en(),
    )


def _raw_section(sheet: Sheet) -> Section:
    fields: list[Field] = []
    tables: list[TableBlock] = []
    for block in sheet.blocks:
        if isinstance(block, Group):
            for scalar in block.scalars:
                base = _raw_column(scalar.column)
                fields.append(
                    Field(
                        raw_value_key(scalar.path),
                        base.label,
                        base.kind,
                        help=scalar.note or base.help,
                        choices=base.choices,
                        label_en=base.label_en,
                        help_en=scalar.note_en if scalar.note else base.help_en,
                        choices_en=base.choices_en,
                    )
                )
        elif isinstance(block, Table):
            tables.append(
                TableBlock(
                    key=raw_table_key(block.path),
                    title=block.title,
                    columns=tuple(_raw_column(c) for c in block.columns),
                    rows=min(block.rows, TABLE_ROWS_SHOWN),
                    title_en=block.title_en,
                    capacity=block.rows,
                )
            )
    return Section(
        sheet.title,
        tuple(fields),
        tuple(tables),
        sheet.help,
        raw=True,
        title_en=sheet.title_en,
        help_en=sheet.help_en,
    )


def _table_block(
    cs: CompiledScheme, table: TableSpec, hidden: frozenset[str], choices: Mapping[str, Mapping[str, Choice]]
) -> TableBlock | None:
    columns = tuple(
        _input_field(column, cs.inputs[f"{table.id}.{column}"], choices.get(f"{table.id}.{column}"))
        for column in table.columns
        if f"{table.id}.{column}" not in hidden
    )
    if not columns:
        return None
    return TableBlock(
        key=input_table_key(table.id),
        title=table.label.zh,
        columns=columns,
        rows=min(table.rows, max(TABLE_ROWS_SHOWN, len(table.row_labels))),
        row_labels=table.row_labels,
        title_en=table.label.en,
        capacity=table.rows,
    )


# Forms are built once per scheme *content*: kept by the scheme's key and its content digest
# (`scheme_digest`, as the kept evaluations are), never by its name alone — a local scheme adopted again
# under the same `id@version` with another text (another database, a bureau's re-adoption) gets its own.
FORMS_KEPT = 64
_forms: OrderedDict[tuple[str, str], Form] = OrderedDict()
_forms_lock = threading.Lock()


def build_form(scheme: Scheme | str) -> Form:
    """The self-evaluation form of `scheme` (or of the scheme `id@version` names), built once per content."""
    if isinstance(scheme, str):
        scheme = get_scheme(scheme)
    key = (scheme.key, scheme_digest(scheme))
    with _forms_lock:
        kept = _forms.get(key)
        if kept is not None:
            _forms.move_to_end(key)
            return kept
    form = _build_form(scheme)
    with _forms_lock:
        _forms[key] = form
        _forms.move_to_end(key)
        while len(_forms) > FORMS_KEPT:
            _forms.popitem(last=False)
    return form


def _build_form(scheme: Scheme) -> Form:
    cs = compiled(scheme)
    # inputs computed from raw data are asked as raw data only where the form offers it
    hidden = derived_inputs(scheme) if fed_by_raw(scheme) else frozenset()
    choices = _choice_labels(scheme)
    titles_en = _titles_en(scheme)
    groups: dict[str, list[Field]] = {}
    for key, spec in cs.inputs.items():
        if spec.table is not None or key in hidden:
            continue
        title = spec.group or ("基本要求" if spec.implicit and spec.kind.value == "bool" else "评价数据")
        groups.setdefault(title, []).append(_input_field(input_key(key), spec, choices.get(key)))
    tables = [b for t in cs.tables.values() if (b := _table_block(cs, t, hidden, choices)) is not None]
    ordered = sorted(groups.items(), key=lambda item: item[0] != "基本要求")
    sections = [Section(title, tuple(fields), title_en=titles_en.get(title, "")) for title, fields in ordered]
    if tables:
        sections.append(Section("分项数据", tables=tuple(tables), title_en=titles_en["分项数据"]))
    if fed_by_raw(scheme):
        sections = _raw_sections() + sections
    keys = {f.key for s in sections if not s.raw for f in s.fields}
    keys |= {
        t.cell_key(row, column)
        for s in sections
        if not s.raw
        for t in s.tables
        for row in range(t.capacity)
        for column in t.columns
    }
    rows = tuple(Indicator(leaf.node.id, leaf.node.label.zh, leaf.node.label.en) for leaf in cs.leaves)
    indicators = tuple((row.id, row.label) for row in rows)
    return Form(scheme, tuple(sections), frozenset(keys), indicators, rows)


@dataclass
class Evaluation:
    result: Result | None
    errors: dict[str, tuple[str, str]] = field(default_factory=dict)
    raw_error: tuple[str, str, str] | None = None  # (place, zh, en) from the raw-data calculation
    from_raw: bool = False

    @property
    def raw_reason(self) -> tuple[str, str] | None:
        """The raw-data calculation's error as (zh, en), for the `lang` filter."""
        return None if self.raw_error is None else (self.raw_error[1], self.raw_error[2])


def store_result(record: ScoredAnswers, evaluation: Evaluation) -> None:
    """Keep what greencore computed beside the answers (a dossier version, or a third-party evaluation):
    the result as its JSON, and the score as greencore's Decimal, unchanged — greencore rounds it half-up
    at the scheme's precision (`scheme.precision`, two places unless a scheme says otherwise)."""
    result = evaluation.result
    record.result = result.to_json() if result is not None else None
    record.score = result.score if result is not None else None
    record.grade = (result.grade or "") if result is not None and result.grade_determinable else ""


def typed_inputs(
    cs: CompiledScheme, answers: Mapping[str, str]
) -> tuple[dict[str, Any], dict[str, tuple[str, str]]]:
    """The scheme inputs from typed answers; a value greencore refuses is left out and reported."""
    inputs: dict[str, Any] = {}
    errors: dict[str, tuple[str, str]] = {}
    tables: dict[str, dict[int, dict[str, Any]]] = {}
    for key, value in answers.items():
        if value is None or not str(value).strip():
            continue
        place = input_place(key)
        if place is None:
            continue
        target: tuple[str, int, str] | None = None
        if place.row is None:
            spec = cs.inputs.get(place.input)
            if spec is None or spec.table is not None:
                continue
        else:
            spec = cs.inputs.get(f"{place.input}.{place.column}")
            if spec is None:
                continue
            target = (place.input, place.row, str(place.column))
        try:
            convert_value(spec, value, key)
        except InputError as error:
            errors[key] = (error.zh, error.en)
            continue
        if target is None:
            inputs[spec.id] = value
        else:
            tables.setdefault(target[0], {}).setdefault(target[1], {})[target[2]] = value
    for table_id, rows in tables.items():
        inputs[table_id] = [rows.get(i, {}) for i in range(max(rows) + 1)]
    return inputs, errors


def evaluate(
    scheme: Scheme, answers: Answers | Mapping[str, Any], decided: Mapping[str, Any] | None = None
) -> Evaluation:
    """The answers scored by greencore (`answers`, or their JSON as stored): the result, and every value
    greencore refused under its field's key. `decided`: the inputs the platform decides for the applicant
    over what was typed (`selectors.decided_inputs`: the grade held read from the titles the platform
    granted, and the status of the title the call confers — a Suzhou provincial call's applicant reaches
    4A), so that the dossier grades as the verdict will."""
    if not isinstance(answers, Answers):
        answers = Answers.from_json(answers)
    cs = compiled(scheme)
    typed, errors = typed_inputs(cs, answers.inputs)
    typed.update(decided or {})
    raw_document = None
    if fed_by_raw(scheme):
        raw_form = raw_from_fields(answers.raw)
        errors.update(raw_form.errors)
        if raw_form.document and not raw_form.errors:
            raw_document = raw_form.document
    evaluation = Evaluation(result=None, errors=errors)
    if raw_document is not None:
        try:
            evaluation.result = score(scheme, typed, raw_document)
            evaluation.from_raw = True
            return evaluation
        except InputError as error:
            evaluation.raw_error = (error.place, error.zh, error.en)
            field_key = raw_value_key(error.place.removeprefix("raw."))
            if is_raw_key(field_key):
                evaluation.errors.setdefault(field_key, (error.zh, error.en))
    try:
        evaluation.result = score(scheme, typed)
    except InputError as error:
        evaluation.errors.setdefault(error.place, (error.zh, error.en))
    return evaluation


# Pages read the same answers again and again (the dossier, each section opened, a reviewer's view): the
# evaluation of a given scheme and answers is a pure function of them, so it is kept — in each process for
# the last few, and in the shared cache for every worker (a save on one worker serves the page on another).
# It is addressed by everything it is computed from, never by a name or a number that another database,
# another deployment or another scheme text can reuse: the engine's own files, the scheme's content (a
# local scheme's `id@version` can carry another text elsewhere), and the answers.
EVALUATIONS_KEPT = 256
EVALUATION_CACHE_SECONDS = 24 * 3600
_evaluations: OrderedDict[str, Evaluation] = OrderedDict()
_evaluations_lock = threading.Lock()
ENGINE_FILES = frozenset({".py", ".yaml", ".yml", ".json", ".csv", ".toml"})


def engine_fingerprint(root: Path) -> str:
    """A digest of the engine's code and data under `root` (greencore's package): ENGINE_VERSION names a
    release, this changes with any edit of a rule, a shipped scheme or a reference table."""
    digest = hashlib.blake2b(ENGINE_VERSION.encode(), digest_size=16)
    for path in sorted(p for p in root.rglob("*") if p.suffix in ENGINE_FILES and p.is_file()):
        if "__pycache__" in path.parts:
            continue
        digest.update(f"\n{path.relative_to(root).as_posix()}\n".encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


@cache
def _engine() -> str:
    return engine_fingerprint(Path(greencore.__file__).parent)


_scheme_digests: OrderedDict[int, tuple[Scheme, str]] = OrderedDict()


def scheme_digest(scheme: Scheme) -> str:
    """A digest of the scheme's content, computed once per scheme object (schemes are immutable)."""
    with _evaluations_lock:
        kept = _scheme_digests.get(id(scheme))
        if kept is not None and kept[0] is scheme:
            return kept[1]
    digest = hashlib.blake2b(scheme.model_dump_json().encode(), digest_size=16).hexdigest()
    with _evaluations_lock:
        _scheme_digests[id(scheme)] = (scheme, digest)
        while len(_scheme_digests) > 64:
            _scheme_digests.popitem(last=False)
    return digest


def _evaluation_key(scheme: Scheme, answers: Answers, decided: Mapping[str, Any] | None) -> str:
    text = json.dumps(answers.to_json(), sort_keys=True, ensure_ascii=False)
    given = json.dumps(dict(decided or {}), sort_keys=True, ensure_ascii=False, default=str)
    source = f"{_engine()}\n{scheme.key}\n{scheme_digest(scheme)}\n{given}\n{text}"
    return f"dossier-evaluation:{hashlib.blake2b(source.encode(), digest_size=16).hexdigest()}"


def _keep_here(key: str, evaluation: Evaluation) -> None:
    with _evaluations_lock:
        _evaluations[key] = evaluation
        _evaluations.move_to_end(key)
        while len(_evaluations) > EVALUATIONS_KEPT:
            _evaluations.popitem(last=False)


def remember(
    scheme: Scheme,
    answers: Answers | Mapping[str, Any],
    evaluation: Evaluation,
    decided: Mapping[str, Any] | None = None,
) -> None:
    """Keep an evaluation just computed (by a save) for the pages that read the same answers."""
    if not isinstance(answers, Answers):
        answers = Answers.from_json(answers)
    key = _evaluation_key(scheme, answers, decided)
    _keep_here(key, evaluation)
    try:
        shared_cache.set(key, evaluation, EVALUATION_CACHE_SECONDS)
    except Exception:  # the shared cache (database or Redis) is an optimisation: it never fails a page
        logger.warning("evaluation cache unavailable", exc_info=True)


def evaluation_for_page(
    scheme: Scheme, answers: Answers | Mapping[str, Any], decided: Mapping[str, Any] | None = None
) -> Evaluation:
    """`evaluate`, for reading: the same answers are scored once (pages only read the evaluation; a save
    scores afresh and `remember`s it)."""
    if not isinstance(answers, Answers):
        answers = Answers.from_json(answers)
    key = _evaluation_key(scheme, answers, decided)
    with _evaluations_lock:
        kept = _evaluations.get(key)
        if kept is not None:
            _evaluations.move_to_end(key)
            return kept
    try:
        shared = shared_cache.get(key)
    except Exception:  # as above: computed afresh instead
        logger.warning("evaluation cache unavailable", exc_info=True)
        shared = None
    if isinstance(shared, Evaluation):
        _keep_here(key, shared)
        return shared
    evaluation = evaluate(scheme, answers, decided)
    remember(scheme, answers, evaluation, decided)
    return evaluation


@dataclass(frozen=True)
class Blocker:
    """One thing that stops a submission: its text, and the field it concerns (a form key) or ""."""

    text: str
    key: str = ""


@dataclass(frozen=True)
class BlockerGroup:
    """The blockers of one section of the form (index into `Form.sections`; -1 for none)."""

    title: str
    title_en: str
    index: int
    items: tuple[Blocker, ...]


def _blocker_items(form: Form, evaluation: Evaluation, english: bool) -> list[Blocker]:
    out: list[Blocker] = []
    fields = [f for s in form.sections for f in s.fields]
    labels = {f.key: (f.label_en or f.label) if english else f.label for f in fields}
    for key, (zh, en) in evaluation.errors.items():
        text = f"{labels.get(key, key)}: {en}" if english else f"{labels.get(key, key)}：{zh}"
        out.append(Blocker(text, key))
    if evaluation.raw_error is not None:
        place, zh, en = evaluation.raw_error
        key = raw_value_key(place.removeprefix("raw."))
        out.append(
            Blocker(
                f"Raw-data calculation incomplete ({place}): {en}"
                if english
                else f"原始数据计算未完成（{place}）：{zh}",
                key if form.section_of(key) is not None else "",
            )
        )
    elif fed_by_raw(form.scheme) and not evaluation.from_raw:
        out.append(
            Blocker(
                "Raw-data calculation incomplete: no raw data yet "
                "(output, energy, emissions, water, waste, land)."
                if english
                else "原始数据计算未完成：尚未填写原始数据（产值、能源、排放、用水、固废、用地）。"
            )
        )
    result = evaluation.result
    if result is None:
        out.append(Blocker("No score can be computed yet." if english else "尚无法计算得分。"))
        return out
    cs = compiled(form.scheme)
    inputs = cs.inputs
    names = dict(form.indicators) | {gate.id: gate.label for gate in result.gates}
    # greencore's English of indicators and gates, where it has one
    names_en = {row.id: row.label_en for row in form.indicator_rows if row.label_en}
    names_en |= {gate.id: gate.label.en for gate, _ in cs.gates if gate.label.en}
    for missing in result.missing:
        spec = inputs.get(missing.input)
        if spec is not None and not spec.required:
            continue  # an optional item left empty does not stop a submission
        key = input_key(missing.input)
        if form.section_of(key) is None:  # a table: its first cell
            key = next(
                (k for k in sorted(form.keys) if k.startswith(f"{input_table_key(missing.input)}:")), ""
            )
        needed = [n for n in missing.needed_by if names.get(n, n) != missing.label]
        if english:
            label = labels.get(input_key(missing.input)) or (spec.label.en if spec else "") or missing.label
            shown = [names_en.get(n) or names.get(n, n) for n in needed]
            text = f"Missing “{label}”" + (f" (affects: {'; '.join(shown)})" if shown else "")
        else:
            shown = [names.get(n, n) for n in needed]
            text = f"缺少“{missing.label}”" + (f"（影响：{'、'.join(shown)}）" if shown else "")
        out.append(Blocker(text, key))
    for gate in result.gates:
        if gate.status == "fail":
            key = input_key(gate.id)
            out.append(
                Blocker(
                    f"Basic requirement not met: {names_en.get(gate.id) or gate.label}"
                    if english
                    else f"基本要求未满足：{gate.label}",
                    key if form.section_of(key) is not None else "",
                )
            )
    return out


def blockers(form: Form, evaluation: Evaluation, *, english: bool = False) -> list[str]:
    """Everything that stops a submission, each naming the field or indicator; in English on request
    (labels greencore has only in Chinese stay Chinese). Optional items left empty are not listed."""
    return [item.text for item in _blocker_items(form, evaluation, english)]


def blocker_details(form: Form, evaluation: Evaluation) -> list[Detail]:
    """The same blockers as refusal details: each in Chinese and English (labels greencore has only in
    Chinese stay Chinese), placed at the form field it concerns ("" for none)."""
    return [
        Detail(zh.text, en.text, zh.key)
        for zh, en in zip(
            _blocker_items(form, evaluation, False), _blocker_items(form, evaluation, True), strict=True
        )
    ]


def grouped_blockers(form: Form, evaluation: Evaluation, *, english: bool = False) -> list[BlockerGroup]:
    """The same blockers as one list grouped by section of the form, in the form's order, each with the
    field it concerns (for a link to it); those of no section last."""
    titles = [s.title for s in form.sections]
    by_index: dict[int, list[Blocker]] = {}
    for item in _blocker_items(form, evaluation, english):
        title = form.section_of(item.key) if item.key else None
        by_index.setdefault(titles.index(title) if title is not None else -1, []).append(item)
    groups = [
        BlockerGroup(form.sections[i].title, form.sections[i].title_en, i, tuple(by_index[i]))
        for i in sorted(k for k in by_index if k >= 0)
    ]
    if -1 in by_index:
        groups.append(BlockerGroup("其他", "Other", -1, tuple(by_index[-1])))
    return groups
