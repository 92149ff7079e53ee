"""The listing of third-party evaluation bodies (issue 12): a body applies, and the bureau over its region
approves or refuses it, later suspends, reinstates or removes it. Only a listed (active) body may be
engaged; a suspended one keeps its history, and the engagements it had in force are flagged.
"""

from __future__ import annotations

# (from, to) -> the bureau's action, in the order a body's listing goes through them
LISTING_TRANSITIONS: dict[tuple[str, str], str] = {
    ("pending", "active"): "approve",
    ("pending", "rejected"): "reject",
    ("active", "suspended"): "suspend",
    ("suspended", "active"): "reinstate",
    ("active", "removed"): "remove",
    ("suspended", "removed"): "remove",
}
LISTING_TARGET = {action: to for (_, to), action in LISTING_TRANSITIONS.items()}
ENGAGEABLE_LISTING = "active"


def listing_refusal(current: str, action: str) -> tuple[str, str] | None:
    """Why a body whose listing is `current` may not undergo `action` — (Chinese, English) — or None."""
    target = LISTING_TARGET.get(action)
    if target is None:
        return (f"未知的操作 {action}。", f"unknown listing action {action}")
    if LISTING_TRANSITIONS.get((current, target)) != action:
        return (
            f"该评价机构当前状态（{_STATUS_ZH.get(current, current)}）不能{_ACTION_ZH[action]}。",
            f"a body whose listing is {current} cannot undergo {action}",
        )
    return None


_STATUS_ZH = {
    "pending": "待确认",
    "active": "已登记",
    "rejected": "未通过",
    "suspended": "已暂停",
    "removed": "已除名",
}
_ACTION_ZH = {"approve": "批准", "reject": "驳回", "suspend": "暂停", "reinstate": "恢复", "remove": "除名"}
