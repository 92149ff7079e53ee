from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from django import template
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
