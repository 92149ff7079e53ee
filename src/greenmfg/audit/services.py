"""Writing the audit trail. `record` is called inside the transaction of the change it records, so the
event and the change commit or roll back together (security LOG-07: no change without its record).

Tamper evidence has two layers (security.md §4.1, docs/adr/0008):

- a chain: each event's hash is HMAC-SM3, under a key held outside the database, of every field of the
  event including the previous hash. Without the key nobody can rewrite an event and recompute the hashes
  after it; a deleted, inserted or moved event breaks the link of the next one.
- checkpoints: every ``AUDIT_CHECKPOINT_MINUTES`` (and on demand) the RFC 6962 Merkle root, with SM3, of
  the whole log is signed with SM2 as a C2SP checkpoint, stored append-only and copied to a file outside
  the database. A truncated tail, or a change made by someone holding the chain key, no longer matches a
  signed root.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from greenmfg.core.middleware import current_request

from . import checkpoints, keys, merkle, signing
from .hashing import canonical, hmac_sm3, sm3
from .models import Checkpoint, Event

__all__ = [
    "CHAIN_LOCK_KEY",
    "GENESIS",
    "AuditIntegrityError",
    "canonical",
    "chain_hash",
    "entry_of",
    "leaf_of",
    "record",
    "resign_signatures",
    "sm3",
    "verify_chain",
    "write_checkpoint",
]

GENESIS = "0" * 64
CHAIN_LOCK_KEY = 0x6772656E  # PostgreSQL advisory lock id serialising appends to the chain
KEYED_SCHEME = "hmac-sm3"


class AuditIntegrityError(Exception):
    """The log no longer matches what was signed; the platform refuses to sign over it."""

    def __init__(self, zh: str, en: str) -> None:
        super().__init__(en)
        self.zh, self.en = zh, en


def _hashed_fields(event: Event) -> dict[str, Any]:
    """What the unkeyed hash of a legacy event covers (everything but actor_name, as written then)."""
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


def entry_of(event: Event) -> dict[str, Any]:
    """Every stored field of an event: the Merkle leaf is SM3(0x00 ‖ canonical(entry))."""
    return {
        "id": event.id,
        "at": event.at.isoformat(),
        "actor": event.actor_id,
        "actor_name": event.actor_name,
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
        "hash": event.hash,
        "scheme": event.scheme,
    }


def keyed_fields(entry: dict[str, Any]) -> dict[str, Any]:
    """What the keyed hash covers: the entry without its own id (assigned on insert) and hash."""
    return {k: v for k, v in entry.items() if k not in ("id", "hash")}


def chain_hash(event: Event, key: keys.ChainKey | None) -> str:
    """The hash `event` must carry under its scheme (legacy events: SM3; keyed ones: HMAC-SM3)."""
    if not event.scheme:
        return sm3(canonical(_hashed_fields(event)))
    if key is None:
        raise AuditIntegrityError("审计密钥不可用", "the audit chain key is not available")
    return hmac_sm3(key.key, canonical(keyed_fields(entry_of(event))))


def leaf_of(entry: dict[str, Any]) -> bytes:
    return merkle.leaf_hash(canonical(entry))


def lock_chain() -> None:
    connection = transaction.get_connection()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [CHAIN_LOCK_KEY])


def _legacy_boundary() -> tuple[int, str]:
    last = Event.objects.order_by("-id").values_list("hash", flat=True).first()
    return Event.objects.count(), last or GENESIS


def writing_key() -> keys.ChainKey:
    """The chain key, created (with the legacy boundary) on first use. Call with the chain locked."""
    key = keys.chain_key(create_with=_legacy_boundary)
    assert key is not None
    return key


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
        lock_chain()
        key = writing_key()
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
            # stored as it reads back, so the hash taken now is the hash verified later
            detail=json.loads(canonical(detail or {})),
            prev_hash=last or GENESIS,
            scheme=f"{KEYED_SCHEME}:{key.key_id}",
        )
        event.hash = chain_hash(event, key)
        event.save(force_insert=True)
    return event


def verify_chain() -> int | None:
    """The id of the first event whose hash or link does not hold, or None when the chain is intact.
    (`verification.verify_log` checks the checkpoints as well and says what is wrong.)"""
    from .verification import check_chain  # noqa: PLC0415 (verification builds on this module)

    problems = check_chain()
    return problems[0].event_id if problems else None


# --- checkpoints ------------------------------------------------------------------------------------


def origin() -> str:
    return str(getattr(settings, "AUDIT_LOG_ORIGIN", "greenmfg.local/audit"))


def checkpoint_file() -> Path:
    return Path(getattr(settings, "AUDIT_CHECKPOINT_FILE", settings.VAR_DIR / "audit" / "checkpoints.jsonl"))


def log_tree() -> tuple[merkle.Tree, list[int]]:
    """The Merkle tree of the whole log in id order, and the event ids by leaf index."""
    tree = merkle.Tree()
    ids = []
    for event in Event.objects.order_by("id").iterator(chunk_size=2000):
        tree.append_leaf_hash(leaf_of(entry_of(event)))
        ids.append(event.id)
    return tree, ids


def _append_to_file(checkpoint: Checkpoint) -> None:
    path = checkpoint_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    line = json.dumps({"id": checkpoint.pk, "tree_size": checkpoint.tree_size, "note": checkpoint.note})
    handle = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
    try:
        os.write(handle, (line + "\n").encode())
        os.fsync(handle)
    finally:
        os.close(handle)


def last_filed_checkpoint() -> checkpoints.ParsedCheckpoint | None:
    """The newest checkpoint of the file outside the database (its last line), if it verifies."""
    path = checkpoint_file()
    try:
        with path.open("rb") as handle:
            handle.seek(max(0, path.stat().st_size - 8192))
            lines = handle.read().decode(errors="replace").strip().splitlines()
    except FileNotFoundError:
        return None
    try:
        parsed, _ = checkpoints.verify(json.loads(lines[-1])["note"], keys.trusted_public_keys())
    except (ValueError, KeyError, TypeError, IndexError):
        return None
    return parsed


def _refuse_checkpoint(zh: str, en: str) -> AuditIntegrityError:
    return AuditIntegrityError(zh + "拒绝签署新的检查点。", en + "; no new checkpoint is signed")


def _resume_from(last: Checkpoint) -> merkle.Frontier:
    """The signed state the next checkpoint extends: the last checkpoint's frontier, accepted only when
    it folds to the root its signed note names, and only while the events it covers are all there."""
    try:
        signed, _ = checkpoints.verify(last.note, keys.trusted_public_keys())
        frontier = merkle.Frontier.from_json(last.frontier)
    except ValueError as exc:
        raise _refuse_checkpoint("最新的检查点无法核验，", "the newest checkpoint does not verify") from exc
    if (frontier.size, frontier.root()) != (signed.tree_size, signed.root):
        raise _refuse_checkpoint(
            "最新检查点保存的树边与其签名不符，", "the newest checkpoint's frontier is not what it signed"
        )
    covered = Event.objects.filter(id__lte=last.last_event_id).count()
    if covered != signed.tree_size:
        raise _refuse_checkpoint(
            f"最新检查点签署了 {signed.tree_size} 条记录，数据库中现有 {covered} 条（记录被删除或插入），",
            f"the newest checkpoint signed {signed.tree_size} events, the database now holds {covered} of "
            "them (events were deleted or inserted)",
        )
    return frontier


def write_checkpoint() -> Checkpoint | None:
    """Sign the current tree head of the log, unless nothing was appended since the last checkpoint (the
    last one is returned) or the log is empty (None).

    The new root is computed from the last checkpoint's signed frontier and the events appended since, so
    a checkpoint costs only the new events and never vouches for a change to older ones (those no longer
    match the roots signed before; `verify_audit` finds them). Refuses, with AuditIntegrityError, when the
    events the last checkpoint covers are no longer all there, or when the log does not reach the newest
    checkpoint of the file outside the database."""
    with transaction.atomic():
        lock_chain()
        writing_key()
        last = Checkpoint.objects.order_by("-tree_size").first()
        frontier = _resume_from(last) if last is not None else merkle.Frontier()
        appended = Event.objects.order_by("id")
        if last is not None:
            appended = appended.filter(id__gt=last.last_event_id)
        last_id = last.last_event_id if last is not None else None
        for event in appended.iterator(chunk_size=2000):
            frontier.append_leaf_hash(leaf_of(entry_of(event)))
            last_id = event.id
        size = frontier.size
        filed = last_filed_checkpoint()
        if filed is not None:
            stored = Checkpoint.objects.filter(tree_size=filed.tree_size).values_list("root_hash", flat=True)
            if filed.tree_size > size or list(stored) != [filed.root.hex()]:
                raise _refuse_checkpoint(
                    f"检查点文件中已签名 {filed.tree_size} 条记录，"
                    "数据库中的日志或检查点与之不符（被截断或改写），",
                    f"the checkpoint file signed {filed.tree_size} events; the log or the checkpoints in the "
                    "database no longer match it (truncated or rewritten)",
                )
        if last is not None and last.tree_size == size:
            return last
        if size == 0:
            return None
        key = keys.platform_key()
        root = frontier.root()
        note = checkpoints.sign_note(checkpoints.note_text(origin(), size, root), origin(), key)
        checkpoint = Checkpoint.objects.create(
            created_at=timezone.now(),
            origin=origin(),
            tree_size=size,
            root_hash=root.hex(),
            last_event_id=last_id,
            note=note,
            key_id=key.key_id,
            frontier=frontier.as_json(),
        )
        transaction.on_commit(lambda: _append_to_file(checkpoint))
    return checkpoint


# --- re-signing the former signer's envelopes -------------------------------------------------------


@dataclass
class ResignReport:
    resigned: list[str] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)  # (object, reason)
    current: int = 0

    def __str__(self) -> str:
        return f"re-signed {len(self.resigned)}, refused {len(self.refused)}, already current {self.current}"


def resign_signatures(*, dry_run: bool = False) -> ResignReport:
    """Replace every legacy envelope (nonce from `random`) that still verifies, under a key of the
    platform, by a signature with the current key; one audit event per object, carrying the old
    envelope. An envelope that does not verify, or names a foreign key, is refused and reported: it is
    evidence of tampering, not something to re-sign."""
    report = ResignReport()
    for label, manifest_field, signature_field in signing.SIGNED_MODELS:
        model = apps.get_model(label)
        candidates = model.objects.exclude(**{f"{signature_field}__isnull": True}).order_by("pk")
        for pk in candidates.values_list("pk", flat=True):
            with transaction.atomic():
                obj = model.objects.select_for_update().get(pk=pk)
                name = f"{label}#{pk}"
                envelope = getattr(obj, signature_field)
                manifest = getattr(obj, manifest_field)
                if not signing.is_legacy(envelope):
                    report.current += 1
                    continue
                if not signing.verify(manifest, envelope):
                    report.refused.append((name, "signature does not verify"))
                    continue
                if not signing.is_trusted(envelope):
                    report.refused.append((name, "signed with a key that is not the platform's"))
                    continue
                report.resigned.append(name)
                if dry_run:
                    continue
                renewed = signing.sign(manifest)
                setattr(obj, signature_field, renewed)
                obj.save(update_fields=[signature_field])
                record(
                    "audit.resigned",
                    obj=obj,
                    detail={
                        "reason": "legacy signature (nonce from random) replaced",
                        "old_envelope": envelope,
                        "new_key_id": renewed["key_id"],
                    },
                )
    return report
