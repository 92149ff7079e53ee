"""The one gate through which views fetch an organisation: missing and not-yours both answer 404."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404

from greencore import may_decide

from .models import Organisation, Site
from .selectors import Actor, AnyUser, actor_of, organisations_visible_to


def access_organisation(user: AnyUser, pk: int) -> Organisation:
    try:
        return organisations_visible_to(actor_of(user)).get(pk=pk)
    except (Organisation.DoesNotExist, ValueError):
        raise Http404 from None


def access_own_site(user: AnyUser, pk: Any) -> Site:
    """The gate to a site: the enterprise's own; missing and not-yours both answer 404."""
    actor = access_actor(user, "applicant")
    try:
        return Site.objects.select_related("region").get(pk=int(pk), organisation=actor.organisation)
    except (Site.DoesNotExist, ValueError):
        raise Http404 from None


def access_actor(user: AnyUser, role: str = "") -> Actor:
    """The actor behind a request, who must act in `role` ("reviewer", "applicant", "expert",
    "evaluator") when one is named; 404 otherwise, as for any object that is not theirs."""
    actor = actor_of(user)
    if actor is None or (role and not getattr(actor, f"is_{role}")):
        raise Http404
    return actor


def access_signed(actor: Actor, decision: str) -> Actor:
    """A signed decision (greencore.SIGNED_DECISIONS: publicity, publication, revocation) is its bureau's
    signer's: a reviewer who does not sign sees the page and prepares, and is refused (403) the decision
    itself (ADR 0011)."""
    if not may_decide(actor.role, decision):
        raise PermissionDenied
    return actor
