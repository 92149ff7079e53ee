"""The national submission package (申报材料汇编, issue 14): one PDF of the submitted application — cover
with contents, self-evaluation report, third-party report, evidence — with bookmarks, stored with its SM3
digest, downloaded re-verified and checked as a copy."""

from __future__ import annotations

import io
import re
import subprocess
from pathlib import Path

import pytest
import segno
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from factories import actor, pdf_bytes
from pypdf import PdfReader
from test_applications import complete_answers

from greenmfg.applications import services as applications
from greenmfg.catalog.models import Call
from greenmfg.evaluations import services as evaluations
from greenmfg.evidence.models import EvidenceFile
from greenmfg.evidence.validation import sm3_hex
from greenmfg.orgs.models import Organisation
from greenmfg.reports import services
from greenmfg.reports.models import Document
from greenmfg.reports.services import ReportError

SHOTS = Path(__file__).resolve().parents[2] / "test-results" / "documents"


def _png() -> bytes:
    out = io.BytesIO()
    segno.make("屋顶光伏", error="m").save(out, kind="png", scale=6)
    return out.getvalue()


@pytest.fixture
def submitted_and_evaluated(world):
    """sz-energy's application with a PDF and a photo as evidence, submitted and evaluated by the demo body."""
    call = Call.objects.get(code="suzhou-2026-factory")
    call.pk = None
    call.code = "reports-package"
    call.requires_third_party = True
    call.save()
    user = world.users["sz-energy"]
    application = applications.start_application(actor(user), call)
    applications.save_answers(actor(user), application, complete_answers())
    applications.upload_evidence(
        actor(user), application, "renewable", io.BytesIO(pdf_bytes("ledger")), "光伏发电量台账.pdf"
    )
    applications.upload_evidence(
        actor(user), application, "renewable", io.BytesIO(_png()), "屋顶光伏照片.png"
    )
    applications.submit(actor(user), application)
    body = Organisation.objects.get(name="江苏示例绿色发展评价中心（演示）")
    engagement = evaluations.engage(actor(user), application, body.pk)
    evaluator = actor(world.users["evaluator"])
    evaluations.save_values(evaluator, engagement, {"in:green_design": "3"})
    evaluations.conclude(evaluator, engagement, "各项指标与佐证材料相符。")
    return application


def _outline(reader: PdfReader) -> list[tuple[str, int, list[tuple[str, int]]]]:
    """The bookmarks: (title, first page, [(child title, page)]) with 0-based pages."""
    out: list[tuple[str, int, list[tuple[str, int]]]] = []
    for item in reader.outline:
        if isinstance(item, list):  # the children of the previous bookmark
            title, page, _ = out[-1]
            out[-1] = (title, page, [(c.title, reader.get_destination_page_number(c)) for c in item])
        else:
            out.append((item.title, reader.get_destination_page_number(item), []))
    return out


