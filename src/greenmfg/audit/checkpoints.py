"""Checkpoints as C2SP signed notes (c2sp.org/tlog-checkpoint, c2sp.org/signed-note), signed with SM2.

    greenmfg.local/audit
    1234
    <base64 RFC 6962 root, SM3>

    — greenmfg.local/audit <base64(key hash ‖ r ‖ s)>

The signature is SM2 with SM3 over the note text. The 4-byte key hash follows the signed-note rule,
SHA-256(key name ‖ 0x0A ‖ signature type ‖ public key)[:4], with the type 0xFF (no assigned byte) and
the identifier "SM2-with-SM3"; it only names the key and protects nothing, so SHA-256 there is the
format's, not a use of a non-national algorithm for protection.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass

from . import keys, signing

SIGNATURE_TYPE = b"\xffSM2-with-SM3"
EM_DASH = "\u2014"


class NoteError(ValueError):
    pass


@dataclass(frozen=True)
class ParsedCheckpoint:
    origin: str
    tree_size: int
    root: bytes
    key_hash: bytes
    signature: bytes
    text: str


def _valid_origin(origin: str) -> bool:
    return bool(origin) and not any(c.isspace() or c == "+" for c in origin)


def note_text(origin: str, tree_size: int, root: bytes) -> str:
    if not _valid_origin(origin):
        raise NoteError(f"invalid checkpoint origin {origin!r}")
    return f"{origin}\n{tree_size}\n{base64.b64encode(root).decode()}\n"


def key_hash(name: str, public_key: bytes) -> bytes:
    return hashlib.sha256(name.encode() + b"\n" + SIGNATURE_TYPE + public_key).digest()[:4]


def sign_note(text: str, name: str, key: keys.SM2Key) -> str:
    signature = signing.sign_bytes(text.encode(), key)
    blob = base64.b64encode(key_hash(name, key.public_key) + signature).decode()
    return f"{text}\n{EM_DASH} {name} {blob}\n"


def parse(note: str) -> ParsedCheckpoint:
    text, separator, signatures = note.partition("\n\n")
    if not separator:
        raise NoteError("no signature block")
    text += "\n"
    lines = text.split("\n")
    if len(lines) < 4 or not lines[1].isdigit() or (lines[1].startswith("0") and lines[1] != "0"):
        raise NoteError("malformed checkpoint text")
    try:
        root = base64.b64decode(lines[2], validate=True)
    except binascii.Error as exc:
        raise NoteError("root hash is not base64") from exc
    line = signatures.rstrip("\n").split("\n")[0]
    parts = line.split(" ")
    if len(parts) != 3 or parts[0] != EM_DASH or parts[1] != lines[0]:
        raise NoteError("malformed signature line")
    try:
        blob = base64.b64decode(parts[2], validate=True)
    except binascii.Error as exc:
        raise NoteError("signature is not base64") from exc
    if len(blob) != 4 + 64 or len(root) != 32:
        raise NoteError("wrong signature or root length")
    return ParsedCheckpoint(lines[0], int(lines[1]), root, blob[:4], blob[4:], text)


def verify(note: str, public_keys: Iterable[bytes]) -> tuple[ParsedCheckpoint, bytes]:
    """The parsed checkpoint and the key that signed it; NoteError when no given key signed it."""
    parsed = parse(note)
    for public in public_keys:
        if key_hash(parsed.origin, public) == parsed.key_hash and signing.verify_bytes(
            parsed.text.encode(), parsed.signature, public
        ):
            return parsed, public
    raise NoteError("no trusted key signed this checkpoint")
