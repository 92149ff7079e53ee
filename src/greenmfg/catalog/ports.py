"""What the catalog context asks of the contexts above it (see greenmfg.core.ports)."""

from __future__ import annotations

from collections.abc import Callable

from greencore import ApplicantRecord
from greenmfg.core.ports import Port
from greenmfg.orgs.models import Organisation

# What the platform knows of an applicant for a call's eligibility (titles held, the national lists, credit
# checks) lives in contexts above this one: publication and reviews each plug in a function giving their
# part of the record for an organisation and a title kind (`selectors.applicant_record` merges them).
RecordOf = Callable[[Organisation, str], ApplicantRecord]
applicant_records: Port[RecordOf] = Port("catalog.applicant_records")
