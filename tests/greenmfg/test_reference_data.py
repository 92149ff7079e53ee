"""Reference data (regions, industries, national lists) and the national-list parser. No Django."""

from __future__ import annotations

import csv
import hashlib
import importlib.util
import json
from collections import Counter
from datetime import date
from pathlib import Path
from types import ModuleType

import pytest

from greenmfg.reference.national_lists import (
    FILE_NAMES,
    REQUIRED_COLUMNS,
    NationalListImport,
    load_regions,
    read_national_list,
    read_national_lists,
    resolve_province,
)

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "src" / "greenmfg" / "reference" / "data"
LISTS = DATA / "national-lists"


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


# --------------------------------------------------------------------------------------------------
# regions.csv


@pytest.fixture(scope="module")
def regions_rows() -> list[dict[str, str]]:
    return _rows(DATA / "regions.csv")


@pytest.fixture(scope="module")
def regions() -> dict[str, str]:
    return load_regions(DATA / "regions.csv")


def test_regions_counts(regions_rows: list[dict[str, str]]) -> None:
    levels = Counter(r["level"] for r in regions_rows)
    assert levels == {"province": 31, "city": 342, "county": 2975}
    assert len(regions_rows) == 3348


def test_regions_31_provinces_no_hk_macau_taiwan(regions_rows: list[dict[str, str]]) -> None:
    provinces = {r["code"]: r["name"] for r in regions_rows if r["level"] == "province"}
    assert len(provinces) == 31
    assert provinces["320000"] == "江苏省"
    assert provinces["110000"] == "北京市"
    assert provinces["650000"] == "新疆维吾尔自治区"
    assert provinces["540000"] == "西藏自治区"
    assert not {"710000", "810000", "820000"} & provinces.keys()
    assert all(r["parent_code"] == "" for r in regions_rows if r["level"] == "province")


def test_regions_known_codes(regions_rows: list[dict[str, str]]) -> None:
    by_code = {r["code"]: r for r in regions_rows}
    assert (by_code["320500"]["name"], by_code["320500"]["level"], by_code["320500"]["parent_code"]) == (
        "苏州市",
        "city",
        "320000",
    )
    assert (by_code["320506"]["name"], by_code["320506"]["parent_code"]) == ("吴中区", "320500")
    assert (by_code["371000"]["name"], by_code["371000"]["parent_code"]) == ("威海市", "370000")
    # 直辖市 placeholders kept as the package names them
    assert by_code["110100"]["name"] == "市辖区"
    assert by_code["500200"]["name"] == "县"
    # 省直辖县级行政区划 and its members
    assert by_code["429000"]["name"] == "省直辖县级行政区划"
    assert by_code["429004"]["name"] == "仙桃市"
    assert by_code["429004"]["parent_code"] == "429000"
    # 不设区的地级市: one city row, no duplicate county row
    assert (by_code["441900"]["name"], by_code["441900"]["level"]) == ("东莞市", "city")


def test_regions_codes_unique_parents_exist_and_nest(regions_rows: list[dict[str, str]]) -> None:
    codes = [r["code"] for r in regions_rows]
    assert len(codes) == len(set(codes))
    assert codes == sorted(codes)
    assert all(len(c) == 6 and c.isdigit() for c in codes)
    by_code = {r["code"]: r for r in regions_rows}
    expected_parent_level = {"city": "province", "county": "city"}
    for row in regions_rows:
        if row["level"] == "province":
            continue
        parent = by_code[row["parent_code"]]
        assert parent["level"] == expected_parent_level[row["level"]], row
        prefix = 2 if row["level"] == "city" else 4
        assert row["code"][:prefix] == parent["code"][:prefix], row


def test_load_regions_lookup(regions: dict[str, str]) -> None:
    assert regions["江苏省"] == "320000"
    assert regions["江苏"] == "320000"
    assert regions["内蒙古"] == "150000"
    assert regions["广西"] == "450000"
    assert regions["新疆"] == "650000"
    assert regions["苏州"] == "320500"
    assert regions["苏州市"] == "320500"
    assert regions["吉林"] == "220000"  # the province wins over 吉林市
    assert regions["景泰"] == "620423"
    assert "朝阳区" not in regions  # 北京 and 长春 both have one
    assert "市辖区" not in regions


