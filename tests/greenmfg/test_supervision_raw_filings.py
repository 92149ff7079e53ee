"""The 动态管理表 from raw data (issue 13): the unit files the self-evaluation's raw-data layout, greencore's
calculation (calc formulas, the scheme's derive formulas) gives the key indicators, the data-quality checks
apply to the computed values, and the evidence goes through the checked-file service."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from factories import actor, pdf_bytes
from supervision_world import filing_evidence, grant_title

from greencore import fields_from_raw, filing_from_raw, get_scheme
from greenmfg.audit.models import Event
from greenmfg.supervision import services
from greenmfg.supervision.models import EvidenceFile, Filing
from greenmfg.supervision.services import SupervisionError

RAW = fields_from_raw(json.loads((Path(__file__).parents[2] / "examples" / "factory-raw.json").read_text()))


def _opened(world: Any, year: int = 2027) -> Filing:
    grant_title(world)
    services.open_filings(actor(world.users["sz-reviewer"]), year)
    return Filing.objects.get(year=year)


FILED = [f.attname for f in Filing._meta.concrete_fields if f.name != "draft"]


def snapshot() -> tuple[Any, ...]:
    return (
        # all but the draft: a refusal of the data keeps what was typed there, for the unit's form
        # (test_supervision_kept_files checks it)
        list(Filing.objects.order_by("pk").values(*FILED)),
        list(EvidenceFile.objects.order_by("pk").values()),
        Event.objects.count(),
    )


def test_raw_data_gives_the_key_indicators_through_greencores_calculation(world):
    filing = _opened(world)
    accepted = services.submit_filing(
        actor(world.users["sz-machinery"]),
        filing,
        raw=RAW,
        files=[SimpleUploadedFile("能源台账.pdf", pdf_bytes("ledger"), content_type="application/pdf")],
        evidence=filing_evidence(),
    )
    computed, errors = filing_from_raw(get_scheme(filing.title.scheme), RAW)
    assert errors == []
    assert accepted.values == {k: {"value": str(f.value), "unit": f.unit} for k, f in computed.items()}
    # figures typed as such in the raw data come through unchanged; computed ones to greencore's digits:
    # 综合能源消费量 2690.93675 tce (the example's energy sheet, 当量值), 用地 120000 m²
    assert accepted.values["output_value"] == {"value": "46000", "unit": "万元"}
    assert accepted.values["site_area_m2"] == {"value": "120000", "unit": "m²"}
    assert accepted.values["total_energy_tce"] == {"value": "2690.93675", "unit": "tce"}
    assert accepted.raw == {k: v for k, v in RAW.items() if v.strip()}
    stored = EvidenceFile.objects.get(filing=accepted, indicator="")
    assert stored.file_name == "能源台账.pdf" and len(stored.sm3) == 64
    assert Event.objects.get(action="supervision.filing_accepted").detail["from_raw"] is True


def test_the_data_quality_checks_apply_to_the_computed_values(world):
    last = _opened(world, 2026)
    Filing.objects.filter(pk=last.pk).update(
        status="accepted", values={"total_energy_tce": {"value": "1000", "unit": "tce"}}
    )
    services.open_filings(actor(world.users["sz-reviewer"]), 2027)
    filing = Filing.objects.get(year=2027)
    before = snapshot()
    with pytest.raises(SupervisionError) as refused:
        services.submit_filing(
            actor(world.users["sz-machinery"]),
            filing,
            raw=RAW,
            files=[SimpleUploadedFile("台账.pdf", pdf_bytes("x"), content_type="application/pdf")],
        )
    # (2690.93675 − 1000) / 1000 = +169 % against last year's 1000 tce
    assert refused.value.details == [
        "“综合能源消费量”较上年 1000 tce 变化 +169%（超过 ±50%），请核实数据或说明原因（如扩产、停产、统计口径变化）。"
    ]
    # in English too, naming the indicator
    (detail,) = refused.value.details
    assert detail.place == "total_energy_tce"
    assert detail.en == (
        "“Comprehensive energy consumption” changed +169% against last year's 1000 tce (more than ±50%): "
        "check the figure or explain why (expansion, a stoppage, a change in how it is counted)."
    )
    # nothing recorded as filed; the file the unit sent is kept with its draft (one event says so)
    filings, files, events = snapshot()
    assert (filings, events) == (before[0], before[2] + 1)
    assert [(f["file_name"], f["filing_id"]) for f in files] == [("台账.pdf", filing.pk)]
    accepted = services.submit_filing(
        actor(world.users["sz-machinery"]),
        filing,
        raw=RAW,
        justification="2026 年新厂区投产，能耗随产量上升",
        evidence=filing_evidence(),
    )
    assert (
        accepted.problems[0]["check"] == "jump"
        and accepted.values["total_energy_tce"]["value"] == "2690.93675"
    )
    assert EvidenceFile.objects.get(filing=accepted, indicator="").file_name == "台账.pdf"


def test_raw_data_that_does_not_compute_is_refused_by_field_and_nothing_is_written(world):
    filing = _opened(world)
    before = snapshot()
    with pytest.raises(SupervisionError) as refused:
        services.submit_filing(actor(world.users["sz-machinery"]), filing, raw={**RAW, "s:year": "去年"})
    assert refused.value.en == "correct the raw data first"
    assert refused.value.details == ["“统计年度”应填整数，而不是 '去年'"]
    assert snapshot() == before


def test_the_filing_page_offers_the_raw_data_layout_and_files_from_it(world):
    filing = _opened(world)
    client = world.client("sz-machinery")
    page = client.get(f"/supervision/filings/{filing.public_id}/").content.decode()
    assert "原始数据（与自评价相同的表式）" in page and 'name="r:s:year"' in page
    # the example's seven energy carriers all have a row on the page: five shown, the rest under "more rows"
    assert sum(1 for k in RAW if k.startswith("t:energy.carriers:") and k.endswith(":quantity")) == 7
    first, _, more = page.partition("更多行（第 6–20 行）")
    assert (
        'name="r:t:energy.carriers:4:quantity"' in first and 'name="r:t:energy.carriers:6:quantity"' in more
    )
    response = client.post(
        f"/supervision/filings/{filing.public_id}/",
        {
            "mode": "raw",
            **{f"r:{k}": v for k, v in RAW.items()},
            **{f"e:{key}": files for key, files in filing_evidence().items()},
        },
    )
    assert response.status_code == 302
    filing.refresh_from_db()
    assert (
        filing.status == Filing.Status.ACCEPTED and filing.values["total_energy_tce"]["value"] == "2690.93675"
    )
