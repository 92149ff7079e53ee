"""Where generated documents are kept: behind these two functions, so the checked-file service being built
(issue "files") can replace the default storage without touching the rest of the context."""

from __future__ import annotations

import uuid
from typing import BinaryIO, cast

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from greenmfg.evidence.validation import sm3_hex


def store(content: bytes, extension: str) -> str:
    """Save the bytes under a server-made name; returns the storage name."""
    return default_storage.save(f"documents/{uuid.uuid4().hex}.{extension}", ContentFile(content))


def open_stored(name: str) -> BinaryIO:
    # Django's File proxies read/seek/close of the file it wraps: a binary file for every caller
    return cast(BinaryIO, default_storage.open(name, "rb"))


def store_digested(content: bytes, extension: str) -> tuple[str, str]:
    """Save the bytes and return (storage name, SM3 of the stored copy): the digest is of what was
    written, read back, not of what was meant to be."""
    name = store(content, extension)
    with open_stored(name) as stored:
        return name, sm3_hex(stored)


def open_if_intact(name: str, expected: str) -> tuple[BinaryIO | None, str]:
    """The stored file at its start when its SM3 is still `expected`, else None; and the digest found."""
    handle = open_stored(name)
    digest = sm3_hex(handle)
    if digest != expected:
        handle.close()
        return None, digest
    handle.seek(0)
    return handle, digest
