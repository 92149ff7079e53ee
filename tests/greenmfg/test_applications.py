"""The applicant's half of an application: start, save as typed, live result, submit, withdraw, return."""

from __future__ import annotations

import datetime
import json
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from factories import actor, start

from greencore.raw_form import fields_from_raw
from greenmfg.applications import services
from greenmfg.applications.models import Application, Dossier
from greenmfg.applications.services import ApplicationError
from greenmfg.audit.models import Event
from greenmfg.audit.services import verify_chain
from greenmfg.catalog.models import Call

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def complete_answers() -> dict[str, str]:
    """The example factory (examples/factory-2025-raw.json + factory-raw.json) as form fields."""
    example = json.loads((EXAMPLES / "factory-2025-raw.json").read_text(encoding="utf-8"))
    raw = json.loads((EXAMPLES / "factory-raw.json").read_text(encoding="utf-8"))
    values: dict[str, str] = {}
    for key, value in example["inputs"].items():
        if isinstance(value, list):
            for row, cells in enumerate(value):
                for column, cell in cells.items():
                    values[f"tin:{key}:{row}:{column}"] = str(cell)
        else:
            values[f"in:{key}"] = "是" if value is True else "否" if value is False else str(value)
    values.update(fields_from_raw(raw))
    return values


def test_start_creates_one_draft_and_one_event(world):
    user = world.users["sz-machinery"]
    application = start(user)
    assert application.state == "draft"
    assert application.versions.count() == 1
    assert (
        Event.objects.filter(action="application.started", object_id=str(application.public_id)).count() == 1
    )
    with pytest.raises(ApplicationError, match="already applied"):
        start(user)
    assert Application.objects.filter(applicant=application.applicant).count() == 1


def test_an_enterprise_outside_the_call_region_cannot_start(world):
    with pytest.raises(ApplicationError) as refused:
        start(world.users["wx-materials"])  # 无锡 enterprise, 苏州 call
    assert refused.value.zh == "本单位不在该批次的申报地区内。"
    assert not Application.objects.exists()


def test_a_park_cannot_apply_for_a_factory_title(world):
    with pytest.raises(ApplicationError) as refused:
        start(world.users["wz-park"])
    assert refused.value.zh == "绿色工厂批次不接受园区申报。"


def test_values_are_stored_as_typed_and_bad_ones_reported_not_lost(world):
    user = world.users["sz-machinery"]
    application = start(user)
    outcome = services.save_answers(actor(user), application, {"s:output_value": "四万", "s:year": "2023"})
    dossier = Dossier.objects.get(pk=outcome.dossier.pk)
    assert dossier.answers["raw"] == {"s:output_value": "四万", "s:year": "2023"}
    assert outcome.evaluation.errors["s:output_value"][0] == "“工业总产值（现价）”应填数值，而不是 '四万'"
    assert dossier.revision == 1


def test_unknown_fields_are_refused_and_nothing_changes(world):
    user = world.users["sz-machinery"]
    application = start(user)
    before = Dossier.objects.get(application=application)
    with pytest.raises(ApplicationError, match="unknown fields"):
        services.save_answers(actor(user), application, {"in:gate_qms": "是", "status": "submitted"})
    after = Dossier.objects.get(application=application)
    assert (after.answers, after.revision) == (before.answers, before.revision)
    assert Application.objects.get(pk=application.pk).state == "draft"


def test_two_tabs_editing_different_fields_both_keep_their_work(world):
    user = world.users["sz-machinery"]
    application = start(user)
    tab_one = Application.objects.get(pk=application.pk)
    tab_two = Application.objects.get(pk=application.pk)
    services.save_answers(actor(user), tab_one, {"in:gate_qms": "是"})
    services.save_answers(actor(user), tab_two, {"in:gate_ems": "否"})
    answers = Dossier.objects.get(application=application).answers["inputs"]
    assert answers == {"in:gate_qms": "是", "in:gate_ems": "否"}


def test_the_full_example_scores_as_the_command_line_does(world):
    user = world.users["sz-machinery"]
    application = start(user)
    outcome = services.save_answers(actor(user), application, complete_answers())
    assert outcome.evaluation.errors == {}
    assert outcome.evaluation.raw_error is None
    assert outcome.evaluation.from_raw
    assert str(outcome.dossier.score) == "66.05"  # `greenmfg score examples/factory-2025-raw.json`


def test_submit_is_refused_with_every_missing_item_named(world):
    user = world.users["sz-machinery"]
    application = start(user)
    services.save_answers(actor(user), application, {"in:gate_qms": "否"})
    with pytest.raises(ApplicationError) as refused:
        services.submit(actor(user), application)
    details = refused.value.details
    assert details[0] == "原始数据计算未完成：尚未填写原始数据（产值、能源、排放、用水、固废、用地）。"
    assert "缺少“依法取得排污许可证，污染物排放稳定达标”" in details
    assert [d for d in details if d.startswith("基本要求未满足：")] == [
        "基本要求未满足：建立并运行质量管理体系（GB/T 19001）"
    ]
    assert Application.objects.get(pk=application.pk).state == "draft"
    assert Dossier.objects.get(application=application).frozen_at is None


