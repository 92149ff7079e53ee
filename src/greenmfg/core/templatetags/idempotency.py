"""{% idempotency_key %}: the hidden field that makes a form's post idempotent (greenmfg.core.idempotency).

A fresh key each time the form is drawn: a resubmission of the same drawn form (a double click, the
browser's retry, a reload after a lost answer) carries the same key and so takes effect once."""

from __future__ import annotations

import uuid

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from greenmfg.core.idempotency import FIELD

register = template.Library()


@register.simple_tag
def idempotency_key() -> SafeString:
    return format_html('<input type="hidden" name="{}" value="{}">', FIELD, uuid.uuid4().hex)
