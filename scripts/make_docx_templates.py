"""Write the shipped Word templates (src/greencore/documents/templates/*.docx).

The .docx files are committed; this script is how they were made, so a change of layout is
reviewable as code. A bureau's own template needs none of this: any .docx with the same
docxtpl tags ({{ … }}, {%tr for … %}) works. Run: uv run python scripts/make_docx_templates.py
"""

from __future__ import annotations

from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from docx.table import Table

OUT = Path(__file__).resolve().parents[1] / "src" / "greencore" / "documents" / "templates"
EAST_ASIAN = "宋体"  # SimSun: what bureaus' Word installations have; Latin text stays Times New Roman
HEADING_EAST_ASIAN = "黑体"


def _fonts(style_element: object, latin: str, east_asian: str) -> None:
    rpr = style_element.get_or_add_rPr()  # type: ignore[attr-defined]
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:cs"):
        fonts.set(qn(attr), latin)
    fonts.set(qn("w:eastAsia"), east_asian)
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:eastAsia"), "zh-CN")


def _document() -> Document:  # type: ignore[valid-type]
    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)  # A4
    section.top_margin, section.bottom_margin = Mm(25), Mm(20)
    section.left_margin, section.right_margin = Mm(22), Mm(18)
    normal = doc.styles["Normal"]
    normal.font.size = Pt(10.5)  # 五号
    _fonts(normal.element, "Times New Roman", EAST_ASIAN)
    for name in ("Title", "Heading 1", "Heading 2"):
        _fonts(doc.styles[name].element, "Times New Roman", HEADING_EAST_ASIAN)
    _fonts(doc.styles["Table Grid"].element, "Times New Roman", EAST_ASIAN)
    header = section.header.paragraphs[0]
    header.text = "{{ document_name }}"
    header.alignment = WD_ALIGN_PARAGRAPH.CENTER
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    footer.add_run("第 ")
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    field.append(run)
    footer._p.append(field)
    footer.add_run(" 页")
    return doc


def _repeat_header(table: Table) -> None:
    """Mark the first row as a header row, repeated on every page the table spans."""
    tr_pr = table.rows[0]._tr.get_or_add_trPr()
    flag = OxmlElement("w:tblHeader")
    flag.set(qn("w:val"), "true")
    tr_pr.append(flag)


def _loop_table(doc: Document, heads: list[str], loop: str, cells: list[str]) -> None:  # type: ignore[valid-type]
    table = doc.add_table(rows=4, cols=len(heads))
    table.style = "Table Grid"
    for cell, head in zip(table.rows[0].cells, heads, strict=True):
        cell.text = head
        cell.paragraphs[0].runs[0].bold = True
    table.rows[1].cells[0].text = f"{{%tr for {loop} %}}"
    for cell, value in zip(table.rows[2].cells, cells, strict=True):
        cell.text = value
    table.rows[3].cells[0].text = "{%tr endfor %}"
    _repeat_header(table)


def self_evaluation() -> None:
    doc = _document()
    doc.add_paragraph("{{ title }}", style="Title").alignment = WD_ALIGN_PARAGRAPH.CENTER
    for line in (
        "申报单位：{{ applicant_name }}",
        "评价依据：{{ scheme_title }}（{{ scheme_key }}）",
        "自评价得分：{{ score }} / {{ max_score }}　等级：{{ grade }}",
        "数据版本：{{ data_version }}　编制日期：{{ generated_on }}",
        "评分引擎：greencore {{ engine_version }}",
    ):
        doc.add_paragraph(line)
    doc.add_heading("一、申报单位基本情况", level=1)
    _loop_table(doc, ["项目", "内容"], "item in applicant", ["{{ item.label }}", "{{ item.value }}"])
    doc.add_heading("二、评价范围与边界", level=1)
    _loop_table(doc, ["项目", "内容"], "item in scope", ["{{ item.label }}", "{{ item.value }}"])
    doc.add_heading("三、基本要求", level=1)
    doc.add_paragraph("资格判定：{{ eligibility }}")
    _loop_table(
        doc,
        ["序号", "基本要求", "依据", "自评结论"],
        "gate in gates",
        ["{{ loop.index }}", "{{ gate.label }}", "{{ gate.source }}", "{{ gate.verdict }}"],
    )
    doc.add_heading("四、指标评价", level=1)
    _loop_table(
        doc,
        ["指标", "实际值", "单位", "基准值", "引领值", "计算过程", "佐证材料", "得分", "满分"],
        "i in indicators",
        [
            "{{ '　' * (i.depth - 1) }}{{ i.label }}",
            "{{ i.value }}",
            "{{ i.unit }}",
            "{{ i.base }}",
            "{{ i.lead }}",
            "{{ i.rule }} {{ i.working }} {{ i.rows|join('；') }}",
            "{{ i.evidence|join('；') }}",
            "{{ i.points }}",
            "{{ i.max_points }}",
        ],
    )
    doc.add_heading("计算过程（由原始数据计算的数值）", level=2)
    _loop_table(
        doc,
        ["数值 / 步骤", "计算", "参考数据"],
        "w in working",
        ["{{ w.figure }}", "{{ w.step }}", "{{ w.reference }}"],
    )
    doc.add_heading("五、评价结果", level=1)
    doc.add_paragraph("总分：{{ score }} / {{ max_score }}　资格：{{ eligibility }}　等级：{{ grade }}")
    _loop_table(
        doc,
        ["一级指标", "得分", "满分", "得分率（%）"],
        "c in categories",
        ["{{ c.label }}", "{{ c.points }}", "{{ c.max_points }}", "{{ c.percent }}"],
    )
    doc.add_paragraph("{{ radar }}").alignment = WD_ALIGN_PARAGRAPH.CENTER
    doc.add_paragraph("{%p for note in notes %}")
    doc.add_paragraph("注：{{ note }}")
    doc.add_paragraph("{%p endfor %}")
    doc.add_heading("六、亮点", level=1)
    doc.add_paragraph("{%p for h in highlights %}")
    doc.add_paragraph("{{ h }}", style="List Bullet")
    doc.add_paragraph("{%p endfor %}")
    doc.add_heading("七、与下一等级的差距及改进方向", level=1)
    doc.add_paragraph("{{ gap_summary }}")
    _loop_table(
        doc,
        ["改进措施", "现得分", "目标得分", "可增分"],
        "s in (gap.improvements if gap else [])",
        ["{{ s.action }}", "{{ s.points_now }}", "{{ s.points_target }}", "+{{ s.score_gain }}"],
    )
    doc.save(OUT / "self_evaluation.docx")


