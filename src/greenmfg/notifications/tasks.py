"""The notification worker's periodic dispatch of due reminders and e-mail retries (run by ``manage.py
db_worker``), which keeps itself scheduled as the audit checkpoint does; each e-mail is
`services.send_email_task`."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django_tasks import task
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.models import DBTaskResult

from . import services

logger = logging.getLogger(__name__)


def interval() -> timedelta:
    return timedelta(minutes=int(getattr(settings, "NOTIFICATION_DISPATCH_MINUTES", 10)))


def schedule_dispatch() -> bool:
    """Make sure the next dispatch is queued; False when the task backend cannot schedule (then run
    ``manage.py send_notifications`` from cron)."""
    backend = dispatch_task.get_backend()
    if not isinstance(backend, DatabaseBackend):
        logger.warning("notifications: the task backend cannot schedule; run send_notifications from cron")
        return False
    waiting = DBTaskResult.objects.filter(
        task_path=dispatch_task.module_path, status="READY", run_after__gt=timezone.now()
    ).exists()
    if not waiting:
        dispatch_task.using(run_after=timezone.now() + interval()).enqueue()
    return True


@task()
def dispatch_task() -> str:
    schedule_dispatch()
    done = services.dispatch()
    return f"{done.reminders} reminders, {done.retried} retries"
