"""The one gate through which views fetch a local scheme: missing and not-yours both answer 404."""

from __future__ import annotations

from django.http import Http404

from greenmfg.orgs.selectors import AnyUser, actor_of

from .models import LocalScheme
from .selectors import keeps_schemes, schemes_of


def access_own_scheme(user: AnyUser, pk: int) -> LocalScheme:
    actor = actor_of(user)
    if actor is None or not keeps_schemes(actor):
        raise Http404
    try:
        return schemes_of(actor).get(pk=pk)
    except LocalScheme.DoesNotExist:
        raise Http404 from None
