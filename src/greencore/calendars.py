"""A call's calendar (issue 12): the date by which each review step is done, the date of the key-enterprise
list (对标摸底名单), and how many applications a province may recommend upward.

Guangdong's scheme (seeds/002) is the model: cities report their key enterprises and parks by the end of
March ("于2017年3月底前报送"), cities finish the first review by the end of October ("每年10月底前报送"),
and the province recommends to the ministry by the end of November ("于每年11月底前向工业和信息化部推荐").

The rules here:

- dates are optional, but a calendar dates every step or none: a step without a date would silently fall
  back to its review days while its neighbours have dates, and their order could not be checked;
- the first step's date is not before the call closes (its review starts when applications are in), each
  next step's date is after the previous one's, and the key-enterprise list is due before the first step's
  date and not after the call closes (the list decides who is invited to apply);
- a step's due date for an application is the calendar's date for that step, or else the day it arrived
  plus the step's review days; it is overdue from the day after its due date (the due date itself is the
  last day on which the step may still be done);
- the quota caps how many applications one province bureau passes upward at its province step (forwarded
  to the ministry, or selected at a province step that ends the chain): a batch that would exceed it is
  refused as a whole, since choosing which of them fall off is the bureau's decision, not the platform's.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from greencore.errors import GreencoreError

QUOTA_MAX = 10000
LEVEL_ZH = {"district": "区县", "city": "市级", "province": "省级", "ministry": "部级"}


@dataclass(frozen=True)
class CalendarProblem:
    """Why a calendar is refused: `place` is the form field (``step_<index>``, ``key_list_due``,
    ``quota``), with the reason in both languages."""

    place: str
    zh: str
    en: str


class QuotaExceeded(GreencoreError):
    """Passing these applications upward would exceed the province's quota; nothing is to change."""

    def __init__(self, quota: int, already: int, asked: int) -> None:
        self.quota, self.already, self.asked = quota, already, asked
        left = max(quota - already, 0)
        super().__init__(
            "quota",
            f"本批次每个省级主管部门最多推荐 {quota} 个，已推荐 {already} 个，本次 {asked} 个将超出名额"
            f"（尚余 {left} 个）；未作任何更改。",
            f"the quota is {quota} per province; {already} already recommended, {asked} more would exceed it "
            f"({left} left); nothing was changed",
        )


def _zh(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def check_calendar(
    levels: Sequence[str],
    closes_on: date,
    step_dates: Sequence[date | None],
    key_list_due: date | None,
    quota: int | None,
    recommended: int = 0,
) -> list[CalendarProblem]:
    """Every problem of a calendar for a chain of `levels` (district → ministry) whose call closes on
    `closes_on`; `step_dates[i]` is the date of step i (None: not set). `recommended`: the most any one
    province bureau has already passed upward (a quota below it would be broken already). Empty when it
    holds."""
    problems: list[CalendarProblem] = []
    dates = list(step_dates) + [None] * (len(levels) - len(step_dates))
    dated = [day for day in dates if day is not None]
    if dated and len(dated) < len(levels):
        for index, day in enumerate(dates[: len(levels)]):
            if day is None:
                name = LEVEL_ZH.get(levels[index], levels[index])
                problems.append(
                    CalendarProblem(
                        f"step_{index}",
                        f"已为其他审核环节设定日期，{name}审核也须设定完成日期。",
                        f"other steps have dates: step {index + 1} ({levels[index]}) needs one too",
                    )
                )
    previous: tuple[int, date] | None = None
    for index, day in enumerate(dates[: len(levels)]):
        if day is None:
            continue
        if previous is None and day < closes_on:
            problems.append(
                CalendarProblem(
                    f"step_{index}",
                    f"审核完成日期不能早于申报截止日期（{_zh(closes_on)}）。",
                    f"a review cannot end before the call closes ({closes_on})",
                )
            )
        if previous is not None and day <= previous[1]:
            problems.append(
                CalendarProblem(
                    f"step_{index}",
                    f"须晚于上一审核环节的完成日期（{_zh(previous[1])}）。",
                    f"must be after the previous step's date ({previous[1]})",
                )
            )
        previous = (index, day)
    if key_list_due is not None:
        if key_list_due > closes_on:
            problems.append(
                CalendarProblem(
                    "key_list_due",
                    f"对标摸底名单须在申报截止（{_zh(closes_on)}）前报送。",
                    f"the key-enterprise list is due by the call's closing day ({closes_on})",
                )
            )
        first = next((day for day in dates if day is not None), None)
        if first is not None and key_list_due >= first:
            problems.append(
                CalendarProblem(
                    "key_list_due",
                    f"对标摸底名单须早于第一个审核环节的完成日期（{_zh(first)}）。",
                    f"the key-enterprise list must come before the first step's date ({first})",
                )
            )
    if quota is not None:
        if not 1 <= quota <= QUOTA_MAX:
            problems.append(
                CalendarProblem(
                    "quota", f"推荐名额须为 1 至 {QUOTA_MAX} 的整数。", f"the quota must be 1 to {QUOTA_MAX}"
                )
            )
        elif "province" not in levels:
            problems.append(
                CalendarProblem(
                    "quota",
                    "审核流程中没有省级审核，推荐名额无从适用。",
                    "the chain has no province step for the quota to apply to",
                )
            )
        elif quota < recommended:
            problems.append(
                CalendarProblem(
                    "quota",
                    f"已有省级主管部门推荐 {recommended} 个，名额不能少于此数。",
                    f"a province has already recommended {recommended}: the quota cannot be lower",
                )
            )
    return problems


def step_due(calendar_date: date | None, arrived_on: date, days: int) -> date:
    """The last day on which a step may still be done for an application that reached it on `arrived_on`:
    the calendar's date for the step when it has one, else `days` review days later."""
    return calendar_date if calendar_date is not None else arrived_on + timedelta(days=days)


def is_overdue(due_on: date | None, today: date) -> bool:
    """Overdue from the day after the due date; never without a due date."""
    return due_on is not None and today > due_on


def quota_applies(level: str) -> bool:
    """The quota caps what a province step passes upward (to the ministry, or onto its own list)."""
    return level == "province"


def check_quota(quota: int | None, already: int, asked: int) -> None:
    """Raise `QuotaExceeded` when `asked` more on top of `already` would exceed `quota` (None: no quota)."""
    if quota is not None and already + asked > quota:
        raise QuotaExceeded(quota, already, asked)


def key_list_refusal(due: date | None, today: date) -> tuple[str, str] | None:
    """None while a bureau may still record its key-enterprise list (up to and including the due date),
    else why not (Chinese, English)."""
    if due is None:
        return ("本批次不收集对标摸底名单。", "this call collects no key-enterprise list")
    if today > due:
        return (f"对标摸底名单已于 {_zh(due)} 截止报送。", f"the key-enterprise list closed on {due}")
    return None
