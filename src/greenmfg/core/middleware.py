"""Who is asking and from where, for the audit trail of every state change."""

from __future__ import annotations

import contextvars
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest, HttpResponse


@dataclass(frozen=True)
class RequestContext:
    ip: str
    request_id: str
    user_agent: str


_current: contextvars.ContextVar[RequestContext | None] = contextvars.ContextVar(
    "greenmfg_request", default=None
)


def current_request() -> RequestContext | None:
    return _current.get()


def client_ip(request: HttpRequest) -> str:
    """REMOTE_ADDR, or the proxy's X-Forwarded-For only when the direct peer is a trusted proxy."""
    remote = request.META.get("REMOTE_ADDR", "")
    trusted = getattr(settings, "TRUSTED_PROXIES", ())
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if remote in trusted and forwarded:
        return forwarded.split(",")[-1].strip()
    return remote


class RequestContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        context = RequestContext(
            ip=client_ip(request),
            request_id=uuid.uuid4().hex,
            user_agent=request.META.get("HTTP_USER_AGENT", "")[:200],
        )
        token = _current.set(context)
        try:
            response = self.get_response(request)
        finally:
            _current.reset(token)
        response["X-Request-ID"] = context.request_id
        return response
