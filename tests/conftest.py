"""Shared fixtures for the greencore tests, the test databases copied from one template, and the database
cache emptied after a transactional test."""

from __future__ import annotations

import json
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from _pytest.nodeid import NodeId
from django.core.cache import caches
from django.core.cache.backends.db import DatabaseCache
from django.test.utils import setup_databases, teardown_databases
from pytest_django.fixtures import _disable_migrations, _get_databases_for_setup

from greencore.standards.loader import load_data
from greencore.standards.model import Scheme
from greencore.standards.registry import get_scheme
from tests import dbtemplate

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"


def make_scheme(text: str, file: str = "test.yaml") -> Scheme:
    """A scheme from inline YAML (a small scheme written for one test)."""
    return load_data(yaml.safe_load(textwrap.dedent(text)), file)


@pytest.fixture(scope="session")
def factory_2025() -> Scheme:
    return get_scheme("factory-gbt36132-2025")


@pytest.fixture
def example_2025() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((EXAMPLES / "factory-2025.json").read_text(encoding="utf-8"))["inputs"]
    return data


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Keep an xdist_group on one worker under --dist loadgroup with pytest 9.2 (pytest-xdist#1386).

    xdist tells the scheduler a test's group by appending `@group` to its node id in the worker, through
    the `_nodeid` attribute pytest 9.2 no longer reads (node ids are structured), so every group was
    spread like ungrouped tests. This appends it to the structured id, as xdist did before; a no-op once
    xdist does it itself, and outside an xdist worker (`loadgroup` is a worker's option)."""
    if not getattr(config.option, "loadgroup", False):
        return
    for item in items:
        groups = {
            str(mark.args[0] if mark.args else mark.kwargs.get("name", "default"))
            for mark in item.iter_markers("xdist_group")
        }
        suffix = "@" + "_".join(sorted(groups))
        if groups and not item.nodeid.endswith(suffix) and hasattr(item, "_id"):
            item._id = NodeId.parse(item.nodeid + suffix)


def _populate_template() -> None:
    """What every test database starts with: the reference data and the demo world (the platform's tests'
    world, tests/greenmfg/factories.py)."""
    world_dir = str(ROOT / "tests" / "greenmfg")
    if world_dir not in sys.path:
        sys.path.insert(0, world_dir)
    from factories import build_world  # noqa: PLC0415 (its folder is on the path only from here on)

    build_world()


@pytest.fixture(scope="session")
def django_db_setup(
    request: pytest.FixtureRequest,
    django_test_environment: None,
    django_db_blocker: Any,
    django_db_use_migrations: bool,
    django_db_keepdb: bool,
    django_db_createdb: bool,
    django_db_modify_db_settings: None,
) -> Iterator[None]:
    """Each test database (one per xdist worker) is a copy of one template, migrated and populated once
    (tests/dbtemplate.py, ADR 0012), instead of being migrated and loaded by each worker.

    pytest-django's own set-up (migrate this database) is kept for --reuse-db, --no-migrations, tests that
    ask for a serialized rollback and GREENMFG_TEST_TEMPLATE=0."""
    aliases, serialized = _get_databases_for_setup(request.session.items)
    verbosity = request.config.option.verbose
    plain = django_db_keepdb or not django_db_use_migrations or bool(serialized) or not dbtemplate.enabled()
    with django_db_blocker.unblock():
        if plain:
            if not django_db_use_migrations:
                _disable_migrations()
            keepdb = django_db_keepdb and not django_db_createdb
            db_cfg = setup_databases(
                verbosity=verbosity,
                interactive=False,
                aliases=aliases,
                serialized_aliases=serialized,
                keepdb=keepdb,
            )
        else:
            db_cfg = dbtemplate.setup_databases(aliases, _populate_template, verbosity)
    yield
    if not django_db_keepdb:
        with django_db_blocker.unblock():
            try:
                teardown_databases(db_cfg, verbosity=verbosity)
            except Exception as exc:  # as pytest-django: a warning, not a failure
                request.node.warn(
                    pytest.PytestWarning(f"Error when trying to teardown test databases: {exc!r}")
                )


def _transactional(request: pytest.FixtureRequest) -> bool:
    marker = request.node.get_closest_marker("django_db")
    if marker is not None and (marker.kwargs.get("transaction") or (marker.args and marker.args[0])):
        return True
    return bool({"transactional_db", "live_server"} & set(request.fixturenames))


@pytest.fixture(autouse=True)
def _database_cache_emptied(request: pytest.FixtureRequest) -> Any:
    """Empty the database cache table after a transactional test (live server, racing threads).

    Without Redis the platform's cache is a table (core's migration creates it). A transactional test's
    flush empties the models' tables only, so what the test put there — rate-limit counters of its logins,
    kept evaluations — stayed for the tests after it in the process. (Other tests write it inside their
    own rolled-back transaction.) A Redis cache is left alone: it may be shared, and tests that use Redis
    take a database of their own.
    """
    if not _transactional(request):
        yield
        return
    blocker = request.getfixturevalue("django_db_blocker")
    yield
    with blocker.unblock():
        for alias in caches:
            backend = caches[alias]
            if isinstance(backend, DatabaseCache):
                backend.clear()
