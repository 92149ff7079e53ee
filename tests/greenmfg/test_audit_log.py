"""The audit log is tamper-evident (issue 16, security.md LOG-06 and §4.1): `verify_audit` detects a
flipped byte in any column, a deleted, reordered or truncated row, a rewritten event whose chain was
recomputed after it, and a changed actor_name — and names the event (id and leaf index) or checkpoint.

Tampering is done as a database owner would: on PostgreSQL the append-only trigger is bypassed with
session_replication_role, which only a superuser may set."""

from __future__ import annotations

import io
import json
import logging
from contextlib import contextmanager
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.test import override_settings
from django_tasks_db.models import DBTaskResult
from factories import actor

from greenmfg.audit import checkpoints as notes
from greenmfg.audit import keys, selectors, services
from greenmfg.audit.hashing import canonical, hmac_sm3, sm3
from greenmfg.audit.merkle import Tree
from greenmfg.audit.models import Checkpoint, Event
from greenmfg.audit.services import AuditIntegrityError, record, write_checkpoint
from greenmfg.audit.tasks import checkpoint_task, schedule_checkpoints
from greenmfg.audit.verification import verify_export, verify_log

USERS = ("sz-machinery", "sz-energy", "wz-reviewer", "sz-reviewer")


@pytest.fixture(autouse=True)
def own_checkpoint_file(settings, tmp_path):
    settings.AUDIT_CHECKPOINT_FILE = tmp_path / "checkpoints.jsonl"


@pytest.fixture
def log(world, django_capture_on_commit_callbacks):
    """Ten events, a signed checkpoint over them, then three more (those are covered by the chain only)."""

    def write(start: int, count: int) -> None:
        for i in range(start, start + count):
            user = world.users[USERS[i % len(USERS)]]
            who = actor(user)
            record(
                f"test.step{i % 3}",
                actor=user,
                role=who.role,
                organisation_id=who.organisation.pk,
                object_type="applications.application",
                object_id=str(100 + i),
                from_state="draft",
                to_state="submitted",
                detail={"note": f"第{i}步", "score": f"{60 + i}.5"},
            )

    write(0, 10)
    with django_capture_on_commit_callbacks(execute=True):
        checkpoint = write_checkpoint()
    assert checkpoint is not None and checkpoint.tree_size == 10
    write(10, 3)
    events = list(Event.objects.order_by("id"))
    assert len(events) == 13
    return events


@contextmanager
def as_database_owner():
    on_postgres = connection.vendor == "postgresql"
    if on_postgres:
        with connection.cursor() as cursor:
            cursor.execute("SET session_replication_role = replica")
    try:
        yield
    finally:
        if on_postgres:
            with connection.cursor() as cursor:
                cursor.execute("SET session_replication_role = DEFAULT")


def rewrite(event_id: int, **fields) -> None:
    with as_database_owner():
        assert Event.objects.filter(pk=event_id).update(**fields) == 1


def verify() -> str:
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("verify_audit", "--no-records", stdout=out)
    return out.getvalue()


def where(event: Event, index: int) -> str:
    return f"event id {event.id} (leaf {index})"


def test_an_intact_log_verifies(log):
    out = io.StringIO()
    call_command("verify_audit", stdout=out)
    assert "13 events, 1 checkpoints, signed up to tree size 10" in out.getvalue()
    assert "OK: intact" in out.getvalue()
    report = verify_log()
    assert report.ok and report.signed_size == 10
    assert all(e.scheme.startswith("hmac-sm3:") for e in log)


def flipped(text: str) -> str:
    """The text with one bit of its middle character flipped."""
    middle = len(text) // 2
    return text[:middle] + chr(ord(text[middle]) ^ 1) + text[middle + 1 :]


