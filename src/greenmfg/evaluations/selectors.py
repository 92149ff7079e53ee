"""Reads about engagements and third-party evaluations."""

from __future__ import annotations

from django.db.models import QuerySet

from greenmfg.orgs.selectors import Actor


def engaged_application_ids(actor: Actor) -> QuerySet | list[int]:
    """The applications the actor's evaluation body has been engaged for (ids, as a subquery)."""
    return []
