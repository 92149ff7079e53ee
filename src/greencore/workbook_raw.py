"""Raw-data sheets of the self-evaluation workbook (原始数据-…): plant data in, the calculation's input out.

An enterprise knows its coal, gas, electricity and steam purchases, its output, water meters, waste
ledger and site, not its 单位产品综合能耗. These sheets take exactly the fields of the raw-data document
of `greencore.calc.factory.compute_factory` (see examples/factory-raw.json): one row per carrier, fuel,
meter, waste stream or building, and `read_raw_sheets` gives that document back.

As in the rest of the workbook, reading never depends on the visible labels. Column A is hidden and
marks each row: `field:<path>` a single value (in column C), `fields:<path>` the hidden row of field
ids above a table's header, `title` / `head` / `note` text. Unmarked rows below a table's header are
that table's rows, so rows a user inserts are read too. Blank cells are left out, never read as 0:
the calculation then takes its default or names the missing field.

The workbook is Chinese. Every label, title and help text of the layout also has its English (`label_en`,
`title_en`, `help_en`, `note_en`, `choices_en`) for forms shown in English; the workbook and its reader
never use it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from greencore.calc.common import ProductLine
from greencore.calc.energy import MEDIA_TABLE, STANDARD_COAL_TABLE, CarrierLine, carrier_row
from greencore.calc.errors import CalcError
from greencore.calc.ghg import (
    CARBON_MARKET_TABLE,
    FUEL_TABLE,
    GRID_TABLE,
    ElectricityLine,
    FuelLine,
    HeatLine,
    ProcessLine,
)
from greencore.calc.land import Area, Building, Storey
from greencore.calc.numbers import text
from greencore.calc.ratios import ParkInput, YearValue
from greencore.calc.units import UNITS, Dimension, canonical, split_ratio, unit_factor
from greencore.calc.waste import WasteStream
from greencore.calc.water import IntakeLine, ReuseLine
from greencore.reference import ReferenceSet
from greencore.scoring.inputs import FALSE_WORDS, TRUE_WORDS, InputError
from greencore.standards.model import Scheme

PREFIX = "原始数据-"
BASIC_SHEET = PREFIX + "基本"
ENERGY_SHEET = PREFIX + "能源"
EXPORTED_SHEET = PREFIX + "外供能源"
PRODUCTS_SHEET = PREFIX + "产品"
GHG_SHEET = PREFIX + "排放"
WATER_SHEET = PREFIX + "用水"
WASTE_SHEET = PREFIX + "固废"
LAND_SHEET = PREFIX + "用地"
HISTORY_SHEET = PREFIX + "历史"
LISTS_SHEET = PREFIX + "选项"  # hidden: the dropdown lists, too long for an inline list (255 characters)

# The colours of greencore.workbook, repeated: importing them would make the two modules import each
# other once write_template calls add_raw_sheets.
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
INPUT_FILL = PatternFill("solid", fgColor="FFF2CC")
BOLD = Font(bold=True)
BOOL_CHOICES = ("是", "否")
BOOL_CHOICES_EN = ("Yes", "No")
PRODUCT_SECTIONS = ("energy", "ghg", "water")


# ---------------------------------------------------------------------------------------------------
# the layout: which fields, where, with which checks


class Kind(StrEnum):
    TEXT = "text"
    NUMBER = "number"  # written to the raw data as a plain decimal string, e.g. "18.5"
    INTEGER = "integer"  # the raw format takes these as JSON integers (year, storey count)
    BOOL = "bool"
    CHOICE = "choice"
    UNIT = "unit"


@dataclass(frozen=True)
class UnitRule:
    """The units a cell accepts: of `dims` (any known unit when empty), or a ratio `dims`/`per`."""

    dims: tuple[Dimension, ...] = ()
    per: tuple[Dimension, ...] | None = None
    offered: tuple[str, ...] = ()  # the dropdown; by default every unit of `dims`

    def choices(self) -> tuple[str, ...]:
        if self.offered:
            return self.offered
        return tuple(dict.fromkeys(u for d in self.dims for u in UNITS[d]))

    @property
    def strict(self) -> bool:
        """A plain unit of known dimensions is one of a short list; ratios and open units are not."""
        return self.per is None and bool(self.dims)

    def check(self, unit: str, place: str) -> None:
        parts = [(unit, self.dims)]
        if self.per is not None:
            try:
                numerator, denominator = split_ratio(unit, place)
            except CalcError as error:
                raise _from_calc(place, error) from None
            parts = [(numerator, self.dims), (denominator, self.per)]
        for part, dims in parts:
            symbol = canonical(part)
            if not any(symbol in UNITS[d] for d in dims or tuple(Dimension)):
                shown = "、".join(self.choices())
                raise InputError(
                    place,
                    f"单位 {unit!r} 不适用于此项（可选：{shown}）",
                    f"unit {unit!r} does not fit this field (accepted: {', '.join(self.choices())})",
                )


@dataclass(frozen=True)
class Column:
    """One field of the raw format: its id, its Chinese header and how a cell of it is read.

    The workbook and its reader use the Chinese only; `label_en`, `help_en` and `choices_en` (the English
    of each shown choice, in order) are for forms shown in English."""

    id: str
    label: str
    kind: Kind = Kind.NUMBER
    unit: UnitRule | None = None
    choices: tuple[tuple[str, str], ...] = ()  # CHOICE: (shown in the dropdown, value in the raw data)
    names: Callable[[], tuple[str, ...]] | None = None  # TEXT: names offered in a dropdown
    check: Callable[[str, str], None] | None = None  # TEXT: refuses (at read) what the calculation would
    width: int = 12
    help: str = ""
    label_en: str = ""
    help_en: str = ""
    choices_en: tuple[str, ...] = ()

    def offered(self) -> tuple[str, ...]:
        if self.kind is Kind.BOOL:
            return BOOL_CHOICES
        if self.kind is Kind.CHOICE:
            return tuple(shown for shown, _ in self.choices)
        if self.kind is Kind.UNIT and self.unit is not None:
            return self.unit.choices()
        return self.names() if self.names else ()

    def offered_en(self) -> tuple[str, ...]:
        """The English of each of `offered()`, in order: a choice's or yes/no's English label; names and
        units (data, symbols) as they are."""
        if self.kind is Kind.BOOL:
            return BOOL_CHOICES_EN
        if self.kind is Kind.CHOICE:
            english = self.choices_en + ("",) * (len(self.choices) - len(self.choices_en))
            return tuple(en or shown for (shown, _), en in zip(self.choices, english, strict=False))
        return self.offered()

    @property
    def strict(self) -> bool:
        """Whether Excel refuses an entry outside the dropdown (else it only warns)."""
        if self.kind is Kind.UNIT:
            return self.unit is not None and self.unit.strict
        if self.kind is Kind.TEXT:
            return self.check is not None
        return True


class Shape(StrEnum):
    """How a table's rows become the raw document."""

    ROWS = "rows"  # one object per row, in the list at the table's path
    PRODUCTS = "products"  # one row per product, its shares for energy, ghg and water side by side
    BUILDINGS = "buildings"  # a row with a name starts a building; each row adds a storey
    HISTORY = "history"  # one row per year: emissions and output value


