"""The request type of views that read what middleware adds to Django's request."""

from __future__ import annotations

from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails


class HtmxHttpRequest(HttpRequest):
    """A request after django-htmx's middleware (settings.MIDDLEWARE): `htmx` says whether htmx sent it,
    so a view answers a polling fragment instead of the whole page."""

    htmx: HtmxDetails
