"""The dossier page (issue 11): sections load when opened; every input shows its scale as the workbook
does; a held grade is a choice list; why a grade is capped; what blocks submission grouped by section with
links to the fields, optional items not listed."""

from __future__ import annotations

import re

from django.core.files.uploadedfile import SimpleUploadedFile
from factories import actor, start, suzhou_answers

from greenmfg.applications import services
from greenmfg.applications.dossier import build_form, evaluate, grouped_blockers, scheme_for
from greenmfg.applications.selectors import current_dossier
from greenmfg.evidence.models import EvidenceFile
from greenmfg.web.templatetags.greenmfg import fieldid

SUZHOU_GRADING = "suzhou-2026-factory-grading"


def _section(client, application, index: int) -> str:
    response = client.get(f"/applications/{application.public_id}/sections/{index}/")
    assert response.status_code == 200
    return response.content.decode()


def test_the_page_carries_the_first_section_and_the_others_load_when_opened(world):
    user = world.users["sz-machinery"]
    application = start(user)
    client = world.client("sz-machinery")
    page = client.get(f"/applications/{application.public_id}/").content.decode()
    form = build_form("factory-gbt36132-2025@2025.1")
    first = [
        s.fields[0].key if s.fields else s.tables[0].cell_key(0, s.tables[0].columns[0])
        for s in form.sections
    ]
    shown = [i for i, key in enumerate(first) if f'name="{key}"' in page]
    assert shown == [0]
    for index in range(1, len(form.sections)):
        assert f'hx-get="/applications/{application.public_id}/sections/{index}/?version=1"' in page
        # without JavaScript, the section's link opens it in the page itself
        assert f'href="?version=1&amp;section={index}#section-{index}"' in page
    fragment = _section(client, application, 9)
    assert form.sections[9].title == "基本要求"
    assert fragment.count("<select") == 13 and "<html" not in fragment
    linked = client.get(f"/applications/{application.public_id}/?section=9").content.decode()
    assert f'id="{fieldid("in:gate_qms")}"' in linked
    assert (
        client.get(f"/applications/{application.public_id}/sections/{len(form.sections)}/").status_code == 404
    )


def test_every_input_shows_its_scale_and_a_held_grade_is_a_choice_list(world):
    user = world.users["sz-machinery"]
    application = start(user, SUZHOU_GRADING)
    client = world.client("sz-machinery")
    form = build_form("factory-suzhou@2023.1")
    titles = [s.title for s in form.sections]
    infrastructure = _section(client, application, titles.index("基础设施"))
    assert infrastructure.count('<small class="scale">符合程度（0–1）</small>') == len(
        form.sections[titles.index("基础设施")].fields
    )
    held = _section(client, application, titles.index("已获称号"))
    select = re.search(rf'<select id="{fieldid("in:held_grade")}".*?</select>', held, re.S)
    assert select is not None
    assert re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', select.group(0)) == [
        ("", "—"),
        ("none", "无"),
        ("1A", "1A级"),
        ("2A", "2A级"),
        ("3A", "3A级"),
    ]
    data = _section(client, application, titles.index("基本数据"))
    assert '<small class="scale">数值</small>' in data and "（万元）" in data


def test_the_page_says_why_the_grade_is_capped(world):
    user = world.users["sz-machinery"]
    application = start(user, SUZHOU_GRADING)
    services.save_answers(actor(user), application, {**suzhou_answers(), "in:held_grade": "1A"})
    page = world.client("sz-machinery").get(f"/applications/{application.public_id}/").content.decode()
    assert '<p class="warn cap">未评为3A级绿色工厂（市级）：申报3A级须已获评2A级</p>' in page
    dossier = application.versions.get()
    assert dossier.grade == "2A" and dossier.score >= 80


