"""The dossier's form content in the active language (issue 4, continued).

In English the dossier and the third-party evaluation page show the English that greencore gives: the
scheme's input, table and category labels (`Text.en`) and the raw-data sheets' English (greencore's raw
layout). Where greencore has no English (a scheme group such as 基准值与引领值, scheme help, units) the
Chinese is shown. In Chinese everything is as before: the same labels, ids, names and aria-labels.
"""

from __future__ import annotations

import dataclasses
import html as htmllib
import re
from decimal import Decimal

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from factories import actor, start
from test_applications import complete_answers
from test_evaluations import engaged, evaluator
from test_i18n import CJK, english, page

from greencore.scoring.result import Gap, Improvement
from greenmfg.applications import services as applications
from greenmfg.applications.dossier import Field, build_form, evaluate, scheme_for
from greenmfg.evaluations import services as evaluations
from greenmfg.web.templatetags.greenmfg import bilingual, choice_options, fieldid, result_trails

SCHEME = "factory-gbt36132-2025@2025.1"  # the scheme of the demo Suzhou factory call


def dossier_url(application) -> str:
    # every section in the page (they otherwise load when opened: issue 11)
    return reverse("applications:dossier", args=[application.public_id]) + "?section=all"


def form_part(html: str) -> str:
    """The dossier's sections (the form), without the header, the evaluation panel and the live result."""
    start_at = html.index('<div class="sections"')
    return html[start_at : html.index('<aside id="live"', start_at)]


def labels(html: str) -> dict[str, str]:
    """The text of every field's <label>, by the id it labels (the unit, shown after it, left out)."""
    found = re.findall(r'<label for="([^"]+)">(.*?)(?:<span class="unit">.*?)?</label>', html, re.S)
    return {key: htmllib.unescape(text) for key, text in found}


def headings(html: str, tag: str) -> list[str]:
    """The text of each <tag> up to its first inner tag (a column's unit is shown after a <br>)."""
    return [htmllib.unescape(t) for t in re.findall(rf"<{tag}>([^<]*)", html)]


def fields_of(form) -> list[Field]:
    return [f for s in form.sections for f in s.fields]


# --- English --------------------------------------------------------------------------------------------


def test_the_dossier_in_english_shows_the_scheme_and_raw_data_labels_in_english(world):
    application = start(world.users["sz-machinery"])
    html = page(english(world.client("sz-machinery")), dossier_url(application))
    form = form_part(html)
    qms, year, basis = fieldid("in:gate_qms"), fieldid("s:year"), fieldid("s:energy.basis")
    for text in (
        # scheme: an input (a gate), a category's group, the gates' group, a table and its column
        f'<label for="{qms}">Quality management system (GB/T 19001)</label>',
        "<h2>Basic requirements</h2>",
        "<h2>Low-carbon energy</h2>",
        "<h3>Unit-product energy consumption of the top-3 products</h3>",
        # raw data: a sheet title and help line, a scalar with its note, a choice, a table and a column
        "<h2>Raw data: energy consumption (comprehensive energy consumption, GB/T 2589-2020)</h2>",
        '<p class="help">One row per carrier and use; consumption = purchases + opening stock − closing stock.</p>',
        f'<label for="{year}">Statistical year</label>',
        '<small class="help">Year, e.g. 2023</small>',
        f'<label for="{basis}">Basis of comprehensive energy consumption</label>',
        # the value typed and stored stays the Chinese the raw format reads; the English labels it
        '<option value="当量值">Calorific value</option><option value="等价值">Primary energy equivalent</option>',
        "<h3>Energy and energy-consuming media</h3>",
        "<th>Quantity (purchased)</th>",
        'aria-label="Energy and energy-consuming media row 1 Quantity (purchased)"',
    ):
        assert text in form, text
    for chinese in (
        "建立并运行质量管理体系（GB/T 19001）",
        "能源低碳化",
        "原始数据：能源消费（综合能耗，GB/T 2589-2020）",
        "统计年度",
        "年，如 2023",
        "综合能耗计算口径",
        "能源及耗能工质",
        "数量（购入量）",
        "主要产品单位产品综合能耗（按能耗排序前三）",
    ):
        assert chinese not in form, chinese
    # names and ids do not depend on the language
    assert f'id="{qms}" name="in:gate_qms"' in form
    assert 'name="t:energy.carriers:0:quantity"' in form


