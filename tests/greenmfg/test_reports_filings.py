"""Dynamic-management documents and the stale-job sweeper (issue 14).

A unit's confirmation of an accepted 动态管理表 and a bureau's yearly summary of its filing round are made by
the worker, stored with their SM3 digest and verifiable; the files are opened (pdftotext, openpyxl) and
their figures compared with what supervision holds and with greencore's count of the round, to the last
digit. The sweeper's timeout is tested on the clock: the boundary instant is still in time, one second
later is not.
"""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from factories import actor, start
from openpyxl import load_workbook
from supervision_world import filing_evidence, grant_title
from test_applications import complete_answers
from test_reports_publication import _text
from test_supervision_filings import GOOD
from tests.renderings import office_png

from greencore import RoundFiling, filing_round_summary
from greenmfg.applications import services as applications
from greenmfg.audit.models import Event
from greenmfg.evidence.validation import sm3_hex
from greenmfg.publication.models import Title
from greenmfg.reports import certificates, issued, services
from greenmfg.reports.models import Certificate, Document, IssuedDocument
from greenmfg.supervision import services as supervision
from greenmfg.supervision.models import Filing

SHOTS = Path(__file__).resolve().parents[2] / "test-results" / "documents"


def _pdf_text(content: bytes, name: str) -> str:
    return _text(content, name)[0]


def _request(client, url, data, capture) -> IssuedDocument:
    with capture(execute=True):
        response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()
    return IssuedDocument.objects.get(pk=response["Location"].rstrip("/").split("/")[-1])


def _download(client, document: IssuedDocument) -> bytes:
    response = client.get(reverse("reports:issued_download", kwargs={"pk": document.pk}))
    assert response.status_code == 200
    return b"".join(response.streaming_content)


@pytest.fixture
def accepted(world) -> Filing:
    """A filing accepted and re-scored: the unit submitted a self-evaluation before it was titled."""
    user = world.users["sz-machinery"]
    application = start(user)
    applications.save_answers(actor(user), application, complete_answers())
    applications.submit(actor(user), application)
    title = grant_title(world)
    Title.objects.filter(pk=title.pk).update(application=application)
    supervision.open_filings(actor(world.users["sz-reviewer"]), 2027)
    filing = Filing.objects.get(year=2027)
    with time_machine.travel("2027-04-15 10:00 +0800", tick=False):  # the deadline day: in time
        return supervision.submit_filing(actor(user), filing, values=GOOD, evidence=filing_evidence())


def test_the_filing_confirmation_carries_the_accepted_filing_and_is_verifiable(
    world, accepted, django_capture_on_commit_callbacks
):
    assert accepted.score is not None, "前提：已按评价方案复评得分"
    unit = world.client("sz-machinery")
    url = reverse("reports:filing_confirmation", kwargs={"public_id": accepted.public_id})
    document = _request(unit, url, {}, django_capture_on_commit_callbacks)
    assert (document.status, document.number, document.filing_id) == ("done", 1, accepted.pk)
    status = unit.get(reverse("reports:issued", kwargs={"pk": document.pk})).content.decode()
    assert 'data-status="done"' in status and document.sm3 in status
    content = _download(unit, document)
    assert sm3_hex(io.BytesIO(content)) == document.sm3, "下载的文件与留存的 SM3 摘要一致"
    flat = _pdf_text(content, "filing-confirmation")
    organisation = accepted.title.organisation
    assert "2027年度绿色制造动态管理表受理回执" in flat and organisation.name in flat
    assert "提交日期2027-04-15（按时填报）" in flat and "截止日期2027-04-15" in flat
    assert f"复评得分：{accepted.score}" in flat, "复评得分与受理时引擎的结果一致（到最后一位）"
    assert str(accepted.score) == format(accepted.score, "f") and "." in str(accepted.score)
    for key, (value, unit_text) in GOOD.items():
        assert f"{value}{unit_text}" in flat, f"填报值 {key} 应原样印出"
    # the bureau of the round reads it; another unit and another bureau do not
    assert (
        world.client("sz-reviewer").get(reverse("reports:issued", kwargs={"pk": document.pk})).status_code
        == 200
    )
    for role in ("sz-energy", "wx-reviewer"):
        assert (
            world.client(role).get(reverse("reports:issued_download", kwargs={"pk": document.pk})).status_code
            == 404
        )
    # anyone checks a copy
    verify = reverse("reports:verify_issued")
    page = Client().post(verify, {"copy": SimpleUploadedFile("回执.pdf", content)}).content.decode()
    assert 'data-match="yes"' in page and "第 1 版" in page
    page = Client().post(verify, {"copy": SimpleUploadedFile("回执.pdf", content[:-10])}).content.decode()
    assert 'data-match="no"' in page


