"""Which bureau grants which grade (the grading ladder), and the grade a unit already holds.

Suzhou (seeds/003 五(一)、(三)): "各市(区)工业和信息化主管部门组织开展1A级、2A级绿色工厂评价工作，并将评价
结果报市工业和信息化局备案。市工业和信息化局组织开展3A级绿色工厂评价" and "初评分数80分以上(含80分)的企业
推荐至市". So a district bureau grades 1A and 2A itself, under its own announcement, and files the result
with the city; only what the verdict grades 3A goes on to the city. The table lives in ``review.yaml``
(``grading_ladders``), per scheme and per level of the review chain.

`at_step` reads a verdict as one review step may act on it:

- its grade is granted at this step's level: the step grades it here (`Route.GRADE_HERE`);
- its grade is granted at a later step of the chain: it goes on (`Route.FORWARD`);
- its grade is granted by no step still ahead (a 2A at the city, a 4A anywhere in the city's chain): the
  verdict fails at this step, saying which level grants that grade.

A scheme without a ladder keeps the chain's own behaviour (`Route.FORWARD` before the last step, the last
step grants the verdict's grade).

A call that confers a title (a provincial call confers the provincial title) grants the status grade of that
title alone, at the chain level of the bureau that grants the title (`ladder_of_call`: a Suzhou provincial
call grants 4A at the province, and its district and city steps grade nothing — they review and forward).

`held_inputs`: the prerequisites of a grade band (``requires: "held_grade >= 2"``: 申报3A级须已获评2A级)
are read from the titles the platform itself granted the unit, not from what the applicant typed. Where
the platform holds a title of the scheme's grades, its best grade decides the held-grade input; a
provincial (national) title sets the status input ``holds_provincial_title`` (``holds_national_title``).
Without such a title the typed answer stands: the declared fallback for units titled before the platform.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum
from functools import cache
from typing import Any

from greencore.eligibility import HeldTitle, graded_on, scheme_lineage
from greencore.review.verdict import Verdict
from greencore.scoring.compiled import compiled
from greencore.scoring.grading import conferred_grade
from greencore.standards.model import Scheme
from greencore.workflow.chain import LEVELS, review_rules, title_status_input

__all__ = [
    "Ladder",
    "Route",
    "at_step",
    "held_inputs",
    "held_source",
    "ladder_for",
    "ladder_of_call",
    "later_levels",
    "route",
    "title_level",
]

# the names a page gives a level of the review chain (the bureau that grants)
LEVEL_NAMES = {
    "district": ("区县级", "district"),
    "city": ("市级", "city"),
    "province": ("省级", "provincial"),
    "ministry": ("部级", "ministry"),
}
# a title's level for the review chain's level that grants it (the ministry grants national titles)
TITLE_LEVEL_OF_STEP = {"district": "district", "city": "city", "province": "province", "ministry": "national"}


class Route(StrEnum):
    GRADE_HERE = "grade_here"  # this step grades it and publishes the title itself
    FORWARD = "forward"  # a later step grants its grade
    STOP = "stop"  # no step still ahead grants it (or the verdict fails)


@dataclass(frozen=True)
class Ladder:
    """The grades the bureau of each chain level grants, for one scheme."""

    scheme: str
    grades: Mapping[str, tuple[str, ...]]  # chain level → grade ids
    source: str

    def grants(self, level: str, grade: str) -> bool:
        return grade in self.grades.get(level, ())

    def level_of(self, grade: str) -> str | None:
        return next((level for level, ids in self.grades.items() if grade in ids), None)


@cache
def ladder_for(scheme_id: str) -> Ladder | None:
    """The scheme's grading ladder (review.yaml ``grading_ladders``), or None where it has none."""
    raw = review_rules().get("grading_ladders", {}).get(scheme_id)
    if not raw:
        return None
    grades = {level: tuple(str(g) for g in raw[level]) for level in LEVELS if raw.get(level)}
    return Ladder(scheme_id, grades, str(raw.get("source", "")))


def ladder_of_call(scheme: Scheme, level: str) -> Ladder | None:
    """The grading ladder of a call of `level` (city | province | national) under `scheme`: the scheme's
    own (`ladder_for`), except that a call conferring a status grade (`conferred_grade`: Suzhou's
    provincial call, 4A) grants that grade alone, at the chain level whose bureau grants the title."""
    band = conferred_grade(scheme, level)
    base = ladder_for(scheme.id)
    if band is None:
        return base
    grantor = next(step for step, title in TITLE_LEVEL_OF_STEP.items() if title == level)
    return Ladder(scheme.id, {grantor: (band.id,)}, base.source if base is not None else "")


