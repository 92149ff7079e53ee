"""Every URL, for every role: who gets what. Missing and not-yours answer alike (404); anonymous users
are sent to the login page. A meta-test fails when a URL is added without a row here."""

from __future__ import annotations

import importlib
import io
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from django.db.models import Model
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from factories import actor, pdf_bytes, start, world_of_users
from test_applications import complete_answers

from greenmfg.applications import services
from greenmfg.applications.dossier import build_form, scheme_for
from greenmfg.orgs.models import Organisation, OrgStatus
from greenmfg.reviews import services as reviews

# one worker runs the whole module (--dist loadgroup, pyproject.toml), so its objects are built once per run
pytestmark = pytest.mark.xdist_group("authorization_matrix")

ROLES = [
    None,  # anonymous
    "sz-machinery",  # the applicant (吴中区)
    "sz-energy",  # another enterprise in the same district
    "ks-electronics",  # an enterprise in another district of the same city
    "wz-reviewer",  # the district bureau
    "ks-reviewer",  # another district's bureau
    "sz-reviewer",  # the city bureau
    "sz-clerk",  # the city bureau's reviewer who does not sign (ADR 0011)
    "wx-reviewer",  # another city's bureau
    "js-reviewer",  # the province
    "mof-reviewer",  # the ministry
    "evaluator",
    "expert-1",
]
IN_JURISDICTION = {"wz-reviewer", "sz-reviewer", "sz-clerk", "js-reviewer", "mof-reviewer"}
REVIEWERS = {r for r in ROLES if r and r.endswith("-reviewer")}
APPLICANTS = {"sz-machinery", "sz-energy", "ks-electronics"}


def expected_for(kind: str, role: str | None, owner_status: int = 200) -> int:
    if role is None:
        return 302
    if kind == "owner":
        return owner_status if role == "sz-machinery" else 404
    if kind == "visible":  # the owner and the bureaus over its district
        return owner_status if role == "sz-machinery" or role in IN_JURISDICTION else 404
    if kind == "reviewers":
        return owner_status if role in REVIEWERS else 404
    if kind == "applicants":
        return owner_status if role in APPLICANTS else 404
    if kind == "district":
        return owner_status if role == "wz-reviewer" else 404
    raise ValueError(kind)


def _build_objects(world):
    user = world.users["sz-machinery"]
    application = start(user)
    services.save_answers(actor(user), application, complete_answers())
    item = services.upload_evidence(
        actor(user),
        application,
        application_first_indicator(application),
        io.BytesIO(pdf_bytes()),
        "证明.pdf",
    )
    services.submit(actor(user), application)
    job = application.imports.create(
        created_by=user, file="imports/none.xlsx", file_name="x.xlsx", status="done"
    )
    pending = Organisation.objects.create(
        kind="enterprise", name="待确认企业（测试）", region_id="320506", status=OrgStatus.PENDING
    )
    found = {"application": application, "evidence": item, "job": job, "pending": pending}
    for module in EXTRA_MODULES:
        builder = getattr(module, "objects", None)
        if builder is not None:
            found.update(builder(world, found))
    return found


@pytest.fixture(scope="module")
def _built_objects(module_transaction, django_db_blocker):
    """The matrix's objects, built once per module (per xdist worker) inside the module's transaction,
    which is rolled back after the module's tests: each test's own transaction is a savepoint inside it, so
    every row still starts from exactly these objects, without building them ~180 times (that was the
    slowest part of the suite)."""
    with django_db_blocker.unblock():
        return _build_objects(world_of_users())


@pytest.fixture
def objects(world, _built_objects):
    """Fresh instances of the shared objects: a test (or a fixture such as `returned`) may change one in
    memory, and the next test must not see that."""
    return {
        key: type(value)._default_manager.get(pk=value.pk) if isinstance(value, Model) else value
        for key, value in _built_objects.items()
    }


def application_first_indicator(application) -> str:
    call = application.call
    return build_form(scheme_for(call.scheme_id, call.scheme_version).key).indicators[0][0]


