"""Reads of the audit context for the audit administrator (issue 12 builds the page on these): the
checkpoints, a full verification, and an export with proofs."""

from __future__ import annotations

from pathlib import Path
from typing import TextIO

from django.db.models import QuerySet

from .export import ExportSummary, export_log
from .models import Checkpoint, Event
from .verification import Report, verify_export, verify_log


def checkpoints() -> QuerySet[Checkpoint]:
    """Signed checkpoints, newest first."""
    return Checkpoint.objects.order_by("-tree_size")


def verification_report() -> Report:
    return verify_log()


def export_to(path: Path, *, first_id: int | None = None, last_id: int | None = None) -> ExportSummary:
    """Write an export (events with ids in the range, all checkpoints, proofs) to `path`."""
    with path.open("w", encoding="utf-8") as out:
        return export_log(out, first_id=first_id, last_id=last_id)


def verify_file(path: Path, public_keys: list[bytes] | None = None) -> Report:
    return verify_export(path, public_keys)


def recent_events(organisation_ids: list[int] | None = None, limit: int = 200) -> QuerySet[Event]:
    """The newest events, newest first: every one (None) or those recorded for the given organisations (an
    audit administrator reads its own bureaus' events)."""
    events = Event.objects.order_by("-id")
    if organisation_ids is not None:
        events = events.filter(organisation_id__in=organisation_ids)
    return events[:limit]


def export_into(out: TextIO) -> ExportSummary:
    """The whole log with its checkpoints and proofs, written to a text stream (a download)."""
    return export_log(out)
