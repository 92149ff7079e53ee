"""What the publication context tells the contexts above it (see greenmfg.core.ports)."""

from __future__ import annotations

from collections.abc import Callable

from greenmfg.core.ports import Port

from .models import Title

# A title granted or changed here (published, or its grade raised by a higher title) is told to whoever
# plugged in, inside the same transaction: the public register keeps its read model of titles so
# (greenmfg.register.apps). Nothing here names the register.
TitleListener = Callable[[Title], object]  # what a listener returns is not used
title_changed: Port[TitleListener] = Port("publication.title_changed")
