"""The gate through which views fetch a document: through the application it belongs to, so whoever may
not see the application (or the version it was made from) gets 404, as for a missing one."""

from __future__ import annotations

import uuid
from typing import Any

from django.http import Http404

from greenmfg.applications.access import access_application
from greenmfg.orgs.selectors import AnyUser, actor_of

from .models import Document
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
