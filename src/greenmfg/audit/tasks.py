"""The periodic checkpoint, run by the task worker on either backend (``manage.py db_worker``, or
``rqworker --with-scheduler`` with GREENMFG_TASKS=redis) — no cron.

The task keeps itself scheduled (greenmfg.core.periodic): each run first queues the next one
``AUDIT_CHECKPOINT_MINUTES`` later (unless one is already waiting), then signs a checkpoint. A run that
crashes has already scheduled its successor. ``manage.py audit_checkpoint --schedule`` (called by
``serve``) starts the cycle and is harmless when it is running. With a backend that cannot defer tasks,
run ``manage.py audit_checkpoint`` from cron or a systemd timer instead.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django_tasks import task

from greenmfg.core.periodic import keep_scheduled

from .services import AuditIntegrityError, write_checkpoint

logger = logging.getLogger(__name__)


def interval() -> timedelta:
    return timedelta(minutes=int(getattr(settings, "AUDIT_CHECKPOINT_MINUTES", 10)))


def schedule_checkpoints() -> bool:
    """Make sure the next periodic checkpoint is queued; False when the task backend cannot schedule."""
    return keep_scheduled(checkpoint_task, interval())


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
