"""Resubmission after a return (issue 11): what changed between two submitted versions, and which results
resting on the earlier version that change makes stale.

A third-party evaluation checks the whole dossier (the evaluator enters its own value for every field and
inspects the evidence), so any change of an answer or of an evidence file makes it stale. An expert's
signed scores rest on the indicators the expert scored, so they are stale when the change touches one of
them: its points in the self-evaluation moved, or its evidence files changed. A stale result keeps the
step waiting until the evaluator or the expert confirms it or scores again.

The platform gathers the versions (answers, evidence digests, the result's leaf indicators) and shows
`VersionChanges` to reviewers; nothing here reads a database.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

__all__ = [
    "AnswerChange",
    "EvidenceChange",
    "EvidenceRef",
    "IndicatorChange",
    "VersionChanges",
    "stale_items",
    "version_changes",
]


@dataclass(frozen=True, order=True)
class AnswerChange:
    """One form field whose text differs ('' where the field was, or became, empty)."""

    key: str
    before: str
    after: str


@dataclass(frozen=True, order=True)
class EvidenceRef:
    """One evidence file of a submitted version, as its manifest lists it."""

    indicator: str
    name: str
    sm3: str


@dataclass(frozen=True, order=True)
class EvidenceChange:
    """A file present in one version only (a replacement is one removal and one addition)."""

    indicator: str
    name: str
    sm3: str
    change: str  # "added" | "removed"

    @property
    def zh(self) -> str:
        return "新增" if self.change == "added" else "移除"


@dataclass(frozen=True, order=True)
class IndicatorChange:
    """A leaf indicator whose self-evaluated points moved (None: not scored in that version)."""

    id: str
    label: str
    before: Decimal | None
    after: Decimal | None


@dataclass(frozen=True)
class VersionChanges:
    before_version: int
    after_version: int
    answers: tuple[AnswerChange, ...]
    evidence: tuple[EvidenceChange, ...]
    indicators: tuple[IndicatorChange, ...]
    score_before: Decimal | None
    score_after: Decimal | None

    @property
    def changed(self) -> bool:
        return bool(self.answers or self.evidence or self.indicators or self.score_before != self.score_after)

    @property
    def touched_indicators(self) -> frozenset[str]:
        """The indicators the change reaches: points moved, or an evidence file of theirs changed."""
        return frozenset(c.id for c in self.indicators) | frozenset(e.indicator for e in self.evidence)


def version_changes(
    before_version: int,
    after_version: int,
    *,
    before_answers: Mapping[str, str],
    after_answers: Mapping[str, str],
    before_evidence: Iterable[EvidenceRef],
    after_evidence: Iterable[EvidenceRef],
    before_points: Mapping[str, tuple[str, Decimal | None]],
    after_points: Mapping[str, tuple[str, Decimal | None]],
    score_before: Decimal | None,
    score_after: Decimal | None,
) -> VersionChanges:
    """What changed from one version to the next. Answers are compared as typed, with an empty text the
    same as an absent field (clearing a field the earlier version never had is no change); evidence by
    content (SM3), so a file uploaded again unchanged is no change; points per leaf indicator id
    (`*_points`: id → (label, points))."""
    answers = tuple(
        sorted(
            AnswerChange(key, before_answers.get(key, "") or "", after_answers.get(key, "") or "")
            for key in set(before_answers) | set(after_answers)
            if (before_answers.get(key, "") or "").strip() != (after_answers.get(key, "") or "").strip()
        )
    )
    old, new = set(before_evidence), set(after_evidence)
    evidence = tuple(
        sorted(
            [EvidenceChange(e.indicator, e.name, e.sm3, "removed") for e in old - new]
            + [EvidenceChange(e.indicator, e.name, e.sm3, "added") for e in new - old]
        )
    )
    indicators = tuple(
        sorted(
            IndicatorChange(
                key,
                (after_points.get(key) or before_points.get(key) or ("", None))[0],
                before_points[key][1] if key in before_points else None,
                after_points[key][1] if key in after_points else None,
            )
            for key in set(before_points) | set(after_points)
            if (before_points[key][1] if key in before_points else None)
            != (after_points[key][1] if key in after_points else None)
        )
    )
    return VersionChanges(
        before_version, after_version, answers, evidence, indicators, score_before, score_after
    )


def stale_items(rests_on: Collection[str] | None, changes: VersionChanges) -> tuple[str, ...]:
    """The changed items a result rests on, sorted; empty when it still holds. `rests_on` None is a result
    resting on the whole dossier (a third-party evaluation): every changed answer key and every indicator
    whose evidence changed. Otherwise (an expert's scores) the indicators of `rests_on` the change touches."""
    if rests_on is None:
        return tuple(sorted({a.key for a in changes.answers} | {e.indicator for e in changes.evidence}))
    return tuple(sorted(changes.touched_indicators & frozenset(rests_on)))