@dataclass(frozen=True)
class Table:
    path: str
    title: str
    columns: tuple[Column, ...]
    rows: int
    record: type[Any] | None = None  # the calculation's dataclass of a row: its required fields
    shape: Shape = Shape.ROWS
    row_check: Callable[[_Row], None] | None = None
    title_en: str = ""

    def column(self, column_id: str) -> Column | None:
        return next((c for c in self.columns if c.id == column_id), None)


@dataclass(frozen=True)
class Scalar:
    path: str
    column: Column
    note: str = ""
    note_en: str = ""


@dataclass(frozen=True)
class Group:
    title: str
    scalars: tuple[Scalar, ...]
    title_en: str = ""


@dataclass(frozen=True)
class Sheet:
    """One 原始数据- sheet: its name, title and help lines (Chinese, as written to the workbook), and the
    English of the title and of each help line for forms shown in English."""

    name: str
    title: str
    help: tuple[str, ...]
    blocks: tuple[Group | Table, ...]
    title_en: str = ""
    help_en: tuple[str, ...] = ()


@dataclass
class _Row:
    """A table row as read: values by field id, and the cell of every field (for error messages)."""

    values: dict[str, Any] = field(default_factory=dict)
    places: dict[str, str] = field(default_factory=dict)
    start: str = ""


def _from_calc(place: str, error: CalcError) -> InputError:
    """A calculation's check, reported at the cell instead of the raw document's field path."""
    zh = error.reason_zh + (f"（{error.detail}）" if error.detail else "")
    en = error.reason_en + (f" {error.detail}" if error.detail else "")
    if error.choices:
        zh += f"；可用：{error.choices}"
        en += f"; {error.choices_en}: {error.choices}"
    return InputError(place, zh, en)


@cache
def _carrier_names() -> tuple[str, ...]:
    """Every Chinese name (and alias) of the standard-coal and energy-media tables, as accepted."""
    tables = ReferenceSet.default()
    names = (
        name
        for table_id in (STANDARD_COAL_TABLE, MEDIA_TABLE)
        for row in tables.table(table_id).rows
        for name in (row.name_zh, *row.aliases)
    )
    return tuple(dict.fromkeys(names))


@cache
def _fuel_names() -> tuple[str, ...]:
    rows = ReferenceSet.default().table(FUEL_TABLE).rows
    return tuple(dict.fromkeys(name for row in rows for name in (row.name_zh, *row.aliases)))


@cache
def _grid_regions() -> tuple[str, ...]:
    tables = ReferenceSet.default()
    rows = (*tables.table(GRID_TABLE).rows, *tables.table(CARBON_MARKET_TABLE).rows)
    return tuple(dict.fromkeys(row.text("region_zh") for row in rows))


def _check_carrier(name: str, place: str) -> None:
    try:
        carrier_row(ReferenceSet.default(), name, place)
    except CalcError as error:
        raise _from_calc(place, error) from None


def _check_carrier_unit(row: _Row) -> None:
    """Coal in kWh or electricity in t: refused at the unit's cell, by the calculation's own check."""
    carrier, unit = row.values.get("carrier"), row.values.get("unit")
    if carrier is None or unit is None:
        return
    _, ref = carrier_row(ReferenceSet.default(), carrier, row.places["carrier"])
    place = row.places["unit"]
    try:
        unit_factor(unit, Dimension(ref.text("dimension")), place, ref.name_zh, ref.id)
    except CalcError as error:
        raise _from_calc(place, error) from None


def _check_fuel_unit(row: _Row) -> None:
    """A fuel of the defaults table has its dimension; another fuel's comes from its ncv_unit."""
    fuel, unit = row.values.get("fuel"), row.values.get("unit")
    ref = ReferenceSet.default().table(FUEL_TABLE).find(fuel.strip()) if fuel else None
    if ref is None or unit is None:
        return
    place = row.places["unit"]
    try:
        unit_factor(unit, Dimension(ref.text("dimension")), place, ref.name_zh, ref.id)
    except CalcError as error:
        raise _from_calc(place, error) from None


# A label or help text as (Chinese, English): the workbook writes the Chinese, English forms show the English.
Words = tuple[str, str]
NO_HELP: Words = ("", "")


def _column(column_id: str, label: Words, kind: Kind, help: Words, **kw: Any) -> Column:
    return Column(column_id, label[0], kind, help=help[0], label_en=label[1], help_en=help[1], **kw)


def _text(column_id: str, label: Words, width: int = 16, help: Words = NO_HELP, **kw: Any) -> Column:
    return _column(column_id, label, Kind.TEXT, help, width=width, **kw)


def _num(column_id: str, label: Words, help: Words = NO_HELP, width: int = 12) -> Column:
    return _column(column_id, label, Kind.NUMBER, help, width=width)


def _int(column_id: str, label: Words, help: Words = NO_HELP, width: int = 10) -> Column:
    return _column(column_id, label, Kind.INTEGER, help, width=width)


def _unit(column_id: str, label: Words, rule: UnitRule, help: Words = NO_HELP, width: int = 10) -> Column:
    return _column(column_id, label, Kind.UNIT, help, unit=rule, width=width)


def _choice(
    column_id: str, label: Words, choices: tuple[tuple[str, str, str], ...], width: int = 12
) -> Column:
    """`choices`: (shown in the dropdown, value in the raw data, English of the shown)."""
    return _column(
        column_id,
        label,
        Kind.CHOICE,
        NO_HELP,
        choices=tuple((shown, value) for shown, value, _ in choices),
        choices_en=tuple(en for _, _, en in choices),
        width=width,
    )


D = Dimension
ENERGY_UNITS = UnitRule((D.MASS, D.GAS_VOLUME, D.WATER, D.ELECTRICITY, D.HEAT))
HEAT_CONTENT_UNITS = UnitRule((D.HEAT,), (D.MASS,), ("GJ/t", "MJ/kg", "MJ/t", "kJ/kg"))
COEFFICIENT_UNITS = UnitRule(
    (D.STANDARD_COAL,),
    (),
    ("kgce/kg", "tce/t", "kgce/m³", "tce/万m³", "kgce/kWh", "tce/万kWh", "kgce/GJ", "kgce/MJ", "kgce/t"),
)
MONEY_UNITS = UnitRule((D.MONEY,))
ELECTRICITY_UNITS = UnitRule((D.ELECTRICITY,))
WATER_UNITS = UnitRule((D.WATER,))
AREA_UNITS = UnitRule((D.AREA,))
CO2_UNITS = UnitRule((D.CO2,))
PERCENT = (("%", "%", "%"),)
OUTPUT_UNITS = ("t", "kg", "万t", "台", "套", "件", "个", "辆", "m²", "m³", "kWh")


