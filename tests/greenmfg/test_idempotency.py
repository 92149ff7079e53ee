"""Idempotency keys on state-changing posts (issue 16): a retried request with the same key gets the first
answer and causes no second effect. For each action (submit, upload, object, decide an objection,
publish, a review decision, a registration decision), 20 identical requests at once (threads released
by a barrier, each with its own connection) take effect exactly once, and all 20 get the same answer."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from factories import actor, pdf_bytes, start
from test_applications import complete_answers
from test_authorization_matrix import application_first_indicator
from test_reviews import emailed_code, published_journey, self_evaluated_call, submitted, who

from greenmfg.applications import services as applications
from greenmfg.applications.models import Application
from greenmfg.audit.models import Event
from greenmfg.core.idempotency import FIELD, REPLAYED
from greenmfg.core.models import IdempotencyKey
from greenmfg.evidence.models import EvidenceFile
from greenmfg.orgs.models import Organisation, OrgStatus
from greenmfg.publication import services as publication
from greenmfg.publication.models import Announcement, Objection, PublicityEntry
from greenmfg.reviews.models import Decision

TWINS = 20
KEY = "f3c1d0e2a9b84c7e9d6a5b4c3d2e1f00"


@pytest.fixture(autouse=True)
def _no_rate_limits(settings: Any) -> None:
    # twenty posts from one address within a second: the abuse limits are another test's subject
    settings.RATE_LIMITS = {}


def race(clients: list[Client], url: str, data: Callable[[], dict[str, Any]]) -> list[tuple[int, str, bool]]:
    """POST `data()` to `url` from every client at the same moment; the answers, in client order."""
    barrier = threading.Barrier(len(clients))
    answers: list[Any] = [None] * len(clients)
    errors: list[BaseException] = []
    payloads = [data() for _ in clients]

    def post(index: int) -> None:
        try:
            barrier.wait()
            response = clients[index].post(url, payloads[index])
            answers[index] = (
                response.status_code,
                response.get("Location", ""),
                response.has_header(REPLAYED),
            )
        except BaseException as error:  # reported below, in the test's thread
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=post, args=(i,)) for i in range(len(clients))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    return answers


def assert_one_answer(answers: list[tuple[int, str, bool]]) -> None:
    assert len({(status, location) for status, location, _ in answers}) == 1, answers
    assert sorted(replayed for _, _, replayed in answers) == [False] + [True] * (TWINS - 1)
    assert answers[0][0] < 500


def clients(world: Any, role: str | None) -> list[Client]:
    return [world.client(role) for _ in range(TWINS)]


# --- one request, retried -----------------------------------------------------------------------------


def test_a_retry_gets_the_first_answer_and_no_second_effect(world: Any) -> None:
    user = world.users["sz-machinery"]
    application = start(user)
    applications.save_answers(actor(user), application, complete_answers())
    client = world.client("sz-machinery")
    url = reverse("applications:submit", kwargs={"public_id": application.public_id})
    first = client.post(url, {FIELD: KEY})
    again = client.post(url, {FIELD: KEY})
    assert (first.status_code, again.status_code) == (302, 302)
    assert again["Location"] == first["Location"] and again[REPLAYED] == "true"
    assert not first.has_header(REPLAYED)
    assert Event.objects.filter(action="application.submit").count() == 1
    # the retry added no message: the page after it shows the first answer's "submitted" only once
    assert IdempotencyKey.objects.get().scope == f"u:{user.pk}"


def test_a_key_reused_for_another_request_is_refused(world: Any) -> None:
    user = world.users["sz-machinery"]
    first = start(user)
    other = start(user, "suzhou-2026-factory-grading")
    client = world.client("sz-machinery")
    client.post(reverse("applications:submit", kwargs={"public_id": first.public_id}), {FIELD: KEY})
    reused = client.post(reverse("applications:submit", kwargs={"public_id": other.public_id}), {FIELD: KEY})
    assert reused.status_code == 422
    assert FIELD in reused.content.decode() and "该请求标识已用于另一项操作" in reused.content.decode()
    other.refresh_from_db()
    assert other.state == "draft"


def test_a_malformed_key_is_refused_naming_the_field(world: Any) -> None:
    application = start(world.users["sz-machinery"])
    client = world.client("sz-machinery")
    url = reverse("applications:submit", kwargs={"public_id": application.public_id})
    for key in ("short", "x" * 65, "有中文的请求标识符号", "a b c d e f g h"):
        response = client.post(url, {FIELD: key})
        assert response.status_code == 400, key
        assert FIELD in response.content.decode()
    assert not IdempotencyKey.objects.exists()
    assert Event.objects.filter(action="application.submit").count() == 0


def test_keys_are_scoped_per_user(world: Any) -> None:
    """Two applicants who happen to send the same key each get their own effect."""
    mine = start(world.users["sz-machinery"])
    theirs = start(world.users["sz-energy"])
    for application, username in ((mine, "sz-machinery"), (theirs, "sz-energy")):
        user = world.users[username]
        applications.save_answers(actor(user), application, complete_answers())
        url = reverse("applications:submit", kwargs={"public_id": application.public_id})
        assert not world.client(username).post(url, {FIELD: KEY}).has_header(REPLAYED)
    assert Event.objects.filter(action="application.submit").count() == 2


def test_the_forms_carry_a_fresh_key(world: Any) -> None:
    application = start(world.users["sz-machinery"])
    applications.save_answers(actor(world.users["sz-machinery"]), application, complete_answers())
    client = world.client("sz-machinery")
    url = reverse("applications:dossier", kwargs={"public_id": application.public_id})
    first, second = client.get(url).content.decode(), client.get(url).content.decode()
    marker = f'name="{FIELD}" value="'
    assert marker in first and marker in second
    key_of = lambda page: page.split(marker, 1)[1][:32]  # noqa: E731
    assert key_of(first) != key_of(second)


# --- twenty at once, per action ---------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_twenty_identical_submits_take_effect_once(tx_world: Any) -> None:
    user = tx_world.users["sz-machinery"]
    application = start(user)
    applications.save_answers(actor(user), application, complete_answers())
    url = reverse("applications:submit", kwargs={"public_id": application.public_id})
    answers = race(clients(tx_world, "sz-machinery"), url, lambda: {FIELD: KEY})
    assert_one_answer(answers)
    assert Event.objects.filter(action="application.submit").count() == 1
    assert Application.objects.get(pk=application.pk).state == "submitted"


@pytest.mark.django_db(transaction=True)
def test_twenty_identical_uploads_store_one_file(tx_world: Any) -> None:
    user = tx_world.users["sz-machinery"]
    application = start(user)
    indicator = application_first_indicator(application)
    url = reverse("evidence:upload", kwargs={"public_id": application.public_id})

    def form() -> dict[str, Any]:
        return {
            FIELD: KEY,
            "indicator": indicator,
            "file": SimpleUploadedFile("证明.pdf", pdf_bytes("twins")),
        }

    answers = race(clients(tx_world, "sz-machinery"), url, form)
    assert_one_answer(answers)
    assert EvidenceFile.objects.count() == 1
    assert Event.objects.filter(action="evidence.uploaded").count() == 1


@pytest.fixture
def open_notice(tx_world: Any) -> Any:
    application = published_journey(tx_world)
    return publication.open_publicity(who(tx_world, "sz-reviewer"), application.call)


@pytest.mark.django_db(transaction=True)
def test_twenty_identical_objections_file_one(tx_world: Any, open_notice: Any) -> None:
    entry = PublicityEntry.objects.get(notice=open_notice)
    url = reverse("publication:notice", kwargs={"public_id": open_notice.public_id})

    def form() -> dict[str, Any]:
        return {
            FIELD: KEY,
            "entry": entry.pk,
            "name": "李四",
            "contact": "lisi@example.cn",
            "grounds": "该企业2025年曾因噪声扰民被投诉，请核查。",
        }

    answers = race(clients(tx_world, None), url, form)
    assert_one_answer(answers)
    assert Objection.objects.count() == 1
    assert len([m for m in mail.outbox if "lisi@example.cn" in m.to]) == 1


@pytest.mark.django_db(transaction=True)
def test_twenty_identical_decisions_and_publications_take_effect_once(
    tx_world: Any, open_notice: Any
) -> None:
    entry = PublicityEntry.objects.get(notice=open_notice)
    objection = publication.file_objection(
        open_notice,
        entry,
        name="李四",
        contact="lisi@example.cn",
        grounds="该企业2025年曾因噪声扰民被投诉，请核查。",
    )
    objection = publication.verify_objection(objection, emailed_code("lisi@example.cn"))
    decide = reverse("publication:decide", kwargs={"public_id": objection.public_id})
    reason = "经核查，投诉已于2025年处理完毕，不影响评价结论。"
    answers = race(
        clients(tx_world, "sz-reviewer"),
        decide,
        lambda: {FIELD: KEY, "outcome": "dismissed", "reason": reason},
    )
    assert_one_answer(answers)
    objection.refresh_from_db()
    assert (objection.status, objection.decision_reason) == ("dismissed", reason)

    publish = reverse("publication:publish", kwargs={"public_id": open_notice.public_id})
    later = timezone.now() + timedelta(days=8)
    with time_machine.travel(later, tick=True):
        answers = race(clients(tx_world, "sz-reviewer"), publish, lambda: {FIELD: "publish-" + KEY[:20]})
    assert_one_answer(answers)
    assert Announcement.objects.count() == 1
    assert answers[0][1] == reverse(
        "publication:announcement", kwargs={"public_id": Announcement.objects.get().public_id}
    )


@pytest.mark.django_db(transaction=True)
def test_twenty_identical_review_decisions_take_effect_once(tx_world: Any) -> None:
    self_evaluated_call(tx_world)
    application = submitted(tx_world)
    url = reverse("reviews:pass", kwargs={"public_id": application.public_id})
    answers = race(clients(tx_world, "wz-reviewer"), url, lambda: {FIELD: KEY, "reasons": "初审通过"})
    assert_one_answer(answers)
    # the district's pass forwards the application to the city: one decision, one move
    assert list(Decision.objects.filter(application=application).values_list("outcome", flat=True)) == [
        "forwarded"
    ]
    application.refresh_from_db()
    assert (application.state, application.review_step) == ("in_review", 1)


@pytest.mark.django_db(transaction=True)
def test_twenty_identical_registration_decisions_take_effect_once(tx_world: Any) -> None:
    pending = Organisation.objects.create(
        kind="enterprise", name="待确认企业（并发）", region_id="320506", status=OrgStatus.PENDING
    )
    url = reverse("web:decide", kwargs={"pk": pending.pk})
    answers = race(clients(tx_world, "wz-reviewer"), url, lambda: {FIELD: KEY, "approve": "1"})
    assert_one_answer(answers)
    pending.refresh_from_db()
    assert pending.status == OrgStatus.ACTIVE
    assert Event.objects.filter(action="org.confirmed").count() == 1
