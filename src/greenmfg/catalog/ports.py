"""What the catalog context asks of the contexts above it (see greenmfg.core.ports)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from greencore import ApplicantRecord
from greenmfg.core.ports import Port
from greenmfg.orgs.models import Organisation

from .models import Call

# What the platform knows of an applicant for a call's eligibility (titles held, the national lists, credit
# checks) lives in contexts above this one: publication and reviews each plug in a function giving their
# part of the record for an organisation and a title kind (`selectors.applicant_record` merges them).
RecordOf = Callable[[Organisation, str], ApplicantRecord]
applicant_records: Port[RecordOf] = Port("catalog.applicant_records")

# A call's calendar moved the date of a review step: the applications waiting at that step take their new
# due date (the applications context plugs this in; catalog sits below it). Arguments: the call, the step
# index, the step's new calendar date (None: the step is back to its review days). Returns how many moved.
StepDateMoved = Callable[[Call, int, date | None], int]
step_date_moved: Port[StepDateMoved] = Port("catalog.step_date_moved")

# How many applications the most active province bureau has already passed upward in the call (the
# reviews context plugs this in): a calendar's quota may not be set below it.
RecommendedOf = Callable[[Call], int]
recommended: Port[RecommendedOf] = Port("catalog.recommended")
