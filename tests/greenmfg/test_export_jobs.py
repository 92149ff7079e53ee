"""Public downloads built in the background (issue 16): the request answers at once, the task worker
builds the file with its progress, the status page then links it; a failed or abandoned job says so,
a task delivered twice builds nothing twice, and old files are removed."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from typing import Any

import pytest
import time_machine
from django.core.files.storage import default_storage
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from export_helpers import exported

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
        job = _job(client.get(reverse("register:export_csv"), {"q": "导出测试"}))
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

    def watched(job: ExportJob, rows: Any, total: int) -> Any:
        for row in original(job, rows, total):
            yield row
            # as each row is handed to the writer: the rows written before it are counted
            seen.append(ExportJob.objects.values_list("rows", "progress").get(pk=job.pk))

    monkeypatch.setattr(export_jobs, "_counted", watched)
    job = _job(Client().get(reverse("register:export_xlsx"), {"q": "导出测试"}))
    # 5 % when claimed, then 5 + 90 * rows / 3 as rows are written
    assert seen == [(0, 5), (1, 35), (2, 65)]
    assert (job.status, job.progress, job.rows) == ("done", 100, 3)


def test_a_task_delivered_twice_builds_nothing_twice(titled: Any) -> None:
    job = _job(Client().get(reverse("register:export_csv"), {"q": "导出测试"}))
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
    start = timezone.now()
    with override_settings(TASKS=DB_TASKS):
        job = _job(Client().get(reverse("register:export_csv")))
    url = reverse("register:export_status", args=[job.pk])
    limit = export_jobs.EXPORT_JOB_TIMEOUT
    with time_machine.travel(start + limit - timedelta(seconds=1)):
        assert 'data-status="queued"' in Client().get(url).content.decode()
    with time_machine.travel(start + limit + timedelta(seconds=1)):
        page = Client().get(url).content.decode()
    assert 'data-status="failed"' in page and "生成下载文件的进程意外终止，请重新下载。" in page
    # a worker reaching it late does not build it any more
    assert export_jobs.build_export.call(str(job.pk)) == "failed"


def test_old_downloads_are_removed_with_their_files(titled: Any) -> None:
    start = timezone.now()
    old = _job(Client().get(reverse("register:export_csv")))
    assert default_storage.exists(old.file.name)
    with time_machine.travel(start + export_jobs.EXPORT_KEEP - timedelta(minutes=1)):
        _job(Client().get(reverse("register:export_csv")))
    assert ExportJob.objects.filter(pk=old.pk).exists()
    with time_machine.travel(start + export_jobs.EXPORT_KEEP + timedelta(minutes=1)):
        new = _job(Client().get(reverse("register:export_csv")))
    assert not ExportJob.objects.filter(pk=old.pk).exists() and not default_storage.exists(old.file.name)
    assert default_storage.exists(new.file.name)


def test_status_page_parts_and_unknown_jobs(titled: Any) -> None:
    client = Client()
    job = _job(client.get(reverse("register:quality_csv")))
    partial = client.get(reverse("register:export_status", args=[job.pk]), HTTP_HX_REQUEST="true")
    assert partial.content.decode().lstrip().startswith('<div id="progress"')
    unknown = "00000000-0000-4000-8000-000000000000"
    assert client.get(reverse("register:export_status", args=[unknown])).status_code == 404
    assert client.get(reverse("register:export_download", args=[unknown])).status_code == 404
    assert client.post(reverse("register:export_status", args=[job.pk])).status_code == 405


def test_the_same_file_as_the_helper_fetches(titled: Any) -> None:
    raw = b"".join(exported(Client(), reverse("register:export_csv"), {"q": "导出测试乙"}).streaming_content)
    assert _names(raw) == {"导出测试乙公司"}
