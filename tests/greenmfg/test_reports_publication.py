"""The publicity notice (公示) and the announcement (公告) with its published list, as PDF (issue 14).

The PDFs are opened with pdftotext and their Chinese text checked against what publication holds: the
units, their grades and scores, the window and the announcement's number; a PNG of each first page is
kept under test-results/documents/.
"""

from __future__ import annotations

import io
import re
import subprocess
from pathlib import Path

from django.conf import settings
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from django.urls import reverse
from test_register_verification import published

from greenmfg.catalog.models import TitleLevel
from greenmfg.evidence.validation import sm3_hex
from greenmfg.publication.models import PublicityEntry
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


def _chinese(day) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def test_publicity_notice_pdf_lists_the_units_grades_and_window(world):
    announcement, _ = published(world)
    notice = announcement.notice
    entry = notice.entries.get()
    # a graded unit (the journey's scheme leaves this one without a grade): the grade shown is the entry's
    PublicityEntry.objects.filter(pk=entry.pk).update(grade="3A级")
    entry.refresh_from_db()
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
    again = Client().get(reverse("reports:notice_pdf", kwargs={"public_id": notice.public_id}))
    assert entry.unit_name not in _text(b"".join(again.streaming_content), "publicity_notice_removed")[0]


def test_announcement_pdf_carries_its_number_and_the_published_list(world):
    announcement, _ = published(world)
    title = announcement.titles.select_related("organisation__region").get()
    type(title).objects.filter(pk=title.pk).update(grade="3A", grade_label="3A级")
    title.refresh_from_db()
    unit = title.organisation
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
    first = Client().get(url)
    body = b"".join(first.streaming_content)
    stored = IssuedDocument.objects.get(kind="publicity_notice", subject=str(notice.public_id))
    assert (stored.number, stored.sm3, first["X-Content-SM3"]) == (1, sm3_hex(io.BytesIO(body)), stored.sm3)
    # the same data is the same stored copy, byte for byte; no second version
    assert b"".join(Client().get(url).streaming_content) == body
    assert IssuedDocument.objects.filter(kind="publicity_notice").count() == 1
    # the list changed (a unit removed after an upheld objection): a new version, the first one kept
    PublicityEntry.objects.filter(notice=notice).update(status=PublicityEntry.Status.REMOVED)
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