def test_package_has_every_part_under_its_bookmark_and_its_digest_checks(
    world, submitted_and_evaluated, django_capture_on_commit_callbacks
):
    application = submitted_and_evaluated
    bureau = world.client("wz-reviewer")
    with django_capture_on_commit_callbacks(execute=True):
        response = bureau.post(
            reverse("reports:generate", kwargs={"public_id": application.public_id}),
            {"kind": "package", "format": "pdf"},
        )
    assert response.status_code == 302
    document = Document.objects.get(application=application, kind="package")
    assert document.status == "done", document.message
    assert document.engagement is not None and document.dossier.frozen_at is not None
    body = b"".join(bureau.get(reverse("reports:download", kwargs={"pk": document.pk})).streaming_content)
    # the digest kept is the downloaded file's SM3, and a copy of it is recognised
    assert sm3_hex(io.BytesIO(body)) == document.sm3 and len(document.sm3) == 64
    page = bureau.post(
        reverse("reports:verify", kwargs={"public_id": application.public_id}),
        {"copy": SimpleUploadedFile("申报材料汇编.pdf", body, content_type="application/pdf")},
    )
    reader = PdfReader(io.BytesIO(body))
    outline = _outline(reader)
    assert [title for title, _, _ in outline] == ["封面及目录", "自评价报告", "第三方评价报告", "证明材料"]
    (_, cover, _), (_, own, _), (_, third, _), (_, evidence, files) = outline
    assert cover == 0 and 0 < own < third < evidence < len(reader.pages)
    # the merged PDF evidence under 证明材料, its one page the package's last; the photo is attached
    assert [(title.split(" — ")[-1], at) for title, at in files] == [
        ("光伏发电量台账.pdf", len(reader.pages) - 1)
    ]
    assert evidence == len(reader.pages) - 1
    assert list(reader.attachments) == ["屋顶光伏照片.png"]
    assert reader.attachments["屋顶光伏照片.png"] == [_png()]
    # the cover's contents give the same first pages (1-based), read from the PDF's text
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / "package.pdf"
    path.write_bytes(body)
    subprocess.run(
        [
            "pdftoppm",
            "-r",
            "60",
            "-f",
            "1",
            "-l",
            "1",
            "-png",
            "-singlefile",
            str(path),
            str(SHOTS / "package"),
        ],
        check=True,
    )
    text = subprocess.run(
        ["pdftotext", "-f", "1", "-l", str(own), str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    flat = re.sub(r"\s+", "", text)
    assert application.applicant.name in flat and "目录" in flat
    assert f"自评价报告第{own + 1}页起" in flat and f"第三方评价报告第{third + 1}页起" in flat
    assert f"光伏发电量台账.pdf第{evidence + 1}页" in flat and "屋顶光伏照片.png以附件形式嵌入" in flat
    # the self-evaluation report inside is the report of the submitted version: its own first page follows
    first = re.sub(r"\s+", "", reader.pages[own].extract_text())
    assert "自评价报告" in first or application.applicant.name in first
    assert page.status_code == 200 and page.context["found"] == document, "核验副本：与第 1 版一致"


def test_an_evidence_file_altered_on_disk_fails_the_package_naming_it(
    world, submitted_and_evaluated, django_capture_on_commit_callbacks
):
    """Each evidence file is checked against the SM3 kept when it was uploaded before it goes into the
    package: a file changed on disk since fails the package, with its name, and nothing is stored."""
    application = submitted_and_evaluated
    ledger = EvidenceFile.objects.get(name="光伏发电量台账.pdf")
    with default_storage.open(ledger.storage_name, "wb") as handle:
        handle.write(pdf_bytes("ledger, altered"))
    bureau = world.client("wz-reviewer")
    with django_capture_on_commit_callbacks(execute=True):
        bureau.post(
            reverse("reports:generate", kwargs={"public_id": application.public_id}),
            {"kind": "package", "format": "pdf"},
        )
    document = Document.objects.get(application=application, kind="package")
    assert (document.status, document.storage_name, document.sm3, document.size) == ("failed", "", "", 0)
    assert document.message == "生成失败：证明材料“光伏发电量台账.pdf”校验失败（SM3 摘要不符），未汇编。"
    response = bureau.get(reverse("reports:download", kwargs={"pk": document.pk}))
    assert response.status_code == 404


def test_package_is_a_pdf_of_a_submitted_version_only(world, drafted_for_package):
    owner = actor(world.users["sz-machinery"])
    with pytest.raises(ReportError) as refused:
        services.request_document(owner, drafted_for_package, "package", "pdf")
    assert refused.value.zh == "申报书提交后才能汇编申报材料。"
    applications.submit(owner, drafted_for_package)
    with pytest.raises(ReportError) as refused:
        services.request_document(owner, drafted_for_package, "package", "docx")
    assert refused.value.zh == "申报材料汇编只生成 PDF 文件。"
    assert not Document.objects.exists()


@pytest.fixture
def drafted_for_package(world):
    user = world.users["sz-machinery"]
    application = applications.start_application(actor(user), Call.objects.get(code="suzhou-2026-factory"))
    applications.save_answers(actor(user), application, complete_answers())
    return application
