"""The verdict a review step decides on: which result decides, and what that result allows.

Issue 11: a title must never be granted against the scheme's own outcome. Each decision point of the
review chain (pass, forward, list for publicity, publish) rests on one *decisive* result:

- the expert panel's aggregate, where the step's experts have scored (its total replaces the score;
  the gates and basic requirements stay those of the result the panel scored);
- else the third party's result, where the call requires a third-party evaluation (通知: 第三方评价);
- else the applicant's own self-evaluation (the submitted version).

`verdict` applies that result's whole outcome as the engine computes it: gates and required (必选)
items, a negative-list hit, the pass mark (``pass_above``: strictly above), the grade bands with their
prerequisites (``requires``, e.g. 申报3A级须已获评2A级). A scheme that has score grades and whose
score reaches none of them fails too: a title is never granted with an empty grade. Ranking across a
call is the selecting step's business (`decide` over the candidates this verdict allows).

A call that confers a title is decided as if it were granted (``confers``: the call's level): where the
scheme has a status grade for that title (Suzhou: a provincial title is 4A), that grade is the one the
call grants, given its own prerequisite (申报省级须已获评3A级); an application that does not meet it
fails, and is never graded lower through the call (a provincial call never publishes a city 3A). A city
call confers no status grade: its applicant is graded on the score bands (Suzhou: at most 3A).

The platform only gathers the facts (which results exist, the panel total, the credit check) and
acts on ``Verdict.allowed``: a failing application can only be returned or rejected, and the page
shows ``Verdict.reasons`` — which gate failed, the score against the mark, the grade and its cap.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Any

from greencore.review.forwarding import published_score
from greencore.scoring.compiled import compiled
from greencore.scoring.evaluate import evaluate
from greencore.scoring.grading import conferred_grade, grade_for_score
from greencore.scoring.inputs import InputError, columns_from_mapping
from greencore.scoring.result import Result
from greencore.standards.model import Scheme

__all__ = ["Basis", "Verdict", "decisive_basis", "unmet_prerequisites", "verdict"]


class Basis(StrEnum):
    """Which result a step decides on."""

    SELF = "self"
    THIRD_PARTY = "third_party"
    PANEL = "panel"

    @property
    def zh(self) -> str:
        return {"self": "企业自评价", "third_party": "第三方评价", "panel": "专家评审"}[self.value]

    @property
    def en(self) -> str:
        return {"self": "self-evaluation", "third_party": "third-party evaluation", "panel": "expert panel"}[
            self.value
        ]


def decisive_basis(*, requires_third_party: bool, panel_scored: bool) -> Basis:
    """The result a step rests on: the panel's once its experts have all signed; else the third party's
    where the call requires one; else the self-evaluation."""
    if panel_scored:
        return Basis.PANEL
    if requires_third_party:
        return Basis.THIRD_PARTY
    return Basis.SELF


@dataclass(frozen=True)
class Verdict:
    """What the decisive result allows. ``allowed``: the application may be passed, forwarded, listed
    for publicity and granted ``grade``; otherwise ``reasons`` say why, Chinese and English, in the
    user's words."""

    basis: Basis
    score: Decimal | None  # the published score (the scheme's precision)
    eligible: bool | None  # gates, required items and the negative list; None: not all answered
    failed: tuple[tuple[str, str, str], ...]  # (id, zh, en) of each failed gate or required item
    passed: bool  # eligible, and the score meets the pass mark and reaches a grade where there are grades
    grade: str  # the grade id, "" when none
    grade_label: str
    grade_label_en: str
    capped: tuple[tuple[str, str], ...]  # (zh, en) of each prerequisite that keeps a higher grade away
    reasons: tuple[tuple[str, str], ...]  # (zh, en): why it fails, or the grade and its cap when it passes

    @property
    def allowed(self) -> bool:
        return self.passed

    @property
    def grade_text(self) -> tuple[str, str]:
        """The grade's name (zh, en), e.g. ("2A级绿色工厂", "2A")."""
        return self.grade_label, self.grade_label_en

    @property
    def reasons_zh(self) -> str:
        return "；".join(zh for zh, _ in self.reasons)

    @property
    def reasons_en(self) -> str:
        return "; ".join(en for _, en in self.reasons)

    @property
    def summary(self) -> tuple[str, str]:
        """One line for a page: the grade or 不符合, the score and its basis."""
        shown = "—" if self.score is None else format(self.score, "f")
        if self.passed:
            grade_zh = self.grade_label or "合格"
            grade_en = self.grade_label_en or "pass"
            return (
                f"{grade_zh}（{self.basis.zh}得分 {shown}）",
                f"{grade_en} ({self.basis.en} score {shown})",
            )
        return (
            f"不符合：{self.reasons_zh}（{self.basis.zh}得分 {shown}）",
            f"fails: {self.reasons_en} ({self.basis.en} score {shown})",
        )

    def to_detail(self) -> dict[str, Any]:
        """JSON-safe, for a decision's record."""
        return {
            "basis": self.basis.value,
            "score": None if self.score is None else str(self.score),
            "eligible": self.eligible,
            "passed": self.passed,
            "grade": self.grade,
            "grade_label": self.grade_label,
            "failed": [list(f) for f in self.failed],
            "reasons": self.reasons_zh,
        }


