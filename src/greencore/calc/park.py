"""A park's raw yearly statistics → its ratios year by year, for the park schemes' formulas.

The 2016 park requirements judge three consecutive years (standards.md §3). The raw document lists
each year's industrial value added, comprehensive energy consumption, industrial fresh water and
industrial employees, each with its unit, oldest year first; every year runs `park_ratios`, so the
energy productivity (EG1), water productivity (RG1) and value added per person (CG3) of each year
carry their working. The calculation knows no scheme: a scheme reads ``calc('years.…', unit)``.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from typing import Any

from greencore.calc.errors import CalcInputError, InconsistentDataError
from greencore.calc.jsonio import document, from_dict, in_section, join, to_dict
from greencore.calc.ratios import ParkInput, ParkResult, park_ratios

TOP_LEVEL = ("park", "years")


def _ratios(fields: Mapping[str, Any]) -> ParkResult:
    return park_ratios(from_dict(ParkInput, fields))


def compute_park(data: Mapping[str, Any]) -> dict[str, Any]:
    """Every year's park ratios from the park's raw yearly statistics (see examples/park-raw.json)."""
    data = document(data, TOP_LEVEL)
    years = data.get("years")
    if not isinstance(years, list) or not years:
        raise CalcInputError(
            "years", "应为按年份排列的列表，至少一年", "expected a list of years, at least one"
        )
    results: list[dict[str, Any]] = []
    previous: int | None = None
    for index, entry in enumerate(years):
        place = f"years[{index}]"
        if not isinstance(entry, Mapping):
            raise CalcInputError(place, "每年应为对象", "each year must be an object")
        year = entry.get("year")
        if not isinstance(year, int) or isinstance(year, bool):
            raise CalcInputError(join(place, "year"), "应为整数年份", "expected the year as an integer")
        if previous is not None and year <= previous:
            raise InconsistentDataError(
                join(place, "year"),
                f"年份应从早到晚排列且不重复（{previous} 之后为 {year}）",
                f"years must be listed oldest first without repeats ({year} after {previous})",
            )
        previous = year
        fields = {key: value for key, value in entry.items() if key != "year"}
        result = in_section(place, partial(_ratios, fields))
        results.append({"year": year, **to_dict(result)})
    return {"park": data.get("park"), "calculations": {"years": results}}
