"""Where generated documents are kept: behind these two functions, so the checked-file service being built
(issue "files") can replace the default storage without touching the rest of the context."""

from __future__ import annotations

import uuid
from typing import BinaryIO, cast

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage


def store(content: bytes, extension: str) -> str:
    """Save the bytes under a server-made name; returns the storage name."""
    return default_storage.save(f"documents/{uuid.uuid4().hex}.{extension}", ContentFile(content))


def open_stored(name: str) -> BinaryIO:
    # Django's File proxies read/seek/close of the file it wraps: a binary file for every caller
    return cast(BinaryIO, default_storage.open(name, "rb"))
