"""Nothing typed is lost during a partial return (issue 11): the items not reopened are shown read-only, a
save that is refused says so beside the field with the text typed, and stores nothing."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.utils import timezone
from factories import actor
from openpyxl import load_workbook
from test_reviews import self_evaluated_call, submitted

from greencore.workbook import DATA_SHEET, GATES_SHEET
from greenmfg.applications.dossier import build_form
from greenmfg.applications.models import Dossier, ImportJob
from greenmfg.reviews import services as reviews
from greenmfg.web.templatetags.greenmfg import fieldid


@pytest.fixture
def returned(world):
    """A submitted factory dossier returned by the district with only 基本要求 reopened."""
    self_evaluated_call(world)
    application = submitted(world)
    deadline = timezone.localdate() + timedelta(days=10)
    reviews.return_step(
        actor(world.users["wz-reviewer"]), application, "请补充管理体系认证证书", ["基本要求"], deadline
    )
    application.refresh_from_db()
    assert (application.state, application.reopened_items) == ("returned", ["基本要求"])
    return application


def _draft(application) -> Dossier:
    return Dossier.objects.get(application=application, frozen_at__isnull=True)


def test_a_refused_save_says_so_beside_the_field_and_keeps_what_was_typed(world, returned):
    before = _draft(returned)
    client = world.client("sz-machinery")

    response = client.post(
        f"/applications/{returned.public_id}/save/",
        {"in:platform_functions": "9.5"},
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 409
    body = response.content.decode()
    slot = fieldid("in:platform_functions")
    assert (
        f'<small class="err refused" id="{slot}-err" hx-swap-oob="true" role="alert">'
        "未保存：退回时只开放了「基本要求」，其他内容不能修改。 您输入的「9.5」仍在输入框中。</small>"
    ) in body
    after = _draft(returned)
    assert after.answers == before.answers
    assert after.answers["inputs"]["in:platform_functions"] == "6"
    assert after.revision == before.revision


def test_the_items_not_reopened_are_read_only_and_the_reopened_ones_editable(world, returned):
    page = (
        world.client("sz-machinery").get(f"/applications/{returned.public_id}/?section=all").content.decode()
    )

    closed = page.split(f'id="{fieldid("in:platform_functions")}"', 1)[1].split(">", 1)[0]
    reopened = page.split(f'id="{fieldid("in:gate_qms")}"', 1)[1].split(">", 1)[0]
    assert "disabled" in closed and "hx-post" not in closed
    assert "hx-post" in reopened and "disabled" not in reopened
    sections = [s.title for s in build_form("factory-gbt36132-2025@2025.1").sections]
    assert "基本要求" in sections
    assert page.count("未退回修改，只读") == len(sections) - 1


def test_an_import_changing_an_item_not_reopened_stores_nothing(world, returned):
    before = _draft(returned)
    client = world.client("sz-machinery")
    download = client.get(f"/applications/{returned.public_id}/template.xlsx")
    book = load_workbook(io.BytesIO(b"".join(download.streaming_content)))
    rows = {r[0].value: r[0].row for r in book[DATA_SHEET].iter_rows(min_row=2)}
    gates = {r[0].value: r[0].row for r in book[GATES_SHEET].iter_rows(min_row=2)}
    book[DATA_SHEET].cell(rows["platform_functions"], 5).value = 11
    book[GATES_SHEET].cell(gates["gate_qms"], 4).value = "否"
    upload = io.BytesIO()
    book.save(upload)
    upload.seek(0)
    upload.name = "自评价表.xlsx"

    client.post(f"/applications/{returned.public_id}/import/", {"workbook": upload})

    job = ImportJob.objects.get(application=returned)
    assert (job.status, job.message) == (
        "failed",
        "退回时只开放了「基本要求」，工作簿修改了未开放的「能源低碳化」，未导入任何数据。",
    )
    assert _draft(returned).answers == before.answers
