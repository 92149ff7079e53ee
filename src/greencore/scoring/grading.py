"""Grades outside a full scoring run: the grade a reviewed score earns, and the grade a higher title
confers (Suzhou: a provincial green factory is 4A, a national one 5A — seeds/003).

A call that confers a title (a provincial call confers the provincial title) is graded *as if granted
it*: its applicant does not hold the provincial title yet, so without this a Suzhou applicant to a
provincial call could never reach 4A (「获评省级绿色工厂的企业，自动评为4A级」). `conferred_grade` names the
status grade a call of a level confers under a scheme, `conferred_inputs` the status input the engine
then reads as held; a city call confers none, so its applicant still caps at 3A.

A review step decides on a score that is not the applicant's own (an expert panel's, a third party's),
so the grade is read from the scheme's bands for that score; prerequisites (``requires``) that the
scored result found unmet stay unmet (passed in as ``blocked``).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from decimal import Decimal
from typing import Any

from greencore.standards.model import GradeBand, Scheme
from greencore.workflow.chain import title_status_input


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


def conferred_grade(scheme: Scheme, level: str) -> GradeBand | None:
    """The status grade a call of `level` (city | province | national) confers on its applicant under
    `scheme`: the band whose ``when`` is the status a title of that level gives (Suzhou: province → 4A,
    national → 5A); None for a level that gives no status (a city call) or a scheme without such a band."""
    status = title_status_input(level) if level else None
    if status is None:
        return None
    return next((band for band in scheme.outcome.grades if band.when.strip() == status), None)


def conferred_inputs(scheme: Scheme, level: str) -> dict[str, Any]:
    """The status input a call of `level` sets for its applicant, as if the title it confers were granted
    (``{"holds_provincial_title": True}`` for a Suzhou provincial call); empty where it confers none."""
    band = conferred_grade(scheme, level)
    return {} if band is None else {band.when.strip(): True}
