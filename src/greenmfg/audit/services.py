"""Writing the audit trail. `record` is called inside the transaction of the change it records, so the
event and the change commit or roll back together (security LOG-07: no change without its record)."""

from __future__ import annotations

import json
from typing import Any

from cryptography.hazmat.primitives import hashes
from django.db import transaction
from django.utils import timezone

from greenmfg.core.middleware import current_request

from .models import Event

GENESIS = "0" * 64
CHAIN_LOCK_KEY = 0x6772656E  # PostgreSQL advisory lock id serialising appends to the chain


def sm3(data: bytes) -> str:
    digest = hashes.Hash(hashes.SM3())
    digest.update(data)
    return digest.finalize().hex()


def canonical(fields: dict[str, Any]) -> bytes:
    return json.dumps(fields, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str).encode()


def _hashed_fields(event: Event) -> dict[str, Any]:
    return {
        "at": event.at.isoformat(),
        "actor": event.actor_id,
        "organisation": event.organisation_id,
        "role": event.role,
        "ip": event.ip,
        "request_id": event.request_id,
        "action": event.action,
        "object": [event.object_type, event.object_id],
        "states": [event.from_state, event.to_state],
        "success": event.success,
        "detail": event.detail,
        "prev": event.prev_hash,
    }


def record(
    action: str,
    *,
    actor: Any = None,
    role: str = "",
    organisation_id: int | None = None,
    obj: Any = None,
    object_type: str = "",
    object_id: str = "",
    from_state: str = "",
    to_state: str = "",
    success: bool = True,
    detail: dict[str, Any] | None = None,
) -> Event:
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
    context = current_request()
    with transaction.atomic():
        connection = transaction.get_connection()
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [CHAIN_LOCK_KEY])
        last = Event.objects.order_by("-id").values_list("hash", flat=True).first()
        user = actor if actor is not None and getattr(actor, "is_authenticated", False) else None
        event = Event(
            at=timezone.now(),
            actor=user,
            actor_name=(user.get_username() if user else "")[:150],
            organisation_id=organisation_id,
            role=role,
            ip=context.ip if context else "",
            request_id=context.request_id if context else "",
            action=action,
            object_type=object_type,
            object_id=object_id,
            from_state=from_state,
            to_state=to_state,
            success=success,
            detail=detail or {},
            prev_hash=last or GENESIS,
        )
        event.hash = sm3(canonical(_hashed_fields(event)))
        event.save(force_insert=True)
    return event


def verify_chain() -> int | None:
    """The id of the first event whose hash or link does not hold, or None when the chain is intact."""
    previous = GENESIS
    for event in Event.objects.order_by("id").iterator():
        if event.prev_hash != previous or sm3(canonical(_hashed_fields(event))) != event.hash:
            return event.id
        previous = event.hash
    return None
