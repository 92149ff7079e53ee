"""Dynamic-management documents (动态管理): a unit's confirmation that its year's 动态管理表 was accepted,
and a bureau's summary of one filing round.

The counts of a round (filed in time, late, missing, not yet due) are `greencore.filing_state` of each
filing on the summary's day, so the PDF, the workbook and the supervision page count the same way.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from greencore.documents.model import Item, number
from greencore.documents.tables import TableColumn, TableDocument
from greencore.supervision import FilingState, filing_state

STATE_LABELS = {
    FilingState.FILED: "按时填报",
    FilingState.LATE: "逾期填报",
    FilingState.MISSING: "未填报（已逾期）",
    FilingState.OPEN: "待填报（未到截止日）",
}
# 企业绿码 in the order a bureau reads it; "" is a filing accepted without a grade
CODES = (("A+", "A+"), ("A", "A"), ("B", "B"), ("", "不评定等级"))


@dataclass(frozen=True)
class FilingConfirmation:
    """The confirmation (回执) of one accepted filing, as the unit keeps it and the bureau files it."""

    document_name: str
    title: str
    number: str  # the confirmation's own reference: year, title and version
    authority: str
    unit_name: str
    credit_code: str
    title_label: str
    year: int
    deadline: str
    submitted_on: str
    state: str
    values: tuple[Item, ...]
    warnings: tuple[str, ...]
    justification: str
    score: str
    green_code: str
    no_grade_reason: str
    generated_on: str
    data_version: str

    def context(self) -> dict[str, Any]:
        return asdict(self)


def filing_confirmation(
    *,
    authority: str,
    unit_name: str,
    credit_code: str,
    title_label: str,
    year: int,
    deadline: date,
    submitted_on: date,
    values: Sequence[tuple[str, str, str]],
    warnings: Sequence[str],
    justification: str,
    score: Decimal | None,
    green_code: str,
    no_grade_reason: str,
    reference: str,
    generated_on: date,
    data_version: str,
) -> FilingConfirmation:
    """`values`: (indicator, value as filed, unit as filed); `score` the re-score of the accepted filing
    (None: no grade this year, with `no_grade_reason`)."""
    state = filing_state(deadline, submitted_on, submitted_on)
    return FilingConfirmation(
        document_name=f"{year} 年度动态管理表受理回执 — {unit_name}",
        title=f"{year} 年度绿色制造动态管理表\n受理回执",
        number=reference,
        authority=authority,
        unit_name=unit_name,
        credit_code=credit_code or "—",
        title_label=title_label,
        year=year,
        deadline=deadline.isoformat(),
        submitted_on=submitted_on.isoformat(),
        state=STATE_LABELS[state],
        values=tuple(Item(label, f"{value} {unit}".strip()) for label, value, unit in values),
        warnings=tuple(warnings),
        justification=justification,
        score=number(score),
        green_code=green_code or ("不评定等级" if score is None else "—"),
        no_grade_reason=no_grade_reason,
        generated_on=generated_on.isoformat(),
        data_version=data_version,
    )


@dataclass(frozen=True)
class RoundFiling:
    """One filing of a round as the summary lists it."""

    unit_name: str
    credit_code: str
    region: str
    title_label: str
    deadline: date
    submitted_on: date | None
    accepted: bool
    score: Decimal | None
    green_code: str
    escalated: bool


@dataclass(frozen=True)
class RoundRow:
    unit_name: str
    credit_code: str
    region: str
    title_label: str
    state: str
    submitted_on: str
    score: str
    green_code: str


@dataclass(frozen=True)
class RoundSummaryDocument:
    document_name: str
    title: str
    authority: str
    year: int
    as_of: str
    total: int
    filed: int  # in time
    late: int
    missing: int
    pending: int  # not filed, deadline not passed
    escalated: int
    graded: int
    codes: tuple[Item, ...]  # green code → units, with the share of the accepted filings
    rows: tuple[RoundRow, ...]
    generated_on: str

    def context(self) -> dict[str, Any]:
        return asdict(self)


def _share(part: int, whole: int) -> str:
    return f"{Decimal(part * 100) / Decimal(whole):.1f}%" if whole else "—"


ORDER = {FilingState.MISSING: 0, FilingState.LATE: 1, FilingState.OPEN: 2, FilingState.FILED: 3}


def _listed(filings: Sequence[RoundFiling], as_of: date) -> list[tuple[RoundFiling, FilingState]]:
    """Each filing with its state on `as_of`, missing first, then late, pending, filed in time."""
    pairs = [(f, filing_state(f.deadline, f.submitted_on, as_of)) for f in filings]
    return sorted(pairs, key=lambda p: (ORDER[p[1]], p[0].unit_name))


def filing_round_summary(
    *, authority: str, year: int, filings: Sequence[RoundFiling], as_of: date, generated_on: date
) -> RoundSummaryDocument:
    """The round on `as_of`: each filing's state (filed in time, late, missing, pending) and the
    distribution of the accepted filings' green codes (A+/A/B, or no grade)."""
    listed = _listed(filings, as_of)
    states = [state for _, state in listed]
    accepted = [f for f in filings if f.accepted]
    codes = tuple(
        Item(label, f"{n} 家（{_share(n, len(accepted))}）")
        for code, label in CODES
        for n in [sum(1 for f in accepted if f.green_code == code)]
    )
    return RoundSummaryDocument(
        document_name=f"{authority} {year} 年度动态管理汇总",
        title=f"{year} 年度绿色制造动态管理\n汇总报告",
        authority=authority,
        year=year,
        as_of=as_of.isoformat(),
        total=len(filings),
        filed=states.count(FilingState.FILED),
        late=states.count(FilingState.LATE),
        missing=states.count(FilingState.MISSING),
        pending=states.count(FilingState.OPEN),
        escalated=sum(1 for f in filings if f.escalated),
        graded=sum(1 for f in accepted if f.score is not None),
        codes=codes,
        rows=tuple(
            RoundRow(
                unit_name=f.unit_name,
                credit_code=f.credit_code or "—",
                region=f.region,
                title_label=f.title_label,
                state=STATE_LABELS[state],
                submitted_on=f.submitted_on.isoformat() if f.submitted_on else "—",
                score=number(f.score),
                green_code=(f.green_code or "不评定等级") if f.accepted else "—",
            )
            for f, state in listed
        ),
        generated_on=generated_on.isoformat(),
    )


