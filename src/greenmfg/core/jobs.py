"""Background jobs a dead worker left behind: which of them no worker will finish.

A job row (an import, a report, a certificate) says "queued" or "running" while its task runs. When the
worker dies mid-way the row would say so for ever; `serve` sweeps at start and after it restarts a worker,
and each sweep asks `stale` of every open row. The task backend's own record (django-tasks-db) tells when
the task started and which worker claimed it; on another backend the timeout alone applies.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.db import DatabaseError


def task_results(task_ids: Iterable[str]) -> dict[str, Any]:
    """The database backend's task records by id (empty on another backend)."""
    ids = [i for i in task_ids if i]
    if not ids:
        return {}
    try:
        from django_tasks_db.models import DBTaskResult  # noqa: PLC0415 (only with the database backend)

        return {str(r.pk): r for r in DBTaskResult.objects.filter(pk__in=ids)}
    except (ImportError, ValueError, DatabaseError):
        return {}


def stale(
    *, running: bool, created_at: datetime, result: Any, dead_worker: str, now: datetime, timeout: timedelta
) -> str:
    """Why the job will not finish ("worker died", "finished elsewhere", "timed out"), or "" if it may.
    A job running longer than `timeout` since its task started (or since it was made) has timed out;
    the boundary itself is still in time."""
    claimed = result is not None and result.status == "RUNNING" and bool(dead_worker)
    if claimed and dead_worker in (result.worker_ids or []):
        return "worker died"
    if result is not None and result.status in ("FAILED", "SUCCESSFUL"):
        return "finished elsewhere"
    started = getattr(result, "started_at", None) or created_at
    if running and now - started > timeout:
        return "timed out"
    return ""


def end_task(result: Any, now: datetime) -> None:
    """Mark the backend's record of a task that will not finish as failed, if it still says running."""
    if result is not None and result.status == "RUNNING":
        type(result).objects.filter(pk=result.pk, status="RUNNING").update(status="FAILED", finished_at=now)
