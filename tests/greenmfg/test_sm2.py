"""SM2 as the platform signs with it (issue 16): known answers from the standard, a fresh nonce per
signature, keys kept in 0600 files outside the database, and the former signer's envelopes verified and
re-signed with a recorded event.

The known answers are GM/T 0003.5-2012 Annex A (= GB/T 32918.5-2017 Annex A): the recommended curve,
user ID 1234567812345678, message "message digest", with the intermediate values Z_A and e."""

from __future__ import annotations

import io
import json
import random
import stat
from datetime import timedelta

import gmssl_pyx
import pytest
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command
from gmssl import sm2 as legacy_sm2  # the former signer, a dev dependency for these tests only
from test_reviews import published_journey, who

from greenmfg.applications.models import Dossier
from greenmfg.audit import keys, signing
from greenmfg.audit.hashing import canonical, sm3
from greenmfg.audit.models import Event
from greenmfg.publication import services as publication
from greenmfg.publication.models import Announcement
from greenmfg.reviews.models import Assignment

CURVE_A = "FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFC"
CURVE_B = "28E9FA9E9D9F5E344D5A9E4BCF6509A7F39789F515AB8F92DDBCBD414D940E93"
CURVE_GX = "32C4AE2C1F1981195F9904466A39C9948FE30BBFF2660BE1715A4589334C74C7"
CURVE_GY = "BC3736A2F4F6779C59BDCEE36B692153D0A9877CC62A474002DF32E52139F0A0"
PUBLISHED_Z = "B2E14C5C79C6DF5B85F4FE7ED8DB7A262B9DA7E07CCB0EA9F4747B8CCDA8A4F3"
PUBLISHED_E = "F0B43E94BA45ACCAACE692ED534382EB17E6AB5A19CE7B31F4486FDFC0D28640"

PUBLIC = bytes.fromhex(signing.KAT_PUBLIC_KEY)
PRIVATE = bytes.fromhex(signing.KAT_PRIVATE_KEY)
PUBLISHED = bytes.fromhex(signing.KAT_SIGNATURE)


def test_the_standard_intermediate_values_hold():
    """Z_A = SM3(ENTL ‖ ID ‖ a ‖ b ‖ xG ‖ yG ‖ xA ‖ yA) and e = SM3(Z_A ‖ M), as published."""
    uid = b"1234567812345678"
    z = sm3(
        (len(uid) * 8).to_bytes(2, "big")
        + uid
        + bytes.fromhex(CURVE_A + CURVE_B + CURVE_GX + CURVE_GY)
        + PUBLIC
    )
    assert z.upper() == PUBLISHED_Z
    assert sm3(bytes.fromhex(z) + b"message digest").upper() == PUBLISHED_E
    r, s = int.from_bytes(PUBLISHED[:32], "big"), int.from_bytes(PUBLISHED[32:], "big")
    assert gmssl_pyx.sm2_verify_sm3_digest(PUBLIC, bytes.fromhex(PUBLISHED_E), encode_dss_signature(r, s))


def test_the_published_signature_verifies_and_nothing_else_does():
    assert signing.verify_bytes(b"message digest", PUBLISHED, PUBLIC)
    assert not signing.verify_bytes(b"message digesT", PUBLISHED, PUBLIC)
    flipped = bytes([PUBLISHED[0] ^ 1]) + PUBLISHED[1:]
    assert not signing.verify_bytes(b"message digest", flipped, PUBLIC)
    other = keys.generate_sm2_key()
    assert not signing.verify_bytes(b"message digest", PUBLISHED, other.public_key)
    signing.self_test()


def test_our_signature_with_the_published_key_verifies_and_each_draws_a_new_nonce():
    key = keys.SM2Key(PRIVATE, PUBLIC)
    first = signing.sign_bytes(b"message digest", key)
    second = signing.sign_bytes(b"message digest", key)
    assert signing.verify_bytes(b"message digest", first, PUBLIC)
    assert signing.verify_bytes(b"message digest", second, PUBLIC)
    # the standard's k gave r = F5A0…; a fresh random k gives another r, and never the same one twice
    assert first != second
    assert first[:32] != second[:32]
    assert PUBLISHED[:32] not in (first[:32], second[:32])


def test_two_envelopes_of_one_payload_differ_and_both_verify():
    payload = {"申报": "苏州示例精密机械有限公司（演示）", "score": "66.05"}
    first, second = signing.sign(payload), signing.sign(payload)
    assert first["signature"] != second["signature"]
    assert first["digest"] == second["digest"] == sm3(canonical(payload))
    assert signing.verify_trusted(payload, first) and signing.verify_trusted(payload, second)
    assert first["v"] == 2 and not signing.is_legacy(first)


def test_the_nonce_does_not_come_from_pythons_random():
    """With the former signer, reseeding `random` repeated the nonce, hence the signature: two such
    signatures of different messages give away the private key."""
    payload = {"number": "苏工信节〔2026〕1号"}
    random.seed(20261207)
    first = signing.sign(payload)
    random.seed(20261207)
    second = signing.sign(payload)
    assert first["signature"] != second["signature"]
    assert signing.verify(payload, first) and signing.verify(payload, second)


def test_keys_live_in_0600_files_outside_the_database(settings, tmp_path):
    settings.SM2_KEY_FILE = tmp_path / "keys" / "platform-sm2.key"
    key = keys.platform_key()
    stored = json.loads(settings.SM2_KEY_FILE.read_text())
    assert stored["public_key"] == key.public_key.hex()
    assert stat.S_IMODE(settings.SM2_KEY_FILE.stat().st_mode) == 0o600
    assert keys.platform_key() == key  # created once, then read


