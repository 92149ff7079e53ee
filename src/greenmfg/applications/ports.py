"""What the applications context asks of the contexts above it (see greenmfg.core.ports)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import QuerySet

from greenmfg.core.ports import Port
from greenmfg.orgs.selectors import Actor

# Who reads an application besides its owner and the bureaus over it is the rule of a context above this
# one: evaluations lets the engaged body's evaluators read it, reviews the experts assigned to it. Each plugs
# in a function giving the ids of the applications the actor may read, as a subquery, or None when the
# actor's role is not its business (`selectors.applications_visible_to` asks them in turn).
ReadableIds = Callable[[Actor], "QuerySet[Any] | None"]
readers: Port[ReadableIds] = Port("applications.readers")
