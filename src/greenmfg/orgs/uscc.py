"""统一社会信用代码 (unified social credit identifier), GB 32100-2015.

Eighteen characters from the alphabet ``0123456789ABCDEFGHJKLMNPQRTUWXY`` (no I, O, Z, S, V), valued 0–30
in that order:

====  ==========================================================================================
1     登记管理部门代码 (registration authority, e.g. 1 机构编制, 5 民政, 9 市场监管, Y 其他)
2     机构类别代码 (kind of organisation within that authority, e.g. 91 企业)
3–8   登记管理机关行政区划码 (GB/T 2260 code of the registering authority's area), six digits
9–17  主体标识码 (the former 组织机构代码, GB 11714: eight characters and its own check character)
18    校验码: with weights W_i = 3^(i-1) mod 31 over the first 17 values,
      C18 = 31 − (Σ C_i·W_i mod 31), and 31 becomes 0
====  ==========================================================================================

Why one wrong character is always caught: 31 is prime and no weight is 0 mod 31, so changing C_i by
δ ≠ 0 changes the sum by W_i·δ ≢ 0 (mod 31) and the check character changes. Because W_{i+1} = 3·W_i,
swapping two different neighbours a, b changes the sum by −2·W_i·(a − b) ≢ 0, and swapping positions 17
and 18 by (1 − 28)·(a − b) ≢ 0: every adjacent transposition is caught as well (tests/greenmfg/test_uscc.py).

Decisions:

* The GB 32100 check character is enforced by :func:`validate_uscc`. Public reports
  (https://codeshelper.com/article/12945.html and a third-party validator's README) name real codes issued
  in Fujian during the 2014–2015 pilot, such as ``91350100M0001TGQXM``, whose 18th character does not
  satisfy it (their 组织机构代码 check character does). For a workflow in which
  a person has checked such a code against 国家企业信用信息公示系统, ``enforce_check_character=False``
  accepts it; every other rule still applies.
* The GB 11714 check character of the embedded 组织机构代码 (position 17: weights 3,7,9,10,5,8,4,2 over
  positions 9–16, C = 11 − Σ mod 11, 10 → X, 11 → 0) is *not* enforced: registrations that never had a
  separate organisation code were given 主体标识码 that need not satisfy it, and rejecting a real
  enterprise at registration is worse than the few typos this check would add. :func:`org_code_ok` exposes
  it for display or a soft warning.

Pure Python, no Django.
"""

from __future__ import annotations

import unicodedata
from types import MappingProxyType
from typing import Final

__all__ = [
    "ALPHABET",
    "ORG_WEIGHTS",
    "WEIGHTS",
    "InvalidUSCC",
    "check_character",
    "is_valid_uscc",
    "make_uscc",
    "normalize_uscc",
    "org_code_check_character",
    "org_code_ok",
    "region_of",
    "validate_uscc",
]

ALPHABET: Final = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_VALUES: Final = MappingProxyType({ch: value for value, ch in enumerate(ALPHABET)})
WEIGHTS: Final = tuple(pow(3, i, 31) for i in range(17))
ORG_WEIGHTS: Final = (3, 7, 9, 10, 5, 8, 4, 2)
_DIGITS: Final = frozenset("0123456789")
# letters left out of the alphabet because they look like digits
_LOOKALIKES: Final = MappingProxyType({"I": "1", "O": "0", "Z": "2", "S": "5"})


class InvalidUSCC(ValueError):
    """What is wrong with a code. ``reason`` is one of ``empty``, ``length``, ``illegal_character``,
    ``region``, ``check_character``; ``position`` is 1-based where one character is at fault."""

    reason: str
    zh: str
    en: str
    position: int | None

    def __init__(self, reason: str, zh: str, en: str, position: int | None = None) -> None:
        super().__init__(f"{zh} / {en}")
        self.reason = reason
        self.zh = zh
        self.en = en
        self.position = position


def _shown(ch: str) -> str:
    return ch if ch.isprintable() and not ch.isspace() else f"U+{ord(ch):04X}"


def normalize_uscc(code: str) -> str:
    """Full-width to half-width (NFKC), surrounding white space (also U+3000) removed, upper case."""
    return unicodedata.normalize("NFKC", code).strip().upper()