def _carrier_columns(renewable: bool) -> tuple[Column, ...]:
    columns = (
        _text(
            "carrier",
            ("品种", "Energy carrier"),
            12,
            ("能源品种或耗能工质（下拉选择）", "Energy carrier or energy-consuming medium (from the list)"),
            names=_carrier_names,
            check=_check_carrier,
        ),
        _text(
            "label",
            ("用途/说明", "Use / description"),
            22,
            (
                "如：燃煤锅炉、电网购入、屋顶光伏自发自用",
                "E.g. coal-fired boiler, purchased from the grid, rooftop PV for own use",
            ),
        ),
        _num(
            "quantity",
            ("数量（购入量）", "Quantity (purchased)"),
            (
                "有库存时填购入量，并填期初、期末库存",
                "With stocks, give the quantity purchased and the opening and closing stock",
            ),
        ),
        _unit(
            "unit",
            ("单位", "Unit"),
            ENERGY_UNITS,
            (
                "与品种相符：煤 t，气 m³/万m³，电 kWh/万kWh，热 GJ",
                "Must suit the carrier: coal t, gas m³ or 万m³ (10⁴ m³), "
                "electricity kWh or 万kWh (10⁴ kWh), heat GJ",
            ),
        ),
        _num("stock_start", ("期初库存", "Opening stock")),
        _num("stock_end", ("期末库存", "Closing stock")),
        Column(
            "renewable",
            "可再生能源",
            Kind.BOOL,
            width=10,
            help="光伏、风电等自发自用或绿电选“是”",
            label_en="Renewable energy",
            help_en="“Yes” for solar, wind and other own generation for own use, or green electricity",
        ),
        _num(
            "heat_content",
            ("蒸汽热焓（实测）", "Steam enthalpy (measured)"),
            (
                "仅蒸汽：按实测热焓折算（推荐）",
                "Steam only: converted by the measured enthalpy (recommended)",
            ),
        ),
        _unit("heat_content_unit", ("热焓单位", "Enthalpy unit"), HEAT_CONTENT_UNITS),
        _num(
            "coefficient",
            ("折标系数（实测，可空）", "Standard-coal coefficient (measured, optional)"),
            ("不填则用 GB/T 2589-2020 参考系数", "Blank: the reference coefficient of GB/T 2589-2020"),
            14,
        ),
        _unit("coefficient_unit", ("系数单位", "Coefficient unit"), COEFFICIENT_UNITS),
        _text("coefficient_source", ("系数来源", "Source of the coefficient"), 18),
    )
    return columns if renewable else tuple(c for c in columns if c.id != "renewable")


def _fuel_columns(biomass: bool) -> tuple[Column, ...]:
    fuel = (
        _text(
            "fuel",
            ("生物质燃料名称", "Biomass fuel"),
            16,
            (
                "须填低位发热量、含碳量、氧化率",
                "Give the net calorific value, carbon content and oxidation rate",
            ),
        )
        if biomass
        else _text(
            "fuel",
            ("燃料品种", "Fuel"),
            12,
            (
                "表中燃料用缺省参数；其他燃料须填实测参数",
                "Fuels of the list use default parameters; other fuels need measured parameters",
            ),
            names=_fuel_names,
        )
    )
    return (
        fuel,
        _text("label", ("用途/说明", "Use / description"), 20),
        _num("quantity", ("消费量（购入量）", "Consumption (purchased)")),
        _unit("unit", ("单位", "Unit"), UnitRule((D.MASS, D.GAS_VOLUME))),
        _num("stock_start", ("期初库存", "Opening stock")),
        _num("stock_end", ("期末库存", "Closing stock")),
        _num("ncv", ("低位发热量（实测）", "Net calorific value (measured)")),
        _unit(
            "ncv_unit",
            ("发热量单位", "Calorific value unit"),
            UnitRule((D.HEAT,), (D.MASS, D.GAS_VOLUME), ("GJ/t", "MJ/kg", "GJ/万Nm³", "MJ/m³")),
        ),
        _num("carbon_content", ("单位热值含碳量", "Carbon content per unit of heat")),
        _unit(
            "carbon_content_unit",
            ("含碳量单位", "Carbon content unit"),
            UnitRule((D.CARBON,), (D.HEAT,), ("tC/TJ", "kgC/GJ", "tC/GJ")),
        ),
        _num("oxidation", ("碳氧化率", "Carbon oxidation rate")),
        _choice("oxidation_unit", ("氧化率单位", "Oxidation rate unit"), PERCENT, 10),
    )


def _electricity_columns() -> tuple[Column, ...]:
    return (
        _text("label", ("说明", "Description"), 22),
        _num("quantity", ("电量", "Electricity")),
        _unit("unit", ("单位", "Unit"), ELECTRICITY_UNITS),
    )


def _heat_columns() -> tuple[Column, ...]:
    return (
        _text("label", ("说明", "Description"), 22),
        _num("quantity", ("热量或蒸汽量", "Heat or steam")),
        _unit(
            "unit",
            ("单位", "Unit"),
            UnitRule((D.HEAT, D.MASS)),
            ("热量填 GJ；蒸汽按质量填 t，并填热焓", "Heat in GJ; steam by mass in t, with its enthalpy"),
        ),
        _num(
            "heat_content",
            ("蒸汽热焓（实测）", "Steam enthalpy (measured)"),
            ("不填则按低压蒸汽缺省值", "Blank: the default of low-pressure steam"),
        ),
        _unit("heat_content_unit", ("热焓单位", "Enthalpy unit"), HEAT_CONTENT_UNITS),
    )


def _product_columns() -> tuple[Column, ...]:
    shares: list[Column] = []
    for section, what, what_en, rule in (
        ("energy", "能耗", "energy consumption", UnitRule((D.STANDARD_COAL,))),
        ("ghg", "碳排放", "carbon emissions", UnitRule((D.CO2,))),
        ("water", "取水量", "water intake", WATER_UNITS),
    ):
        shares += [
            _num(
                f"{section}.share",
                (f"{what}分摊比例（%）", f"Share of {what_en} (%)"),
                (
                    f"该产品占全厂{what}的百分比（0–100）",
                    f"The product's percentage of the plant's {what_en} (0–100)",
                ),
            ),
            _num(
                f"{section}.allocated",
                (f"{what}（按产品计量）", f"{what_en.capitalize()} (metered for the product)"),
                (
                    "按产品单独计量时填写，不再填比例",
                    "When metered separately for the product; then no share",
                ),
            ),
            _unit(f"{section}.allocated_unit", (f"{what}单位", f"Unit of {what_en}"), rule),
        ]
    return (
        _text("name", ("产品名称", "Product"), 16),
        _num("output", ("产量", "Output")),
        _text(
            "output_unit",
            ("产量单位", "Output unit"),
            10,
            ("如 t、台、件", "E.g. t, 台 (units), 件 (pieces)"),
            names=lambda: OUTPUT_UNITS,
        ),
        *shares,
    )


