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


def _gap_table(doc: Document) -> None:  # type: ignore[valid-type]
    doc.add_paragraph("{{ gap_summary }}")
    _loop_table(
        doc,
        ["改进措施", "现得分", "目标得分", "可增分"],
        "s in (gap.improvements if gap else [])",
        ["{{ s.action }}", "{{ s.points_now }}", "{{ s.points_target }}", "+{{ s.score_gain }}"],
    )


def _categories(doc: Document, first: str) -> None:  # type: ignore[valid-type]
    _loop_table(
        doc,
        [first, "得分", "满分", "得分率（%）"],
        "c in categories",
        ["{{ c.label }}", "{{ c.points }}", "{{ c.max_points }}", "{{ c.percent }}"],
    )
    doc.add_paragraph("{{ radar }}").alignment = WD_ALIGN_PARAGRAPH.CENTER


def _bullets(doc: Document, loop: str, item: str) -> None:  # type: ignore[valid-type]
    doc.add_paragraph(f"{{%p for {loop} %}}")
    doc.add_paragraph(f"{{{{ {item} }}}}", style="List Bullet")
    doc.add_paragraph("{%p endfor %}")


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
    _categories(doc, "一级指标")
    doc.add_paragraph("{%p for note in notes %}")
    doc.add_paragraph("注：{{ note }}")
    doc.add_paragraph("{%p endfor %}")
    doc.add_heading("六、亮点", level=1)
    _bullets(doc, "h in highlights", "h")
    doc.add_heading("七、与下一等级的差距及改进方向", level=1)
    _gap_table(doc)
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
    _bullets(doc, "p in practices", "p")
    doc.add_heading("八、改进建议", level=1)
    _bullets(doc, "r in recommendations", "r")
    doc.add_heading("九、评价结论", level=1)
    doc.add_paragraph("{{ conclusion }}")
    doc.add_paragraph("评价机构：{{ body }}（盖章）　{{ generated_on }}").alignment = WD_ALIGN_PARAGRAPH.RIGHT
    doc.save(OUT / "third_party.docx")


def suzhou() -> None:
    """《苏州市绿色工厂评价报告》 (seeds/003 附件2), the chapters of self_evaluation-suzhou.html."""
    doc = _document()
    doc.sections[0].header.paragraphs[0].text = "苏州市绿色工厂评价报告 — {{ applicant_name }}"
    doc.add_paragraph("苏州市绿色工厂评价报告", style="Title").alignment = WD_ALIGN_PARAGRAPH.CENTER
    for line in (
        "申报单位（盖章）：{{ applicant_name }}",
        "评价分数：{{ score }} 分　对应等级：{{ grade }}",
        "报送单位：属地工业和信息化主管部门",
        "编制日期：{{ generated_on }}　数据版本：{{ data_version }}",
    ):
        doc.add_paragraph(line)
    doc.add_heading("一、企业基本情况", level=1)
    _loop_table(doc, ["项目", "内容"], "item in applicant", ["{{ item.label }}", "{{ item.value }}"])
    doc.add_heading("二、评价范围", level=1)
    _loop_table(doc, ["项目", "内容"], "item in scope", ["{{ item.label }}", "{{ item.value }}"])
    doc.add_heading("三、评价依据", level=1)
    for line in (
        "《苏州市绿色工厂建设实施方案(试行)》（{{ issued_by }}）",
        "{{ scheme_source }}",
        "工业和信息化部发布的绿色工厂评价行业标准",
        "评价方案：{{ scheme_title }}（{{ scheme_key }}），评分引擎 greencore {{ engine_version }}",
    ):
        doc.add_paragraph(line, style="List Bullet")
    doc.add_heading("四、基本要求符合情况", level=1)
    doc.add_paragraph("资格判定：{{ eligibility }}")
    _loop_table(
        doc,
        ["序号", "基本要求", "依据", "符合情况"],
        "gate in gates",
        ["{{ loop.index }}", "{{ gate.label }}", "{{ gate.source }}", "{{ gate.verdict }}"],
    )
    doc.add_heading("五、评价指标得分", level=1)
    doc.add_heading("（一）各一级指标得分", level=2)
    _categories(doc, "一级指标")
    doc.add_heading("（二）指标评分明细", level=2)
    _loop_table(
        doc,
        ["评价指标", "实际值", "单位", "评分说明", "证明材料", "得分", "满分"],
        "i in indicators",
        [
            "{{ '　' * (i.depth - 1) }}{{ i.label }}",
            "{{ i.value }}",
            "{{ i.unit }}",
            "{{ i.rule }} {{ i.working }} {{ i.rows|join('；') }}",
            "{{ i.evidence|join('；') }}",
            "{{ i.points }}",
            "{{ i.max_points }}",
        ],
    )
    doc.add_heading("六、评价结论", level=1)
    doc.add_paragraph(
        "评价分数：{{ score }} 分（满分 {{ max_score }}）；{{ eligibility }}；对应等级：{{ grade }}"
    )
    _loop_table(doc, ["等级", "评定条件"], "band in grade_bands", ["{{ band.label }}", "{{ band.value }}"])
    doc.add_heading("七、主要亮点", level=1)
    _bullets(doc, "h in highlights", "h")
    doc.add_heading("八、存在问题及改进方向", level=1)
    _gap_table(doc)
    doc.add_heading("九、动态管理及承诺", level=1)
    doc.add_paragraph(
        "3A级（含）以上绿色工厂实行动态管理，获评企业按最高获评级别报送年度绿色工厂动态管理表；"
        "未按时上报的，原则上不推荐申报更高级别绿色工厂。"
    )
    doc.add_paragraph("本企业承诺：本报告所填内容及所附证明材料真实、准确、完整。")
    doc.add_paragraph(
        "法定代表人（签字）：＿＿＿＿＿＿　企业（盖章）　{{ generated_on }}"
    ).alignment = WD_ALIGN_PARAGRAPH.RIGHT
    doc.save(OUT / "self_evaluation-suzhou.docx")


