"""Reports of an application (issue 14): generated in the background, stored with the data version and an
SM3 digest, downloaded re-verified, and a copy checked against them ("matches version n" / "does not").

The files are opened (pdftotext, the docx XML) and their figures compared with the result the engine
stored with the dossier, to the last digit.
"""

from __future__ import annotations

import io
import json
import re
import subprocess
import threading
import zipfile
from decimal import Decimal
from pathlib import Path
from xml.etree import ElementTree

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from factories import actor, pdf_bytes, start, suzhou_answers
from openpyxl import load_workbook
from test_applications import complete_answers
from test_register_verification import published
from tests.renderings import office_png

from greencore import Result
from greenmfg.applications import services as applications
from greenmfg.audit.models import Event
from greenmfg.catalog.models import Call
from greenmfg.evaluations import services as evaluations
from greenmfg.evidence.validation import sm3_hex
from greenmfg.orgs.models import Organisation
from greenmfg.publication.models import Title
from greenmfg.reports import services
from greenmfg.reports.models import Certificate, Document
from greenmfg.reports.services import ReportError
from greenmfg.reports.tables import PUBLISHED_COLUMNS, SUMMARY_COLUMNS

SHOTS = Path(__file__).resolve().parents[2] / "test-results" / "documents"
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


@pytest.fixture
def drafted(world):
    user = world.users["sz-machinery"]
    application = start(user)
    applications.save_answers(actor(user), application, complete_answers())
    applications.upload_evidence(
        actor(user), application, "renewable", io.BytesIO(pdf_bytes()), "光伏发电量台账.pdf"
    )
    return application


def _generate(client, application, fmt, capture):
    with capture(execute=True):
        response = client.post(
            reverse("reports:generate", kwargs={"public_id": application.public_id}),
            {"kind": "self_evaluation", "format": fmt},
        )
    assert response.status_code == 302
    return Document.objects.get(pk=response["Location"].rstrip("/").split("/")[-1])


def _engine_result(document):
    stored = document.dossier.result
    return Result.from_json(stored if isinstance(stored, str) else json.dumps(stored))


def test_pdf_of_the_draft_carries_the_engines_figures(world, drafted, django_capture_on_commit_callbacks):
    client = world.client("sz-machinery")
    document = _generate(client, drafted, "pdf", django_capture_on_commit_callbacks)
    assert (document.status, document.progress, document.number) == ("done", 100, 1)
    assert (document.dossier_number, document.dossier_revision) == (1, document.dossier.revision)
    page = client.get(reverse("reports:status", kwargs={"pk": document.pk}))
    assert document.sm3 in page.content.decode()
    body = b"".join(client.get(reverse("reports:download", kwargs={"pk": document.pk})).streaming_content)
    assert sm3_hex(io.BytesIO(body)) == document.sm3, "下载的文件应与记录的 SM3 摘要一致"
    SHOTS.mkdir(parents=True, exist_ok=True)
    pdf = SHOTS / "platform-self-evaluation.pdf"
    pdf.write_bytes(body)
    subprocess.run(
        ["pdftoppm", "-r", "60", "-f", "1", "-l", "2", "-png", str(pdf), str(pdf.with_suffix(""))], check=True
    )
    flat = re.sub(
        r"\s+",
        "",
        subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout,
    )
    result = _engine_result(document)
    assert result.score == Decimal("66.05")
    assert f"总分：{result.score}/{result.max_score}" in flat, "总分应与评分引擎一致"
    for category in result.categories():
        assert f"{category.label}{category.points}{category.max_points}" in flat, (
            f"一级指标“{category.label}”"
        )
    assert "光伏发电量台账.pdf" in flat, "佐证材料应列在指标下"
    assert "申报书第1版" in flat, "报告应写明数据版本"
    assert Event.objects.filter(action="reports.generated", object_id=str(document.pk)).exists()


