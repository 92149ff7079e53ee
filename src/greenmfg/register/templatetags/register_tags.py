from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from django import template
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from greenmfg.core.i18n import label

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


@register.simple_tag
def options(choices: Iterable[Any], selected: Any, blank: str | None = None, translate: bool = False) -> str:
    """The <option> elements of `choices` ((value, label) pairs, or bare values such as years), the one
    equal to `selected` marked, after a `blank` "all" option when given. ``translate``: labels in the
    active language (core.i18n.label: kinds, levels, batches); else they are published names (provinces,
    industries), marked as Chinese. Built here rather than by a template loop, and escaped without
    format_html: over the ~180 options of the search form either cost more than the search query."""
    current = "" if selected is None else str(selected)
    parts = [f'<option value="">{escape(blank)}</option>'] if blank is not None else []
    marked = "" if translate else ' lang="zh"'
    for choice in choices:
        value, text = choice if isinstance(choice, tuple) else (choice, choice)
        value = str(value)
        chosen = " selected" if value == current else ""
        if not isinstance(text, str):  # a number (a year): the same in every language
            parts.append(f'<option value="{escape(value)}"{chosen}>{escape(str(text))}</option>')
            continue
        shown = label(text) if translate else text
        parts.append(f'<option value="{escape(value)}"{chosen}{marked}>{escape(shown)}</option>')
    return mark_safe("".join(parts))  # every value and label escaped above


_GRADE = re.compile(r"^(\d)A级$")


@register.filter
def grade(value: str) -> str:
    """A grade as published (3A级) in the active language: "3A" in English, where 级 means nothing."""
    if value and get_language() == "en":
        found = _GRADE.match(value)
        if found:
            return f"{found.group(1)}A"
    return value
