"""Public downloads built in the background (issue 16: requests never hold a web worker for seconds).

The download views validate the filters and call :func:`start_export`, which records an
:class:`ExportJob` and queues :func:`build_export`; the request answers at once with a redirect to the
job's status page, which shows the progress and then the download link. The task re-applies the stored
filters, writes the file through exports.csv_lines / exports.write_xlsx (so every cell stays safe,
EXP-01) and saves it to the default storage, shared by every web process and worker
(GREENMFG_MEDIA_ROOT). Finished files are deleted after EXPORT_KEEP; a job whose worker died is shown
failed after EXPORT_JOB_TIMEOUT and can simply be requested again.
"""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import IO, Any

from django.core.files import File
from django.core.files.storage import default_storage
from django.db.models import QuerySet
from django.utils import timezone
from django_tasks import task

from greenmfg.publication import selectors as publication

from . import exports, selectors
from .forms import SearchForm
from .models import ExportJob

logger = logging.getLogger(__name__)

EXPORT_JOB_TIMEOUT = timedelta(minutes=15)
EXPORT_KEEP = timedelta(hours=24)
# the job's progress is written every this many rows (one UPDATE each)
PROGRESS_EVERY = 1000

_FAILED = (
    "生成下载文件失败，请稍后重新下载。",
    "the download could not be built; please request it again later",
)
_STALE = (
    "生成下载文件的进程意外终止，请重新下载。",
    "the process building the download stopped unexpectedly; please request it again",
)


@dataclass(frozen=True)
class _Spec:
    rows: Callable[[Iterable[Any]], Iterator[list[Any]]]
    title: str
    ascii_name: str
    sheet: str


_SPECS: dict[str, _Spec] = {
    ExportJob.Kind.TITLES: _Spec(exports.export_rows, "绿色制造名单", "register", "绿色制造名单"),
    ExportJob.Kind.ANNOUNCEMENTS: _Spec(
        exports.announcement_rows, "绿色制造称号公告", "announcements", "公告称号"
    ),
    ExportJob.Kind.NOTICES: _Spec(exports.notice_rows, "绿色制造公示名单", "notices", "公示名单"),
    ExportJob.Kind.QUALITY: _Spec(
        exports.issue_rows, "国家级名单数据质量报告", "data-quality", "数据质量报告"
    ),
}


def _queryset(job: ExportJob) -> QuerySet[Any]:
    """The rows of the job's list under the filters the view validated (stored in job.params)."""
    p = job.params
    if job.kind == ExportJob.Kind.TITLES:
        form = SearchForm(p)
        if not form.is_valid():  # validated by the view; a stored job is never edited
            raise ValueError("invalid stored filters")
        return selectors.search_titles(**form.filters()).select_related("province")
    if job.kind == ExportJob.Kind.ANNOUNCEMENTS:
        chosen = publication.announcements()
        if p.get("announcement"):
            chosen = chosen.filter(pk=p["announcement"])
        return publication.announced_titles(chosen)
    if job.kind == ExportJob.Kind.NOTICES:
        notices = publication.notices(date.fromisoformat(p["today"]), p["state"])
        if p.get("notice"):
            notices = notices.filter(pk=p["notice"])
        return publication.public_entries(notices)
    return publication.import_issues(p.get("source_file", ""), p.get("severity", ""))


def download_name(job: ExportJob, title: str) -> str:
    """绿色制造名单-20261207.csv; with 前50000条 when the list was longer than the cap."""
    stem = f"{title}-{timezone.localdate(job.created_at):%Y%m%d}"
    if job.truncated:
        stem += f"-前{exports.EXPORT_CAP}条"
    return f"{stem}.{job.extension}"


def purge_old_exports(now: Any = None) -> int:
    """Delete finished downloads (and their files) older than EXPORT_KEEP; the number deleted."""
    cutoff = (now or timezone.now()) - EXPORT_KEEP
    old = list(ExportJob.objects.filter(created_at__lt=cutoff))
    for job in old:
        if job.file and job.file.name:
            default_storage.delete(job.file.name)
    ExportJob.objects.filter(pk__in=[job.pk for job in old]).delete()
    return len(old)


