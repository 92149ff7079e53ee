"""The platform's test world: the real regions and industries, the demo organisations, calls and users."""

from __future__ import annotations

from typing import Any

import pytest
from factories import World, build_world


@pytest.fixture
def world(db: Any) -> World:
    return build_world()


@pytest.fixture
def tx_world(transactional_db: Any) -> World:
    return build_world()