def unmet_prerequisites(
    scheme: Scheme, inputs: Mapping[str, Any], fallback: Collection[str] = ()
) -> frozenset[str]:
    """The grades whose prerequisite (``requires``) the inputs do not meet, whatever the score. A
    reviewed score (a panel's) may reach a band the self-evaluation never reached, so the result's own
    ``blocked_grades`` (only bands reached) is not enough. Inputs the engine cannot read give
    ``fallback`` (the result's ``blocked_grades``)."""
    cs = compiled(scheme)
    if not any(f is not None for f in cs.grade_requires):
        return frozenset()
    try:
        env = evaluate(cs, columns_from_mapping(cs, inputs), 1).env
        unmet: set[str] = set()
        for band, requires in zip(scheme.outcome.grades, cs.grade_requires, strict=True):
            if requires is None:
                continue
            value = float(requires(env).reshape(-1)[0])
            if math.isnan(value) or value == 0:
                unmet.add(band.id)
        return frozenset(unmet)
    except (InputError, KeyError, ValueError):
        return frozenset(fallback)


def _fmt(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return "0" if text in ("-0", "") else text


def _failed_items(scheme: Scheme, result: Result) -> tuple[tuple[str, str, str], ...]:
    cs = compiled(scheme)
    gates = {gate.id: gate.label for gate, _ in cs.gates}
    items: list[tuple[str, str, str]] = []
    for key in result.failed_gates:
        if key in gates:
            label = gates[key]
            items.append(
                (key, f"基本要求「{label.zh}」不符合", f"basic requirement '{label.en or label.zh}' not met")
            )
        elif key in cs.nodes:
            label = cs.nodes[key].node.label
            items.append(
                (key, f"必选项「{label.zh}」未满足", f"required item '{label.en or label.zh}' not met")
            )
        else:
            items.append((key, f"基本要求 {key} 不符合", f"basic requirement {key} not met"))
    return tuple(items)


def verdict(
    scheme: Scheme,
    result: Result,
    basis: Basis = Basis.SELF,
    *,
    score: Decimal | None = None,
    negative_item: str = "",
    unmet: Collection[str] | None = None,
    confers: str = "",
) -> Verdict:
    """The verdict of ``result`` under ``scheme``: ``score`` replaces the result's own (a panel total);
    ``negative_item`` names a negative-list hit (信用核查); ``unmet`` the grades whose prerequisite is
    not met (default: read from the result's inputs); ``confers`` the level of the title the call confers
    (city | province | national; "" for none), whose status grade the call grants (`conferred_grade`)."""
    value = published_score(result.score if score is None else score, scheme.precision)
    outcome = scheme.outcome
    failed = _failed_items(scheme, result)
    reasons: list[tuple[str, str]] = [(zh, en) for _, zh, en in failed]
    eligible = result.eligible
    if negative_item:
        eligible = False
        reasons.append((f"命中负面清单：{negative_item}", f"on the negative list: {negative_item}"))
    if eligible is None and not failed:
        reasons.append(("基本要求尚未全部作答，资格不能确定", "the basic requirements are not all answered"))
    if value is None:
        reasons.append(("没有有效得分", "no valid score"))
    mark_met = True
    if value is not None and outcome.pass_mark is not None:
        mark = outcome.pass_mark.value
        shown, line = format(value, "f"), _fmt(mark)
        if outcome.pass_above and value <= mark:
            mark_met = False
            reasons.append(
                (f"得分 {shown}，未高于合格线 {line} 分", f"score {shown} is not above the pass mark {line}")
            )
        elif not outcome.pass_above and value < mark:
            mark_met = False
            reasons.append(
                (f"得分 {shown}，低于合格线 {line} 分", f"score {shown} is below the pass mark {line}")
            )
    band_id, label_zh, label_en = "", "", ""
    capped: list[tuple[str, str]] = []
    score_bands = [b for b in outcome.grades if not b.when and (b.min is not None or b.above is not None)]
    conferred = conferred_grade(scheme, confers)
    if conferred is not None:
        # the call grants this status grade alone, as if its title were granted: its prerequisite decides
        score_bands = [conferred]
        if value is not None and eligible is True and mark_met:
            blocked = (
                unmet_prerequisites(scheme, result.inputs, result.blocked_grades)
                if unmet is None
                else frozenset(unmet)
            )
            name_zh, name_en = conferred.label.zh, conferred.label.en or conferred.label.zh
            if conferred.id in blocked:
                why = conferred.requires_label
                reasons.append(
                    (
                        f"本批次授予{name_zh}，但{why.zh if why else '其前提条件未满足'}",
                        f"this call grants {name_en}, but "
                        + (why.en if why and why.en else "its prerequisite is not met"),
                    )
                )
            else:
                band_id, label_zh, label_en = conferred.id, name_zh, name_en
    elif value is not None and eligible is True and mark_met and score_bands:
        blocked = (
            unmet_prerequisites(scheme, result.inputs, result.blocked_grades)
            if unmet is None
            else frozenset(unmet)
        )
        band = grade_for_score(scheme, value, blocked)
        for higher in score_bands:
            if band is not None and higher.id == band.id:
                break
            reached = (higher.min is not None and value >= higher.min.value) or (
                higher.above is not None and value > higher.above.value
            )
            if reached and higher.id in blocked:
                why = higher.requires_label
                capped.append(
                    (
                        f"得分达到{higher.label.zh}分数线，但{why.zh if why else '其前提条件未满足'}",
                        f"the score reaches {higher.label.en or higher.label.zh}, but "
                        + (why.en if why and why.en else "its prerequisite is not met"),
                    )
                )
        if band is None:
            lowest = score_bands[-1]
            # a score band has a minimum or an `above` bound (the loader refuses one with neither)
            bound = lowest.min if lowest.min is not None else lowest.above
            assert bound is not None
            line = _fmt(bound.value)
            shown = format(value, "f")
            word = "不低于" if lowest.min is not None else "高于"
            reasons.extend(capped)
            reasons.append(
                (
                    f"得分 {shown}，未达到任何等级（{lowest.label.zh}须{word} {line} 分）",
                    f"score {shown} reaches no grade ({lowest.label.en or lowest.label.zh} needs "
                    f"{'at least' if lowest.min is not None else 'above'} {line})",
                )
            )
        else:
            band_id, label_zh, label_en = band.id, band.label.zh, band.label.en or band.label.zh
    passed = bool(eligible is True and value is not None and mark_met and (band_id or not score_bands))
    if passed:
        shown = format(value, "f") if value is not None else "—"
        if band_id:
            reasons = [(f"得分 {shown}，评为{label_zh}", f"score {shown}, graded {label_en}"), *capped]
        else:
            reasons = [(f"得分 {shown}，符合评价要求", f"score {shown} meets the scheme")]
    return Verdict(
        basis=basis,
        score=value,
        eligible=eligible,
        failed=failed,
        passed=passed,
        grade=band_id,
        grade_label=label_zh,
        grade_label_en=label_en,
        capped=tuple(capped),
        reasons=tuple(reasons),
    )
