"""Public downloads built in the background (issue 16): the request answers at once, the task worker
builds the file with its progress, the status page then links it; a failed or abandoned job says so,
a task delivered twice builds nothing twice, and old files are removed."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, timedelta
from typing import Any

import pytest
import time_machine
from django.core.files.storage import default_storage
from django.test import Client, TestCase, override_settings
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from export_helpers import EXPORT_URL_NAMES, exported, start

from greenmfg.register import export_jobs, exports, services
from greenmfg.register.models import ExportJob

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


def _grant(name: str) -> None:
    services.record_title(
        source_key=f"title:{name}",
        kind="factory",
        level="city",
        grade="3A级",
        year=2026,
        announced_on=date(2026, 6, 30),
        announcement_ref="苏工信节能〔2026〕1号",
        authority="苏州市工业和信息化局",
        region_code="320506",
        unit_name=name,
        credit_code="",
        industry_code="39",
    )


@pytest.fixture
def titled(world: Any) -> Any:
    for name in ("导出测试甲公司", "导出测试乙公司", "导出测试丙公司"):
        _grant(name)
    return world


def _job(response: Any) -> ExportJob:
    assert response.status_code == 302
    return ExportJob.objects.get(pk=response.url.rstrip("/").rsplit("/", 1)[-1])


def _names(raw: bytes) -> set[str]:
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    assert rows[0] == list(exports.EXPORT_COLUMNS)
    return {row[10] for row in rows[1:]}


def test_the_request_only_queues_and_the_worker_builds_the_file(titled: Any) -> None:
    client = Client()
    with override_settings(TASKS=DB_TASKS):
        job = _job(start(client, reverse("register:export_csv"), {"q": "导出测试"}))
        # nothing built in the request: the job waits for a worker
        assert (job.status, job.progress, job.file.name) == ("queued", 0, "")
        assert job.params == {"q": "导出测试"} and job.task_id
        page = client.get(reverse("register:export_status", args=[job.pk])).content.decode()
        assert 'data-status="queued"' in page and "hx-get=" in page and "export-download" not in page
        assert client.get(reverse("register:export_download", args=[job.pk])).status_code == 404
        # queued for the worker (django_tasks_db's table, which `manage.py db_worker` reads)
        queued = DBTaskResult.objects.get(id=job.task_id)
        assert (queued.task_path, queued.args_kwargs["args"]) == (
            "greenmfg.register.export_jobs.build_export",
            [str(job.pk)],
        )
    # what the worker runs (db_worker itself closes the test's connection)
    assert export_jobs.build_export.call(str(job.pk)) == "done"
    job.refresh_from_db()
    assert (job.status, job.progress, job.rows, job.truncated) == ("done", 100, 3, False)
    assert job.finished_at is not None
    assert job.file_name == f"绿色制造名单-{timezone.localdate(job.created_at):%Y%m%d}.csv"
    page = client.get(reverse("register:export_status", args=[job.pk])).content.decode()
    assert 'data-status="done"' in page and "hx-get=" not in page and "共 3 行。" in page
    response = client.get(reverse("register:export_download", args=[job.pk]))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="register.csv"' in response["Content-Disposition"]
    assert _names(b"".join(response.streaming_content)) == {
        "导出测试甲公司",
        "导出测试乙公司",
        "导出测试丙公司",
    }


def test_progress_is_written_as_rows_are_built(titled: Any, monkeypatch: Any) -> None:
    monkeypatch.setattr(export_jobs, "PROGRESS_EVERY", 1)
    seen: list[tuple[int, int]] = []
    original = export_jobs._counted

    def watched(job: ExportJob, token: str, rows: Any, total: int) -> Any:
        for row in original(job, token, rows, total):
            yield row
            # as each row is handed to the writer: the rows written before it are counted
            seen.append(ExportJob.objects.values_list("rows", "progress").get(pk=job.pk))

    monkeypatch.setattr(export_jobs, "_counted", watched)
    job = _job(start(Client(), reverse("register:export_xlsx"), {"q": "导出测试"}))
    # 5 % when claimed, then 5 + 90 * rows / 3 as rows are written
    assert seen == [(0, 5), (1, 35), (2, 65)]
    assert (job.status, job.progress, job.rows) == ("done", 100, 3)


def test_a_task_delivered_twice_builds_nothing_twice(titled: Any) -> None:
    job = _job(start(Client(), reverse("register:export_csv"), {"q": "导出测试"}))
    before = (job.file.name, job.finished_at, default_storage.open(job.file.name).read())
    assert export_jobs.build_export.call(str(job.pk)) == "done"
    job.refresh_from_db()
    assert (job.file.name, job.finished_at, default_storage.open(job.file.name).read()) == before
    assert ExportJob.objects.count() == 1


def test_a_failed_build_says_why_and_keeps_no_file(titled: Any) -> None:
    # a stored job whose filters no longer validate (the form changed between request and build)
    job = ExportJob.objects.create(kind=ExportJob.Kind.TITLES, extension="csv", params={"year": "abc"})
    assert export_jobs.build_export.call(str(job.pk)) == "failed"
    job.refresh_from_db()
    assert (job.status, job.progress, job.file.name) == ("failed", 100, "")
    client = Client()
    page = client.get(reverse("register:export_status", args=[job.pk])).content.decode()
    assert "生成下载文件失败，请稍后重新下载。" in page and "export-download" not in page
    assert client.get(reverse("register:export_download", args=[job.pk])).status_code == 404
    client.cookies["django_language"] = "en"
    page = client.get(reverse("register:export_status", args=[job.pk])).content.decode()
    assert "The download could not be built; please request it again later." in page


def test_a_job_whose_worker_died_is_shown_failed_after_the_timeout(titled: Any) -> None:
    began = timezone.now()
    with override_settings(TASKS=DB_TASKS):
        job = _job(start(Client(), reverse("register:export_csv")))
    url = reverse("register:export_status", args=[job.pk])
    limit = export_jobs.EXPORT_JOB_TIMEOUT
    with time_machine.travel(began + limit - timedelta(seconds=1)):
        assert 'data-status="queued"' in Client().get(url).content.decode()
    with time_machine.travel(began + limit + timedelta(seconds=1)):
        page = Client().get(url).content.decode()
    assert 'data-status="failed"' in page and "生成下载文件的进程意外终止，请重新下载。" in page
    # a worker reaching it late does not build it any more
    assert export_jobs.build_export.call(str(job.pk)) == "failed"


def test_old_downloads_are_removed_with_their_files(titled: Any) -> None:
    began = timezone.now()
    old = _job(start(Client(), reverse("register:export_csv")))
    assert default_storage.exists(old.file.name)
    with time_machine.travel(began + export_jobs.EXPORT_KEEP - timedelta(minutes=1)):
        _job(start(Client(), reverse("register:export_csv")))
    assert ExportJob.objects.filter(pk=old.pk).exists()
    with time_machine.travel(began + export_jobs.EXPORT_KEEP + timedelta(minutes=1)):
        new = _job(start(Client(), reverse("register:export_csv")))
    assert not ExportJob.objects.filter(pk=old.pk).exists() and not default_storage.exists(old.file.name)
    assert default_storage.exists(new.file.name)


def test_status_page_parts_and_unknown_jobs(titled: Any) -> None:
    client = Client()
    job = _job(start(client, reverse("register:quality_csv")))
    partial = client.get(reverse("register:export_status", args=[job.pk]), HTTP_HX_REQUEST="true")
    assert partial.content.decode().lstrip().startswith('<div id="progress"')
    unknown = "00000000-0000-4000-8000-000000000000"
    assert client.get(reverse("register:export_status", args=[unknown])).status_code == 404
    assert client.get(reverse("register:export_download", args=[unknown])).status_code == 404
    assert client.post(reverse("register:export_status", args=[job.pk])).status_code == 405


def test_the_same_file_as_the_helper_fetches(titled: Any) -> None:
    raw = b"".join(exported(Client(), reverse("register:export_csv"), {"q": "导出测试乙"}).streaming_content)
    assert _names(raw) == {"导出测试乙公司"}


# --- a download starts on POST only (issue 16): a crawler or a prefetch following a link builds nothing --


@pytest.mark.parametrize("name", EXPORT_URL_NAMES)
def test_a_get_of_a_download_url_creates_no_job(titled: Any, name: str) -> None:
    client = Client()
    url = reverse(name)
    with override_settings(TASKS=DB_TASKS):
        page = client.get(url, {"page": "2", "state": "all"} if "notices" in name else {"page": "2"})
        head = client.head(url)
    assert (page.status_code, head.status_code) == (200, 200)
    assert (ExportJob.objects.count(), DBTaskResult.objects.count()) == (0, 0)
    text = page.content.decode()
    # the confirmation: a form posting back to the same URL with CSRF and a fresh idempotency key;
    # the page number is not a filter and is not carried
    assert '<form method="post" id="export-start">' in text
    assert 'name="csrfmiddlewaretoken"' in text and 'name="idempotency_key"' in text
    assert 'name="page"' not in text
    assert ("notices" in name) == ('<input type="hidden" name="state" value="all">' in text)


def test_the_confirmation_form_starts_one_job_however_often_it_is_sent(titled: Any) -> None:
    client = Client(enforce_csrf_checks=True)
    url = reverse("register:export_csv")
    text = client.get(url, {"q": "导出测试", "page": "3"}).content.decode()
    form = text.split('<form method="post" id="export-start">', 1)[1].split("</form>", 1)[0]
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', form))
    assert set(fields) == {"csrfmiddlewaretoken", "idempotency_key", "q"} and fields["q"] == "导出测试"
    with override_settings(TASKS=DB_TASKS):
        assert client.post(url, {"q": "导出测试"}).status_code == 403  # no CSRF token: refused
        assert ExportJob.objects.count() == 0
        with TestCase.captureOnCommitCallbacks(execute=True):
            first = client.post(url, fields)
        with TestCase.captureOnCommitCallbacks(execute=True):
            again = client.post(url, fields)  # a double click, a browser's resend
    assert first.status_code == again.status_code == 302 and again["Location"] == first["Location"]
    assert again["Idempotent-Replayed"] == "true"
    job = ExportJob.objects.get()
    assert (job.params, DBTaskResult.objects.count()) == ({"q": "导出测试"}, 1)
    # a bad filter is refused whether shown or posted, and nothing is started
    assert client.get(url, {"year": "abc"}).status_code == 400
    assert Client().post(url, {"year": "abc"}).status_code == 400
    assert ExportJob.objects.count() == 1


def test_the_list_pages_offer_forms_not_links(titled: Any) -> None:
    client = Client()
    text = client.get(reverse("register:titles"), {"q": "导出测试", "page": "1"}).content.decode()
    for name in ("export_csv", "export_xlsx"):
        assert (
            f'<form method="post" action="{reverse("register:" + name)}" class="inline export-form">' in text
        )
        assert f'href="{reverse("register:" + name)}' not in text
    assert '<input type="hidden" name="q" value="导出测试">' in text and 'name="page" value' not in text
    assert ExportJob.objects.count() == 0


# --- the stale-claim rule: a job held by a dead worker is re-run once, or failed, never lost or run twice --


def test_a_claim_whose_lease_ran_out_is_run_again_once_then_failed(titled: Any) -> None:
    lease = export_jobs.lease()
    began = timezone.now()
    with time_machine.travel(began, tick=False), override_settings(TASKS=DB_TASKS):
        job = _job(start(Client(), reverse("register:export_csv"), {"q": "导出测试"}))
        dead = export_jobs.claim(job.pk)  # worker A takes it… and is killed before its next progress write
        assert dead is not None and export_jobs.claim(job.pk) is None  # a live claim is nobody else's
    tasks = DBTaskResult.objects.filter(task_path=export_jobs.build_export.module_path)
    assert tasks.count() == 1
    with time_machine.travel(began + lease - timedelta(seconds=1), tick=False):
        assert export_jobs.reclaim_stale() == (0, 0)  # one second before the lease ends: still A's
        assert export_jobs.claim(job.pk) is None
    with (
        time_machine.travel(began + lease + timedelta(seconds=1), tick=False),
        override_settings(TASKS=DB_TASKS),
        TestCase.captureOnCommitCallbacks(execute=True),
    ):
        assert export_jobs.reclaim_stale() == (1, 0)  # queued again for any worker…
        assert export_jobs.reclaim_stale() == (0, 0)  # …once, however many sweeps run
    job.refresh_from_db()
    assert (job.status, job.attempts, job.claim, tasks.count()) == ("queued", 1, "", 2)
    with pytest.raises(export_jobs.LeaseLost):  # A's run, were it only slow, can no longer write
        export_jobs.renew(job.pk, dead, rows=1000)
    # worker B runs the re-queued task: the file is built once, on the second attempt
    assert export_jobs.build_export.call(str(job.pk)) == "done"
    job.refresh_from_db()
    assert (job.status, job.attempts, job.rows) == ("done", 2, 3)
    assert (
        export_jobs.build_export.call(str(job.pk)) == "done" and job.attempts == 2
    )  # delivered again: nothing

    # a job whose second run dies too is failed with the reason, not run a third time
    again = ExportJob.objects.create(kind=ExportJob.Kind.QUALITY, extension="csv", attempts=1)
    now = timezone.now()
    with time_machine.travel(now, tick=False):
        assert export_jobs.claim(again.pk) is not None
    with time_machine.travel(now + lease + timedelta(seconds=1), tick=False):
        assert export_jobs.reclaim_stale() == (0, 1)
        assert export_jobs.claim(again.pk) is None
    again.refresh_from_db()
    assert (again.status, again.attempts, again.progress) == ("failed", 2, 100)
    page = Client().get(reverse("register:export_status", args=[again.pk])).content.decode()
    assert 'data-status="failed"' in page and "生成下载文件的进程两次意外终止" in page


def test_a_run_that_lost_its_claim_keeps_no_file(titled: Any, monkeypatch: Any) -> None:
    """A slow run whose claim was taken over stops at its next progress write and discards its work."""
    monkeypatch.setattr(export_jobs, "PROGRESS_EVERY", 1)
    with override_settings(TASKS=DB_TASKS):
        job = _job(start(Client(), reverse("register:export_csv"), {"q": "导出测试"}))
    original = export_jobs._counted

    def overtaken(job: ExportJob, token: str, rows: Any, total: int) -> Any:
        # the sweep re-queued it meanwhile (its lease had run out while the run was stalled)
        ExportJob.objects.filter(pk=job.pk).update(status="queued", claim="")
        yield from original(job, token, rows, total)

    monkeypatch.setattr(export_jobs, "_counted", overtaken)
    assert export_jobs.build_export.call(str(job.pk)) == "taken over"
    job.refresh_from_db()
    assert (job.status, job.file.name, job.attempts) == ("queued", "", 1)


def test_the_sweep_keeps_itself_scheduled(titled: Any) -> None:
    with override_settings(TASKS=DB_TASKS):
        assert export_jobs.schedule_sweep() and export_jobs.schedule_sweep()
        waiting = DBTaskResult.objects.filter(task_path=export_jobs.sweep_exports.module_path, status="READY")
        assert waiting.count() == 1
        waiting.update(status="RUNNING")
        assert export_jobs.sweep_exports.call() == "0 queued again, 0 failed"
        assert waiting.count() == 1


def test_the_confirmation_in_english(titled: Any) -> None:
    client = Client()
    client.cookies["django_language"] = "en"
    text = client.get(reverse("register:quality_xlsx"), {"severity": ""}).content.decode()
    assert "The file is built in the background" in text and "Build the download</button>" in text
    assert "Filters: " in text
