"""The platform's test world: the real regions and industries, the demo organisations, calls and users.

The world is built once per test database (per xdist worker) and committed, so each test that asks for it
starts from it inside its own rolled-back transaction instead of reloading ~3,500 regions, the industries and
the demo world (that reload was 131 s of the platform's 214 s). A transactional test (live server, racing
threads) flushes every table when it ends; the next test that asks for the world then builds it again, once,
committed before its transaction begins.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management.color import no_style
from django.db import connection
from factories import World, build_world, world_of_users, world_present


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: Any, django_db_blocker: Any) -> None:
    with django_db_blocker.unblock():
        build_world()


@pytest.fixture(autouse=True)
def _world_rebuilt_after_flush(request: pytest.FixtureRequest, django_db_blocker: Any) -> None:
    """Rebuild the committed world before the test's transaction opens, when a transactional test flushed it.

    Autouse fixtures are set up before the fixtures a test names, so this runs before `db` opens its atomic
    block: what it builds is committed and survives the test's rollback.
    """
    if "world" not in request.fixturenames or "transactional_db" in request.fixturenames:
        return
    request.getfixturevalue("django_db_setup")
    with django_db_blocker.unblock():
        if not world_present():
            build_world()


@pytest.fixture
def empty_db(db: Any) -> None:
    """An installation with nothing in it, not even reference data: the committed world is deleted inside
    the test's transaction, which rolls back, so the next test finds it again."""
    tables = connection.introspection.django_table_names(only_existing=True, include_views=False)
    connection.ops.execute_sql_flush(connection.ops.sql_flush(no_style(), tables, allow_cascade=True))


@pytest.fixture
def world(db: Any) -> World:
    return world_of_users()


@pytest.fixture
def tx_world(transactional_db: Any) -> World:
    return build_world()
