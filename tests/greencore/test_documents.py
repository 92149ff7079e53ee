"""自评价报告 (issue 14): the CLI writes PDF and Word; each file, opened, carries the engine's figures.

The PDF is read back with pdftotext (poppler), the Word file as its XML; every assertion compares a
printed figure with the engine's own Decimal, to the last digit. First pages are rendered to PNG
under test-results/documents/ for a person to look at (Chinese glyphs, tables inside the page, chart).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import zipfile
from decimal import Decimal
from pathlib import Path
from xml.etree import ElementTree

import pytest

from greencore import (
    Finding,
    Templates,
    get_scheme,
    radar_svg,
    score,
    self_evaluation_html,
    self_evaluation_report,
    third_party_docx,
    third_party_pdf,
    third_party_report,
)
from greencore.cli import main
from greencore.documents import CategoryLine, number
from tests.greencore.schemes.conftest import _factory2018
from tests.renderings import office_png

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
SHOTS = ROOT / "test-results" / "documents"
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
SCHEME_ID = "factory-gbt36132-2025"

APPLICANT = {
    "name": "示例精密机械有限公司（虚构）",
    "credit_code": "91320500MA1XXXXX0X",
    "address": "江苏省苏州市工业园区示例路 1 号",
    "industry": "C34 通用设备制造业",
    "scope": "厂区内铸件、机加工件、装配件的生产活动",
    "boundary": "以厂区围墙为边界，不含员工宿舍",
    "period": "2025 年 1 月 1 日至 12 月 31 日",
}
EVIDENCE = {"renewable": ["光伏并网验收报告.pdf", "2025 年发电量台账.xlsx"]}

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")


def _text(node: ElementTree.Element) -> str:
    return "".join(t.text or "" for t in node.iter(f"{W}t"))


@pytest.fixture(scope="module")
def case(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """One application from raw plant data, its engine result, and the two files the CLI wrote."""
    work = tmp_path_factory.mktemp("report")
    document = json.loads((EXAMPLES / "factory-2025-raw.json").read_text(encoding="utf-8"))
    document["raw"] = str(EXAMPLES / document["raw"])
    document["applicant"] = APPLICANT
    document["evidence"] = EVIDENCE
    source = work / "申报数据.json"
    source.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    raw = json.loads((EXAMPLES / "factory-raw.json").read_text(encoding="utf-8"))
    result = score(get_scheme(SCHEME_ID), document["inputs"], raw=raw)
    pdf, docx = work / "report.pdf", work / "report.docx"
    for target in (pdf, docx):
        code = main(["report", "self-evaluation", str(source), "-o", str(target), "--date", "2026-12-07"])
        assert code == 0
    SHOTS.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        ["pdftoppm", "-r", "70", "-f", "1", "-l", "4", "-png", str(pdf), str(SHOTS / "self-evaluation")],
        check=True,
    )
    layout = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    office_png(docx.read_bytes(), "self-evaluation-word", "docx")
    return {"result": result, "pdf": pdf, "docx": docx, "layout": layout}


def test_pdf_is_a4_with_embedded_chinese_fonts_and_page_numbers(case):
    info = subprocess.run(["pdfinfo", str(case["pdf"])], capture_output=True, text=True, check=True).stdout
    assert "595.276 x 841.89 pts (A4)" in info, "PDF 应为 A4 幅面"
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    fonts = subprocess.run(["pdffonts", str(case["pdf"])], capture_output=True, text=True, check=True).stdout
    cjk = [line for line in fonts.splitlines() if "CJK" in line]
    assert cjk, "PDF 应使用中文字体"
    assert all(line.split()[-5] == "yes" for line in cjk), "中文字体应嵌入 PDF"
    layout = case["layout"]
    assert f"第 1 页 / 共 {pages} 页" in layout and f"第 {pages} 页 / 共 {pages} 页" in layout, "页码"
    # every page after the cover carries the running header naming the document
    pages_text = layout.split("\f")
    assert all("自评价报告 — 示例精密机械有限公司（虚构）" in p for p in pages_text[1:pages]), (
        "页眉应写明文件名称"
    )
    assert sorted(SHOTS.glob("self-evaluation-*.png")), "首页 PNG 应保存在 test-results/documents/"


def test_pdf_figures_equal_the_engine(case):
    result, layout = case["result"], case["layout"]
    flat = re.sub(r"\s+", "", layout)
    assert f"总分：{number(result.score)}/{number(result.max_score)}" in flat, "总分应与评分引擎一致"
    assert "资格：具备资格" in flat
    for category in result.categories():
        ratio = f"{float(category.points / category.max_points) * 100:.1f}"
        row = f"{category.label}{number(category.points)}{number(category.max_points)}{ratio}%"
        assert row in flat, f"一级指标“{category.label}”的得分行应为 {row}"
    lines = layout.splitlines()
    for item in result.indicators:
        if not item.is_leaf or item.status != "scored" or item.value is None:
            continue
        # a row's first line carries its value, then its points and maximum at the right
        tail = re.compile(rf"\s{re.escape(number(item.points))}\s+{re.escape(number(item.max_points))}\s*$")
        assert any(number(item.value) in line and tail.search(line) for line in lines), (
            f"指标“{item.label}”：实际值 {number(item.value)}、得分 {number(item.points)} / "
            f"{number(item.max_points)} 应印在同一行"
        )
    for derived in result.derived:
        shown = " · ".join(number(v) for v in derived.rows) if derived.rows else number(derived.value)
        assert re.sub(r"\s+", "", shown) in flat, f"由原始数据计算的“{derived.label}”应为 {shown}"
    assert "光伏并网验收报告.pdf" in flat, "佐证材料应列在对应指标下"
    assert "以厂区围墙为边界，不含员工宿舍" in flat, "评价边界"
    assert flat.count("符合") >= len(result.gates), "每项基本要求都有自评结论"


def _docx_parts(path: Path) -> dict[str, ElementTree.Element]:
    with zipfile.ZipFile(path) as archive:
        return {
            name: ElementTree.fromstring(archive.read(name))
            for name in archive.namelist()
            if name.startswith("word/") and name.endswith(".xml")
        }


def test_docx_is_a4_with_east_asian_fonts(case):
    parts = _docx_parts(case["docx"])
    size = parts["word/document.xml"].find(f".//{W}sectPr/{W}pgSz")
    assert (size.get(f"{W}w"), size.get(f"{W}h")) == ("11906", "16838"), "Word 文档应为 A4"
    fonts = [f.get(f"{W}eastAsia") for f in parts["word/styles.xml"].iter(f"{W}rFonts")]
    assert "宋体" in fonts, "正文应设置中文（东亚）字体"
    headers = [_text(p) for n, p in parts.items() if n.startswith("word/header")]
    assert any("自评价报告 — 示例精密机械有限公司（虚构）" in h for h in headers), "页眉应写明文件名称"
    assert parts["word/document.xml"].find(f".//{W}tblHeader") is not None, "表头应跨页重复"
    with zipfile.ZipFile(case["docx"]) as archive:
        assert any(n.startswith("word/media/") and n.endswith(".png") for n in archive.namelist()), "雷达图"


def test_docx_figures_equal_the_engine(case):
    result = case["result"]
    body = _docx_parts(case["docx"])["word/document.xml"]
    rows = [[_text(cell) for cell in row.iter(f"{W}tc")] for row in body.iter(f"{W}tr")]
    by_label = {r[0].strip("　"): r for r in rows if len(r) == 9}
    for item in result.indicators:
        row = by_label[item.label]
        status = {"missing": "缺项", "not_applicable": "不适用", "not_counted": "未计入"}.get(item.status, "")
        points = number(item.points) if item.points is not None and item.status == "scored" else status
        if not item.is_leaf and item.points is not None:
            points = number(item.points)
        value = "" if item.value is None else number(item.value)
        assert (row[1], row[2], row[7], row[8]) == (value, item.unit, points, number(item.max_points)), (
            f"指标“{item.label}”的实际值、单位、得分、满分应与评分引擎一致"
        )
    assert by_label["可再生能源利用率"][6] == "光伏并网验收报告.pdf；2025 年发电量台账.xlsx", "佐证材料"
    categories = {r[0]: r for r in rows if len(r) == 4 and r[0] in {c.label for c in result.categories()}}
    for category in result.categories():
        assert categories[category.label][1:3] == [number(category.points), number(category.max_points)]
    paragraphs = [_text(p) for p in body.iter(f"{W}p")]
    assert f"总分：{number(result.score)} / {number(result.max_score)}　资格：具备资格　等级：—" in paragraphs


def test_gap_to_the_next_grade_lists_the_engine_improvements():
    """河北星级: 82 分为四星，距五星（90 分）差 8 分；报告列出引擎算出的改进措施与增分。"""
    scheme = get_scheme("factory-hebei-stars")
    inputs = {**_factory2018("base"), "hebei_listed": True, "hebei_normal_operation": True}
    result = score(scheme, inputs)
    assert (result.score, result.grade) == (Decimal("82.00"), "four_star")
    report = self_evaluation_report(scheme, result, applicant={"name": "某公司"}, generated_on="2026-12-07")
    assert report.gap is not None
    assert report.gap_summary == f"距“{result.gap.target_label}”（90 分）还差 8.00 分。"
    assert [(s.label, s.score_gain) for s in report.gap.improvements] == [
        (step.label, number(step.score_gain)) for step in result.gap.improvements
    ]
    html = self_evaluation_html(report)
    for step in result.gap.improvements:
        assert f"+{number(step.score_gain)}" in html
    assert report.grade == result.grade_label


def test_a_bureau_template_directory_replaces_the_shipped_layout(tmp_path):
    own = tmp_path / "templates"
    own.mkdir()
    (own / "report.css").write_text("/* 某市工信局版式 */ body { color: black; }", encoding="utf-8")
    out = tmp_path / "r.html"
    code = main(
        [
            "report",
            "self-evaluation",
            str(EXAMPLES / "factory-2025.json"),
            "-o",
            str(out),
            "--templates",
            str(own),
        ]
    )
    assert code == 0
    html = out.read_text(encoding="utf-8")
    assert "某市工信局版式" in html and "一、申报单位基本情况" in html
    assert Templates(own).path("self_evaluation.html").parent.name == "templates"  # falls back to shipped


def test_a_malformed_date_is_refused_naming_the_option(tmp_path, capsys):
    args = ["report", "self-evaluation", str(EXAMPLES / "factory-2025.json"), "-o", str(tmp_path / "r.html")]
    assert main([*args, "--date", "2026/12/07"]) == 2
    assert "--date 2026/12/07: 日期应为 YYYY-MM-DD" in capsys.readouterr().err
    assert not (tmp_path / "r.html").exists()


def test_unknown_output_format_is_refused_naming_the_option(tmp_path, capsys):
    code = main(
        ["report", "self-evaluation", str(EXAMPLES / "factory-2025.json"), "-o", str(tmp_path / "r.odt")]
    )
    assert code == 2
    assert "只支持 .pdf、.docx、.html" in capsys.readouterr().err


def test_radar_of_full_marks_touches_the_outer_ring():
    full = [CategoryLine(str(i), f"类{i}", "10", "10", "100.0", 1.0) for i in range(4)]
    svg = radar_svg(full)
    polygons = re.findall(r'<polygon points="([^"]+)"', svg)
    assert polygons[-1] == polygons[-2], "满分时数据多边形与外圈重合"
    assert "类0" in svg and "100.0%" in svg


# --- 第三方评价报告 -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def third_party(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """The example factory's self-evaluation against an evaluator who found 2 platform functions (not 6)
    and a reuse rate of 85 % (not 86 %); margin 2 points."""
    document = json.loads((EXAMPLES / "factory-2025.json").read_text(encoding="utf-8"))
    scheme = get_scheme(SCHEME_ID)
    own = score(scheme, document["inputs"])
    checked = score(scheme, {**document["inputs"], "platform_functions": 2, "water_reuse_rate": 85})
    report = third_party_report(
        scheme,
        own,
        checked,
        margin=Decimal(2),
        body="江苏示例绿色发展评价中心（演示）",
        team=["张评价（组长）", "李核查"],
        dates={"受托日期": "2026-10-20", "现场评价": "2026-11-02 至 2026-11-03", "报告日期": "2026-11-20"},
        findings=[
            Finding(
                "field_check", "现场核查", "能碳管理系统平台功能符合数量", "平台仅上线 2 项功能", "2026-11-02"
            ),
            Finding(
                "document_check",
                "文件核查",
                "",
                "核对能源利用状况报告与统计报表",
                "2026-11-03",
                "能源报表.pdf",
            ),
        ],
        conclusion="除能碳管理平台外，各项指标与佐证材料相符。",
        applicant={"name": "示例电机有限公司（虚构示例）"},
        generated_on="2026-11-20",
    )
    work = tmp_path_factory.mktemp("third-party")
    pdf, docx = work / "third-party.pdf", work / "third-party.docx"
    pdf.write_bytes(third_party_pdf(report))
    docx.write_bytes(third_party_docx(report))
    SHOTS.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        ["pdftoppm", "-r", "70", "-f", "1", "-l", "4", "-png", str(pdf), str(SHOTS / "third-party")],
        check=True,
    )
    layout = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    office_png(docx.read_bytes(), "third-party-word", "docx")
    return {"own": own, "checked": checked, "report": report, "layout": layout, "docx": docx}


def test_third_party_verdicts_follow_the_engines_comparison(third_party):
    rows = {i.label: i for i in third_party["report"].indicators if i.is_leaf}
    platform = rows["能碳管理系统平台功能符合数量"]
    assert (platform.applicant_value, platform.evaluator_value) == ("6", "2")
    assert (platform.applicant_points, platform.evaluator_points, platform.difference) == (
        "4.50",
        "1.50",
        "-3.00",
    )
    assert platform.verdict == "不符合", "差异 3 分超过允许的 2 分"
    reuse = rows["工业用水重复利用率"]
    assert (reuse.applicant_points, reuse.evaluator_points, reuse.difference, reuse.verdict) == (
        "3.93",
        "3.27",
        "-0.66",
        "基本符合",
    )
    assert sum(1 for r in rows.values() if r.verdict == "符合") == len(rows) - 2
    assert (third_party["report"].applicant_score, third_party["report"].evaluator_score) == (
        "60.19",
        "56.42",
    )


def test_third_party_pdf_and_word_carry_both_sides(third_party):
    flat = re.sub(r"\s+", "", third_party["layout"])
    checked = third_party["checked"]
    assert f"核定得分：{checked.score}/{checked.max_score}" in flat
    assert "能碳管理系统平台功能符合数量" in flat and "-3.00不符合" in flat
    assert "现场核查（实地调查、抽样调查）；文件核查（查看报告文件、统计报表、原始记录）" in flat, "评价方法"
    assert "张评价（组长）、李核查" in flat and "除能碳管理平台外，各项指标与佐证材料相符。" in flat
    body = _docx_parts(third_party["docx"])["word/document.xml"]
    rows = [[_text(cell) for cell in row.iter(f"{W}tc")] for row in body.iter(f"{W}tr")]
    platform = next(r for r in rows if r and r[0].strip("　") == "能碳管理系统平台功能符合数量")
    assert platform[1:] == ["项", "6", "2", "4.50", "1.50", "6.00", "-3.00", "不符合"], "自评与核查对照行"
