"""The gates through which views fetch engagements and findings: missing and not-yours both answer 404."""

from __future__ import annotations

import uuid
from typing import Any

from django.http import Http404

from greenmfg.orgs.selectors import AnyUser, actor_of

from .models import Engagement, Finding
from .selectors import engagements_visible_to, findings_visible_to


def access_engagement(user: AnyUser, public_id: Any) -> Engagement:
    """An engagement the user may read (see `selectors.engagements_visible_to`)."""
    try:
        key = uuid.UUID(str(public_id))
        return engagements_visible_to(actor_of(user)).get(public_id=key)
    except (Engagement.DoesNotExist, ValueError):
        raise Http404 from None


def access_finding(user: AnyUser, pk: Any) -> Finding:
    """A finding (and its file) of an evaluation the user may read."""
    try:
        key = uuid.UUID(str(pk))
        return findings_visible_to(actor_of(user)).get(pk=key)
    except (Finding.DoesNotExist, ValueError):
        raise Http404 from None
