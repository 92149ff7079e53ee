"""The pure rules of the review chain (district → city → province → MIIT), with no database.

- `forwarding`: which applicants a review step forwards to the next one. Suzhou (seeds/003): a
  district forwards to the city's 3A review only applicants whose initial score is ≥ 80; 'XX市'
  (seeds/004): score > 80 **and** among the top 30 of the call. Ranking follows the engine's
  ``rank_population``: competition rank on the published score, ties at the cut-off all go through.
- `ladder`: which level grants which grade (Suzhou, seeds/003: districts grade 1A/2A and file them with
  the city, the city grades 3A) and the grade already held, read from the platform's own titles.
- `panels`: expert panels — the panel score (mean, or 去掉一个最高分和一个最低分 trimmed mean), conflicts
  of interest and conflict-free assignment (security.md AC-04: same employer, consulted for or
  evaluated the applicant, same park, or a declared relation).
"""

from __future__ import annotations

from greencore.review.forwarding import (
    Candidate,
    ForwardingDecision,
    ForwardingRule,
    RuleError,
    decide,
    published_score,
)
from greencore.review.ladder import (
    Ladder,
    Route,
    at_step,
    held_inputs,
    held_source,
    ladder_for,
    ladder_of_call,
    later_levels,
    route,
    title_level,
)
from greencore.review.panels import (
    METHODS,
    CaseFacts,
    Conflict,
    ExpertFacts,
    PanelError,
    aggregate,
    assign_panel,
    check_assignment,
    conflicts_of,
)
from greencore.review.resubmission import (
    AnswerChange,
    EvidenceChange,
    EvidenceRef,
    IndicatorChange,
    VersionChanges,
    stale_items,
    version_changes,
)
from greencore.review.verdict import Basis, Verdict, decisive_basis, unmet_prerequisites, verdict

__all__ = [
    "METHODS",
    "AnswerChange",
    "Basis",
    "Candidate",
    "CaseFacts",
    "Conflict",
    "EvidenceChange",
    "EvidenceRef",
    "ExpertFacts",
    "ForwardingDecision",
    "ForwardingRule",
    "IndicatorChange",
    "Ladder",
    "PanelError",
    "Route",
    "RuleError",
    "Verdict",
    "VersionChanges",
    "aggregate",
    "assign_panel",
    "at_step",
    "check_assignment",
    "conflicts_of",
    "decide",
    "decisive_basis",
    "held_inputs",
    "held_source",
    "ladder_for",
    "ladder_of_call",
    "later_levels",
    "published_score",
    "route",
    "stale_items",
    "title_level",
    "unmet_prerequisites",
    "verdict",
    "version_changes",
]
