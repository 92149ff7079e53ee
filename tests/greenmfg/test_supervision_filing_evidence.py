"""The 动态管理表's evidence (issue 13: "a filing asks for the scheme's key indicators …, with evidence"): the
title level's filing rule (greencore.evidence_rule, workflow/filing.yaml) names the key indicators that must
carry a file; a filing without one is refused naming the indicator, in Chinese and English, and nothing is
stored (no row, no file, no audit event); the filing page shows the rule and each indicator's files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from factories import actor, pdf_bytes
from supervision_world import filing_evidence, grant_title
from test_supervision_filings import GOOD

from greenmfg.audit.models import Event
from greenmfg.supervision import services
from greenmfg.supervision.models import EvidenceFile, Filing, FilingDeadline
from greenmfg.supervision.services import SupervisionError


def _opened(world: Any) -> Filing:
    grant_title(world)
    services.open_filings(actor(world.users["sz-reviewer"]), 2027)
    return Filing.objects.get(year=2027)


FILED = [f.attname for f in Filing._meta.concrete_fields if f.name != "draft"]


def snapshot() -> tuple[Any, ...]:
    return (
        # all but the draft: a refusal of the data keeps what was typed there, for the unit's form
        # (test_supervision_kept_files checks it)
        list(Filing.objects.order_by("pk").values(*FILED)),
        list(EvidenceFile.objects.order_by("pk").values()),
        Event.objects.count(),
        sorted(str(p) for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()),
    )


def _pdf(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, pdf_bytes(name), content_type="application/pdf")


def test_a_filing_without_the_evidence_its_level_requires_is_refused_naming_it_and_files_nothing(world):
    filing = _opened(world)
    evidence = filing_evidence()
    del evidence["total_energy_tce"], evidence["water_intake_m3"]
    before = snapshot()
    with pytest.raises(SupervisionError) as refused:
        services.submit_filing(
            actor(world.users["sz-machinery"]),
            filing,
            values=GOOD,
            evidence=evidence,
            files=[_pdf("其他.pdf")],  # another file does not stand in for an indicator's evidence
        )
    assert refused.value.zh == "以下指标须附证明材料后方可提交：“综合能源消费量”、“取水量”。"
    assert refused.value.en == ("evidence is required for: Comprehensive energy consumption, Water intake")
    assert refused.value.details == [
        "“综合能源消费量”须附证明材料：能源购进、消费与库存表（205-1）。",
        "“取水量”须附证明材料：用水情况表（205-4）。",
    ]
    assert [(d.place, d.en) for d in refused.value.details] == [
        (
            "total_energy_tce",
            "Comprehensive energy consumption needs evidence: statistical form 205-1 "
            "(energy purchase, consumption and stock)",
        ),
        ("water_intake_m3", "Water intake needs evidence: statistical form 205-4 (water use)"),
    ]
    # nothing recorded as filed; the files the unit sent are kept with its draft (issue 13), one event
    filings, files, events, media = snapshot()
    assert (filings, events) == (before[0], before[2] + 1)
    assert sorted((f["indicator"], f["file_name"]) for f in files) == [
        ("", "其他.pdf"),
        ("carbon_emission_t", "carbon_emission_t.pdf"),
        ("output_value", "output_value.pdf"),
    ]
    assert len(media) == len(before[3]) + 3


def test_with_its_evidence_the_filing_is_accepted_and_each_file_kept_against_its_indicator(world):
    filing = _opened(world)
    accepted = services.submit_filing(
        actor(world.users["sz-machinery"]),
        filing,
        values=GOOD,
        evidence={**filing_evidence(), "renewable_energy_tce": [_pdf("绿证.pdf")]},
    )
    assert accepted.status == Filing.Status.ACCEPTED
    kept = sorted(EvidenceFile.objects.filter(filing=accepted).values_list("indicator", "file_name"))
    assert kept == [
        ("carbon_emission_t", "carbon_emission_t.pdf"),
        ("output_value", "output_value.pdf"),
        ("renewable_energy_tce", "绿证.pdf"),
        ("total_energy_tce", "total_energy_tce.pdf"),
        ("water_intake_m3", "water_intake_m3.pdf"),
    ]
    event = Event.objects.get(action="supervision.filing_accepted")
    assert sorted(event.detail["evidence"]) == [k for k, _ in kept]
    assert all(len(digests) == 1 and len(digests[0]) == 64 for digests in event.detail["evidence"].values())


def test_the_page_shows_the_rule_refuses_in_the_users_language_and_lists_the_files(world):
    filing = _opened(world)
    unit = world.client("sz-machinery")
    url = f"/supervision/filings/{filing.public_id}/"
    page = unit.get(url).content.decode()
    assert (
        '<td id="evidence-total_energy_tce"><strong class="required-evidence">须附证明材料</strong>：能源购进、消费与库存表（205-1）'
        in page
    )
    assert 'name="e:total_energy_tce"' in page and 'name="e:plot_ratio"' in page
    assert "可附：可再生能源消费核算清单、绿电交易合同或绿证" in page
    posted = {f"v:{k}": v for k, (v, _) in GOOD.items()} | {f"u:{k}": u for k, (_, u) in GOOD.items()}
    before = snapshot()
    response = unit.post(url, posted)
    assert response.status_code == 400
    text = response.content.decode()
    assert (
        "以下指标须附证明材料后方可提交：“工业总产值（现价）”、“综合能源消费量”、“温室气体排放总量”、“取水量”。"
        in text
    )
    assert "“温室气体排放总量”须附证明材料：温室气体排放报告（按行业核算标准）。" in text
    unit.cookies["django_language"] = "en"
    english = unit.post(url, posted).content.decode()
    assert (
        "evidence is required for: Gross industrial output value, Comprehensive energy consumption, "
        "GHG emissions, Water intake"
    ) in english
    assert "Evidence required" in english and "statistical form 205-1" in english
    assert "Comprehensive energy consumption needs evidence: statistical form 205-1" in english
    assert "须附证明材料：能源购进" not in english  # the detail lines in English alone
    assert snapshot() == before
    unit.cookies["django_language"] = "zh-hans"
    evidence = {f"e:{key}": files for key, files in filing_evidence().items()}
    assert unit.post(url, {**posted, **evidence}).status_code == 302
    page = unit.get(url).content.decode()
    stored = EvidenceFile.objects.get(filing=filing, indicator="water_intake_m3")
    assert f'<a href="/supervision/files/{stored.pk}/">water_intake_m3.pdf</a>' in page
    # the bureau sees the same files on the filing
    bureau = world.client("sz-reviewer").get(url).content.decode()
    assert f'<a href="/supervision/files/{stored.pk}/">water_intake_m3.pdf</a>' in bureau


# --- the level's own rule --------------------------------------------------------------------------------


def test_a_bureau_sets_its_own_rule_for_the_filings_it_opens_and_may_return_to_the_default(world):
    filing = _opened(world)
    bureau = actor(world.users["sz-reviewer"])
    services.set_filing_evidence(bureau, indicators=["total_energy_tce", "renewable_energy_tce"])
    unit = actor(world.users["sz-machinery"])
    with pytest.raises(SupervisionError) as refused:
        services.submit_filing(unit, filing, values=GOOD, evidence=filing_evidence())
    # the default's four files are not what this level asks: the renewable energy's evidence is missing
    assert refused.value.details == [
        "“可再生能源消费量”须附证明材料：可再生能源消费核算清单、绿电交易合同或绿证。"
    ]
    # the national deadline still holds: setting the evidence rule set no earlier day
    assert (FilingDeadline.objects.get().month, FilingDeadline.objects.get().day) == (4, 15)
    services.set_filing_evidence(bureau, indicators=None)  # back to the shipped rule
    # (the files kept from the refusal above would prove the default's four: the unit removes them)
    kept = list(EvidenceFile.objects.filter(filing=filing).values_list("pk", flat=True))
    with pytest.raises(SupervisionError, match="Gross industrial output value"):
        services.submit_filing(
            unit, filing, values=GOOD, evidence={"total_energy_tce": [_pdf("能源.pdf")]}, drop=kept
        )
    services.set_filing_evidence(bureau, indicators=[])  # this level requires none
    kept = list(EvidenceFile.objects.filter(filing=filing).values_list("pk", flat=True))
    accepted = services.submit_filing(unit, filing, values=GOOD, drop=kept)
    assert accepted.status == Filing.Status.ACCEPTED and not EvidenceFile.objects.filter(filing=accepted)
    assert [
        e.detail["indicators"] for e in Event.objects.filter(action="supervision.filing_evidence_set")
    ] == [
        ["total_energy_tce", "renewable_energy_tce"],
        None,
        [],
    ]


def test_a_rule_naming_an_indicator_without_a_document_or_set_by_a_unit_is_refused(world):
    _opened(world)
    before = snapshot()
    with pytest.raises(SupervisionError) as refused:
        services.set_filing_evidence(actor(world.users["sz-reviewer"]), indicators=["plot_ratio"])
    assert (refused.value.zh, refused.value.en) == (
        "以下指标没有规定的证明材料，不能要求：plot_ratio",
        "no evidence document is defined for: plot_ratio",
    )
    with pytest.raises(PermissionDenied):
        services.set_filing_evidence(actor(world.users["sz-machinery"]), indicators=[])
    assert snapshot() == before


def test_the_bureau_sets_its_rule_on_the_filings_page_and_the_unit_sees_it(world):
    filing = _opened(world)
    bureau = world.client("sz-reviewer")
    page = bureau.get("/supervision/filings/").content.decode()
    assert (
        "平台默认要求（本级未自定）" in page
        and "能源购进、消费与库存表（205-1） <code>total_energy_tce</code>" in page
    )
    response = bureau.post(
        "/supervision/filings/evidence/", {"mode": "own", "indicators": ["total_energy_tce"]}
    )
    assert response.status_code == 302
    page = bureau.get("/supervision/filings/").content.decode()
    assert "本级自定：单位提交动态管理表时" in page
    assert (
        '<ul id="evidence-rule"><li>能源购进、消费与库存表（205-1） <code>total_energy_tce</code></li></ul>'
        in page
    )
    unit_page = world.client("sz-machinery").get(f"/supervision/filings/{filing.public_id}/").content.decode()
    assert unit_page.count('class="required-evidence"') == 1
    assert '<td id="evidence-total_energy_tce"><strong class="required-evidence">' in unit_page
