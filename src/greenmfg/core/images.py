"""Pixel floods (issue 16, UP-06): an image's size is read from its header and checked against
IMAGE_MAX_PIXELS before anything decodes it — a 186 KB PNG of 7000×7000 pixels costs about 180 MB to
decode. Pillow's own MAX_IMAGE_PIXELS is set from the same setting (core.apps) as a second fence."""

from __future__ import annotations

import warnings
from typing import IO

from django.conf import settings
from PIL import Image


class ImageRefused(Exception):
    def __init__(self, zh: str, en: str) -> None:
        super().__init__(en)
        self.zh, self.en = zh, en


def image_size(stream: IO[bytes], max_pixels: int | None = None) -> tuple[int, int]:
    """(width, height) from the header, or ImageRefused when it is over the pixel limit or not an image.
    Only the header is read: Image.open is lazy and nothing is decoded here."""
    limit = int(max_pixels if max_pixels is not None else settings.IMAGE_MAX_PIXELS)
    position = stream.tell()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(stream) as image:
                width, height = image.size
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        width = height = 0
        over = True
    except Exception as error:
        raise ImageRefused(
            f"无法读取图片（{type(error).__name__}）", f"not a readable image ({type(error).__name__})"
        ) from None
    else:
        over = width * height > limit
    finally:
        stream.seek(position)
    if over:
        shown = f"{width}×{height}，" if width else ""
        raise ImageRefused(
            f"图片{shown}超过 {limit:,} 像素的上限（疑似像素炸弹）",
            f"the image{' ' + shown.rstrip('，') if width else ''} is over the limit of {limit:,} pixels",
        )
    return width, height
