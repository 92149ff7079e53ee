"""The one gate through which views fetch a call to manage: missing and not-yours both answer 404."""

from __future__ import annotations

from django.http import Http404

from greenmfg.orgs.selectors import AnyUser, actor_of

from .models import Call
from .selectors import calls_managed_by, key_list_calls_for


def access_own_call(user: AnyUser, code: str) -> Call:
    """A call the user's bureau issued (see `selectors.calls_managed_by`)."""
    try:
        return calls_managed_by(actor_of(user)).get(code=str(code))
    except Call.DoesNotExist:
        raise Http404 from None


def access_key_list_call(user: AnyUser, code: str) -> Call:
    """A call whose key-enterprise list the user's bureau reports (see `selectors.key_list_calls_for`)."""
    try:
        return key_list_calls_for(actor_of(user)).get(code=str(code))
    except Call.DoesNotExist:
        raise Http404 from None
