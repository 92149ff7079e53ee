"""The one base of every error greencore raises.

A caller that shows errors to people catches `GreencoreError` and reads three things: `place` (where:
a file, ``sheet!cell``, an indicator or field path; empty when the error concerns the whole call), and
`zh` and `en`, the reason in Chinese and in English. Errors about files a developer writes (schemes,
reference tables, formulas) have one reason, in English, carried in both.

Each subclass keeps the message (``str(error)``) and the constructor it has always had, so existing
callers and tests read the same text; the base only guarantees the three attributes.
"""

from __future__ import annotations


class GreencoreError(Exception):
    """An input, file or request greencore refuses, with where and why in Chinese and English."""

    place: str
    zh: str
    en: str

    def __init__(self, place: str, zh: str, en: str, *, message: str | None = None) -> None:
        self.place, self.zh, self.en = place, zh, en
        super().__init__(message if message is not None else joined(place, zh, en))


def joined(place: str, zh: str, en: str) -> str:
    """``place：中文 / English``; one reason once when both languages carry the same text."""
    reason = zh if zh == en or not en else (en if not zh else f"{zh} / {en}")
    return f"{place}：{reason}" if place else reason
