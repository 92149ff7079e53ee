from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from greenmfg.orgs.selectors import actor_of


def navigation(request: HttpRequest) -> dict[str, Any]:
    actor = actor_of(getattr(request, "user", None))
    return {"actor": actor}
