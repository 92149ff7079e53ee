"""Schemathesis over the open-data API (issue 16): every operation of /api/openapi.json, with query and
path parameters drawn from the schema (positive cases) and beyond it (negative cases: wrong types,
out-of-range numbers, arbitrary text), sent through the real WSGI application. No answer may be a 5xx;
the tally of requests and answers is printed at the end.

Run by .ci/run on PostgreSQL (bounded by GREENMFG_FUZZ_EXAMPLES) and longer by `make fuzz`."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from fuzzing import EXAMPLES, Tally, report
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from schemathesis.generation.modes import GenerationMode

from greenmfg.register.api import api
from greenmfg.wsgi import application

OPERATIONS = sorted(
    (method.upper(), path)
    for path, item in api.get_openapi_schema(path_prefix="/api/")["paths"].items()
    for method in item
)


@pytest.fixture(scope="module")
def tally(request: pytest.FixtureRequest) -> Iterator[Tally]:
    yield from report(request, Tally("api (schemathesis)"))


@pytest.fixture
def api_schema(world: Any, settings: Any) -> Iterator[Any]:
    # the fuzzer is one client at one address: the abuse limits would answer 429 to most of it
    settings.RATE_LIMITS = {}
    # the WSGI handler closes the connection when a request ends; here that connection holds the test's
    # transaction (Django's own test client detaches the handler the same way)
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi("/api/openapi.json", application)
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


def test_every_operation_is_fuzzed(api_schema: Any) -> None:
    served = sorted(
        (result.ok().method.upper(), result.ok().path) for result in api_schema.get_all_operations()
    )
    assert served == OPERATIONS


@pytest.mark.parametrize(("method", "path"), OPERATIONS)
def test_no_api_answer_is_a_server_error(api_schema: Any, tally: Tally, method: str, path: str) -> None:
    operation = api_schema[path][method]
    cases = st.one_of(
        operation.as_strategy(generation_mode=GenerationMode.POSITIVE),
        operation.as_strategy(generation_mode=GenerationMode.NEGATIVE),
    )

    @hypothesis_settings(
        max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck)
    )
    @given(case=cases)
    def fuzz(case: Any) -> None:
        response = case.call()
        tally.record(response.status_code, f"{case.method} {case.formatted_path} {case.query}")
        assert response.status_code < 500, response.text[:2000]

    fuzz()