def third_party() -> None:
    doc = _document()
    doc.add_paragraph("{{ title }}", style="Title").alignment = WD_ALIGN_PARAGRAPH.CENTER
    for line in (
        "受评价单位：{{ applicant_name }}",
        "评价机构：{{ body }}",
        "评价依据：{{ scheme_title }}（{{ scheme_key }}）",
        "核定得分：{{ evaluator_score }} / {{ max_score }}　等级：{{ grade }}",
        "数据版本：{{ data_version }}　报告日期：{{ generated_on }}",
    ):
        doc.add_paragraph(line)
    doc.add_heading("一、评价概况", level=1)
    doc.add_paragraph("评价组成员：{{ team|join('、') }}")
    _loop_table(doc, ["项目", "日期"], "d in dates", ["{{ d.label }}", "{{ d.value }}"])
    doc.add_paragraph("评价方法：{{ methods|join('；') }}")
    doc.add_heading("二、受评价单位基本情况", level=1)
    _loop_table(doc, ["项目", "内容"], "item in applicant", ["{{ item.label }}", "{{ item.value }}"])
    doc.add_heading("三、评价过程", level=1)
    _loop_table(
        doc,
        ["方式", "指标", "核查情况", "日期"],
        "f in findings",
        ["{{ f.method }}", "{{ f.indicator }}", "{{ f.description }} {{ f.file_name }}", "{{ f.date }}"],
    )
    doc.add_heading("四、基本要求符合性", level=1)
    _loop_table(
        doc,
        ["基本要求", "自评", "核查", "结论"],
        "g in gates",
        ["{{ g.label }}", "{{ g.applicant }}", "{{ g.evaluator }}", "{{ g.verdict }}"],
    )
    doc.add_heading("五、指标评价（自评与核查对照）", level=1)
    doc.add_paragraph("得分差异超过 {{ margin }} 分的指标判为“不符合”。共 {{ flagged }} 项不符合。")
    _loop_table(
        doc,
        ["指标", "单位", "自评值", "核查值", "自评得分", "核定得分", "满分", "差异", "结论"],
        "i in indicators",
        [
            "{{ '　' * (i.depth - 1) }}{{ i.label }}",
            "{{ i.unit }}",
            "{{ i.applicant_value }}",
            "{{ i.evaluator_value }}",
            "{{ i.applicant_points }}",
            "{{ i.evaluator_points }}",
            "{{ i.max_points }}",
            "{{ i.difference }}",
            "{{ i.verdict }}",
        ],
    )
    doc.add_heading("六、评价结果", level=1)
    doc.add_paragraph(
        "自评得分 {{ applicant_score }}；核定得分：{{ evaluator_score }} / {{ max_score }}；等级：{{ grade }}"
    )
    _loop_table(
        doc,
        ["一级指标", "核定得分", "满分", "得分率（%）"],
        "c in categories",
        ["{{ c.label }}", "{{ c.points }}", "{{ c.max_points }}", "{{ c.percent }}"],
    )
    doc.add_paragraph("{{ radar }}").alignment = WD_ALIGN_PARAGRAPH.CENTER
    doc.add_heading("七、主要做法及亮点", level=1)
    doc.add_paragraph("{%p for p in practices %}")
    doc.add_paragraph("{{ p }}", style="List Bullet")
    doc.add_paragraph("{%p endfor %}")
    doc.add_heading("八、改进建议", level=1)
    doc.add_paragraph("{%p for r in recommendations %}")
    doc.add_paragraph("{{ r }}", style="List Bullet")
    doc.add_paragraph("{%p endfor %}")
    doc.add_heading("九、评价结论", level=1)
    doc.add_paragraph("{{ conclusion }}")
    doc.add_paragraph("评价机构：{{ body }}（盖章）　{{ generated_on }}").alignment = WD_ALIGN_PARAGRAPH.RIGHT
    doc.save(OUT / "third_party.docx")


if __name__ == "__main__":
    self_evaluation()
    third_party()
