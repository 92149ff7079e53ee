"""Public downloads built in the background (issue 16: requests never hold a web worker for seconds).

The download views validate the filters and call :func:`start_export`, which records an
:class:`ExportJob` and queues :func:`build_export`; the request answers at once with a redirect to the
job's status page, which shows the progress and then the download link. The task re-applies the stored
filters, writes the file through exports.csv_lines / exports.write_xlsx (so every cell stays safe,
EXP-01) and saves it to the default storage, shared by every web process and worker
(GREENMFG_MEDIA_ROOT). Finished files are deleted after EXPORT_KEEP.

A worker can die mid-build (kill -9, a machine lost). The run that builds a job holds a claim: a token
and a lease (EXPORT_LEASE_SECONDS) that it renews with every progress write; only the holder of the
current token may finish the job. The periodic :func:`sweep_exports` (every EXPORT_SWEEP_SECONDS, in
the worker, on either task backend) finds claims whose lease ran out: such a job is queued again, once,
for any worker to re-run (MAX_ATTEMPTS runs in all), or, when its runs are spent, marked failed with the
reason. So a job is never lost and never finished twice: a run that lost its claim (it was only slow,
and a re-run took over) stops at its next progress write and discards its file.
"""

from __future__ import annotations

import functools
import logging
import tempfile
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import IO, Any

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django_tasks import task

from greenmfg.core.periodic import keep_scheduled
from greenmfg.publication import selectors as publication

from . import exports, selectors
from .forms import SearchForm
from .models import ExportJob

logger = logging.getLogger(__name__)

EXPORT_JOB_TIMEOUT = timedelta(minutes=15)
EXPORT_KEEP = timedelta(hours=24)
# runs of one job in all: the first, and one re-run after a worker died holding it
MAX_ATTEMPTS = 2
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
_GAVE_UP = (
    "生成下载文件的进程两次意外终止，已停止重试，请稍后重新下载。",
    "the process building the download stopped unexpectedly twice; it is not retried again, please "
    "request it again later",
)


class LeaseLost(Exception):
    """The run no longer holds the job's claim: another run took it over after the lease ran out."""


def lease() -> timedelta:
    return timedelta(seconds=float(getattr(settings, "EXPORT_LEASE_SECONDS", 120)))


def sweep_interval() -> timedelta:
    return timedelta(seconds=float(getattr(settings, "EXPORT_SWEEP_SECONDS", 60)))


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
        # a job whose task never starts (lost before any worker took it) is queued again by the sweep
        lease_until=timezone.now() + lease(),
    )
    # queued once the job is committed: a worker on another machine must find it
    transaction.on_commit(lambda: _enqueue(job.pk))
    return job


def _enqueue(job_id: Any) -> None:
    result = build_export.enqueue(str(job_id))
    ExportJob.objects.filter(pk=job_id).update(task_id=str(result.id)[:64])


def claim(job_id: Any, now: Any = None) -> str | None:
    """Take the job for one run: a queued job, or a running one whose claim's lease ran out, while it
    has runs left. The token to finish it with, or None when the job is not this run's to build (done,
    failed, or held by a live run: a task delivered twice does nothing)."""
    now = now or timezone.now()
    token = uuid.uuid4().hex
    taken = ExportJob.objects.filter(
        Q(status=ExportJob.Status.QUEUED) | Q(status=ExportJob.Status.RUNNING, lease_until__lt=now),
        pk=job_id,
        attempts__lt=MAX_ATTEMPTS,
    ).update(
        status=ExportJob.Status.RUNNING,
        claim=token,
        attempts=F("attempts") + 1,
        lease_until=now + lease(),
        progress=5,
    )
    return token if taken else None


def renew(job_id: Any, token: str, **progress: Any) -> None:
    """Write the run's progress and extend its lease; LeaseLost when its claim was taken over."""
    held = ExportJob.objects.filter(pk=job_id, claim=token, status=ExportJob.Status.RUNNING).update(
        lease_until=timezone.now() + lease(), **progress
    )
    if not held:
        raise LeaseLost(str(job_id))


