"""The one gate through which views fetch an application: missing and not-yours both answer 404."""

from __future__ import annotations

import uuid
from typing import Any

from django.http import Http404

from greenmfg.orgs.selectors import actor_of

from .models import Application
from .selectors import applications_visible_to


def access_application(user: Any, public_id: Any) -> Application:
    try:
        key = uuid.UUID(str(public_id))
        return applications_visible_to(actor_of(user)).get(public_id=key)
    except (Application.DoesNotExist, ValueError):
        raise Http404 from None
