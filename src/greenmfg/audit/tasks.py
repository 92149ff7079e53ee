"""The periodic checkpoint (run by ``manage.py db_worker``).

django-tasks has no scheduler, so the task keeps itself scheduled: each run first enqueues the next one
``AUDIT_CHECKPOINT_MINUTES`` later (unless one is already waiting), then signs a checkpoint. A run that
crashes has already scheduled its successor. ``manage.py audit_checkpoint --schedule`` (called by
``serve``) starts the cycle and is harmless when it is running. With a backend that cannot defer tasks,
run ``manage.py audit_checkpoint`` from cron or a systemd timer instead.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django_tasks import task
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.models import DBTaskResult

from .services import AuditIntegrityError, write_checkpoint

logger = logging.getLogger(__name__)


def interval() -> timedelta:
    return timedelta(minutes=int(getattr(settings, "AUDIT_CHECKPOINT_MINUTES", 10)))


def _waiting() -> bool:
    return DBTaskResult.objects.filter(
        task_path=checkpoint_task.module_path, status="READY", run_after__gt=timezone.now()
    ).exists()


def schedule_checkpoints() -> bool:
    """Make sure the next periodic checkpoint is queued; False when the task backend cannot schedule."""
    backend = checkpoint_task.get_backend()
    if not isinstance(backend, DatabaseBackend):
        logger.warning("audit checkpoints: the task backend cannot schedule; run audit_checkpoint from cron")
        return False
    if not _waiting():
        checkpoint_task.using(run_after=timezone.now() + interval()).enqueue()
    return True


@task()
def checkpoint_task() -> str:
    schedule_checkpoints()
    try:
        checkpoint = write_checkpoint()
    except AuditIntegrityError as refused:
        # the alert: a log that no longer matches its signed checkpoints is never signed over
        logger.error("audit log integrity: %s / %s (run manage.py verify_audit)", refused.en, refused.zh)
        raise
    return f"checkpoint at tree size {checkpoint.tree_size}" if checkpoint else "empty log"