def start_export(kind: str, extension: str, params: dict[str, Any], title: str = "") -> ExportJob:
    """Record a download of `kind` under the validated `params` and queue its building.

    `title` overrides the list's file name (one announcement is named by its number)."""
    purge_old_exports()
    spec = _SPECS[kind]
    job = ExportJob.objects.create(
        kind=kind,
        extension=extension,
        params=params,
        ascii_name=spec.ascii_name,
        file_name=title or spec.title,  # the final name (date, cap) is set when the file is built
    )
    result = build_export.enqueue(str(job.pk))
    ExportJob.objects.filter(pk=job.pk).update(task_id=str(result.id)[:64])
    job.refresh_from_db()
    return job


def expire_stale(job: ExportJob, now: Any = None) -> ExportJob:
    """Mark failed a job left queued or running past EXPORT_JOB_TIMEOUT (its worker died)."""
    open_states = (ExportJob.Status.QUEUED, ExportJob.Status.RUNNING)
    if job.status in open_states and (now or timezone.now()) - job.created_at > EXPORT_JOB_TIMEOUT:
        ExportJob.objects.filter(pk=job.pk, status__in=open_states).update(
            status=ExportJob.Status.FAILED, message=_STALE[0], finished_at=timezone.now()
        )
        job.refresh_from_db()
    return job


def _counted(job: ExportJob, rows: Iterator[Any], total: int) -> Iterator[Any]:
    """`rows` unchanged, writing the job's progress (5..95 %) every PROGRESS_EVERY rows."""
    done = 0
    for row in rows:
        yield row
        done += 1
        if done % PROGRESS_EVERY == 0:
            progress = 5 + (90 * done) // max(total, 1)
            ExportJob.objects.filter(pk=job.pk).update(rows=done, progress=min(progress, 95))
    job.rows = done


def _write(job: ExportJob, spec: _Spec, rows: Iterator[list[Any]]) -> IO[bytes]:
    if job.extension == "xlsx":
        return exports.write_xlsx(rows, sheet_title=spec.sheet)
    handle = tempfile.TemporaryFile()  # noqa: SIM115 (closed by the caller)
    for line in exports.csv_lines(rows):
        handle.write(line.encode("utf-8"))
    handle.seek(0)
    return handle


@task()
def build_export(job_id: str) -> str:
    """Build the job's file. Whatever goes wrong, the job ends failed with the reason, and no partial
    file is kept. A job already started (a task delivered twice) is left alone: the conditional
    update lets exactly one run claim it."""
    claimed = ExportJob.objects.filter(pk=job_id, status=ExportJob.Status.QUEUED).update(
        status=ExportJob.Status.RUNNING, progress=5
    )
    job = ExportJob.objects.get(pk=job_id)
    if not claimed:
        return job.status
    spec = _SPECS[job.kind]
    try:
        qs = _queryset(job)
        cap = exports.EXPORT_CAP
        job.truncated = qs[cap : cap + 1].exists()
        total = qs[:cap].count()
        entries = qs[:cap].iterator(chunk_size=2000)
        handle = _write(job, spec, spec.rows(_counted(job, entries, total)))
        with handle:
            job.file_name = download_name(job, job.file_name)
            job.file.save(f"{job.pk}.{job.extension}", File(handle), save=False)
    except Exception:
        logger.exception("export %s failed", job_id)
        job.status, job.message = ExportJob.Status.FAILED, _FAILED[0]
    else:
        job.status, job.message = ExportJob.Status.DONE, f"共 {job.rows} 行。"
    job.progress, job.finished_at = 100, timezone.now()
    job.save(
        update_fields=[
            "status",
            "message",
            "progress",
            "rows",
            "truncated",
            "file",
            "file_name",
            "finished_at",
        ]
    )
    return job.status