def test_an_open_filing_has_no_confirmation_and_nothing_is_made(world, django_capture_on_commit_callbacks):
    grant_title(world)
    supervision.open_filings(actor(world.users["sz-reviewer"]), 2027)
    filing = Filing.objects.get(year=2027)
    events = Event.objects.count()
    url = reverse("reports:filing_confirmation", kwargs={"public_id": filing.public_id})
    with django_capture_on_commit_callbacks(execute=True):
        response = world.client("sz-machinery").post(url, follow=True)
    assert "动态管理表受理后才能出具回执。" in response.content.decode()
    assert not IssuedDocument.objects.exists() and Event.objects.count() == events


def _round(world) -> list[Filing]:
    """A round of six filings, deadline 15 April 2027: in time (on the day and before), late (the day
    after), open (missing once the deadline has passed), and two green codes over the accepted ones."""
    authority = world.users["sz-reviewer"].membership.organisation
    deadline = date(2027, 4, 15)
    specs = [
        ("sz-machinery", deadline, "accepted", Decimal("83.47"), "A+"),
        ("sz-energy", deadline - timedelta(days=3), "accepted", Decimal("71.05"), "A"),
        ("ks-electronics", deadline + timedelta(days=1), "accepted", Decimal("64.20"), "B"),
        ("sz-machinery", date(2027, 4, 1), "accepted", None, ""),
        ("sz-energy", None, "open", None, ""),
        ("ks-electronics", None, "open", None, ""),
    ]
    filings = []
    for holder, submitted, status, score, code in specs:
        filings.append(
            Filing.objects.create(
                title=grant_title(world, holder),
                authority=authority,
                year=2027,
                deadline=deadline,
                status=status,
                submitted_on=submitted,
                late=bool(submitted and submitted > deadline),
                score=score,
                green_code=code,
            )
        )
    return filings


@pytest.mark.parametrize(("day", "missing", "pending"), [("2027-04-15", 0, 2), ("2027-04-16", 2, 0)])
def test_the_round_summary_counts_as_greencore_does_on_the_day(
    world, django_capture_on_commit_callbacks, day, missing, pending
):
    filings = _round(world)
    url = reverse("reports:round_summary")
    bureau = world.client("sz-reviewer")
    documents = []
    for fmt in ("pdf", "xlsx"):
        with django_capture_on_commit_callbacks(execute=False) as queued:
            response = bureau.post(url, {"year": "2027", "format": fmt})
        documents.append(IssuedDocument.objects.get(pk=response["Location"].rstrip("/").split("/")[-1]))
        # the worker makes the summary on that day: the day is what the counts are as of
        with time_machine.travel(f"{day} 10:00 +0800", tick=False):
            for callback in queued:
                callback()
    pdf_content, xlsx_content = (_download(bureau, d) for d in documents)
    expected = filing_round_summary(
        authority="x",
        year=2027,
        filings=[
            RoundFiling(
                "",
                "",
                "",
                "",
                f.deadline,
                f.submitted_on,
                f.status == "accepted",
                f.score,
                f.green_code,
                False,
            )
            for f in filings
        ],
        as_of=date.fromisoformat(day),
        generated_on=date.fromisoformat(day),
    )
    assert (expected.filed, expected.late, expected.missing, expected.pending) == (3, 1, missing, pending)
    flat = _pdf_text(pdf_content, f"round-summary-{day}")
    counts = f"应填报6按时填报{expected.filed}逾期填报{expected.late}未填报（已逾期）{missing}未到截止日{pending}已督办0"
    assert counts in flat, "填报情况与 greencore 按当日计算的一致（截止日当天仍为按时，次日起为逾期未填报）"
    for label, share in (
        ("A+", "1家（25.0%）"),
        ("A", "1家（25.0%）"),
        ("B", "1家（25.0%）"),
        ("不评定等级", "1家（25.0%）"),
    ):
        assert f"{label}{share}" in flat, f"企业绿码 {label} 的分布"
    for f in filings:
        if f.score is not None:
            assert f"{f.score}{f.green_code}" in flat, f"复评得分 {f.score} 应原样印出"
    # the workbook: one row per filing, real numbers and dates, counts in the subtitle
    office_png(xlsx_content, "round-summary-excel", "xlsx")
    sheet = load_workbook(io.BytesIO(xlsx_content)).active
    assert f"按时 3 家，逾期 1 家，未填报 {missing} 家，未到截止日 {pending} 家" in sheet["A2"].value
    assert [c.value for c in sheet[3]][:3] == ["序号", "单位名称", "统一社会信用代码"]
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=4)]
    assert len(rows) == 6 and sheet.freeze_panes == "A4"
    scores = sorted(Decimal(str(r[7])) for r in rows if r[7] is not None)
    assert scores == sorted(f.score for f in filings if f.score is not None), "得分为数值，与留存的一致"
    assert all(isinstance(r[6], datetime) for r in rows if r[6] is not None), "填报日期为日期"
    assert all(isinstance(r[7], float | int) for r in rows if r[7] is not None), "得分单元格为数值而非文本"
    states = [r[5] for r in rows]
    assert states.count("未填报（已逾期）") == missing and states.count("逾期填报") == 1


