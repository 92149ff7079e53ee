"""`{% unread_notifications %}`: the unread count shown beside the header's link to the centre."""

from __future__ import annotations

from django import template

from greenmfg.accounts.models import User
from greenmfg.notifications.selectors import unread_count

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_notifications(context: template.Context) -> int:
    request = context.get("request")
    user = getattr(request, "user", None)
    return unread_count(user) if isinstance(user, User) else 0