LAYOUT: tuple[Sheet, ...] = (
    Sheet(
        BASIC_SHEET,
        "原始数据：基本信息与计算口径",
        (
            "在“原始数据-”各表黄色单元格填写统计年度的原始数据（购入量、产量、水表读数、固废台账、用地），"
            "平台据此计算综合能耗、碳排放、取水、固废综合利用率、容积率等指标。",
            "不适用或暂无的数据请留空，不要填 0；数量与单位分列填写；请勿修改隐藏的 A 列和编号行。",
            "“数据”表中可由原始数据算出的项目（产值、综合能耗、碳排放、取水量等）可留空；如填写，须与计算值一致。",
        ),
        (
            Group(
                "企业与年度",
                (
                    Scalar("enterprise.name", _text("name", ("企业名称", "Enterprise name"))),
                    Scalar(
                        "enterprise.location",
                        _text("location", ("所在地", "Location")),
                        "省、市；注明所属电网区域",
                        "Province and city; state the power-grid region",
                    ),
                    Scalar(
                        "enterprise.industry",
                        _text("industry", ("所属行业", "Industry")),
                        "国民经济行业分类代码及名称",
                        "Code and name in the Industrial Classification for National Economic Activities",
                    ),
                    Scalar("enterprise.note", _text("note", ("备注", "Remarks"))),
                    Scalar(
                        "year",
                        _int("year", ("统计年度", "Statistical year")),
                        "年，如 2023",
                        "Year, e.g. 2023",
                    ),
                    Scalar(
                        "output_value",
                        _num(
                            "output_value",
                            ("工业总产值（现价）", "Gross industrial output value (current prices)"),
                        ),
                    ),
                    Scalar(
                        "output_value_unit",
                        _unit("output_value_unit", ("产值单位", "Output value unit"), MONEY_UNITS),
                        "一般为万元",
                        "Usually 万元 (10,000 yuan)",
                    ),
                ),
                "Enterprise and year",
            ),
            Group(
                "计算口径",
                (
                    Scalar(
                        "energy.basis",
                        _choice(
                            "basis",
                            ("综合能耗计算口径", "Basis of comprehensive energy consumption"),
                            (
                                ("当量值", "calorific_value", "Calorific value"),
                                ("等价值", "primary_energy", "Primary energy equivalent"),
                            ),
                        ),
                        "一般为当量值；等价值须给出外购热力的供热煤耗（折标系数）",
                        "Usually the calorific value; the primary energy equivalent needs the coal "
                        "consumption of the purchased heat (its standard-coal coefficient)",
                    ),
                    Scalar(
                        "ghg.grid_region",
                        _text("grid_region", ("电网区域", "Power-grid region"), names=_grid_regions),
                        "区域电网或已发布因子的省份；有外购或输出电力时必填",
                        "The regional grid, or a province with a published factor; required when electricity "
                        "is purchased or exported",
                    ),
                    Scalar(
                        "ghg.grid_series",
                        _choice(
                            "grid_series",
                            ("电力排放因子", "Electricity emission factor"),
                            (
                                ("平均排放因子", "average", "Average emission factor"),
                                (
                                    "不含市场化交易非化石能源电量",
                                    "excluding_market_non_fossil",
                                    "Excluding non-fossil electricity traded on the market",
                                ),
                                ("化石能源排放因子", "fossil", "Fossil-energy emission factor"),
                                (
                                    "全国碳市场电网排放因子",
                                    "carbon_market",
                                    "National carbon market grid factor",
                                ),
                            ),
                        ),
                        "留空按平均排放因子",
                        "Blank: the average emission factor",
                    ),
                ),
                "Calculation basis",
            ),
        ),
        "Raw data: basic information and calculation basis",
        (
            "Enter the raw data of the statistical year in the raw-data sheets (the yellow cells of the "
            "workbook): purchases, output, water-meter readings, the solid-waste ledger and land. The "
            "platform calculates comprehensive energy consumption, carbon emissions, water intake, the "
            "solid-waste utilisation rate, the plot ratio and other indicators from them.",
            "Leave data that do not apply or are not available blank, do not enter 0; give quantity and unit "
            "separately; do not change the hidden column A or the field-id rows of the workbook.",
            "Items of the “Data” sheet that can be calculated from the raw data (output value, "
            "comprehensive energy consumption, carbon emissions, water intake, etc.) may be left blank; if "
            "given, they must agree with the calculated values.",
        ),
    ),
    Sheet(
        ENERGY_SHEET,
        "原始数据：能源消费（综合能耗，GB/T 2589-2020）",
        (
            "每个品种、每种用途一行；消费量 = 购入量 + 期初库存 − 期末库存。",
            "外购的新水、压缩空气、氧气等耗能工质也填在此表。",
        ),
        (
            Table(
                "energy.carriers",
                "能源及耗能工质",
                _carrier_columns(True),
                20,
                CarrierLine,
                row_check=_check_carrier_unit,
                title_en="Energy and energy-consuming media",
            ),
        ),
        "Raw data: energy consumption (comprehensive energy consumption, GB/T 2589-2020)",
        (
            "One row per carrier and use; consumption = purchases + opening stock − closing stock.",
            "Purchased fresh water, compressed air, oxygen and other energy-consuming media also go here.",
        ),
    ),
    Sheet(
        EXPORTED_SHEET,
        "原始数据：外供（输出）能源",
        ("转供其他单位的电力、热力等，按同一口径从综合能耗中扣除。",),
        (
            Table(
                "energy.exported",
                "外供能源",
                _carrier_columns(False),
                8,
                CarrierLine,
                row_check=_check_carrier_unit,
                title_en="Energy supplied to others",
            ),
        ),
        "Raw data: energy supplied to others (exported)",
        (
            "Electricity, heat and other energy passed on to other units, deducted from comprehensive energy "
            "consumption on the same basis.",
        ),
    ),
    Sheet(
        PRODUCTS_SHEET,
        "原始数据：主要产品产量及分摊",
        (
            "每个产品一行；能耗、碳排放、取水量各按比例（%）或按产品计量值分摊，二者填其一；"
            "某项不分摊到产品时该项留空。",
        ),
        (
            Table(
                "products",
                "主要产品",
                _product_columns(),
                10,
                ProductLine,
                Shape.PRODUCTS,
                title_en="Main products",
            ),
        ),
        "Raw data: output of the main products and their shares",
        (
            "One row per product; energy consumption, carbon emissions and water intake are each allocated "
            "by a share (%) or by a value metered for the product, one of the two; leave an item blank when "
            "it is not allocated to products.",
        ),
    ),
    Sheet(
        GHG_SHEET,
        "原始数据：温室气体排放（GB/T 32150-2015）",
        (
            "化石燃料按消费量填写（与“原始数据-能源”中的燃料一致）；外购电力不含自发自用的可再生电力。",
            "生物质燃烧的 CO2 单独报告，不计入排放总量。",
        ),
        (
            Table(
                "ghg.fuels",
                "化石燃料燃烧",
                _fuel_columns(False),
                10,
                FuelLine,
                row_check=_check_fuel_unit,
                title_en="Fossil fuel combustion",
            ),
            Table(
                "ghg.process",
                "过程排放（直接填排放量，或填活动数据与排放因子）",
                (
                    _text("name", ("排放源", "Emission source"), 22),
                    _num("emissions", ("排放量", "Emissions")),
                    _unit("emissions_unit", ("排放量单位", "Emissions unit"), CO2_UNITS),
                    _num("activity", ("活动数据", "Activity data")),
                    _unit(
                        "activity_unit",
                        ("活动数据单位", "Activity data unit"),
                        UnitRule(offered=("t", "kg", "m³", "万m³", "kWh", "GJ")),
                    ),
                    _num("factor", ("排放因子", "Emission factor")),
                    _unit(
                        "factor_unit",
                        ("排放因子单位", "Emission factor unit"),
                        UnitRule((D.CO2,), (), ("tCO2/t", "kgCO2/kg", "tCO2/万m³", "kgCO2/m³")),
                    ),
                ),
                5,
                ProcessLine,
                title_en="Process emissions (the emissions, or activity data and an emission factor)",
            ),
            Table(
                "ghg.purchased_electricity",
                "外购电力",
                _electricity_columns(),
                5,
                ElectricityLine,
                title_en="Purchased electricity",
            ),
            Table(
                "ghg.purchased_heat",
                "外购热力（蒸汽、热水）",
                _heat_columns(),
                5,
                HeatLine,
                title_en="Purchased heat (steam, hot water)",
            ),
            Table(
                "ghg.exported_electricity",
                "输出电力",
                _electricity_columns(),
                3,
                ElectricityLine,
                title_en="Exported electricity",
            ),
            Table("ghg.exported_heat", "输出热力", _heat_columns(), 3, HeatLine, title_en="Exported heat"),
            Table(
                "ghg.biomass",
                "生物质燃烧（单独报告）",
                _fuel_columns(True),
                5,
                FuelLine,
                title_en="Biomass combustion (reported separately)",
            ),
        ),
        "Raw data: greenhouse gas emissions (GB/T 32150-2015)",
        (
            "Fossil fuels by consumption (as the fuels of the energy sheet); purchased electricity without "
            "renewable electricity generated for own use.",
            "CO2 from burning biomass is reported separately and not counted in the total emissions.",
        ),
    ),
    Sheet(
        WATER_SHEET,
        "原始数据：取水与重复利用",
        ("取水按水源或水表一行：填取水量，或填期初、期末表底数（及倍率）。",),
        (
            Group(
                "废水处理回用",
                (
                    Scalar(
                        "water.wastewater_treated",
                        _num("wastewater_treated", ("废水处理量", "Wastewater treated")),
                    ),
                    Scalar(
                        "water.wastewater_reused",
                        _num("wastewater_reused", ("处理后回用量", "Treated water reused")),
                    ),
                    Scalar(
                        "water.wastewater_unit",
                        _unit("wastewater_unit", ("废水水量单位", "Wastewater unit"), WATER_UNITS),
                    ),
                ),
                "Wastewater treatment and reuse",
            ),
            Table(
                "water.intake",
                "取水",
                (
                    _text("source", ("水源/水表", "Source / meter"), 24),
                    _num("quantity", ("取水量", "Water intake")),
                    _num("reading_start", ("期初表底数", "Opening meter reading")),
                    _num("reading_end", ("期末表底数", "Closing meter reading")),
                    _num("multiplier", ("倍率", "Meter multiplier"), ("水表倍率，不填为 1", "Blank: 1")),
                    _unit("unit", ("单位", "Unit"), WATER_UNITS),
                ),
                10,
                IntakeLine,
                title_en="Water intake",
            ),
            Table(
                "water.reused",
                "重复利用水量（循环水、串联水、回用水）",
                (
                    _text("name", ("名称", "Name"), 24),
                    _num("quantity", ("水量", "Quantity of water")),
                    _unit("unit", ("单位", "Unit"), WATER_UNITS),
                ),
                10,
                ReuseLine,
                title_en="Water reused (recirculated, cascaded, recycled)",
            ),
        ),
        "Raw data: water intake and reuse",
        (
            "Water intake, one row per source or meter: the quantity taken, or the opening and closing meter "
            "readings (and the multiplier).",
        ),
    ),
    Sheet(
        WASTE_SHEET,
        "原始数据：工业固体废物",
        ("每种固体废物一行；综合利用量含利用往年贮存量。危险废物单列，不计入一般工业固体废物综合利用率。",),
        (
            Table(
                "waste.streams",
                "固体废物台账",
                (
                    _text("name", ("名称", "Name"), 20),
                    _choice(
                        "category",
                        ("类别", "Category"),
                        (
                            ("一般工业固体废物", "general", "General industrial solid waste"),
                            ("危险废物", "hazardous", "Hazardous waste"),
                        ),
                        16,
                    ),
                    _num("generated", ("产生量", "Generated")),
                    _num("utilised", ("综合利用量", "Utilised")),
                    _num(
                        "utilised_from_storage",
                        ("其中：利用往年贮存量", "Of which from earlier years' storage"),
                    ),
                    _unit("unit", ("单位", "Unit"), UnitRule((D.MASS,))),
                ),
                20,
                WasteStream,
                title_en="Solid waste ledger",
            ),
        ),
        "Raw data: industrial solid waste",
        (
            "One row per kind of solid waste; the quantity utilised includes waste stored in earlier years. "
            "Hazardous waste is listed separately and not counted in the utilisation rate of general "
            "industrial solid waste.",
        ),
    ),
    Sheet(
        LAND_SHEET,
        "原始数据：用地与建筑",
        (
            "建筑物每栋一行；楼层不同时，在下一行留空名称与占地面积，续填楼层。",
            "层高超过 8 m 的楼层，其建筑面积加倍计入容积率。",
        ),
        (
            Group(
                "用地",
                (
                    Scalar("land.site_area", _num("site_area", ("厂区用地面积", "Site area"))),
                    Scalar(
                        "land.site_area_unit",
                        _unit("site_area_unit", ("用地面积单位", "Site area unit"), AREA_UNITS),
                    ),
                    Scalar(
                        "land.area_unit",
                        _unit("area_unit", ("建筑面积单位", "Floor area unit"), AREA_UNITS),
                        "下列建筑物、构筑物、堆场面积的单位",
                        "The unit of the areas of the buildings, structures and yards below",
                    ),
                ),
                "Land",
            ),
            Table(
                "land.buildings",
                "建筑物",
                (
                    _text("name", ("建筑物名称", "Building"), 18),
                    _num("footprint", ("占地面积", "Footprint")),
                    _num(
                        "storeys.floor_area",
                        ("楼层建筑面积", "Storey floor area"),
                        ("每层的建筑面积", "The floor area of each storey"),
                    ),
                    _num("storeys.height_m", ("层高（m）", "Storey height (m)")),
                    _int(
                        "storeys.count",
                        ("相同楼层数", "Identical storeys"),
                        (
                            "面积、层高相同的地上楼层数，不填为 1",
                            "Above-ground storeys of the same area and height; blank: 1",
                        ),
                    ),
                ),
                30,
                Building,
                Shape.BUILDINGS,
                title_en="Buildings",
            ),
            Table(
                "land.structures",
                "构筑物",
                (_text("name", ("名称", "Name"), 18), _num("area", ("占地面积", "Footprint"))),
                10,
                Area,
                title_en="Structures",
            ),
            Table(
                "land.yards",
                "露天堆场、作业场",
                (_text("name", ("名称", "Name"), 18), _num("area", ("面积", "Area"))),
                10,
                Area,
                title_en="Open-air storage and work yards",
            ),
        ),
        "Raw data: land and buildings",
        (
            "One row per building; where storeys differ, leave the name and footprint blank in the next row "
            "and continue with its storeys.",
            "Storeys higher than 8 m count twice their floor area in the plot ratio.",
        ),
    ),
    Sheet(
        HISTORY_SHEET,
        "原始数据：往年排放与产值（碳排放弹性系数）",
        ("填本年之前的年份；本年数值由本年计算结果给出。",),
        (
            Group(
                "单位与年数",
                (
                    Scalar(
                        "history.emissions_unit",
                        _unit("emissions_unit", ("排放量单位", "Emissions unit"), CO2_UNITS),
                    ),
                    Scalar(
                        "history.output_value_unit",
                        _unit("output_value_unit", ("产值单位", "Output value unit"), MONEY_UNITS),
                    ),
                    Scalar(
                        "history.span_years",
                        _int("span_years", ("计算年数", "Years in the calculation")),
                        "不填为 3",
                        "Blank: 3",
                    ),
                ),
                "Units and years",
            ),
            Table(
                "history.years",
                "往年数据",
                (
                    _int("year", ("年份", "Year")),
                    _num("emissions", ("温室气体排放量", "Greenhouse gas emissions")),
                    _num("output_value", ("工业总产值", "Gross industrial output value")),
                ),
                6,
                YearValue,
                Shape.HISTORY,
                title_en="Earlier years",
            ),
        ),
        "Raw data: emissions and output value of earlier years (carbon emission elasticity)",
        ("The years before this year; this year's values come from this year's calculation.",),
    ),
)


