from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse

register = template.Library()


@register.filter
def thousands(value: Any) -> str:
    """6457 -> 6,457 whatever the active language (zh-hans formats numbers without grouping)."""
    try:
        return f"{int(value):,}"
    except (TypeError, ValueError):
        return str(value)


# the query names that are not a list's filters (a download of page 3 is the download of the list)
_NOT_FILTERS = {"page"}


@register.inclusion_tag("register/_export_forms.html", takes_context=True)
def export_forms(context: template.Context, csv_name: str, xlsx_name: str, **only: Any) -> dict[str, Any]:
    """The CSV and Excel download buttons of a list: forms that POST (a download is built in the
    background, so a crawler following a link must not start one), carrying the list's filters — the
    current query's, or only the `name=value` pairs given (one announcement or notice)."""
    if only:
        params = [(name, str(value)) for name, value in only.items()]
    else:
        query = context["request"].GET
        params = [
            (name, value) for name, values in query.lists() if name not in _NOT_FILTERS for value in values
        ]
    return {
        "csrf_token": context.get("csrf_token"),
        "export_urls": [(reverse(csv_name), "CSV"), (reverse(xlsx_name), "Excel")],
        "export_params": params,
    }
