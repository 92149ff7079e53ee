"""The audit chain detects tampering; evidence is checked by content, digested, frozen and re-verified."""

from __future__ import annotations

import io

import pytest
from django.core.files.storage import default_storage
from django.db import DatabaseError, connection, transaction
from factories import actor, pdf_bytes, start
from test_applications import complete_answers

from greencore.workflow import TransitionRefused, check, load
from greenmfg.applications import services
from greenmfg.applications.dossier import build_form, scheme_for
from greenmfg.audit.models import Event
from greenmfg.audit.services import verify_chain
from greenmfg.evidence import services as evidence
from greenmfg.evidence.models import EvidenceFile


def first_indicator(application) -> str:
    return build_form(scheme_for(application.call.scheme_id, application.call.scheme_version).key).indicators[
        0
    ][0]


def test_the_chain_verifies_and_a_changed_row_is_found(world):
    start(world.users["sz-machinery"])
    start(world.users["sz-energy"])
    assert Event.objects.count() == 2
    assert verify_chain() is None
    victim = Event.objects.order_by("id")[1]
    if connection.vendor == "postgresql":
        with pytest.raises(DatabaseError), transaction.atomic():
            Event.objects.filter(pk=victim.pk).update(action="tampered")
        return
    Event.objects.filter(pk=victim.pk).update(detail={"forged": True})
    assert verify_chain() == victim.pk


def test_the_workflow_table_refuses_with_reasons():
    workflow = load("application")
    assert check(workflow, "draft", "submit", "applicant").target == "submitted"
    with pytest.raises(TransitionRefused) as refused:
        check(workflow, "submitted", "submit", "applicant")
    assert refused.value.zh == "当前状态为「已提交」，不能提交"
    with pytest.raises(TransitionRefused):
        check(workflow, "submitted", "return_for_revision", "applicant")


def test_upload_records_the_digest_and_download_reverifies(world):
    user = world.users["sz-machinery"]
    application = start(user)
    item = services.upload_evidence(
        actor(user), application, first_indicator(application), io.BytesIO(pdf_bytes()), "证书.pdf"
    )
    assert (item.kind, item.version, len(item.sm3)) == ("pdf", 1, 64)
    response = world.client("sz-machinery").get(f"/evidence/{item.pk}/")
    assert response.status_code == 200
    assert response["Content-Security-Policy"] == "sandbox"
    assert "attachment" in response["Content-Disposition"]
    assert b"".join(response.streaming_content) == pdf_bytes()
    # the district cannot see a draft's evidence; another enterprise neither
    assert world.client("wz-reviewer").get(f"/evidence/{item.pk}/").status_code == 404
    assert world.client("sz-energy").get(f"/evidence/{item.pk}/").status_code == 404


def test_a_file_changed_in_storage_is_refused_on_download(world):
    user = world.users["sz-machinery"]
    application = start(user)
    item = services.upload_evidence(
        actor(user), application, first_indicator(application), io.BytesIO(pdf_bytes()), "证书.pdf"
    )
    path = default_storage.path(item.storage_name)
    with open(path, "r+b") as handle:
        handle.seek(20)
        handle.write(b"X")
    response = world.client("sz-machinery").get(f"/evidence/{item.pk}/")
    assert response.status_code == 409
    assert Event.objects.filter(action="evidence.integrity_failed", object_id=str(item.pk)).count() == 1


def test_content_decides_the_type_not_the_name(world):
    user = world.users["sz-machinery"]
    application = start(user)
    with pytest.raises(evidence.EvidenceError) as refused:
        services.upload_evidence(
            actor(user), application, first_indicator(application), io.BytesIO(b"MZ\x90\x00" * 64), "报告.pdf"
        )
    assert refused.value.code == "executable"
    assert not EvidenceFile.objects.exists()
    assert Event.objects.filter(action="evidence.upload_rejected").count() == 1


def test_submitted_evidence_is_frozen(world):
    user = world.users["sz-machinery"]
    application = start(user)
    item = services.upload_evidence(
        actor(user), application, first_indicator(application), io.BytesIO(pdf_bytes()), "证书.pdf"
    )
    services.save_answers(actor(user), application, complete_answers())
    services.submit(actor(user), application)
    assert EvidenceFile.objects.get(pk=item.pk).frozen_at is not None
    application.refresh_from_db()
    with pytest.raises(evidence.EvidenceError) as refused:
        services.upload_evidence(
            actor(user), application, first_indicator(application), io.BytesIO(pdf_bytes("v2")), "证书2.pdf"
        )
    assert refused.value.code == "frozen"
    with pytest.raises(evidence.EvidenceError):
        services.withdraw_evidence(actor(user), EvidenceFile.objects.get(pk=item.pk))
    assert EvidenceFile.objects.filter(application=application).count() == 1
    # after submission the district bureau may read it
    assert world.client("wz-reviewer").get(f"/evidence/{item.pk}/").status_code == 200
