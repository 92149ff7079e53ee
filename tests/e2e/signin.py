"""Signing a demo user in through the login page, second factor included (shared by the browser tests)."""

from __future__ import annotations

from typing import Any

from django_otp.oath import TOTP
from playwright.sync_api import Page

from greenmfg.web.demo import DEMO_PASSWORD


def sign_in(page: Page, world: Any, username: str) -> None:
    """Password on the login page, then the current one-time code where the user has a confirmed device."""
    page.goto("/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()
    device = world.users[username].totpdevice_set.filter(confirmed=True).first()
    if device is not None:
        page.get_by_label("动态口令").fill(
            f"{TOTP(device.bin_key, device.step, device.t0, device.digits).token():06d}"
        )
        page.get_by_role("button", name="验证").click()
