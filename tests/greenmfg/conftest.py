"""The platform's test world: the real regions and industries, the demo organisations, calls and users.

The world is built once, in the template every test database is copied from (tests/dbtemplate.py, ADR
0012), and committed there, so each test that asks for it starts from it inside its own rolled-back
transaction instead of reloading ~3,500 regions, the industries and the demo world (that reload was 131 s
of the platform's 214 s). A transactional test (live server, racing threads) flushes every table when it
ends; the next test that asks for the world then builds it again, once, committed before its transaction
begins.

Data that several tests of one module read (the real national lists, the authorization matrix's objects) is
built once per module inside `module_transaction`, a transaction open while that module's tests run and
rolled back after them; each test's own transaction is a savepoint inside it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.core.management.color import no_style
from django.db import connection, transaction
from factories import World, build_world, world_of_users, world_present

# the module whose shared data is in the open `module_transaction`, if any
_open_module: list[str] = []


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: Any, django_db_blocker: Any) -> None:
    """The world comes with the test database, a copy of the template (tests/dbtemplate.py); it is built
    here only when pytest-django made the database itself (--reuse-db, --no-migrations)."""
    with django_db_blocker.unblock():
        if not world_present():
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


@pytest.fixture(scope="module")
def module_transaction(
    request: pytest.FixtureRequest, django_db_setup: Any, django_db_blocker: Any
) -> Iterator[None]:
    """A transaction over the committed world, open while the module's tests run and rolled back after
    them: a module-scoped fixture that depends on this one builds its data once, and every test of the
    module starts from exactly that data (its own transaction is a savepoint inside this one). Pytest ends
    it before a test of another module runs; `_no_foreign_shared_data` fails a test that would see it
    without asking for it."""
    with django_db_blocker.unblock():
        if not world_present():  # a transactional test flushed the committed world
            build_world()
        atomic = transaction.atomic()
        atomic.__enter__()
    _open_module.append(request.module.__name__)
    try:
        yield
    finally:
        _open_module.clear()
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture(autouse=True)
def _no_foreign_shared_data(request: pytest.FixtureRequest) -> None:
    """A test that uses the database but not a module's shared data must never run inside that data's
    transaction (it would see rows it did not ask for, or a transactional test would flush them)."""
    uses_db = {"db", "transactional_db"} & set(request.fixturenames)
    if _open_module and uses_db and "module_transaction" not in request.fixturenames:
        pytest.fail(
            f"{request.node.nodeid} uses the database inside {_open_module[0]}'s shared transaction: "
            "move it to a module of its own"
        )
    if "module_transaction" in request.fixturenames and "transactional_db" in request.fixturenames:
        pytest.fail(f"{request.node.nodeid}: a transactional test cannot run inside a module's transaction")


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
