"""The in-app notification centre, each user's choice of e-mail, and the deadline reminders to come."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class EmailStatus(models.TextChoices):
    NONE = "none", "仅站内"
    PENDING = "pending", "待发送"
    SENT = "sent", "已发送"
    FAILED = "failed", "发送失败，将重试"
    ABANDONED = "abandoned", "多次发送失败"


class Notification(models.Model):
    """One message to one user. The in-app copy is written in the transaction of the event it tells of;
    the e-mail copy is sent afterwards by the worker and retried, and never touches the in-app copy."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=32)
    subject = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    link = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    email_status = models.CharField(max_length=16, choices=EmailStatus.choices, default=EmailStatus.NONE)
    email_attempts = models.PositiveSmallIntegerField(default=0)
    email_next_at = models.DateTimeField(null=True, blank=True)
    email_sent_at = models.DateTimeField(null=True, blank=True)
    email_error = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["email_status", "email_next_at"]),
            models.Index(fields=["user", "read_at"]),
        ]

    def __str__(self) -> str:
        return self.subject


class Preference(models.Model):
    """A user's choice: e-mail as well as the in-app centre (the default), or in-app only."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preference"
    )
    email = models.BooleanField(default=True)


class Reminder(models.Model):
    """A reminder of a deadline, due on a day (greencore.reminder_dates): 7 days and 1 day before it, and
    the day after it passed. `key` names the deadline (e.g. an application's return); moving the deadline
    moves its reminders, and a reminder already sent for the former date is due again for the new one."""

    key = models.CharField(max_length=120)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=16)
    deadline = models.DateField()
    due_on = models.DateField(db_index=True)
    subject = models.CharField(max_length=200)
    link = models.CharField(max_length=300, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["key", "user", "kind"], name="one_reminder_per_kind")]
