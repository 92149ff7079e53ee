"""Reads of applications, scoped to what the actor may see (the access gates build on these)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet

from greencore import (
    LIMIT_COLUMNS,
    BenchmarkValue,
    EvidenceRef,
    HeldTitle,
    VersionChanges,
    conferred_inputs,
    held_inputs,
    input_key,
    input_table_key,
    limit_table_products,
    table_cell_key,
    version_changes,
)
from greenmfg.benchmarks.selectors import benchmarks_for, limits_with_origin
from greenmfg.catalog.models import Call
from greenmfg.catalog.selectors import applicant_record
from greenmfg.orgs.models import Organisation
from greenmfg.orgs.selectors import Actor, in_jurisdiction
from greenmfg.schemes.selectors import get_scheme

from .answers import Answers
from .dossier import Form, build_form, scheme_for
from .models import Application, Dossier
from .ports import readers
from .states import PRIVATE


def applications_visible_to(actor: Actor | None) -> QuerySet[Application]:
    base = Application.objects.select_related("call", "applicant", "region")
    if actor is None:
        return base.none()
    if actor.is_applicant:
        return base.filter(applicant=actor.organisation)
    if actor.is_reviewer:  # once submitted: a draft belongs to its author alone
        return base.filter(in_jurisdiction(actor.organisation)).exclude(
            Q(state__in=PRIVATE) | Q(submitted_at__isnull=True)
        )
    for readable in readers:
        ids = readable(actor)
        if ids is not None:
            return base.filter(pk__in=ids)
    return base.none()


def review_queue(actor: Actor) -> QuerySet[Application]:
    """Submitted applications waiting for this bureau, oldest first."""
    return applications_visible_to(actor).filter(state="submitted").order_by("submitted_at")


def current_dossier(application: Application) -> Dossier:
    """The draft if there is one, else the latest frozen version."""
    draft = application.versions.filter(frozen_at__isnull=True).first()
    latest = draft or application.versions.order_by("-number").first()
    if latest is None:  # an application is created with its first version; none means a broken row
        raise Dossier.DoesNotExist(f"application {application.pk} has no dossier version")
    return latest


def platform_titles(application: Application) -> tuple[HeldTitle, ...]:
    """The active titles of the call's kind the platform itself granted the applicant, other than the one
    this application earned (never a prerequisite of itself)."""
    own = str(application.public_id)
    record = applicant_record(application.applicant, application.call.title_kind)
    return tuple(t for t in record.titles if t.source != own)


def decided_inputs(application: Application) -> dict[str, Any]:
    """The inputs the platform decides for the applicant over its typed answers, so that every evaluation of
    the dossier (the live page, a save, the evaluator's) grades as the verdict will: the grade held and the
    titles held, read from the titles the platform granted (greencore `held_inputs`; the typed answer stands
    for units titled before the platform), and the status the call confers (greencore `conferred_inputs`:
    a Suzhou provincial call grades its applicant as if granted the provincial title, 4A)."""
    call = application.call
    scheme = scheme_for(call.scheme_id, call.scheme_version)
    held = held_inputs(scheme, platform_titles(application), get_scheme)
    return {**held, **conferred_inputs(scheme, call.level)}


def latest_frozen(application: Application) -> Dossier | None:
    return application.versions.filter(frozen_at__isnull=False).order_by("-number").first()


def _answer_texts(dossier: Dossier) -> dict[str, str]:
    stored = dossier.answers or {}
    # the two parts' keys never collide (raw-data keys have their own prefixes, greencore.form_keys)
    return {**(stored.get("inputs") or {}), **(stored.get("raw") or {})}


def _evidence_refs(dossier: Dossier) -> list[EvidenceRef]:
    files = (dossier.manifest or {}).get("evidence") or []
    return [EvidenceRef(f["indicator"], f.get("name", ""), f["sm3"]) for f in files]


def _leaf_points(dossier: Dossier) -> dict[str, tuple[str, Decimal | None]]:
    stored: Any = dossier.result
    result = json.loads(stored) if isinstance(stored, str) else (stored or {})
    return {
        node["id"]: (
            node.get("label", node["id"]),
            None if node.get("points") is None else Decimal(str(node["points"])),
        )
        for node in result.get("indicators", [])
        if node.get("is_leaf")
    }


def changes_between(before: Dossier, after: Dossier) -> VersionChanges:
    """What changed from one submitted version to a later one: answers as typed, evidence files by SM3 (from
    each version's signed manifest), every leaf indicator's points and the score (greencore's rule)."""
    return version_changes(
        before.number,
        after.number,
        before_answers=_answer_texts(before),
        after_answers=_answer_texts(after),
        before_evidence=_evidence_refs(before),
        after_evidence=_evidence_refs(after),
        before_points=_leaf_points(before),
        after_points=_leaf_points(after),
        score_before=before.score,
        score_after=after.score,
    )


def item_labels(application: Application) -> dict[str, str]:
    """The Chinese label of every item a change can name: form fields by key, a table's cells by
    「table title 第 n 行 column」, leaf indicators by id (evidence and expert scores)."""
    call = application.call
    form = build_form(scheme_for(call.scheme_id, call.scheme_version))
    labels = dict(form.indicators)
    for section in form.sections:
        labels.update((f.key, f.label) for f in section.fields)
        for table in section.tables:
            for row in range(table.rows):
                for column in table.columns:
                    labels[table.cell_key(row, column)] = f"{table.title} 第 {row + 1} 行 {column.label}"
    return labels


def frozen_at_time(application: Application, when: Any) -> Dossier | None:
    """The submitted version in force at `when`: the last one frozen by then."""
    return (
        application.versions.filter(frozen_at__isnull=False, frozen_at__lte=when).order_by("-number").first()
    )


def resubmission_changes(application: Application) -> VersionChanges | None:
    """What the latest resubmission changed against the version before it; None before any resubmission."""
    frozen = list(application.versions.filter(frozen_at__isnull=False).order_by("-number")[:2])
    if len(frozen) < 2:
        return None
    return changes_between(frozen[1], frozen[0])


def dossier_for(actor: Actor, application: Application, number: int | None = None) -> Dossier | None:
    """The version `actor` may read: the applicant any of its own (the draft by default); everyone else
    (bureaus, evaluators, experts) only a frozen, submitted version — never a draft in progress, also
    after a return has opened a new draft. None when that version is not theirs to see."""
    if actor.is_applicant and application.applicant_id == actor.organisation.pk:
        if number is None:
            return current_dossier(application)
        return application.versions.filter(number=number).first()
    frozen = application.versions.filter(frozen_at__isnull=False)
    if number is None:
        return frozen.order_by("-number").first()
    return frozen.filter(number=number).first()


def versions_for(actor: Actor, application: Application) -> QuerySet[Dossier]:
    versions = application.versions.order_by("-number")
    if actor.is_applicant and application.applicant_id == actor.organisation.pk:
        return versions
    return versions.filter(frozen_at__isnull=False)


def fixed_benchmarks(call: Call, applicant: Organisation, form: Form) -> dict[str, BenchmarkValue]:
    """The benchmark inputs the call's bureau fixes for the applicant's industry (benchmarks_for), by
    form key, with their source and mark: the platform fills them, and the enterprise never types them."""
    return {
        input_key(input_id): value
        for input_id, value in benchmarks_for(call, applicant).items()
        if form.accepts(input_key(input_id))
    }


def benchmark_fields(call: Call, applicant: Organisation, form: Form) -> dict[str, str]:
    """`fixed_benchmarks` as the form's values (form key -> text)."""
    return {key: _text(value) for key, value in fixed_benchmarks(call, applicant, form).items()}


def _text(value: BenchmarkValue) -> str:
    return format(value.value.normalize(), "f")


@dataclass(frozen=True)
class LimitCell:
    """A limit column's cell (energy-limit grade, water quota) of one product row: the product, what the
    cell is called in messages, and the reference value with the bureau that keeps it — or none, when no
    bureau up the tree holds one for the product, and the enterprise types it."""

    product: str
    label: str
    value: BenchmarkValue | None = None
    bureau: str = ""


def limit_cells(
    call: Call, applicant: Organisation, form: Form, raw: Mapping[str, str]
) -> dict[str, LimitCell]:
    """The limit cells of the per-product tables, by form key, for the products the raw data (`raw`, the
    answers' raw-data fields) names on each row (greencore.limit_table_products): filled from the
    reference data by the product's name, or marked as the enterprise's to type."""
    tables = {t.key: t for s in form.sections if not s.raw for t in s.tables}
    cells: dict[str, LimitCell] = {}
    for row, bureaus in limits_with_origin(call, applicant, limit_table_products(raw)):
        table = tables.get(input_table_key(row.table))
        if table is None:
            continue
        for column in table.columns:
            if column.key not in LIMIT_COLUMNS.get(row.table, ()):
                continue
            key = table_cell_key(table.key, row.row, column.key)
            if not form.accepts(key):
                continue
            label = f"{table.title} 第 {row.row + 1} 行（{row.product}）{column.label}"
            found = row.values.get(column.key)
            if found is None:
                cells[key] = LimitCell(row.product, label)
            else:
                cells[key] = LimitCell(row.product, label, found[1], bureaus[column.key].name)
    return cells


def limit_cells_shown(
    call: Call, applicant: Organisation, form: Form, answers: Mapping[str, Any], *, frozen: bool
) -> dict[str, LimitCell]:
    """`limit_cells` for a page showing `answers` (as stored). A submitted version keeps the values it
    was scored with: a cell whose stored value is no longer the bureau's (re-imported since) is shown as
    stored, without a source that is not its own. A draft shows the current values (its next save
    takes them)."""
    stored = Answers.from_json(answers)
    cells = limit_cells(call, applicant, form, stored.raw)
    if not frozen:
        return cells
    return {
        key: cell
        for key, cell in cells.items()
        if cell.value is None or stored.inputs.get(key) == _text(cell.value)
    }


def limit_fields(cells: Mapping[str, LimitCell]) -> dict[str, str]:
    """The filled `limit_cells` as the form's values (form key -> text)."""
    return {key: _text(cell.value) for key, cell in cells.items() if cell.value is not None}
