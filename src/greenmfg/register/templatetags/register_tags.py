from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from django import template
from django.utils.html import format_html
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


@register.simple_tag
def options(choices: Iterable[Any], selected: Any, blank: str | None = None) -> str:
    """The <option> elements of `choices` ((value, label) pairs, or bare values such as years), the one
    equal to `selected` marked, labels in the active language (core.i18n.label), after a `blank` "all"
    option when given. Built here rather than by a template loop: over the ~130 industries, provinces
    and years the loop cost more than the search query behind the page."""
    current = "" if selected is None else str(selected)
    parts = [format_html('<option value="">{}</option>', blank)] if blank is not None else []
    for choice in choices:
        value, text = choice if isinstance(choice, tuple) else (choice, choice)
        value = str(value)
        parts.append(
            format_html(
                '<option value="{}"{}>{}</option>',
                value,
                mark_safe(" selected") if value == current else "",  # a constant
                label(text) if isinstance(text, str) else text,
            )
        )
    return mark_safe("".join(parts))  # each part escaped by format_html


_GRADE = re.compile(r"^(\d)A级$")


@register.filter
def grade(value: str) -> str:
    """A grade as published (3A级) in the active language: "3A" in English, where 级 means nothing."""
    if value and get_language() == "en":
        found = _GRADE.match(value)
        if found:
            return f"{found.group(1)}A"
    return value
