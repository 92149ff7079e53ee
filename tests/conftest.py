"""Shared fixtures for the greencore tests, and the database cache emptied after a transactional test."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.core.cache import caches
from django.core.cache.backends.db import DatabaseCache

from greencore.standards.loader import load_data
from greencore.standards.model import Scheme
from greencore.standards.registry import get_scheme

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
