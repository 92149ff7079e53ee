"""Land use: plot ratio (容积率), building coverage (建筑系数) and output per m² of site.

容积率 = above-ground gross floor area / site area, where a storey higher than 8 m counts twice
(工业项目建设用地控制指标). 建筑系数 = (building footprints + structure footprints + open storage
and work yards) / site area × 100 %. 单位用地面积产值 = output value (万元) / site area (m²).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from greencore.calc.common import non_negative, output_value_in_10k_yuan, positive, required_text
from greencore.calc.errors import CalcInputError, InconsistentDataError
from greencore.calc.jsonio import JsonRecord, to_dict
from greencore.calc.numbers import HUNDRED, ZERO, in_context, percent, ratio, text
from greencore.calc.trail import Amount, Step, TableUse, Trail
from greencore.calc.units import Dimension, canonical, convert, unit_factor

# A storey higher than this counts twice in the floor area of the plot ratio.
DOUBLE_COUNT_HEIGHT_M = Decimal(8)


@dataclass(frozen=True)
class Storey:
    """`count` above-ground storeys of `floor_area` each and `height_m` metres high."""

    floor_area: Decimal
    height_m: Decimal
    count: int = 1


@dataclass(frozen=True)
class Building:
    name: str
    footprint: Decimal
    storeys: tuple[Storey, ...]


@dataclass(frozen=True)
class Area:
    name: str
    area: Decimal


@dataclass(frozen=True)
class LandInput(JsonRecord):
    """Site area in `site_area_unit`; every other area (buildings, structures, yards) in `area_unit`."""

    site_area: Decimal
    site_area_unit: str
    area_unit: str
    buildings: tuple[Building, ...]
    structures: tuple[Area, ...] = ()
    yards: tuple[Area, ...] = ()
    output_value: Decimal | None = None
    output_value_unit: str | None = None


@dataclass(frozen=True)
class LandResult:
    site_area: Amount
    floor_area_counted: Amount
    occupied_area: Amount
    plot_ratio: Amount
    building_coverage: Amount
    output_per_site_area: Amount | None
    trail: tuple[Step, ...]
    tables_used: tuple[TableUse, ...]
    warnings: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = to_dict(self)
        return out


@in_context
def land_indicators(inp: LandInput) -> LandResult:
    trail = Trail()
    unit_factor(inp.site_area_unit, Dimension.AREA, "site_area_unit", "面积", "an area")
    unit_factor(inp.area_unit, Dimension.AREA, "area_unit", "面积", "an area")
    positive(inp.site_area, "site_area", inp.site_area_unit, "用地面积", "site area")
    site = convert(inp.site_area, inp.site_area_unit, "m²", Dimension.AREA, "site_area_unit")
    if canonical(inp.site_area_unit) != "m²":
        trail.add("厂区用地面积 单位换算", site, "m²", formula=f"{text(inp.site_area)} {inp.site_area_unit}")

    def m2(value: Decimal) -> Decimal:
        return convert(value, inp.area_unit, "m²", Dimension.AREA, "area_unit")

    if not inp.buildings:
        raise CalcInputError("buildings", "至少给出一栋建筑物", "give at least one building")
    floor_parts: list[Decimal] = []
    footprints: list[Decimal] = []
    for i, building in enumerate(inp.buildings):
        at = f"buildings[{i}]"
        required_text(building.name, f"{at}.name")
        footprints.append(m2(non_negative(building.footprint, f"{at}.footprint", inp.area_unit)))
        if not building.storeys:
            raise CalcInputError(
                f"{at}.storeys", "至少给出一层地上楼层", "give at least one above-ground storey"
            )
        for j, storey in enumerate(building.storeys):
            place = f"{at}.storeys[{j}]"
            area = m2(non_negative(storey.floor_area, f"{place}.floor_area", inp.area_unit))
            positive(storey.height_m, f"{place}.height_m", "m", "层高", "storey height")
            if storey.count < 1:
                raise CalcInputError(
                    f"{place}.count", "层数至少为 1", "count must be at least 1", str(storey.count)
                )
            doubled = storey.height_m > DOUBLE_COUNT_HEIGHT_M
            factor = 2 if doubled else 1
            note = "层高 > 8 m，建筑面积加倍计算" if doubled else "层高 ≤ 8 m"
            floor_parts.append(
                trail.add(
                    f"{building.name} 计容建筑面积（{note}）",
                    area * storey.count * factor,
                    "m²",
                    formula=(
                        f"{text(area)} m² × {storey.count} 层 × {factor}（层高 {text(storey.height_m)} m）"
                    ),
                    place=place,
                )
            )
    others: list[Decimal] = []
    for key, items in (("structures", inp.structures), ("yards", inp.yards)):
        for i, item in enumerate(items):
            required_text(item.name, f"{key}[{i}].name")
            others.append(m2(non_negative(item.area, f"{key}[{i}].area", inp.area_unit)))
    floor_area = trail.add(
        "计容建筑面积合计",
        sum(floor_parts, ZERO),
        "m²",
        formula=" + ".join(text(v) for v in floor_parts) + " m²",
    )
    occupied = trail.add(
        "建筑物、构筑物占地与露天堆场、作业场面积合计",
        sum(footprints + others, ZERO),
        "m²",
        formula=" + ".join(text(v) for v in footprints + others) + " m²",
    )
    if occupied > site:
        raise InconsistentDataError(
            "buildings",
            "占地面积合计大于厂区用地面积",
            "occupied area exceeds the site area",
            f"{text(occupied)} > {text(site)} m²",
        )
    plot_ratio = trail.add(
        "容积率", ratio(floor_area, site), "", formula=f"{text(floor_area)} m² ÷ {text(site)} m²"
    )
    coverage = trail.add(
        "建筑系数", percent(occupied, site), "%", formula=f"{text(occupied)} m² ÷ {text(site)} m² × 100"
    )
    assert coverage <= HUNDRED
    output_10k = output_value_in_10k_yuan(inp.output_value, inp.output_value_unit, trail, "output_value")
    per_area: Amount | None = None
    if output_10k is not None:
        per_area = Amount(
            trail.add(
                "单位用地面积产值",
                ratio(output_10k, site),
                "万元/m²",
                formula=f"{text(output_10k)} 万元 ÷ {text(site)} m²",
            ),
            "万元/m²",
        )
    return LandResult(
        site_area=Amount(site, "m²"),
        floor_area_counted=Amount(floor_area, "m²"),
        occupied_area=Amount(occupied, "m²"),
        plot_ratio=Amount(plot_ratio, ""),
        building_coverage=Amount(coverage, "%"),
        output_per_site_area=per_area,
        trail=tuple(trail.steps),
        tables_used=(),
        warnings=(),
    )
