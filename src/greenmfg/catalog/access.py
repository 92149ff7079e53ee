"""The one gate through which views fetch a call to manage: missing and not-yours both answer 404."""

from __future__ import annotations

from django.http import Http404

from greenmfg.orgs.selectors import AnyUser, actor_of

from .models import Call
from .selectors import calls_managed_by


def access_own_call(user: AnyUser, code: str) -> Call:
    """A call the user's bureau issued (see `selectors.calls_managed_by`)."""
    try:
        return calls_managed_by(actor_of(user)).get(code=str(code))
    except Call.DoesNotExist:
        raise Http404 from None