def _park_year_check(row: _Row) -> None:
    if "year" not in row.values:
        raise InputError(row.places.get("year", row.start), "缺少“年度”", "missing the year of this row")


PARK_SHEET = PREFIX + "园区"
# a park's raw yearly statistics: the document of `greencore.calc.park.compute_park`
PARK_LAYOUT: tuple[Sheet, ...] = (
    Sheet(
        PARK_SHEET,
        "原始数据：园区各年统计数据",
        (
            "按年度从早到晚逐行填写园区统计年报数据，数量与单位分列；平台据此计算能源产出率、水资源产出率和人均工业增加值。",
            "“数据”表“园区指标数据”中的工业增加值、综合能源消费量、工业用新鲜水量、从业人员数可留空；如填写，须与此处一致。",
        ),
        (
            Group(
                "园区",
                (
                    Scalar("park.name", _text("name", ("园区名称", "Park name"), width=30)),
                    Scalar("park.note", _text("note", ("备注", "Remarks"), width=30)),
                ),
                "Park",
            ),
            Table(
                "years",
                "各年统计数据",
                (
                    _int("year", ("年度", "Year")),
                    _num(
                        "industrial_value_added",
                        ("工业增加值（不变价）", "Industrial value added (constant prices)"),
                    ),
                    _unit("value_added_unit", ("增加值单位", "Value added unit"), MONEY_UNITS),
                    _num("energy_consumption", ("综合能源消费量", "Comprehensive energy consumption")),
                    _unit("energy_unit", ("能耗单位", "Energy unit"), UnitRule((D.STANDARD_COAL,))),
                    _num("fresh_water", ("工业用新鲜水量", "Industrial fresh water")),
                    _unit("water_unit", ("水量单位", "Water unit"), WATER_UNITS),
                    _num("persons", ("工业从业人员数", "Industrial employees")),
                    _unit("persons_unit", ("人数单位", "Persons unit"), UnitRule((D.PERSONS,))),
                ),
                5,
                ParkInput,
                row_check=_park_year_check,
                title_en="Yearly statistics",
            ),
        ),
        "Raw data: the park's yearly statistics",
        (
            "One row per year, oldest first, quantity and unit apart; the platform computes energy and water "
            "productivity and value added per employee from them.",
            "In the data sheet's park table, value added, energy, fresh water and employees may be left "
            "blank; if given they must agree with these.",
        ),
    ),
)
# the sheets of each raw-data calculation a scheme may name
LAYOUTS: dict[str, tuple[Sheet, ...]] = {"factory": LAYOUT, "park": PARK_LAYOUT}


