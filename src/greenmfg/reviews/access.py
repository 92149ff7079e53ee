"""The gates through which review views fetch objects: missing and not-yours both answer 404."""

from __future__ import annotations

import uuid
from typing import Any

from django.http import Http404

from greenmfg.orgs.selectors import AnyUser, actor_of

from .models import Assignment
from .selectors import live_assignments


def access_assignment(user: AnyUser, public_id: Any) -> Assignment:
    """An expert's own assignment, only while it is live (not withdrawn, inside its window)."""
    try:
        return live_assignments(actor_of(user)).get(public_id=uuid.UUID(str(public_id)))
    except (Assignment.DoesNotExist, ValueError):
        raise Http404 from None
