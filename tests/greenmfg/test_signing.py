"""SM2 signatures over the submission, the experts' sign-off and the announcement (security.md CRY-04):
each verifies over exactly what was signed, and changing one field breaks it."""

from __future__ import annotations

import copy
import stat
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from factories import actor
from test_reviews import published_journey, who

from greenmfg.applications.selectors import latest_frozen
from greenmfg.audit import keys, signing
from greenmfg.publication import services as publication
from greenmfg.reviews.models import Assignment


def tampered(payload, path, value):
    changed = copy.deepcopy(payload)
    target = changed
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return changed


def test_a_signature_verifies_only_the_exact_payload():
    payload = {"申报": "苏州示例精密机械有限公司（演示）", "score": "66.05"}
    envelope = signing.sign(payload)
    assert envelope["alg"] == "SM2-with-SM3" and len(envelope["public_key"]) == 128
    assert signing.verify(payload, envelope)
    assert not signing.verify({**payload, "score": "66.06"}, envelope)
    assert not signing.verify(payload, {**envelope, "signature": "00" * 64})
    assert not signing.verify(payload, None)
    key_file = settings.SM2_KEY_FILE
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600


def test_a_configured_key_signs_and_the_envelope_carries_its_public_key(monkeypatch):
    # the key setting holds the key file's JSON (a bare private key is the retired format: see test_sm2)
    monkeypatch.setenv("GREENMFG_SM2_KEY", keys.generate_sm2_key().as_json())
    first = signing.sign({"a": 1})
    monkeypatch.setenv("GREENMFG_SM2_KEY", keys.generate_sm2_key().as_json())
    second = signing.sign({"a": 1})
    assert first["key_id"] != second["key_id"]
    assert signing.verify({"a": 1}, first) and signing.verify({"a": 1}, second)  # after rotation too


def test_submission_expert_sign_off_and_announcement_are_signed(world):
    application = published_journey(world)
    frozen = latest_frozen(application)
    assert frozen.manifest["answers"] == frozen.answers
    assert signing.verify(frozen.manifest, frozen.signature)
    assert not signing.verify(tampered(frozen.manifest, ["score"], "99.99"), frozen.signature)

    signed = list(Assignment.objects.filter(application=application, status="signed"))
    assert len(signed) == 3
    for assignment in signed:
        assert signing.verify(assignment.manifest, assignment.signature)
        indicator = next(iter(assignment.manifest["scores"]))
        raised = str(Decimal(assignment.manifest["scores"][indicator]) + 1)
        assert not signing.verify(
            tampered(assignment.manifest, ["scores", indicator], raised), assignment.signature
        )

    city = who(world, "sz-reviewer")
    notice = publication.open_publicity(city, application.call)
    announcement = publication.publish(city, notice, today=notice.closes_on + timedelta(days=1))
    assert announcement.manifest == publication.announcement_manifest(announcement)
    assert signing.verify(announcement.manifest, announcement.signature)
    assert not signing.verify(
        tampered(announcement.manifest, ["titles", 0, "grade"], "5A"), announcement.signature
    )
    assert actor(world.users["sz-machinery"]) is not None
