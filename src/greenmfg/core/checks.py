"""Production refuses unsafe settings (issue 16, CFG-01/CRY-08): these are errors, so `manage.py serve`,
`migrate` and `check` stop on them. The demo-accounts check needs the database and is in web.checks."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, register


@register()
def production_settings(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    if not getattr(settings, "PRODUCTION", False):
        return []
    errors: list[CheckMessage] = []
    key = str(settings.SECRET_KEY)
    if key == getattr(settings, "DEMO_SECRET_KEY", None) or len(key) < 50:
        errors.append(
            Error(
                "生产模式不能使用公开的演示密钥 SECRET_KEY / production runs with the public demo SECRET_KEY",
                hint="Set GREENMFG_SECRET_KEY to 50 or more random characters, kept outside the repository.",
                id="greenmfg.E001",
            )
        )
    if settings.DEBUG:
        errors.append(
            Error(
                "生产模式不能开启 DEBUG / production runs with DEBUG on",
                hint="Unset GREENMFG_DEBUG.",
                id="greenmfg.E002",
            )
        )
    return errors
