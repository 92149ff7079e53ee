"""Gates for publication objects: a bureau reaches only its own notices and objections (404 otherwise);
the public reaches notices and announcements, never objections."""

from __future__ import annotations

import uuid
from typing import Any

from django.http import Http404
from django.utils import timezone

from greenmfg.orgs.access import access_actor
from greenmfg.orgs.selectors import AnyUser

from .models import Announcement, Objection, PublicityNotice


def _uuid(value: Any) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise Http404 from None


def access_own_notice(user: AnyUser, public_id: Any) -> PublicityNotice:
    actor = access_actor(user, "reviewer")
    try:
        return PublicityNotice.objects.select_related("call").get(
            public_id=_uuid(public_id), authority=actor.organisation
        )
    except PublicityNotice.DoesNotExist:
        raise Http404 from None


def access_own_objection(user: AnyUser, public_id: Any) -> Objection:
    actor = access_actor(user, "reviewer")
    try:
        return Objection.objects.select_related("notice").get(
            public_id=_uuid(public_id), notice__authority=actor.organisation
        )
    except Objection.DoesNotExist:
        raise Http404 from None


def access_public_notice(public_id: Any) -> PublicityNotice:
    """A notice the public may read: one that has opened (a notice is not public before its window)."""
    try:
        return PublicityNotice.objects.select_related("call", "authority").get(
            public_id=_uuid(public_id), opens_on__lte=timezone.localdate()
        )
    except PublicityNotice.DoesNotExist:
        raise Http404 from None


def access_announcement(public_id: Any) -> Announcement:
    try:
        return Announcement.objects.select_related("authority", "call").get(public_id=_uuid(public_id))
    except Announcement.DoesNotExist:
        raise Http404 from None


def access_objection_to_verify(public_id: Any) -> Objection:
    """The objector's own page, reached through the link after filing: the objection's random public id
    is the only key (the page shows the unit objected to and a masked e-mail, nothing else)."""
    try:
        return Objection.objects.select_related("notice", "entry").get(public_id=_uuid(public_id))
    except Objection.DoesNotExist:
        raise Http404 from None
