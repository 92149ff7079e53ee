"""Time to generate documents (issue 14), each against rendering the same data as an HTML page.

* a third-party evaluation report of 30 A4 pages (the example factory with 240 findings), as PDF
  (WeasyPrint) and as Word (docxtpl), against its HTML page (the same Jinja2 template, no PDF);
* a 1,000-row recommendation summary table as Excel, against the same table as an HTML page;
* Suzhou's local layout of the self-evaluation report (《苏州市绿色工厂评价报告》, factory-suzhou), as PDF
  and Word, against its HTML page;
* a bureau's yearly summary of a filing round (1,000 filings), as PDF and as Excel, against the HTML page
  the PDF is laid out from (PDF) and the same table as an HTML page (Excel).

Each figure is the best CPU (process) time of --repeat runs, so other load on a shared machine does
not count; the wall time of the last run is printed beside it; the ratio is document time / HTML time
(CPU) in the same run. The page count of the third-party PDF is printed (the issue asks for 30 pages).
Prints figures and ratios; nothing is asserted.

    uv run python tests/bench/bench_documents.py [--findings 240] [--rows 1000] [--filings 1000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import io
import json
import sys
import time
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from pypdf import PdfReader

from greencore import (
    Finding,
    RoundFiling,
    TableColumn,
    TableDocument,
    filing_round_summary,
    filing_round_table,
    get_scheme,
    score,
    self_evaluation_report,
    third_party_report,
)
from greencore.documents import (
    filing_round_summary_pdf,
    render_html,
    self_evaluation_docx,
    self_evaluation_html,
    self_evaluation_pdf,
    table_html,
    third_party_docx,
    third_party_html,
    third_party_pdf,
    write_table_xlsx,
)

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))  # the worked example of the 2018 factory model the layout tests use


def best(function: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    """The best CPU time of `repeat` runs (process time: the machine's other load does not count; the wall
    time is printed beside it by `line`)."""
    times, out = [], None
    for _ in range(repeat):
        start, wall = time.process_time(), time.perf_counter()
        out = function()
        times.append(time.process_time() - start)
        WALL[id(function)] = time.perf_counter() - wall
    return min(times), out


WALL: dict[int, float] = {}


def report(findings: int) -> Any:
    document = json.loads((ROOT / "examples" / "factory-2025.json").read_text(encoding="utf-8"))
    scheme = get_scheme("factory-gbt36132-2025")
    own = score(scheme, document["inputs"])
    checked = score(scheme, {**document["inputs"], "platform_functions": 2, "water_reuse_rate": 85})
    labels = [i.label for i in checked.indicators if i.is_leaf]
    kinds = [("document_check", "文件核查"), ("interview", "人员访谈"), ("field_check", "现场核查")]
    day = date(2026, 11, 2)
    return third_party_report(
        scheme,
        own,
        checked,
        margin=Decimal(2),
        body="江苏示例绿色发展评价中心（演示）",
        team=["张评价（组长）", "李核查", "王技术专家"],
        dates={"受托日期": "2026-10-20", "现场评价": "2026-11-02 至 2026-11-06"},
        findings=[
            Finding(
                kinds[n % 3][0],
                kinds[n % 3][1],
                labels[n % len(labels)],
                f"第 {n + 1} 项核查：核对{labels[n % len(labels)]}的统计报表、原始记录与现场计量器具读数，"
                "抽查 3 个月台账，数据一致；相关管理制度已发布并有效运行，记录完整可追溯。",
                (day + timedelta(days=n % 5)).isoformat(),
                f"核查记录-{n + 1:03d}.pdf" if n % 4 == 0 else "",
            )
            for n in range(findings)
        ],
        conclusion="除能碳管理平台外，各项指标与佐证材料相符。",
        applicant={"name": "示例电机有限公司（虚构示例）"},
        generated_on="2026-11-20",
    )


def summary(rows: int) -> TableDocument:
    columns = (
        TableColumn("序号", 6, "integer"),
        TableColumn("单位名称", 34),
        TableColumn("统一社会信用代码", 22),
        TableColumn("所在地区", 22),
        TableColumn("提交日期", 12, "date"),
        TableColumn("自评价得分", 11, "decimal"),
        TableColumn("第三方评价得分", 13, "decimal"),
        TableColumn("办理状态", 14),
    )
    return TableDocument(
        title="2026年度苏州市绿色工厂申报推荐汇总表",
        subtitle="推荐单位（盖章）：苏州市吴中区工业和信息化局",
        columns=columns,
        rows=tuple(
            (
                n + 1,
                f"示例制造有限公司{n + 1:04d}",
                f"91320506MA{n:08d}",
                "江苏省苏州市吴中区",
                date(2026, 3, 1) + timedelta(days=n % 60),
                Decimal("60.00") + Decimal(n % 40),
                Decimal("58.50") + Decimal(n % 40),
                "区县审核中",
            )
            for n in range(rows)
        ),
    )


def suzhou() -> Any:
    """Suzhou's layout of the self-evaluation report: the worked 2018 example (82 points, 2A held)."""
    from tests.greencore.schemes.conftest import _factory2018

    scheme = get_scheme("factory-suzhou")
    result = score(scheme, {**_factory2018("base"), "held_grade": "2A"})
    return self_evaluation_report(
        scheme,
        result,
        applicant={
            "name": "苏州示例电子有限公司（虚构）",
            "region": "江苏省苏州市工业园区",
            "industry": "C39 计算机、通信和其他电子设备制造业",
            "scope": "厂区内全部生产活动",
            "boundary": "以厂区围墙为边界",
            "period": "2025 年度",
        },
        evidence={"building_green": ["绿色建筑设计说明.pdf"]},
        generated_on="2026-12-07",
    )


