from __future__ import annotations

import hashlib
import re
from typing import Any

from django import template

register = template.Library()


@register.filter
def get(mapping: Any, key: Any) -> Any:
    if mapping is None:
        return None
    try:
        return mapping.get(key)
    except AttributeError:
        return None


@register.filter
def fieldid(key: str) -> str:
    """A DOM id for a form key (keys hold ':' and '.'); a short digest keeps distinct keys distinct."""
    slug = re.sub(r"[^A-Za-z0-9_-]+", "-", key).strip("-")
    return f"f-{slug}-{hashlib.blake2s(key.encode(), digest_size=3).hexdigest()}"


@register.simple_tag
def cellkey(table: Any, row: int, column: Any) -> str:
    return table.cell_key(row, column)


@register.filter
def times(count: int) -> range:
    return range(int(count))


@register.filter
def zh_score(value: Any) -> str:
    if value is None:
        return "—"
    return f"{value:.2f}"


@register.filter
def lang(value: Any) -> str:
    """The active language's text of a label: `.zh`/`.en` (workflow states, scheme texts, errors), a dict
    with "zh"/"en", a review step (`name`/`name_en`), or a plain Chinese label (model choices) looked up in
    the catalogue. English falls back to the Chinese where no English exists."""
    from greenmfg.core.i18n import label

    return label(value)
