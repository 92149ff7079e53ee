"""Which bureau sits where and which bureaus a bureau may open (issue 12), worked by hand on real GB/T 2260
codes, with a property over the platform's whole list of divisions."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from greencore import RegionError, authority_level_for, bureau_refusal, jurisdiction_contains

REGIONS_CSV = Path(__file__).parents[2] / "src" / "greenmfg" / "reference" / "data" / "regions.csv"
with REGIONS_CSV.open(encoding="utf-8", newline="") as handle:
    LEVEL = {row["code"]: row["level"] for row in csv.DictReader(handle)}


@pytest.mark.parametrize(
    ("code", "level"),
    [("320000", "province"), ("320500", "city"), ("320506", "district"), ("110101", "district")],
)
def test_the_bureau_sitting_at_a_division(code: str, level: str) -> None:
    assert authority_level_for(code) == level


def test_an_unknown_division_level_is_refused() -> None:
    with pytest.raises(RegionError):
        authority_level_for("320500", "town")


@pytest.mark.parametrize(
    ("parent", "child", "expected"),
    [
        # 苏州市 opens 吴中区 and 昆山市 (a county-level city)
        (("city", "320500"), ("district", "320506"), None),
        (("city", "320500"), ("district", "320583"), None),
        # 江苏省 opens 苏州市; the ministry opens 江苏省
        (("province", "320000"), ("city", "320500"), None),
        (("ministry", "110000"), ("province", "320000"), None),
        # 北京市's city bureau sits at the municipality's province-level code
        (("province", "110000"), ("city", "110000"), None),
        # 苏州市 may not open 锡山区 (无锡市)
        (
            ("city", "320500"),
            ("district", "320205"),
            ("行政区划 320205 不在本部门辖区内。", "division 320205 lies outside the bureau's jurisdiction"),
        ),
        # nor a bureau of its own level, nor one above
        (
            ("city", "320500"),
            ("city", "320500"),
            (
                "只能开设比本部门层级更低的主管部门。",
                "a bureau opens only bureaus of a lower level than its own",
            ),
        ),
        (
            ("district", "320506"),
            ("province", "320000"),
            (
                "只能开设比本部门层级更低的主管部门。",
                "a bureau opens only bureaus of a lower level than its own",
            ),
        ),
        # a district bureau sits at a county-level division, not at a city
        (
            ("city", "320500"),
            ("district", "320500"),
            (
                "行政区划 320500 不是区县级主管部门所在的层级。",
                "division 320500 is not where a district bureau sits",
            ),
        ),
    ],
)
def test_which_bureaus_a_bureau_opens(
    parent: tuple[str, str], child: tuple[str, str], expected: tuple[str, str] | None
) -> None:
    assert bureau_refusal(parent[0], parent[1], child[0], child[1]) == expected


@given(
    st.sampled_from([c for c, lv in LEVEL.items() if lv == "city"]),
    st.sampled_from([c for c, lv in LEVEL.items() if lv == "county"]),
)
def test_a_city_opens_exactly_the_districts_inside_it(city: str, county: str) -> None:
    allowed = bureau_refusal("city", city, "district", county, child_region_level="county") is None
    assert allowed == jurisdiction_contains("city", city, county)
