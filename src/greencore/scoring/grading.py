"""Grades outside a full scoring run: the grade a reviewed score earns, and the grade a higher title
confers (Suzhou: a provincial green factory is 4A, a national one 5A — seeds/003).

A review step decides on a score that is not the applicant's own (an expert panel's, a third party's),
so the grade is read from the scheme's bands for that score; prerequisites (``requires``) that the
scored result found unmet stay unmet (passed in as ``blocked``).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from decimal import Decimal

from greencore.standards.model import GradeBand, Scheme


def grade_for_score(scheme: Scheme, score: Decimal, blocked: Collection[str] = ()) -> GradeBand | None:
    """The first score band (in the scheme's order, best first) the score reaches and whose prerequisite
    is not blocked; status grades (``when``) are not given by a score."""
    for band in scheme.outcome.grades:
        if band.when or band.id in blocked:
            continue
        if band.min is not None and score >= band.min.value:
            return band
        if band.above is not None and score > band.above.value:
            return band
    return None


def grade_from_status(scheme: Scheme, holds: Mapping[str, bool], held_grade: str = "") -> GradeBand | None:
    """The status grade a title confers: the first band whose ``when`` names a status the unit now holds
    (a bare input name such as ``holds_provincial_title``), if it is better than the grade held."""
    ids = [band.id for band in scheme.outcome.grades]
    for band in scheme.outcome.grades:
        status = band.when.strip()
        if not status:
            continue
        if not status.isidentifier():
            raise ValueError(f"{scheme.id}: grade {band.id}: only a bare status name is supported in 'when'")
        if holds.get(status):
            if held_grade in ids and ids.index(held_grade) <= ids.index(band.id):
                return None  # already as good or better
            return band
    return None