def test_submit_freezes_and_a_return_opens_a_new_version(world):
    user = world.users["sz-machinery"]
    application = start(user)
    services.save_answers(actor(user), application, complete_answers())
    services.submit(actor(user), application)
    application.refresh_from_db()
    assert application.state == "submitted"
    frozen = Dossier.objects.get(application=application)
    assert frozen.frozen_at is not None and len(frozen.manifest_sm3) == 64
    with pytest.raises(ApplicationError):
        services.save_answers(actor(user), application, {"in:gate_qms": "否"})
    with pytest.raises(ApplicationError):
        services.submit(actor(user), application)
    assert Event.objects.filter(action="application.submit").count() == 1

    district = world.users["wz-reviewer"]
    services.return_for_revision(actor(district), application, "请补充能源计量器具配备情况", None)
    application.refresh_from_db()
    assert application.state == "returned"
    versions = list(application.versions.order_by("number"))
    assert [v.number for v in versions] == [1, 2]
    assert versions[1].answers == versions[0].answers and versions[1].frozen_at is None
    services.save_answers(actor(user), application, {"in:gate_qms": "否"})
    assert Dossier.objects.get(pk=versions[0].pk).answers["inputs"]["in:gate_qms"] == "是"
    assert verify_chain() is None


def test_another_district_cannot_return_it(world):
    user = world.users["sz-machinery"]
    application = start(user)
    services.save_answers(actor(user), application, complete_answers())
    services.submit(actor(user), application)

    with pytest.raises(PermissionDenied):
        services.return_for_revision(actor(world.users["ks-reviewer"]), application, "越权", None)
    assert Application.objects.get(pk=application.pk).state == "submitted"


def test_withdraw_then_reopen_continues_from_the_last_answers(world):
    user = world.users["sz-machinery"]
    application = start(user)
    services.save_answers(actor(user), application, {"in:gate_qms": "是"})
    services.withdraw(actor(user), application)
    assert Application.objects.get(pk=application.pk).state == "withdrawn"
    services.reopen(actor(user), application)
    application.refresh_from_db()
    assert application.state == "draft"
    assert Dossier.objects.get(application=application, frozen_at__isnull=True).answers["inputs"] == {
        "in:gate_qms": "是"
    }


def test_a_closed_call_refuses_new_applications(world):
    call = Call.objects.get(code="suzhou-2026-factory")

    with pytest.raises(ApplicationError) as refused:
        services.start_application(
            actor(world.users["sz-machinery"]), call, today=call.closes_on + datetime.timedelta(days=1)
        )
    assert refused.value.zh.endswith("截止。")


def test_the_dossier_shows_the_working_behind_each_input_computed_from_raw_data(world):
    user = world.users["sz-machinery"]
    application = start(user)
    url = reverse("applications:dossier", args=[application.public_id])
    empty = world.client("sz-machinery").get(url).content.decode()
    assert '<div id="working"></div>' in empty  # nothing computed yet: nothing shown
    services.save_answers(actor(user), application, complete_answers())
    html = world.client("sz-machinery").get(url).content.decode()
    working = html[html.index('<div id="working">') : html.index('id="evidence"')]
    assert "由原始数据计算的输入项及计算过程" in working
    # each derived input with its value, unit and the scheme's formula
    assert (
        '<tr><td>综合能源消费量</td><td class="num">2690.93675</td><td>tce</td>'
        "<td><code>calc(&#x27;energy.total&#x27;, &#x27;tce&#x27;)</code></td></tr>"
    ) in working
    assert '<td class="num">320.8425 · 41.859 · 0.6727</td><td>kgce/产品单位</td>' in working
    # every step with its reference-table row and mark
    assert (
        "<tr><td>原煤（燃煤锅炉） 折标准煤</td><td>1260000 kg × 0.7143 kgce/kg = 900018 kgce</td>"
        "<td>gbt2589-2020-standard-coal@2026.1 raw_coal（V）</td></tr>"
    ) in working
    assert "grid-co2-mee-nbs@2026.2 average-2023-east_china（V）" in working
    assert "fuel-co2-defaults@2026.2 raw_coal（S）" in working


def test_a_save_sends_the_new_working_with_the_live_score(world):
    user = world.users["sz-machinery"]
    application = start(user)
    services.save_answers(actor(user), application, complete_answers())
    response = world.client("sz-machinery").post(
        reverse("applications:save", args=[application.public_id]), {"t:energy.carriers:0:quantity": "1300"}
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert '<div id="working" hx-swap-oob="true">' in body
    # 1300 + 150 − 90 = 1360 t of coal: the working follows what was typed
    assert "(1300 + 150 − 90) t = 1360 t" in body
