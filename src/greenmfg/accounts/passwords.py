"""Password rules of 等保 level 3 (复杂度 + 定期更换), beside Django's length, common-password and
similarity validators. security.md §3.1 records why composition and rotation rules are used here
although ASVS 5.0 advises against them."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError
from django.utils.translation import gettext, gettext_lazy

CLASSES = (
    ("小写字母", str.islower),
    ("大写字母", str.isupper),
    ("数字", str.isdigit),
)


class CharacterClassValidator:
    """At least `min_classes` of: lower case, upper case, digits, other characters (symbols, 汉字)."""

    def __init__(self, min_classes: int = 3) -> None:
        self.min_classes = min_classes

    def validate(self, password: str, user: Any = None) -> None:
        found = sum(1 for _, test in CLASSES if any(test(c) for c in password))
        if any(not (c.islower() or c.isupper() or c.isdigit()) for c in password):
            found += 1
        if found < self.min_classes:
            raise ValidationError(
                gettext_lazy("密码须至少包含小写字母、大写字母、数字、其他符号中的 %(n)d 类。"),
                code="password_classes",
                params={"n": self.min_classes},
            )

    def get_help_text(self) -> str:
        return gettext("至少包含小写字母、大写字母、数字、其他符号中的 %(n)d 类。") % {"n": self.min_classes}


CONTEXT_WORDS = ("greenmfg", "lvsezhizao", "绿色制造", "绿色工厂", "password", "mima")


class ContextWordValidator:
    """No password built on the platform's name or the user's organisation name."""

    def validate(self, password: str, user: Any = None) -> None:
        lowered = password.lower()
        words = list(CONTEXT_WORDS)
        membership = getattr(user, "membership", None) if user is not None and user.pk else None
        if membership is not None:
            words.append(membership.organisation.name)
        for word in words:
            if word and len(word) >= 4 and word.lower() in lowered:
                raise ValidationError(
                    gettext_lazy("密码不能包含平台名称或单位名称。"), code="password_context"
                )

    def get_help_text(self) -> str:
        return gettext("不能包含平台名称或本单位名称。")


class HistoryValidator:
    """Not one of the last `remember` passwords."""

    def __init__(self, remember: int = 5) -> None:
        self.remember = remember

    def validate(self, password: str, user: Any = None) -> None:
        if user is None or not user.pk:
            return
        previous = [user.password, *user.password_history.values_list("password", flat=True)[: self.remember]]
        if any(encoded and check_password(password, encoded) for encoded in previous):
            raise ValidationError(
                gettext_lazy("不能使用最近 %(n)d 次用过的密码。"),
                code="password_reused",
                params={"n": self.remember},
            )

    def get_help_text(self) -> str:
        return gettext("不能与最近 %(n)d 次用过的密码相同。") % {"n": self.remember}