def test_what_blocks_submission_is_grouped_by_section_with_links_and_optional_items_left_out(world):
    user = world.users["sz-machinery"]
    application = start(user, SUZHOU_GRADING)
    answers = suzhou_answers()
    for optional in ("in:wastewater_treated_m3", "in:wastewater_reused_m3", "in:wastewater_reuse_lead"):
        answers.pop(optional)
    answers.pop("in:output_value")
    answers["in:building_basic"] = "5"
    services.save_answers(actor(user), application, answers)
    scheme = scheme_for("factory-suzhou", "2023.1")
    form = build_form(scheme.key)
    groups = grouped_blockers(form, evaluate(scheme, application.versions.get().answers))
    titles = [s.title for s in form.sections]
    key = "in:building_basic"
    label = next(f.label for s in form.sections for f in s.fields if f.key == key)
    assert label.startswith("建筑（必选）：")
    assert [(g.title, g.index, [(b.text, b.key) for b in g.items]) for g in groups] == [
        (
            "基本数据",
            titles.index("基本数据"),
            [("缺少“工业总产值（现价）”（影响：A.3 单位用地面积产值）", "in:output_value")],
        ),
        ("基础设施", titles.index("基础设施"), [(f"{label}：5 不能大于 1", key), (f"缺少“{label}”", key)]),
    ]
    page = world.client("sz-machinery").get(f"/applications/{application.public_id}/").content.decode()
    for group in groups:
        for item in group.items:
            assert f'<a href="?section={group.index}#{fieldid(item.key)}">{item.text}</a>' in page
    assert "废水" not in "".join(b.text for g in groups for b in g.items)


def test_an_upload_refusal_is_shown_beside_its_file_input_and_nothing_is_stored(world):
    user = world.users["sz-machinery"]
    application = start(user)
    indicator = build_form("factory-gbt36132-2025@2025.1").indicator_rows[0].id
    client = world.client("sz-machinery")

    def disguised():
        return SimpleUploadedFile("伪装.pdf", b"<html><script>alert(1)</script></html>", "application/pdf")

    # the page's uploader (with its progress bar) gets the refusal to show beside the input
    response = client.post(
        f"/evidence/upload/{application.public_id}/",
        {"indicator": indicator, "file": disguised()},
        headers={"X-Upload": "progress"},
    )
    assert response.status_code == 400
    refused = response.json()["refused"]
    assert len(refused) == 1 and refused[0].startswith("伪装.pdf：")
    assert response.json()["next"] == f"/applications/{application.public_id}/#evidence-{indicator}"
    # without JavaScript: the page comes back with the refusal beside the same input
    response = client.post(
        f"/evidence/upload/{application.public_id}/", {"indicator": indicator, "file": disguised()}
    )
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert (
        f'<small class="err upload-error" id="evidence-{indicator}-err" role="status">{refused[0]}</small>'
    ) in page
    assert not EvidenceFile.objects.filter(application=application).exists()


def test_every_row_the_scheme_accepts_can_be_typed_in_the_page(world):
    """An energy table takes 20 carriers: the first five rows show, the rest open under "more rows", a
    value typed in row 7 is kept and scored, and the next time the table shows down to it."""
    application = start(world.users["sz-machinery"])
    client = world.client("sz-machinery")
    form = build_form("factory-gbt36132-2025@2025.1")
    table = form.sections[1].tables[0]
    assert (table.key, table.rows, table.capacity) == ("t:energy.carriers", 5, 20)
    quantity = next(c for c in table.columns if c.key == "quantity")
    fragment = _section(client, application, 1)
    first, _, more = fragment.partition('<details class="more-rows">')
    assert "更多行（第 6–20 行）" in more
    assert (
        f'name="{table.cell_key(4, quantity)}"' in first and f'name="{table.cell_key(5, quantity)}"' in more
    )
    assert f'name="{table.cell_key(19, quantity)}"' in more
    assert f'name="{table.cell_key(20, quantity)}"' not in fragment
    row7 = table.cell_key(6, quantity)
    response = client.post(f"/applications/{application.public_id}/save/", {row7: "1,250.5"})
    assert response.status_code == 200
    assert current_dossier(application).answers["raw"][row7] == "1,250.5"
    # shown down to the last row holding a value and one empty row after it; the rest under "more rows"
    first, _, more = _section(client, application, 1).partition('<details class="more-rows">')
    assert f'name="{row7}" id="{fieldid(row7)}" value="1,250.5"' in first
    assert f'name="{table.cell_key(7, quantity)}"' in first and "更多行（第 9–20 行）" in more
    # past the scheme's limit nothing is taken
    beyond = table.cell_key(20, quantity)
    response = client.post(f"/applications/{application.public_id}/save/", {beyond: "1"})
    assert response.status_code == 409 and "未知字段" in response.content.decode()
    assert beyond not in current_dossier(application).answers["raw"]
