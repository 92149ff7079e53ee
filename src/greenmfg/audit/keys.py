"""Key material of the audit context: the platform's SM2 signing key and the HMAC-SM3 key of the audit
chain. Both live outside the database they protect (security.md CRY-08, §4.1): a key file created on
first use with mode 0600, or an environment setting for deployments on several machines.

- ``SM2_KEY_FILE`` (default ``var/keys/platform-sm2.key``) or ``GREENMFG_SM2_KEY``: JSON
  ``{"alg": "SM2", "private_key": <64 hex>, "public_key": <128 hex>}``.
- ``AUDIT_KEY_FILE`` (default ``var/keys/audit-hmac.key``) or ``GREENMFG_AUDIT_KEY``: JSON
  ``{"alg": "HMAC-SM3", "key": <64 hex>, "legacy_events": n, "legacy_head": <hash>}``. The legacy fields
  record, once, how many events were written before the chain had a key (issue 16), so those may keep
  their unkeyed hashes and no later event may pose as one.

A key file holding a bare 64-hex private key is the format of the pure-Python signer that drew its nonces
from ``random`` (issue 16). Such a key is retired, never used to sign again: the file is renamed
``*.legacy`` and a new key pair generated. Its signatures still verify, and ``manage.py
resign_signatures`` re-signs them with the new key.
"""

from __future__ import annotations

import fcntl
import json
import os
import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import gmssl_pyx
from cryptography.hazmat.primitives import hashes
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

SM2_ENV = "GREENMFG_SM2_KEY"
SM2_TRUSTED_ENV = "GREENMFG_SM2_TRUSTED_KEYS"
AUDIT_ENV = "GREENMFG_AUDIT_KEY"


def _sm3_hex(data: bytes) -> str:
    digest = hashes.Hash(hashes.SM3())
    digest.update(data)
    return digest.finalize().hex()


def key_id(public_key: bytes) -> str:
    return _sm3_hex(public_key)[:16]


@dataclass(frozen=True)
class SM2Key:
    private_key: bytes  # 32 bytes
    public_key: bytes  # 64 bytes: x ‖ y

    @property
    def key_id(self) -> str:
        return key_id(self.public_key)

    def as_json(self) -> str:
        return json.dumps(
            {
                "alg": "SM2",
                "private_key": self.private_key.hex(),
                "public_key": self.public_key.hex(),
                "key_id": self.key_id,
                "created_at": timezone.now().isoformat(),
            },
            indent=1,
        )


@dataclass(frozen=True)
class ChainKey:
    key: bytes
    legacy_events: int
    legacy_head: str

    @property
    def key_id(self) -> str:
        return _sm3_hex(b"greenmfg-audit-chain\x00" + self.key)[:8]


def sm2_key_file() -> Path:
    return Path(getattr(settings, "SM2_KEY_FILE", settings.VAR_DIR / "keys" / "platform-sm2.key"))


def audit_key_file() -> Path:
    return Path(getattr(settings, "AUDIT_KEY_FILE", settings.VAR_DIR / "keys" / "audit-hmac.key"))


def _refuse(zh: str, en: str) -> ImproperlyConfigured:
    return ImproperlyConfigured(f"{zh} / {en}")