# url name -> (method, kwargs(objects), access kind, status for those allowed)
MATRIX = {
    "accounts:login": ("GET", None, "login", 200),
    "accounts:register": ("GET", None, "public", 200),
    "accounts:logout": ("POST", None, "any", 302),
    "accounts:otp_verify": ("GET", None, "any", None),
    "accounts:otp_setup": ("GET", None, "any", None),
    "accounts:password_change": ("GET", None, "any", 200),
    "set_language": ("POST", None, "public", 302),
    "web:home": ("GET", None, "any", None),
    "web:health": ("GET", None, "public", 200),
    "web:registrations": ("GET", None, "reviewers", 200),
    "web:decide": ("POST", lambda o: {"pk": o["pending"].pk}, "district", 302),
    "applications:mine": ("GET", None, "applicants", 200),
    "applications:queue": ("GET", None, "reviewers", 200),
    "applications:start": (
        "POST",
        lambda o: {"code": "suzhou-2026-factory-grading"},
        "applicants-in-city",
        302,
    ),
    "applications:dossier": ("GET", lambda o: {"public_id": o["application"].public_id}, "visible", 200),
    "applications:save": ("POST", lambda o: {"public_id": o["application"].public_id}, "owner", 409),
    "applications:submit": ("POST", lambda o: {"public_id": o["application"].public_id}, "owner", 302),
    "applications:withdraw": ("POST", lambda o: {"public_id": o["application"].public_id}, "owner", 302),
    "applications:reopen": ("POST", lambda o: {"public_id": o["application"].public_id}, "owner", 302),
    "applications:template": ("GET", lambda o: {"public_id": o["application"].public_id}, "visible", 200),
    "applications:import": ("POST", lambda o: {"public_id": o["application"].public_id}, "owner", 302),
    "applications:import_status": (
        "GET",
        lambda o: {"public_id": o["application"].public_id, "job_id": o["job"].pk},
        "owner",
        200,
    ),
    "evidence:upload": ("POST", lambda o: {"public_id": o["application"].public_id}, "owner", 302),
    "evidence:download": ("GET", lambda o: {"pk": o["evidence"].pk}, "visible", 200),
    "evidence:withdraw": ("POST", lambda o: {"pk": o["evidence"].pk}, "owner", 302),
}


# Each context past the foundation keeps its rows in its own module: ROWS (same shape as MATRIX, where the
# access kind may also be a function role -> allowed) and, optionally, objects(world, objects) -> dict.
# the first four build objects the later ones use (an engagement, a review chain, an announcement); every
# other matrix_*.py joins after them, so a branch adding its module needs no edit here
_FIRST = ("matrix_evaluations", "matrix_reviews", "matrix_register", "matrix_catalog")
EXTRA_MODULES = [
    importlib.import_module(name)
    for name in (
        *_FIRST,
        *sorted(p.stem for p in Path(__file__).parent.glob("matrix_*.py") if p.stem not in _FIRST),
    )
]
for _module in EXTRA_MODULES:
    assert not set(_module.ROWS) & set(MATRIX), f"{_module.__name__} repeats a row"
    MATRIX.update(_module.ROWS)


def _names(resolver: URLResolver, prefix: str = "") -> set[str]:
    names: set[str] = set()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            names |= _names(pattern, f"{prefix}{pattern.namespace}:" if pattern.namespace else prefix)
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.add(prefix + pattern.name)
    return names


def test_every_url_is_in_the_matrix():
    assert _names(get_resolver()) == set(MATRIX)


# the signed decisions (greencore.SIGNED_DECISIONS): sz-clerk reaches everything sz-reviewer (the city's
# signer) reaches, and is refused these with 403 where sz-reviewer is let through
SIGNED_URLS = {"publication:open", "publication:publish", "supervision:revoke_overdue"}


