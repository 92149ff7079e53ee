"""Idempotency keys for state-changing posts (issue 16: submit, decide, publish, object, upload).

A form carries a hidden key drawn when the page was drawn ({% idempotency_key %}); an API client may send
the same in an Idempotency-Key header. The first request with a key runs the view and records its answer
in the same transaction as its effect; a retry with that key (a double click, a browser's resend, a
client retrying after a lost answer) gets the recorded answer and causes no second effect.

Twins that arrive together are serialised by the key's unique index: the second insert waits for the
first transaction (PostgreSQL) or for the database's write lock (SQLite), then finds the key taken and
replays the answer. A crash before commit leaves neither the effect nor the key, so a retry runs anew.

Keys are scoped per logged-in user (else per session, else per client address): one user's key never
answers another's request. Reusing a key for a different request is refused. Keys are kept a day."""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.utils import timezone

from .boundary import refuse
from .middleware import client_ip
from .models import IdempotencyKey
from .text import TextProblem

FIELD = "idempotency_key"
HEADER = "Idempotency-Key"
REPLAYED = "Idempotent-Replayed"
KEEP = timedelta(days=1)
_KEY = re.compile(r"[A-Za-z0-9_-]{8,64}")
# answers larger than this are replayed without their body (the posts here answer with a redirect or a
# short fragment; a retry still causes no second effect)
_MAX_BODY = 256 * 1024

View = Callable[..., HttpResponseBase]


def _scope(request: HttpRequest) -> str:
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"u:{user.pk}"
    session = getattr(request, "session", None)
    if session is not None and session.session_key:
        return f"s:{session.session_key}"
    return f"a:{client_ip(request)}"


def _fingerprint(request: HttpRequest) -> str:
    digest = hashlib.sha256(f"{request.method} {request.path}\n".encode())
    for name in sorted(request.POST):
        if name in ("csrfmiddlewaretoken", FIELD):
            continue
        for value in request.POST.getlist(name):
            digest.update(f"{name}={value}\n".encode("utf-8", "surrogatepass"))
    for name in sorted(request.FILES):
        for upload in request.FILES.getlist(name):
            digest.update(f"{name}@{upload.name}:{upload.size}\n".encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


def _replay(request: HttpRequest, found: IdempotencyKey, fingerprint: str) -> HttpResponse:
    if found.fingerprint != fingerprint:
        return refuse(
            request,
            FIELD,
            TextProblem(
                "该请求标识已用于另一项操作，请刷新页面后重试。",
                "this request key was already used for another action; reload the page and try again",
            ),
            status=422,
        )
    response = HttpResponse(bytes(found.body), status=found.status, content_type=found.content_type or None)
    if found.location:
        response["Location"] = found.location
    response[REPLAYED] = "true"
    return response


def idempotent(view: View) -> View:
    """Make a POST view answer a retried key with its first answer, once its effect is committed."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.method != "POST":
            return view(request, *args, **kwargs)
        key = request.headers.get(HEADER) or request.POST.get(FIELD, "")
        if not key:  # a client without keys keeps the row locks' protection alone
            return view(request, *args, **kwargs)
        if not _KEY.fullmatch(key):
            return refuse(
                request,
                FIELD,
                TextProblem(
                    "请求标识格式不正确（8–64 个字母、数字、- 或 _）。",
                    "the request key must be 8–64 letters, digits, - or _",
                ),
            )
        scope, fingerprint = _scope(request), _fingerprint(request)
        with transaction.atomic():
            try:
                # claimed first, so a twin waits here rather than running the view beside this one
                with transaction.atomic():
                    claim = IdempotencyKey.objects.create(
                        scope=scope, key=key, fingerprint=fingerprint, path=request.path[:500], status=0
                    )
            except IntegrityError:
                # a twin committed first: its answer is this request's answer too
                return _replay(request, IdempotencyKey.objects.get(scope=scope, key=key), fingerprint)
            response = view(request, *args, **kwargs)
            if response.status_code >= 500:
                # not an answer to keep: the effect rolls back with the claim, and a retry runs anew
                transaction.set_rollback(True)
                return response
            body = b""
            if isinstance(response, HttpResponse) and len(response.content) <= _MAX_BODY:
                body = response.content
            claim.status = response.status_code
            claim.location = response.get("Location", "")[:2000]
            claim.content_type = response.get("Content-Type", "")[:200]
            claim.body = body
            claim.save(update_fields=["status", "location", "content_type", "body"])
            IdempotencyKey.objects.filter(scope=scope, created_at__lt=timezone.now() - KEEP).delete()
            return response

    return wrapped
