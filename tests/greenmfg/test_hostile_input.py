"""Hostile text at the boundary (security VAL-01, issue 16): NUL, lone surrogates, control characters and
over-long values in form fields, query parameters, URL path segments and JSON bodies get a 400 (the API:
a JSON error in the user's language) or a form error naming the field, never a 500, and nothing is
stored. Each case below was a 500 on PostgreSQL (and some on SQLite) before the boundary checks."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from factories import actor, pdf_bytes, start
from test_authorization_matrix import application_first_indicator

from greenmfg.applications import services
from greenmfg.applications.models import Application, Dossier
from greenmfg.audit.models import Event
from greenmfg.evidence.models import EvidenceFile
from greenmfg.publication.models import Objection, PublicityEntry, PublicityNotice
from greenmfg.reviews.models import Assignment, ExpertProfile, ExpertRelation


def multipart(fields: dict[str, str], charset: str = "utf-8") -> tuple[bytes, str]:
    """A multipart body encoded in `charset`: UTF-7 carries lone surrogates ("+2AA-" is U+D800), which a
    UTF-8 form cannot, and Django decodes a multipart body in the charset its Content-Type names."""
    parts = []
    for name, value in fields.items():
        parts.append(
            f'--BB\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
            + value.encode(charset, "surrogatepass")
            + b"\r\n"
        )
    return b"".join(parts) + b"--BB--\r\n", f"multipart/form-data; boundary=BB; charset={charset}"


@dataclass
class Case:
    role: str | None
    method: str
    url: Callable[[dict[str, Any]], str]
    data: Callable[[dict[str, Any]], dict[str, str]] | None = None
    charset: str = "utf-8"
    files: Callable[[dict[str, Any]], dict[str, Any]] | None = None
    # a snapshot of what must not change
    stored: Callable[[dict[str, Any]], Any] = lambda o: None
    field: str = ""  # the field the answer must name
    api: bool = False


def _dossier_state(o: dict[str, Any]) -> Any:
    draft = Dossier.objects.get(application=o["draft"], frozen_at__isnull=True)
    return draft.revision, json.dumps(draft.answers, sort_keys=True)


def _objections(o: dict[str, Any]) -> Any:
    return Objection.objects.count(), list(Objection.objects.values_list("status", "decision_reason"))


def _relations(o: dict[str, Any]) -> Any:
    return ExpertRelation.objects.count(), Assignment.objects.get(pk=o["assignment"].pk).status


def _failed_logins(o: dict[str, Any]) -> Any:
    return Event.objects.filter(action="authn.login_failed").count()


def _evidence(o: dict[str, Any]) -> Any:
    return EvidenceFile.objects.count()


def _objection_form(**override: str) -> Callable[[dict[str, Any]], dict[str, str]]:
    def build(o: dict[str, Any]) -> dict[str, str]:
        data = {
            "entry": str(o["entry"].pk),
            "name": "张三",
            "contact": "zhangsan@example.cn",
            "grounds": "该单位的能耗数据与统计年报不一致，请核查。",
        }
        data.update(override)
        return data

    return build


def _dossier(o: dict[str, Any]) -> str:
    return reverse("applications:save", kwargs={"public_id": o["draft"].public_id})


def _notice(o: dict[str, Any]) -> str:
    return reverse("publication:notice", kwargs={"public_id": o["notice"].public_id})


def _decide(o: dict[str, Any]) -> str:
    return reverse("publication:decide", kwargs={"public_id": o["objection"].public_id})


def _conflict(o: dict[str, Any]) -> str:
    return reverse("reviews:expert_conflict", kwargs={"public_id": o["assignment"].public_id})


CASES: dict[str, Case] = {
    "dossier save NUL": Case(
        "sz-machinery",
        "POST",
        _dossier,
        lambda o: {"in:carbon_intensity_base": "12\x0034"},
        stored=_dossier_state,
        field="in:carbon_intensity_base",
    ),
    "dossier save lone surrogate": Case(
        "sz-machinery",
        "POST",
        _dossier,
        lambda o: {"in:carbon_intensity_base": "12\ud80034"},
        charset="utf-7",
        stored=_dossier_state,
        field="in:carbon_intensity_base",
    ),
    "dossier save C1 control": Case(
        "sz-machinery",
        "POST",
        _dossier,
        lambda o: {"in:carbon_intensity_base": "12\x9b34"},
        stored=_dossier_state,
        field="in:carbon_intensity_base",
    ),
    "objection name NUL": Case(
        None, "POST", _notice, _objection_form(name="张\x00三"), stored=_objections, field="name"
    ),
    "objection grounds surrogate": Case(
        None,
        "POST",
        _notice,
        _objection_form(grounds="理由\ud800充分，请核查该单位的数据。"),
        charset="utf-7",
        stored=_objections,
        field="grounds",
    ),
    "objection name with a line break": Case(
        None, "POST", _notice, _objection_form(name="张三\r\n李四"), stored=_objections, field="name"
    ),
    "objection contact over-long": Case(
        None, "POST", _notice, _objection_form(contact="a" * 65), stored=_objections, field="contact"
    ),
    "objection entry not a number": Case(
        None, "POST", _notice, _objection_form(entry="abc"), stored=_objections, field="entry"
    ),
    "objection decision NUL": Case(
        "sz-reviewer",
        "POST",
        _decide,
        lambda o: {"upheld": "no", "reason": "经核查\x00不成立"},
        stored=_objections,
        field="reason",
    ),
    "expert conflict NUL": Case(
        "expert-1",
        "POST",
        _conflict,
        lambda o: {"kind": "declared", "note": "曾为\x00该单位提供咨询"},
        stored=_relations,
        field="note",
    ),
    "expert conflict kind over-long": Case(
        "expert-1",
        "POST",
        _conflict,
        lambda o: {"kind": "k" * 40, "note": "曾为该单位提供咨询"},
        stored=_relations,
        field="kind",
    ),
    "failed login NUL username": Case(
        None,
        "POST",
        lambda o: reverse("accounts:login"),
        lambda o: {"username": "sz-\x00machinery", "password": "wrong-password-1"},
        stored=_failed_logins,
        field="username",
    ),
    "api titles q NUL": Case(None, "GET", lambda o: reverse("api:titles") + "?q=%00", field="q", api=True),
    "api titles q surrogate escape": Case(
        None, "GET", lambda o: reverse("api:titles") + "?q=a%ED%A0%80%01", field="q", api=True
    ),
    "api unit path NUL": Case(None, "GET", lambda o: "/api/units/a%00b", field="unit_key", api=True),
    "evidence foreign replaces": Case(
        "sz-machinery",
        "POST",
        lambda o: reverse("evidence:upload", kwargs={"public_id": o["draft"].public_id}),
        lambda o: {"indicator": o["indicator"], "replaces": str(o["foreign_evidence"].pk)},
        files=lambda o: {"file": SimpleUploadedFile("b.pdf", pdf_bytes("replacement"))},
        stored=_evidence,
        field="replaces",
    ),
}


@pytest.fixture
def hostile(world: Any) -> dict[str, Any]:
    user = world.users["sz-machinery"]
    draft = start(user)
    other = start(user, "suzhou-2026-factory-grading")
    indicator = application_first_indicator(draft)
    foreign = services.upload_evidence(
        actor(user), other, application_first_indicator(other), io.BytesIO(pdf_bytes()), "a.pdf"
    )
    services.save_answers(actor(user), draft, {"in:carbon_intensity_base": "100"})
    submitted = Application.objects.create(
        call=draft.call,
        applicant=world.users["sz-energy"].membership.organisation,
        region_id="320506",
        state="in_review",
        submitted_at=timezone.now(),
    )
    city = world.users["sz-reviewer"].membership.organisation
    today = timezone.localdate()
    notice = PublicityNotice.objects.create(
        call=draft.call,
        authority=city,
        title="输入检查测试公示",
        opens_on=today,
        closes_on=today + timedelta(days=6),
        created_by=world.users["sz-reviewer"],
    )
    entry = PublicityEntry.objects.create(
        notice=notice, application=submitted, unit_name=submitted.applicant.name, region_name="吴中区"
    )
    objection = Objection.objects.create(
        notice=notice, entry=entry, name="李四", contact="lisi@example.cn", grounds="输入检查测试的异议理由"
    )
    now = timezone.now()
    assignment = Assignment.objects.create(
        application=submitted,
        step=0,
        expert=ExpertProfile.objects.get(user=world.users["expert-1"]),
        assigned_by=world.users["sz-reviewer"],
        opens_at=now - timedelta(minutes=1),
        closes_at=now + timedelta(days=1),
    )
    return {
        "draft": draft,
        "indicator": indicator,
        "foreign_evidence": foreign,
        "notice": notice,
        "entry": entry,
        "objection": objection,
        "assignment": assignment,
    }


def _client(world: Any, role: str | None, english: bool = False) -> Client:
    client = world.client(role)
    client.raise_request_exception = False
    if english:
        client.cookies["django_language"] = "en"
    return client


def _send(client: Client, case: Case, objects: dict[str, Any]) -> Any:
    url = case.url(objects)
    if case.method == "GET":
        return client.get(url)
    data = case.data(objects) if case.data else {}
    if case.files is not None:
        return client.post(url, {**data, **case.files(objects)})
    body, content_type = multipart(data, case.charset)
    return client.generic("POST", url, body, content_type=content_type)


@pytest.mark.parametrize("name", sorted(CASES))
def test_hostile_text_is_refused_and_nothing_is_stored(world, hostile, name):
    case = CASES[name]
    before = case.stored(hostile)
    response = _send(_client(world, case.role), case, hostile)
    assert response.status_code == 400, f"{name}: {response.status_code}"
    assert case.stored(hostile) == before
    text = response.content.decode()
    if case.api:
        body = response.json()
        assert case.field in body["detail"], body
    else:
        assert case.field in text or f'name="{case.field}"' in text, text[:2000]


@pytest.mark.parametrize("name", ["api titles q NUL", "api unit path NUL"])
def test_the_api_answers_in_the_users_language(world, hostile, name):
    case = CASES[name]
    zh = _send(_client(world, None), case, hostile).json()["detail"]
    en = _send(_client(world, None, english=True), case, hostile).json()["detail"]
    assert "不能含有" in zh
    assert "must not contain" in en
