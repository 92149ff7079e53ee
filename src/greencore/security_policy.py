"""The security policy a security administrator keeps (等保 level 3, 三权分立): the password's minimum
length and maximum age (定期更换), the lockout after failed sign-ins, the idle session timeout and the
absolute session length.

The platform stores each version of the policy and applies the current one at sign-in and on a password
change; the bounds below are the rule, so a policy outside them is refused with the field named. The
defaults are the platform's settings before any policy was saved.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from .errors import GreencoreError


@dataclass(frozen=True)
class SecurityPolicy:
    min_length: int = 12
    lockout_threshold: int = 5
    lockout_window_minutes: int = 15
    session_timeout_minutes: int = 30
    password_max_age_days: int = 90
    session_absolute_hours: int = 12

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


@dataclass(frozen=True)
class PolicyField:
    name: str
    zh: str
    en: str
    low: int
    high: int


# 等保 level 3: a password of at least 8 characters (the platform asks 10 at least), a lockout after a few
# failures, an idle session ended within the hour at most, a password changed periodically (at least
# once a year; 等保 §8.1.4.1a "定期更换") and a session ended after a working day at most, active or not
POLICY_FIELDS: tuple[PolicyField, ...] = (
    PolicyField("min_length", "密码最短长度", "minimum password length", 10, 64),
    PolicyField("lockout_threshold", "连续登录失败锁定次数", "failed sign-ins before lockout", 3, 10),
    PolicyField("lockout_window_minutes", "锁定时长（分钟）", "lockout window (minutes)", 5, 1440),
    PolicyField("session_timeout_minutes", "会话超时（分钟）", "idle session timeout (minutes)", 5, 60),
    PolicyField("password_max_age_days", "密码最长使用期（天）", "maximum password age (days)", 7, 365),
    PolicyField("session_absolute_hours", "会话最长时长（小时）", "absolute session length (hours)", 1, 24),
)


class PolicyError(GreencoreError, ValueError):
    """A policy value outside its bounds; `place` names the field."""

    def __init__(self, place: str, zh: str, en: str) -> None:
        super().__init__(place, zh, en, message=f"{place}: {en}")


def check_policy(values: dict[str, object]) -> SecurityPolicy:
    """The policy from `values` (every field given, whole numbers within their bounds), or the first
    PolicyError naming its field."""
    checked: dict[str, int] = {}
    for field in POLICY_FIELDS:
        raw = values.get(field.name)
        try:
            number = int(str(raw).strip())
        except (TypeError, ValueError):
            raise PolicyError(
                field.name, f"{field.zh}须为整数。", f"{field.en} must be a whole number"
            ) from None
        if not field.low <= number <= field.high:
            raise PolicyError(
                field.name,
                f"{field.zh}须在 {field.low} 至 {field.high} 之间。",
                f"{field.en} must lie between {field.low} and {field.high}",
            )
        checked[field.name] = number
    return SecurityPolicy(**checked)


def policy_changes(before: SecurityPolicy, after: SecurityPolicy) -> dict[str, tuple[int, int]]:
    """The fields that change: name → (old value, new value)."""
    old, new = before.as_dict(), after.as_dict()
    return {name: (old[name], new[name]) for name in old if old[name] != new[name]}


def password_due(changed_at: datetime, now: datetime, policy: SecurityPolicy) -> bool:
    """Whether a password set at `changed_at` must be changed at `now`: on the day its maximum age is
    reached (changed on 1 March with 90 days: due from 30 May at the same hour), not one day earlier."""
    return now >= changed_at + timedelta(days=policy.password_max_age_days)


def session_over(started: float, now: float, policy: SecurityPolicy) -> bool:
    """Whether a session begun at `started` (seconds since the epoch) has reached its absolute length at
    `now`, however active it was."""
    return now - started >= policy.session_absolute_hours * 3600
