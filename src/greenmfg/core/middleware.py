"""Who is asking and from where, for the audit trail of every state change."""

from __future__ import annotations

import contextvars
import functools
import ipaddress
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


@functools.lru_cache(maxsize=8)
def _networks(cidrs: tuple[str, ...]) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(cidr.strip(), strict=False) for cidr in cidrs if cidr.strip())


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    text = text.strip()
    if text.startswith("[") and "]" in text:  # [v6]:port
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:  # v4:port
        text = text.split(":", 1)[0]
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def client_ip(request: HttpRequest) -> str:
    """The client's address, for the audit trail, rate limits and login lockout.

    REMOTE_ADDR, unless the direct peer is one of GREENMFG_TRUSTED_PROXIES (CIDRs): then X-Forwarded-For
    is read from the right, skipping trusted proxies, and the first hop that is not one is the client.
    Without trusted proxies X-Forwarded-For is ignored: anyone can write it."""
    remote = str(request.META.get("REMOTE_ADDR", ""))
    networks = _networks(tuple(getattr(settings, "TRUSTED_PROXIES", ())))
    peer = _address(remote)
    if not networks or peer is None or not any(peer in net for net in networks):
        return remote
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    client = peer
    for hop in reversed([h for h in forwarded.split(",") if h.strip()]):
        address = _address(hop)
        if address is None:  # a garbled hop: nothing to its left can be trusted
            break
        client = address
        if not any(address in net for net in networks):
            break
    return str(client)


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