def test_word_report_of_the_submitted_version_and_verifying_copies(
    world, drafted, django_capture_on_commit_callbacks
):
    applications.submit(actor(world.users["sz-machinery"]), drafted)
    bureau = world.client("wz-reviewer")
    document = _generate(bureau, drafted, "docx", django_capture_on_commit_callbacks)
    assert document.status == "done", document.message
    body = b"".join(bureau.get(reverse("reports:download", kwargs={"pk": document.pk})).streaming_content)
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        xml = ElementTree.fromstring(archive.read("word/document.xml"))
    rows = [
        ["".join(t.text or "" for t in c.iter(f"{W}t")) for c in r.iter(f"{W}tc")] for r in xml.iter(f"{W}tr")
    ]
    by_label = {r[0].strip("　"): r for r in rows if len(r) == 9}
    result = _engine_result(document)
    for item in result.indicators:
        if item.is_leaf and item.status == "scored":
            assert by_label[item.label][7:9] == [str(item.points), str(item.max_points)], (
                f"指标“{item.label}”得分"
            )
    # verify a copy: the same bytes match version 1; one byte changed matches nothing
    verify = reverse("reports:verify", kwargs={"public_id": drafted.public_id})
    same = bureau.post(verify, {"copy": _upload("副本.docx", body)})
    assert 'data-match="yes"' in same.content.decode() and "第 1 版" in same.content.decode()
    changed = bureau.post(verify, {"copy": _upload("副本.docx", body[:-1] + bytes([body[-1] ^ 1]))})
    assert 'data-match="no"' in changed.content.decode()
    assert list(
        Event.objects.filter(action="reports.copy_verified").order_by("id").values_list("success", flat=True)
    ) == [True, False]


def _upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def test_a_draft_report_is_its_authors_alone(world, drafted, django_capture_on_commit_callbacks):
    document = _generate(world.client("sz-machinery"), drafted, "docx", django_capture_on_commit_callbacks)
    for role in ("wz-reviewer", "sz-reviewer", "sz-energy", "evaluator"):
        client = world.client(role)
        assert client.get(reverse("reports:status", kwargs={"pk": document.pk})).status_code == 404
        assert client.get(reverse("reports:download", kwargs={"pk": document.pk})).status_code == 404


def test_refused_requests_change_nothing(world, drafted):
    owner = actor(world.users["sz-machinery"])
    before = Event.objects.count()
    refusals = [
        (owner, "self_evaluation", "odt", "格式只能是 PDF 或 Word（docx）。"),
        (owner, "certificate", "pdf", "未知的文件类型：certificate"),
        # the bureau sees no version of a draft: nothing to report on
        (
            actor(world.users["wz-reviewer"]),
            "self_evaluation",
            "pdf",
            "尚无可生成报告的申报书版本（申报书提交后可见）。",
        ),
    ]
    for who, kind, fmt, reason in refusals:
        with pytest.raises(ReportError) as refused:
            services.request_document(who, drafted, kind, fmt)
        assert refused.value.zh == reason
    assert not Document.objects.exists()
    assert Event.objects.count() == before


def test_a_broken_bureau_template_fails_the_document_with_the_reason(
    world, drafted, settings, tmp_path, django_capture_on_commit_callbacks
):
    (tmp_path / "self_evaluation.html").write_text("{{ no_such_field }}", encoding="utf-8")
    settings.DOCUMENT_TEMPLATES_DIR = str(tmp_path)
    document = _generate(world.client("sz-machinery"), drafted, "pdf", django_capture_on_commit_callbacks)
    assert document.status == "failed" and document.progress == 100
    assert "UndefinedError" in document.message and "no_such_field" in document.message
    assert not document.storage_name


