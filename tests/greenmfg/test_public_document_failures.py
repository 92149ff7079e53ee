"""A 公示 or 公告 PDF the worker cannot make (issue 14): the failure is recorded on the document's row
(reason, attempts, when), shown to the issuing bureau on its publication page with "retry now", and the
public page keeps saying it is being prepared, without the reason.

The render fails for real: a bureau's template directory (DOCUMENT_TEMPLATES_DIR) holding a replaced
publicity_notice.html that prints a field the notice does not have (greencore renders with jinja2's
StrictUndefined, so it raises). Repairing it and asking again makes the same version.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.test import Client, override_settings
from django.urls import reverse
from test_i18n import english
from test_register_verification import published

from greenmfg.audit.models import Event
from greenmfg.evidence.validation import sm3_hex
from greenmfg.publication.models import Announcement
from greenmfg.reports import notices
from greenmfg.reports.models import IssuedDocument


@pytest.fixture
def broken(tmp_path: Path) -> Path:
    """A bureau's template directory whose notice and announcement templates raise when rendered."""
    for name in ("publicity_notice.html", "announcement.html"):
        (tmp_path / name).write_text("<p>{{ seal_image_of_the_bureau }}</p>", encoding="utf-8")
    return tmp_path


def _pdf_url(announcement: Announcement, kind: str) -> str:
    if kind == "notice":
        return reverse("reports:notice_pdf", kwargs={"public_id": announcement.notice.public_id})
    return reverse("reports:announcement_pdf", kwargs={"public_id": announcement.public_id})


def _retry_url(announcement: Announcement, kind: str) -> str:
    subject = announcement.notice if kind == "notice" else announcement
    return reverse("reports:public_retry", kwargs={"kind": kind, "public_id": subject.public_id})


def _manage(announcement: Announcement) -> str:
    return reverse("publication:manage", kwargs={"public_id": announcement.notice.public_id})


def snapshot() -> tuple[Any, ...]:
    return (list(IssuedDocument.objects.order_by("pk").values()), Event.objects.count())


def _preparing(response: Any) -> str:
    page = response.content.decode()
    assert response.status_code == 200 and 'data-status="preparing"' in page, response.status_code
    return page


