"""The one gate for evidence files: visible to the owner and to those who can see the application."""

from __future__ import annotations

import uuid
from typing import Any

from django.http import Http404

from greenmfg.applications.selectors import applications_visible_to
from greenmfg.orgs.selectors import actor_of

from .models import EvidenceFile


def access_evidence(user: Any, pk: Any) -> EvidenceFile:
    actor = actor_of(user)
    files = EvidenceFile.objects.select_related("application__call")
    if actor is None or not actor.is_applicant:
        files = files.filter(frozen_at__isnull=False)  # a draft's files are its author's alone
    try:
        key = uuid.UUID(str(pk))
        return files.get(pk=key, application__in=applications_visible_to(actor))
    except (EvidenceFile.DoesNotExist, ValueError):
        raise Http404 from None
