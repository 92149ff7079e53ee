from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django import template

from greenmfg.core.i18n import english, label

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
    return str(table.cell_key(row, column))


@dataclass(frozen=True)
class RowSplit:
    shown: range  # rows shown at once
    more: range  # the rest, to the table's capacity, under "more rows"


@register.filter
def row_split(table: Any, values: Mapping[str, Any] | None) -> RowSplit:
    """The rows of an entry table shown at once (its first rows, or up to the last row that holds a value
    and one empty row after it) and the rest up to the scheme's row limit: no row the scheme accepts is out
    of reach of the page, and no value typed is hidden."""
    values = values or {}
    last = -1
    for row in range(table.capacity):
        if any(values.get(table.cell_key(row, column)) not in (None, "") for column in table.columns):
            last = row
    shown = min(table.capacity, max(table.rows, last + 2))
    return RowSplit(range(shown), range(shown, table.capacity))


@register.filter
def times(count: int) -> range:
    return range(int(count))


@register.filter
def zh_score(value: Any) -> str:
    if value is None:
        return "—"
    return f"{value:.2f}"


@register.filter
def percent(value: Any) -> str:
    """A ratio as a percentage with the digits it carries: Decimal("0.0417") → "4.17%"; "—" for None."""
    if value is None:
        return "—"
    shown = (Decimal(str(value)) * 100).normalize()
    return f"{shown:f}%"


@register.filter
def lang(value: Any) -> str:
    """The active language's text of a label: `.zh`/`.en` (workflow states, scheme texts, errors), a dict
    with "zh"/"en", a review step (`name`/`name_en`), or a plain Chinese label (model choices) looked up in
    the catalogue. English falls back to the Chinese where no English exists."""
    return label(value)


# --- the dossier's form content in the active language (greenmfg.applications.dossier) -------------------


def _part(value: Any, name: str) -> Any:
    if isinstance(value, Mapping):
        return value.get(name, "")
    return getattr(value, name, "")


@register.filter
def bilingual(value: Any, name: str = "label") -> Any:
    """`value.<name>_en` when English is active and it is not empty, else `value.<name>` (the Chinese): a
    form field's label or help, a section's title or help lines, a table's title, an indicator's label
    (`label_en` of a result's trail). Mappings with the same keys work too."""
    if english():
        shown = _part(value, f"{name}_en")
        if shown:
            return shown
    return _part(value, name)


@register.filter
def choice_options(field: Any) -> list[tuple[str, str]]:
    """(value, text) of each choice of a form field, for a datalist: the value is what is typed and stored;
    the text is the choice's English label when English is active and it says more than the value, else
    empty (the option shows its value alone, as in Chinese)."""
    values = tuple(getattr(field, "choices", ()) or ())
    labels = tuple(getattr(field, "choices_en", ()) or ())
    if not english():
        return [(value, "") for value in values]
    labels += ("",) * (len(values) - len(labels))
    return [(value, text if text != value else "") for value, text in zip(values, labels, strict=False)]


@register.filter
def choice_labels(field: Any) -> list[tuple[str, str]]:
    """(value, label) of each choice of a scheme's category input or of a raw-data choice (or yes/no)
    column, for a choice list (never free text): the label in the active language, else the value."""
    values = tuple(getattr(field, "choices", ()) or ())
    labels = tuple(getattr(field, "choices_en" if english() else "choices_zh", ()) or ())
    labels += ("",) * (len(values) - len(labels))
    return [(value, text or value) for value, text in zip(values, labels, strict=False)]


@register.filter
def result_trails(result: Any) -> dict[str, Any]:
    """The indicator trails of a greencore result by indicator id, each with `label` and `label_en`, when
    English is active (empty in Chinese, where the result's own Chinese labels are shown). `result` is a
    `Result`, or its JSON as stored (text or parsed).

    In a template: ``trails|get:item.id|bilingual|default:item.label``."""
    if not result or not english():
        return {}
    if isinstance(result, str | bytes):
        try:
            result = json.loads(result)
        except ValueError:
            return {}
    items = result.get("indicators", ()) if isinstance(result, dict) else getattr(result, "indicators", ())
    return {_part(item, "id"): item for item in items or ()}


@register.filter
def radar_labels(radar: Any, result: Any) -> Any:
    """The radar chart's data with the category names in the active language (the view names them in
    Chinese, from `result.categories()` in the same order)."""
    if not radar or result is None:
        return radar
    categories = result.categories()
    indicators = radar.get("indicators", [])
    if len(categories) != len(indicators):
        return radar
    named = [
        {**shown, "name": bilingual(c) or shown["name"]}
        for shown, c in zip(indicators, categories, strict=True)
    ]
    return {**radar, "indicators": named}
