"""A call's review chain, read from its JSON: the steps (district → city → province → ministry), what
each step does (expert panel, credit check, forwarding rule) and the publicity window of the last step.

A ``forward`` rule on a step before the last says who goes up; on the last step it selects who is listed
for publicity (the call is ranked after the panel: 'XX市', seeds/004, above 80 and among the top 30).

A chain is written either as level names (``["district", "city"]``) or as step objects::

    [{"level": "district", "days": 20, "forward": {"min": 80}},
     {"level": "city", "panel": {"size": 3, "aggregation": "trimmed_mean"}, "credit_check": true,
      "publicity_days": 7}]

Missing values come from ``review.yaml``. A malformed chain raises `ChainError` naming the step and key.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

import yaml

from greencore.errors import GreencoreError

LEVELS = ("district", "city", "province", "ministry")
AGGREGATIONS = ("mean", "trimmed_mean")
STEP_KEYS = frozenset(
    {"level", "name", "days", "forward", "panel", "credit_check", "meeting", "publicity_days"}
)
PANEL_KEYS = frozenset({"size", "aggregation", "window_days"})


class ChainError(GreencoreError, ValueError):
    """A call's review chain is malformed. The message is the English; `zh` and `en` both languages."""

    def __init__(self, zh: str, en: str, place: str = "") -> None:
        super().__init__(place, zh, en, message=en)


@dataclass(frozen=True)
class PanelSpec:
    size: int
    aggregation: str
    window_days: int


@dataclass(frozen=True)
class StepSpec:
    index: int
    level: str
    name: str
    name_en: str
    days: int
    forward: Mapping[str, Any] | None = None
    panel: PanelSpec | None = None
    credit_check: bool = False
    # 会议讨论 ('XX市', seeds/004): the step passes only after a meeting that agreed, with its minutes
    meeting: bool = False
    publicity_days: int | None = None  # set on the last step only: it opens publicity and publishes
    extra: Mapping[str, Any] = field(default_factory=dict)

    @property
    def is_last(self) -> bool:
        return self.publicity_days is not None


@cache
def _defaults() -> dict[str, Any]:
    text = resources.files(__package__).joinpath("review.yaml").read_text(encoding="utf-8")
    data: dict[str, Any] = yaml.safe_load(text)
    return data


def review_rules() -> Mapping[str, Any]:
    """The review rules table (review.yaml), read once."""
    return _defaults()


def publicity_days_for(level: str) -> int:
    return int(_defaults()["publicity_days"][level]["days"])


def _int(value: Any, where: str, key: str, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ChainError(
            f"审核流程{where}：{key} 须为不小于 {minimum} 的整数（现为 {value!r}）",
            f"review chain {where}: {key} must be an integer ≥ {minimum} (got {value!r})",
        )
    return value


def _panel(raw: Any, where: str) -> PanelSpec | None:
    if raw in (None, False):
        return None
    defaults = _defaults()["panel"]
    spec: Mapping[str, Any] = {} if raw is True else raw
    if not isinstance(spec, Mapping):
        raise ChainError(f"审核流程{where}：panel 须为对象", f"review chain {where}: panel must be an object")
    unknown = sorted(set(spec) - PANEL_KEYS)
    if unknown:
        raise ChainError(
            f"审核流程{where}：专家评审不认识的设置 {'、'.join(unknown)}",
            f"review chain {where}: unknown panel key(s) {', '.join(unknown)}",
        )
    aggregation = str(spec.get("aggregation", defaults["aggregation"]))
    if aggregation not in AGGREGATIONS:
        raise ChainError(
            f"审核流程{where}：汇总方式须为 mean（平均）或 trimmed_mean（去掉最高最低分后平均），"
            f"现为 {aggregation}",
            f"review chain {where}: aggregation must be mean or trimmed_mean (got {aggregation})",
        )
    size = _int(spec.get("size", defaults["size"]), where, "panel.size", 1)
    if aggregation == "trimmed_mean" and size < 3:
        raise ChainError(
            f"审核流程{where}：去掉最高最低分需要至少 3 位专家（现为 {size}）",
            f"review chain {where}: a trimmed mean needs at least 3 experts (got {size})",
        )
    window = _int(spec.get("window_days", defaults["window_days"]), where, "panel.window_days", 1)
    return PanelSpec(size, aggregation, window)


def steps(chain: Sequence[Any]) -> list[StepSpec]:
    """The steps of a chain, in order; the last one carries the publicity window."""
    if not chain:
        raise ChainError("审核流程不能为空", "the review chain is empty")
    defaults = _defaults()["levels"]
    out: list[StepSpec] = []
    previous = -1
    for index, raw in enumerate(chain):
        where = f"第 {index + 1} 步"
        spec: Mapping[str, Any] = {"level": raw} if isinstance(raw, str) else raw
        if not isinstance(spec, Mapping):
            raise ChainError(f"审核流程{where}：格式错误", f"review chain step {index + 1}: malformed")
        unknown = sorted(set(spec) - STEP_KEYS)
        if unknown:
            raise ChainError(
                f"审核流程{where}：不认识的设置 {'、'.join(unknown)}",
                f"review chain step {index + 1}: unknown key(s) {', '.join(unknown)}",
            )
        level = spec.get("level")
        if level not in LEVELS:
            raise ChainError(
                f"审核流程{where}：层级须为 {'/'.join(LEVELS)} 之一（现为 {level!r}）",
                f"review chain step {index + 1}: level must be one of {', '.join(LEVELS)} (got {level!r})",
            )
        rank = LEVELS.index(str(level))
        if rank <= previous:
            raise ChainError(
                f"审核流程{where}：层级须逐级向上（{level} 不高于上一步）",
                f"review chain step {index + 1}: levels must rise ({level} is not above the previous step)",
            )
        previous = rank
        last = index == len(chain) - 1
        forward = spec.get("forward")
        # on the last step the rule selects who is listed for publicity ('XX市': above 80, top 30)
        if forward is not None and not isinstance(forward, Mapping):
            raise ChainError(
                f"审核流程{where}：转报（遴选）规则须为对象",
                f"review chain step {index + 1}: a forwarding (selection) rule must be an object",
            )
        publicity = spec.get("publicity_days")
        if publicity is not None and not last:
            raise ChainError(
                f"审核流程{where}：公示只在最后一步",
                f"review chain step {index + 1}: publicity belongs to the last step",
            )
        out.append(
            StepSpec(
                index=index,
                level=str(level),
                name=str(spec.get("name") or defaults[level]["zh"]),
                name_en=str(defaults[level]["en"]),
                days=_int(spec.get("days", defaults[level]["days"]), where, "days", 1),
                forward=forward,
                panel=_panel(spec.get("panel"), where),
                credit_check=bool(spec.get("credit_check", False)),
                meeting=bool(spec.get("meeting", False)),
                publicity_days=(
                    _int(publicity, where, "publicity_days", 1)
                    if publicity is not None
                    else (publicity_days_for(str(level)) if last else None)
                ),
            )
        )
    return out


@dataclass(frozen=True)
class NegativeItem:
    id: str
    zh: str


def negative_list() -> list[NegativeItem]:
    """The six items of 13号文 Art. 15; a credit check that hits one makes the application ineligible."""
    return [NegativeItem(str(i["id"]), str(i["zh"])) for i in _defaults()["negative_list"]["items"]]


def title_status_input(level: str) -> str | None:
    """The status input a title of `level` sets for its holder (see review.yaml), or None."""
    value = _defaults().get("title_status_inputs", {}).get(level)
    return str(value) if value else None
