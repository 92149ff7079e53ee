"""CSV and Excel downloads of the register and of the other public lists (announcements, publicity
notices, the national lists' data-quality report), safe to open in a spreadsheet (security EXP-01).

Both writers pass every cell through :func:`safe_cell`, whatever rows they are given: a cell a
spreadsheet could read as a formula gets a leading apostrophe, and characters XML (hence xlsx) cannot
hold are dropped. Numbers stay numbers. safe_cell is idempotent, so already safe rows are unchanged."""

from __future__ import annotations

import csv
import re
import tempfile
from collections.abc import Iterable, Iterator
from datetime import date
from decimal import Decimal
from typing import IO, Any

from openpyxl import Workbook

from greenmfg.catalog.models import TitleKind, TitleLevel
from greenmfg.publication.models import ImportIssue, PublicityEntry, Title
from greenmfg.publication.selectors import SEVERITY_LABELS

from .models import EntrySource, EntryStatus, RegisterEntry, batch_label

# Downloads are built by the task worker (export_jobs): past this many rows the file holds the first
# ones and says so (file name, status page and X-Export-Truncated header).
EXPORT_CAP = 50_000

# = + - @ start formulas in Excel, LibreOffice and WPS; TAB, CR and NUL are stripped by some readers
# before they look at the next character; the full-width forms are folded to ASCII by some (NFKC).
HOSTILE_PREFIXES = frozenset("=+-@\t\r\0＝＋－＠")
# characters XML 1.0 cannot hold (openpyxl refuses the C0 controls; U+FFFE/FFFF and lone surrogates
# would make a file Excel reports as corrupt)
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")

EXPORT_COLUMNS = (
    "称号类型",
    "级别",
    "等级",
    "年度",
    "批次",
    "公告日期",
    "公告文号",
    "发布机关",
    "省份",
    "地区",
    "单位名称",
    "统一社会信用代码",
    "行业",
    "产品名称",
    "产品型号",
    "产品种类",
    "适用评价标准",
    "第三方评价机构",
    "公开指标",
    "状态",
    "撤销日期",
    "撤销原因",
    "来源",
    "登记编号",
)


