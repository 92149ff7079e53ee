"""Ports: how a lower context asks the contexts above it, without importing them.

The contexts form layers (docs/architecture.md): a context imports only the ones below it. Sometimes a lower
context needs an answer only a higher one has — which applications an evaluation body may read (applications
asks evaluations and reviews), which titles an organisation holds (catalog asks publication) — or a higher
one must hear of a lower one's event in the same transaction (the register hears of every title publication
grants). The lower context then declares a `Port` with the function type it calls; each higher context plugs
its function in from its `AppConfig.ready()`, an explicit call made by the higher one. The lower context calls
whatever is plugged in, in the order it was plugged, and never names who answers.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Generic, TypeVar

F = TypeVar("F")


class Port(Generic[F]):
    """A named list of functions of one type, filled by the contexts above the one that declares it."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._plugged: list[F] = []

    def plug(self, function: F) -> F:
        """Plug `function` in (once: `ready()` may run twice in tests); returns it, so it can decorate."""
        if function not in self._plugged:
            self._plugged.append(function)
        return function

    def __iter__(self) -> Iterator[F]:
        return iter(tuple(self._plugged))

    def __len__(self) -> int:
        return len(self._plugged)

    def __repr__(self) -> str:
        return f"Port({self.name!r}, {len(self._plugged)} plugged)"
