"""Industry benchmark values: a sheet's rows checked (row, column, reason), and the value that applies to a
unit's GB/T 4754 code (longest prefix, the product's own, the latest year not after the call's)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st
from openpyxl import Workbook

from greencore import (
    BENCHMARK_COLUMNS,
    BenchmarkValue,
    RowLimits,
    RowProblem,
    benchmark_inputs,
    check_benchmark_rows,
    get_scheme,
    limit_columns,
    limit_table_products,
    match_benchmarks,
    match_benchmarks_up_tree,
    match_limits_up_tree,
    match_product_limits,
    normalise_product,
    read_benchmark_workbook,
)

INPUTS = {"carbon_intensity_base", "carbon_intensity_lead", "water_reuse_base"}
SOURCE = "工信部《绿色工厂评价要求（行业）》表2 第3行"


def row(*cells: object) -> list[object]:
    return list(cells)


def test_a_clean_sheet_gives_its_values() -> None:
    rows = [
        list(BENCHMARK_COLUMNS),
        row("26", "", 2025.0, "carbon_intensity_base", 1.25, "kgCO2/万元", SOURCE, "V"),
        row(None, None, None, None, None, None, None, None),  # an empty row is skipped
        row("2611", "烧碱", "2024", "carbon_intensity_lead", "0.8", "kgCO2/万元", SOURCE, "S"),
    ]
    values, problems = check_benchmark_rows(rows, INPUTS)
    assert problems == []
    assert values == [
        BenchmarkValue("26", "", 2025, "carbon_intensity_base", Decimal("1.25"), "kgCO2/万元", SOURCE, "V"),
        BenchmarkValue(
            "2611", "烧碱", 2024, "carbon_intensity_lead", Decimal("0.8"), "kgCO2/万元", SOURCE, "S"
        ),
    ]


def test_every_bad_cell_is_named_by_row_and_column() -> None:
    rows = [
        list(BENCHMARK_COLUMNS),
        row("C26", "", "二〇二五", "carbon_intensity_base", "1", "", SOURCE, "V"),
        row("26", "", "2025", "no_such_input", "-1", "", "", "X"),
        row("26", "", "2025", "water_reuse_base", "abc", "%", SOURCE, "R"),
        row("26", "", "2025", "carbon_intensity_base", "2", "", SOURCE, "V"),
        row("26", "", "2025", "carbon_intensity_base", "3", "", SOURCE, "V"),
    ]
    values, problems = check_benchmark_rows(rows, INPUTS)
    assert [(p.row, p.column) for p in problems] == [
        (2, "行业代码"),
        (2, "年份"),
        (3, "指标"),
        (3, "数值"),
        (3, "来源"),
        (3, "标记"),
        (4, "数值"),
        (6, "指标"),
    ]
    assert problems[-1] == RowProblem(6, "指标", "与第 5 行重复", "repeats row 5")
    assert problems[2].zh == "“no_such_input”不是评价方案中的基准值指标"
    assert len(values) == 1  # the caller stores nothing while there is a problem


def test_a_wrong_header_is_refused_whole() -> None:
    values, problems = check_benchmark_rows([["行业", "年份"], ["26", "2025"]], INPUTS)
    assert values == []
    assert [(p.row, p.column) for p in problems] == [(1, "")]
    assert problems[0].zh.startswith("表头应依次为：行业代码、产品、年份")


def test_the_national_factory_scheme_names_its_benchmark_inputs() -> None:
    inputs = benchmark_inputs(get_scheme("factory-gbt36132-2025"))
    assert inputs["carbon_intensity_base"] == "kgCO2/万元"
    assert inputs["water_reuse_lead"] == "%"
    assert "unit_energy" not in inputs and "energy_products" not in inputs  # data, a table


def test_read_from_an_xlsx(tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(list(BENCHMARK_COLUMNS))
    sheet.append(["26", None, 2025, "carbon_intensity_base", 1.5, "kgCO2/万元", SOURCE, "V"])
    sheet.append(["26", None, 2025, "carbon_intensity_lead", "一点二", "kgCO2/万元", SOURCE, "V"])
    path = tmp_path / "benchmarks.xlsx"
    book.save(path)
    values, problems = read_benchmark_workbook(path, INPUTS)
    assert [v.value for v in values] == [Decimal("1.5")]
    assert problems == [RowProblem(3, "数值", "“一点二”不是数字", "'一点二' is not a number")]


def value(industry: str, year: int, amount: str, product: str = "") -> BenchmarkValue:
    return BenchmarkValue(industry, product, year, "carbon_intensity_base", Decimal(amount), "", SOURCE, "V")


def test_the_most_specific_code_then_the_product_then_the_latest_year() -> None:
    values = [
        value("26", 2025, "10"),
        value("261", 2023, "8"),
        value("261", 2024, "7"),
        value("261", 2026, "6"),  # after the call's year
        value("261", 2020, "5", product="烧碱"),
        value("2611", 2025, "4", product="纯碱"),  # another product
        value("27", 2025, "1"),  # another industry
    ]
    assert match_benchmarks(values, "2611", 2025)["carbon_intensity_base"].value == Decimal("7")
    assert match_benchmarks(values, "2611", 2025, {"烧碱"})["carbon_intensity_base"].value == Decimal("5")
    assert match_benchmarks(values, "2620", 2025)["carbon_intensity_base"].value == Decimal("10")
    # in 2022 nothing is published yet for the industry; 烧碱's 2020 value serves its makers only
    assert match_benchmarks(values, "2611", 2022) == {}
    assert match_benchmarks(values, "2611", 2022, {"烧碱"}) == {"carbon_intensity_base": values[4]}
    assert match_benchmarks(values, "3011", 2025) == {}


codes = st.from_regex(r"[0-9]{2,4}", fullmatch=True)


@given(
    st.lists(st.tuples(codes, st.integers(2018, 2030), st.sampled_from(["", "烧碱", "纯碱"])), max_size=12),
    st.from_regex(r"[0-9]{4}", fullmatch=True),
    st.integers(2018, 2030),
)
def test_a_chosen_value_always_applies_and_none_beats_it(
    specs: list[tuple[str, int, str]], industry: str, year: int
) -> None:
    values = [value(code, y, str(n), product) for n, (code, y, product) in enumerate(specs)]
    chosen = match_benchmarks(values, industry, year, {"烧碱"}).get("carbon_intensity_base")
    applicable = [
        v for v in values if industry.startswith(v.industry) and v.year <= year and v.product in ("", "烧碱")
    ]
    if chosen is None:
        assert applicable == []
        return
    assert chosen in applicable
    rank = (len(chosen.industry), bool(chosen.product), chosen.year)
    assert all((len(v.industry), bool(v.product), v.year) <= rank for v in applicable)


def test_up_the_tree_the_nearest_bureau_with_a_value_wins() -> None:
    def value(industry: str, year: int, input_id: str, number: str) -> BenchmarkValue:
        return BenchmarkValue(industry, "", year, input_id, Decimal(number), "", "src", "V")

    city = [value("34", 2026, "a", "1")]
    province = [value("34", 2026, "a", "2"), value("34", 2020, "b", "3")]
    ministry = [value("3411", 2026, "b", "4"), value("34", 2026, "c", "5")]
    found = match_benchmarks_up_tree([city, province, ministry], "3411", 2026)
    assert {k: (depth, v.value) for k, (depth, v) in found.items()} == {
        "a": (0, Decimal("1")),
        "b": (1, Decimal("3")),  # the province's older, broader value before the ministry's exact one
        "c": (2, Decimal("5")),
    }
    assert match_benchmarks_up_tree([], "34", 2026) == {}


def test_energy_limit_grades_and_water_quotas_are_per_product_table_columns() -> None:
    columns = limit_columns(get_scheme("factory-gbt36132-2025@2025.1"))
    assert columns == {
        "products.limit_grade1": "kgce/产品单位",
        "products.limit_grade2": "kgce/产品单位",
        "water_products.quota_lead": "m³/产品单位",
        "water_products.quota_base": "m³/产品单位",
    }
    rows = [
        list(BENCHMARK_COLUMNS),
        ["3110", "粗钢", 2026, "products.limit_grade1", 395, "kgce/t", "GB 21256-2013 表1", "S"],
        ["3110", "", 2026, "products.limit_grade2", 435, "kgce/t", "GB 21256-2013 表1", "S"],
        ["3110", "粗钢", 2026, "products.limit_grade3", 1, "kgce/t", "GB 21256-2013 表1", "S"],
    ]
    values, problems = check_benchmark_rows(rows, set(columns))
    assert [(v.product, v.input_id, v.value) for v in values] == [
        ("粗钢", "products.limit_grade1", Decimal(395))
    ]
    assert [(p.row, p.column, p.zh) for p in problems] == [
        (3, "产品", "能耗限额等级和取水定额按产品给出，须填写产品"),
        (4, "指标", "“products.limit_grade3”不是评价方案中的基准值指标"),
    ]


def limit(industry: str, year: int, product: str, input_id: str, amount: str) -> BenchmarkValue:
    return BenchmarkValue(industry, product, year, input_id, Decimal(amount), "kgce/t", "GB 21256", "V")


def test_a_product_name_is_compared_without_width_spaces_or_case() -> None:
    assert normalise_product("水泥熟料 （P·O 42.5）") == "水泥熟料(p·o42.5)"
    assert normalise_product("\u3000ＡＢＣ\t钢 ") == "abc钢"
    assert normalise_product("粗钢") == "粗钢"


def test_a_products_limit_exact_name_first_then_the_code_then_the_latest_year() -> None:
    grade1 = "products.limit_grade1"
    values = [
        limit("31", 2024, "粗钢", grade1, "400"),
        limit("3110", 2020, "粗 钢", grade1, "390"),  # a more specific code, but only the same after folding
        limit("3110", 2026, "粗钢", grade1, "380"),  # after the call's year
        limit("31", 2025, "粗钢", grade1, "395"),
        limit("31", 2025, "粗钢", "products.limit_grade2", "435"),
        limit("31", 2025, "生铁", grade1, "360"),  # another product
        limit("32", 2025, "粗钢", grade1, "1"),  # another industry
        BenchmarkValue("31", "", 2025, "carbon_intensity_base", Decimal(5), "", "x", "V"),  # not a limit
    ]
    found = match_product_limits(values, "3110", 2025, "粗钢")
    assert {k: v.value for k, v in found.items()} == {
        "products.limit_grade1": Decimal("395"),
        "products.limit_grade2": Decimal("435"),
    }
    # written differently by the enterprise: the folded name matches, the most specific code wins
    assert match_product_limits(values, "3110", 2025, "粗  钢")[grade1].value == Decimal("390")
    assert match_product_limits(values, "3110", 2023, "粗钢") == {grade1: values[1]}
    assert match_product_limits(values, "3110", 2025, "") == {}
    assert match_product_limits(values, "3310", 2025, "粗钢") == {}


@given(
    st.lists(
        st.tuples(
            codes, st.integers(2018, 2030), st.sampled_from(["粗钢", "粗 钢", "ＡＢ钢", "ab钢", "生铁"])
        ),
        max_size=12,
    ),
    st.from_regex(r"[0-9]{4}", fullmatch=True),
    st.integers(2018, 2030),
    st.sampled_from(["粗钢", "AB钢"]),
)
def test_a_chosen_limit_always_applies_and_none_beats_it(
    specs: list[tuple[str, int, str]], industry: str, year: int, product: str
) -> None:
    values = [
        limit(code, y, name, "products.limit_grade1", str(n)) for n, (code, y, name) in enumerate(specs)
    ]
    chosen = match_product_limits(values, industry, year, product).get("products.limit_grade1")
    applicable = [
        v
        for v in values
        if industry.startswith(v.industry)
        and v.year <= year
        and normalise_product(v.product) == normalise_product(product)
    ]
    if chosen is None:
        assert applicable == []
        return
    assert chosen in applicable

    def rank(v: BenchmarkValue) -> tuple[bool, int, int]:
        return (v.product == product, len(v.industry), v.year)

    assert all(rank(v) <= rank(chosen) for v in applicable)


def test_each_rows_limits_come_from_the_nearest_bureau_that_holds_them() -> None:
    city = [limit("31", 2025, "粗钢", "products.limit_grade1", "390")]
    province = [
        limit("31", 2025, "粗钢", "products.limit_grade1", "395"),
        limit("31", 2025, "粗钢", "products.limit_grade2", "435"),
        limit("31", 2025, "粗钢", "water_products.quota_base", "4.9"),
        limit("31", 2025, "粗钢", "water_products.quota_lead", "3.6"),
    ]
    rows = match_limits_up_tree(
        [city, province], "3110", 2025, {"products": ["粗钢", "钢坯"], "water_products": ["粗钢"]}
    )
    assert [
        (r.table, r.row, r.product, {c: (d, v.value) for c, (d, v) in r.values.items()}) for r in rows
    ] == [
        ("products", 0, "粗钢", {"limit_grade1": (0, Decimal("390")), "limit_grade2": (1, Decimal("435"))}),
        ("products", 1, "钢坯", {}),
        ("water_products", 0, "粗钢", {"quota_base": (1, Decimal("4.9")), "quota_lead": (1, Decimal("3.6"))}),
    ]
    assert match_limits_up_tree([], "3110", 2025, {"products": ["粗钢"]}) == [
        RowLimits("products", 0, "粗钢", {})
    ]


def test_the_rows_of_the_tables_are_the_raw_products_of_their_section() -> None:
    # one raw row a product; 铸件 shares only the energy, 齿轮箱 only the water
    fields = {
        "t:products:0:name": "铸件",
        "t:products:0:output": "5",
        "t:products:0:output_unit": "t",
        "t:products:0:energy.share": "60",
        "t:products:1:name": "齿轮箱",
        "t:products:1:output": "7",
        "t:products:1:output_unit": "台",
        "t:products:1:water.share": "100",
    }
    assert limit_table_products(fields) == {"products": ["铸件"], "water_products": ["齿轮箱"]}
    assert limit_table_products({}) == {"products": [], "water_products": []}
