"""A refused 动态管理表 keeps what the unit sent (issue 13): the files uploaded with a submission refused for
its data or its evidence stay attached to the open (draft) filing, through the checked-file service, so a
corrected resubmission needs no upload again; the form lists them (with "remove"); nothing is recorded as
filed. A refusal that is not about the data (a file the checks refuse, another unit's filing, a filing
accepted already) keeps nothing. The draft's files are the unit's own until the filing is accepted.
The detail lines of every refusal carry their place and both languages, and the page shows the user's."""

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
from greenmfg.supervision.models import EvidenceFile, Filing
from greenmfg.supervision.services import SupervisionError


def _opened(world: Any) -> Filing:
    grant_title(world)
    services.open_filings(actor(world.users["sz-reviewer"]), 2027)
    return Filing.objects.get(year=2027)


def snapshot() -> tuple[Any, ...]:
    return (
        list(Filing.objects.order_by("pk").values()),
        list(EvidenceFile.objects.order_by("pk").values()),
        Event.objects.exclude(action="supervision.file_rejected").count(),
        sorted(str(p) for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()),
    )


def _pdf(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, pdf_bytes(name), content_type="application/pdf")


def _posted(values: dict[str, tuple[str, str]]) -> dict[str, str]:
    return {f"v:{k}": v for k, (v, _) in values.items()} | {f"u:{k}": u for k, (_, u) in values.items()}


def test_refused_for_missing_evidence_the_files_sent_are_kept_and_the_resubmission_needs_only_the_rest(world):
    filing = _opened(world)
    unit = actor(world.users["sz-machinery"])
    evidence = filing_evidence()
    missing = {key: evidence.pop(key) for key in ("total_energy_tce", "water_intake_m3")}
    before = snapshot()
    with pytest.raises(SupervisionError) as refused:
        services.submit_filing(unit, filing, values=GOOD, evidence=evidence, files=[_pdf("台账.pdf")])
    assert refused.value.zh == "以下指标须附证明材料后方可提交：“综合能源消费量”、“取水量”。"
    # nothing recorded as filed: the filing is as it was (open, no values, not submitted)
    filings, files, events, media = snapshot()
    # the filing is as it was but for its draft: what the unit typed, kept for its form
    assert [{**f, "draft": {}} for f in filings] == before[0]
    assert filings[0]["draft"]["values"]["total_energy_tce"] == list(GOOD["total_energy_tce"])
    filing.refresh_from_db()
    assert (filing.status, filing.values, filing.submitted_on, filing.submitted_by) == (
        "open",
        {},
        None,
        None,
    )
    assert not Event.objects.filter(action="supervision.filing_accepted").exists()
    # the three files sent are kept as the draft's attachments, stored (and digested) by the checked-file
    # service, with one event naming them
    assert sorted((f["indicator"], f["file_name"]) for f in files) == [
        ("", "台账.pdf"),
        ("carbon_emission_t", "carbon_emission_t.pdf"),
        ("output_value", "output_value.pdf"),
    ]
    assert all(f["filing_id"] == filing.pk and len(f["sm3"]) == 64 for f in files)
    assert (events, len(media)) == (before[2] + 1, len(before[3]) + 3)
    kept = Event.objects.get(action="supervision.filing_files_kept")
    assert sorted(kept.detail["evidence"]) == ["carbon_emission_t", "output_value"]
    assert kept.detail["refused"].startswith("evidence is required for: ")

    # the resubmission uploads only what was missing: accepted, with the kept files as its evidence
    accepted = services.submit_filing(unit, filing, values=GOOD, evidence=missing)
    assert accepted.status == Filing.Status.ACCEPTED
    assert sorted(EvidenceFile.objects.filter(filing=accepted).values_list("indicator", "file_name")) == [
        ("", "台账.pdf"),
        ("carbon_emission_t", "carbon_emission_t.pdf"),
        ("output_value", "output_value.pdf"),
        ("total_energy_tce", "total_energy_tce.pdf"),
        ("water_intake_m3", "water_intake_m3.pdf"),
    ]
    event = Event.objects.get(action="supervision.filing_accepted")
    assert sorted(event.detail["evidence"]) == [
        "carbon_emission_t",
        "output_value",
        "total_energy_tce",
        "water_intake_m3",
    ]
    assert len(event.detail["files"]) == 1