def round_filings(count: int) -> list[RoundFiling]:
    """A round of `count` filings: filed in time, late, missing and pending; graded A+/A/B or not."""
    deadline = date(2027, 4, 15)
    out = []
    for n in range(count):
        state = n % 10  # 0-5 in time, 6 late, 7 missing, 8 in time not yet accepted, 9 in time ungraded
        submitted = None if state == 7 else deadline + timedelta(days=3 if state == 6 else -(n % 30))
        accepted = state not in (7, 8)
        graded = accepted and state != 9
        out.append(
            RoundFiling(
                unit_name=f"示例制造有限公司{n + 1:04d}",
                credit_code=f"91320506MA{n:08d}",
                region="江苏省苏州市吴中区",
                title_label="市级绿色工厂（3A级）",
                deadline=deadline,
                submitted_on=submitted,
                accepted=accepted,
                score=Decimal("70.00") + Decimal(n % 30) if graded else None,
                green_code=("A+", "A", "B")[n % 3] if graded else "",
                escalated=state == 7 and n % 20 == 7,
            )
        )
    return out


def line(label: str, seconds: float, baseline: float, size: int | None, function: Callable[[], Any]) -> None:
    kib = f"{size / 1024:8.0f} KiB" if size is not None else " " * 12
    ratio = f"×{seconds / baseline:7.1f} the HTML page" if size is not None else "(baseline)"
    print(
        f"  {label:<6}{kib}   CPU {seconds * 1000:9.1f} ms   wall {WALL[id(function)] * 1000:9.1f} ms   {ratio}"
    )


def compare(
    title: str, html: Callable[[], Any], documents: list[tuple[str, Callable[[], bytes]]], repeat: int
) -> dict[str, bytes]:
    """Time the HTML page, then each document format, and print them with their ratio."""
    html_s, _ = best(html, repeat)
    print(title)
    line("HTML", html_s, html_s, None, html)
    out = {}
    for label, function in documents:
        seconds, content = best(function, repeat)
        line(label, seconds, html_s, len(content), function)
        out[label] = content
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--findings", type=int, default=240)
    parser.add_argument("--rows", type=int, default=1000)
    parser.add_argument("--filings", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    # WeasyPrint and docxtpl load on their first document: loaded here, so no figure counts their import
    third_party_pdf(report(1))
    third_party_docx(report(1))
    data = report(args.findings)
    made = compare(
        f"第三方评价报告 third-party report: {args.findings} findings",
        lambda: third_party_html(data),
        [("PDF", lambda: third_party_pdf(data)), ("Word", lambda: third_party_docx(data))],
        args.repeat,
    )
    print(f"  (the PDF has {len(PdfReader(io.BytesIO(made['PDF'])).pages)} A4 pages)")
    table = summary(args.rows)
    compare(
        f"推荐汇总表 summary table: {args.rows} rows",
        lambda: table_html(table),
        [("Excel", lambda: write_table_xlsx(table))],
        args.repeat,
    )
    local = suzhou()
    made = compare(
        "苏州市绿色工厂评价报告 Suzhou layout of the self-evaluation report (factory-suzhou)",
        lambda: self_evaluation_html(local),
        [("PDF", lambda: self_evaluation_pdf(local)), ("Word", lambda: self_evaluation_docx(local))],
        args.repeat,
    )
    print(f"  (the PDF has {len(PdfReader(io.BytesIO(made['PDF'])).pages)} A4 pages)")
    filings = round_filings(args.filings)
    day = date(2027, 5, 1)
    round_summary = filing_round_summary(
        authority="苏州市工业和信息化局", year=2027, filings=filings, as_of=day, generated_on=day
    )
    made = compare(
        f"动态管理年度汇总 filing round summary: {args.filings} filings (PDF against its HTML page)",
        lambda: render_html("filing_round_summary.html", round_summary.context()),
        [("PDF", lambda: filing_round_summary_pdf(round_summary))],
        args.repeat,
    )
    print(f"  (the PDF has {len(PdfReader(io.BytesIO(made['PDF'])).pages)} A4 pages)")
    round_table = filing_round_table(round_summary, filings)
    compare(
        f"动态管理年度汇总表 filing round table: {args.filings} rows (Excel against the table as HTML)",
        lambda: table_html(round_table),
        [("Excel", lambda: write_table_xlsx(round_table))],
        args.repeat,
    )


if __name__ == "__main__":
    main()
