"""Bounded resources at the HTTP layer (issue 16): a file over its URL's per-file limit is stopped as its
bytes arrive, a declared body over the request limit is refused unread, and an image's pixel count is
read from its header before anything decodes it. (The 300 MB upload against the running server, with its
memory measured, is in test_serve_resilience.py.)"""

# ruff: noqa: F811  (the `hostile` fixture, imported from test_hostile_input, is a parameter here)
from __future__ import annotations

import io
import struct
import tracemalloc
import zlib
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory
from django.urls import reverse
from factories import World
from PIL import Image
from test_hostile_input import hostile  # noqa: F401  (the fixture: an open notice with one entry)

from greenmfg.core.images import ImageRefused, image_size
from greenmfg.core.uploads import RequestSizeMiddleware
from greenmfg.publication.models import Objection

MiB = 1024 * 1024


def test_a_file_over_the_per_file_limit_is_stopped_as_it_arrives(
    world: World, hostile: dict[str, Any]
) -> None:
    url = reverse("publication:notice", kwargs={"public_id": hostile["notice"].public_id})
    _, per_file = settings.UPLOAD_LIMITS["publication:notice"]
    before = Objection.objects.count()
    response = World.client(world, None).post(
        url,
        {
            "entry": str(hostile["entry"].pk),
            "name": "张三",
            "contact": "z3@example.cn",
            "grounds": "该单位申报的能耗数据与统计年报不一致，请核查。",
            "files": SimpleUploadedFile("proof.pdf", b"%PDF" + b"\0" * (per_file + MiB)),
        },
    )
    assert response.status_code == 413
    assert 'data-field="files"' in response.content.decode()
    assert "单个文件超过上限 10 MB" in response.content.decode()
    assert Objection.objects.count() == before


def test_a_declared_body_over_the_limit_is_refused_before_it_is_read() -> None:
    request = RequestFactory().post(
        "/evidence/upload/8a0c59b4-7e4f-4a4e-9b0e-1d3a1b2c3d4e/",
        data=b"",
        content_type="multipart/form-data; boundary=x",
        CONTENT_LENGTH=str(300 * MiB),
    )

    def never(_: Any) -> Any:
        raise AssertionError("the view was reached")

    response = RequestSizeMiddleware(never)(request)
    assert response.status_code == 413
    assert response["Connection"] == "close"
    assert "51 MB" in response.content.decode()  # the evidence limit: 50 MB a file, 51 MB a request


def _png_header_bomb(width: int, height: int) -> bytes:
    """A valid PNG of width×height grey pixels, all zero, compressed row by row: about 50 KB on disk for
    7000×7000, built without ever holding the pixels."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    compressor = zlib.compressobj(9)
    row = b"\0" * (width + 1)  # filter byte + one byte per pixel
    data = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data) + chunk(b"IEND", b"")


def test_a_7000_by_7000_png_is_refused_from_its_header() -> None:
    bomb = _png_header_bomb(7000, 7000)
    image_size(io.BytesIO(_png_header_bomb(10, 10)))  # Pillow's plugins loaded before measuring
    tracemalloc.start()
    try:
        with pytest.raises(ImageRefused) as refused:
            image_size(io.BytesIO(bomb))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    print(f"\n7000x7000 PNG ({len(bomb) / 1024:.0f} KB): refused, peak traced memory {peak / 1024:.0f} KB")
    assert "36,000,000" in refused.value.zh and "pixels" in refused.value.en
    assert peak < 1 * MiB  # decoding it would take 49 MB of pixels (about 180 MB with RGB and copies)


def test_an_ordinary_image_passes_with_its_size() -> None:
    buffer = io.BytesIO()
    Image.new("RGB", (1200, 800), "white").save(buffer, "PNG")
    buffer.seek(0)
    assert image_size(buffer) == (1200, 800)
    assert buffer.tell() == 0
    with pytest.raises(ImageRefused):
        image_size(io.BytesIO(b"not an image at all"))


def test_pillow_follows_the_setting() -> None:
    assert Image.MAX_IMAGE_PIXELS == settings.IMAGE_MAX_PIXELS == 36_000_000
