"""Forwarding rules between review steps: which applicants a step passes up the chain.

Sources:

- seeds/003 《苏州市绿色工厂建设实施方案(试行)》 (三)评审确认: districts forward to the city's 3A review only
  applicants whose initial score is 80 or more ("初评分数80分以上(含80分)的企业推荐至市工业和信息化局"):
  ``{"min": 80}``, or ``ForwardingRule.from_scheme(get_scheme("factory-suzhou"), grade="3A")``.
- seeds/004 ('XX市'): "得分高于80分且位于前30位的企业": ``{"above": 80, "top": 30}``, which is also the
  ``ranking`` of the shipped scheme ``factory-xx-city`` (``ForwardingRule.from_scheme``).

Semantics are those of the engine's ``rank_population``: applicants are compared by their *published*
score (rounded half-up to the scheme's precision, 2 places by default), ranks are competition ranks
(1 = best, ties share a rank, the next rank skips: 1, 2, 2, 4), and every applicant tied at the
cut-off of a top N goes through. The thresholds (``min``, ``above``) compare the published score too,
so a score of 79.995 is published as 80.00 and meets a line of 80. Applicants without a score, and
ineligible ones, are neither ranked nor forwarded.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from greencore.errors import GreencoreError
from greencore.standards.model import Scheme

__all__ = [
    "Candidate",
    "ForwardingDecision",
    "ForwardingRule",
    "RuleError",
    "decide",
    "published_score",
]

_KEYS = ("min", "above", "top", "places")


class RuleError(GreencoreError, ValueError):
    """A forwarding rule is malformed. The message is Chinese, then English, naming the key and value."""

    def __init__(self, zh: str, en: str, place: str = "") -> None:
        super().__init__(place, zh, en, message=f"{zh} / {en}")


def _fmt(value: Decimal) -> str:
    """A threshold as written: 80, 80.5 (no trailing zeros, no exponent)."""
    text = format(value.normalize(), "f")
    return "0" if text in ("-0", "") else text


def _threshold(key: str, value: Any) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal | str):
        raise RuleError(f"转报规则 {key} 的值 {value!r} 不是数字", f"{key}: {value!r} is not a number")
    try:
        number = Decimal(str(value).strip()) if not isinstance(value, Decimal) else value
    except InvalidOperation:
        raise RuleError(
            f"转报规则 {key} 的值 {value!r} 不是数字", f"{key}: {value!r} is not a number"
        ) from None
    if not number.is_finite():
        raise RuleError(f"转报规则 {key} 的值 {value!r} 不是数字", f"{key}: {value!r} is not a number")
    if number < 0:
        raise RuleError(f"转报规则 {key} 的值 {value} 不能为负数", f"{key}: {value} must not be negative")
    return number


def _whole(key: str, value: Any, low: int, high: int | None = None) -> int:
    number: int | None = None
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, str) and value.strip().lstrip("-").isdigit():
        number = int(value.strip())
    if number is None:
        raise RuleError(f"转报规则 {key} 的值 {value!r} 不是整数", f"{key}: {value!r} is not a whole number")
    if number < low or (high is not None and number > high):
        span_zh = f" {low} 至 {high} 之间" if high is not None else f"不小于 {low} "
        span_en = f"from {low} to {high}" if high is not None else f"of at least {low}"
        raise RuleError(
            f"转报规则 {key} 的值 {value} 必须是{span_zh}的整数",
            f"{key}: {value} must be a whole number {span_en}",
        )
    return number


@dataclass(frozen=True)
class ForwardingRule:
    """Who a review step forwards: score ≥ ``min``, score > ``above``, and among the ``top`` N.

    Every condition that is set must hold; at least one must be set. ``places`` is the precision of
    the published score the conditions compare (the scheme's ``precision``; 2 by default).
    """

    min: Decimal | None = None
    above: Decimal | None = None
    top: int | None = None
    places: int = 2

    def __post_init__(self) -> None:
        if self.min is not None:
            object.__setattr__(self, "min", _threshold("min", self.min))
        if self.above is not None:
            object.__setattr__(self, "above", _threshold("above", self.above))
        if self.top is not None:
            _whole("top", self.top, 1)
        _whole("places", self.places, 0, 6)
        if self.min is None and self.above is None and self.top is None:
            raise RuleError(
                "转报规则至少需要 min、above 或 top 之一",
                "a forwarding rule needs at least one of min, above or top",
            )

    @classmethod
    def from_spec(cls, spec: Mapping[str, Any]) -> ForwardingRule:
        """A rule from a mapping such as ``{"min": 80}`` or ``{"above": 80, "top": 30}``.

        Numbers may be ints, floats, Decimals or numeric strings (as stored in JSON); ``places`` is
        optional. Raises `RuleError` naming the bad key or value.
        """
        if not isinstance(spec, Mapping):
            raise RuleError(
                "转报规则必须是键值表", f"a forwarding rule must be a mapping, not {type(spec).__name__}"
            )
        for key in spec:
            if key not in _KEYS:
                raise RuleError(
                    f"转报规则中有未知的键 {key!r}（可用：min、above、top、places）",
                    f"unknown key {key!r} in the forwarding rule (allowed: min, above, top, places)",
                )
        return cls(
            min=_threshold("min", spec["min"]) if spec.get("min") is not None else None,
            above=_threshold("above", spec["above"]) if spec.get("above") is not None else None,
            top=_whole("top", spec["top"], 1) if spec.get("top") is not None else None,
            places=_whole("places", spec["places"], 0, 6) if spec.get("places") is not None else 2,
        )

    @classmethod
    def from_scheme(cls, scheme: Scheme, *, grade: str | None = None) -> ForwardingRule:
        """ "Forward by the scheme's own outcome rules".

        Without ``grade``: the scheme's ``outcome.ranking`` (top N with its ``min``/``above``) if it has
        one, else its pass mark (``pass_mark``, as ``above`` when ``pass_above`` is set, else ``min``).
        With ``grade``: the score line of that grade band (e.g. Suzhou ``grade="3A"`` → ``min`` 80,
        seeds/003); status conditions of the band (``requires``: 3A needs 2A held) are eligibility,
        for the caller to pass as ``Candidate.eligible``. ``places`` is the scheme's precision.
        """
        outcome = scheme.outcome
        places = scheme.precision
        if grade is not None:
            band = next((g for g in outcome.grades if g.id == grade), None)
            if band is None:
                known = "、".join(g.id for g in outcome.grades) or "无"
                raise RuleError(
                    f"评价方案 {scheme.id} 没有等级 {grade!r}（已有：{known}）",
                    f"scheme {scheme.id} has no grade {grade!r} (it has: {known.replace('、', ', ')})",
                )
            if band.min is None and band.above is None:
                raise RuleError(
                    f"评价方案 {scheme.id} 的等级 {grade} 不按分数划定，不能作为转报分数线",
                    f"grade {grade} of scheme {scheme.id} has no score line to forward by",
                )
            return cls(
                min=band.min.value if band.min is not None else None,
                above=band.above.value if band.above is not None else None,
                places=places,
            )
        if outcome.ranking is not None:
            ranking = outcome.ranking
            return cls(
                min=ranking.min.value if ranking.min is not None else None,
                above=ranking.above.value if ranking.above is not None else None,
                top=ranking.top,
                places=places,
            )
        if outcome.pass_mark is not None:
            line = outcome.pass_mark.value
            if outcome.pass_above:
                return cls(above=line, places=places)
            return cls(min=line, places=places)
        raise RuleError(
            f"评价方案 {scheme.id} 既无合格分数线也无排名规则，不能据此转报",
            f"scheme {scheme.id} has neither a pass mark nor a ranking rule to forward by",
        )

    def to_spec(self) -> dict[str, str | int]:
        """The rule as a JSON-safe mapping that `from_spec` reads back (numbers as strings)."""
        spec: dict[str, str | int] = {}
        if self.min is not None:
            spec["min"] = _fmt(self.min)
        if self.above is not None:
            spec["above"] = _fmt(self.above)
        if self.top is not None:
            spec["top"] = self.top
        if self.places != 2:
            spec["places"] = self.places
        return spec

    def describe(self) -> tuple[str, str]:
        """The rule in words, Chinese and English.

        ``{"above": 80, "top": 30}`` → ("得分高于 80，且排名前 30 名",
        "score above 80 and within the top 30").
        """
        zh: list[str] = []
        en: list[str] = []
        if self.min is not None:
            zh.append(f"得分不低于 {_fmt(self.min)}")
            en.append(f"score at least {_fmt(self.min)}")
        if self.above is not None:
            zh.append(f"得分高于 {_fmt(self.above)}")
            en.append(f"score above {_fmt(self.above)}")
        if self.top is not None:
            zh.append(f"排名前 {self.top} 名")
            en.append(f"within the top {self.top}")
        return "，且".join(zh), " and ".join(en)


@dataclass(frozen=True)
class Candidate:
    """An applicant at a review step: its key, its score (None when it has none) and eligibility."""

    key: str
    score: Decimal | None
    eligible: bool = True


@dataclass(frozen=True)
class ForwardingDecision:
    """Whether a candidate goes up, its competition rank (None: unranked) and why, in both languages."""

    key: str
    forwarded: bool
    rank: int | None
    reason_zh: str
    reason_en: str

    @property
    def reason(self) -> tuple[str, str]:
        """(zh, en), for a page in either language."""
        return self.reason_zh, self.reason_en


def published_score(score: Decimal | None, places: int = 2) -> Decimal | None:
    """The score as published: rounded half-up to ``places``; None for no score, NaN or infinity."""
    if score is None:
        return None
    try:
        value = score if isinstance(score, Decimal) else Decimal(str(score))
    except InvalidOperation:
        return None
    if not value.is_finite():
        return None
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def decide(
    rule: ForwardingRule, candidates: Sequence[Candidate], *, selecting: bool = False
) -> list[ForwardingDecision]:
    """Apply ``rule`` to the candidates of one call; decisions in input order. ``selecting``: the rule is
    the last step's selection (the reasons say 入选, not 转报).

    Rank is the competition rank of the published score among the eligible, scored candidates
    (1 + the number of strictly better published scores). Since every threshold compares the same
    published score, a candidate's rank among those meeting the thresholds is that same rank, so a
    top N keeps exactly the candidates meeting the thresholds with rank ≤ N (ties at N all go through).
    Raises `RuleError` when two candidates share a key.
    """
    word_zh, word_en = ("入选", "selection") if selecting else ("转报", "forwarding")
    seen: set[str] = set()
    for candidate in candidates:
        if candidate.key in seen:
            raise RuleError(f"候选单位 {candidate.key!r} 重复", f"candidate {candidate.key!r} appears twice")
        seen.add(candidate.key)
    published = [published_score(c.score, rule.places) if c.eligible else None for c in candidates]
    ordered = sorted(p for p in published if p is not None)
    count = len(ordered)
    decisions: list[ForwardingDecision] = []
    for candidate, value in zip(candidates, published, strict=True):
        if not candidate.eligible:
            decisions.append(ForwardingDecision(candidate.key, False, None, "不符合申报条件", "not eligible"))
            continue
        if value is None:
            decisions.append(ForwardingDecision(candidate.key, False, None, "无有效得分", "no valid score"))
            continue
        rank = 1 + count - bisect_right(ordered, value)
        shown = format(value, "f")
        if rule.min is not None and value < rule.min:
            line = _fmt(rule.min)
            decisions.append(
                ForwardingDecision(
                    candidate.key,
                    False,
                    rank,
                    f"得分 {shown}，低于{word_zh}分数线 {line}",
                    f"score {shown} is below the {word_en} line {line}",
                )
            )
        elif rule.above is not None and value <= rule.above:
            line = _fmt(rule.above)
            decisions.append(
                ForwardingDecision(
                    candidate.key,
                    False,
                    rank,
                    f"得分 {shown}，未高于 {line}",
                    f"score {shown} is not above {line}",
                )
            )
        elif rule.top is not None and rank > rule.top:
            decisions.append(
                ForwardingDecision(
                    candidate.key,
                    False,
                    rank,
                    f"排名第 {rank} 位，未进入前 {rule.top} 名",
                    f"rank {rank} is outside the top {rule.top}",
                )
            )
        else:
            decisions.append(
                ForwardingDecision(
                    candidate.key,
                    True,
                    rank,
                    f"得分 {shown}，排名第 {rank} 位，符合{word_zh}条件",
                    f"score {shown}, rank {rank}, meets the {word_en} rule",
                )
            )
    return decisions
