"""Time to generate documents (issue 14), each against rendering the same data as an HTML page.

* a third-party evaluation report of about 30 A4 pages (the example factory with many findings), as PDF
  (WeasyPrint) and as Word (docxtpl), against its HTML page (the Jinja2 template alone);
* a 1,000-row recommendation summary table as Excel, against the same table as an HTML page.

Each figure is the best CPU (process) time of --repeat runs, so other load on a shared machine does
not count; the ratio is document time / HTML time in the same run.
Prints figures and ratios; nothing is asserted.

    uv run python tests/bench/bench_documents.py [--findings 240] [--rows 1000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import io
import json
import time
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from pypdf import PdfReader

from greencore import Finding, TableColumn, TableDocument, get_scheme, score, third_party_report
from greencore.documents import (
    table_html,
    third_party_docx,
    third_party_html,
    third_party_pdf,
    write_table_xlsx,
)

ROOT = Path(__file__).resolve().parents[2]


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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--findings", type=int, default=240)
    parser.add_argument("--rows", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    data = report(args.findings)
    html_s, _ = best(lambda: third_party_html(data), args.repeat)
    pdf_s, pdf = best(lambda: third_party_pdf(data), args.repeat)
    docx_s, docx = best(lambda: third_party_docx(data), args.repeat)
    pages = len(PdfReader(io.BytesIO(pdf)).pages)
    print(f"第三方评价报告 third-party report: {args.findings} findings, {pages} A4 pages")
    print(f"  HTML page (baseline)   {html_s * 1000:9.1f} ms")
    print(
        f"  PDF  {len(pdf) / 1024:8.0f} KiB   {pdf_s * 1000:9.1f} ms   ×{pdf_s / html_s:7.1f} the HTML page"
    )
    print(
        f"  Word {len(docx) / 1024:8.0f} KiB   {docx_s * 1000:9.1f} ms   ×{docx_s / html_s:7.1f} the HTML page"
    )
    table = summary(args.rows)
    table_html_s, _ = best(lambda: table_html(table), args.repeat)
    xlsx_s, xlsx = best(lambda: write_table_xlsx(table), args.repeat)
    print(f"推荐汇总表 summary table: {args.rows} rows")
    print(f"  HTML page (baseline)   {table_html_s * 1000:9.1f} ms")
    print(
        f"  Excel {len(xlsx) / 1024:7.0f} KiB   {xlsx_s * 1000:9.1f} ms   ×{xlsx_s / table_html_s:7.1f} the HTML page"
    )


if __name__ == "__main__":
    main()
