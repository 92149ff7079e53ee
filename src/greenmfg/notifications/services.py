"""Writes of the notification centre: notify users (in-app now, e-mail by the worker), schedule and move
deadline reminders, send what is due, retry failed e-mails.

The in-app copy is written inside the caller's transaction, so it exists exactly when the event does. The
e-mail is sent by the background worker (django-tasks) after commit: a request never waits on a mail
server. A failed send is retried with a growing delay (`RETRY_MINUTES`) and given up after `MAX_ATTEMPTS`;
the in-app copy is never touched by it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import partial

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from greencore import reminder_dates
from greenmfg.accounts.models import User
from greenmfg.orgs.models import Membership

from .models import EmailStatus, Notification, Preference, Reminder

logger = logging.getLogger(__name__)

RETRY_MINUTES = (5, 30, 120, 720)  # after the 1st, 2nd, 3rd, 4th failure
MAX_ATTEMPTS = len(RETRY_MINUTES) + 1
REMINDER_SUBJECTS = {
    "due_in_7": "还有 7 天到期：{subject}",
    "due_in_1": "明天到期：{subject}",
    "missed": "已逾期：{subject}",
}


def zh_date(day: date) -> str:
    """2026年6月30日 (no leading zeros, as Chinese notices write dates)."""
    return f"{day.year}年{day.month}月{day.day}日"


def wants_email(user: User) -> bool:
    preference = Preference.objects.filter(user=user).first()
    return bool(user.email) and (preference is None or preference.email)


def notify(
    users: Iterable[User], kind: str, subject: str, body: str = "", link: str = ""
) -> list[Notification]:
    """An in-app notification for each active user, and its e-mail queued for the worker after commit."""
    created = []
    for user in users:
        if not user.is_active:
            continue
        email = wants_email(user)
        notification = Notification.objects.create(
            user=user,
            kind=kind,
            subject=subject[:200],
            body=body,
            link=link[:300],
            email_status=EmailStatus.PENDING if email else EmailStatus.NONE,
        )
        created.append(notification)
        if email:
            transaction.on_commit(partial(_enqueue_send, notification.pk))
    return created


def members(organisation_id: int, roles: Iterable[str] | None = None) -> list[User]:
    """The active users acting for an organisation (in the given roles)."""
    found = Membership.objects.filter(organisation_id=organisation_id, user__is_active=True).select_related(
        "user"
    )
    if roles is not None:
        wanted = set(roles)
        if "reviewer" in wanted:  # a signer reviews too (ADR 0011)
            wanted.add("signer")
        found = found.filter(role__in=sorted(wanted))
    return [m.user for m in found]


def notify_organisation(
    organisation_id: int,
    kind: str,
    subject: str,
    body: str = "",
    link: str = "",
    roles: Iterable[str] | None = None,
) -> list[Notification]:
    return notify(members(organisation_id, roles), kind, subject, body, link)


def _enqueue_send(notification_id: int) -> None:
    send_email_task.enqueue(notification_id)


def send_email(notification_id: int, now: datetime | None = None) -> str:
    """Send one notification's e-mail (the worker runs this). Returns its e-mail status afterwards."""
    now = now or timezone.now()
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update().select_related("user").filter(pk=notification_id).first()
        )
        if notification is None or notification.email_status not in (EmailStatus.PENDING, EmailStatus.FAILED):
            return notification.email_status if notification else ""
        try:
            send_mail(
                f"[绿色制造] {notification.subject}",
                f"{notification.body}\n\n{_absolute(notification.link)}".strip(),
                settings.DEFAULT_FROM_EMAIL,
                [notification.user.email],
                fail_silently=False,
            )
        except Exception as error:  # any failure of the mail backend (SMTP, socket, file): retried later
            notification.email_attempts += 1
            notification.email_error = f"{type(error).__name__}: {error}"[:300]
            if notification.email_attempts >= MAX_ATTEMPTS:
                notification.email_status = EmailStatus.ABANDONED
                notification.email_next_at = None
            else:
                notification.email_status = EmailStatus.FAILED
                delay = RETRY_MINUTES[notification.email_attempts - 1]
                notification.email_next_at = now + timedelta(minutes=delay)
            logger.warning("notification %s: e-mail failed (%s)", notification.pk, notification.email_error)
        else:
            notification.email_attempts += 1
            notification.email_status = EmailStatus.SENT
            notification.email_sent_at = now
            notification.email_next_at = None
            notification.email_error = ""
        notification.save(
            update_fields=["email_status", "email_attempts", "email_next_at", "email_sent_at", "email_error"]
        )
        return notification.email_status