def expected(name: str, role: str | None) -> int | None:
    if role == "sz-clerk":
        as_signer = expected(name, "sz-reviewer")
        return 403 if name in SIGNED_URLS and as_signer == MATRIX[name][3] else as_signer
    _, _, kind, status = MATRIX[name]
    if callable(kind):  # a context's own rule: True (allowed), False (404), or the exact status for a role
        rule: Callable[[str], bool | int] = kind
        if role is None:
            return 302
        verdict = rule(role)
        return status if verdict is True else 404 if verdict is False else int(verdict)
    if kind == "public":
        return status
    if kind == "login":  # a logged-in user is sent on to the home page
        return 200 if role is None else 302
    if kind == "any":
        return 302 if role is None else status
    if kind == "reviewers-in":
        return (
            302
            if role is None
            else (status if role in {"wz-reviewer", "sz-reviewer", "js-reviewer", "mof-reviewer"} else 404)
        )
    if kind == "visible-reviewers":
        return 302 if role is None else (status if role in IN_JURISDICTION else 404)
    if kind == "applicants-in-city":
        return (
            302
            if role is None
            else (status if role in {"sz-machinery", "sz-energy", "ks-electronics"} else 404)
        )
    return expected_for(kind, role, status)


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_matrix(world, objects, name):
    method, kwargs, _, _ = MATRIX[name]
    url = reverse(name, kwargs=kwargs(objects) if kwargs else None)
    for role in ROLES:
        want = expected(name, role)
        if want is None:
            continue
        client = world.client(role)
        response = client.post(url) if method == "POST" else client.get(url)
        assert response.status_code == want, f"{name} as {role}: {response.status_code}, expected {want}"
        if role is None and want == 302 and MATRIX[name][2] != "public":
            assert response["Location"].startswith(reverse("accounts:login"))


# --- drafts stay private (issue 16) ------------------------------------------------------------------
# After a bureau returns the application, the applicant's new draft (answers and files) is its author's
# alone: every other role sees the frozen, submitted version, or nothing.

DRAFT_MARK = "98765.4321"


@pytest.fixture
def returned(world, objects):
    application = objects["application"]
    user = world.users["sz-machinery"]
    reviews.return_step(
        actor(world.users["wz-reviewer"]),
        application,
        "请补充能源管理体系证书",
        [],
        timezone.localdate() + timedelta(days=10),
    )
    application.refresh_from_db()
    services.save_answers(actor(user), application, {"in:carbon_intensity_base": DRAFT_MARK})
    draft_file = services.upload_evidence(
        actor(user),
        application,
        application_first_indicator(application),
        io.BytesIO(pdf_bytes("draft")),
        "草稿证明.pdf",
    )
    draft = application.versions.get(frozen_at__isnull=True)
    return {
        "application": application,
        "draft": draft,
        "draft_file": draft_file,
        "frozen": objects["evidence"],
    }


def _section_of(application, key: str) -> int:
    form = build_form(f"{application.call.scheme_id}@{application.call.scheme_version}")
    return [s.title for s in form.sections].index(form.section_of(key))


@pytest.mark.parametrize("role", [r for r in ROLES if r is not None])
def test_a_draft_in_progress_is_its_authors_alone(world, returned, role):
    application = returned["application"]
    client = world.client(role)
    dossier = reverse("applications:dossier", kwargs={"public_id": application.public_id})
    draft_version = f"{dossier}?version={returned['draft'].number}"
    draft_file = reverse("evidence:download", kwargs={"pk": returned["draft_file"].pk})
    frozen_file = reverse("evidence:download", kwargs={"pk": returned["frozen"].pk})
    owner = role == "sz-machinery"
    page = client.get(dossier)
    # the draft's value is in a section the page loads when it is opened (issue 11: sections load on open)
    section = reverse(
        "applications:section",
        kwargs={
            "public_id": application.public_id,
            "index": _section_of(application, "in:carbon_intensity_base"),
        },
    )
    if owner:
        assert (
            page.status_code == 200
            and DRAFT_MARK in page.content.decode() + client.get(section).content.decode()
        )
        assert client.get(draft_version).status_code == 200
        assert client.get(draft_file).status_code == 200
        return
    # a bureau over the district still reads the application, as submitted
    assert page.status_code == (200 if role in IN_JURISDICTION else 404)
    if page.status_code == 200:
        text = page.content.decode()
        assert DRAFT_MARK not in text and "草稿证明.pdf" not in text and "（草稿）" not in text
        assert DRAFT_MARK not in client.get(section).content.decode()
        assert client.get(frozen_file).status_code == 200
    assert client.get(draft_version).status_code == 404
    assert client.get(draft_file).status_code == 404
