"""Reads of applications, scoped to what the actor may see (the access gate builds on these)."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from greenmfg.orgs.selectors import Actor, in_jurisdiction

from .models import Application, Dossier

# a bureau sees an application once it has been submitted: a draft belongs to its author alone
HIDDEN_FROM_BUREAUS = ("draft",)


def applications_visible_to(actor: Actor | None) -> QuerySet[Application]:
    base = Application.objects.select_related("call", "applicant", "region")
    if actor is None:
        return base.none()
    if actor.is_applicant:
        return base.filter(applicant=actor.organisation)
    if actor.is_reviewer:
        return base.filter(in_jurisdiction(actor.organisation)).exclude(
            Q(state__in=HIDDEN_FROM_BUREAUS) | Q(submitted_at__isnull=True)
        )
    # imported here: those contexts read applications too, and a module-level import would be a cycle
    if actor.is_evaluator:
        from greenmfg.evaluations.selectors import engaged_application_ids

        return base.filter(pk__in=engaged_application_ids(actor))
    if actor.is_expert:
        from greenmfg.reviews.selectors import assigned_application_ids

        return base.filter(pk__in=assigned_application_ids(actor))
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