def test_a_failed_render_is_recorded_shown_to_the_bureau_and_retried_once_repaired(
    world, broken, django_capture_on_commit_callbacks
):
    announcement, _ = published(world)
    notice = announcement.notice
    with override_settings(DOCUMENT_TEMPLATES_DIR=str(broken)):
        notices.render_public.enqueue("publicity_notice", notice.pk)
    failed = IssuedDocument.objects.get(kind="publicity_notice", subject=str(notice.public_id))
    assert (failed.status, failed.attempts, failed.number, failed.storage_name) == ("failed", 1, 1, "")
    assert failed.message.startswith("UndefinedError: ") and "seal_image_of_the_bureau" in failed.message
    assert failed.failed_at is not None
    event = Event.objects.get(action="reports.public_render_failed")
    assert event.detail["attempts"] == 1 and "seal_image_of_the_bureau" in event.detail["reason"]

    # the public: still being prepared, in both languages, and nothing of the reason; the failed row's own
    # status page is not public either
    url = _pdf_url(announcement, "notice")
    for client in (Client(), english(Client())):
        page = _preparing(client.get(url))
        assert "UndefinedError" not in page and "seal_image" not in page
    assert Client().get(reverse("reports:issued", kwargs={"pk": failed.pk})).status_code == 404

    # the sweep retries it (still broken): one more attempt counted, no new event every five minutes
    with override_settings(DOCUMENT_TEMPLATES_DIR=str(broken)):
        assert notices.queue_missing() == 2  # the notice, and the announcement never made
    failed.refresh_from_db()
    assert (failed.status, failed.attempts) == ("failed", 2)
    assert Event.objects.filter(action="reports.public_render_failed").count() == 2  # + the announcement's

    # the bureau's publication page: the failure with its reason, attempts and time, and "retry now"
    bureau = world.client("sz-reviewer")
    page = bureau.get(_manage(announcement)).content.decode()
    assert '<tr id="document-notice" data-status="failed">' in page
    assert "生成失败（已尝试 2 次，最近一次" in page and "seal_image_of_the_bureau" in page
    assert "系统每 5 分钟自动重试；公开页面仍显示“正在生成”。" in page
    assert f'action="{_retry_url(announcement, "notice")}"' in page
    assert '<tr id="document-announcement" data-status="failed">' in page
    assert "Failed (2 attempts" not in page
    shown = english(world.client("sz-reviewer")).get(_manage(announcement)).content.decode()
    assert "Failed (2 attempts, last on" in shown and "Retry now" in shown

    # "retry now" while the template is still broken: queued, fails again, recorded with an event
    with (
        override_settings(DOCUMENT_TEMPLATES_DIR=str(broken)),
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = bureau.post(_retry_url(announcement, "notice"))
    assert response.status_code == 302 and response["Location"] == _manage(announcement)
    failed.refresh_from_db()
    assert (failed.status, failed.attempts) == ("failed", 3)
    requested = Event.objects.get(action="reports.public_retry_requested")
    assert requested.detail["attempts"] == 2 and requested.actor == world.users["sz-reviewer"]
    assert Event.objects.filter(action="reports.public_render_failed").count() == 3

    # repaired (the bureau's broken template removed): "retry now" makes the same version, number 1
    with django_capture_on_commit_callbacks(execute=True):
        assert bureau.post(_retry_url(announcement, "notice")).status_code == 302
    made = IssuedDocument.objects.get(kind="publicity_notice", subject=str(notice.public_id))
    assert (made.pk, made.number, made.status, made.message, made.attempts) == (failed.pk, 1, "done", "", 3)
    response = Client().get(url)
    body = b"".join(response.streaming_content)
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-SM3"] == made.sm3 == sm3_hex(io.BytesIO(body))
    page = bureau.get(_manage(announcement)).content.decode()
    assert '<tr id="document-notice" data-status="done">' in page
    assert '<tr id="document-announcement" data-status="failed">' in page
    # the announcement's, likewise: made on "retry now", its number under the masthead
    with django_capture_on_commit_callbacks(execute=True):
        assert bureau.post(_retry_url(announcement, "announcement")).status_code == 302
    stored = IssuedDocument.objects.get(kind="announcement", subject=str(announcement.public_id))
    assert (stored.status, stored.number, stored.attempts, stored.message) == ("done", 1, 1, "")
    response = Client().get(_pdf_url(announcement, "announcement"))
    assert (
        response["X-Content-SM3"] == stored.sm3 == sm3_hex(io.BytesIO(b"".join(response.streaming_content)))
    )
    page = bureau.get(_manage(announcement)).content.decode()
    assert '<tr id="document-announcement" data-status="done">' in page and "seal_image" not in page


def test_retry_refusals_change_nothing(world, broken, django_capture_on_commit_callbacks):
    announcement, _ = published(world)
    notice = announcement.notice
    bureau = world.client("sz-reviewer")
    # nothing failed yet (the notice is being prepared): refused, nothing changed, nothing queued
    before = snapshot()
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = bureau.post(_retry_url(announcement, "notice"), follow=True)
    assert "该 PDF 文件正在生成，尚未失败，无需重试。" in response.content.decode()
    assert (snapshot(), queued) == (before, [])

    with override_settings(DOCUMENT_TEMPLATES_DIR=str(broken)):
        notices.render_public.enqueue("publicity_notice", notice.pk)
    before = snapshot()
    # another bureau, the unit, an expert and the public: 404 (a login page for the public), nothing changed
    for who in ("wx-reviewer", "js-reviewer", "sz-machinery", "expert-1"):
        assert world.client(who).post(_retry_url(announcement, "notice")).status_code == 404, who
    assert Client().post(_retry_url(announcement, "notice")).status_code == 302
    assert (
        world.client("sz-reviewer")
        .post(reverse("reports:public_retry", kwargs={"kind": "objection", "public_id": notice.public_id}))
        .status_code
        == 404
    )
    assert snapshot() == before

    # queued once: a second "retry now" before the worker ran is refused, nothing more queued
    with django_capture_on_commit_callbacks(execute=False) as queued:
        assert bureau.post(_retry_url(announcement, "notice")).status_code == 302
    assert len(queued) == 1 and IssuedDocument.objects.get(kind="publicity_notice").status == "queued"
    page = bureau.get(_manage(announcement)).content.decode()
    assert '<tr id="document-notice" data-status="queued">' in page
    before = snapshot()
    with django_capture_on_commit_callbacks(execute=False) as again:
        response = bureau.post(_retry_url(announcement, "notice"), follow=True)
    assert "已在重新生成中，请稍后刷新本页。" in response.content.decode()
    assert (snapshot(), again) == (before, [])

    # made: a retry is refused, nothing changed
    for callback in queued:
        callback()
    assert IssuedDocument.objects.get(kind="publicity_notice").status == "done"
    before = snapshot()
    with django_capture_on_commit_callbacks(execute=False) as again:
        response = bureau.post(_retry_url(announcement, "notice"), follow=True)
    assert "该 PDF 文件已生成，无需重试。" in response.content.decode()
    assert (snapshot(), again) == (before, [])
