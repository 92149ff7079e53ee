"""The one base of every refused action: the reason in Chinese and English, shown as is, with details."""

from __future__ import annotations


class Refused(Exception):
    """An action a service refuses. `zh` and `en` say why (the English falls back to the Chinese); `details`
    list what must change first (each a line the page shows)."""

    def __init__(self, zh: str, en: str = "", *, details: list[str] | None = None) -> None:
        super().__init__(en or zh)
        self.zh, self.en = zh, en or zh
        self.details = details or []