@contextmanager
def _locked(directory: Path) -> Iterator[None]:
    """Serialises key creation and retirement between processes sharing the key directory."""
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    handle = os.open(directory / ".lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield
    finally:
        fcntl.flock(handle, fcntl.LOCK_UN)
        os.close(handle)


def _write_new(path: Path, text: str) -> None:
    """Create `path` with mode 0600 (O_EXCL: never overwrite a key)."""
    handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(handle, "w") as out:
        out.write(text + "\n")
        out.flush()
        os.fsync(out.fileno())


def _is_hex(text: str, length: int) -> bool:
    return len(text) == length and all(c in "0123456789abcdefABCDEF" for c in text)


def is_legacy_sm2_text(text: str) -> bool:
    return _is_hex(text.strip(), 64)


def generate_sm2_key() -> SM2Key:
    public, private = gmssl_pyx.sm2_key_generate()
    return SM2Key(private_key=bytes(private), public_key=bytes(public))


def pair_matches(private_key: bytes, public_key: bytes) -> bool:
    """Whether the public key belongs to the private key: the private key signs a random digest and the
    public key verifies it (no curve arithmetic of our own)."""
    digest = secrets.token_bytes(32)
    try:
        signature = gmssl_pyx.sm2_sign_sm3_digest(private_key, digest)
        return bool(gmssl_pyx.sm2_verify_sm3_digest(public_key, digest, signature))
    except (gmssl_pyx.GmsslInnerError, ValueError, TypeError):
        return False


def parse_sm2_key(text: str, where: str) -> SM2Key:
    if is_legacy_sm2_text(text):
        raise _refuse(
            f"{where} 只有私钥：这是旧签名程序（随机数不安全）的密钥，不再用于签名。"
            "请用 manage.py audit_keys --new-key 生成新密钥。",
            f"{where} holds a bare private key of the old signer (insecure nonces); it no longer signs. "
            "Create a new key with manage.py audit_keys --new-key.",
        )
    try:
        data = json.loads(text)
        key = SM2Key(bytes.fromhex(data["private_key"]), bytes.fromhex(data["public_key"]))
    except (ValueError, KeyError, TypeError) as exc:
        raise _refuse(f"{where} 不是有效的 SM2 密钥文件", f"{where} is not a valid SM2 key file") from exc
    if len(key.private_key) != 32 or len(key.public_key) != 64 or not pair_matches(*_pair(key)):
        raise _refuse(
            f"{where} 的公钥与私钥不匹配", f"{where}: the public key does not match the private key"
        )
    return key


def _pair(key: SM2Key) -> tuple[bytes, bytes]:
    return key.private_key, key.public_key


_cache: dict[tuple[str, ...], Any] = {}


def _file_stamp(path: Path) -> str:
    try:
        return str(path.stat().st_mtime_ns)
    except FileNotFoundError:
        return "-"


def platform_key() -> SM2Key:
    """The key the platform signs with: from GREENMFG_SM2_KEY, else the key file (created on first use;
    a legacy bare-hex key file is retired first)."""
    configured = os.environ.get(SM2_ENV, "").strip()
    cache_key: tuple[str, ...]
    if configured:
        cache_key = ("env-sm2", configured)
        if cache_key not in _cache:
            _cache[cache_key] = parse_sm2_key(configured, SM2_ENV)
        return _cache[cache_key]  # type: ignore[no-any-return]
    path = sm2_key_file()
    cache_key = ("file-sm2", str(path), _file_stamp(path))
    if cache_key in _cache:
        return _cache[cache_key]  # type: ignore[no-any-return]
    with _locked(path.parent):
        if path.exists() and is_legacy_sm2_text(path.read_text()):
            _retire_legacy(path)
        if not path.exists():
            _write_new(path, generate_sm2_key().as_json())
        key = parse_sm2_key(path.read_text(), str(path))
    _cache[("file-sm2", str(path), _file_stamp(path))] = key
    return key


def _retire_legacy(path: Path) -> Path:
    target = path.with_name(path.name + ".legacy")
    number = 1
    while target.exists():
        number += 1
        target = path.with_name(f"{path.name}.legacy{number}")
    os.rename(path, target)
    os.chmod(target, 0o600)
    return target


def rotate_platform_key() -> tuple[SM2Key, SM2Key]:
    """Retire the current key file (kept as ``*.retired-<key id>``, still trusted for verification) and
    create a new one. Returns (old, new)."""
    path = sm2_key_file()
    old = platform_key()
    with _locked(path.parent):
        os.rename(path, path.with_name(f"{path.name}.retired-{old.key_id}"))
        _write_new(path, generate_sm2_key().as_json())
    return old, platform_key()


def legacy_private_keys() -> list[bytes]:
    """Private keys of retired legacy key files, used only to recognise their old signatures."""
    path = sm2_key_file()
    found = []
    for candidate in sorted(path.parent.glob(path.name + ".legacy*")):
        text = candidate.read_text().strip()
        if _is_hex(text, 64):
            found.append(bytes.fromhex(text))
    return found


def trusted_public_keys() -> set[bytes]:
    """Public keys whose signatures the platform accepts as its own: the current key, keys retired by
    rotation, and keys listed in GREENMFG_SM2_TRUSTED_KEYS (comma-separated 128-hex public keys)."""
    path = sm2_key_file()
    # reading, never creating: a verifier on another machine must not mint a key of its own
    has_key = bool(os.environ.get(SM2_ENV, "").strip()) or (
        path.exists() and not is_legacy_sm2_text(path.read_text())
    )
    trusted = {platform_key().public_key} if has_key else set()
    for retired in sorted(path.parent.glob(path.name + ".retired-*")):
        try:
            trusted.add(bytes.fromhex(json.loads(retired.read_text())["public_key"]))
        except (ValueError, KeyError, TypeError):
            continue
    for item in os.environ.get(SM2_TRUSTED_ENV, "").split(","):
        if _is_hex(item.strip(), 128):
            trusted.add(bytes.fromhex(item.strip()))
    return trusted


def is_trusted_public_key(public_key: bytes) -> bool:
    if public_key in trusted_public_keys():
        return True
    cache_key = ("legacy-match", public_key.hex(), _file_stamp(sm2_key_file().parent))
    if cache_key not in _cache:
        _cache[cache_key] = any(pair_matches(private, public_key) for private in legacy_private_keys())
    return bool(_cache[cache_key])


# --- the audit chain's HMAC key ----------------------------------------------------------------------


def _parse_chain_key(text: str, where: str) -> ChainKey:
    text = text.strip()
    if _is_hex(text, 64):
        return ChainKey(bytes.fromhex(text), 0, "")
    try:
        data = json.loads(text)
        key = ChainKey(bytes.fromhex(data["key"]), int(data["legacy_events"]), str(data["legacy_head"]))
    except (ValueError, KeyError, TypeError) as exc:
        raise _refuse(f"{where} 不是有效的审计密钥", f"{where} is not a valid audit chain key") from exc
    if len(key.key) < 32:
        raise _refuse(f"{where} 的密钥短于 256 位", f"{where}: the key is shorter than 256 bits")
    return key


def chain_key(create_with: Callable[[], tuple[int, str]] | None = None) -> ChainKey | None:
    """The audit chain's HMAC key. When there is none yet: None, or — given `create_with`, which returns
    (events written so far, hash of the last one) — a new key file recording that legacy boundary."""
    configured = os.environ.get(AUDIT_ENV, "").strip()
    if configured:
        return _parse_chain_key(configured, AUDIT_ENV)
    path = audit_key_file()
    cache_key = ("file-chain", str(path), _file_stamp(path))
    if cache_key in _cache:
        return _cache[cache_key]  # type: ignore[no-any-return]
    if not path.exists():
        if create_with is None:
            return None
        with _locked(path.parent):
            if not path.exists():
                events, head = create_with()
                text = json.dumps(
                    {
                        "alg": "HMAC-SM3",
                        "key": secrets.token_hex(32),
                        "legacy_events": events,
                        "legacy_head": head,
                        "created_at": timezone.now().isoformat(),
                    },
                    indent=1,
                )
                _write_new(path, text)
    key = _parse_chain_key(path.read_text(), str(path))
    _cache[("file-chain", str(path), _file_stamp(path))] = key
    return key