def test_every_label_of_the_english_dossier_is_greencores_english(world):
    application = start(world.users["sz-machinery"])
    html = page(english(world.client("sz-machinery")), dossier_url(application))
    form = form_part(html)
    shown = labels(form)
    fields = fields_of(build_form(SCHEME))
    assert len(fields) > 40
    for f in fields:
        assert f.label_en, f.key
        assert shown[fieldid(f.key)] == f.label_en, f.key
    # no Chinese in a label, a table title or a column header
    assert not [text for text in shown.values() if CJK.search(text)]
    assert not [text for text in headings(form, "h3") if CJK.search(text)]
    assert not [text for text in headings(form, "th") if CJK.search(text)]
    # section titles: Chinese only where the scheme gives its group no English
    assert [t for t in headings(form, "h2") if CJK.search(t)] == ["基准值与引领值"]
    # the evidence list names the indicators in English too
    evidence = evidence_part(html)
    assert "<td>Renewable energy share</td>" in evidence and "可再生能源利用率" not in evidence
    assert 'aria-label="Evidence for Renewable energy share"' in evidence


def evidence_part(html: str) -> str:
    start_at = html.index('<details class="card section" id="evidence"')
    return html[start_at : html.index("</details>", start_at)]


def test_a_field_error_and_the_live_result_in_english(world):
    user = world.users["sz-machinery"]
    application = start(user)
    client = english(world.client("sz-machinery"))
    response = client.post(reverse("applications:save", args=[application.public_id]), {"s:year": "abc"})
    error = f'id="{fieldid("s:year")}-err" hx-swap-oob="true" role="alert">'
    assert error + "expected an integer, got &#x27;abc&#x27;</small>" in response.content.decode()
    chinese = world.client("sz-machinery")
    response = chinese.post(reverse("applications:save", args=[application.public_id]), {"s:year": "abd"})
    assert error + "“统计年度”应填整数，而不是 &#x27;abd&#x27;</small>" in response.content.decode()
    applications.save_answers(actor(user), application, complete_answers())
    html = page(client, dossier_url(application))
    # the categories of the result, in the table and the radar chart, take the trail's label_en
    assert "<tr><td>Low-carbon energy</td>" in html and "<tr><td>能源低碳化</td>" not in html
    radar = re.search(r'<script id="radar-data" type="application/json">(.*?)</script>', html, re.S)
    assert radar is not None and '"name": "Low-carbon energy"' in radar.group(1)
    chinese = page(world.client("sz-machinery"), dossier_url(application))
    assert "<tr><td>能源低碳化</td>" in chinese
    assert "\\u80fd\\u6e90\\u4f4e\\u78b3\\u5316" in chinese  # 能源低碳化 in the radar's JSON