def test_only_the_supervising_bureau_asks_for_its_round_and_a_bad_request_changes_nothing(
    world, django_capture_on_commit_callbacks
):
    _round(world)
    events = Event.objects.count()
    url = reverse("reports:round_summary")
    for role, data in (
        ("sz-reviewer", {"year": "2027", "format": "docx"}),
        ("sz-reviewer", {"year": "x", "format": "pdf"}),
    ):
        with django_capture_on_commit_callbacks(execute=True):
            world.client(role).post(url, data)
    assert world.client("sz-machinery").post(url, {"year": "2027", "format": "pdf"}).status_code == 404
    assert not IssuedDocument.objects.exists() and Event.objects.count() == events


def test_the_sweeper_fails_jobs_a_dead_worker_left_running_after_the_timeout(
    world, settings, django_capture_on_commit_callbacks
):
    settings.REPORT_JOB_TIMEOUT_MINUTES = 30
    authority = world.users["sz-reviewer"].membership.organisation
    start_at = datetime.fromisoformat("2027-05-01T09:00:00+08:00")
    owner = actor(world.users["sz-machinery"])
    drafted = start(world.users["sz-machinery"])  # while its call is open
    applications.save_answers(owner, drafted, complete_answers())
    with django_capture_on_commit_callbacks(execute=False):  # its worker never ran it
        report = services.request_document(owner, drafted, "self_evaluation", "pdf")
    Document.objects.filter(pk=report.pk).update(status="running", created_at=start_at)
    with time_machine.travel(start_at, tick=False):
        running = IssuedDocument.objects.create(
            kind="round_summary", format="pdf", subject=f"{authority.pk}/2027", label="汇总",
            authority=authority, year=2027, number=1, status="running",
        )  # fmt: skip
        queued = IssuedDocument.objects.create(
            kind="round_summary", format="xlsx", subject=f"{authority.pk}/2027", label="汇总",
            authority=authority, year=2027, number=1, status="queued",
        )  # fmt: skip
        title = grant_title(world)
        certificate = Certificate.objects.create(
            title=title, code=certificates.new_code(), status="running", issued_at=start_at,
            issued_by=world.users["sz-reviewer"],
        )  # fmt: skip
    events = Event.objects.filter(action="reports.job_failed").count()
    # the boundary instant is still in time
    assert issued.fail_stale_documents(now=start_at + timedelta(minutes=30)) == 0
    running.refresh_from_db()
    assert running.status == "running"
    # one second past it: the running ones fail with the reason; a queued one waits for a worker
    assert issued.fail_stale_documents(now=start_at + timedelta(minutes=30, seconds=1)) == 3
    running.refresh_from_db()
    report.refresh_from_db()
    assert (report.status, report.message) == (
        "failed",
        "生成进程意外终止（工作进程已停止或超时），请重新生成。",
    )
    certificate.refresh_from_db()
    queued.refresh_from_db()
    assert (running.status, running.progress) == ("failed", 100)
    assert running.message == "生成进程意外终止（工作进程已停止或超时），请重新生成。"
    assert certificate.status == "failed" and queued.status == "queued"
    assert Event.objects.filter(action="reports.job_failed").count() == events + 3
    # swept once: a second sweep finds nothing
    assert issued.fail_stale_documents(now=start_at + timedelta(hours=2)) == 0
    # the failed certificate is asked for again under the same code
    certificates.issue(actor(world.users["sz-machinery"]), title, "http://testserver/")
    certificate.refresh_from_db()
    assert certificate.status == "queued"
