"""Production refuses to start while the demo's accounts exist (their password is published in the
README). Tagged deploy: it reads the database, so it runs with `check --deploy`, which `serve` runs after
migrating in production."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.checks import CheckMessage, Error, register
from django.db import DatabaseError

from .demo import USERS


@register(deploy=True)
def no_demo_accounts(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    if not getattr(settings, "PRODUCTION", False):
        return []
    try:
        found = sorted(
            get_user_model()
            .objects.filter(username__in=[name for name, _, _ in USERS], is_active=True)
            .values_list("username", flat=True)
        )
    except DatabaseError:  # not migrated yet: nothing to find
        return []
    if not found:
        return []
    return [
        Error(
            f"生产模式中存在演示账号（密码已公开）/ demo accounts with a published password exist: "
            f"{', '.join(found)}",
            hint="Deactivate or delete them (manage.py shell), or run the demo outside production mode.",
            id="greenmfg.E003",
        )
    ]
