"""Expert panels: aggregating the experts' scores, conflicts of interest and assignment.

Sources:

- Aggregation: "mean", or "trimmed_mean" — 去掉一个最高分和一个最低分后取平均, the usual rule of Chinese
  expert reviews; results are published to 0.01, rounded half-up.
- Conflicts of interest: security.md AC-04 — "The assignment engine never assigns a conflicted expert:
  same employer, consulted for or evaluated the applicant, same park, or a declared relation". The
  relations an expert declares (consulted for, evaluated, family, former employer, …) arrive as
  ``ExpertFacts.related``; staff of the case's third-party evaluation body are conflicted too.

Nothing here reads a database: the platform passes plain facts and stores what comes back.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, localcontext

from greencore.errors import GreencoreError

__all__ = [
    "METHODS",
    "CaseFacts",
    "Conflict",
    "ExpertFacts",
    "PanelError",
    "aggregate",
    "assign_panel",
    "check_assignment",
    "conflicts_of",
]

METHODS = ("mean", "trimmed_mean")
_CENT = Decimal("0.01")


class PanelError(GreencoreError, ValueError):
    """Scores cannot be aggregated or a panel cannot be formed. Chinese, then English."""

    def __init__(self, zh: str, en: str, place: str = "") -> None:
        super().__init__(place, zh, en, message=f"{zh} / {en}")


def aggregate(scores: Sequence[Decimal], method: str) -> Decimal:
    """The panel's score from the experts' scores, to 0.01 rounded half-up.

    ``mean``: the average. ``trimmed_mean``: drop one highest and one lowest score, average the rest
    (needs at least 3 scores). Raises `PanelError` for no scores, too few for a trimmed mean, a score
    that is not a finite number, or an unknown method.
    """
    if method not in METHODS:
        raise PanelError(
            f"未知的专家评分汇总方法 {method!r}（可用：mean 平均、trimmed_mean 去掉最高最低后平均）",
            f"unknown panel aggregation method {method!r} (known: mean, trimmed_mean)",
        )
    values: list[Decimal] = []
    for i, score in enumerate(scores):
        value = score if isinstance(score, Decimal) else Decimal(str(score))
        if not value.is_finite():
            raise PanelError(
                f"第 {i + 1} 个专家评分 {score} 不是有效数字",
                f"expert score {i + 1} ({score}) is not a number",
            )
        values.append(value)
    if not values:
        raise PanelError("没有专家评分，无法汇总", "no expert scores to aggregate")
    if method == "trimmed_mean":
        if len(values) < 3:
            raise PanelError(
                f"去掉一个最高分和一个最低分至少需要 3 个评分，现有 {len(values)} 个",
                f"a trimmed mean (drop highest and lowest) needs at least 3 scores, got {len(values)}",
            )
        values = sorted(values)[1:-1]
    with localcontext() as ctx:
        ctx.prec = 60  # exact for any realistic panel; the only rounding is the published one below
        mean = sum(values, Decimal(0)) / len(values)
        return mean.quantize(_CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class ExpertFacts:
    """What the assignment needs to know about an expert.

    ``employer``: the organisation the expert works for; ``park``: the park that organisation belongs
    to, if any; ``evaluation_body``: set when the expert is staff of a third-party evaluation body;
    ``related``: organisations the expert declared a relation with (consulted for, evaluated, family,
    former employer, …); ``fields``: the expert's specialities; ``load``: cases already assigned.
    """

    key: str
    employer: str
    park: str | None = None
    evaluation_body: str | None = None
    related: frozenset[str] = frozenset()
    fields: frozenset[str] = frozenset()
    load: int = 0


@dataclass(frozen=True)
class CaseFacts:
    """What the assignment needs to know about a case: applicant, park, evaluation body and field."""

    key: str
    applicant: str
    park: str | None = None
    evaluation_body: str | None = None
    field: str | None = None


@dataclass(frozen=True)
class Conflict:
    """One conflict of interest: a stable code and the reason in Chinese and English."""

    code: str
    zh: str
    en: str


def conflicts_of(expert: ExpertFacts, case: CaseFacts) -> list[Conflict]:
    """Every conflict of interest between an expert and a case (AC-04); empty when there is none.

    Codes, in this order: ``same_employer`` (the expert works for the applicant); ``same_park`` (the
    expert's employer and the applicant are in the same park, the expert works for the applicant's
    park, or the expert's employer is in the park that is applying); ``evaluation_body_staff`` (the
    expert works for the case's evaluation body); ``declared`` (one per organisation of the case —
    applicant, park, evaluation body — the expert declared a relation with).
    """
    found: list[Conflict] = []
    if expert.employer == case.applicant:
        found.append(Conflict("same_employer", "专家任职于申报单位", "the expert works for the applicant"))
    if expert.park is not None and expert.park == case.park:
        found.append(
            Conflict(
                "same_park",
                "专家所在单位与申报单位位于同一园区",
                "the expert's employer is in the applicant's park",
            )
        )
    elif case.park is not None and expert.employer == case.park:
        found.append(
            Conflict("same_park", "专家任职于申报单位所在园区", "the expert works for the applicant's park")
        )
    elif expert.park is not None and expert.park == case.applicant:
        found.append(
            Conflict(
                "same_park",
                "专家所在单位位于申报园区内",
                "the expert's employer is in the park that is applying",
            )
        )
    if case.evaluation_body is not None and case.evaluation_body in (expert.employer, expert.evaluation_body):
        found.append(
            Conflict(
                "evaluation_body_staff",
                "专家任职于本申报的第三方评价机构",
                "the expert works for the case's third-party evaluation body",
            )
        )
    declared = (
        (case.applicant, "申报单位", "the applicant"),
        (case.park, "申报单位所在园区", "the applicant's park"),
        (case.evaluation_body, "第三方评价机构", "the evaluation body"),
    )
    for organisation, zh, en in declared:
        if organisation is not None and organisation in expert.related:
            found.append(
                Conflict(
                    "declared", f"专家已声明与{zh}存在关联关系", f"the expert declared a relation with {en}"
                )
            )
    return found


def check_assignment(case: CaseFacts, expert: ExpertFacts) -> Conflict | None:
    """For a manual assignment: the first conflict of interest, or None when the expert may be assigned."""
    found = conflicts_of(expert, case)
    return found[0] if found else None


def _tie_break(seed: str, key: str) -> bytes:
    # SHA-256, not SM3: the order only spreads the load; it must be the same on every machine, and
    # hashlib only offers SM3 where OpenSSL was built with it
    return hashlib.sha256(f"{seed}\x1f{key}".encode()).digest()


def assign_panel(case: CaseFacts, pool: Sequence[ExpertFacts], size: int, *, seed: str) -> list[str]:
    """Choose ``size`` conflict-free experts for a case; their keys, best first.

    Preference: experts whose ``fields`` contain the case's field, then the lowest ``load``, then a
    deterministic tie-break, SHA-256 of ``seed`` and the expert's key: the same inputs always give the
    same panel, and different seeds (use the case key) spread equal-load experts across cases.
    Raises `PanelError` when ``size`` < 1, the pool repeats an expert, or fewer than ``size``
    conflict-free experts are available (saying how many were).
    """
    if isinstance(size, bool) or not isinstance(size, int) or size < 1:
        raise PanelError(
            f"专家组人数 {size!r} 必须是不小于 1 的整数",
            f"panel size {size!r} must be a whole number of at least 1",
        )
    keys: set[str] = set()
    for expert in pool:
        if expert.key in keys:
            raise PanelError(
                f"专家库中专家 {expert.key!r} 重复", f"expert {expert.key!r} appears twice in the pool"
            )
        keys.add(expert.key)
    free = [e for e in pool if not conflicts_of(e, case)]
    if len(free) < size:
        raise PanelError(
            f"无利益冲突的可选专家只有 {len(free)} 名（专家库共 {len(pool)} 名），少于所需的 {size} 名",
            f"only {len(free)} conflict-free experts available (of {len(pool)} in the pool), {size} needed",
        )

    def preference(expert: ExpertFacts) -> tuple[int, int, bytes, str]:
        in_field = case.field is not None and case.field in expert.fields
        return (0 if in_field else 1, expert.load, _tie_break(seed, expert.key), expert.key)

    return [e.key for e in sorted(free, key=preference)[:size]]
