from django.contrib.auth.models import AbstractUser
from django.db import models


class User(AbstractUser):
    """A personal login (no shared accounts). Its organisation and role come from its membership."""

    display_name = models.CharField(max_length=64, blank=True)
    password_changed_at = models.DateTimeField(null=True, blank=True)
    must_change_password = models.BooleanField(default=False)

    def __str__(self) -> str:
        return self.display_name or self.username


class PasswordHistory(models.Model):
    """Earlier password hashes, so a change cannot reuse one of the last N (等保 定期更换)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="password_history")
    password = models.CharField(max_length=256)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]


class SecurityPolicyVersion(models.Model):
    """One version of the installation's security policy (greencore.SecurityPolicy), set by the security
    administrator of the top bureau; the latest applies at sign-in, on a password change (its length), to
    every password's age and to every session (idle and absolute). Versions are never edited: a change is
    a new row, and its audit event says old → new."""

    number = models.PositiveIntegerField(unique=True)
    min_length = models.PositiveSmallIntegerField()
    lockout_threshold = models.PositiveSmallIntegerField()
    lockout_window_minutes = models.PositiveIntegerField()
    session_timeout_minutes = models.PositiveIntegerField()
    # before these were policy, they were settings: a version saved then carries the settings' defaults
    password_max_age_days = models.PositiveIntegerField(default=90)
    session_absolute_hours = models.PositiveSmallIntegerField(default=12)
    reason = models.CharField(max_length=200, blank=True)
    changed_by = models.ForeignKey(User, null=True, on_delete=models.PROTECT, related_name="+")
    changed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-number"]
