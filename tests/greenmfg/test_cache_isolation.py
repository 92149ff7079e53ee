"""The database cache table does not carry one test's entries into the next (tests/conftest.py): a
transactional test's flush empties the models' tables only, so before issue 11 a live-server test's
rate-limit counters and kept evaluations stayed in the table for the rest of the process."""

from __future__ import annotations

import pytest
from django.core.cache import cache, caches
from django.core.cache.backends.db import DatabaseCache

KEY = "test-cache-isolation:left-by-the-first-test"
_first_ran_here: list[bool] = []


@pytest.mark.django_db(transaction=True)
def test_a_transactional_test_writes_the_database_cache():
    if not isinstance(caches["default"], DatabaseCache):
        pytest.skip("the cache is Redis here (GREENMFG_REDIS_URL): not the database table")
    cache.set(KEY, "stale", 3600)
    assert cache.get(KEY) == "stale"  # committed: no transaction of the test's to roll it back
    _first_ran_here.append(True)


@pytest.mark.django_db(transaction=True)
def test_the_next_test_does_not_find_it():
    if not _first_ran_here:
        pytest.skip("the first test ran in another process (xdist), or the cache is Redis")
    assert cache.get(KEY) is None