def _check_alphabet(code: str) -> None:
    for index, ch in enumerate(code):
        if ch not in _VALUES:
            position = index + 1
            hint = _LOOKALIKES.get(ch)
            hint_zh = f"（是否应为数字 {hint}？）" if hint else ""
            hint_en = f" (did you mean the digit {hint}?)" if hint else ""
            raise InvalidUSCC(
                "illegal_character",
                f"第 {position} 位字符“{_shown(ch)}”不是合法的代码字符：只能使用数字 0–9 和"
                f"除 I、O、Z、S、V 以外的大写字母{hint_zh}",
                f"Character {_shown(ch)!r} at position {position} is not allowed: only digits and capital "
                f"letters other than I, O, Z, S, V are used{hint_en}",
                position,
            )


def _check_region(code: str) -> None:
    for index in range(2, 8):
        if code[index] not in _DIGITS:
            position = index + 1
            raise InvalidUSCC(
                "region",
                f"第 3–8 位登记管理机关行政区划码应为 6 位数字，第 {position} 位却是“{code[index]}”",
                f"Positions 3–8 (the registering authority's area code) must be 6 digits; "
                f"position {position} is {code[index]!r}",
                position,
            )


def _check_value(first17: str) -> str:
    total = sum(_VALUES[ch] * weight for ch, weight in zip(first17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def check_character(first17: str) -> str:
    """The GB 32100 check character (position 18) for the first 17 characters."""
    code = normalize_uscc(first17)
    if len(code) != 17:
        raise InvalidUSCC(
            "length",
            f"计算校验码需要前 17 位字符，实际为 {len(code)} 位",
            f"The check character needs the first 17 characters; got {len(code)}",
        )
    _check_alphabet(code)
    return _check_value(code)


def validate_uscc(code: str, *, enforce_check_character: bool = True) -> str:
    """The normalised code (see :func:`normalize_uscc`), or InvalidUSCC naming what is wrong: the length,
    an illegal character at position n, a region code that is not six digits, or a wrong check character
    (with the expected one). ``enforce_check_character=False`` accepts a wrong 18th character (pilot codes,
    see the module docstring) while keeping every other rule."""
    normalised = normalize_uscc(code)
    if not normalised:
        raise InvalidUSCC("empty", "统一社会信用代码为空", "The unified social credit code is empty")
    if len(normalised) != 18:
        raise InvalidUSCC(
            "length",
            f"统一社会信用代码应为 18 位，实际为 {len(normalised)} 位",
            f"A unified social credit code has 18 characters; this one has {len(normalised)}",
        )
    _check_alphabet(normalised)
    _check_region(normalised)
    expected = _check_value(normalised[:17])
    if enforce_check_character and normalised[17] != expected:
        raise InvalidUSCC(
            "check_character",
            f"第 18 位校验码错误：按 GB 32100-2015 应为“{expected}”，实际为“{normalised[17]}”；"
            "请核对前 17 位是否抄错",
            f"The check character at position 18 is wrong: GB 32100-2015 gives {expected!r}, "
            f"the code has {normalised[17]!r}; please check the first 17 characters",
            18,
        )
    return normalised


def is_valid_uscc(code: str) -> bool:
    try:
        validate_uscc(code)
    except InvalidUSCC:
        return False
    return True


def region_of(code: str) -> str:
    """Positions 3–8: the GB/T 2260 area code of the registering authority (the check character is not
    required to be right, so that pilot codes have a region too)."""
    return validate_uscc(code, enforce_check_character=False)[2:8]


def org_code_check_character(first8: str) -> str:
    """The GB 11714 check character for the eight body characters of a 组织机构代码."""
    body = normalize_uscc(first8)
    if len(body) != 8 or not all(ch in _DIGITS or "A" <= ch <= "Z" for ch in body):
        raise InvalidUSCC(
            "length",
            f"组织机构代码本体应为 8 位数字或大写字母，实际为“{body}”",
            f"The body of an organisation code is 8 digits or capital letters; got {body!r}",
        )
    total = sum(
        (int(ch) if ch in _DIGITS else ord(ch) - 55) * w for ch, w in zip(body, ORG_WEIGHTS, strict=True)
    )
    value = 11 - total % 11
    return "X" if value == 10 else "0" if value == 11 else str(value)


def org_code_ok(code: str) -> bool:
    """Whether positions 9–17 form a 组织机构代码 with a correct GB 11714 check character. Informational
    only (see the module docstring); raises InvalidUSCC when the code itself is malformed."""
    normalised = validate_uscc(code, enforce_check_character=False)
    return org_code_check_character(normalised[8:16]) == normalised[16]


def make_uscc(first17: str) -> str:
    """A complete code from its first 17 characters (for demo data and tests); the 组织机构代码 check
    character at position 17 is taken as given (see :func:`org_code_check_character`)."""
    head = normalize_uscc(first17)
    check = check_character(head)
    _check_region(head)
    return head + check
