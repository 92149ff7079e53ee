"""Why a result's grade is lower than its score reaches: the grades a prerequisite withholds.

A Suzhou factory scoring 82 with 1A held is graded 2A, not 3A, because "申报3A级须已获评2A级". The engine
records the withheld grades (`Result.blocked_grades`); this names each with the scheme's own words
(`GradeBand.requires_label`, else the rule itself), so a dossier can say why the grade is capped.
"""

from __future__ import annotations

from dataclasses import dataclass

from greencore.scoring.result import Result
from greencore.standards.model import Scheme


@dataclass(frozen=True)
class GradeCap:
    """A grade the score (or status) reaches but a prerequisite withholds, and why."""

    grade: str
    label: str
    label_en: str
    reason: str
    reason_en: str


def grade_caps(scheme: Scheme, result: Result) -> tuple[GradeCap, ...]:
    """The grades `result` reaches but may not be given, best grade first, each with its reason in
    Chinese and English ("申报3A级须已获评2A级" / "3A needs 2A held")."""
    withheld = set(result.blocked_grades)
    caps: list[GradeCap] = []
    for band in scheme.outcome.grades:
        if band.id not in withheld:
            continue
        reason = band.requires_label
        caps.append(
            GradeCap(
                grade=band.id,
                label=band.label.zh,
                label_en=band.label.en or band.label.zh,
                reason=reason.zh if reason is not None else f"须满足：{band.requires}",
                reason_en=(reason.en or reason.zh) if reason is not None else f"requires {band.requires}",
            )
        )
    return tuple(caps)
