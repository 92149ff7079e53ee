"""统一社会信用代码 (GB 32100-2015): properties with Hypothesis, the algebra behind them, and real codes."""

from __future__ import annotations

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from greenmfg.orgs.uscc import (
    ALPHABET,
    WEIGHTS,
    InvalidUSCC,
    check_character,
    is_valid_uscc,
    make_uscc,
    normalize_uscc,
    org_code_check_character,
    org_code_ok,
    region_of,
    validate_uscc,
)

DIGITS = "0123456789"
# (a space is not here: at either end it is stripped by normalisation, which makes it a length error)
ILLEGAL = "IOZSVio-_.#中\u200b"

first17 = st.builds(
    lambda authority, kind, region, body: authority + kind + region + body,
    st.sampled_from(ALPHABET),
    st.sampled_from(ALPHABET),
    st.text(DIGITS, min_size=6, max_size=6),
    st.text(ALPHABET, min_size=9, max_size=9),
)
codes = first17.map(make_uscc)


def reference_check(head: str) -> str:
    """GB 32100-2015 §4.3 written out independently: C18 = 31 - MOD(Σ Ci·Wi, 31), 31 → 0."""
    values = {ch: i for i, ch in enumerate(ALPHABET)}
    weights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
    c18 = 31 - sum(values[c] * w for c, w in zip(head, weights, strict=True)) % 31
    return ALPHABET[0 if c18 == 31 else c18]


# ----------------------------------------------------------------------------------- the algebra