FLIPS = {
    "at": lambda e: e.at + timedelta(microseconds=1),
    "actor": lambda e: None,
    "actor_name": lambda e: flipped(e.actor_name),
    "organisation_id": lambda e: e.organisation_id + 1,
    "role": lambda e: flipped(e.role),
    "ip": lambda e: "127.0.0.2",
    "request_id": lambda e: "r" + e.request_id,
    "action": lambda e: flipped(e.action),
    "object_type": lambda e: flipped(e.object_type),
    "object_id": lambda e: flipped(e.object_id),
    "from_state": lambda e: flipped(e.from_state),
    "to_state": lambda e: flipped(e.to_state),
    "success": lambda e: not e.success,
    "detail": lambda e: {**e.detail, "score": flipped(e.detail["score"])},
    "prev_hash": lambda e: flipped(e.prev_hash),
    "hash": lambda e: flipped(e.hash),
    "scheme": lambda e: flipped(e.scheme),
}


@pytest.mark.parametrize("column", sorted(FLIPS))
def test_a_flipped_byte_in_any_column_is_found_where_it_is(log, column):
    victim = log[4]
    rewrite(victim.pk, **{column: FLIPS[column](victim)})
    report = verify_log(signed_records=False)
    first = report.problems[0]
    assert (first.event_id, first.index) == (victim.pk, 4)
    assert first.kind in {"hash", "link", "scheme"}
    assert report.first("checkpoint_root") is not None  # and the signed root no longer matches
    assert where(victim, 4) in verify()


def test_a_flipped_byte_after_the_last_checkpoint_is_found_by_the_keyed_chain(log):
    victim = log[11]
    rewrite(victim.pk, action=flipped(victim.action))
    report = verify_log(signed_records=False)
    assert [(p.kind, p.event_id) for p in report.problems] == [("hash", victim.pk)]


def test_a_deleted_row_is_found_at_the_next_one(log):
    with as_database_owner():
        Event.objects.filter(pk=log[4].pk).delete()
    report = verify_log(signed_records=False)
    first = report.problems[0]
    assert (first.kind, first.event_id, first.index) == ("link", log[5].pk, 4)
    assert report.first("checkpoint_root") is not None
    assert "the link to the previous event is broken" in verify()


def test_reordered_rows_are_found_at_the_first_moved_one(log):
    a, b = log[3], log[6]
    columns = [f.attname for f in Event._meta.concrete_fields if f.attname != "id"]
    values_a = {c: getattr(a, c) for c in columns}
    values_b = {c: getattr(b, c) for c in columns}
    with as_database_owner():
        Event.objects.filter(pk=a.pk).update(hash="x" * 64)  # the hash column is unique: swap through x
        Event.objects.filter(pk=b.pk).update(**values_a)
        Event.objects.filter(pk=a.pk).update(**values_b)
    report = verify_log(signed_records=False)
    first = report.problems[0]
    assert (first.kind, first.event_id, first.index) == ("link", a.pk, 3)
    assert report.first("checkpoint_root") is not None
    assert where(a, 3) in verify()


def test_a_truncated_tail_is_found_against_the_signed_checkpoint(world, django_capture_on_commit_callbacks):
    for i in range(10):
        record("test.step", actor=world.users["sz-machinery"], detail={"i": i})
    with django_capture_on_commit_callbacks(execute=True):
        write_checkpoint()
    kept = list(Event.objects.order_by("id"))[:7]
    with as_database_owner():
        Event.objects.filter(pk__gt=kept[-1].pk).delete()
    report = verify_log(signed_records=False)
    assert [p.kind for p in report.problems] == ["truncated"]  # the chain of what is left is intact
    assert report.problems[0].index == 7
    out = verify()
    assert "covers 10 events; the log holds 7: the 3 events from leaf 7 on were deleted" in out
    assert f"last remaining id {kept[-1].pk}" in out
    # deleting the checkpoint as well does not hide it: the checkpoint file outside the database has it
    with as_database_owner():
        Checkpoint.objects.all().delete()
    report = verify_log(signed_records=False)
    assert {p.kind for p in report.problems} == {"checkpoint_file", "truncated"}
    with pytest.raises(AuditIntegrityError):
        write_checkpoint()  # and nobody signs over the shortened log… until the file is gone too


