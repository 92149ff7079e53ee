"""The platform's test world: the real regions and industries, the demo organisations, calls and users."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from greenmfg.web.demo import DEMO_PASSWORD


@dataclass
class World:
    users: dict[str, Any]

    def client(self, username: str | None) -> Client:
        """A logged-in client (second factor already passed) for `username`, or an anonymous one."""
        client = Client()
        if username is None:
            return client
        user = self.users[username]
        client.force_login(user)
        device = user.totpdevice_set.filter(confirmed=True).first()
        if device is not None:
            session = client.session
            session["otp_device_id"] = device.persistent_id
            session.save()
        return client


def build_world() -> World:
    from django.contrib.auth import get_user_model

    from greenmfg.reference.services import load_industries, load_regions
    from greenmfg.web.demo import USERS, seed_demo

    load_regions()
    load_industries()
    seed_demo(DEMO_PASSWORD)
    User = get_user_model()
    return World({u.username: u for u in User.objects.filter(username__in=[name for name, _, _ in USERS])})


@pytest.fixture
def world(db: Any) -> World:
    return build_world()


@pytest.fixture
def tx_world(transactional_db: Any) -> World:
    return build_world()
