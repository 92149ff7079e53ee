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
