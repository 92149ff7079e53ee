"""The gates through which views fetch an application and its evidence: missing and not-yours both answer
404. Evidence is reached through the application it belongs to, so its gate lives here too."""

from __future__ import annotations

import uuid
from typing import Any

from django.http import Http404

from greenmfg.evidence.models import EvidenceFile
from greenmfg.orgs.selectors import AnyUser, actor_of

from .models import Application
from .selectors import applications_visible_to


def access_application(user: AnyUser, public_id: Any) -> Application:
    try:
        key = uuid.UUID(str(public_id))
        return applications_visible_to(actor_of(user)).get(public_id=key)
    except (Application.DoesNotExist, ValueError):
        raise Http404 from None


def access_evidence(user: AnyUser, pk: Any) -> EvidenceFile:
    """A file of an application the user may see (the owner, the bureaus over it, its evaluators and
    experts). A draft's files are its author's alone: others see frozen files only."""
    actor = actor_of(user)
    files = EvidenceFile.objects.select_related("application__call")
    if actor is None or not actor.is_applicant:
        files = files.filter(frozen_at__isnull=False)
    try:
        key = uuid.UUID(str(pk))
        return files.get(pk=key, application__in=applications_visible_to(actor))
    except (EvidenceFile.DoesNotExist, ValueError):
        raise Http404 from None
