"""Reads about review steps, expert assignments and credit checks."""

from __future__ import annotations

from django.db.models import QuerySet

from greenmfg.orgs.selectors import Actor


def assigned_application_ids(actor: Actor) -> QuerySet | list[int]:
    """The applications the expert is assigned to, without a conflict, inside the review window."""
    return []