def test_a_signature_by_a_foreign_key_verifies_but_is_not_trusted(monkeypatch):
    payload = {"number": "苏工信节〔2026〕1号"}
    monkeypatch.setenv("GREENMFG_SM2_KEY", keys.generate_sm2_key().as_json())
    forged = signing.sign(payload)
    monkeypatch.delenv("GREENMFG_SM2_KEY")
    assert signing.verify(payload, forged)
    assert not signing.verify_trusted(payload, forged)
    monkeypatch.setenv("GREENMFG_SM2_TRUSTED_KEYS", forged["public_key"])
    assert signing.verify_trusted(payload, forged)


def test_a_bare_private_key_in_the_setting_is_refused(monkeypatch):
    monkeypatch.setenv("GREENMFG_SM2_KEY", "1" * 64)
    with pytest.raises(ImproperlyConfigured, match="bare private key"):
        signing.sign({"a": 1})


def test_a_mismatched_key_pair_is_refused(monkeypatch):
    one, two = keys.generate_sm2_key(), keys.generate_sm2_key()
    monkeypatch.setenv("GREENMFG_SM2_KEY", keys.SM2Key(one.private_key, two.public_key).as_json())
    with pytest.raises(ImproperlyConfigured, match="does not match"):
        signing.sign({"a": 1})


# --- the former signer's envelopes ------------------------------------------------------------------


def legacy_envelope(private_hex: str, payload: dict) -> dict:
    """An envelope exactly as the former audit/signing.py made it (gmssl, nonce from random.choice)."""
    public = str(
        legacy_sm2.CryptSM2(private_key=private_hex, public_key="")._kg(
            int(private_hex, 16), legacy_sm2.default_ecc_table["g"]
        )
    )
    signer = legacy_sm2.CryptSM2(private_key=private_hex, public_key=public)
    return {
        "alg": "SM2-with-SM3",
        "key_id": sm3(bytes.fromhex(public))[:16],
        "public_key": public,
        "digest": sm3(canonical(payload)),
        "signature": signer.sign_with_sm3(canonical(payload)),
        "signed_at": "2026-11-30T08:00:00+00:00",
    }


@pytest.fixture
def upgraded_key_file(settings, tmp_path):
    """An installation whose key file is the former bare-hex private key, as main wrote it."""
    settings.SM2_KEY_FILE = tmp_path / "keys" / "platform-sm2.key"
    settings.SM2_KEY_FILE.parent.mkdir()
    legacy = f"{0x5A5A1234ABCDEF % (2**255):064x}"
    settings.SM2_KEY_FILE.write_text(legacy)
    return legacy


def test_the_former_key_file_is_retired_and_never_signs_again(upgraded_key_file, settings):
    key = keys.platform_key()
    assert key.private_key.hex() != upgraded_key_file
    retired = settings.SM2_KEY_FILE.with_name("platform-sm2.key.legacy")
    assert retired.read_text() == upgraded_key_file
    assert stat.S_IMODE(retired.stat().st_mode) == 0o600
    envelope = legacy_envelope(upgraded_key_file, {"a": 1})
    assert signing.verify({"a": 1}, envelope) and signing.is_trusted(envelope) and signing.is_legacy(envelope)


def test_resign_replaces_every_legacy_signature_and_records_one_event_each(world, upgraded_key_file):
    application = published_journey(world)
    city = who(world, "sz-reviewer")
    notice = publication.open_publicity(city, application.call)
    publication.publish(city, notice, today=notice.closes_on + timedelta(days=1))
    signed = [
        *Dossier.objects.exclude(signature=None),
        *Assignment.objects.exclude(signature=None),
        *Announcement.objects.exclude(signature=None),
    ]
    assert len(signed) >= 5
    for obj in signed:  # as they were before the upgrade
        obj.signature = legacy_envelope(upgraded_key_file, obj.manifest)
        obj.save(update_fields=["signature"])
        assert signing.verify(obj.manifest, obj.signature)  # they still verify after the change
    foreign = signed[0]
    foreign.signature = legacy_envelope(f"{0xBEEF:064x}", foreign.manifest)
    foreign.save(update_fields=["signature"])
    tampered = signed[1]
    tampered.manifest = {**tampered.manifest, "forged": True}
    tampered.save(update_fields=["manifest"])

    out = io.StringIO()
    with pytest.raises(CommandError, match="2 signature"):
        call_command("resign_signatures", stdout=out)
    assert f"REFUSED {foreign._meta.label}#{foreign.pk}: signed with a key that is not the platform's" in (
        out.getvalue()
    )
    assert f"REFUSED {tampered._meta.label}#{tampered.pk}: signature does not verify" in out.getvalue()

    events = Event.objects.filter(action="audit.resigned")
    assert events.count() == len(signed) - 2
    current = keys.platform_key().key_id
    for obj in signed[2:]:
        obj.refresh_from_db()
        assert obj.signature["v"] == 2 and obj.signature["key_id"] == current
        assert signing.verify_trusted(obj.manifest, obj.signature)
        event = events.get(object_type=obj._meta.label_lower, object_id=str(obj.pk))
        assert event.detail["old_envelope"]["signature"] != obj.signature["signature"]
        assert event.detail["new_key_id"] == current
    # run again: nothing left to re-sign but the two refused ones
    again = io.StringIO()
    with pytest.raises(CommandError):
        call_command("resign_signatures", stdout=again)
    assert events.count() == len(signed) - 2
    assert f"already current {len(signed) - 2}" in again.getvalue()
