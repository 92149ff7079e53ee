"""The notification worker's periodic dispatch of due reminders and e-mail retries (run by ``manage.py
db_worker``), which keeps itself scheduled as the audit checkpoint does; each e-mail is
`services.send_email_task`."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django_tasks import task

from greenmfg.core.periodic import keep_scheduled

from . import services


def interval() -> timedelta:
    return timedelta(minutes=int(getattr(settings, "NOTIFICATION_DISPATCH_MINUTES", 10)))


def schedule_dispatch() -> bool:
    """Make sure the next dispatch is queued; False when the task backend cannot schedule (then run
    ``manage.py send_notifications`` from cron)."""
    return keep_scheduled(dispatch_task, interval())


@task()
def dispatch_task() -> str:
    schedule_dispatch()
    done = services.dispatch()
    return f"{done.reminders} reminders, {done.retried} retries"
