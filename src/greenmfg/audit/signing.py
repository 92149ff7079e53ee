"""SM2 signatures (GB/T 32918, with SM3) over the canonical JSON of legally significant acts: the
applicant's submission, an expert's sign-off and a bureau's announcement (security.md CRY-04).

Until users carry their own certificates (UKey), the platform signs with its own key: a private key
from GREENMFG_SM2_KEY, or one generated once into the var directory (mode 0600). The envelope keeps the
public key, so a signature stays verifiable after the key is rotated.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import timezone
from gmssl import sm2

from .services import canonical, sm3

ALGORITHM = "SM2-with-SM3"
# the order of the SM2 curve's base point: a private key must lie in [1, n − 2]
_ORDER = int("FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFF7203DF6B21C6052B53BBF40939D54123", 16)


def _key_file() -> Path:
    return Path(getattr(settings, "SM2_KEY_FILE", settings.VAR_DIR / "keys" / "platform-sm2.key"))


def _new_private_key() -> str:
    return f"{secrets.randbelow(_ORDER - 2) + 1:064x}"


def _private_key() -> str:
    configured = os.environ.get("GREENMFG_SM2_KEY", "").strip().lower()
    if configured:
        return configured
    path = _key_file()
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:  # O_EXCL: two workers starting at once keep the first key
            handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(handle, "w") as out:
                out.write(_new_private_key())
    return path.read_text().strip()


def _public_key(private: str) -> str:
    return str(
        sm2.CryptSM2(private_key=private, public_key="")._kg(int(private, 16), sm2.default_ecc_table["g"])
    )


def sign(payload: dict[str, Any]) -> dict[str, str]:
    """The signature envelope of `payload` (its canonical JSON)."""
    private = _private_key()
    public = _public_key(private)
    signer = sm2.CryptSM2(private_key=private, public_key=public)
    return {
        "alg": ALGORITHM,
        "key_id": sm3(bytes.fromhex(public))[:16],
        "public_key": public,
        "digest": sm3(canonical(payload)),
        "signature": signer.sign_with_sm3(canonical(payload)),
        "signed_at": timezone.now().isoformat(),
    }


def verify(payload: dict[str, Any], envelope: dict[str, str] | None) -> bool:
    """True when the envelope is a valid SM2 signature of exactly this payload."""
    if not envelope or envelope.get("alg") != ALGORITHM:
        return False
    try:
        verifier = sm2.CryptSM2(private_key="", public_key=envelope["public_key"])
        return bool(verifier.verify_with_sm3(envelope["signature"], canonical(payload)))
    except (KeyError, ValueError, TypeError):
        return False
