"""The one base of every refused action: the reason in Chinese and English, shown as is, with details."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol


class Bilingual(Protocol):
    """Anything that says something in both languages: greencore's errors (`GreencoreError`: place, zh,
    en), its filing problems (`QualityProblem`), a `Detail`."""

    @property
    def zh(self) -> str: ...

    @property
    def en(self) -> str: ...


class Detail(str):
    """One line of what must change first, in both languages, and where (an indicator, a field, a file;
    empty when it concerns the whole). It *is* its Chinese text — so it reads, joins and compares as the
    plain Chinese lines details always were — and carries `en` and `place`: pages show it through
    `core.i18n.localized` (or the `lang` filter) in the user's language."""

    zh: str
    en: str
    place: str

    def __new__(cls, zh: str, en: str = "", place: str = "") -> Detail:
        detail = super().__new__(cls, zh)
        detail.zh, detail.en, detail.place = zh, en or zh, place
        return detail

    @classmethod
    def of(cls, value: str | Bilingual) -> Detail:
        """A detail from a plain (Chinese) line, or from anything with `zh` and `en` (and `place`, or an
        `indicator` naming where)."""
        if isinstance(value, Detail):
            return value
        if isinstance(value, str):
            return cls(value)
        place = getattr(value, "place", None) or getattr(value, "indicator", "")
        return cls(value.zh, value.en, str(place or ""))


class Refused(Exception):
    """An action a service refuses. `zh` and `en` say why (the English falls back to the Chinese); `details`
    list what must change first (each a line the page shows, a `Detail` in both languages)."""

    def __init__(self, zh: str, en: str = "", *, details: Iterable[str | Bilingual] | None = None) -> None:
        super().__init__(en or zh)
        self.zh, self.en = zh, en or zh
        self.details: list[Detail] = [Detail.of(d) for d in details or ()]
