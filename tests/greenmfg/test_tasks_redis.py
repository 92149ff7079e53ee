"""The Redis task backend (GREENMFG_TASKS=redis, django-tasks-rq) with the real Redis at 127.0.0.1:6379:
a download queued by one process is built by an RQ worker, exactly once."""

from __future__ import annotations

import os
from typing import Any

import django_rq
import pytest
import redis
from django.test import Client, override_settings
from django.urls import reverse
from django_tasks_rq.backend import Job
from export_helpers import start
from rq import SimpleWorker

from greenmfg.register import export_jobs
from greenmfg.register.models import ExportJob

# a database of its own in the shared Redis, emptied before and after: nothing else's jobs are run. One per
# xdist worker (gw0 → 11, gw1 → 12, …): the tests that use it run at once on different workers, and one
# test's flushdb must not empty another's queue
_WORKER = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or 0)
REDIS_URL = f"redis://127.0.0.1:6379/{11 + _WORKER % 5}"
RQ_TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
RQ_QUEUES = {"default": {"URL": REDIS_URL, "DEFAULT_TIMEOUT": 600}}


@pytest.fixture
def rq_backend() -> Any:
    connection = redis.Redis.from_url(REDIS_URL)
    try:
        connection.ping()
    except redis.ConnectionError:
        pytest.skip("no Redis at 127.0.0.1:6379")
    connection.flushdb()
    with override_settings(TASKS=RQ_TASKS, RQ_QUEUES=RQ_QUEUES):
        yield django_rq.get_queue("default", job_class=Job)
    connection.flushdb()


def test_an_export_queued_in_redis_is_built_once_by_a_worker(world: Any, rq_backend: Any) -> None:
    client = Client()
    started = start(client, reverse("register:quality_csv"))
    assert started.status_code == 302
    job = ExportJob.objects.get()
    assert (job.status, job.file.name) == ("queued", "")
    assert rq_backend.job_ids == [job.task_id]  # waiting in Redis, not run by the request
    # an RQ worker in this process (so it sees the test's database transaction), run until the queue is empty
    SimpleWorker([rq_backend], connection=rq_backend.connection, job_class=Job).work(burst=True)
    job.refresh_from_db()
    assert (job.status, job.progress) == ("done", 100)
    rq_job = Job.fetch(job.task_id, connection=rq_backend.connection)
    assert rq_job.get_status() == "finished" and len(rq_job.results()) == 1
    assert export_jobs.build_export.get_result(job.task_id).status == "SUCCESSFUL"
    page = client.get(started.url).content.decode()
    assert 'data-status="done"' in page
