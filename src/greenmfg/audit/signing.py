"""SM2 signatures (GB/T 32918.2, with SM3 and the default user ID 1234567812345678) over the canonical JSON
of legally significant acts: the applicant's submission, an expert's sign-off and a bureau's
announcement (security.md CRY-04); also the audit log's checkpoints.

The arithmetic is GmSSL's (the gmssl-pyx binding): the nonce k of every signature comes from the
operating system (GmSSL reads /dev/urandom), never from Python's `random`. Until users carry their own
certificates (UKey), the platform signs with its own key (see `keys`). The envelope keeps the public key,
so a signature stays verifiable after the key is rotated; `verify_trusted` also asks that the key be one
of the platform's, which `verify` alone does not.

Envelopes of version 2 are written by this module. Envelopes without a version come from the former
pure-Python signer, whose nonces came from `random.choice`: they still verify (the same algorithm), and
``manage.py resign_signatures`` replaces them.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import gmssl_pyx
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature, encode_dss_signature
from django.utils import timezone

from . import keys
from .hashing import canonical, sm3

ALGORITHM = "SM2-with-SM3"
DEFAULT_UID = b"1234567812345678"
ENVELOPE_VERSION = 2
# the order n of the SM2 curve's base point (GB/T 32918.5): r and s lie in [1, n − 1]
_ORDER = int("FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFF7203DF6B21C6052B53BBF40939D54123", 16)

# Objects signed with `sign`, as (model label, manifest field, signature field): `resign_signatures`
# and `verify_audit` find every signature through this list.
SIGNED_MODELS: tuple[tuple[str, str, str], ...] = (
    ("applications.Dossier", "manifest", "signature"),
    ("reviews.Assignment", "manifest", "signature"),
    ("publication.Announcement", "manifest", "signature"),
)


def sign_bytes(message: bytes, key: keys.SM2Key) -> bytes:
    """The 64-byte r ‖ s SM2 signature of `message` (Z_A with the default user ID, then SM3)."""
    der = gmssl_pyx.sm2_sign(key.private_key, key.public_key, message, DEFAULT_UID)
    r, s = decode_dss_signature(bytes(der))
    return r.to_bytes(32, "big") + s.to_bytes(32, "big")


def verify_bytes(message: bytes, signature: bytes, public_key: bytes) -> bool:
    if len(signature) != 64 or len(public_key) != 64:
        return False
    r, s = int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
    if not (0 < r < _ORDER and 0 < s < _ORDER):
        return False
    try:
        return bool(gmssl_pyx.sm2_verify(public_key, message, encode_dss_signature(r, s), DEFAULT_UID))
    except (gmssl_pyx.GmsslInnerError, ValueError, TypeError):
        return False


def sign(payload: dict[str, Any]) -> dict[str, Any]:
    """The signature envelope of `payload` (its canonical JSON), made with the platform key."""
    key = keys.platform_key()
    message = canonical(payload)
    return {
        "alg": ALGORITHM,
        "v": ENVELOPE_VERSION,
        "key_id": key.key_id,
        "public_key": key.public_key.hex(),
        "digest": sm3(message),
        "signature": sign_bytes(message, key).hex(),
        "signed_at": timezone.now().isoformat(),
    }


def _envelope_parts(envelope: Any) -> tuple[bytes, bytes] | None:
    if not isinstance(envelope, dict) or envelope.get("alg") != ALGORITHM:
        return None
    try:
        return bytes.fromhex(envelope["public_key"]), bytes.fromhex(envelope["signature"])
    except (KeyError, ValueError, TypeError):
        return None


def verify(payload: dict[str, Any], envelope: dict[str, Any] | None) -> bool:
    """True when the envelope is a valid SM2 signature of exactly this payload, by the key it names."""
    parts = _envelope_parts(envelope)
    return parts is not None and verify_bytes(canonical(payload), parts[1], parts[0])


def is_legacy(envelope: dict[str, Any] | None) -> bool:
    """An envelope of the former signer (nonce from `random`), which `resign_signatures` replaces."""
    return isinstance(envelope, dict) and envelope.get("alg") == ALGORITHM and "v" not in envelope


def is_trusted(envelope: dict[str, Any] | None) -> bool:
    """Whether the envelope names one of the platform's keys (current, rotated, listed, or legacy)."""
    parts = _envelope_parts(envelope)
    return parts is not None and keys.is_trusted_public_key(parts[0])


def verify_trusted(payload: dict[str, Any], envelope: dict[str, Any] | None) -> bool:
    """`verify`, and the key is the platform's: a row rewritten together with a signature made with
    someone else's key does not pass."""
    return verify(payload, envelope) and is_trusted(envelope)


class SelfTestError(RuntimeError):
    pass


@contextmanager
def _quiet_stderr() -> Iterator[None]:
    """Silence file descriptor 2 (where the C library prints) for one call of a single-threaded
    command."""
    sys.stderr.flush()
    saved = os.dup(2)
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


# GM/T 0003.5-2012 (= GB/T 32918.5-2017) Annex A: the example on the recommended curve, message
# "message digest", user ID 1234567812345678.
KAT_PRIVATE_KEY = "3945208F7B2144B13F36E38AC6D39F95889393692860B51A42FB81EF4DF7C5B8"
KAT_PUBLIC_KEY = (
    "09F9DF311E5421A150DD7D161E4BC5C672179FAD1833FC076BB08FF356F35020"
    "CCEA490CE26775A52DC6EA718CC1AA600AED05FBF35E084A6632F6072DA9AD13"
)
KAT_MESSAGE = b"message digest"
KAT_SIGNATURE = (
    "F5A03B0648D2C4630EEAC513E1BB81A15944DA3827D5B74143AC7EACEEE720B3"
    "B1B6AA29DF212FD8763182BC0D421CA1BB9038FD1F7F42D4840B69C485BBC1AA"
)


def self_test() -> None:
    """Known-answer test of the SM2 implementation in use (the published signature verifies, a changed
    one does not, a fresh signature with the published key verifies). Raises SelfTestError."""
    public = bytes.fromhex(KAT_PUBLIC_KEY)
    published = bytes.fromhex(KAT_SIGNATURE)
    if not verify_bytes(KAT_MESSAGE, published, public):
        raise SelfTestError("SM2 KAT: the published signature does not verify")
    with _quiet_stderr():  # GmSSL reports the expected failure on stderr
        forged = verify_bytes(KAT_MESSAGE + b".", published, public)
    if forged:
        raise SelfTestError("SM2 KAT: a changed message verifies")
    fresh = sign_bytes(KAT_MESSAGE, keys.SM2Key(bytes.fromhex(KAT_PRIVATE_KEY), public))
    if not verify_bytes(KAT_MESSAGE, fresh, public):
        raise SelfTestError("SM2 KAT: a signature made with the published key does not verify")
