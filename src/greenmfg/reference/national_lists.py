"""Parser for the national green manufacturing lists (国家级绿色制造名单), batches 1-5 and 2021年度.

Pure Python (stdlib ``csv`` only, no Django): the Django importer calls :func:`read_national_lists`
and stores the returned :class:`HistoricalTitle` rows and the data-quality :class:`Issue` report.

The four CSV files are third-party parses of MIIT's PDF attachments (see ``data/PROVENANCE.md``).
Their known defects are handled and reported, never hidden:

* **Heading rows** (product list, batch 3): rows with an empty 企业名称 whose 序号 holds a category
  heading that the PDF parser mistook for data. Rejected (``severity="rejected"``, code ``empty_unit``).
* **``nan`` residue**: the literal text ``nan`` left by the parser, mostly glued to the end of a
  sentence (``…影响较小。nan``). Removed when it is the whole cell, when it ends the cell and is not
  the end of a Latin word (``…Hainan`` / ``Yunnan`` are left alone: a lowercase ASCII letter before it
  keeps it), or when it stands inside the text directly after a CJK character or punctuation and is
  not followed by a Latin letter (so ``，nano`` is kept). One ``corrected`` Issue per cell
  (code ``nan_residue``).
* **Whitespace**: every cell is stripped and each run of whitespace (including U+3000 full-width
  spaces, NBSP, tabs, newlines) becomes one ASCII space. Those purely cosmetic changes are *counted*
  per kind and batch (``whitespace_trimmed``, ``whitespace_collapsed`` in :meth:`summary`), not
  reported one Issue each. A change that alters an organisation's name is reported: in 单位名称,
  第三方评价机构 and 推荐单位 a space between two CJK characters or full-width punctuation is a PDF line
  break artefact (``上海电器科学研究所（集团） 有限公司``) and is removed, one ``corrected`` Issue per cell
  (code ``cjk_space``). Spaces next to Latin text (``TCL 空调器``) are kept.
* **地区**: the listed value is kept verbatim in ``listed_region``; ``province_code`` is the
  6-digit code of the province it belongs to. 计划单列市 (深圳, 青岛, 宁波, 大连, 厦门) map to their
  province, 新疆生产建设兵团 (also listed as 新疆兵团 / 兵团) to 新疆 650000, the truncations 内蒙 and
  黑龙 to 内蒙古 / 黑龙江, and any other value is looked up in the ``regions`` mapping (province, city
  or county name, see :func:`load_regions`) and reduced to its province by the first two digits.
  These mappings are normal, not defects: they are counted in ``region_mappings``, not reported.
  A value that matches nothing (the product list has 海信 and 蒙娜, fragments of company names) is
  **kept** with ``province_code=None`` and one ``flagged`` Issue (code ``unknown_region``): the title
  is real, only its region is unknown.
* **行业** is empty for most factories after batch 2: kept empty, not an issue.
* **Exact duplicates** within one kind and batch (every field equal except the row number): the
  row is kept (the published count includes it) and a ``flagged`` Issue (code ``duplicate``) names
  the first occurrence.

``severity`` is one of ``rejected`` (row dropped), ``corrected`` (row kept, a cell changed) or
``flagged`` (row kept unchanged, needs a human look). ``source_row`` is the spreadsheet-style line
number: the header is row 1, the first data row is row 2.
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from datetime import date
from pathlib import Path
from typing import Literal

# the province a division lies in is greencore's rule; named here too, for the readers of the lists
from greencore import province_of

Kind = Literal["factory", "park", "supply_chain", "product"]
Severity = Literal["rejected", "corrected", "flagged"]

KINDS: tuple[Kind, ...] = ("factory", "park", "supply_chain", "product")

FILE_NAMES: dict[Kind, str] = {
    "factory": "绿色工厂名单.csv",
    "park": "绿色工业园区名单.csv",
    "supply_chain": "绿色供应链管理示范企业名单.csv",
    "product": "绿色设计产品名单.csv",
}

# The column holding the title holder's name differs per file.
UNIT_COLUMNS: dict[Kind, str] = {
    "factory": "工厂名称",
    "park": "园区",
    "supply_chain": "企业名称",
    "product": "企业名称",
}

REQUIRED_COLUMNS: dict[Kind, tuple[str, ...]] = {
    "factory": ("序号", "地区", "工厂名称", "行业", "第三方评价机构", "批次"),
    "park": ("序号", "地区", "园区", "第三方评价机构", "批次"),
    "supply_chain": ("序号", "地区", "企业名称", "第三方评价机构", "批次"),
    "product": (
        "序号",
        "企业名称",
        "产品名称",
        "产品型号",
        "推荐单位",
        "地区",
        "批次",
        "种类",
        "绿色设计亮点",
        "适用评价标准",
    ),
}

# CSV column -> HistoricalTitle attribute.
COLUMN_FIELDS: dict[str, str] = {
    "地区": "listed_region",
    "工厂名称": "unit_name",
    "园区": "unit_name",
    "企业名称": "unit_name",
    "行业": "industry",
    "第三方评价机构": "evaluation_body",
    "批次": "batch",
    "产品名称": "product_name",
    "产品型号": "product_model",
    "推荐单位": "recommending_unit",
    "种类": "product_category",
    "绿色设计亮点": "highlights",
    "适用评价标准": "standard",
}

# Publication month of each batch (first of the month), from the dataset README.
BATCH_ANNOUNCED: dict[str, date] = {
    "1": date(2017, 8, 1),
    "2": date(2018, 2, 1),
    "3": date(2018, 10, 1),
    "4": date(2019, 9, 1),
    "5": date(2020, 10, 1),
    "2021": date(2022, 1, 1),
}
BATCHES: tuple[str, ...] = tuple(BATCH_ANNOUNCED)

# 计划单列市, listed separately by MIIT: mapped to their province for provincial statistics.
PLAN_CITIES: dict[str, str] = {
    "深圳": "440000",
    "青岛": "370000",
    "宁波": "330000",
    "大连": "210000",
    "厦门": "350000",
}
XINJIANG_CORPS_NAMES: frozenset[str] = frozenset({"新疆生产建设兵团", "新疆兵团", "兵团"})
XINJIANG_CODE = "650000"
# Truncated province names produced by the third-party parser.
REGION_ALIASES: dict[str, str] = {"内蒙": "内蒙古", "黑龙": "黑龙江"}

# Fields whose spaces between CJK characters are removed (organisation names).
NAME_FIELDS: frozenset[str] = frozenset({"unit_name", "evaluation_body", "recommending_unit"})

_CJK = "\u2e80-\u2fdf\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef"
_PUNCT = "!-/:-@\\[-`{-~\u2000-\u206f"
_WS_RUN = re.compile(r"\s+")
_NAN_TRAILING = re.compile(r"(?<![a-z])nan$")
_NAN_INSIDE = re.compile(f"(?<=[{_CJK}{_PUNCT}])nan(?![A-Za-z])")
_CJK_SPACE = re.compile(f"(?<=[{_CJK}]) (?=[{_CJK}])")

_PLACEHOLDER_REGION_NAMES = frozenset({"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"})
_PROVINCE_SUFFIXES = ("壮族自治区", "回族自治区", "维吾尔自治区", "自治区", "特别行政区", "省", "市")


@dataclass(frozen=True)
class HistoricalTitle:
    """One title from a national list, cleaned. Fields a kind does not have are empty strings."""

    kind: Kind
    batch: str
    announced: date
    listed_region: str
    province_code: str | None
    unit_name: str
    industry: str
    evaluation_body: str
    product_name: str
    product_model: str
    recommending_unit: str
    product_category: str
    highlights: str
    standard: str
    source_file: str
    source_row: int


@dataclass(frozen=True)
class Issue:
    """One data-quality finding, in Chinese and English. ``field`` is the CSV column ('' = whole row)."""

    source_file: str
    source_row: int
    severity: Severity
    field: str
    reason_zh: str
    reason_en: str
    original: str
    corrected: str
    code: str = ""


@dataclass(frozen=True)
class BatchSummary:
    """Counts for one kind and batch. ``corrected_rows`` counts taken rows with at least one correction."""

    kind: Kind
    batch: str
    rows: int
    taken: int
    rejected: int
    corrected_rows: int
    corrections: int
    flagged: int
    whitespace_trimmed: int
    whitespace_collapsed: int


@dataclass(frozen=True)
class NationalListImport:
    titles: tuple[HistoricalTitle, ...]
    issues: tuple[Issue, ...]
    batch_summaries: tuple[BatchSummary, ...]
    # (listed 地区, province code or None) -> number of taken rows, for every listed value.
    region_mappings: tuple[tuple[str, str | None, int], ...] = ()

    def summary(self) -> tuple[BatchSummary, ...]:
        """Counts per kind and batch (kinds in file order, batches chronologically)."""
        return self.batch_summaries

    def totals(self) -> dict[str, int]:
        """Sums over all kinds and batches of the :class:`BatchSummary` counters."""
        keys = [f.name for f in fields(BatchSummary) if f.type in (int, "int")]
        return {key: sum(getattr(s, key) for s in self.batch_summaries) for key in keys}

    def of_kind(self, kind: Kind) -> tuple[HistoricalTitle, ...]:
        return tuple(t for t in self.titles if t.kind == kind)

    def issues_with(self, *, severity: Severity | None = None, code: str | None = None) -> tuple[Issue, ...]:
        return tuple(
            i
            for i in self.issues
            if (severity is None or i.severity == severity) and (code is None or i.code == code)
        )


# --------------------------------------------------------------------------------------------------
# Regions


def _short_province_name(name: str) -> str:
    for suffix in _PROVINCE_SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            return name[: -len(suffix)]
    return name


def _short_local_name(name: str, suffixes: tuple[str, ...]) -> str:
    for suffix in suffixes:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[: -len(suffix)]
    return name


def load_regions(path: Path) -> dict[str, str]:
    """Name -> 6-digit code lookup built from ``regions.csv`` (columns code,name,level,parent_code).

    Holds, in order of precedence: province names (江苏省) and their short forms (江苏, 内蒙古, 广西),
    city names (苏州市) and short forms without 市/地区/盟 (苏州), county names (吴中区) and short forms
    without 县/市 (景泰). A name that two divisions of the same tier share is left out of that tier
    (朝阳区 is both in 北京 and 长春); a name already taken by a higher tier keeps the higher one
    (吉林 is the province, not 吉林市). Placeholder rows (市辖区, 县, 省直辖县级行政区划) are skipped.
    """
    by_level: dict[str, list[tuple[str, str]]] = {"province": [], "city": [], "county": []}
    with path.open(encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle):
            name = row["name"].strip()
            if name in _PLACEHOLDER_REGION_NAMES:
                continue
            by_level.setdefault(row["level"], []).append((name, row["code"].strip()))

    tiers: list[list[tuple[str, str]]] = [
        by_level["province"],
        [(_short_province_name(n), c) for n, c in by_level["province"]],
        by_level["city"],
        [(_short_local_name(n, ("市", "地区", "盟")), c) for n, c in by_level["city"]],
        by_level["county"],
        [(_short_local_name(n, ("县", "市")), c) for n, c in by_level["county"]],
    ]
    lookup: dict[str, str] = {}
    for tier in tiers:
        codes_by_name: dict[str, set[str]] = {}
        for name, code in tier:
            codes_by_name.setdefault(name, set()).add(code)
        for name, codes in codes_by_name.items():
            if len(codes) == 1 and name not in lookup:
                lookup[name] = next(iter(codes))
    return lookup


def resolve_province(listed: str, regions: Mapping[str, str]) -> str | None:
    """Province code for a listed 地区 value, or None when it names no known division."""
    value = listed.strip()
    if not value:
        return None
    if value in PLAN_CITIES:
        return PLAN_CITIES[value]
    if value.endswith("市") and value[:-1] in PLAN_CITIES:
        return PLAN_CITIES[value[:-1]]
    if value in XINJIANG_CORPS_NAMES:
        return XINJIANG_CODE
    value = REGION_ALIASES.get(value, value)
    code = regions.get(value)
    if code is None or len(code) != 6 or not code.isdigit():
        return None
    return province_of(code)


# --------------------------------------------------------------------------------------------------
# Cell cleaning


@dataclass
class _Cell:
    value: str
    trimmed: bool = False
    collapsed: bool = False
    nan_removed: int = 0
    cjk_space_removed: bool = False


def _clean_cell(raw: str, is_name: bool) -> _Cell:
    stripped = raw.strip()
    value = _WS_RUN.sub(" ", stripped)
    cell = _Cell(value, trimmed=stripped != raw, collapsed=value != stripped)
    # nan residue: whole cell / end of cell, then inside the text after CJK or punctuation.
    value, trailing = _NAN_TRAILING.subn("", value)
    value, inside = _NAN_INSIDE.subn("", value)
    if trailing or inside:
        value = _WS_RUN.sub(" ", value).strip()
        cell.nan_removed = trailing + inside
    if is_name:
        value, n = _CJK_SPACE.subn("", value)
        cell.cjk_space_removed = n > 0
    cell.value = value
    return cell


# --------------------------------------------------------------------------------------------------
# Parsing


@dataclass
class _Stats:
    rows: int = 0
    taken: int = 0
    rejected: int = 0
    corrected_rows: int = 0
    corrections: int = 0
    flagged: int = 0
    whitespace_trimmed: int = 0
    whitespace_collapsed: int = 0


def _reject(
    file_name: str, row_no: int, field_name: str, zh: str, en: str, original: str, code: str
) -> Issue:
    return Issue(file_name, row_no, "rejected", field_name, zh, en, original, "", code)


def _read_one(
    path: Path,
    kind: Kind,
    regions: Mapping[str, str],
    titles: list[HistoricalTitle],
    issues: list[Issue],
    stats: dict[tuple[Kind, str], _Stats],
    region_counts: Counter[tuple[str, str | None]],
) -> None:
    file_name = path.name
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        try:
            header = [h.strip() for h in next(reader)]
        except StopIteration:
            raise ValueError(f"{file_name}: empty file (no header row)") from None
        missing = [c for c in REQUIRED_COLUMNS[kind] if c not in header]
        if missing:
            raise ValueError(f"{file_name}: missing columns {missing}; header is {header}")
        index = {name: header.index(name) for name in REQUIRED_COLUMNS[kind]}
        unit_column = UNIT_COLUMNS[kind]
        seen: dict[tuple[str, ...], int] = {}

        for offset, raw_row in enumerate(reader):
            row_no = offset + 2
            if not any(cell.strip() for cell in raw_row):
                continue  # blank line: not a row
            raw_batch = raw_row[index["批次"]].strip() if len(raw_row) > index["批次"] else ""
            batch = _WS_RUN.sub("", raw_batch)
            batch_stats = stats.setdefault((kind, batch), _Stats())
            batch_stats.rows += 1

            if len(raw_row) != len(header):
                batch_stats.rejected += 1
                issues.append(
                    _reject(
                        file_name,
                        row_no,
                        "",
                        f"列数不符：表头 {len(header)} 列，本行 {len(raw_row)} 列",
                        f"column count mismatch: header has {len(header)}, row has {len(raw_row)}",
                        ",".join(raw_row),
                        "column_count",
                    )
                )
                continue

            cells: dict[str, _Cell] = {}
            for column in REQUIRED_COLUMNS[kind]:
                if column == "序号":
                    continue
                attr = COLUMN_FIELDS[column]
                cells[column] = _clean_cell(raw_row[index[column]], attr in NAME_FIELDS)

            if batch not in BATCH_ANNOUNCED:
                batch_stats.rejected += 1
                issues.append(
                    _reject(
                        file_name,
                        row_no,
                        "批次",
                        f"未知批次「{raw_batch}」",
                        f"unknown batch {raw_batch!r}",
                        raw_batch,
                        "unknown_batch",
                    )
                )
                continue

            if not cells[unit_column].value:
                sequence = raw_row[index["序号"]].strip()
                if sequence and not sequence.isdigit():
                    zh = f"{unit_column}为空：PDF 解析把类别标题当成了数据行（序号栏为「{sequence[:40]}」）"
                    en = f"empty {unit_column}: a category heading parsed as a data row (see 序号)"
                else:
                    zh = f"{unit_column}为空，无法确定获评单位"
                    en = f"empty {unit_column}: the title holder is unknown"
                batch_stats.rejected += 1
                issues.append(_reject(file_name, row_no, unit_column, zh, en, sequence, "empty_unit"))
                continue

            # The row is taken: commit its corrections and counters.
            row_corrections = 0
            for column, cell in cells.items():
                raw = raw_row[index[column]]
                batch_stats.whitespace_trimmed += cell.trimmed
                batch_stats.whitespace_collapsed += cell.collapsed
                if cell.nan_removed:
                    row_corrections += 1
                    times = f"（{cell.nan_removed} 处）" if cell.nan_removed > 1 else ""
                    issues.append(
                        Issue(
                            file_name,
                            row_no,
                            "corrected",
                            column,
                            f"删除 PDF 解析残留的文字 nan{times}",
                            f"removed PDF-parser residue 'nan' (x{cell.nan_removed})",
                            raw,
                            cell.value,
                            "nan_residue",
                        )
                    )
                if cell.cjk_space_removed:
                    row_corrections += 1
                    issues.append(
                        Issue(
                            file_name,
                            row_no,
                            "corrected",
                            column,
                            "删除名称中汉字之间多余的空格（PDF 换行残留）",
                            "removed spaces between CJK characters in a name (PDF line-break artefact)",
                            raw,
                            cell.value,
                            "cjk_space",
                        )
                    )

            listed_region = cells["地区"].value
            province_code = resolve_province(listed_region, regions)
            region_counts[(listed_region, province_code)] += 1
            if province_code is None:
                batch_stats.flagged += 1
                issues.append(
                    Issue(
                        file_name,
                        row_no,
                        "flagged",
                        "地区",
                        f"地区「{listed_region}」无法对应到行政区划，省级代码留空（保留该行）",
                        f"地区 {listed_region!r} matches no division; province left empty, row kept",
                        listed_region,
                        "",
                        "unknown_region",
                    )
                )

            value = {column: cell.value for column, cell in cells.items()}
            title = HistoricalTitle(
                kind=kind,
                batch=batch,
                announced=BATCH_ANNOUNCED[batch],
                listed_region=listed_region,
                province_code=province_code,
                unit_name=value[unit_column],
                industry=value.get("行业", ""),
                evaluation_body=value.get("第三方评价机构", ""),
                product_name=value.get("产品名称", ""),
                product_model=value.get("产品型号", ""),
                recommending_unit=value.get("推荐单位", ""),
                product_category=value.get("种类", ""),
                highlights=value.get("绿色设计亮点", ""),
                standard=value.get("适用评价标准", ""),
                source_file=file_name,
                source_row=row_no,
            )
            key = (
                batch,
                title.listed_region,
                title.unit_name,
                title.industry,
                title.evaluation_body,
                title.product_name,
                title.product_model,
                title.recommending_unit,
                title.product_category,
                title.highlights,
                title.standard,
            )
            if key in seen:
                batch_stats.flagged += 1
                issues.append(
                    Issue(
                        file_name,
                        row_no,
                        "flagged",
                        "",
                        f"与第 {seen[key]} 行完全相同（同一批次重复列出），保留该行",
                        f"exact duplicate of row {seen[key]} in the same batch; row kept",
                        "",
                        "",
                        "duplicate",
                    )
                )
            else:
                seen[key] = row_no

            batch_stats.taken += 1
            batch_stats.corrections += row_corrections
            batch_stats.corrected_rows += row_corrections > 0
            titles.append(title)


def read_national_list(path: Path, kind: Kind, regions: Mapping[str, str]) -> NationalListImport:
    """Parse one list file of the given kind."""
    return _read(((path, kind),), regions)


def read_national_lists(
    directory: Path, regions: Mapping[str, str], kinds: Iterable[Kind] = KINDS
) -> NationalListImport:
    """Parse the national lists in ``directory`` (file names as in :data:`FILE_NAMES`).

    ``regions`` is a name -> division code lookup, normally ``load_regions(regions.csv)``.
    Raises FileNotFoundError when a requested list is missing and ValueError when its header lacks
    a required column; every row-level defect is reported in ``issues`` instead.
    """
    requested = tuple(dict.fromkeys(kinds))
    for kind in requested:
        if kind not in FILE_NAMES:
            raise ValueError(f"unknown list kind {kind!r}")
    return _read(tuple((directory / FILE_NAMES[kind], kind) for kind in requested), regions)


def _read(files: tuple[tuple[Path, Kind], ...], regions: Mapping[str, str]) -> NationalListImport:
    titles: list[HistoricalTitle] = []
    issues: list[Issue] = []
    stats: dict[tuple[Kind, str], _Stats] = {}
    region_counts: Counter[tuple[str, str | None]] = Counter()
    for path, kind in files:
        if not path.is_file():
            raise FileNotFoundError(f"national list not found: {path}")
        _read_one(path, kind, regions, titles, issues, stats, region_counts)

    def order(item: tuple[Kind, str]) -> tuple[int, int, str]:
        kind, batch = item
        batch_rank = BATCHES.index(batch) if batch in BATCH_ANNOUNCED else len(BATCHES)
        return (KINDS.index(kind), batch_rank, batch)

    summaries = tuple(
        BatchSummary(
            kind=kind,
            batch=batch,
            rows=s.rows,
            taken=s.taken,
            rejected=s.rejected,
            corrected_rows=s.corrected_rows,
            corrections=s.corrections,
            flagged=s.flagged,
            whitespace_trimmed=s.whitespace_trimmed,
            whitespace_collapsed=s.whitespace_collapsed,
        )
        for (kind, batch), s in sorted(stats.items(), key=lambda item: order(item[0]))
    )
    ordered = sorted(region_counts.items(), key=lambda item: (item[0][1] or "~", item[0][0]))
    mappings = tuple((listed, code, n) for (listed, code), n in ordered)
    return NationalListImport(tuple(titles), tuple(issues), summaries, mappings)