def raw_paths() -> set[str]:
    """Every field of the raw document the sheets can fill (``energy.carriers[].unit``)."""
    paths: set[str] = set()
    for sheet in LAYOUT:
        for block in sheet.blocks:
            if isinstance(block, Group):
                paths.update(s.path for s in block.scalars)
            elif block.shape is Shape.PRODUCTS:
                for column in block.columns:
                    section, _, name = column.id.rpartition(".")
                    for s in (section,) if section else PRODUCT_SECTIONS:
                        paths.add(f"{s}.products[].{name}")
            elif block.shape is Shape.BUILDINGS:
                paths.update(f"{block.path}[].{c.id.replace('.', '[].')}" for c in block.columns)
            elif block.shape is Shape.HISTORY:
                paths.update(
                    f"history.{series}[].{name}"
                    for series in ("emissions", "output_values")
                    for name in ("year", "value")
                )
            else:
                paths.update(f"{block.path}[].{c.id}" for c in block.columns)
    return paths


def fed_by_raw(scheme: Scheme) -> bool:
    """Whether the web form (greencore.raw_form) asks the scheme's raw data: the factory document only.

    A park (``raw_data: park``) has its yearly sheet in the workbook (PARK_LAYOUT) and as JSON, but its
    web form keeps the typed yearly columns the sheet derives (ADR 0006).
    """
    return scheme.raw_data == "factory"


# ---------------------------------------------------------------------------------------------------
# writing


class _Lists:
    """The dropdown lists, one column each of the hidden lists sheet; identical lists share a column."""

    def __init__(self) -> None:
        self.columns: dict[tuple[str, ...], int] = {}

    def formula(self, values: tuple[str, ...]) -> str:
        index = self.columns.setdefault(values, len(self.columns) + 1)
        letter = get_column_letter(index)
        return f"{quote_sheetname(LISTS_SHEET)}!${letter}$1:${letter}${len(values)}"

    def write(self, wb: Workbook) -> None:
        sheet = wb.create_sheet(LISTS_SHEET)
        for values, index in self.columns.items():
            for row, value in enumerate(values, start=1):
                sheet.cell(row=row, column=index, value=value)
        sheet.sheet_state = "hidden"