def test_weights_are_the_standard_ones() -> None:
    assert WEIGHTS == (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
    assert len(ALPHABET) == 31 and not set("IOZSV") & set(ALPHABET)


def test_every_single_substitution_changes_the_checksum_proof_by_exhaustion() -> None:
    """The check is linear: changing C_i by δ changes Σ by W_i·δ. For every position and every possible
    δ (±1…±30) that is non-zero mod 31, so every single-character error is detected, for every code."""
    for weight in (*WEIGHTS, 1):  # 1 = the check character's own weight in Σ + C18 ≡ 0
        assert all(weight * delta % 31 for delta in range(1, 31))


def test_every_adjacent_transposition_changes_the_checksum_proof_by_exhaustion() -> None:
    """Swapping a ≠ b at positions i, i+1 changes Σ by (W_i − W_{i+1})(a − b); with positions 17 and 18
    the check character's weight is 1."""
    weights = (*WEIGHTS, 1)
    for i in range(17):
        assert all((weights[i] - weights[i + 1]) * delta % 31 for delta in range(1, 31))


# ---------------------------------------------------------------------------------- the properties


@given(first17)
def test_any_17_valid_characters_with_the_computed_check_validate(head: str) -> None:
    code = make_uscc(head)
    assert code[17] == check_character(head) == reference_check(head)
    assert validate_uscc(code) == code
    assert is_valid_uscc(code)
    assert region_of(code) == head[2:8]


@given(codes, st.integers(0, 17), st.sampled_from(ALPHABET))
def test_changing_any_single_character_fails(code: str, index: int, replacement: str) -> None:
    assume(replacement != code[index])
    changed = code[:index] + replacement + code[index + 1 :]
    with pytest.raises(InvalidUSCC) as caught:
        validate_uscc(changed)
    if 2 <= index <= 7 and replacement not in DIGITS:
        assert (caught.value.reason, caught.value.position) == ("region", index + 1)
    else:
        assert (caught.value.reason, caught.value.position) == ("check_character", 18)
        expected = check_character(changed[:17])
        assert expected != changed[17]
        assert f"应为“{expected}”，实际为“{changed[17]}”" in caught.value.zh
        assert f"gives {expected!r}, the code has {changed[17]!r}" in caught.value.en


@given(codes, st.integers(0, 16))
def test_swapping_neighbours_fails(code: str, index: int) -> None:
    a, b = code[index], code[index + 1]
    assume(a != b)
    swapped = code[:index] + b + a + code[index + 2 :]
    assume(all(ch in DIGITS for ch in swapped[2:8]))
    with pytest.raises(InvalidUSCC) as caught:
        validate_uscc(swapped)
    assert caught.value.reason == "check_character"


def full_width(text: str) -> str:
    return "".join(chr(ord(ch) + 0xFEE0) for ch in text)


@given(codes, st.booleans(), st.sampled_from(["", " ", "\u3000", "\t", " \u3000\n"]))
def test_full_width_lower_case_and_padding_normalise(code: str, lower: bool, pad: str) -> None:
    typed = full_width(code.lower() if lower else code)
    assert validate_uscc(pad + typed + pad) == code
    assert normalize_uscc(pad + typed + pad) == code


@given(codes, st.integers(0, 17), st.sampled_from(ILLEGAL))
def test_an_illegal_character_is_named_with_its_position(code: str, index: int, bad: str) -> None:
    changed = code[:index] + bad + code[index + 1 :]
    with pytest.raises(InvalidUSCC) as caught:
        validate_uscc(changed)
    error = caught.value
    position = index + 1
    assert (error.reason, error.position) == ("illegal_character", position)
    assert f"第 {position} 位" in error.zh
    assert f"position {position}" in error.en
    assert isinstance(error, ValueError) and error.zh in str(error) and error.en in str(error)


@given(codes, st.integers(2, 7), st.sampled_from("ABCDEFGHJKLMNPQRTUWXY"))
def test_a_letter_in_the_region_code_is_named(code: str, index: int, letter: str) -> None:
    with pytest.raises(InvalidUSCC) as caught:
        validate_uscc(code[:index] + letter + code[index + 1 :])
    assert caught.value.reason == "region"
    assert "3–8" in caught.value.zh and f"第 {index + 1} 位" in caught.value.zh
    assert f"position {index + 1}" in caught.value.en


@given(st.text(ALPHABET, max_size=40).filter(lambda s: len(s) != 18))
def test_wrong_length_says_how_long(text: str) -> None:
    with pytest.raises(InvalidUSCC) as caught:
        validate_uscc(text)
    if text:
        assert caught.value.reason == "length"
        assert f"实际为 {len(text)} 位" in caught.value.zh and f"has {len(text)}" in caught.value.en
    else:
        assert caught.value.reason == "empty"


def test_an_inner_space_is_named_by_code_point() -> None:
    with pytest.raises(InvalidUSCC) as caught:
        validate_uscc("91440300 922038216")
    assert caught.value.position == 9
    assert "第 9 位字符“U+0020”" in caught.value.zh


def test_lookalike_letters_get_a_hint() -> None:
    with pytest.raises(InvalidUSCC) as caught:
        validate_uscc("9144O3001922038216")
    assert "是否应为数字 0" in caught.value.zh and "digit 0" in caught.value.en


def test_make_uscc_refuses_bad_input() -> None:
    with pytest.raises(InvalidUSCC, match="17"):
        make_uscc("9144030019220382")
    with pytest.raises(InvalidUSCC) as caught:
        make_uscc("91A403001922038216"[:17])
    assert caught.value.reason == "region"
    with pytest.raises(InvalidUSCC) as caught:
        check_character("9144030019220382I")
    assert caught.value.position == 17


# ------------------------------------------------------------------------------------- real codes

# Each code below appears on the public page named beside it, with the organisation it belongs to.
REAL_CODES = [
    # zh.wikipedia.org, article 華為 (Huawei Technologies Co., Ltd.), infobox 機構代碼
    ("914403001922038216", "440300"),
    # check-china.com/example_report/en/8: 深圳市腾讯计算机系统有限公司, "Unified social credit code"
    ("91440300708461136T", "440300"),
]
# The worked example in GB 32100-2015 (as reproduced on yc00.com and renrendoc.com, "校验码计算方法实例"):
# Σ Ci·Wi = 1640, 1640 mod 31 = 28, C18 = 31 − 28 = 3. It illustrates the algorithm; it is not claimed to
# belong to an organisation. The same pages show the input "…Y4Z" rejected because its 18th character is
# not the computed one (and here, "Z" is not even in the alphabet).
STANDARD_EXAMPLE = "91350100M000100Y43"
# Reported as real, lawfully issued Fujian pilot codes that fail the GB 32100 check character
# (https://codeshelper.com/article/12945.html, and a third-party validator's README quoting the first three
# with company names, e.g. 福建恒跃柳工机械销售有限公司 91350100M0001TGQXM).
PILOT_CODES = ["91350100M0001TGQXM", "91350211M0000XUF46", "91350203M0001FUE2P", "91350628M0000K0H44"]


@pytest.mark.parametrize(("code", "region"), REAL_CODES)
def test_real_published_codes_validate(code: str, region: str) -> None:
    assert validate_uscc(code) == code
    assert region_of(code) == region
    assert org_code_ok(code)


def test_the_standards_worked_example() -> None:
    head = STANDARD_EXAMPLE[:17]
    values = [ALPHABET.index(ch) for ch in head]
    assert sum(v * w for v, w in zip(values, WEIGHTS, strict=True)) == 1640
    assert check_character(head) == "3"
    assert validate_uscc(STANDARD_EXAMPLE) == STANDARD_EXAMPLE
    with pytest.raises(InvalidUSCC) as caught:
        validate_uscc(head + "Z")
    assert (caught.value.reason, caught.value.position) == ("illegal_character", 18)


@pytest.mark.parametrize("code", PILOT_CODES)
def test_pilot_codes_fail_strictly_and_pass_when_the_check_is_waived(code: str) -> None:
    with pytest.raises(InvalidUSCC) as caught:
        validate_uscc(code)
    assert caught.value.reason == "check_character"
    assert validate_uscc(code, enforce_check_character=False) == code
    assert region_of(code) == code[2:8]
    assert org_code_ok(code)


def test_waiving_the_check_keeps_every_other_rule() -> None:
    with pytest.raises(InvalidUSCC) as caught:
        validate_uscc("9135A100M0001TGQXM", enforce_check_character=False)
    assert caught.value.reason == "region"


def test_org_code_check_is_informational() -> None:
    # Huawei's 组织机构代码 is 19220382-1; with the last body character changed the GB 32100 code can
    # still be made valid, but its GB 11714 check character no longer fits.
    assert org_code_check_character("19220382") == "1"
    odd = make_uscc("91440300192203820")
    assert validate_uscc(odd) == odd
    assert not org_code_ok(odd)
    assert org_code_check_character("MA1FPX12")  # letters allowed in the body
    with pytest.raises(InvalidUSCC):
        org_code_check_character("1922038")