def route(ladder: Ladder | None, level: str, later: Sequence[str], found: Verdict) -> Route:
    """Where an application goes from a step of `level` (with the chain levels `later` still ahead), on
    its verdict `found`."""
    if not found.passed:
        return Route.STOP
    if ladder is None or not found.grade:
        return Route.FORWARD if later else Route.GRADE_HERE
    if ladder.grants(level, found.grade):
        return Route.GRADE_HERE
    if any(ladder.grants(ahead, found.grade) for ahead in later):
        return Route.FORWARD
    return Route.STOP


def at_step(found: Verdict, ladder: Ladder | None, level: str, later: Sequence[str]) -> Verdict:
    """The verdict as a step of `level` may act on it: it fails here when its grade is granted by no
    step still ahead, naming the level that grants it."""
    if not found.passed or route(ladder, level, later, found) is not Route.STOP:
        return found
    assert ladder is not None  # without a ladder a passing verdict never stops
    grantor = ladder.level_of(found.grade)
    here_zh, here_en = LEVEL_NAMES.get(level, (level, level))
    if grantor is None:
        where_zh, where_en = "本方案未规定由哪一级评定", "the scheme names no level that grants it"
    else:
        zh, en = LEVEL_NAMES.get(grantor, (grantor, grantor))
        where_zh, where_en = f"该等级由{zh}主管部门评定", f"it is granted at {en} level"
    offered = [g for lvl in (level, *later) for g in ladder.grades.get(lvl, ())]
    offered_zh = "、".join(offered) or "无"
    reason = (
        f"{found.grade_label}不在本级（{here_zh}）及以后环节评定：{where_zh}；本批次评定 {offered_zh}",
        f"{found.grade_label_en} is not granted at {here_en} level or after it: {where_en}; "
        f"this call grants {', '.join(offered) or 'none'}",
    )
    return replace(found, passed=False, reasons=(*found.reasons, reason))


def _grade_order(scheme: Scheme) -> list[str]:
    """The scheme's grade ids, lowest first (the scheme lists its bands best first)."""
    return [band.id for band in reversed(scheme.outcome.grades)]


def graded_titles(
    scheme: Scheme, titles: Collection[HeldTitle], schemes: Callable[[str], Scheme] | None = None
) -> list[HeldTitle]:
    """The titles whose grade is one of `scheme`'s ladder (`eligibility.graded_on`: graded under it, a
    scheme it derives from or one derived from it; `schemes` resolves its `extends`)."""
    lineage = scheme_lineage(scheme, schemes)
    return [t for t in titles if graded_on(t, lineage)]


def held_inputs(
    scheme: Scheme, titles: Collection[HeldTitle], schemes: Callable[[str], Scheme] | None = None
) -> dict[str, Any]:
    """The inputs the platform's own active titles decide for an applicant under `scheme` (see the module
    docstring); empty where it holds none that concerns them. Only a title graded on `scheme`'s ladder
    gives the grade held (`graded_titles`); any title of a level gives that level's status."""
    decided: dict[str, Any] = {}
    inputs = compiled(scheme).inputs
    for title in titles:
        status = title_status_input(title.level)
        if status is not None and status in inputs:
            decided[status] = True
    name = str(review_rules().get("held_grade_input", ""))
    spec = inputs.get(name)
    order = _grade_order(scheme)
    held = [order.index(t.grade) for t in graded_titles(scheme, titles, schemes) if t.grade in order]
    if spec is None or not held or not spec.choices:
        return decided
    best = max(held)
    # the highest choice at or below the best grade held (a 4A holder has also reached 3A)
    reached = [choice for choice in spec.choices if choice in order and order.index(choice) <= best]
    if reached:
        decided[name] = max(reached, key=order.index)
    return decided


def held_source(
    scheme: Scheme, titles: Collection[HeldTitle], schemes: Callable[[str], Scheme] | None = None
) -> tuple[str, str] | None:
    """What the prerequisites rest on, for a page: the platform's best title of the scheme's grades (on its
    ladder), or None when the typed answer stands (no such title on the platform)."""
    order = _grade_order(scheme)
    graded = [t for t in graded_titles(scheme, titles, schemes) if t.grade in order]
    if not graded:
        return None
    best = max(graded, key=lambda t: order.index(t.grade))
    zh, en = LEVEL_NAMES.get(best.level, (best.level, best.level))
    if best.level == "national":
        zh, en = "国家级", "national"
    return (
        f"已获等级依据本平台称号：{best.grade}（{zh}）",
        f"the grade held is read from the platform's title: {best.grade} ({en})",
    )


def later_levels(chain_levels: Sequence[str], index: int) -> tuple[str, ...]:
    """The chain levels after step `index`."""
    return tuple(chain_levels[index + 1 :])


def title_level(step_level: str) -> str:
    """The level of a title granted by a step of `step_level`."""
    return TITLE_LEVEL_OF_STEP[step_level]
