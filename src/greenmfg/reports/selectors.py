"""Reads of generated documents, scoped to what the actor may see of the application."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from greenmfg.applications.models import Application
from greenmfg.evaluations.selectors import engagements_visible_to
from greenmfg.orgs.selectors import Actor

from .models import Document, IssuedDocument


def documents_for(actor: Actor, application: Application) -> QuerySet[Document]:
    """The applicant sees all of its own; everyone else only documents made from a frozen (submitted)
    version: a report of a draft in progress is its author's alone, like the draft. A third-party report
    only for those who may read that evaluation (its body, the applicant, the bureaus over it)."""
    documents = Document.objects.filter(application=application).select_related("dossier", "created_by")
    # a third-party report is read by whoever may read the evaluation it reports
    documents = documents.exclude(
        Q(engagement__isnull=False) & ~Q(engagement__in=engagements_visible_to(actor))
    )
    if actor.is_applicant and application.applicant_id == actor.organisation.pk:
        return documents
    return documents.filter(dossier__frozen_at__isnull=False)


def matching_copy(actor: Actor, application: Application, digest: str) -> Document | None:
    """The document of this application whose stored bytes have this SM3 digest, if any."""
    return documents_for(actor, application).filter(status=Document.Status.DONE, sm3=digest).first()


def stored_public_copy(kind: str, subject: str, data_sm3: str) -> IssuedDocument | None:
    """The stored copy of a public document (a notice or an announcement) made from exactly this data
    (the SM3 of its data), if the worker has made it."""
    return IssuedDocument.objects.filter(
        kind=kind, subject=subject, data_sm3=data_sm3, status=IssuedDocument.Status.DONE
    ).first()