def test_the_gap_names_its_indicators_in_the_active_language():
    scheme = scheme_for("factory-gbt36132-2025", "2025.1")
    answers = complete_answers()
    evaluation = evaluate(
        scheme,
        {
            "inputs": {k: v for k, v in answers.items() if k.startswith(("in:", "tin:"))},
            "raw": {k: v for k, v in answers.items() if k.startswith(("s:", "t:"))},
        },
    )
    assert evaluation.result is not None
    leaf = next(i for i in evaluation.result.indicators if i.is_leaf and i.label_en)
    gain = Improvement(leaf.id, leaf.label, Decimal(1), Decimal(3), Decimal(2))
    gap = Gap("pass", "绿色工厂", Decimal(80), Decimal(2), True, (gain,))
    result = dataclasses.replace(evaluation.result, gap=gap)
    context = {
        "result": result,
        "evaluation": evaluation,
        "dossier": type("Dossier", (), {"revision": 1, "number": 1})(),
        "editable": False,
    }
    with translation.override("en"):
        shown = render_to_string("applications/dossier.html#live", context)
    assert f"<li>{leaf.label_en}: +2.00 points" in htmllib.unescape(shown), shown
    with translation.override("zh-hans"):
        shown = render_to_string("applications/dossier.html#live", context)
    assert f"<li>{leaf.label}：+2.00 分" in htmllib.unescape(shown)


def test_the_evaluation_page_in_english(world):
    engagement = engaged(world)
    evaluations.save_values(evaluator(world), engagement, {"in:gate_qms": "否"})
    url = reverse("evaluations:detail", args=[engagement.public_id])
    html = page(english(world.client("evaluator")), url)
    form = html[
        html.index('<div class="sections"') : html.index('<section class="card section" id="findings">')
    ]
    qms = fieldid("in:gate_qms")
    for text in (
        f'<label for="{qms}">Quality management system (GB/T 19001)</label>',
        'aria-label="Quality management system (GB/T 19001) (evaluated value)"',
        "<h2>Raw data: land and buildings</h2>",
        "<h3>Buildings</h3>",
        'aria-label="Buildings row 1 Footprint (evaluated value)"',
    ):
        assert text in form, text
    for chinese in ("建立并运行质量管理体系（GB/T 19001）", "原始数据：用地与建筑", "建筑物", "占地面积"):
        assert chinese not in form, chinese
    # the comparison of self and third-party points names the leaves by the result's label_en
    assert "<tr><td>Renewable energy share</td>" in html and "<tr><td>可再生能源利用率</td>" not in html


# --- Chinese, as before ---------------------------------------------------------------------------------


def test_the_dossier_in_chinese_shows_exactly_the_chinese_labels(world):
    application = start(world.users["sz-machinery"])
    html = page(world.client("sz-machinery"), dossier_url(application))
    form = form_part(html)
    shown = labels(form)
    for f in fields_of(build_form(SCHEME)):
        assert shown[fieldid(f.key)] == f.label, f.key
    qms = fieldid("in:gate_qms")
    for text in (
        f'<label for="{qms}">建立并运行质量管理体系（GB/T 19001）</label>',
        "<h2>基本要求</h2>",
        "<h2>能源低碳化</h2>",
        "<h2>原始数据：能源消费（综合能耗，GB/T 2589-2020）</h2>",
        "<h3>能源及耗能工质</h3>",
        "<th>数量（购入量）</th>",
        'aria-label="能源及耗能工质 第1行 数量（购入量）"',
        '<small class="help">年，如 2023</small>',
        '<option value="当量值">当量值</option><option value="等价值">等价值</option>',
        "<h3>主要产品单位产品综合能耗（按能耗排序前三）</h3>",
    ):
        assert text in form, text
    for english_text in (
        "Quality management system",
        "Basic requirements",
        "Low-carbon energy",
        "Raw data:",
        "Statistical year",
        "Calorific value",
        "Quantity (purchased)",
    ):
        assert english_text not in html, english_text


def test_the_evaluation_page_in_chinese_as_before(world):
    engagement = engaged(world)
    evaluations.save_values(evaluator(world), engagement, {"in:gate_qms": "否"})
    html = page(world.client("evaluator"), reverse("evaluations:detail", args=[engagement.public_id]))
    for text in (
        f'<label for="{fieldid("in:gate_qms")}">建立并运行质量管理体系（GB/T 19001）</label>',
        'aria-label="建立并运行质量管理体系（GB/T 19001）（评价值）"',
        'aria-label="建筑物 第1行 占地面积（评价值）"',
        "<tr><td>可再生能源利用率</td>",
    ):
        assert text in html, text
    assert "Quality management system" not in html and "Renewable energy share" not in html


