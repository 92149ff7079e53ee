"""Administrative divisions by their GB/T 2260 codes: which division lies inside which, and what a bureau
answers for.

A code has six digits: two for the province (32 江苏省 is 320000), two more for the prefecture-level city
(3205 苏州市 is 320500), two more for the county-level division (320506 吴中区). Every division inside a
region shares the region's prefix: a province's first two digits, a city's first four, a county's whole
code. The level follows from the code itself — XX0000 a province, XXXX00 a city, anything else a county —
which holds for every row of the platform's GB/T 2260 list, including the municipalities directly under
the central government (北京 110000, its 市辖区 110100, 东城区 110101), the cities specifically designated
in the state plan (宁波 330200, a city of 浙江 330000 like any other) and the county-level divisions a
province administers directly (429000, 仙桃 429004).

A bureau's jurisdiction is the prefix of its own region at its level: the ministry answers for the whole
country, a provincial bureau for its province, a city bureau for its city — or for the whole municipality
when it sits at a municipality's province-level code (北京 110000) — and a district bureau for its
district alone.
"""

from __future__ import annotations

from typing import Literal

from greencore.errors import GreencoreError

Level = Literal["province", "city", "county"]
AuthorityLevel = Literal["ministry", "province", "city", "district"]
LEVELS: tuple[Level, ...] = ("province", "city", "county")
AUTHORITY_LEVELS: tuple[AuthorityLevel, ...] = ("ministry", "province", "city", "district")
PREFIX_LENGTH = {"province": 2, "city": 4, "county": 6}


class RegionError(GreencoreError, ValueError):
    """A malformed division code or an unknown level, naming the place."""

    def __init__(self, place: str, zh: str, en: str) -> None:
        super().__init__(place, zh, en)


def checked_region_code(code: str, place: str = "region") -> str:
    """`code` when it is a GB/T 2260 division code (six ASCII digits), else RegionError."""
    if not (isinstance(code, str) and len(code) == 6 and code.isascii() and code.isdigit()):
        raise RegionError(
            place,
            f"行政区划代码须为 6 位数字（现为 {code!r}）",
            f"a division code has six digits (got {code!r})",
        )
    return code


def region_level(code: str) -> Level:
    """The level of the division `code` names: province (XX0000), city (XXXX00) or county."""
    checked_region_code(code)
    if code.endswith("0000"):
        return "province"
    if code.endswith("00"):
        return "city"
    return "county"


def province_of(code: str) -> str:
    """The code of the province the division lies in (320506 → 320000)."""
    return checked_region_code(code)[:2] + "0000"


def region_prefix(code: str, level: str | None = None) -> str:
    """The code prefix every division inside the region `code` shares: two digits for a province, four for
    a city, the whole code for a county. `level` defaults to the code's own (`region_level`)."""
    checked_region_code(code)
    level = level or region_level(code)
    if level not in PREFIX_LENGTH:
        raise RegionError("level", f"未知的行政区划层级 {level}", f"unknown division level {level}")
    return code[: PREFIX_LENGTH[level]]


def region_within(outer: str, inner: str, outer_level: str | None = None) -> bool:
    """Whether the division `inner` lies in the region `outer` (a region lies in itself)."""
    return checked_region_code(inner, "inner").startswith(region_prefix(outer, outer_level))


def same_province(a: str, b: str) -> bool:
    return province_of(a) == province_of(b)


def jurisdiction_prefix(authority_level: str, region: str, level: str | None = None) -> str:
    """The code prefix of everything a bureau of `authority_level` sitting at `region` answers for: "" for
    the ministry (the whole country), the province's two digits, the city's four (the municipality's two
    when a city bureau sits at a province-level code), the district's whole code."""
    if authority_level not in AUTHORITY_LEVELS:
        raise RegionError(
            "authority_level",
            f"未知的主管部门层级 {authority_level}",
            f"unknown authority level {authority_level}",
        )
    if authority_level == "ministry":
        return ""
    checked_region_code(region, "authority_region")
    level = level or region_level(region)
    if authority_level == "province":
        return region[:2]
    if authority_level == "city":
        return region[:2] if level == "province" else region[:4]
    return region


def jurisdiction_contains(
    authority_level: str,
    authority_region: str,
    region_code: str,
    *,
    authority_region_level: str | None = None,
) -> bool:
    """Whether the division `region_code` lies in the jurisdiction of a bureau of `authority_level` sitting at
    `authority_region` (320506 吴中区 lies in 苏州市's 3205 and 江苏's 32)."""
    scope = jurisdiction_prefix(authority_level, authority_region, authority_region_level)
    return checked_region_code(region_code).startswith(scope)


# Which bureau may sit at a division, and which bureaus a bureau may open under it (issue 12). A bureau
# sits at a division of its own level: a provincial one at a province, a city one at a city (or at a
# municipality's province-level code, as 北京 110000), a district one at a county-level division; the
# ministry sits at the capital's code. A bureau opens only bureaus below its own level, inside its own
# jurisdiction: the province its cities, a city its districts.
BUREAU_SEATS: dict[str, tuple[Level, ...]] = {
    "ministry": ("province",),
    "province": ("province",),
    "city": ("city", "province"),
    "district": ("county",),
}


def authority_level_for(region: str, level: str | None = None) -> AuthorityLevel:
    """The level of the bureau that naturally sits at the division `region`: a province's bureau at a
    province, a city's at a city, a district's at a county-level division."""
    level = level or region_level(region)
    found: dict[str, AuthorityLevel] = {"province": "province", "city": "city", "county": "district"}
    if level not in found:
        raise RegionError("level", f"未知的行政区划层级 {level}", f"unknown division level {level}")
    return found[level]


def bureau_refusal(
    parent_level: str,
    parent_region: str,
    child_level: str,
    child_region: str,
    *,
    child_region_level: str | None = None,
) -> tuple[str, str] | None:
    """Why a bureau of `parent_level` at `parent_region` may not open a bureau of `child_level` at
    `child_region` — (Chinese, English) — or None when it may."""
    if child_level not in AUTHORITY_LEVELS or parent_level not in AUTHORITY_LEVELS:
        raise RegionError(
            "level", f"未知的主管部门层级 {child_level}", f"unknown authority level {child_level}"
        )
    checked_region_code(child_region, "region")
    if AUTHORITY_LEVELS.index(child_level) <= AUTHORITY_LEVELS.index(parent_level):
        return (
            "只能开设比本部门层级更低的主管部门。",
            "a bureau opens only bureaus of a lower level than its own",
        )
    seat = child_region_level or region_level(child_region)
    if seat not in BUREAU_SEATS[child_level]:
        return (
            f"行政区划 {child_region} 不是{_LEVEL_ZH[child_level]}主管部门所在的层级。",
            f"division {child_region} is not where a {child_level} bureau sits",
        )
    if not jurisdiction_contains(parent_level, parent_region, child_region):
        return (
            f"行政区划 {child_region} 不在本部门辖区内。",
            f"division {child_region} lies outside the bureau's jurisdiction",
        )
    return None


_LEVEL_ZH = {"ministry": "部级", "province": "省级", "city": "地市级", "district": "区县级"}
