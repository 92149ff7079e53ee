"""Reads of applications, scoped to what the actor may see (the access gates build on these)."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from greencore import BenchmarkValue, input_key
from greenmfg.benchmarks.selectors import benchmarks_for
from greenmfg.catalog.models import Call
from greenmfg.orgs.models import Organisation
from greenmfg.orgs.selectors import Actor, in_jurisdiction

from .dossier import Form
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
    return draft or application.versions.order_by("-number").first()


def latest_frozen(application: Application) -> Dossier | None:
    return application.versions.filter(frozen_at__isnull=False).order_by("-number").first()


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
