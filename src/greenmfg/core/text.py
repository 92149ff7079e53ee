"""What text may reach the database (security VAL-01, issue 16).

PostgreSQL refuses NUL in text and jsonb and lone surrogates in jsonb; SQLite stores them and hands them
back to pages, exports and signatures that break later. Control characters have no business in a name or
a reason either. So every text from outside is held to one rule here, before any view or service sees it:

- never: NUL, other C0 controls except TAB/LF/CR, DEL, C1 controls, lone surrogates;
- single-line fields (URL path segments, query parameters, cookies, form fields that are not text areas):
  also no TAB, LF, CR or the Unicode line/paragraph separators;
- no longer than the field allows (the model's max_length).

The rule is rejection, never silent cleaning (ASVS 2.2.1): the refusal names the field and the character.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# C0 except TAB, LF, CR; DEL; C1; the surrogate block (only ever lone in a Python str decoded from outside)
_NEVER = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
_NEVER_SINGLE_LINE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")


@dataclass(frozen=True)
class TextProblem:
    """Why a text was refused, in Chinese and English (`core.i18n.localized` picks one)."""

    zh: str
    en: str


def _describe(char: str) -> tuple[str, str]:
    code = ord(char)
    if code == 0:
        return "空字符 NUL（U+0000）", "the NUL character (U+0000)"
    if 0xD800 <= code <= 0xDFFF:
        return (f"不成对的代理码位（U+{code:04X}）", f"a lone surrogate (U+{code:04X})")
    if char in "\t\n\r\u2028\u2029":
        return (f"换行或制表符（U+{code:04X}）", f"a line break or tab (U+{code:04X})")
    name = unicodedata.name(char, "")
    return (f"控制字符（U+{code:04X}）", f"a control character (U+{code:04X}{' ' + name if name else ''})")


def text_problem(value: str, *, multiline: bool = False, max_length: int | None = None) -> TextProblem | None:
    """The first thing wrong with `value` for a field of this kind, or None."""
    found = (_NEVER if multiline else _NEVER_SINGLE_LINE).search(value)
    if found is not None:
        zh, en = _describe(found.group())
        position = found.start() + 1
        return TextProblem(
            f"不能含有{zh}（第 {position} 个字符）", f"must not contain {en} (character {position})"
        )
    if max_length is not None and len(value) > max_length:
        return TextProblem(
            f"不能超过 {max_length} 个字符（现有 {len(value)} 个）",
            f"must not be longer than {max_length} characters (it has {len(value)})",
        )
    return None


def model_max_length(model: type, field: str) -> int | None:
    """The max_length of a model's field: form limits follow the column, never a copied number."""
    limit = model._meta.get_field(field).max_length  # type: ignore[attr-defined]
    return int(limit) if limit is not None else None
