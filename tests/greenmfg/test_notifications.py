"""Notifications (issue 12): the in-app copy written with the event, the e-mail sent afterwards by the
worker and retried when it fails, each user's choice of e-mail, and the deadline reminders — 7 days and 1
day before, the day after — on a clock the tests control (time-machine)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from factories import actor
from test_evaluations import engaged
from test_reviews import submitted

from greencore import reminder_dates
from greenmfg.applications import services as applications
from greenmfg.notifications import services
from greenmfg.notifications.models import Notification, Reminder
from greenmfg.reviews import services as reviews

SHANGHAI = ZoneInfo("Asia/Shanghai")
SMTP_DOWN = {
    "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
    "EMAIL_HOST": "127.0.0.1",
    "EMAIL_PORT": 1,
}


def at(day: date, hour: int = 9) -> datetime:
    return datetime.combine(day, time(hour), SHANGHAI)


def test_reminder_dates_by_hand() -> None:
    assert reminder_dates(date(2026, 6, 30)) == [
        ("due_in_7", date(2026, 6, 23)),
        ("due_in_1", date(2026, 6, 29)),
        ("missed", date(2026, 7, 1)),
    ]


@pytest.fixture
def returned(world: Any, django_capture_on_commit_callbacks: Any) -> Any:
    """An application the district bureau returned with a deadline ten days on; the applicant has an
    e-mail address."""
    user = world.users["sz-machinery"]
    user.email = "energy@machinery.example.cn"
    user.save(update_fields=["email"])
    application = submitted(world)
    deadline = timezone.localdate() + timedelta(days=10)
    with django_capture_on_commit_callbacks(execute=True):
        reviews.return_step(
            actor(world.users["wz-reviewer"]), application, "请补充能源管理体系证书", [], deadline
        )
    application.refresh_from_db()
    return application


def test_a_return_tells_the_applicant_in_app_and_by_email(world: Any, returned: Any) -> None:
    note = Notification.objects.get(user=world.users["sz-machinery"], kind="application.returned")
    assert note.subject == f"申报被退回：{returned.call.name}"
    deadline = returned.return_deadline
    assert (
        note.body
        == f"请补充能源管理体系证书，请于 {deadline.year}年{deadline.month}月{deadline.day}日 前修改后重新提交。"
    )
    assert note.email_status == "sent" and note.email_attempts == 1
    assert [m.to for m in mail.outbox] == [["energy@machinery.example.cn"]]
    assert mail.outbox[0].subject == f"[绿色制造] {note.subject}"
    page = world.client("sz-machinery").get(reverse("notifications:centre")).content.decode()
    assert note.subject in page


def reminders_sent_on(day: date) -> list[str]:
    with time_machine.travel(at(day), tick=False):
        before = set(Notification.objects.values_list("pk", flat=True))
        services.dispatch()
        return sorted(Notification.objects.exclude(pk__in=before).values_list("kind", flat=True))


def test_each_reminder_goes_on_its_day_and_not_one_day_early(world: Any, returned: Any) -> None:
    deadline = returned.return_deadline
    day = {offset: deadline - timedelta(days=offset) for offset in (8, 7, 6, 2, 1, 0, -1, -2)}
    assert reminders_sent_on(day[8]) == []
    assert reminders_sent_on(day[7]) == ["deadline.due_in_7"]
    assert reminders_sent_on(day[6]) == []  # sent once
    assert reminders_sent_on(day[2]) == []
    assert reminders_sent_on(day[1]) == ["deadline.due_in_1"]
    assert reminders_sent_on(day[0]) == []
    assert reminders_sent_on(day[-1]) == ["deadline.missed"]
    assert reminders_sent_on(day[-2]) == []
    last = Notification.objects.filter(kind="deadline.missed").get()
    assert last.subject == f"已逾期：退回补正期限：{returned.call.name}"


def test_a_moved_deadline_moves_its_reminder(world: Any, returned: Any) -> None:
    old = returned.return_deadline
    assert reminders_sent_on(old - timedelta(days=7)) == ["deadline.due_in_7"]
    new = old + timedelta(days=5)
    with time_machine.travel(at(old - timedelta(days=7), 10), tick=False):
        applications.move_return_deadline(actor(world.users["wz-reviewer"]), returned, new)
    assert Reminder.objects.get(
        key=applications.return_key(returned), kind="due_in_1"
    ).due_on == new - timedelta(days=1)
    assert reminders_sent_on(new - timedelta(days=8)) == []  # not one day early
    assert reminders_sent_on(new - timedelta(days=7)) == ["deadline.due_in_7"]  # due again for the new date
    assert reminders_sent_on(old - timedelta(days=1)) == []  # the former 1-day date no longer reminds
    assert reminders_sent_on(old + timedelta(days=1)) == []  # nor is it missed
    assert reminders_sent_on(new - timedelta(days=1)) == ["deadline.due_in_1"]


def test_resubmitting_cancels_the_reminders(world: Any, returned: Any) -> None:
    user = world.users["sz-machinery"]
    applications.submit(actor(user), returned)
    assert not Reminder.objects.filter(key=applications.return_key(returned)).exists()
    assert reminders_sent_on(returned.return_deadline - timedelta(days=1)) == []


def test_a_failed_send_is_retried_and_the_in_app_copy_stays(
    world: Any, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    user = world.users["sz-machinery"]
    user.email = "energy@machinery.example.cn"
    user.save(update_fields=["email"])
    for key, value in SMTP_DOWN.items():
        setattr(settings, key, value)
    start = at(timezone.localdate(), 10)
    with time_machine.travel(start, tick=False), django_capture_on_commit_callbacks(execute=True):
        (note,) = services.notify([user], "test", "补正提醒", "正文")
    note.refresh_from_db()
    assert (note.email_status, note.email_attempts) == ("failed", 1)
    assert note.email_next_at == start + timedelta(minutes=5)
    assert "ConnectionRefusedError" in note.email_error
    with time_machine.travel(start + timedelta(minutes=4), tick=False):
        assert services.dispatch().retried == 0  # not before its time
    with time_machine.travel(start + timedelta(minutes=5), tick=False):
        assert services.dispatch().retried == 1  # still down: the next try 30 minutes on
    note.refresh_from_db()
    assert (note.email_status, note.email_attempts) == ("failed", 2)
    assert note.email_next_at == start + timedelta(minutes=35)
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with time_machine.travel(start + timedelta(minutes=35), tick=False):
        assert services.dispatch().retried == 1
    note.refresh_from_db()
    assert (note.email_status, note.email_attempts, note.email_error) == ("sent", 3, "")
    assert len(mail.outbox) == 1 and Notification.objects.filter(user=user).count() == 1


def test_a_user_who_chooses_in_app_only_gets_no_email(
    world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    user = world.users["sz-machinery"]
    user.email = "energy@machinery.example.cn"
    user.save(update_fields=["email"])
    client = world.client("sz-machinery")
    assert client.post(reverse("notifications:preferences"), {"email": "0"}).status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        (note,) = services.notify([user], "test", "站内通知")
    assert note.email_status == "none" and mail.outbox == []
    assert client.post(reverse("notifications:read_all")).status_code == 302
    note.refresh_from_db()
    assert note.read_at is not None


def test_an_engagement_request_tells_the_body(world: Any) -> None:
    engagement = engaged(world)
    note = Notification.objects.get(user=world.users["evaluator"], kind="evaluation.engaged")
    assert note.subject == f"新的第三方评价委托：{engagement.application.applicant.name}"
    assert note.link == reverse("evaluations:detail", kwargs={"public_id": engagement.public_id})
