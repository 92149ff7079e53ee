"""Local schemes as text: read and checked with the place of each error, derived from a parent by its
numbers, and compared with the parent number by number."""

from __future__ import annotations

from decimal import Decimal

import pytest

from greencore import (
    Registry,
    SchemeError,
    derive_scheme_text,
    editable_numbers,
    get_scheme,
    load_scheme_text,
    parents_from,
    scheme_diff,
    shipped,
)
from greencore.standards.registry import shipped_dir

NATIONAL = "factory-gbt36132-2025"
SOURCE = "吴中区工信局〔2026〕1号 第3条"
PLATFORM_BASE = "indicators[energy].children[platform].rule.base"


def derive(**numbers: str) -> str:
    return derive_scheme_text(
        get_scheme(NATIONAL),
        scheme_id="factory-wz-2026",
        version="1",
        title_zh="吴中区绿色工厂评价",
        title_en="Wuzhong green factory evaluation",
        source=SOURCE,
        region="320506",
        numbers={path: Decimal(value) for path, value in numbers.items()},
    )


def load(text: str) -> object:
    return load_scheme_text(text, "吴中区方案", parents_from(shipped()))


def test_a_derived_scheme_loads_and_its_diff_lists_exactly_the_changed_numbers() -> None:
    text = derive(**{"outcome.pass_mark": "65", PLATFORM_BASE: "2"})
    child = load(text)
    changes = scheme_diff(get_scheme(NATIONAL), child)  # type: ignore[arg-type]
    assert [(c.path, c.before and c.before.value, c.after and c.after.value) for c in changes] == [
        (PLATFORM_BASE, Decimal("0"), Decimal("2")),
        ("outcome.pass_mark", None, Decimal("65")),
    ]
    assert {str(c.after.mark) for c in changes if c.after} == {"V"}
    assert {c.after.source for c in changes if c.after} == {SOURCE}
    assert "extends: factory-gbt36132-2025@2025.1" in text


def test_a_weight_that_breaks_the_sum_is_refused_naming_the_indicator() -> None:
    with pytest.raises(SchemeError) as error:
        load(derive(**{"indicators[energy].children[platform].points": "12"}))
    assert error.value.place == "indicator energy"
    assert "points are 30 but the children add up to 36" in str(error.value)


def test_a_place_patch_by_id_cannot_reach_is_not_offered() -> None:
    paths = {n.path for n in editable_numbers(get_scheme(NATIONAL))}
    tier = "indicators[energy].children[renewable].rule.tiers[t1].lead"
    assert PLATFORM_BASE in paths and tier not in paths
    with pytest.raises(SchemeError) as error:
        derive(**{tier: "5"})
    assert error.value.place == tier


@pytest.mark.parametrize(
    ("text", "place"),
    [
        ("id: x\nversion: '1'\nextends: [unclosed\n", "line 4, column 1"),
        ("version: '1'\n", "id"),
        ("id: x\nversion: '1'\nextends: no-such-scheme\n", "extends"),
        (
            "id: x\nversion: '1'\nextends: factory-gbt36132-2025\npatch: {nowhere: {points: 1}}\n",
            "patch: nowhere",
        ),
    ],
)
def test_errors_name_the_place(text: str, place: str) -> None:
    with pytest.raises(SchemeError) as error:
        load(text)
    assert error.value.place == place


def test_a_registry_holds_adopted_texts_beside_the_shipped_files() -> None:
    text = derive(**{PLATFORM_BASE: "2"})
    registry = Registry(roots=(shipped_dir(),), texts=(("吴中区方案", text),))
    assert registry.get("factory-wz-2026@1").extends == "factory-gbt36132-2025@2025.1"
    # a child of the adopted scheme resolves its parent through the same registry
    grandchild = text.replace("id: factory-wz-2026", "id: factory-wz-2027").replace(
        "extends: factory-gbt36132-2025@2025.1", "extends: factory-wz-2026@1"
    )
    assert load_scheme_text(grandchild, "g", parents_from(registry)).key == "factory-wz-2027@1"
