"""The publicity notice (公示) and the announcement (公告) with its published list, as PDF (issue 14).

The PDFs are opened with pdftotext and their Chinese text checked against what publication holds: the
units, their grades and scores, the window and the announcement's number; a PNG of each first page is
kept under test-results/documents/. The worker makes them (when the notice opens, the list is published or
their data changes); a public request only serves the stored copy, or says it is being prepared.
"""

from __future__ import annotations

import io
import re
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from django.urls import reverse
from test_i18n import english as i18n_english
from test_register_verification import published
from test_reviews import emailed_code, published_journey, who

from greenmfg.catalog.models import TitleLevel
from greenmfg.evidence.validation import sm3_hex
from greenmfg.publication import services as publication
from greenmfg.publication.models import PublicityEntry, Title
from greenmfg.publication.services import _raise_lower_grades
from greenmfg.reports import notices
from greenmfg.reports.models import IssuedDocument

SHOTS = Path(__file__).resolve().parents[2] / "test-results" / "documents"


def _text(pdf: bytes, name: str) -> tuple[str, list[list[str]]]:
    """The PDF's text without white space, and its lines as laid out, split into cells (a table row is
    one line); its first page kept as PNG."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.pdf"
    path.write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-r", "60", "-f", "1", "-l", "1", "-png", "-singlefile", str(path), str(SHOTS / name)],
        check=True,
    )
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    layout = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    return re.sub(r"\s+", "", text), [line.split() for line in layout.splitlines()]


def made(*documents) -> None:
    """What the worker does once the change commits: make each notice's or announcement's PDF (the test
    changed their data in the database directly, or its transaction never commits)."""
    for document in documents:
        kind = "announcement" if hasattr(document, "number") else "publicity_notice"
        notices.render_public.enqueue(kind, document.pk)


def _chinese(day) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def test_publicity_notice_pdf_lists_the_units_grades_and_window(world):
    announcement, _ = published(world)
    notice = announcement.notice
    entry = notice.entries.get()
    # a graded unit (the journey's scheme leaves this one without a grade): the grade shown is the entry's
    PublicityEntry.objects.filter(pk=entry.pk).update(grade="3A级")
    entry.refresh_from_db()
    made(notice)
    response = Client().get(reverse("reports:notice_pdf", kwargs={"public_id": notice.public_id}))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    flat, lines = _text(b"".join(response.streaming_content), "publicity_notice")
    assert notice.title in flat and notice.authority.name in flat
    assert f"公示期为{_chinese(notice.opens_on)}至{_chinese(notice.closes_on)}" in flat
    days = (notice.closes_on - notice.opens_on).days + 1
    assert f"（共{days}天）" in flat
    # the row: 序号 1, the unit, its region, its score to the last digit, its grade
    assert ["1", entry.unit_name, entry.region_name, str(entry.score), "3A级"] in lines
    assert "第1页/共1页" in flat
    # a unit removed after an upheld objection is no longer in the notice, as on the public page
    PublicityEntry.objects.filter(pk=entry.pk).update(status=PublicityEntry.Status.REMOVED)
    made(notice)
    again = Client().get(reverse("reports:notice_pdf", kwargs={"public_id": notice.public_id}))
    assert entry.unit_name not in _text(b"".join(again.streaming_content), "publicity_notice_removed")[0]


def test_announcement_pdf_carries_its_number_and_the_published_list(world):
    announcement, _ = published(world)
    title = announcement.titles.select_related("organisation__region").get()
    type(title).objects.filter(pk=title.pk).update(grade="3A", grade_label="3A级")
    title.refresh_from_db()
    unit = title.organisation
    made(announcement)
    response = Client().get(reverse("reports:announcement_pdf", kwargs={"public_id": announcement.public_id}))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    flat, lines = _text(b"".join(response.streaming_content), "announcement")
    # the number under the masthead, in the list's heading and in the running header of page 2
    assert flat.count(announcement.number) >= 3, "公告文号"
    assert f"{announcement.authority.name}{announcement.number}{announcement.title}" in flat
    assert "现将名单（共1家）予以公布" in flat
    assert f"{announcement.authority.name}{_chinese(announcement.published_on)}" in flat
    # the list's row, on one line of the landscape page
    row = next(line for line in lines if unit.credit_code in line)
    assert row == [
        "1",
        unit.name,
        unit.credit_code,
        unit.region.full_name(),
        "绿色工厂",
        TitleLevel(title.level).label,
        "3A级",
        str(title.score),
        _chinese(title.valid_from),
    ]
    assert "第2页/共2页" in flat


def test_a_notice_not_yet_open_and_a_missing_announcement_are_404(world):
    announcement, _ = published(world)
    notice = announcement.notice
    type(notice).objects.filter(pk=notice.pk).update(
        opens_on=notice.opens_on.replace(year=notice.opens_on.year + 5)
    )
    client = Client()
    assert (
        client.get(reverse("reports:notice_pdf", kwargs={"public_id": notice.public_id})).status_code == 404
    )
    missing = "00000000-0000-0000-0000-000000000000"
    assert client.get(reverse("reports:announcement_pdf", kwargs={"public_id": missing})).status_code == 404


def test_public_documents_are_limited_per_address(world):
    """Anyone may fetch the notice and the announcement, but one address may not keep the workers busy
    rendering them: beyond the limit it is told to wait (429), other addresses are served."""
    announcement, _ = published(world)
    url = reverse("reports:notice_pdf", kwargs={"public_id": announcement.notice.public_id})
    made(announcement.notice)
    assert settings.RATE_LIMITS["documents"]["per_address"] == (20, 600)
    limits = {
        **settings.RATE_LIMITS,
        "documents": {**settings.RATE_LIMITS["documents"], "per_address": (2, 600)},
    }
    client = Client()
    with override_settings(RATE_LIMITS=limits):
        codes = [client.get(url, REMOTE_ADDR="203.0.113.9").status_code for _ in range(3)]
        other = client.get(url, REMOTE_ADDR="198.51.100.2").status_code
    assert (codes, other) == ([200, 200, 429], 200)


def test_notice_pdf_is_stored_once_per_state_with_its_digest_and_a_copy_checks(world):
    announcement, _ = published(world)
    notice = announcement.notice
    url = reverse("reports:notice_pdf", kwargs={"public_id": notice.public_id})
    made(notice)
    first = Client().get(url)
    body = b"".join(first.streaming_content)
    stored = IssuedDocument.objects.get(kind="publicity_notice", subject=str(notice.public_id))
    assert (stored.number, stored.sm3, first["X-Content-SM3"]) == (1, sm3_hex(io.BytesIO(body)), stored.sm3)
    # the same data is the same stored copy, byte for byte; no second version
    made(notice)
    assert b"".join(Client().get(url).streaming_content) == body
    assert IssuedDocument.objects.filter(kind="publicity_notice").count() == 1
    # the list changed (a unit removed after an upheld objection): a new version, the first one kept
    PublicityEntry.objects.filter(notice=notice).update(status=PublicityEntry.Status.REMOVED)
    made(notice)
    changed = b"".join(Client().get(url).streaming_content)
    assert changed != body
    assert list(IssuedDocument.objects.filter(kind="publicity_notice").values_list("number", flat=True)) == [
        2,
        1,
    ]
    # anyone checks a copy: the first version matches as version 1, an altered copy does not
    verify = reverse("reports:verify_issued")
    page = Client().post(verify, {"copy": SimpleUploadedFile("公示.pdf", body)}).content.decode()
    assert 'data-match="yes"' in page and f"“{notice.title}”第 1 版" in page
    page = Client().post(verify, {"copy": SimpleUploadedFile("公示.pdf", body + b"%")}).content.decode()
    assert 'data-match="no"' in page
    # a stored copy altered on disk is refused (409), never served
    with default_storage.open(stored.storage_name, "wb") as handle:
        handle.write(body.replace(b"%%EOF", b"%%EOX"))
    PublicityEntry.objects.filter(notice=notice).update(status=PublicityEntry.Status.LISTED)
    response = Client().get(url)
    assert response.status_code == 409 and "SM3" in response.content.decode()


@pytest.fixture
def rendered(monkeypatch) -> list[str]:
    """The PDFs rendered (the real renderers, counted)."""
    calls: list[str] = []
    for name in ("publicity_notice_pdf", "announcement_pdf"):
        real = getattr(notices, name)

        def counted(*args, _real=real, _name=name, **kwargs):
            calls.append(_name)
            return _real(*args, **kwargs)

        monkeypatch.setattr(notices, name, counted)
    return calls


def _preparing(response) -> bool:
    page = response.content.decode()
    return (
        response.status_code == 200
        and response["Content-Type"].startswith("text/html")
        and response["Retry-After"] == "30"
        and 'data-status="preparing"' in page
    )


def test_a_get_before_the_worker_ran_makes_nothing_and_the_worker_makes_each_version(
    world, rendered, django_capture_on_commit_callbacks
):
    application = published_journey(world)
    city = who(world, "sz-reviewer")
    # the notice opens: its PDF is queued for the worker once the opening commits
    with django_capture_on_commit_callbacks(execute=False) as queued:
        notice = publication.open_publicity(city, application.call)
    url = reverse("reports:notice_pdf", kwargs={"public_id": notice.public_id})
    # before the worker ran: a page that says it is being prepared, in Chinese and in English; nothing
    # rendered, nothing stored, nothing queued by the request
    with django_capture_on_commit_callbacks(execute=True) as asked:
        response = Client().get(url)
    assert _preparing(response) and "PDF 文件正在生成，请稍后刷新本页下载。" in response.content.decode()
    english = i18n_english(Client()).get(url).content.decode()
    assert "The PDF is being prepared; reload this page in a moment to download it." in english
    assert (rendered, asked, IssuedDocument.objects.count()) == ([], [], 0)
    # the worker runs the queued task: version 1, served with its digest
    for callback in queued:
        callback()
    assert rendered == ["publicity_notice_pdf"]
    first = IssuedDocument.objects.get(kind="publicity_notice", subject=str(notice.public_id))
    assert (first.number, first.status, len(first.sm3)) == (1, "done", 64)
    response = Client().get(url)
    body = b"".join(response.streaming_content)
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-SM3"] == first.sm3 == sm3_hex(io.BytesIO(body))
    assert rendered == ["publicity_notice_pdf"], "served from the stored copy"
    # an upheld objection removes the unit: the list changed, so the worker makes version 2 on commit;
    # until it has, the page is being prepared again (never the old list as if it were current)
    entry = notice.entries.get()
    objection = publication.file_objection(
        notice, entry, name="王五", contact="wang@example.com", grounds="该企业近三年发生过一般环境污染事故。"
    )
    objection = publication.verify_objection(objection, emailed_code("wang@example.com"))
    with django_capture_on_commit_callbacks(execute=False) as queued:
        publication.decide_objection(city, objection, upheld=True, reason="经核实，属负面清单第2项。")
    assert _preparing(Client().get(url)) and IssuedDocument.objects.count() == 1
    for callback in queued:
        callback()
    assert rendered == ["publicity_notice_pdf", "publicity_notice_pdf"]
    response = Client().get(url)
    changed = b"".join(response.streaming_content)
    second = IssuedDocument.objects.get(kind="publicity_notice", number=2)
    assert response["X-Content-SM3"] == second.sm3 == sm3_hex(io.BytesIO(changed)) != first.sm3
    assert entry.unit_name in _text(body, "publicity_notice_v1")[0]
    assert entry.unit_name not in _text(changed, "publicity_notice_v2")[0]
    # version 1 is kept, byte for byte, and its copy still checks as version 1
    assert list(IssuedDocument.objects.values_list("number", flat=True)) == [2, 1]
    page = (
        Client()
        .post(reverse("reports:verify_issued"), {"copy": SimpleUploadedFile("公示.pdf", body)})
        .content.decode()
    )
    assert 'data-match="yes"' in page and f"“{notice.title}”第 1 版" in page
    # the same task delivered again renders nothing
    made(notice)
    assert len(rendered) == 2 and IssuedDocument.objects.count() == 2


def test_the_announcement_pdf_is_made_by_the_worker_once_published(
    world, rendered, django_capture_on_commit_callbacks
):
    application = published_journey(world)
    city = who(world, "sz-reviewer")
    with django_capture_on_commit_callbacks(execute=True):
        notice = publication.open_publicity(city, application.call)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        announcement = publication.publish(city, notice, today=notice.closes_on + timedelta(days=1))
    url = reverse("reports:announcement_pdf", kwargs={"public_id": announcement.public_id})
    assert _preparing(Client().get(url))
    assert rendered == ["publicity_notice_pdf"]
    assert not IssuedDocument.objects.filter(kind="announcement").exists()
    for callback in queued:
        callback()
    stored = IssuedDocument.objects.get(kind="announcement", subject=str(announcement.public_id))
    response = Client().get(url)
    body = b"".join(response.streaming_content)
    assert response["X-Content-SM3"] == stored.sm3 == sm3_hex(io.BytesIO(body))
    assert announcement.number in _text(body, "announcement_worker")[0]
    # publishing left the notice's list as it was: no second version of the notice
    assert rendered == ["publicity_notice_pdf", "announcement_pdf"]
    assert IssuedDocument.objects.filter(kind="publicity_notice").count() == 1


def test_the_sweep_queues_the_pdfs_whose_task_was_lost(world, rendered):
    """published() commits nothing, so the tasks its changes queued never ran (as with a worker that died
    holding them): the sweep finds the notice and the announcement without a stored copy and queues them."""
    announcement, _ = published(world)
    urls = [
        reverse("reports:notice_pdf", kwargs={"public_id": announcement.notice.public_id}),
        reverse("reports:announcement_pdf", kwargs={"public_id": announcement.public_id}),
    ]
    assert all(_preparing(Client().get(url)) for url in urls)
    assert notices.queue_missing() == 2
    assert sorted(rendered) == ["announcement_pdf", "publicity_notice_pdf"]
    for url in urls:
        response = Client().get(url)
        body = b"".join(response.streaming_content)
        assert response["X-Content-SM3"] == sm3_hex(io.BytesIO(body))
    assert notices.queue_missing() == 0 and len(rendered) == 2


def test_a_title_regraded_by_a_higher_one_has_its_announcement_made_again(
    world, django_capture_on_commit_callbacks
):
    """Suzhou: a provincial title raises the holder's city grade to 4A; the city's announcement prints the
    grade, so the worker makes its next version on commit (the earlier ones kept)."""
    announcement, _ = published(world)
    held = announcement.titles.get()
    Title.objects.filter(pk=held.pk).update(
        scheme="factory-suzhou@2023.1", grade="3A", grade_label="3A级绿色工厂（市级）"
    )
    made(announcement)
    provincial = Title.objects.create(
        organisation=held.organisation,
        announcement=announcement,
        kind="factory",
        level="province",
        scheme="factory-gbt36132-2025@2025.1",
        valid_from=held.valid_from,
    )
    made(announcement)
    url = reverse("reports:announcement_pdf", kwargs={"public_id": announcement.public_id})
    before = b"".join(Client().get(url).streaming_content)
    # (the grade's cell wraps its label over two lines: the grade itself is read)
    assert "3A级" in _text(before, "announcement_3a")[0]
    with django_capture_on_commit_callbacks(execute=False) as queued:
        _raise_lower_grades(who(world, "js-reviewer"), provincial)
    assert _preparing(Client().get(url))
    for callback in queued:
        callback()
    response = Client().get(url)
    after = b"".join(response.streaming_content)
    flat = _text(after, "announcement_4a")[0]
    assert "4A级" in flat and "3A级" not in flat
    stored = IssuedDocument.objects.filter(kind="announcement").order_by("-number")
    assert [d.number for d in stored] == [3, 2, 1] and response["X-Content-SM3"] == stored[0].sm3