# --- the filters ----------------------------------------------------------------------------------------


def test_bilingual_and_choice_options_fall_back_to_the_chinese():
    field = Field("in:held_grade", "已获等级", "choice", choices=("none", "1A"), label_en="Grade held")
    bare = Field("in:x", "只有中文", "number", help="说明")
    with_choices = Field("s:c", "类别", "choice", choices=("一般", "危险"), choices_en=("General", ""))
    with translation.override("zh-hans"):
        assert bilingual(field) == "已获等级"
        assert choice_options(with_choices) == [("一般", ""), ("危险", "")]
        assert result_trails({"indicators": [{"id": "a", "label": "甲", "label_en": "A"}]}) == {}
    with translation.override("en"):
        assert bilingual(field) == "Grade held"
        assert bilingual(bare) == "只有中文" and bilingual(bare, "help") == "说明"
        assert bilingual({"title": "标题", "title_en": "Title"}, "title") == "Title"
        assert bilingual(None) == ""
        assert choice_options(with_choices) == [("一般", "General"), ("危险", "")]
        assert choice_options(field) == [("none", ""), ("1A", "")]  # no English given: the value alone
        trails = result_trails('{"indicators": [{"id": "a", "label": "甲", "label_en": "A"}]}')
        assert bilingual(trails["a"]) == "A"


def test_scheme_choices_carry_their_english_labels():
    form = build_form(scheme_for("factory-suzhou", "2023.1").key)
    held = next(f for f in fields_of(form) if f.key == "in:held_grade")
    assert held.choices == ("none", "1A", "2A", "3A")
    assert held.choices_en == ("None", "1A", "2A", "3A")
    with translation.override("en"):
        assert choice_options(held)[0] == ("none", "None")


def test_the_list_of_what_blocks_submission_in_english(world):
    application = start(world.users["sz-machinery"])
    html = page(english(world.client("sz-machinery")), dossier_url(application))
    assert "Raw-data calculation incomplete: no raw data yet" in html
    assert "原始数据计算未完成" not in html
    chinese = page(world.client("sz-machinery"), dossier_url(application))
    assert "原始数据计算未完成：尚未填写原始数据（产值、能源、排放、用水、固废、用地）。" in chinese


def test_raw_data_choice_columns_are_choice_lists_keeping_what_was_stored(world):
    """Issue 11: where the raw layout gives a closed list (a choice or yes/no column), the dossier offers a
    <select>, never free text; units and carrier names (which accept synonyms) keep their suggestions. A
    value stored before (typed in a workbook) that is not one of the choices stays shown and selected."""
    user = world.users["sz-machinery"]
    application = start(user)
    applications.save_answers(
        actor(user),
        application,
        {
            "s:energy.basis": "等价值",
            "t:energy.carriers:0:renewable": "是",
            "t:waste.streams:0:category": "旧称",
        },
    )
    form = form_part(page(world.client("sz-machinery"), dossier_url(application)))
    basis = fieldid("s:energy.basis")
    renewable, category = fieldid("t:energy.carriers:0:renewable"), fieldid("t:waste.streams:0:category")
    assert f'<select id="{basis}" name="s:energy.basis"' in form
    for key in (renewable, category):
        assert re.search(rf'<select name="[^"]+" id="{key}"', form), key
    assert '<option value="等价值" selected>等价值</option>' in form
    assert '<option value="是" selected>是</option>' in form
    assert '<option value="旧称" selected>旧称</option>' in form  # nothing typed is lost
    assert f'list="{basis}-list"' not in form and f'<datalist id="{basis}-list">' not in form
    unit = fieldid("t:energy.carriers:0:unit")
    assert re.search(rf'<input name="t:energy.carriers:0:unit" id="{unit}"[^>]*list="', form)
