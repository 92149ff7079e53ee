"""The gate through which views fetch a document: through the application it belongs to, so whoever may
not see the application (or the version it was made from) gets 404, as for a missing one."""

from __future__ import annotations

import uuid
from typing import Any

from django.http import Http404

from greenmfg.applications.access import access_application
from greenmfg.orgs.access import access_actor
from greenmfg.orgs.selectors import AnyUser, actor_of
from greenmfg.publication.access import access_own_notice
from greenmfg.publication.models import Announcement, PublicityNotice
from greenmfg.supervision.access import access_filing
from greenmfg.supervision.selectors import supervised_level

from .models import Document, IssuedDocument
from .selectors import documents_for


def access_document(user: AnyUser, pk: Any) -> Document:
    actor = actor_of(user)
    try:
        key = uuid.UUID(str(pk))
        document = Document.objects.select_related("application").get(pk=key)
    except (Document.DoesNotExist, ValueError):
        raise Http404 from None
    application = access_application(user, document.application.public_id)
    if actor is None or not documents_for(actor, application).filter(pk=document.pk).exists():
        raise Http404
    return document


def access_issued(user: AnyUser, pk: Any) -> IssuedDocument:
    """An issued document for whoever may read what it is about: a filing's confirmation through the
    filing's gate (the unit, its bureau), a round's summary for its bureau, a public notice for anyone."""
    try:
        issued = IssuedDocument.objects.select_related("authority").get(pk=uuid.UUID(str(pk)))
    except (IssuedDocument.DoesNotExist, ValueError):
        raise Http404 from None
    if issued.kind in (IssuedDocument.Kind.PUBLICITY_NOTICE, IssuedDocument.Kind.ANNOUNCEMENT):
        # public once made; a state the worker failed to make is the issuing bureau's to see (its
        # publication page), never the public's
        if issued.status != IssuedDocument.Status.DONE:
            raise Http404
        return issued
    actor = actor_of(user)
    if issued.kind == IssuedDocument.Kind.FILING_CONFIRMATION:
        access_filing(user, issued.subject)
        return issued
    if actor is None or supervised_level(actor) is None or actor.organisation.pk != issued.authority_id:
        raise Http404
    return issued


def access_own_public_document(user: AnyUser, kind: str, public_id: Any) -> PublicityNotice | Announcement:
    """A notice ("notice") or an announcement ("announcement") of the user's own bureau, whose PDF it may
    ask to make again; 404 for any other, as for a missing one."""
    if kind == "notice":
        return access_own_notice(user, public_id)
    actor = access_actor(user, "reviewer")
    if kind != "announcement":
        raise Http404
    try:
        return Announcement.objects.select_related("authority", "call", "notice").get(
            public_id=uuid.UUID(str(public_id)), authority=actor.organisation
        )
    except (Announcement.DoesNotExist, ValueError):
        raise Http404 from None
