"""Abuse limits (security VAL-05, issue 16): how often one address, and one account, may log in, register,
object, export or call the open-data API. Over the limit the answer is 429 with Retry-After and a message
in the user's language.

Counters are fixed windows in Django's cache, so every web process shares them: Redis when
GREENMFG_REDIS_URL (or CACHE_URL) is set, else the database cache table (created by core's migration).
Redis counts atomically; the database cache reads and writes, so under a concurrent burst a few requests
may slip past the limit before it bites — the limit slows a flood, it is not an exact quota.

The rules are data (settings.RATE_LIMITS), matched on the URL name and method: a new public endpoint is
limited by adding its name there, not by editing its view.
"""

from __future__ import annotations

import hashlib
import math
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string

from .boundary import wants_json
from .i18n import localized
from .middleware import client_ip


@dataclass(frozen=True)
class Rule:
    name: str
    views: tuple[str, ...]  # URL names ("accounts:login") or whole namespaces ("api:*")
    methods: tuple[str, ...]
    per_address: tuple[int, int] | None  # (requests, seconds)
    per_account: tuple[int, int] | None
    account_field: str = ""  # the posted field naming the account; else the logged-in user

    def matches(self, view_name: str, method: str) -> bool:
        if method not in self.methods:
            return False
        namespace = view_name.rsplit(":", 1)[0] if ":" in view_name else ""
        return view_name in self.views or f"{namespace}:*" in self.views


@dataclass(frozen=True)
class Exceeded:
    rule: str
    scope: str  # "address" or "account"
    retry_after: int
    first: bool  # the first request over the limit in this window (the one worth an audit event)


def rules() -> list[Rule]:
    return [Rule(name=name, **spec) for name, spec in settings.RATE_LIMITS.items()]


def hit(
    rule: str, scope: str, identity: str, limit: tuple[int, int], now: float | None = None
) -> tuple[int, bool] | None:
    """Count one request of `identity` against `limit` = (requests, seconds). Over the limit: the seconds
    until the window ends, and whether this is the first request over it; else None."""
    allowed, seconds = limit
    now = time.time() if now is None else now
    window = int(now // seconds)
    digest = hashlib.sha256(identity.encode("utf-8", "surrogatepass")).hexdigest()[:32]
    key = f"rl:{rule}:{scope}:{digest}:{window}"
    cache.add(key, 0, timeout=seconds + 5)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=seconds + 5)
        count = 1
    if count <= allowed:
        return None
    return max(1, math.ceil((window + 1) * seconds - now)), count == allowed + 1


def check(request: HttpRequest, view_name: str) -> Exceeded | None:
    for rule in rules():
        if not rule.matches(view_name, request.method or ""):
            continue
        if rule.per_address is not None:
            over = hit(rule.name, "address", client_ip(request), rule.per_address)
            if over is not None:
                return Exceeded(rule.name, "address", *over)
        account = _account(request, rule)
        if rule.per_account is not None and account:
            over = hit(rule.name, "account", account, rule.per_account)
            if over is not None:
                return Exceeded(rule.name, "account", *over)
    return None


def _account(request: HttpRequest, rule: Rule) -> str:
    if rule.account_field:
        return str(request.POST.get(rule.account_field, "")).strip().lower()
    user = getattr(request, "user", None)
    return f"user:{user.pk}" if user is not None and user.is_authenticated else ""


MESSAGES = {
    "address": (
        "来自您所在网络地址的请求过于频繁，请 %(minutes)s 分钟后再试。",
        "Too many requests from your address; try again in %(minutes)s minute(s).",
    ),
    "account": (
        "该账号或联系方式的请求过于频繁，请 %(minutes)s 分钟后再试。",
        "Too many requests for this account or contact; try again in %(minutes)s minute(s).",
    ),
}


def too_many(request: HttpRequest, exceeded: Exceeded) -> HttpResponse:
    minutes = max(1, math.ceil(exceeded.retry_after / 60))
    zh, en = MESSAGES[exceeded.scope]
    message = localized((zh % {"minutes": minutes}, en % {"minutes": minutes}))
    response: HttpResponse
    if wants_json(request):
        response = JsonResponse(
            {"detail": message, "code": "rate_limited", "retry_after": exceeded.retry_after},
            status=429,
            json_dumps_params={"ensure_ascii": False},
        )
    else:
        response = HttpResponse(render_to_string("core/too_many.html", {"message": message}), status=429)
    response["Retry-After"] = str(exceeded.retry_after)
    return response