def xx_city() -> None:
    """'XX市' 绿色工厂自评表 + 自评报告 (seeds/004), the parts of self_evaluation-xx-city.html."""
    doc = _document()
    doc.sections[0].header.paragraphs[0].text = "绿色工厂自评表及自评报告 — {{ applicant_name }}"
    doc.add_paragraph("绿色工厂自评表及自评报告", style="Title").alignment = WD_ALIGN_PARAGRAPH.CENTER
    doc.add_paragraph("企业名称（盖章）：{{ applicant_name }}　自评得分：{{ score }} 分")
    doc.add_paragraph("填报日期：{{ generated_on }}　数据版本：{{ data_version }}")
    doc.add_heading("第一部分　绿色工厂自评表", level=1)
    _loop_table(doc, ["企业基本情况", "内容"], "item in applicant", ["{{ item.label }}", "{{ item.value }}"])
    doc.add_heading("一、基本要求", level=2)
    _loop_table(
        doc,
        ["序号", "基本要求", "自评结论"],
        "gate in gates",
        ["{{ loop.index }}", "{{ gate.label }}", "{{ gate.verdict }}"],
    )
    doc.add_heading("二、评价指标自评", level=2)
    _loop_table(
        doc,
        ["评价指标", "满分", "自评得分", "自评说明（实际值、计算）", "证明材料"],
        "i in indicators",
        [
            "{{ '　' * (i.depth - 1) }}{{ i.label }}",
            "{{ i.max_points }}",
            "{{ i.points }}",
            "{% if i.value %}{{ i.value }} {{ i.unit }}；{% endif %}{{ i.working }}",
            "{{ i.evidence|join('；') }}",
        ],
    )
    doc.add_paragraph("合计：自评得分 {{ score }} / 满分 {{ max_score }}（{{ eligibility }}）")
    doc.add_heading("第二部分　绿色工厂自评报告", level=1)
    doc.add_heading("一、企业基本情况", level=2)
    _loop_table(doc, ["评价范围", "内容"], "item in scope", ["{{ item.label }}", "{{ item.value }}"])
    doc.add_heading("二、绿色工厂建设管理和实际运行情况", level=2)
    _categories(doc, "方面")
    _bullets(doc, "h in highlights", "h")
    doc.add_heading("三、自评得分及结论", level=2)
    doc.add_paragraph(
        "自评总分：{{ score }} / {{ max_score }}；{{ eligibility }}；是否达到申报条件：{{ passed }}"
    )
    doc.add_paragraph(
        "本市评选规则：{{ selection_rule }}的企业，经会议讨论、公示等程序后公布为“XX市绿色工厂”。"
    )
    doc.add_heading("四、存在问题及改进计划", level=2)
    _gap_table(doc)
    doc.add_heading("五、证明材料清单", level=2)
    _loop_table(
        doc,
        ["指标", "证明材料"],
        "i in indicators if i.evidence",
        ["{{ i.label }}", "{{ i.evidence|join('；') }}"],
    )
    doc.add_paragraph("企业（盖章）　{{ generated_on }}").alignment = WD_ALIGN_PARAGRAPH.RIGHT
    doc.save(OUT / "self_evaluation-xx-city.docx")


if __name__ == "__main__":
    self_evaluation()
    third_party()
    suzhou()
    xx_city()
