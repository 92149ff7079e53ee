"""Small builders for platform tests (the demo world provides organisations, calls and users)."""

from __future__ import annotations

import io
from typing import Any

from greenmfg.applications import services
from greenmfg.catalog.models import Call
from greenmfg.orgs.selectors import actor_of

FACTORY_CALL = "suzhou-2026-factory"


def actor(user: Any) -> Any:
    found = actor_of(user)
    assert found is not None
    return found


def start(user: Any, call_code: str = FACTORY_CALL) -> Any:
    return services.start_application(actor(user), Call.objects.get(code=call_code))


def pdf_bytes(text: str = "greenmfg evidence") -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    writer.add_metadata({"/Title": text})
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()