def _validation(column: Column, lists: _Lists) -> DataValidation | None:
    if column.kind is Kind.NUMBER:
        dv = DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0")
        expected = "不小于 0 的数值"
    elif column.kind is Kind.INTEGER:
        dv = DataValidation(type="whole", operator="greaterThanOrEqual", formula1="1")
        expected = "正整数"
    else:
        offered = column.offered()
        if not offered:
            return None
        dv = DataValidation(type="list", formula1=lists.formula(offered))
        if not column.strict:
            dv.errorStyle = "warning"  # the list is a suggestion: other names or units are accepted
        expected = "下拉列表中的选项" if column.strict else "下拉列表中的选项或其他有效值"
    dv.allow_blank = True
    dv.showErrorMessage = True
    dv.showInputMessage = True
    dv.promptTitle = column.label[:32]
    dv.prompt = (column.help or expected)[:250]
    dv.errorTitle = "输入有误"
    dv.error = f"请填写{expected}"
    return dv


def _input_cell(sheet: Worksheet, row: int, col: int, column: Column) -> None:
    cell = sheet.cell(row=row, column=col)
    cell.fill = INPUT_FILL
    if column.kind not in (Kind.NUMBER, Kind.INTEGER):
        cell.number_format = "@"  # text: Excel must not turn a name like 001 or a unit into a number


def _write_group(sheet: Worksheet, group: Group, row: int, lists: _Lists, widths: dict[int, int]) -> int:
    sheet.cell(row=row, column=1, value="title")
    sheet.cell(row=row, column=2, value=group.title).font = BOLD
    row += 1
    sheet.cell(row=row, column=1, value="head")
    for col, title in enumerate(("项目", "填写值", "说明"), start=2):
        cell = sheet.cell(row=row, column=col, value=title)
        cell.font, cell.fill = BOLD, HEADER_FILL
    widths[2], widths[3] = max(widths.get(2, 0), 20), max(widths.get(3, 0), 22)
    for scalar in group.scalars:
        row += 1
        sheet.cell(row=row, column=1, value=f"field:{scalar.path}")
        sheet.cell(row=row, column=2, value=scalar.column.label)
        _input_cell(sheet, row, 3, scalar.column)
        sheet.cell(row=row, column=4, value=scalar.note or scalar.column.help or None)
        dv = _validation(scalar.column, lists)
        if dv is not None:
            sheet.add_data_validation(dv)
            dv.add(sheet.cell(row=row, column=3))
    return row + 1


def _write_table(sheet: Worksheet, table: Table, row: int, lists: _Lists, widths: dict[int, int]) -> int:
    sheet.cell(row=row, column=1, value="title")
    sheet.cell(row=row, column=2, value=table.title).font = BOLD
    ids, head = row + 1, row + 2
    first, last = head + 1, head + table.rows
    sheet.cell(row=ids, column=1, value=f"fields:{table.path}")
    sheet.row_dimensions[ids].hidden = True
    sheet.cell(row=head, column=1, value="head")
    for col, column in enumerate(table.columns, start=2):
        sheet.cell(row=ids, column=col, value=column.id)
        cell = sheet.cell(row=head, column=col, value=column.label)
        cell.font, cell.fill = BOLD, HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        widths[col] = max(widths.get(col, 0), column.width)
        for r in range(first, last + 1):
            _input_cell(sheet, r, col, column)
        dv = _validation(column, lists)
        if dv is not None:
            sheet.add_data_validation(dv)
            letter = get_column_letter(col)
            dv.add(f"{letter}{first}:{letter}{last}")
    return last + 1


def add_raw_sheets(wb: Workbook, layouts: tuple[Sheet, ...] = LAYOUT) -> None:
    """Add the 原始数据- sheets (and their hidden lists sheet) to a workbook being written."""
    lists = _Lists()
    for layout in layouts:
        sheet = wb.create_sheet(layout.name)
        sheet.column_dimensions["A"].hidden = True
        sheet.cell(row=1, column=1, value="title")
        sheet.cell(row=1, column=2, value=layout.title).font = Font(bold=True, size=14)
        row = 2
        for line in layout.help:
            sheet.cell(row=row, column=1, value="note")
            sheet.cell(row=row, column=2, value=line)
            row += 1
        widths: dict[int, int] = {}
        for block in layout.blocks:
            row += 1  # a blank row between blocks
            if isinstance(block, Group):
                row = _write_group(sheet, block, row, lists, widths)
            else:
                row = _write_table(sheet, block, row, lists, widths)
        for col, width in widths.items():
            sheet.column_dimensions[get_column_letter(col)].width = width
    lists.write(wb)


# ---------------------------------------------------------------------------------------------------
# reading


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _number(value: Any, place: str, column: Column) -> str:
    """A plain decimal string, which the calculation reads exactly (a float by its shortest repr)."""
    number: Decimal | None = None
    if isinstance(value, int | float) and not isinstance(value, bool):
        number = Decimal(repr(value))
    elif isinstance(value, str):
        try:
            number = Decimal(value.strip().replace(",", "").replace("，", ""))
        except InvalidOperation:
            number = None
    if number is None or not number.is_finite():
        raise InputError(
            place, f"“{column.label}”应填数值，而不是 {value!r}", f"expected a number, got {value!r}"
        )
    if number < 0:
        raise InputError(place, f"“{column.label}”不能为负（{value}）", f"negative value {value}")
    return text(number)


def _integer(value: Any, place: str, column: Column) -> int:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    raise InputError(
        place, f"“{column.label}”应填整数，而不是 {value!r}", f"expected an integer, got {value!r}"
    )


def _parse(column: Column, value: Any, place: str) -> Any:
    """One non-blank cell as the raw document holds it; anything the column cannot take is an error."""
    if column.kind is Kind.NUMBER:
        return _number(value, place, column)
    if column.kind is Kind.INTEGER:
        return _integer(value, place, column)
    if column.kind is Kind.BOOL:
        if isinstance(value, bool):
            return value
        word = str(value).strip().lower()
        if word in TRUE_WORDS or word in FALSE_WORDS:
            return word in TRUE_WORDS
        raise InputError(place, f"应填“是”或“否”，而不是 {value!r}", f"expected yes or no, got {value!r}")
    if isinstance(value, bool):
        raise InputError(
            place, f"“{column.label}”应填文字，而不是 {value!r}", f"expected a text, got {value!r}"
        )
    # a name typed as a number (a product called 2024) is still a name, without calamine's ".0"
    word = text(Decimal(repr(value))) if isinstance(value, int | float) else str(value).strip()
    if column.kind is Kind.CHOICE:
        for shown, stored in column.choices:
            if word in (shown, stored):
                return stored
        shown_all = "、".join(column.offered())
        raise InputError(
            place, f"{word!r} 不是可选项（可选：{shown_all}）", f"{word!r} is not one of: {shown_all}"
        )
    if column.kind is Kind.UNIT and column.unit is not None:
        column.unit.check(word, place)
    elif column.check is not None:
        column.check(word, place)
    return word


def _required(record: type[Any]) -> tuple[str, ...]:
    return tuple(
        f.name
        for f in dataclasses.fields(record)
        if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
    )


