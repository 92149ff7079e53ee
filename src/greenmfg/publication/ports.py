"""What the publication context tells the contexts above it (see greenmfg.core.ports)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from greenmfg.core.ports import Port

from .models import Announcement, PublicityNotice, Title

# A title granted or changed here (published, or its grade raised by a higher title) is told to whoever
# plugged in, inside the same transaction: the public register keeps its read model of titles so
# (greenmfg.register.apps). Nothing here names the register.
TitleListener = Callable[[Title], object]  # what a listener returns is not used
title_changed: Port[TitleListener] = Port("publication.title_changed")

# A publicity notice opened or its list changed (a unit removed after an upheld objection), and an
# announcement published or a title on its list changed (a grade raised by a higher title): told inside the
# transaction, so that the public documents printed from them (the 公示 and 公告 PDFs, greenmfg.reports)
# are made again by the worker once it commits, never on a public request.
NoticeListener = Callable[[PublicityNotice], object]
notice_changed: Port[NoticeListener] = Port("publication.notice_changed")
AnnouncementListener = Callable[[Announcement], object]
announcement_changed: Port[AnnouncementListener] = Port("publication.announcement_changed")


@dataclass(frozen=True)
class DocumentState:
    """How the PDF of a notice ("notice") or an announcement ("announcement") stands for its present data,
    for the bureau that issued it: "done", "preparing" (not made yet), "queued" (made again on the bureau's
    request) or "failed", with the reason, how many attempts failed and when the last did."""

    kind: str
    public_id: uuid.UUID
    status: str
    reason: str = ""
    attempts: int = 0
    failed_at: datetime | None = None


# The bureau's publication page asks how the PDFs printed from a notice (and its announcement, once
# published) stand: the reports context makes and records them (greenmfg.reports.notices.document_states).
StatesListener = Callable[[PublicityNotice], Sequence[DocumentState]]
document_states: Port[StatesListener] = Port("publication.document_states")
