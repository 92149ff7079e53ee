"""The application's workflow table (greencore/workflow/application.yaml), loaded once, and the named groups
of its states that the other contexts ask about. A group is the table's; nothing here lists states."""

from __future__ import annotations

from greencore import load_workflow

WORKFLOW = load_workflow("application")


def _group(name: str) -> tuple[str, ...]:
    return tuple(sorted(WORKFLOW.group(name)))


EDITABLE = _group("editable")  # the applicant may change the dossier and its evidence
PRIVATE = _group("private")  # its author's alone: hidden from bureaus, evaluators and experts
LIVE = _group("live")  # waiting at a step of the review chain
ENGAGEABLE = _group("engageable")  # a third-party evaluation body may be engaged
NOT_EVALUABLE = _group("not_evaluable")  # the submitted self-evaluation is not the applicant's current word
GRANTED = _group("granted")  # decided: the title was granted
REFUSED = _group("refused")  # decided: no title
UNDECIDED = _group("undecided")  # submitted and not yet decided either way
