"""Reads of applications, scoped to what the actor may see (the access gates build on these)."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet

from greencore import BenchmarkValue, EvidenceRef, VersionChanges, input_key, version_changes
from greenmfg.benchmarks.selectors import benchmarks_for
from greenmfg.catalog.models import Call
from greenmfg.orgs.models import Organisation
from greenmfg.orgs.selectors import Actor, in_jurisdiction

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
    form = build_form(scheme_for(call.scheme_id, call.scheme_version).key)
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
    return {
        key: format(value.value.normalize(), "f")
        for key, value in fixed_benchmarks(call, applicant, form).items()
    }
