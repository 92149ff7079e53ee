"""Periodic work without cron (issue 16): a task that keeps itself scheduled on the task backend.

django-tasks has no scheduler, so a periodic task's first act is :func:`keep_scheduled`, which queues
its next run `every` from now unless one is already waiting; a run that crashes has scheduled its
successor already. ``serve`` (and any machine's start script) calls it once to start the cycle; calling
it again, from several machines at once, is harmless: while a run is waiting none is added, and two
cycles started together merge at their next run (the second finds the first's successor waiting).

Both task backends defer tasks: the database queue (``manage.py db_worker`` runs a task once its
run_after has come) and Redis (django-tasks-rq puts it in RQ's scheduled registry; a worker started
with ``--with-scheduler`` moves it to the queue when due).
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from django.utils import timezone

logger = logging.getLogger(__name__)


def _waiting_in_database(task: Any) -> bool:
    from django_tasks_db.models import DBTaskResult  # noqa: PLC0415 (only with that backend)

    return DBTaskResult.objects.filter(
        task_path=task.module_path, status="READY", run_after__gt=timezone.now()
    ).exists()


def _waiting_in_redis(task: Any) -> bool:
    import django_rq  # noqa: PLC0415 (only with that backend)

    queue = django_rq.get_queue(task.queue_name)
    registry = queue.scheduled_job_registry
    now = timezone.now()
    for job_id in registry.get_job_ids():
        job = queue.fetch_job(job_id)
        if job is not None and job.func_name == task.module_path and registry.get_scheduled_time(job) > now:
            return True
    return False


def waiting(task: Any) -> bool | None:
    """Whether a run of `task` is queued for later; None when its backend cannot defer tasks."""
    backend = type(task.get_backend())
    path = f"{backend.__module__}.{backend.__qualname__}"
    if path == "django_tasks_db.backend.DatabaseBackend":
        return _waiting_in_database(task)
    if path == "django_tasks_rq.backend.RQBackend":
        return _waiting_in_redis(task)
    return None


def keep_scheduled(task: Any, every: timedelta) -> bool:
    """Make sure the next run of the periodic `task` is queued, `every` from now; False when the task
    backend cannot schedule (then run the task's command from cron or a systemd timer)."""
    found = waiting(task)
    if found is None:
        logger.warning("%s: the task backend cannot schedule; run it from cron", task.module_path)
        return False
    if not found:
        task.using(run_after=timezone.now() + every).enqueue()
    return True