def recompute_from(events: list[Event], start: int, hasher) -> None:
    """What an attacker who knows the code does after rewriting events[start]: recompute every hash."""
    previous = events[start - 1].hash
    with as_database_owner():
        for event in events[start:]:
            event.refresh_from_db()
            event.prev_hash = previous
            event.hash = hasher(event)
            Event.objects.filter(pk=event.pk).update(
                prev_hash=event.prev_hash, hash=event.hash, scheme=event.scheme
            )
            previous = event.hash


def test_a_rewritten_event_with_every_later_hash_recomputed_is_found(log):
    victim = log[4]
    rewrite(victim.pk, detail={**victim.detail, "score": "99.5"})

    def unkeyed(event: Event) -> str:  # the chain as it was before: plain SM3
        event.scheme = ""
        return sm3(canonical(services._hashed_fields(event)))

    recompute_from(log, 4, unkeyed)
    report = verify_log(signed_records=False)
    first = report.problems[0]
    assert (first.kind, first.event_id, first.index) == ("scheme", victim.pk, 4)
    assert report.first("checkpoint_root") is not None
    assert where(victim, 4) in verify()


def test_a_rehash_with_a_guessed_key_is_found(log):
    victim = log[11]  # after the checkpoint: only the key protects it
    rewrite(victim.pk, to_state="published")

    def guessed(event: Event) -> str:
        return hmac_sm3(b"\x00" * 32, canonical(services.keyed_fields(services.entry_of(event))))

    recompute_from(log, 11, guessed)
    report = verify_log(signed_records=False)
    assert [(p.kind, p.event_id) for p in report.problems[:1]] == [("hash", victim.pk)]


def test_a_changed_actor_name_is_found(log):
    victim = log[2]
    rewrite(victim.pk, actor_name="ministry-reviewer")
    first = verify_log(signed_records=False).problems[0]
    assert (first.kind, first.event_id, first.index) == ("hash", victim.pk, 2)
    assert where(victim, 2) in verify()


def test_a_rewritten_checkpoint_is_found(log):
    checkpoint = Checkpoint.objects.get()
    with as_database_owner():
        Checkpoint.objects.filter(pk=checkpoint.pk).update(note=checkpoint.note.replace("\n10\n", "\n9\n"))
    report = verify_log(signed_records=False)
    assert report.first("checkpoint_signature").checkpoint_id == checkpoint.pk
    assert f"checkpoint #{checkpoint.pk}" in verify()


