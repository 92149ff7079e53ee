"""What the organisations context tells the contexts above it (see greenmfg.core.ports)."""

from __future__ import annotations

from collections.abc import Callable

from greenmfg.core.ports import Port

from .models import Organisation
from .selectors import Actor

# An evaluation body's listing changed (approved, suspended, reinstated, removed): told, inside the same
# transaction, to whoever plugged in with (the body, its former status, the bureau's actor). The evaluations
# context flags the engagements the body had in force when it is suspended or removed.
ListingListener = Callable[[Organisation, str, Actor], None]
body_listing_changed: Port[ListingListener] = Port("orgs.body_listing_changed")