@task()
def send_email_task(notification_id: int) -> str:
    """The worker's task: one notification's e-mail."""
    return send_email(notification_id)


def _absolute(link: str) -> str:
    base = getattr(settings, "GREENMFG_SITE_URL", "")
    return f"{base.rstrip('/')}{link}" if link and base else link


def schedule_deadline(
    key: str, users: Iterable[User], deadline: date | None, subject: str, link: str = ""
) -> None:
    """The reminders of a deadline for these users: 7 days and 1 day before it, and the day after
    (greencore.reminder_dates). Called again with another date, it moves them — and one already sent for
    the former date is due again for the new one. None cancels those not yet sent."""
    if deadline is None:
        Reminder.objects.filter(key=key, sent_at__isnull=True).delete()
        return
    for user in users:
        for kind, due_on in reminder_dates(deadline):
            reminder = Reminder.objects.select_for_update().filter(key=key, user=user, kind=kind).first()
            if reminder is None:
                Reminder.objects.create(
                    key=key,
                    user=user,
                    kind=kind,
                    deadline=deadline,
                    due_on=due_on,
                    subject=subject[:200],
                    link=link,
                )
            elif reminder.deadline != deadline:
                reminder.deadline, reminder.due_on, reminder.sent_at = deadline, due_on, None
                reminder.subject, reminder.link = subject[:200], link
                reminder.save(update_fields=["deadline", "due_on", "sent_at", "subject", "link"])


def cancel_deadline(key: str) -> None:
    """The deadline is met (or void): its reminders not yet sent are dropped."""
    Reminder.objects.filter(key=key, sent_at__isnull=True).delete()


@dataclass(frozen=True)
class Dispatched:
    reminders: int
    retried: int


def dispatch(today: date | None = None, now: datetime | None = None) -> Dispatched:
    """What is due now: each reminder due today or earlier and not sent (a 7-day or 1-day reminder only
    while its deadline has not passed), and each failed e-mail whose retry time has come."""
    now = now or timezone.now()
    today = today or timezone.localdate(now)
    sent = 0
    with transaction.atomic():
        due = (
            Reminder.objects.select_for_update()
            .select_related("user")
            .filter(sent_at__isnull=True, due_on__lte=today)
        )
        for reminder in due:
            if reminder.kind != "missed" and reminder.deadline < today:
                reminder.sent_at = now  # its day went by unseen and the deadline too: the missed one tells
            else:
                subject = REMINDER_SUBJECTS[reminder.kind].format(subject=reminder.subject)
                body = f"期限：{zh_date(reminder.deadline)}"
                notify([reminder.user], f"deadline.{reminder.kind}", subject, body, reminder.link)
                reminder.sent_at = now
                sent += 1
            reminder.save(update_fields=["sent_at"])
    retry = list(
        Notification.objects.filter(email_status=EmailStatus.FAILED, email_next_at__lte=now).values_list(
            "pk", flat=True
        )
    )
    for pk in retry:
        send_email(pk, now)
    return Dispatched(sent, len(retry))


def set_email_choice(user: User, email: bool) -> None:
    Preference.objects.update_or_create(user=user, defaults={"email": email})


def mark_all_read(user: User) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).update(read_at=timezone.now())