def test_checkpoints_never_shrink_and_stay_consistent(log, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        second = write_checkpoint()
    assert second.tree_size == 13
    assert write_checkpoint() == second  # nothing new: no new checkpoint
    report = verify_log(signed_records=False)
    assert report.ok and report.checkpoints == 2
    # a checkpoint signed later for a smaller tree (a rolled-back log) is refused by the verifier
    key = keys.platform_key()

    tree = Tree()
    for event in log[:5]:
        tree.append_leaf_hash(services.leaf_of(services.entry_of(event)))
    text = notes.note_text(services.origin(), 5, tree.root())
    Checkpoint.objects.create(
        created_at=second.created_at,
        origin=services.origin(),
        tree_size=5,
        root_hash=tree.root().hex(),
        last_event_id=log[4].pk,
        note=notes.sign_note(text, services.origin(), key),
        key_id=key.key_id,
    )
    problems = verify_log(signed_records=False).problems
    assert [p.kind for p in problems] == ["tree_size"]


def test_no_checkpoint_is_signed_when_covered_events_are_gone(log, caplog):
    with as_database_owner():
        Event.objects.filter(pk=log[4].pk).delete()
    with pytest.raises(AuditIntegrityError, match="signed 10 events, the database now holds 9"):
        write_checkpoint()
    with caplog.at_level(logging.ERROR), pytest.raises(AuditIntegrityError):
        checkpoint_task.call()
    assert "audit log integrity" in caplog.text


def test_a_checkpoint_after_a_rewrite_does_not_vouch_for_it(log, django_capture_on_commit_callbacks):
    rewrite(log[4].pk, action="tampered")
    with django_capture_on_commit_callbacks(execute=True):
        later = write_checkpoint()  # from the signed frontier and the three new events only
    assert later.tree_size == 13
    problems = verify_log(signed_records=False).problems
    assert [p.kind for p in problems] == ["hash", "checkpoint_root", "checkpoint_root"]
    assert problems[1].checkpoint_id != problems[2].checkpoint_id == later.pk


def test_a_forged_frontier_is_refused(log):
    checkpoint = Checkpoint.objects.get()
    with as_database_owner():
        Checkpoint.objects.filter(pk=checkpoint.pk).update(frontier=[[8, "00" * 32], [2, "11" * 32]])
    with pytest.raises(AuditIntegrityError, match="frontier"):
        write_checkpoint()


def test_events_written_before_the_chain_had_a_key_keep_their_hashes_but_cannot_be_rewritten(
    world, settings, tmp_path
):
    settings.AUDIT_KEY_FILE = tmp_path / "audit-hmac.key"
    previous = services.GENESIS
    with as_database_owner():  # as main wrote them: unkeyed SM3, actor_name outside the hash
        for i in range(4):
            event = Event(at=world.users["sz-machinery"].date_joined, action=f"old.{i}", prev_hash=previous)
            event.hash = sm3(canonical(services._hashed_fields(event)))
            event.save(force_insert=True)
            previous = event.hash
    record("new.first", actor=world.users["sz-energy"])  # creates the key, recording the boundary
    assert json.loads(settings.AUDIT_KEY_FILE.read_text())["legacy_events"] == 4
    assert verify_log(signed_records=False).ok
    old = list(Event.objects.order_by("id"))
    rewrite(old[1].pk, action="old.forged")

    def unkeyed(event: Event) -> str:
        return sm3(canonical(services._hashed_fields(event)))

    recompute_from(old[:4], 1, unkeyed)  # rehash the legacy part only
    with as_database_owner():
        Event.objects.filter(pk=old[4].pk).update(prev_hash=Event.objects.get(pk=old[3].pk).hash)
    problems = verify_log(signed_records=False).problems
    assert (problems[0].kind, problems[0].index) == ("legacy_head", 3)


def test_the_tables_are_append_only_on_postgresql(log):
    if connection.vendor != "postgresql":
        pytest.skip("the trigger exists on PostgreSQL; SQLite relies on the service layer")
    with pytest.raises(DatabaseError), transaction.atomic():
        Checkpoint.objects.update(root_hash="0" * 64)
    with pytest.raises(DatabaseError), transaction.atomic():
        Checkpoint.objects.all().delete()
    with pytest.raises(DatabaseError), transaction.atomic():
        Event.objects.filter(pk=log[0].pk).delete()


# --- the periodic checkpoint ----------------------------------------------------------------------


DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


@override_settings(TASKS=DB_TASKS, AUDIT_CHECKPOINT_MINUTES=10)
def test_the_checkpoint_task_keeps_itself_scheduled_once(log):
    waiting = DBTaskResult.objects.filter(task_path=checkpoint_task.module_path, status="READY")
    assert schedule_checkpoints() and schedule_checkpoints()
    assert waiting.count() == 1
    queued = waiting.get()
    assert timedelta(minutes=9) < queued.run_after - queued.enqueued_at <= timedelta(minutes=10)
    # the worker claims it and runs it: it queues its successor first, then signs the 13 events
    waiting.update(status="RUNNING")
    assert checkpoint_task.call() == "checkpoint at tree size 13"
    assert waiting.count() == 1
    assert Checkpoint.objects.order_by("-tree_size").first().tree_size == 13
    out = io.StringIO()
    call_command("audit_checkpoint", "--schedule", stdout=out)
    assert "every 10 min: queued" in out.getvalue() and waiting.count() == 1


def test_a_checkpoint_on_demand(log):
    out = io.StringIO()
    call_command("audit_checkpoint", stdout=out)
    assert "tree size 13" in out.getvalue()


# --- export with proofs, verified offline -----------------------------------------------------------


def export(tmp_path, *args) -> tuple[object, list[dict]]:
    path = tmp_path / "audit-export.jsonl"
    out = io.StringIO()
    call_command("export_audit", str(path), *args, stdout=out)
    return path, [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def verify_file(path) -> str:
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("verify_audit", "--file", str(path), stdout=out)
    return out.getvalue()


def rewrite_file(path, lines: list[dict]) -> None:
    path.write_text("".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines), encoding="utf-8")


def test_an_export_verifies_offline_with_its_proofs(log, tmp_path, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        path, lines = export(tmp_path, "--from-id", str(log[2].pk), "--to-id", str(log[8].pk))
    kinds = [line["type"] for line in lines]
    # a fresh checkpoint covers every event: two checkpoints, one consistency proof, events 2..8
    assert kinds == ["header", "checkpoint", "checkpoint", "consistency"] + ["event"] * 7
    assert (lines[0]["tree_size"], lines[0]["first_index"], lines[0]["last_index"]) == (13, 2, 8)
    out = io.StringIO()
    call_command("verify_audit", "--file", str(path), stdout=out)
    assert "7 events, 2 checkpoints, signed up to tree size 13" in out.getvalue()
    assert "OK: intact" in out.getvalue()
    # pinned to the platform's published public key, as an outside verifier would
    public = keys.platform_key().public_key.hex()
    call_command("verify_audit", "--file", str(path), "--public-key", public, stdout=io.StringIO())
    other = keys.generate_sm2_key().public_key.hex()
    assert "invalid checkpoint signature" in verify_file_with(path, "--public-key", other)


def verify_file_with(path, *args) -> str:
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("verify_audit", "--file", str(path), *args, stdout=out)
    return out.getvalue()


def test_a_changed_exported_event_is_found_at_its_leaf(log, tmp_path):
    path, lines = export(tmp_path)
    event = lines[-5]
    event["entry"]["actor_name"] = "someone-else"
    rewrite_file(path, lines)
    out = verify_file(path)
    assert f"event id {event['entry']['id']} (leaf {event['index']})" in out
    assert "not the one the signed checkpoint holds" in out


def test_moved_or_dropped_exported_events_are_found(log, tmp_path):
    path, lines = export(tmp_path)
    events = [line for line in lines if line["type"] == "event"]
    swapped = [line for line in lines if line["type"] != "event"] + [events[1], events[0], *events[2:]]
    rewrite_file(path, swapped)
    assert f"event id {events[1]['entry']['id']} (leaf 1)" in verify_file(path)
    rewrite_file(path, lines[:-1])
    assert "the file should hold 13 events, it holds 12" in verify_file(path)


def test_a_changed_exported_checkpoint_is_found(log, tmp_path):
    path, lines = export(tmp_path)
    lines[2]["note"] = lines[2]["note"].replace("\n13\n", "\n14\n")
    rewrite_file(path, lines)
    assert "invalid checkpoint signature" in verify_file(path)


def test_the_export_selector_refuses_a_tampered_log(log, tmp_path):
    rewrite(log[3].pk, actor_name="x")
    with pytest.raises(AuditIntegrityError):
        selectors.export_to(tmp_path / "x.jsonl")
    assert not selectors.verification_report().ok


def test_an_export_checked_on_another_machine_needs_the_published_key(log, tmp_path, settings):
    path, _ = export(tmp_path)
    public = keys.platform_key().public_key
    settings.SM2_KEY_FILE = tmp_path / "elsewhere" / "platform-sm2.key"  # a machine without the keys
    unpinned = verify_export(path)
    assert not unpinned.ok and any("--public-key" in note for note in unpinned.notes)
    assert not settings.SM2_KEY_FILE.exists()  # the verifier never mints a key of its own
    assert verify_export(path, [public]).ok