ROUND_COLUMNS = (
    TableColumn("序号", 6, "integer"),
    TableColumn("单位名称", 34),
    TableColumn("统一社会信用代码", 22),
    TableColumn("所在地区", 22),
    TableColumn("称号", 18),
    TableColumn("填报状态", 16),
    TableColumn("填报日期", 12, "date"),
    TableColumn("复评得分", 10, "decimal"),
    TableColumn("企业绿码", 10),
)


def filing_round_table(summary: RoundSummaryDocument, filings: Sequence[RoundFiling]) -> TableDocument:
    """The same round as a workbook: one row per filing, real dates and numbers; the counts in the
    subtitle. Rows in the summary's order (missing first)."""
    return TableDocument(
        title=f"{summary.authority} {summary.year} 年度动态管理汇总表",
        subtitle=(
            f"统计日：{summary.as_of}；应填报 {summary.total} 家，按时 {summary.filed} 家，"
            f"逾期 {summary.late} 家，未填报 {summary.missing} 家，未到截止日 {summary.pending} 家；"
            + "；".join(f"{c.label} {c.value}" for c in summary.codes)
        ),
        columns=ROUND_COLUMNS,
        rows=tuple(
            (
                index,
                f.unit_name,
                f.credit_code,
                f.region,
                f.title_label,
                STATE_LABELS[state],
                f.submitted_on,
                f.score,
                (f.green_code or "不评定等级") if f.accepted else "",
            )
            for index, (f, state) in enumerate(_listed(filings, date.fromisoformat(summary.as_of)), 1)
        ),
        sheet=f"{summary.year}年度",
    )