def reclaim_stale(now: Any = None) -> tuple[int, int]:
    """The stale-claim rule: a job whose lease ran out (its worker died, or its task was lost before a
    worker took it) is queued again once for any worker — (re-queued, failed) — or, with its runs spent,
    marked failed saying why. Each job's change is a conditional update, so two sweeps at once re-queue
    it once."""
    now = now or timezone.now()
    open_states = (ExportJob.Status.QUEUED, ExportJob.Status.RUNNING)
    stale = ExportJob.objects.filter(status__in=open_states, lease_until__lt=now)
    failed = stale.filter(attempts__gte=MAX_ATTEMPTS).update(
        status=ExportJob.Status.FAILED, message=_GAVE_UP[0], claim="", progress=100, finished_at=now
    )
    requeued = 0
    for job_id, status in stale.filter(attempts__lt=MAX_ATTEMPTS).values_list("pk", "status"):
        # the claim is cleared, so a dead run's zombie could never finish it; the new lease is the time
        # the re-queued task has to start before it is queued again
        moved = ExportJob.objects.filter(pk=job_id, status=status, lease_until__lt=now).update(
            status=ExportJob.Status.QUEUED, claim="", lease_until=now + lease()
        )
        if moved:
            requeued += 1
            transaction.on_commit(functools.partial(_enqueue, job_id))
    if requeued or failed:
        logger.warning(
            "exports: %s stale job(s) queued again, %s failed after %s runs", requeued, failed, MAX_ATTEMPTS
        )
    return requeued, failed


def schedule_sweep() -> bool:
    """Make sure the periodic sweep of stale export claims is queued (serve calls it at start)."""
    return keep_scheduled(sweep_exports, sweep_interval())


@task()
def sweep_exports() -> str:
    schedule_sweep()
    purge_old_exports()
    requeued, failed = reclaim_stale()
    return f"{requeued} queued again, {failed} failed"


def expire_stale(job: ExportJob, now: Any = None) -> ExportJob:
    """Mark failed a job left queued or running past EXPORT_JOB_TIMEOUT (a backstop for an installation
    whose worker never runs the sweep)."""
    open_states = (ExportJob.Status.QUEUED, ExportJob.Status.RUNNING)
    if job.status in open_states and (now or timezone.now()) - job.created_at > EXPORT_JOB_TIMEOUT:
        ExportJob.objects.filter(pk=job.pk, status__in=open_states).update(
            status=ExportJob.Status.FAILED, message=_STALE[0], finished_at=timezone.now()
        )
        job.refresh_from_db()
    return job


def _counted(job: ExportJob, token: str, rows: Iterator[Any], total: int) -> Iterator[Any]:
    """`rows` unchanged, writing the job's progress (5..95 %) and renewing its lease every PROGRESS_EVERY
    rows."""
    done = 0
    for row in rows:
        yield row
        done += 1
        if done % PROGRESS_EVERY == 0:
            progress = 5 + (90 * done) // max(total, 1)
            renew(job.pk, token, rows=done, progress=min(progress, 95))
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
    file is kept. Only the run holding the job's claim builds it (a task delivered twice does nothing)
    and only while it holds it may it finish it."""
    token = claim(job_id)
    job = ExportJob.objects.filter(pk=job_id).first()
    if job is None:
        return "gone"
    if token is None:
        return job.status
    delay = float(getattr(settings, "EXPORT_TEST_DELAY", 0.0))
    if delay:
        time.sleep(delay)  # tests only (never in production mode): a worker can be killed mid-build
    spec = _SPECS[job.kind]
    try:
        qs = _queryset(job)
        cap = exports.EXPORT_CAP
        job.truncated = qs[cap : cap + 1].exists()
        total = qs[:cap].count()
        entries = qs[:cap].iterator(chunk_size=2000)
        handle = _write(job, spec, spec.rows(_counted(job, token, entries, total)))
        with handle:
            job.file_name = download_name(job, job.file_name)
            job.file.save(f"{job.pk}.{job.extension}", File(handle), save=False)
    except LeaseLost:
        logger.warning("export %s: claim taken over by a re-run; this run stops", job_id)
        return "taken over"
    except Exception:
        logger.exception("export %s failed", job_id)
        job.status, job.message = ExportJob.Status.FAILED, _FAILED[0]
    else:
        job.status, job.message = ExportJob.Status.DONE, f"共 {job.rows} 行。"
    finished = ExportJob.objects.filter(pk=job.pk, claim=token, status=ExportJob.Status.RUNNING).update(
        status=job.status,
        message=job.message,
        progress=100,
        rows=job.rows,
        truncated=job.truncated,
        file=job.file.name or "",
        file_name=job.file_name,
        finished_at=timezone.now(),
    )
    if not finished:  # taken over while writing the file: the re-run's file is the one kept
        if job.file and job.file.name:
            default_storage.delete(job.file.name)
        return "taken over"
    return job.status