def _require(table: Table, row: _Row, names: tuple[str, ...], prefix: str = "") -> None:
    for name in names:
        key = prefix + name
        if key not in row.values:
            column = table.column(key)
            label = column.label if column else key
            raise InputError(
                row.places.get(key, row.start), f"缺少“{label}”", f"missing {key} in this row of {table.path}"
            )


def _section(out: dict[str, Any], path: str) -> dict[str, Any]:
    """The object at a dotted path, created as needed."""
    node = out
    for key in path.split(".") if path else ():
        node = node.setdefault(key, {})
    return node


def _put(out: dict[str, Any], path: str, value: Any) -> None:
    parent, _, key = path.rpartition(".")
    _section(out, parent)[key] = value


def _build_products(table: Table, rows: list[_Row], out: dict[str, Any]) -> None:
    for row in rows:
        _require(table, row, ("name", "output", "output_unit"))
        base = {k: v for k, v in row.values.items() if "." not in k}
        found = False
        for section in PRODUCT_SECTIONS:
            part = {
                k.removeprefix(section + "."): v for k, v in row.values.items() if k.startswith(section + ".")
            }
            if part:
                _section(out, section).setdefault("products", []).append({**base, **part})
                found = True
        if not found:
            raise InputError(
                row.places.get("energy.share", row.start),
                "请填写该产品的能耗、碳排放或取水量分摊（比例或计量值）",
                "give the product's share (or allocated amount) of energy, emissions or water",
            )


def _build_buildings(table: Table, rows: list[_Row], out: dict[str, Any]) -> None:
    buildings: list[tuple[dict[str, Any], _Row]] = []
    storey_fields = tuple(f"storeys.{name}" for name in ("floor_area", "height_m", "count"))
    for row in rows:
        head = {k: v for k, v in row.values.items() if k in ("name", "footprint")}
        storey = {k.removeprefix("storeys."): v for k, v in row.values.items() if k in storey_fields}
        if head:
            _require(table, row, ("name", "footprint"))
            buildings.append(({**head, "storeys": []}, row))
        elif not buildings:
            raise InputError(
                row.places.get("name", row.start),
                "续填楼层之前须先填写建筑物名称与占地面积",
                "a storey row needs a building (name and footprint) above it",
            )
        if storey:
            _require(table, row, _required(Storey), "storeys.")
            buildings[-1][0]["storeys"].append(storey)
    for building, first in buildings:
        if not building["storeys"]:
            raise InputError(
                first.places.get("storeys.floor_area", first.start),
                "每栋建筑物至少填写一层地上楼层（楼层建筑面积、层高）",
                "give at least one above-ground storey",
            )
    if buildings:
        _section(out, "land")["buildings"] = [b for b, _ in buildings]


def _build_history(table: Table, rows: list[_Row], out: dict[str, Any]) -> None:
    series: dict[str, list[dict[str, Any]]] = {"emissions": [], "output_values": []}
    for row in rows:
        _require(table, row, ("year",))
        if len(row.values) == 1:
            raise InputError(
                row.places.get("emissions", row.start),
                "请填写该年的排放量或产值",
                "give the year's emissions or output value",
            )
        for column_id, key in (("emissions", "emissions"), ("output_value", "output_values")):
            if column_id in row.values:
                series[key].append({"year": row.values["year"], "value": row.values[column_id]})
    for key, values in series.items():
        if values:
            _section(out, "history")[key] = values


def _build(table: Table, rows: list[_Row], out: dict[str, Any]) -> None:
    if table.shape is Shape.PRODUCTS:
        _build_products(table, rows, out)
    elif table.shape is Shape.BUILDINGS:
        _build_buildings(table, rows, out)
    elif table.shape is Shape.HISTORY:
        _build_history(table, rows, out)
    elif rows:
        required = _required(table.record) if table.record else ()
        for row in rows:
            _require(table, row, required)
        parent, _, key = table.path.rpartition(".")
        _section(out, parent)[key] = [row.values for row in rows]


def _read_sheet(layout: Sheet, cells: list[list[Any]], out: dict[str, Any]) -> None:
    tables = {b.path: b for b in layout.blocks if isinstance(b, Table)}
    scalars = {s.path: s for b in layout.blocks if isinstance(b, Group) for s in b.scalars}
    collected: dict[str, list[_Row]] = {}
    table: Table | None = None
    columns: list[tuple[int, Column]] = []

    def place(row: int, col: int) -> str:
        return f"{layout.name}!{get_column_letter(col + 1)}{row}"

    for r, values in enumerate(cells, start=1):
        mark = str(values[0]).strip() if values and not _blank(values[0]) else ""
        if mark.startswith("fields:"):
            path = mark.removeprefix("fields:")
            table = tables.get(path)
            if table is None:
                raise InputError(place(r, 0), f"未知数据表 {path}", f"unknown table {path}")
            columns = []
            for c, column_id in enumerate(values[1:], start=1):
                if _blank(column_id):
                    continue
                column = table.column(str(column_id).strip())
                if column is None:
                    raise InputError(place(r, c), f"未知编号 {column_id}", f"unknown field id {column_id}")
                columns.append((c, column))
            collected.setdefault(path, [])
        elif mark.startswith("field:"):
            table = None
            path = mark.removeprefix("field:")
            scalar = scalars.get(path)
            if scalar is None:
                raise InputError(place(r, 0), f"未知编号 {path}", f"unknown field id {path}")
            value = values[2] if len(values) > 2 else None
            if not _blank(value):
                _put(out, path, _parse(scalar.column, value, place(r, 2)))
        elif mark == "title":
            table = None
        elif mark in ("head", "note"):
            continue
        elif mark:
            raise InputError(place(r, 0), f"未知行标记 {mark}", f"unknown row mark {mark}")
        elif table is not None and columns:
            row = _Row(start=place(r, columns[0][0]))
            for c, column in columns:
                row.places[column.id] = place(r, c)
                value = values[c] if c < len(values) else None
                if not _blank(value):
                    row.values[column.id] = _parse(column, value, place(r, c))
            if row.values:
                if table.row_check is not None:
                    table.row_check(row)
                collected[table.path].append(row)
    for path, rows in collected.items():
        _build(tables[path], rows, out)


def read_raw_sheets(path: Path) -> dict[str, Any] | None:
    """The raw document (shaped as examples/factory-raw.json or park-raw.json) of a filled workbook, or
    None when the workbook has no 原始数据- sheet or nothing in them is filled. Errors name the sheet and
    cell."""
    from python_calamine import CalamineWorkbook

    try:
        wb = CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine raises its own error types for corrupt or foreign files
        raise InputError(str(path), f"无法读取工作簿（{exc}）", f"cannot read the workbook ({exc})") from None
    out: dict[str, Any] = {}
    for layout in (*LAYOUT, *PARK_LAYOUT):
        if layout.name in wb.sheet_names:
            _read_sheet(layout, wb.get_sheet_by_name(layout.name).to_python(skip_empty_area=False), out)
    return out or None
