from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def thousands(value: Any) -> str:
    """6457 -> 6,457 whatever the active language (zh-hans formats numbers without grouping)."""
    try:
        return f"{int(value):,}"
    except (TypeError, ValueError):
        return str(value)
