"""When the platform reminds someone of a deadline (issue 12): 7 days and 1 day before it, and the day after
it has passed (missed). A deadline is a calendar date, the last day on which the step may still be done.
"""

from __future__ import annotations

from datetime import date, timedelta

# (reminder kind, days before the deadline; negative: after it)
REMINDER_OFFSETS: tuple[tuple[str, int], ...] = (("due_in_7", 7), ("due_in_1", 1), ("missed", -1))


def reminder_dates(deadline: date) -> list[tuple[str, date]]:
    """The reminders of a deadline and the day each is due: 30 June → 23 June, 29 June, and 1 July."""
    return [(kind, deadline - timedelta(days=days)) for kind, days in REMINDER_OFFSETS]
