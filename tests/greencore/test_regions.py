"""greencore.regions: GB/T 2260 containment, worked by hand on real codes, and a property that it agrees with
the prefix rule the platform wrote out before (orgs.selectors.region_prefix, catalog and reviews) over the
platform's whole list of divisions."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from greencore import (
    RegionError,
    jurisdiction_contains,
    jurisdiction_prefix,
    province_of,
    region_level,
    region_prefix,
    region_within,
)
from greencore.regions import AUTHORITY_LEVELS

REGIONS_CSV = Path(__file__).parents[2] / "src" / "greenmfg" / "reference" / "data" / "regions.csv"
with REGIONS_CSV.open(encoding="utf-8", newline="") as handle:
    ROWS = [(row["code"], row["level"]) for row in csv.DictReader(handle)]
CODES = [code for code, _ in ROWS]
LEVEL = dict(ROWS)


# --- hand-worked values -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "level", "shared"),
    [
        ("320000", "province", "32"),  # 江苏省
        ("320500", "city", "3205"),  # 苏州市
        ("320506", "county", "320506"),  # 吴中区
        ("110000", "province", "11"),  # 北京市 (直辖市)
        ("110100", "city", "1101"),  # 北京 市辖区
        ("110101", "county", "110101"),  # 东城区
        ("330200", "city", "3302"),  # 宁波市 (计划单列市): a city like any other
        ("429000", "city", "4290"),  # 湖北 省直辖县级行政区划
        ("429004", "county", "429004"),  # 仙桃市
    ],
)
def test_level_and_prefix_of_real_codes(code, level, shared):
    assert region_level(code) == level
    assert region_prefix(code) == shared
    assert region_prefix(code, level) == shared


def test_wuzhong_lies_in_suzhou_which_lies_in_jiangsu():
    assert (
        region_within("320500", "320506")
        and region_within("320000", "320506")
        and region_within("320000", "320500")
    )
    assert region_within("320506", "320506")  # a region lies in itself
    assert not region_within("320506", "320500")  # a district does not hold its city
    assert not region_within("320500", "320205")  # 锡山区 is 无锡's, not 苏州's
    assert province_of("320506") == "320000"


@pytest.mark.parametrize(
    ("authority_level", "region", "scope"),
    [
        ("ministry", "110000", ""),  # the whole country
        ("province", "320000", "32"),
        ("city", "320500", "3205"),
        ("city", "330200", "3302"),  # 宁波's own bureau
        ("city", "110000", "11"),  # a municipality's bureau at its province-level code: the whole city
        ("district", "320506", "320506"),
        ("district", "110101", "110101"),
    ],
)
def test_jurisdiction_of_each_level(authority_level, region, scope):
    assert jurisdiction_prefix(authority_level, region) == scope


@pytest.mark.parametrize(
    ("authority_level", "authority_region", "region", "inside"),
    [
        ("district", "320506", "320506", True),
        ("district", "320506", "320505", False),  # 虎丘区, the next district
        ("city", "320500", "320506", True),
        ("city", "320500", "320205", False),  # 无锡锡山区
        ("city", "320500", "320000", False),  # a city does not hold its province
        ("province", "320000", "320506", True),
        ("province", "320000", "320000", True),
        ("province", "320000", "330212", False),  # 宁波鄞州区 is 浙江's
        ("ministry", "110000", "650102", True),  # 乌鲁木齐天山区: the ministry's
        ("city", "110000", "110101", True),  # 北京's bureau over 东城区
        ("city", "110000", "120101", False),  # not over 天津和平区
        ("district", "110101", "110102", False),  # 东城 is not 西城
        ("city", "330200", "330212", True),  # 宁波 over 鄞州区
        ("city", "330200", "330102", False),  # not over 杭州上城区
        ("province", "330000", "330212", True),  # 浙江 over 宁波's districts too
        ("province", "420000", "429004", True),  # 湖北 over 仙桃, a county it administers directly
    ],
)
def test_contains(authority_level, authority_region, region, inside):
    assert jurisdiction_contains(authority_level, authority_region, region) is inside


@pytest.mark.parametrize(
    ("call", "place"),
    [
        (lambda: region_level("32050"), "region"),
        (lambda: region_prefix("32050６"), "region"),  # a full-width digit is not a GB/T 2260 code
        (lambda: region_prefix("320500", "village"), "level"),
        (lambda: jurisdiction_prefix("county", "320506"), "authority_level"),
        (lambda: jurisdiction_contains("city", "3205", "320506"), "authority_region"),
        (lambda: region_within("320500", "abc"), "inner"),
    ],
)
def test_bad_input_names_its_place(call, place):
    with pytest.raises(RegionError) as refused:
        call()
    assert refused.value.place == place
    assert refused.value.zh and refused.value.en


# --- agreement with the rule as the platform wrote it before -------------------------------------------


def old_region_prefix(level: str, region_code: str, region_level: str) -> str:
    """orgs.selectors.region_prefix as it was (for an authority)."""
    if level == "ministry":
        return ""
    if level == "province":
        return region_code[:2]
    if level == "city":
        return region_code[:4] if region_level != "province" else region_code[:2]
    return region_code


def old_call_prefix(region_code: str, region_level: str) -> str:
    """catalog.selectors._prefix, reviews' calls_for_bureau and reference.Region.prefix as they were."""
    if region_level == "province":
        return region_code[:2]
    if region_level == "city":
        return region_code[:4]
    return region_code


def test_the_code_gives_the_level_the_list_records():
    assert [(code, region_level(code)) for code in CODES] == ROWS


@settings(max_examples=400, deadline=None)
@given(
    level=st.sampled_from(AUTHORITY_LEVELS),
    authority_region=st.sampled_from(CODES),
    region=st.sampled_from(CODES),
)
def test_containment_agrees_with_the_old_prefix_rule(level, authority_region, region):
    old = region.startswith(old_region_prefix(level, authority_region, LEVEL[authority_region]))
    assert jurisdiction_contains(level, authority_region, region) is old
    assert (
        jurisdiction_contains(level, authority_region, region, authority_region_level=LEVEL[authority_region])
        is old
    )


@settings(max_examples=400, deadline=None)
@given(outer=st.sampled_from(CODES), inner=st.sampled_from(CODES))
def test_within_agrees_with_the_old_call_prefix(outer, inner):
    assert region_within(outer, inner, LEVEL[outer]) is inner.startswith(old_call_prefix(outer, LEVEL[outer]))
    assert region_prefix(outer, LEVEL[outer]) == old_call_prefix(outer, LEVEL[outer])


def test_every_division_lies_in_its_parent_and_no_other_city():
    # the list's own parent links: each division lies in its parent and its province, never in a city that
    # is not its parent
    with REGIONS_CSV.open(encoding="utf-8", newline="") as handle:
        parents = {row["code"]: row["parent_code"] for row in csv.DictReader(handle)}
    cities = [code for code, level in ROWS if level == "city"]
    for code, parent in parents.items():
        if parent:
            assert region_within(parent, code), (parent, code)
            assert region_within(province_of(code), code)
        if LEVEL[code] == "county":
            assert [city for city in cities if region_within(city, code)] == [parent], code
