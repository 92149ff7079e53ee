"""Errors of the calculations: each names the input field and gives the reason in Chinese, then English."""

from __future__ import annotations

import warnings
from typing import Any

from greencore.errors import GreencoreError


class CalcError(GreencoreError, ValueError):
    """An input the calculation cannot use.

    `place` is the path of the offending field (``fuels[2].quantity``); `reason` reads
    ``数量不能为负（-5 t）/ negative quantity -5 t``, followed by ``; 可用 / available: …`` when the
    error can list what would have been accepted. ``str(error)`` joins place and reason.
    """

    def __init__(
        self,
        place: str,
        reason_zh: str,
        reason_en: str,
        detail: str = "",
        *,
        choices: str = "",
        choices_en: str = "available",
    ) -> None:
        self.place = place
        self.reason_zh = reason_zh
        self.reason_en = reason_en
        self.detail = detail
        self.choices = choices
        self.choices_en = choices_en
        if detail:
            self.reason = f"{reason_zh}（{detail}）/ {reason_en} {detail}"
        else:
            self.reason = f"{reason_zh} / {reason_en}"
        # what would have been accepted, listed once after both languages
        if choices:
            self.reason += f"; 可用 / {choices_en}: {choices}"
        # each language on its own, as a form shows it beside the field
        zh = reason_zh + (f"（{detail}）" if detail else "") + (f"；可用：{choices}" if choices else "")
        en = reason_en + (f" {detail}" if detail else "") + (f"; {choices_en}: {choices}" if choices else "")
        super().__init__(place, zh, en, message=f"{place}：{self.reason}" if place else self.reason)


class CalcInputError(CalcError):
    """A field is missing, unknown, or of the wrong type.

    Named `InputError` until issue 15; that name is a deprecated alias, distinct from the scoring
    `greencore.scoring.inputs.InputError`."""


class NegativeQuantityError(CalcError):
    """A quantity that cannot be negative is negative."""


class UnitError(CalcError):
    """A unit is unknown, or does not fit the carrier or the field."""


class InconsistentDataError(CalcError):
    """Figures contradict each other (stock larger than supply, shares above 100 %, …)."""


class MissingReferenceError(CalcError):
    """No coefficient or factor for the asked carrier, year or region: absent is absent."""


def __getattr__(name: str) -> Any:
    if name == "InputError":
        warnings.warn(
            "greencore.calc.errors.InputError is deprecated: use CalcInputError",
            DeprecationWarning,
            stacklevel=2,
        )
        return CalcInputError
    raise AttributeError(name)
