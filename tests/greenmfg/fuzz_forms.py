"""A Hypothesis form fuzzer over every POST endpoint of the authorization matrix, as every role
(issue 16). Each example posts a form of fields the platform knows (every Django form's fields, every
`name=` of the templates, the dossier's inputs) and fields it does not, with values drawn from what
forms expect (choices, numbers, dates, the ids of the matrix's objects) and what they must survive
(NUL and control characters, over-long text, any Unicode, files of random bytes). State carries over
between examples within an endpoint, so later requests meet objects that earlier ones changed.

No answer may be a 5xx (an exception counts as one). The tally is printed at the end. Run by .ci/run
on PostgreSQL (bounded by GREENMFG_FUZZ_EXAMPLES) and longer by `make fuzz`."""

# ruff: noqa: F811  (the `objects` fixture, imported from test_authorization_matrix, is a parameter here)
from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from django import forms as django_forms
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from factories import pdf_bytes
from fuzzing import EXAMPLES, Tally, report
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from test_authorization_matrix import (  # noqa: F401 (the fixtures)
    MATRIX,
    ROLES,
    _built_objects,
    expected,
    objects,
)

from greenmfg.applications.dossier import build_form, scheme_for
from greenmfg.core.idempotency import FIELD as IDEMPOTENCY_FIELD

TEMPLATES = Path(__file__).resolve().parents[2] / "src" / "greenmfg"
POSTS = sorted(name for name, row in MATRIX.items() if row[0] == "POST")


def _form_classes(base: type) -> Iterator[type]:
    for sub in base.__subclasses__():
        yield sub
        yield from _form_classes(sub)


def _vocabulary() -> tuple[list[str], list[str]]:
    """The field names the platform's forms and templates use, and the choice values they offer."""
    names: set[str] = set()
    choices: set[str] = set()
    for form in _form_classes(django_forms.BaseForm):
        if not form.__module__.startswith("greenmfg."):
            continue
        for field_name, field in getattr(form, "base_fields", {}).items():
            names.add(field_name)
            for value, _ in getattr(field, "choices", None) or ():
                if isinstance(value, str | int):
                    choices.add(str(value))
    for template in TEMPLATES.rglob("*.html"):
        names.update(re.findall(r'name="([A-Za-z0-9_:.\-]+)"', template.read_text(encoding="utf-8")))
        choices.update(re.findall(r'value="([A-Za-z0-9_\-]{1,40})"', template.read_text(encoding="utf-8")))
    names.add(IDEMPOTENCY_FIELD)  # drawn by a template tag, so not literally in any template
    return sorted(names), sorted(choices)


NAMES, CHOICES = _vocabulary()


def _values(ids: list[str], dossier_keys: list[str]) -> st.SearchStrategy[Any]:
    today = date(2026, 12, 7)
    hostile = st.sampled_from(
        [
            "\x00",
            "a\x00b",
            "\x1b[31m",
            "\u202e",
            "\ufeff",
            "'; drop table x; --",
            "<script>",
            "../../etc/passwd",
        ]
    )
    text = st.text(
        alphabet=st.characters(blacklist_categories=["Cs"]),  # the client encodes UTF-8: no lone surrogates
        max_size=40,
    )
    return st.one_of(
        st.sampled_from(CHOICES or ["x"]),
        st.sampled_from(ids),
        st.sampled_from(dossier_keys),
        st.integers(min_value=-(2**63), max_value=2**63).map(str),
        st.floats(allow_nan=True, allow_infinity=True).map(str),
        st.dates(min_value=today - timedelta(days=3650), max_value=today + timedelta(days=3650)).map(str),
        st.sampled_from(["", " ", "0", "-1", "1e309", "NaN", "true", "on", "2026-02-30", "13800000000"]),
        hostile,
        text,
        st.integers(min_value=200, max_value=70_000).map(lambda n: "长" * n),
    )


def _files() -> st.SearchStrategy[SimpleUploadedFile]:
    return st.builds(
        SimpleUploadedFile,
        st.sampled_from(["证明.pdf", "a.xlsx", "x.png", "..\\..\\evil.pdf", "n\x00.pdf", ".pdf", "无后缀"]),
        st.one_of(st.binary(max_size=2048), st.just(pdf_bytes())),
    )


@pytest.fixture(scope="module")
def tally(request: pytest.FixtureRequest) -> Iterator[Tally]:
    yield from report(request, Tally("forms (hypothesis)"))


@pytest.mark.parametrize("name", POSTS)
def test_no_post_answers_a_server_error(
    world: Any, objects: dict[str, Any], settings: Any, tally: Tally, name: str
) -> None:
    # one client at one address: the abuse limits would answer 429 to most of the fuzz
    settings.RATE_LIMITS = {}
    settings.AXES_ENABLED = False
    _, kwargs, _, _ = MATRIX[name]
    url = reverse(name, kwargs=kwargs(objects) if kwargs else None)
    application = objects["application"]
    form = build_form(scheme_for(application.call.scheme_id, application.call.scheme_version).key)
    dossier_keys = sorted(form.keys)[:60] + [row for row, _ in form.indicators]
    ids = sorted(
        {str(v.pk) for v in objects.values() if hasattr(v, "pk")}
        | {str(v.public_id) for v in objects.values() if hasattr(v, "public_id")}
    )
    fields = st.one_of(st.sampled_from(NAMES), st.sampled_from(dossier_keys), st.text(max_size=12))
    data = st.dictionaries(
        fields,
        st.one_of(_values(ids, dossier_keys), st.lists(_values(ids, dossier_keys), max_size=3)),
        max_size=8,
    )
    files = st.dictionaries(
        st.sampled_from(["file", "files", "workbook", "source_file"]), _files(), max_size=2
    )
    # most examples as a role the matrix lets through (the view's own checks are what is fuzzed), the
    # others as anyone
    allowed = [role for role in ROLES if expected(name, role) not in (302, 404)] or ROLES
    roles = st.one_of(st.sampled_from(allowed), st.sampled_from(ROLES))
    clients: dict[str | None, Client] = {}

    @hypothesis_settings(
        max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck)
    )
    @given(role=roles, form_data=data, uploads=files, htmx=st.booleans())
    def fuzz(role: str | None, form_data: dict[str, Any], uploads: dict[str, Any], htmx: bool) -> None:
        client = clients.get(role)
        if client is None:
            client = clients[role] = world.client(role)
        headers = {"HX-Request": "true"} if htmx else {}
        what = f"{name} as {role}: {sorted(form_data)} {sorted(uploads)}"
        try:
            response = client.post(url, {**form_data, **uploads}, headers=headers)
        except Exception as error:  # an exception in a view is what a 500 is
            tally.record(500, f"{what}: {error!r}"[:500])
            raise
        tally.record(response.status_code, what)
        assert response.status_code < 500, what

    fuzz()