def safe_cell(value: Any) -> str | int | float:
    """The value to write into one exported cell: a number as itself, anything else as neutral text.

    Text whose first character (or first after leading white space, or after dropping characters XML
    cannot hold) is one of HOSTILE_PREFIXES is prefixed with an apostrophe."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, int | float):
        return value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    text = str(value)
    cleaned = _NOT_XML.sub("", text)
    # the cleaned text's own first character too: lstrip() would skip a leading CR or TAB
    if any(head[:1] in HOSTILE_PREFIXES for head in (text, cleaned, cleaned.lstrip())):
        return "'" + cleaned
    return cleaned


def _indicators_text(items: list[dict[str, str]]) -> str:
    parts = []
    for item in items:
        shown = " ".join(p for p in (item.get("level", ""), item.get("value", ""), item.get("unit", "")) if p)
        parts.append(f"{item.get('label', '')}：{shown}" if shown else item.get("label", ""))
    return "；".join(parts)


def entry_row(entry: RegisterEntry) -> list[Any]:
    return [
        entry.get_kind_display(),
        entry.get_level_display(),
        entry.grade,
        entry.year,
        batch_label(entry.batch),
        entry.announced_on,
        entry.announcement_ref,
        entry.authority,
        entry.province.name if entry.province else "",
        entry.region_text,
        entry.unit_name,
        entry.credit_code,
        entry.industry_text,
        entry.product_name,
        entry.product_model,
        entry.product_category,
        entry.standard,
        entry.evaluation_body,
        _indicators_text(entry.published_indicators),
        EntryStatus(entry.status).label,
        entry.revoked_on,
        entry.revoked_reason,
        EntrySource(entry.source).label if entry.source in EntrySource.values else entry.source,
        str(entry.public_id),
    ]


def export_rows(entries: Iterable[RegisterEntry]) -> Iterator[list[Any]]:
    """The header and one row per entry, raw: the writers make them safe."""
    yield list(EXPORT_COLUMNS)
    for entry in entries:
        yield entry_row(entry)


# --- the other public lists: only the columns their pages show ---------------------------------------

ANNOUNCEMENT_COLUMNS = (
    "公告文号",
    "公告标题",
    "发布机关",
    "申报批次",
    "公告日期",
    "单位名称",
    "地区",
    "行政区划代码",
    "称号类型",
    "级别",
    "等级",
    "有效期起",
    "状态",
)

NOTICE_COLUMNS = (
    "公示标题",
    "发布机关",
    "公示开始",
    "公示截止",
    "序号",
    "单位名称",
    "所在地区",
    "等级",
)

ISSUE_COLUMNS = (
    "来源文件",
    "行号",
    "处理结果",
    "severity",
    "字段",
    "原因",
    "reason",
    "原值",
    "更正后",
)


def choice_label(choices: type[TitleKind] | type[TitleLevel], value: str) -> str:
    """绿色工厂 for ("factory"), 市级 for ("city"); an unknown value as itself."""
    return str(choices(value).label) if value in choices.values else value


def announcement_rows(titles: Iterable[Title]) -> Iterator[list[Any]]:
    """The header and one row per announced title (publication.selectors.announced_titles)."""
    yield list(ANNOUNCEMENT_COLUMNS)
    for t in titles:
        a = t.announcement
        region = t.organisation.region
        yield [
            a.number,
            a.title,
            a.authority.name,
            a.call.name,
            a.published_on,
            t.organisation.name,
            region.name if region else "",
            region.code if region else "",
            choice_label(TitleKind, t.kind),
            choice_label(TitleLevel, t.level),
            t.grade_label,
            t.valid_from,
            Title.Status(t.status).label if t.status in Title.Status.values else t.status,
        ]


def notice_rows(entries: Iterable[PublicityEntry]) -> Iterator[list[Any]]:
    """The header and one row per listed unit (publication.selectors.public_entries), numbered within
    its notice as on the notice's page."""
    yield list(NOTICE_COLUMNS)
    current, number = None, 0
    for e in entries:
        number = number + 1 if e.notice_id == current else 1
        current = e.notice_id
        n = e.notice
        yield [
            n.title,
            n.authority.name,
            n.opens_on,
            n.closes_on,
            number,
            e.unit_name,
            e.region_name,
            e.grade,
        ]


def issue_rows(issues: Iterable[ImportIssue]) -> Iterator[list[Any]]:
    """The header and one row per finding of the national lists' import."""
    yield list(ISSUE_COLUMNS)
    for i in issues:
        yield [
            i.source_file,
            i.source_row,
            SEVERITY_LABELS.get(i.severity, i.severity),
            i.severity,
            i.field,
            i.reason_zh,
            i.reason_en,
            i.original,
            i.corrected,
        ]


class _Echo:
    """csv.writer target that hands each formatted line back instead of buffering it."""

    def write(self, value: str) -> str:
        return value


def csv_lines(rows: Iterable[list[Any]]) -> Iterator[str]:
    """RFC 4180 lines (CRLF, quoted where needed), starting with a UTF-8 BOM so Excel reads Chinese."""
    writer = csv.writer(_Echo(), lineterminator="\r\n")
    yield "\ufeff"
    for row in rows:
        yield writer.writerow([safe_cell(v) for v in row])


def write_xlsx(rows: Iterable[list[Any]], sheet_title: str = "绿色制造名单") -> IO[bytes]:
    """A write-only workbook in a temporary file (rewound).

    openpyxl stores a string as a formula only when it starts with "=", which safe_cell never lets
    through. Plain values, and no cell at all for an empty string, write about twice as fast as typed
    cell objects (50,000 rows x 24 columns is the cap)."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(sheet_title)
    for row in rows:
        sheet.append([None if v == "" else v for v in (safe_cell(v) for v in row)])
    # handed to the response, which closes it once sent
    handle = tempfile.TemporaryFile()  # noqa: SIM115
    workbook.save(handle)
    handle.seek(0)
    return handle