def test_the_page_keeps_the_files_of_a_refused_filing_and_a_resubmission_without_uploads_is_accepted(world):
    filing = _opened(world)
    unit = world.client("sz-machinery")
    url = f"/supervision/filings/{filing.public_id}/"
    wrong = {**GOOD, "total_energy_tce": ("8600", "公斤")}  # a unit that does not convert: an error
    evidence = {f"e:{key}": files for key, files in filing_evidence().items()}
    response = unit.post(url, {**_posted(wrong), **evidence, "files": [_pdf("其他.pdf")]})
    assert response.status_code == 400
    page = response.content.decode()
    assert "数据有误，请更正后再提交。" in page
    assert "“综合能源消费量”的单位 公斤 不能换算为 tce，请按 tce 填报。" in page
    filing.refresh_from_db()
    assert filing.status == "open" and filing.values == {}
    stored = list(EvidenceFile.objects.filter(filing=filing).order_by("pk"))
    assert len(stored) == 5
    # the form lists the kept files, each with "remove", and says they need no upload again
    assert "已保存此前提交时上传的 5 个证明材料（见下表），再次提交时无需重新上传" in page
    water = next(f for f in stored if f.indicator == "water_intake_m3")
    assert f'<a href="/supervision/files/{water.pk}/">water_intake_m3.pdf</a>' in page
    assert f'<input type="checkbox" name="drop" value="{water.pk}">' in page
    # the draft's files are the unit's own: the bureau neither sees them on the filing nor downloads one
    bureau = world.client("sz-reviewer")
    assert "water_intake_m3.pdf" not in bureau.get(url).content.decode()
    assert bureau.get(f"/supervision/files/{water.pk}/").status_code == 404
    assert unit.get(f"/supervision/files/{water.pk}/").status_code == 200

    # in English: the refusal and its detail line, naming the indicator, in English alone
    unit.cookies["django_language"] = "en"
    english = unit.post(url, _posted(wrong)).content.decode()
    assert "correct the data first" in english
    assert (
        "The unit 公斤 of “Comprehensive energy consumption” does not convert to tce: file it in tce."
        in english
    )
    assert "不能换算" not in english
    assert "5 files uploaded with an earlier submission are kept" in english
    unit.cookies["django_language"] = "zh-hans"

    # corrected, with no upload at all: accepted with the five kept files
    assert unit.post(url, _posted(GOOD)).status_code == 302
    filing.refresh_from_db()
    assert filing.status == "accepted" and filing.values["total_energy_tce"] == {
        "value": "8600",
        "unit": "tce",
    }
    assert list(EvidenceFile.objects.filter(filing=filing).order_by("pk")) == stored
    assert (
        f'<a href="/supervision/files/{water.pk}/">water_intake_m3.pdf</a>'
        in bureau.get(url).content.decode()
    )
    assert bureau.get(f"/supervision/files/{water.pk}/").status_code == 200


def test_a_kept_file_removed_by_the_unit_no_longer_proves_its_indicator(
    world, django_capture_on_commit_callbacks
):
    filing = _opened(world)
    unit = actor(world.users["sz-machinery"])
    wrong = {**GOOD, "output_value": ("很多", "万元")}
    with pytest.raises(SupervisionError):
        services.submit_filing(unit, filing, values=wrong, evidence=filing_evidence())
    water = EvidenceFile.objects.get(filing=filing, indicator="water_intake_m3")
    name = water.file.name
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(SupervisionError) as refused:
        services.submit_filing(unit, filing, values=GOOD, drop=[water.pk])
    assert refused.value.details == ["“取水量”须附证明材料：用水情况表（205-4）。"]
    assert not EvidenceFile.objects.filter(pk=water.pk).exists()
    assert not (Path(settings.MEDIA_ROOT) / name).exists()
    assert Event.objects.filter(action="supervision.filing_files_kept").last().detail["dropped"] == [
        water.sm3
    ]
    assert Filing.objects.get(pk=filing.pk).status == "open"


def test_refusals_that_are_not_about_the_data_keep_nothing(world):
    filing = _opened(world)
    unit = actor(world.users["sz-machinery"])
    # a file the checked-file service refuses: nothing of the submission is kept (the service's own
    # refusal event, one, is counted apart)
    before = snapshot()
    with pytest.raises(SupervisionError, match=r"evil\.exe"):
        services.submit_filing(
            unit,
            filing,
            values=GOOD,
            evidence=filing_evidence(),
            files=[SimpleUploadedFile("evil.exe", b"MZ\x90\x00" + b"\x00" * 200)],
        )
    assert snapshot() == before
    assert Event.objects.filter(action="supervision.file_rejected").count() == 1
    # another unit's filing: refused, nothing kept
    other = actor(world.users["ks-electronics"])
    with pytest.raises(PermissionDenied):
        services.submit_filing(other, filing, values=GOOD, evidence=filing_evidence())
    assert snapshot() == before
    # accepted already: a second submission keeps nothing
    services.submit_filing(unit, filing, values=GOOD, evidence=filing_evidence())
    before = snapshot()
    with pytest.raises(SupervisionError, match="the filing is accepted already"):
        services.submit_filing(unit, filing, values=GOOD, evidence=filing_evidence())
    assert snapshot() == before


def test_what_a_refused_filing_typed_is_shown_again_to_the_unit_only_and_cleared_once_filed(world):
    filing = _opened(world)
    client = world.client("sz-machinery")
    evidence = filing_evidence()
    evidence.pop("water_intake_m3")
    typed = {**GOOD, "total_energy_tce": ("2,345.6", GOOD["total_energy_tce"][1])}
    response = client.post(
        f"/supervision/filings/{filing.public_id}/",
        {
            **_posted(typed),
            "justification": "产能扩大，能耗相应增加（说明）",
            **{f"e:{k}": v for k, v in evidence.items()},
        },
    )
    assert response.status_code == 400 and "取水量" in response.content.decode()
    filing.refresh_from_db()
    assert filing.status == "open" and filing.values == {} and filing.submitted_on is None
    assert filing.draft["values"]["total_energy_tce"] == ["2,345.6", GOOD["total_energy_tce"][1]]
    # the unit comes back later: the form shows what it typed, and the justification
    page = client.get(f"/supervision/filings/{filing.public_id}/").content.decode()
    assert 'value="2,345.6"' in page and "产能扩大，能耗相应增加（说明）" in page
    # the bureau sees no draft
    bureau = world.client("sz-reviewer").get(f"/supervision/filings/{filing.public_id}/").content.decode()
    assert "2,345.6" not in bureau and "产能扩大" not in bureau
    # filed with the missing evidence (the kept files count), the draft is gone and the values are filed
    response = client.post(
        f"/supervision/filings/{filing.public_id}/",
        {**_posted(GOOD), "e:water_intake_m3": _pdf("water.pdf")},
    )
    assert response.status_code == 302
    filing.refresh_from_db()
    assert filing.status == "accepted" and filing.draft == {}
