"""Energy-limit grades and water quotas filled per product row (issue 12): a bureau imports them from Excel
by product; a dossier's product rows take them by the product's name (read-only, with their source), the
engine scores with them, and typing over them is refused with nothing changed."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse
from factories import actor, start
from test_applications import complete_answers
from test_benchmarks import sheet, year

from greenmfg.applications import services as applications
from greenmfg.applications.dossier import build_form, evaluate, scheme_for
from greenmfg.applications.models import Dossier
from greenmfg.applications.selectors import limit_cells_shown
from greenmfg.applications.services import ApplicationError
from greenmfg.benchmarks import services

LIMITS = "GB 31574-2015 表1"
QUOTA = "GB/T 18916.x 表2"


def limit_sheet() -> Any:
    # sz-machinery is in 34; its products are 铸件, 齿轮箱 and 液压阀 (examples/factory-raw.json)
    return sheet(
        ["34", "铸件", year(), "products.limit_grade1", 290, "kgce/t", LIMITS, "V"],
        ["34", "铸 件", year(), "products.limit_grade2", 400, "kgce/t", LIMITS, "S"],  # folded: 铸件
        ["34", "铸件", year() + 1, "products.limit_grade2", 1, "kgce/t", LIMITS, "V"],  # after the call
        ["34", "齿轮箱", year(), "water_products.quota_lead", 1.0, "m³/台", QUOTA, "R"],
        ["34", "齿轮箱", year(), "water_products.quota_base", 1.2, "m³/台", QUOTA, "R"],
    )


def typed_answers() -> dict[str, str]:
    """The example factory, the water-quota rule applicable, minus what the bureau fills: the enterprise
    types the limits of its products the bureau holds none for."""
    values = {
        key: value
        for key, value in complete_answers().items()
        if key not in FILLED and not key.startswith("tin:water_products:")
    }
    values["in:has_water_quota_standard"] = "是"
    values.update(
        {
            "tin:water_products:0:quota_lead": "12",
            "tin:water_products:0:quota_base": "15",
            "tin:water_products:2:quota_lead": "0.01",
            "tin:water_products:2:quota_base": "0.02",
        }
    )
    return values


FILLED = {
    "tin:products:0:limit_grade1": "290",
    "tin:products:0:limit_grade2": "400",
    "tin:water_products:1:quota_lead": "1",
    "tin:water_products:1:quota_base": "1.2",
}


@pytest.fixture
def filled(world: Any) -> Any:
    services.import_benchmarks(actor(world.users["sz-reviewer"]), limit_sheet())
    user = world.users["sz-machinery"]
    application = start(user)
    applications.save_answers(actor(user), application, typed_answers())
    return application


def test_product_rows_take_the_bureaus_limits_and_the_engine_scores_with_them(filled: Any) -> None:
    dossier = Dossier.objects.get(application=filled)
    inputs = dossier.answers["inputs"]
    assert {key: inputs[key] for key in FILLED} == FILLED
    # rows the bureau holds nothing for keep what the enterprise typed
    assert inputs["tin:products:1:limit_grade1"] == "35" and inputs["tin:water_products:0:quota_lead"] == "12"
    result = evaluate(scheme_for(filled.call.scheme_id, filled.call.scheme_version), dossier.answers).result
    assert result is not None
    points = {node.id: node.points for node in result.indicators}
    # energy (8 points, rows averaged by their energy use: shares 62 / 28 / 10 % of 2690.93675 tce),
    # each row (value − base) / (lead − base) clipped to 0–1:
    #   铸件 filled 290 / 400: (320.8425 − 400) / (290 − 400) = 0.719613…
    #   齿轮箱 typed 35 / 50: (41.859 − 50) / (35 − 50) = 0.542733…; 液压阀 typed 0.6 / 0.9: 0.757666…
    #   8 × (0.62 × 0.719613 + 0.28 × 0.542733 + 0.10 × 0.757667) = 8 × 0.673892… = 5.39
    # (with the 300 / 380 the example typed it would be 5.49)
    assert points["energy_intensity_product"] == Decimal("5.39")
    # water (8 points, shares 70 / 20 / 10 % of 100400 m³): 铸件 13.515385 m³/t typed 12 / 15: 0.494872;
    #   齿轮箱 1.115556 m³/台 filled 1 / 1.2: 0.422222; 液压阀 0.0251 m³/件 typed 0.01 / 0.02: 0 (above base)
    #   8 × (0.7 × 0.494872 + 0.2 × 0.422222) = 8 × 0.430855… = 3.45
    assert points["water_intensity_product"] == Decimal("3.45")
    # the total adds the leaves unrounded, then rounds: 61.75
    assert dossier.score == result.score == Decimal("61.75")


def snapshot(application: Any) -> tuple[Any, ...]:
    dossier = Dossier.objects.get(application=application)
    return dossier.answers, dossier.revision, dossier.score, dossier.result


def test_typing_over_a_filled_limit_is_refused_and_changes_nothing(world: Any, filled: Any) -> None:
    before = snapshot(filled)
    with pytest.raises(ApplicationError) as refused:
        applications.save_answers(
            actor(world.users["sz-machinery"]),
            filled,
            {"t:products:0:output": "5300", "tin:water_products:1:quota_base": "2"},
        )
    assert refused.value.zh == (
        "能耗限额等级和取水定额由主管部门按产品统一设定，不能修改："
        "主要产品单位产品取水量（前三） 第 2 行（齿轮箱）用水定额 通用值（基准值）"
    )
    assert snapshot(filled) == before
    # through the page: refused beside the field, with what was typed, and nothing stored
    response = world.client("sz-machinery").post(
        reverse("applications:save", args=[filled.public_id]), {"tin:products:0:limit_grade1": "1"}
    )
    assert response.status_code == 409
    body = response.content.decode()
    assert "主要产品单位产品综合能耗（按能耗排序前三） 第 1 行（铸件）能耗限额 1级（引领值）" in body
    assert snapshot(filled) == before


def test_the_page_shows_filled_limits_read_only_with_their_source(world: Any, filled: Any) -> None:
    url = reverse("applications:dossier", args=[filled.public_id])
    page = world.client("sz-machinery").get(f"{url}?section=all").content.decode()
    # filled: no name (never posted), read-only, with the product, source, mark, year and bureau
    assert 'name="tin:products:0:limit_grade1"' not in page
    assert 'value="290" readonly aria-readonly="true" class="fixed"' in page
    bureau = actor(world.users["sz-reviewer"]).organisation.name
    assert f"主管部门按产品“铸件”设定，不能修改。来源：{LIMITS}（S，{year()}年，{bureau}）" in page
    # 齿轮箱's energy limits: no reference value, typed by the enterprise
    assert 'name="tin:products:1:limit_grade1"' in page
    # two cells each of 齿轮箱 and 液压阀 (energy), 铸件 and 液压阀 (water)
    assert page.count("无参考值，由申报单位填写") == 8


def test_a_renamed_product_loses_the_other_products_limits(world: Any, filled: Any) -> None:
    applications.save_answers(actor(world.users["sz-machinery"]), filled, {"t:products:0:name": "铸钢件"})
    inputs = Dossier.objects.get(application=filled).answers["inputs"]
    assert "tin:products:0:limit_grade1" not in inputs and "tin:products:0:limit_grade2" not in inputs
    assert inputs["tin:water_products:1:quota_lead"] == "1"  # 齿轮箱 keeps its quota


def test_a_submitted_version_keeps_its_values_without_a_source_the_bureau_replaced(
    world: Any, filled: Any
) -> None:
    services.import_benchmarks(
        actor(world.users["sz-reviewer"]),
        sheet(["34", "铸件", year(), "products.limit_grade1", 280, "kgce/t", LIMITS, "V"]),
    )
    call, applicant = filled.call, filled.applicant
    answers = Dossier.objects.get(application=filled).answers
    form = build_form(scheme_for(call.scheme_id, call.scheme_version).key)
    draft = limit_cells_shown(call, applicant, form, answers, frozen=False)
    frozen = limit_cells_shown(call, applicant, form, answers, frozen=True)
    key = "tin:products:0:limit_grade1"
    assert draft[key].value is not None and draft[key].value.value == Decimal("280")
    assert key not in frozen  # stored 290: shown as stored, with no source
    assert frozen["tin:products:0:limit_grade2"].value is not None  # 400 is still the bureau's
