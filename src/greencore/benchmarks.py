"""Industry benchmark values (基准值/引领值, energy-limit grades, water quotas) as reference data.

MIIT publishes the 基准值 and 引领值 of the green-factory indicators per GB/T 4754 industry (and, for
some, per product: the energy-limit grades of GB 能耗限额 standards, the water quotas of 用水定额). A
bureau keeps them in one sheet, one value a row; a call fills an application's benchmark inputs (scheme
inputs of role ``benchmark``) from them by the unit's industry, so that an enterprise never types them.

Two pure parts live here: checking a sheet's rows (every problem with its row, column and reason; the
platform stores nothing when there is one), and choosing, for an industry code, the value that applies
(the longest GB/T 4754 code prefix, then the product's own value over the industry's, then the latest year
not after the call's).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from greencore.raw_form import raw_from_fields
from greencore.standards.model import Scheme
from greencore.workbook_safety import open_workbook

# the sheet's columns, in order, as the bureau's template names them
BENCHMARK_COLUMNS: tuple[str, ...] = (
    "行业代码",
    "产品",
    "年份",
    "指标",
    "数值",
    "单位",
    "来源",
    "标记",
)
BENCHMARK_MARKS: tuple[str, ...] = ("V", "S", "R")
# GB/T 4754-2017: 大类 2 digits, 中类 3, 小类 4; a value applies to every code below its own
_INDUSTRY = re.compile(r"^[0-9]{2,4}$")
_INPUT = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)?$")
# The energy-limit grades (能耗限额等级, GB 能耗限额 standards: grade 1 the lead, grade 2 the base) and the
# water quotas (取水定额, GB/T 18916: advanced and general values) are columns of the per-product tables of
# the factory schemes. They are kept in the same sheet as `table.column` ids, one value per product: a
# grade belongs to a product, never to a whole industry.
LIMIT_COLUMNS: dict[str, tuple[str, ...]] = {
    "products": ("limit_grade1", "limit_grade2"),
    "water_products": ("quota_lead", "quota_base"),
}
# The rows of those tables are the raw data's products of one section, in order (the calculation's
# per-product figures of that section fill the table's other columns row by row).
LIMIT_SECTIONS: dict[str, str] = {"products": "energy", "water_products": "water"}
_FIRST_YEAR, _LAST_YEAR = 2000, 2100


@dataclass(frozen=True)
class BenchmarkValue:
    """One published value: for `industry` (a GB/T 4754 code prefix) and, if given, one `product`, from
    `year` on, the scheme input `input_id` takes `value` (in `unit`). `source` names the document and
    article; `mark` is V (verified against the published text), S (secondary source) or R (placeholder)."""

    industry: str
    product: str
    year: int
    input_id: str
    value: Decimal
    unit: str
    source: str
    mark: str


@dataclass(frozen=True)
class RowProblem:
    """Why one cell of the sheet is refused: its row (as Excel numbers it), its column title, the reason."""

    row: int
    column: str
    zh: str
    en: str


def _text(cell: Any) -> str:
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell).strip()


def check_benchmark_rows(
    rows: Sequence[Sequence[Any]], inputs: Collection[str]
) -> tuple[list[BenchmarkValue], list[RowProblem]]:
    """The values of a sheet (`rows` from A1: a header row, then one value a row), and every problem.

    `inputs` are the scheme input ids a value may fill (role ``benchmark``, or the columns of the energy
    limit and water quota tables). Empty rows are skipped; two rows for the same industry, product, year
    and indicator are refused (which one would count?)."""
    problems: list[RowProblem] = []
    if not rows:
        return [], [RowProblem(1, "", "工作表为空", "the sheet is empty")]
    header = [_text(cell) for cell in rows[0]]
    if header[: len(BENCHMARK_COLUMNS)] != list(BENCHMARK_COLUMNS):
        expected = "、".join(BENCHMARK_COLUMNS)
        return [], [
            RowProblem(1, "", f"表头应依次为：{expected}", f"the header must read, in order: {expected}")
        ]
    values: list[BenchmarkValue] = []
    seen: dict[tuple[str, str, int, str], int] = {}
    for number, raw in enumerate(rows[1:], start=2):
        cells = [_text(cell) for cell in raw[: len(BENCHMARK_COLUMNS)]]
        cells += [""] * (len(BENCHMARK_COLUMNS) - len(cells))
        if not any(cells):
            continue
        industry, product, year_text, input_id, value_text, unit, source, mark = cells
        before = len(problems)

        def refuse(column: str, zh: str, en: str, row: int = number) -> None:
            problems.append(RowProblem(row, column, zh, en))

        if not _INDUSTRY.match(industry):
            refuse(
                "行业代码", "应为 GB/T 4754 大类、中类或小类代码（2–4 位数字）", "a 2–4 digit GB/T 4754 code"
            )
        year = 0
        try:
            year = int(year_text)
        except ValueError:
            refuse("年份", "应为年份，如 2025", "a year, e.g. 2025")
        else:
            if not _FIRST_YEAR <= year <= _LAST_YEAR:
                refuse(
                    "年份", f"应在 {_FIRST_YEAR}–{_LAST_YEAR} 之间", f"between {_FIRST_YEAR} and {_LAST_YEAR}"
                )
        if not input_id:
            refuse("指标", "不能为空", "required")
        elif not _INPUT.match(input_id) or input_id not in inputs:
            refuse(
                "指标", f"“{input_id}”不是评价方案中的基准值指标", f"{input_id!r} is not a benchmark input"
            )
        elif "." in input_id and not product:
            refuse(
                "产品",
                "能耗限额等级和取水定额按产品给出，须填写产品",
                "energy-limit grades and water quotas are per product: name the product",
            )
        number_value = Decimal(0)
        try:
            number_value = Decimal(value_text)
        except InvalidOperation:
            refuse("数值", f"“{value_text}”不是数字", f"{value_text!r} is not a number")
        else:
            if not number_value.is_finite() or number_value < 0:
                refuse("数值", "应为非负数", "must be a non-negative number")
        if not source:
            refuse("来源", "须注明来源文件和条款", "name the source document and article")
        if mark not in BENCHMARK_MARKS:
            refuse("标记", "应为 V（已核实）、S（二手来源）或 R（待核实）", "V, S or R")
        if len(problems) > before:
            continue
        key = (industry, product, year, input_id)
        if key in seen:
            refuse("指标", f"与第 {seen[key]} 行重复", f"repeats row {seen[key]}")
            continue
        seen[key] = number
        values.append(BenchmarkValue(industry, product, year, input_id, number_value, unit, source, mark))
    return values, problems


def benchmark_inputs(scheme: Scheme) -> dict[str, str]:
    """The inputs of `scheme` a benchmark table fills (role ``benchmark``, not tables): id -> unit."""
    return {i.id: i.unit for i in scheme.inputs if i.role == "benchmark" and not i.is_table}


def limit_columns(scheme: Scheme) -> dict[str, str]:
    """The energy-limit and water-quota columns of `scheme`'s tables (`LIMIT_COLUMNS`), as the sheet
    names them (``table.column``) -> unit."""
    found: dict[str, str] = {}
    for table in scheme.inputs:
        for column in table.columns:
            if column.id in LIMIT_COLUMNS.get(table.id, ()):
                found[f"{table.id}.{column.id}"] = column.unit
    return found


def read_benchmark_workbook(
    path: Path, inputs: Collection[str]
) -> tuple[list[BenchmarkValue], list[RowProblem]]:
    """`check_benchmark_rows` over the first sheet of an untrusted .xlsx (checked by workbook_safety
    first: `InputError` for a file that is not one)."""
    book = open_workbook(path)
    if not book.sheet_names:
        return [], [RowProblem(1, "", "工作簿没有工作表", "the workbook has no sheet")]
    return check_benchmark_rows(book.rows(book.sheet_names[0]), inputs)


def match_benchmarks(
    values: Iterable[BenchmarkValue], industry: str, year: int, products: Collection[str] = ()
) -> dict[str, BenchmarkValue]:
    """For a unit of GB/T 4754 code `industry` in a call of `year`: the value each input takes.

    A value applies when its code is a prefix of the unit's and its year is not after the call's; among
    those, the most specific code wins, then a value for one of the unit's `products` over the industry's
    own, then the latest year. Values for another product never apply."""
    best: dict[str, tuple[tuple[int, int, int], BenchmarkValue]] = {}
    # in product order, so that a tie (two of the unit's products) always resolves the same way
    for value in sorted(values, key=lambda v: v.product):
        if not industry.startswith(value.industry) or value.year > year:
            continue
        if value.product and value.product not in products:
            continue
        rank = (len(value.industry), 1 if value.product else 0, value.year)
        held = best.get(value.input_id)
        if held is None or rank > held[0]:
            best[value.input_id] = (rank, value)
    return {input_id: value for input_id, (_, value) in sorted(best.items())}


def match_benchmarks_up_tree(
    layers: Sequence[Iterable[BenchmarkValue]], industry: str, year: int, products: Collection[str] = ()
) -> dict[str, tuple[int, BenchmarkValue]]:
    """`match_benchmarks` over the values of a call's bureau and of the bureaus above it: `layers[0]` are
    the call's own bureau's values, then its parent's (a city's province), and so on up to the ministry.

    Each input takes its value from the nearest layer that has one that applies: a city that imported its
    own energy benchmark keeps it, and an input it never imported falls back to the province's value,
    then to the ministry's. Within a layer `match_benchmarks` chooses. Returns, per input id, the layer
    the value came from (0: the bureau itself) and the value."""
    found: dict[str, tuple[int, BenchmarkValue]] = {}
    for depth, values in enumerate(layers):
        for input_id, value in match_benchmarks(values, industry, year, products).items():
            found.setdefault(input_id, (depth, value))
    return dict(sorted(found.items()))


def normalise_product(name: str) -> str:
    """A product name as compared with the bureau's sheet: NFKC (full-width letters, digits and brackets
    become half-width: “（”→“(”), every white space removed, letters case-folded. An enterprise writes
    “水泥熟料 （P·O 42.5）” where the sheet says “水泥熟料(p·o42.5)”: the same product."""
    return "".join(unicodedata.normalize("NFKC", name).split()).casefold()


@dataclass(frozen=True)
class RowLimits:
    """One row of a per-product table (`table`, `row` from 0) for the product named `product`: per column
    id, the layer the reference value came from (0: the call's bureau) and the value. Empty `values`: the
    bureaus hold none for the product, and the enterprise types the row's limits itself."""

    table: str
    row: int
    product: str
    values: Mapping[str, tuple[int, BenchmarkValue]]


def match_product_limits(
    values: Iterable[BenchmarkValue], industry: str, year: int, product: str
) -> dict[str, BenchmarkValue]:
    """The energy-limit grades and water quotas (``table.column`` ids) one bureau holds for `product` of
    a unit of GB/T 4754 code `industry` in a call of `year`.

    A value applies when its product is the same name after `normalise_product`, its code is a prefix of
    the unit's and its year is not after the call's; among those, the exact name wins over a normalised
    one, then the most specific code, then the latest year."""
    wanted = normalise_product(product)
    best: dict[str, tuple[tuple[int, int, int], BenchmarkValue]] = {}
    if not wanted:
        return {}
    for value in values:
        if "." not in value.input_id or not value.product:
            continue
        if not industry.startswith(value.industry) or value.year > year:
            continue
        if normalise_product(value.product) != wanted:
            continue
        rank = (1 if value.product == product else 0, len(value.industry), value.year)
        held = best.get(value.input_id)
        if held is None or rank > held[0]:
            best[value.input_id] = (rank, value)
    return {input_id: value for input_id, (_, value) in sorted(best.items())}


def match_limits_up_tree(
    layers: Sequence[Iterable[BenchmarkValue]],
    industry: str,
    year: int,
    products: Mapping[str, Sequence[str]],
) -> list[RowLimits]:
    """Every row of the per-product tables (`products`: table id -> the product named on each row) with
    the reference values of its limit columns (`LIMIT_COLUMNS`): each column from the nearest layer that
    holds one for the product (`layers` as in `match_benchmarks_up_tree`), chosen within the layer by
    `match_product_limits`."""
    materialised = [list(layer) for layer in layers]
    rows: list[RowLimits] = []
    for table, names in sorted(products.items()):
        columns = LIMIT_COLUMNS.get(table, ())
        for index, name in enumerate(names):
            found: dict[str, tuple[int, BenchmarkValue]] = {}
            for depth, values in enumerate(materialised):
                for input_id, value in match_product_limits(values, industry, year, name).items():
                    column = input_id.partition(".")[2]
                    if input_id.startswith(f"{table}.") and column in columns:
                        found.setdefault(column, (depth, value))
            rows.append(RowLimits(table, index, name, dict(sorted(found.items()))))
    return rows


def limit_table_products(raw_fields: Mapping[str, str]) -> dict[str, list[str]]:
    """The product named on each row of the per-product tables, from the raw-data form fields: the raw
    products that give a share (or a metered amount) of the table's section, in their order — the rows
    the calculation fills the table with. A products table the raw form refuses names no product."""
    document = raw_from_fields(raw_fields).document
    out: dict[str, list[str]] = {}
    for table, section in LIMIT_SECTIONS.items():
        part = document.get(section)
        products = part.get("products") if isinstance(part, dict) else None
        out[table] = [str(p.get("name") or "") for p in products or [] if isinstance(p, dict)]
    return out