def test_a_tampered_stored_file_is_refused_and_recorded(world, drafted, django_capture_on_commit_callbacks):
    client = world.client("sz-machinery")
    document = _generate(client, drafted, "docx", django_capture_on_commit_callbacks)
    with default_storage.open(document.storage_name, "wb") as handle:
        handle.write(b"tampered")
    response = client.get(reverse("reports:download", kwargs={"pk": document.pk}))
    assert response.status_code == 409
    assert Event.objects.filter(action="reports.integrity_failed", success=False).count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_requests_at_once_get_two_version_numbers(tx_world):
    user = tx_world.users["sz-machinery"]
    application = start(user)
    applications.save_answers(actor(user), application, complete_answers())
    barrier = threading.Barrier(2)
    numbers: list[int] = []

    def request() -> None:
        try:
            barrier.wait()
            numbers.append(
                services.request_document(actor(user), application, "self_evaluation", "docx").number
            )
        finally:
            connection.close()

    threads = [threading.Thread(target=request) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(numbers) == [1, 2]
    assert sorted(Document.objects.values_list("status", flat=True)) == ["done", "done"]


# --- 第三方评价报告 ---------------------------------------------------------------------------------------


@pytest.fixture
def concluded(world):
    """sz-energy's application, evaluated by the demo body: the evaluator scores green design 3 (the
    applicant claimed otherwise), records a finding and concludes."""
    call = Call.objects.get(code="suzhou-2026-factory")
    call.pk = None
    call.code = "reports-third-party"
    call.requires_third_party = True
    call.save()
    user = world.users["sz-energy"]
    application = applications.start_application(actor(user), call)
    applications.save_answers(actor(user), application, complete_answers())
    applications.submit(actor(user), application)
    body = Organisation.objects.get(name="江苏示例绿色发展评价中心（演示）")
    engagement = evaluations.engage(actor(user), application, body.pk)
    ev = actor(world.users["evaluator"])
    evaluations.save_values(ev, engagement, {"in:green_design": "3"})
    evaluations.add_finding(
        ev,
        engagement,
        kind="field_check",
        description="现场核对绿色设计典型案例材料",
        stream=io.BytesIO(pdf_bytes("finding")),
        filename="案例材料.pdf",
    )
    evaluations.conclude(ev, engagement, "各项指标与佐证材料相符，绿色设计典型案例认定 3 分。")
    engagement.refresh_from_db()
    return engagement


def test_third_party_report_sets_both_sides_and_is_read_by_the_evaluations_readers(
    world, concluded, django_capture_on_commit_callbacks
):
    evaluator = world.client("evaluator")
    document = _generate_kind(
        evaluator, concluded.application, "third_party", "docx", django_capture_on_commit_callbacks
    )
    assert document.status == "done", document.message
    assert document.engagement_id == concluded.pk and document.dossier_id == concluded.dossier_id
    body = b"".join(evaluator.get(reverse("reports:download", kwargs={"pk": document.pk})).streaming_content)
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        xml = ElementTree.fromstring(archive.read("word/document.xml"))
    rows = [
        ["".join(t.text or "" for t in c.iter(f"{W}t")) for c in r.iter(f"{W}tc")] for r in xml.iter(f"{W}tr")
    ]
    own, checked = _engine_result(document), Result.from_json(concluded.result)
    by_label = {r[0].strip("　"): r for r in rows if len(r) == 9}
    for item in checked.indicators:
        if not item.is_leaf:
            continue
        mine = own.indicator(item.id)
        row = by_label[item.label]
        assert row[4:6] == [
            "" if mine.points is None else str(mine.points),
            "" if item.points is None else str(item.points),
        ], f"指标“{item.label}”的自评得分与核定得分"
    text = "".join("".join(t.text or "" for t in p.iter(f"{W}t")) for p in xml.iter(f"{W}p"))
    assert "江苏示例绿色发展评价中心（演示）" in text and "现场核对绿色设计典型案例材料" in text
    assert "各项指标与佐证材料相符，绿色设计典型案例认定 3 分。" in text
    assert f"核定得分：{checked.score} / {checked.max_score}" in text
    # the bureaus over the application and the applicant read it; the expert, another body's reader, not
    for role, status in (("sz-energy", 200), ("wz-reviewer", 200), ("expert-1", 404), ("sz-machinery", 404)):
        page = world.client(role).get(reverse("reports:status", kwargs={"pk": document.pk}))
        assert page.status_code == status, role


def _generate_kind(client, application, kind, fmt, capture):
    with capture(execute=True):
        response = client.post(
            reverse("reports:generate", kwargs={"public_id": application.public_id}),
            {"kind": kind, "format": fmt},
        )
    assert response.status_code == 302
    return Document.objects.get(pk=response["Location"].rstrip("/").split("/")[-1])


def test_no_third_party_report_without_a_concluded_evaluation(world, drafted):
    with pytest.raises(ReportError) as refused:
        services.request_document(actor(world.users["sz-machinery"]), drafted, "third_party", "pdf")
    assert refused.value.zh == "尚无已出具结论的第三方评价。"
    assert not Document.objects.exists()


# --- 推荐汇总表 (Excel) -------------------------------------------------------------------------------------


def test_call_summary_table_holds_real_numbers_and_dates_and_neutral_text(world, drafted):
    owner = actor(world.users["sz-machinery"])
    applications.submit(owner, drafted)
    drafted.applicant.name = '=HYPERLINK("http://x")示例'
    drafted.applicant.save(update_fields=["name"])
    response = world.client("wz-reviewer").get(
        reverse("reports:call_summary", kwargs={"code": drafted.call.code})
    )
    assert response.status_code == 200
    office_png(response.content, "call-summary", "xlsx")
    book = load_workbook(io.BytesIO(response.content))
    sheet = book.active
    assert sheet.title == "推荐汇总表"
    # printed on A4 landscape, every column on the page's width, the header row on every page
    setup = sheet.page_setup
    assert (setup.paperSize, setup.orientation, setup.fitToWidth, setup.fitToHeight) == (9, "landscape", 1, 0)
    assert sheet.sheet_properties.pageSetUpPr.fitToPage and sheet.print_title_rows == "$3:$3"
    assert sheet["A1"].value == f"{drafted.call.name}推荐汇总表"
    headers = [c.value for c in sheet[3]]
    assert headers == [c.header for c in SUMMARY_COLUMNS], "官方表头"
    assert sheet.freeze_panes == "A4", "表头冻结"
    assert sheet.auto_filter.ref == "A3:K4", "筛选"
    assert sheet.column_dimensions["B"].width == 34
    row = [c.value for c in sheet[4]]
    dossier = drafted.versions.get(frozen_at__isnull=False)
    drafted.refresh_from_db()
    assert row[0] == 1
    assert row[1] == '\'=HYPERLINK("http://x")示例', "公式注入：以撇号开头的文本"
    assert sheet["B4"].data_type == "s"
    assert row[5].date() == timezone.localtime(drafted.submitted_at).date(), "提交日期"
    assert sheet["F4"].number_format == "yyyy-mm-dd" and sheet["F4"].is_date, "提交日期为日期"
    assert Decimal(str(row[6])) == dossier.score == Decimal("66.05"), "自评价得分为数值，与引擎一致"
    assert sheet["G4"].data_type == "n"
    # another city's bureau sees none of it
    other = world.client("wx-reviewer").get(
        reverse("reports:call_summary", kwargs={"code": drafted.call.code})
    )
    assert load_workbook(io.BytesIO(other.content)).active.max_row == 3


# --- 证书 ---------------------------------------------------------------------------------------------------


def test_certificate_is_issued_once_and_its_code_checked_publicly(world, django_capture_on_commit_callbacks):
    announcement, _ = published(world)
    title = announcement.titles.get()
    holder = world.client(
        next(u for u, user in world.users.items() if user.membership.organisation_id == title.organisation_id)
    )
    url = reverse("reports:certificate", kwargs={"title_id": title.public_id})
    # before it is asked for: a page with the button, no certificate, nothing made on a GET
    page = holder.get(url)
    assert page.status_code == 200 and "出具证书" in page.content.decode()
    assert not Certificate.objects.exists()
    # the request fixes the code; the worker renders the PDF (its task runs once the request commits)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        holder.post(reverse("reports:certificate_issue", kwargs={"title_id": title.public_id}))
    waiting = Certificate.objects.get(title=title)
    assert (waiting.status, waiting.storage_name, waiting.sm3) == ("queued", "", ""), "请求中不生成 PDF"
    assert (
        'data-status="queued"' in holder.get(url).content.decode()
        and waiting.code in holder.get(url).content.decode()
    )
    for callback in queued:
        callback()
    response = holder.get(url)
    assert response.status_code == 200
    body = b"".join(response.streaming_content)
    issued = Certificate.objects.get(title=title)
    assert issued.status == "done" and issued.code == waiting.code
    assert sm3_hex(io.BytesIO(body)) == issued.sm3
    SHOTS.mkdir(parents=True, exist_ok=True)
    pdf = SHOTS / "certificate.pdf"
    pdf.write_bytes(body)
    subprocess.run(
        ["pdftoppm", "-r", "50", "-png", "-singlefile", str(pdf), str(SHOTS / "certificate")], check=True
    )
    flat = re.sub(
        r"\s+",
        "",
        subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout,
    )
    assert title.organisation.name in flat and announcement.number in flat and issued.code in flat
    assert re.fullmatch(r"[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}", issued.code)
    # issued once: a second download is the same certificate, asking again changes nothing
    assert b"".join(holder.get(url).streaming_content) == body
    with django_capture_on_commit_callbacks(execute=True):
        holder.post(reverse("reports:certificate_issue", kwargs={"title_id": title.public_id}))
    assert Certificate.objects.count() == 1 and Certificate.objects.get().sm3 == issued.sm3
    # anyone checks the code, typed loosely; a wrong code is "not found"
    verify = reverse("reports:verify_certificate")
    page = Client().get(verify, {"code": issued.code.replace("-", " ").lower()}).content.decode()
    assert 'data-match="yes"' in page and 'data-status="active"' in page and title.organisation.name in page
    assert 'data-match="no"' in Client().get(verify, {"code": "AAAA-BBBB-CCCC"}).content.decode()
    Title.objects.filter(pk=title.pk).update(status=Title.Status.REVOKED)
    page = Client().get(verify, {"code": issued.code}).content.decode()
    assert 'data-status="revoked"' in page and "该证书对应的称号已撤销。" in page
    # neither another enterprise nor another bureau gets it
    for role in ("sz-energy", "wx-reviewer"):
        assert world.client(role).get(url).status_code == 404


def test_published_list_carries_the_announcement_number_and_real_values(world):
    announcement, _ = published(world)
    title = announcement.titles.get()
    response = Client().get(reverse("reports:published_list", kwargs={"public_id": announcement.public_id}))
    assert response.status_code == 200
    office_png(response.content, "published-list", "xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert announcement.number in sheet["A1"].value and announcement.number in sheet["A2"].value, "公告文号"
    assert [c.value for c in sheet[3]] == [c.header for c in PUBLISHED_COLUMNS]
    assert (sheet.freeze_panes, sheet.auto_filter.ref) == ("A4", "A3:J4")
    row = [c.value for c in sheet[4]]
    assert row[1] == title.organisation.name and row[4] == "绿色工厂"
    assert Decimal(str(row[7])) == title.score and sheet["H4"].data_type == "n", "得分为数值"
    assert row[8].date() == title.valid_from and sheet["I4"].is_date, "有效期自为日期"


# --- 地方版式 -----------------------------------------------------------------------------------------------


def test_a_suzhou_call_gets_the_suzhou_report_layout_from_the_worker(
    world, django_capture_on_commit_callbacks
):
    """The layout is the scheme's (factory-suzhou: report_layout suzhou): same request, same worker, the
    city's 《苏州市绿色工厂评价报告》 with the score and grade the engine stored with the dossier."""
    user = world.users["sz-machinery"]
    application = start(user, "suzhou-2026-factory-grading")
    applications.save_answers(actor(user), application, suzhou_answers())
    client = world.client("sz-machinery")
    for fmt in ("pdf", "docx"):
        document = _generate(client, application, fmt, django_capture_on_commit_callbacks)
        document.refresh_from_db()
        assert document.status == "done", document.message
        result = _engine_result(document)
        content = b"".join(
            client.get(reverse("reports:download", kwargs={"pk": document.pk})).streaming_content
        )
        if fmt == "pdf":
            SHOTS.mkdir(parents=True, exist_ok=True)
            path = SHOTS / "suzhou-platform.pdf"
            path.write_bytes(content)
            flat = re.sub(
                r"\s+",
                "",
                subprocess.run(
                    ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
                ).stdout,
            )
            assert flat.startswith("苏州市绿色工厂评价报告"), "苏州版式"
            assert f"评价分数：{result.score:f}分（满分{result.max_score:f}）" in flat, "得分与引擎一致"
            assert f"对应等级：{result.grade_label}" in flat and "九、动态管理及承诺" in flat
        else:
            with zipfile.ZipFile(io.BytesIO(content)) as archive:
                body = ElementTree.fromstring(archive.read("word/document.xml"))
            paragraphs = ["".join(t.text or "" for t in p.iter(f"{W}t")) for p in body.iter(f"{W}p")]
            assert (
                f"评价分数：{result.score:f} 分（满分 {result.max_score:f}）；具备资格；对应等级：{result.grade_label}"
                in paragraphs
            )
