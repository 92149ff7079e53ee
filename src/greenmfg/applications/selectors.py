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
