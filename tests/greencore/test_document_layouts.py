"""Local report layouts (issue 14): a scheme with its issuer's own layout draws its report from it.

Suzhou's 《苏州市绿色工厂评价报告》 (seeds/003 附件2) and 'XX市' 绿色工厂自评表 + 自评报告 (seeds/004) are chosen by
the scheme's `report_layout` (data), through the same command line as the general report; each file is
opened (pdftotext, the docx XML) and its figures compared with the engine's to the last digit.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import pytest

from greencore import get_scheme, score, self_evaluation_report
from greencore.cli import main
from greencore.documents import number
from greencore.documents.render import MissingLayout, Templates, layout_template
from tests.greencore.schemes.conftest import _factory2018
from tests.renderings import office_png

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "test-results" / "documents"
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
APPLICANT = {
    "name": "苏州示例电子有限公司（虚构）",
    "region": "江苏省苏州市工业园区",
    "industry": "C39 计算机、通信和其他电子设备制造业",
    "scope": "厂区内全部生产活动",
    "boundary": "以厂区围墙为边界",
    "period": "2025 年度",
}
CASES = {
    # 82 points (41 + 15 + 26), 2A held: Suzhou 3A
    "factory-suzhou": {**_factory2018("base"), "held_grade": "2A"},
    "factory-xx-city": _factory2018("base"),
}

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")


def _write(tmp: Path, scheme_id: str) -> dict[str, object]:
    source = tmp / f"{scheme_id}.json"
    inputs = CASES[scheme_id]
    source.write_text(
        json.dumps(
            {
                "scheme": scheme_id,
                "inputs": inputs,
                "applicant": APPLICANT,
                "evidence": {"building_green": ["绿色建筑设计说明.pdf"]},
            },
            ensure_ascii=False,
        ),
        encoding="utf-8",
    )
    pdf, docx = tmp / f"{scheme_id}.pdf", tmp / f"{scheme_id}.docx"
    for target in (pdf, docx):
        argv = ["report", "self-evaluation", str(source), "--scheme", scheme_id, "-o", str(target)]
        assert main([*argv, "--date", "2026-12-07"]) == 0
    SHOTS.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        ["pdftoppm", "-r", "70", "-f", "1", "-l", "3", "-png", str(pdf), str(SHOTS / f"layout-{scheme_id}")],
        check=True,
    )
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True)
    office_png(docx.read_bytes(), f"layout-{scheme_id}-word", "docx")
    with zipfile.ZipFile(docx) as archive:
        body = ElementTree.fromstring(archive.read("word/document.xml"))
        headers = [ElementTree.fromstring(archive.read(n)) for n in archive.namelist() if "header" in n]
    return {
        "result": score(get_scheme(scheme_id), inputs),
        "flat": re.sub(r"\s+", "", text.stdout),
        "body": body,
        "headers": ["".join(t.text or "" for t in h.iter(f"{W}t")) for h in headers],
    }


@pytest.fixture(scope="module")
def suzhou(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    return _write(tmp_path_factory.mktemp("suzhou"), "factory-suzhou")


@pytest.fixture(scope="module")
def xx_city(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    return _write(tmp_path_factory.mktemp("xx"), "factory-xx-city")


def _cells(body: ElementTree.Element) -> list[list[str]]:
    return [
        ["".join(t.text or "" for t in cell.iter(f"{W}t")) for cell in row.iter(f"{W}tc")]
        for row in body.iter(f"{W}tr")
    ]


def _paragraphs(body: ElementTree.Element) -> list[str]:
    return ["".join(t.text or "" for t in p.iter(f"{W}t")) for p in body.iter(f"{W}p")]


def test_the_layout_is_the_schemes_data():
    assert get_scheme("factory-suzhou").report_layout == "suzhou"
    assert get_scheme("factory-xx-city").report_layout == "xx-city"
    assert get_scheme("factory-gbt36132-2018").report_layout == "", "国家标准方案用通用自评价报告"


def test_suzhou_pdf_has_the_citys_chapters_and_the_engines_figures(suzhou):
    result, flat = suzhou["result"], suzhou["flat"]
    assert number(result.score) == "82.00" and result.grade == "3A"
    chapters = ["一、企业基本情况", "二、评价范围", "三、评价依据", "四、基本要求符合情况", "五、评价指标得分",
                "六、评价结论", "七、主要亮点", "八、存在问题及改进方向", "九、动态管理及承诺"]  # fmt: skip
    positions = [flat.find(c) for c in chapters]
    assert all(p >= 0 for p in positions) and positions == sorted(positions), "苏州评价报告的章节及顺序"
    assert flat.startswith("苏州市绿色工厂评价报告"), "封面标题"
    assert f"评价分数：{number(result.score)}分（满分{number(result.max_score)}）" in flat, (
        "评价分数与引擎一致"
    )
    assert "对应等级：3A级绿色工厂（市级）" in flat
    # the grade table comes from the scheme's outcome, not from the template
    for label, condition in (
        ("3A级绿色工厂（市级）", "80分（含）以上；申报3A级须已获评2A级"),
        ("2A级绿色工厂", "70分（含）～80分"),
        ("1A级绿色工厂", "60分（含）～70分"),
        ("4A级绿色工厂（省级）", "已获评省级绿色工厂；申报省级须已获评3A级"),
    ):
        assert f"{label}{condition}" in flat, f"等级“{label}”的评定条件"
    for category in result.categories():
        ratio = f"{float(category.points / category.max_points) * 100:.1f}"
        row = re.sub(
            r"\s+", "", f"{category.label}{number(category.points)}{number(category.max_points)}{ratio}%"
        )
        assert row in flat, f"一级指标“{category.label}”的得分行应为 {row}"
    assert "绿色建筑设计说明.pdf" in flat, "证明材料列在对应指标下"
    assert sorted(SHOTS.glob("layout-factory-suzhou-*.png")), "首页 PNG"


def test_suzhou_word_carries_the_same_figures(suzhou):
    result, rows = suzhou["result"], _cells(suzhou["body"])
    assert any("苏州市绿色工厂评价报告 — 苏州示例电子有限公司（虚构）" in h for h in suzhou["headers"]), (
        "页眉"
    )
    by_label = {r[0].strip("　"): r for r in rows if len(r) == 7}
    for item in result.indicators:
        if item.is_leaf and item.status == "scored":
            row = by_label[item.label]
            assert (row[1], row[5], row[6]) == (
                "" if item.value is None else number(item.value),
                number(item.points),
                number(item.max_points),
            ), f"指标“{item.label}”的实际值、得分、满分应与评分引擎一致"
    bands = {r[0]: r[1] for r in rows if len(r) == 2}
    assert bands["2A级绿色工厂"] == "70 分（含）～80 分"
    assert "评价分数：82.00 分（满分 100）；具备资格；对应等级：3A级绿色工厂（市级）" in _paragraphs(
        suzhou["body"]
    )


def test_xx_city_has_the_self_evaluation_table_then_the_report(xx_city):
    result, flat = xx_city["result"], xx_city["flat"]
    table, report = flat.find("第一部分绿色工厂自评表"), flat.find("第二部分绿色工厂自评报告")
    assert 0 <= table < report, "先自评表，后自评报告"
    for heading in ("一、企业基本情况", "二、绿色工厂建设管理和实际运行情况", "三、自评得分及结论",
                    "四、存在问题及改进计划", "五、证明材料清单"):  # fmt: skip
        assert flat.find(heading, report) > report, f"自评报告应有“{heading}”"
    assert f"合计{number(result.max_score)}{number(result.score)}具备资格" in flat, "自评表合计行"
    assert f"自评总分：{number(result.score)}/{number(result.max_score)}" in flat
    assert "本市评选规则：得分高于80分且位于本批次前30位的企业" in flat, "评选规则来自方案数据"
    assert "是否达到申报条件：合格" in flat, "82 分高于 80 分"
    assert "得分已达到本方案合格线；本方案不分等级，入选条件为“得分高于80分且位于本批次前30位”" in flat, (
        "不分等级的方案不称“资料不全”"
    )
    for category in result.categories():
        row = re.sub(r"\s+", "", f"{category.label}{number(category.points)}{number(category.max_points)}")
        assert row in flat[report:], f"“{category.label}”的得分"
    assert sorted(SHOTS.glob("layout-factory-xx-city-*.png")), "首页 PNG"


def test_xx_city_word_table_equals_the_engine(xx_city):
    result, rows = xx_city["result"], _cells(xx_city["body"])
    by_label = {r[0].strip("　"): r for r in rows if len(r) == 5}
    for item in result.indicators:
        if item.status == "scored" and item.points is not None:
            row = by_label[item.label]
            assert (row[1], row[2]) == (number(item.max_points), number(item.points)), (
                f"自评表“{item.label}”的满分、自评得分应与评分引擎一致"
            )
    label = get_scheme("factory-xx-city").iter_nodes()
    green = next(n.label.zh for n in label if n.id == "building_green")
    assert [green, "绿色建筑设计说明.pdf"] in rows, "证明材料清单列出指标及其材料"
    assert (
        f"合计：自评得分 {number(result.score)} / 满分 {number(result.max_score)}（具备资格）"
        in _paragraphs(xx_city["body"])
    )


def test_a_bureau_replaces_a_local_layout_and_a_missing_one_is_named(tmp_path, capsys):
    scheme = get_scheme("factory-suzhou")
    report = self_evaluation_report(scheme, score(scheme, CASES["factory-suzhou"]))
    (tmp_path / "self_evaluation-suzhou.html").write_text("<p>本局版式 {{ score }}</p>", encoding="utf-8")
    assert layout_template(report, "html", Templates(tmp_path)) == "self_evaluation-suzhou.html"
    from greencore import self_evaluation_html  # noqa: PLC0415

    assert self_evaluation_html(report, Templates(tmp_path)) == "<p>本局版式 82.00</p>"
    odd = report.__class__(**{**report.__dict__, "layout": "nowhere"})
    with pytest.raises(MissingLayout, match=re.escape("缺少模板文件 self_evaluation-nowhere.html")):
        layout_template(odd, "html")
