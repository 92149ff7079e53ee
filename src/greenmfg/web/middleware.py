"""The abuse limits as middleware (greenmfg.core.ratelimit holds the rules and counters). It lives in
the top layer because a refusal is audited, and core sits below the audit trail."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse

from greenmfg.audit import services as audit
from greenmfg.core.ratelimit import check, too_many


class RateLimitMiddleware:
    """After authentication (a logged-in user is an account) and the boundary check (the posted account
    field is clean text)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: Any, args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> HttpResponse | None:
        match = request.resolver_match
        if match is None or not match.view_name:
            return None
        exceeded = check(request, match.view_name)
        if exceeded is None:
            return None
        if exceeded.first:  # one event per window, so a flood cannot flood the audit log
            audit.record(
                "security.rate_limited",
                object_type="url",
                object_id=match.view_name[:64],
                success=False,
                detail={"rule": exceeded.rule, "scope": exceeded.scope},
            )
        return too_many(request, exceeded)
