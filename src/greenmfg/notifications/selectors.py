"""Reads of the notification centre: a user's own notifications only."""

from __future__ import annotations

from django.db.models import QuerySet

from greenmfg.accounts.models import User

from .models import Notification, Preference


def notifications_of(user: User, limit: int = 100) -> QuerySet[Notification]:
    return Notification.objects.filter(user=user)[:limit]


def unread_count(user: User) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def email_choice(user: User) -> bool:
    preference = Preference.objects.filter(user=user).first()
    return preference is None or preference.email