def _load_build_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("build_regions", ROOT / "scripts" / "build_regions.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_build_regions_script_pads_and_drops_duplicate_city_rows(tmp_path: Path) -> None:
    build = _load_build_script()
    dist = tmp_path / "package" / "dist"
    dist.mkdir(parents=True)
    (dist / "provinces.json").write_text(
        json.dumps([{"code": "44", "name": "广东省"}, {"code": "11", "name": "北京市"}]), encoding="utf-8"
    )
    (dist / "cities.json").write_text(
        json.dumps(
            [
                {"code": "4419", "name": "东莞市", "provinceCode": "44"},
                {"code": "1101", "name": "市辖区", "provinceCode": "11"},
            ]
        ),
        encoding="utf-8",
    )
    (dist / "areas.json").write_text(
        json.dumps(
            [
                {"code": "441900", "name": "东莞市", "cityCode": "4419", "provinceCode": "44"},
                {"code": "110101", "name": "东城区", "cityCode": "1101", "provinceCode": "11"},
            ]
        ),
        encoding="utf-8",
    )
    rows = build.build_rows(tmp_path / "package")
    assert rows == [
        ("110000", "北京市", "province", ""),
        ("110100", "市辖区", "city", "110000"),
        ("110101", "东城区", "county", "110100"),
        ("440000", "广东省", "province", ""),
        ("441900", "东莞市", "city", "440000"),
    ]
    out_a, out_b = tmp_path / "a.csv", tmp_path / "b.csv"
    build.write_csv(rows, out_a)
    build.write_csv(build.build_rows(tmp_path / "package"), out_b)
    assert out_a.read_bytes() == out_b.read_bytes()
    assert out_a.read_bytes().startswith(b"code,name,level,parent_code\n110000,")


# --------------------------------------------------------------------------------------------------
# industries.csv


@pytest.fixture(scope="module")
def industries() -> list[dict[str, str]]:
    return _rows(DATA / "industries.csv")


def test_industries_structure(industries: list[dict[str, str]]) -> None:
    levels = Counter(r["level"] for r in industries)
    assert levels == {"section": 20, "division": 97, "group": 473}
    sections = [r["code"] for r in industries if r["level"] == "section"]
    assert sections == list("ABCDEFGHIJKLMNOPQRST")
    divisions = sorted(r["code"] for r in industries if r["level"] == "division")
    assert divisions == [f"{n:02d}" for n in range(1, 98)]
    codes = [r["code"] for r in industries]
    assert len(codes) == len(set(codes))
    by_code = {r["code"]: r for r in industries}
    for row in industries:
        assert row["mark"] in ("V", "U")
        if row["level"] == "group":
            assert by_code[row["parent_code"]]["level"] == "division"
            assert row["code"][:2] == row["parent_code"]
        elif row["level"] == "division":
            assert by_code[row["parent_code"]]["level"] == "section"
    # every row was taken from the cited source
    assert {r["mark"] for r in industries} == {"V"}


def test_industries_known_names(industries: list[dict[str, str]]) -> None:
    names = {r["code"]: r["name"] for r in industries}
    assert names["C"] == "制造业"
    assert names["B"] == "采矿业"
    assert names["D"] == "电力、热力、燃气及水生产和供应业"
    assert names["T"] == "国际组织"
    assert names["13"] == "农副食品加工业"
    assert names["26"] == "化学原料和化学制品制造业"
    assert names["30"] == "非金属矿物制品业"
    assert names["31"] == "黑色金属冶炼和压延加工业"
    assert names["32"] == "有色金属冶炼和压延加工业"
    assert names["39"] == "计算机、通信和其他电子设备制造业"
    assert names["43"] == "金属制品、机械和设备修理业"
    # 2017 names, not 2011 ones
    assert names["11"] == "开采专业及辅助性活动"
    assert names["25"] == "石油、煤炭及其他燃料加工业"
    assert names["301"] == "水泥、石灰和石膏制造"
    assert names["134"] == "制糖业"
    assert names["374"] == "航空、航天器及设备制造"
    assert names["194"] == "羽毛（绒）加工及制品制造"


def test_manufacturing_divisions_13_to_43(industries: list[dict[str, str]]) -> None:
    manufacturing = sorted(
        r["code"] for r in industries if r["level"] == "division" and r["parent_code"] == "C"
    )
    assert manufacturing == [str(n) for n in range(13, 44)]


# --------------------------------------------------------------------------------------------------
# national lists: the real files

EXPECTED_SHA256 = {
    "绿色工厂名单.csv": "ef5e30d91af222b29286b85bb1a4c829ca16d118ab3813902ae841b3ad72b781",
    "绿色工业园区名单.csv": "4a6f01043990ade1c316d142e365071ab4b537ab2a68e33a916bcdbe96693932",
    "绿色供应链管理示范企业名单.csv": "8366f8c762f4141fd5976f5ef7884924dcf781be94a613f2d4a29f7fddee4891",
    "绿色设计产品名单.csv": "16694ec0338737256ce3fe52c15c31a0cb59e749f81a631ea4c310d2ac9ba5b5",
}


def test_national_list_files_are_the_recorded_copies() -> None:
    for name, digest in EXPECTED_SHA256.items():
        assert hashlib.sha256((LISTS / name).read_bytes()).hexdigest() == digest, name
    assert set(EXPECTED_SHA256) == set(FILE_NAMES.values())


@pytest.fixture(scope="module")
def imported(regions: dict[str, str]) -> NationalListImport:
    return read_national_lists(LISTS, regions)


def test_real_lists_counts(imported: NationalListImport) -> None:
    assert len(imported.of_kind("factory")) == 2783
    assert len(imported.of_kind("park")) == 224
    assert len(imported.of_kind("supply_chain")) == 296
    assert len(imported.of_kind("product")) == 3163 - 9
    totals = imported.totals()
    assert totals["rows"] == 2783 + 224 + 296 + 3163
    assert totals["rejected"] == 9
    assert totals["taken"] == totals["rows"] - 9


def test_real_lists_batch_counts(imported: NationalListImport) -> None:
    taken: dict[str, list[int]] = {}
    for s in imported.summary():  # kinds in file order, batches chronologically
        taken.setdefault(s.kind, []).append(s.taken)
    assert [s.batch for s in imported.summary()][:6] == ["1", "2", "3", "4", "5", "2021"]
    assert taken == {
        "factory": [201, 208, 391, 602, 719, 662],
        "park": [24, 22, 34, 39, 53, 52],
        "supply_chain": [15, 4, 21, 50, 99, 107],
        "product": [193, 53, 480, 371, 1068, 989],
    }
    product_3 = next(s for s in imported.summary() if (s.kind, s.batch) == ("product", "3"))
    assert (product_3.rows, product_3.rejected) == (489, 9)


def test_real_lists_heading_rows_rejected(imported: NationalListImport) -> None:
    rejected = imported.issues_with(severity="rejected")
    assert len(rejected) == 9
    assert {i.code for i in rejected} == {"empty_unit"}
    assert {i.source_file for i in rejected} == {"绿色设计产品名单.csv"}
    assert [i.source_row for i in rejected] == [1623, 1624, 1625, 1695, 1696, 1697, 1711, 1712, 1713]
    assert "二十二、微型计算机" in rejected[0].reason_zh


def test_real_lists_nan_corrections(imported: NationalListImport) -> None:
    nan = imported.issues_with(code="nan_residue")
    # 5,337 cells carry nan; 18 of them are in the 9 rejected heading rows.
    assert len(nan) == 5319
    assert Counter(i.field for i in nan) == {"适用评价标准": 3154, "绿色设计亮点": 2165}
    assert all(i.severity == "corrected" and i.original.endswith("nan") for i in nan)
    for title in imported.of_kind("product"):
        assert not title.standard.endswith("nan")
        assert not title.highlights.endswith("nan")
    first = next(t for t in imported.titles if t.kind == "product" and t.source_row == 2)
    assert first.highlights.endswith("对富营养化影响较小。")
    assert first.standard == "《生态设计产品评价规范 第1部分：家用洗涤剂》（GB/T 32163.1-2015）"


def test_real_lists_other_issue_counts(imported: NationalListImport) -> None:
    codes = Counter((i.severity, i.code) for i in imported.issues)
    assert codes == {
        ("corrected", "nan_residue"): 5319,
        ("corrected", "cjk_space"): 11,
        ("flagged", "unknown_region"): 12,
        ("flagged", "duplicate"): 1,
        ("rejected", "empty_unit"): 9,
    }
    totals = imported.totals()
    assert (totals["whitespace_trimmed"], totals["whitespace_collapsed"]) == (1040, 212)
    unknown = Counter(i.original for i in imported.issues_with(code="unknown_region"))
    assert unknown == {"海信": 8, "蒙娜": 4}
    (duplicate,) = imported.issues_with(code="duplicate")
    assert (duplicate.source_row, "1381" in duplicate.reason_zh) == (1386, True)
    names = {i.corrected for i in imported.issues_with(code="cjk_space")}
    assert "日立电梯（成都）有限公司" in names
    assert "徐工集团工程机械股份有限公司" in names


def test_real_lists_region_mapping(imported: NationalListImport) -> None:
    by_listed: dict[str, set[str | None]] = {}
    for title in imported.titles:
        by_listed.setdefault(title.listed_region, set()).add(title.province_code)
    assert by_listed["深圳"] == {"440000"}
    assert by_listed["青岛"] == {"370000"}
    assert by_listed["宁波"] == {"330000"}
    assert by_listed["大连"] == {"210000"}
    assert by_listed["厦门"] == {"350000"}
    for corps in ("新疆生产建设兵团", "新疆兵团", "兵团"):
        assert by_listed[corps] == {"650000"}
    assert by_listed["内蒙"] == {"150000"}
    assert by_listed["黑龙"] == {"230000"}
    assert by_listed["合肥"] == {"340000"}
    assert by_listed["景泰"] == {"620000"}
    assert by_listed["江苏"] == {"320000"}
    assert by_listed["海信"] == {None}
    resolved = [t for t in imported.titles if t.province_code is not None]
    assert len(resolved) == len(imported.titles) - 12
    mapped = {(listed, code): n for listed, code, n in imported.region_mappings}
    assert mapped[("深圳", "440000")] == 62 + 2 + 7 + 82


def test_real_lists_fields(imported: NationalListImport) -> None:
    factories = imported.of_kind("factory")
    assert sum(1 for t in factories if t.industry == "") == 2374  # kept empty, not an issue
    first = factories[0]
    assert first.unit_name == "北京京东方显示技术有限公司"
    assert (first.industry, first.listed_region) == ("电子", "北京")
    assert (first.province_code, first.batch, first.announced) == ("110000", "1", date(2017, 8, 1))
    assert (first.source_file, first.source_row) == ("绿色工厂名单.csv", 2)
    assert first.product_name == ""
    announced = {t.batch: t.announced for t in imported.titles}
    assert announced == {
        "1": date(2017, 8, 1),
        "2": date(2018, 2, 1),
        "3": date(2018, 10, 1),
        "4": date(2019, 9, 1),
        "5": date(2020, 10, 1),
        "2021": date(2022, 1, 1),
    }


# --------------------------------------------------------------------------------------------------
# national lists: synthetic files exercising each defect


def _write(path: Path, header: tuple[str, ...], rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
    return path


def _product(
    seq: str,
    unit: str,
    name: str = "产品",
    region: str = "广东",
    batch: str = "3",
    highlights: str = "亮点。",
    standard: str = "《标准》（GB/T 1-2000）",
    model: str = "-",
    recommender: str = "广东省工业和信息化厅",
) -> list[str]:
    return [seq, unit, name, model, recommender, region, batch, "一、类别（1种）", highlights, standard]


def test_synthetic_product_defects(tmp_path: Path, regions: dict[str, str]) -> None:
    path = _write(
        tmp_path / FILE_NAMES["product"],
        REQUIRED_COLUMNS["product"],
        [
            _product("1", "甲公司", highlights="较小。nan", standard="《标准》（GB/T 1-2000）nan"),  # row 2
            _product("二、类别（2种）", "", name="", region="na"),  # row 3: heading row
            _product("3", "乙公司", highlights="nan", standard="Hainan"),  # row 4
            _product("4", "丙公司", highlights="材料。nan，其他", standard="，nano材料"),  # row 5
            _product("5", "丁公司", region="深圳"),  # row 6
            _product("6", "海信（山东）冰箱有限公司", region="海信"),  # row 7
            _product("7", "丁公司", region="深圳"),  # row 8: duplicate of row 6
            _product("8", "  戊公司  ", model="A\u3000\u3000B  C"),  # row 9: whitespace
            _product("9", "某某股份有限 公司", recommender="青岛市\u3000工业和信息化局"),  # row 10
            _product("10", "己公司", batch="2099"),  # row 11: unknown batch
            ["11", "庚公司", "产品"],  # row 12: short row
        ],
    )
    result = read_national_list(path, "product", regions)
    by_row = {t.source_row: t for t in result.titles}
    assert sorted(by_row) == [2, 4, 5, 6, 7, 8, 9, 10]

    rejected = {i.source_row: i.code for i in result.issues_with(severity="rejected")}
    assert rejected == {3: "empty_unit", 11: "unknown_batch", 12: "column_count"}

    assert by_row[2].highlights == "较小。"
    assert by_row[2].standard == "《标准》（GB/T 1-2000）"
    assert by_row[4].highlights == ""  # whole-cell nan
    assert by_row[4].standard == "Hainan"  # part of a word: kept
    assert by_row[5].highlights == "材料。，其他"  # nan after CJK punctuation inside the text
    assert by_row[5].standard == "，nano材料"  # 'nano' is a word: kept
    nan_cells = [(i.source_row, i.field) for i in result.issues_with(code="nan_residue")]
    assert nan_cells == [(2, "绿色设计亮点"), (2, "适用评价标准"), (4, "绿色设计亮点"), (5, "绿色设计亮点")]

    assert (by_row[6].listed_region, by_row[6].province_code) == ("深圳", "440000")
    assert (by_row[7].listed_region, by_row[7].province_code) == ("海信", None)
    assert [i.source_row for i in result.issues_with(code="unknown_region")] == [7]
    (duplicate,) = result.issues_with(code="duplicate")
    assert duplicate.source_row == 8 and "第 6 行" in duplicate.reason_zh

    assert by_row[9].unit_name == "戊公司"
    assert by_row[9].product_model == "A B C"
    assert by_row[10].unit_name == "某某股份有限公司"
    assert by_row[10].recommending_unit == "青岛市工业和信息化局"
    cjk = {(i.source_row, i.field, i.corrected) for i in result.issues_with(code="cjk_space")}
    assert cjk == {(10, "企业名称", "某某股份有限公司"), (10, "推荐单位", "青岛市工业和信息化局")}

    summary = {(s.kind, s.batch): s for s in result.summary()}
    batch_3 = summary[("product", "3")]
    assert (batch_3.rows, batch_3.taken, batch_3.rejected, batch_3.flagged) == (9, 8, 1, 2)
    assert (batch_3.corrected_rows, batch_3.corrections) == (4, 6)
    assert (batch_3.whitespace_trimmed, batch_3.whitespace_collapsed) == (1, 2)
    assert summary[("product", "2099")].rejected == 1
    assert summary[("product", "")].rejected == 1  # the short row has no readable 批次


def test_synthetic_factory_regions_and_empty_industry(tmp_path: Path, regions: dict[str, str]) -> None:
    path = _write(
        tmp_path / FILE_NAMES["factory"],
        REQUIRED_COLUMNS["factory"],
        [
            ["1", "兵团", "甲厂", "", "评价机构", "2021"],
            ["2", "新疆生产建设兵团", "乙厂", "化工", "评价机构", "2021"],
            ["3", "内蒙", "丙厂", "", "评价机构", "5"],
            ["4", "大连", "丁厂", "", "评价机构", "4"],
            ["5", "厦门市", "戊厂", "", "评价机构", "4"],
            ["6", "火星", "己厂", "", "评价机构", "4"],
        ],
    )
    result = read_national_list(path, "factory", regions)
    got = [(t.listed_region, t.province_code, t.industry) for t in result.titles]
    assert got == [
        ("兵团", "650000", ""),
        ("新疆生产建设兵团", "650000", "化工"),
        ("内蒙", "150000", ""),
        ("大连", "210000", ""),
        ("厦门市", "350000", ""),
        ("火星", None, ""),
    ]
    # the empty 行业 is not an issue; only the unknown region is
    assert [(i.source_row, i.code) for i in result.issues] == [(7, "unknown_region")]


def test_resolve_province(regions: dict[str, str]) -> None:
    assert resolve_province("青岛", regions) == "370000"
    assert resolve_province("宁波", regions) == "330000"
    assert resolve_province("新疆兵团", regions) == "650000"
    assert resolve_province("黑龙", regions) == "230000"
    assert resolve_province("无锡", regions) == "320000"
    assert resolve_province("", regions) is None
    assert resolve_province("蒙娜", regions) is None


def test_missing_file_and_bad_header(tmp_path: Path, regions: dict[str, str]) -> None:
    with pytest.raises(FileNotFoundError):
        read_national_lists(tmp_path, regions, kinds=("park",))
    _write(tmp_path / FILE_NAMES["park"], ("序号", "地区", "园区", "批次"), [["1", "江苏", "某园区", "1"]])
    with pytest.raises(ValueError, match="第三方评价机构"):
        read_national_lists(tmp_path, regions, kinds=("park",))
