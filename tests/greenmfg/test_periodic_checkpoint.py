"""The signed Merkle checkpoint of the audit log is made periodically by the task worker, with no cron
(issue 16), on both task backends: the database queue (what `manage.py db_worker` runs) and Redis
(GREENMFG_TASKS=redis: what `rqworker --with-scheduler` runs). The clock is driven with time-machine: the
run queued for t0 + 10 min does not run one second before, runs at t0 + 10 min, signs the events
appended since, and has queued its successor for t0 + 20 min."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.test import TestCase, override_settings
from django.utils import timezone
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult
from django_tasks_rq.backend import Job
from rq import SimpleWorker
from rq.scheduler import RQScheduler
from test_audit_log import USERS, log, own_checkpoint_file  # noqa: F401 (fixtures)
from test_tasks_redis import RQ_QUEUES, RQ_TASKS, rq_backend  # noqa: F401 (fixture)

from greenmfg.audit.models import Checkpoint, Event
from greenmfg.audit.services import record
from greenmfg.audit.tasks import checkpoint_task, interval, schedule_checkpoints
from greenmfg.core import periodic

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


def _append(world: Any, count: int) -> None:
    user = world.users[USERS[0]]
    for i in range(count):
        record("test.periodic", actor=user, object_type="test", object_id=str(i), detail={"i": i})


def run_database_worker() -> list[str]:
    """What `manage.py db_worker --batch` does, in this process and transaction (the command itself
    closes the test's connection): take each task that is due, run it, record its result."""
    worker = Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test-worker",
        excluded_queue_names=[],
    )
    ran = []
    while (due := DBTaskResult.objects.ready().filter(backend_name="default").get_locked()) is not None:
        due.claim(worker.worker_id)
        worker.run_task(due)
        due.refresh_from_db()
        assert due.status == "SUCCESSFUL", due.traceback
        ran.append(f"{due.task_path.rsplit('.', 1)[-1]}: {due.status}")
    return ran


def run_rq_worker(queue: Any) -> list[str]:
    """What `rqworker default --with-scheduler` does, in this process: its scheduler moves the due
    scheduled jobs to the queue, then the worker runs what is queued."""
    scheduler = RQScheduler([queue], connection=queue.connection)
    scheduler.acquire_locks()
    try:
        scheduler.enqueue_scheduled_jobs()
    finally:
        scheduler.release_locks()
    before = set(queue.finished_job_registry.get_job_ids())
    SimpleWorker([queue], connection=queue.connection, job_class=Job).work(burst=True)
    done = set(queue.finished_job_registry.get_job_ids()) - before
    return [f"{Job.fetch(i, connection=queue.connection).func_name.rsplit('.', 1)[-1]}: done" for i in done]


def _drive(world: Any, run_worker: Callable[[], list[str]], waiting: Callable[[], int]) -> None:
    """The clock walk shared by both backends (the `log` fixture: 13 events, a checkpoint over 10)."""
    every = interval()
    assert every == timedelta(minutes=10)
    t0 = timezone.now()
    with time_machine.travel(t0, tick=False):
        assert schedule_checkpoints() and schedule_checkpoints()  # serve's start, twice: one queued
        assert waiting() == 1
    with time_machine.travel(t0 + every - timedelta(seconds=1), tick=False):
        assert run_worker() == []  # not due yet
        assert Checkpoint.objects.order_by("-tree_size").first().tree_size == 10
    with time_machine.travel(t0 + every, tick=False):
        assert [run.split(":")[0] for run in run_worker()] == ["checkpoint_task"]
        assert Checkpoint.objects.order_by("-tree_size").first().tree_size == 13
        assert waiting() == 1  # its successor, queued before it signed
    _append(world, 4)
    with time_machine.travel(t0 + 2 * every - timedelta(seconds=1), tick=False):
        assert run_worker() == []
        assert Checkpoint.objects.order_by("-tree_size").first().tree_size == 13
    with time_machine.travel(t0 + 2 * every, tick=False):
        assert [run.split(":")[0] for run in run_worker()] == ["checkpoint_task"]
        latest = Checkpoint.objects.order_by("-tree_size").first()
        assert (latest.tree_size, Event.objects.count()) == (17, 17)
        assert latest.created_at == t0 + 2 * every
        assert waiting() == 1
    assert Checkpoint.objects.count() == 3  # the fixture's, and one per period with new events


def test_the_database_worker_signs_a_checkpoint_every_ten_minutes(
    world: Any,
    log: Any,  # noqa: F811 (the fixture)
) -> None:
    with override_settings(TASKS=DB_TASKS):
        queued = DBTaskResult.objects.filter(task_path=checkpoint_task.module_path, status="READY")

        def waiting() -> int:
            return queued.filter(run_after__gt=timezone.now()).count()

        _drive(world, run_database_worker, waiting)
        runs = DBTaskResult.objects.filter(task_path=checkpoint_task.module_path, status="SUCCESSFUL")
        assert runs.count() == 2


def test_the_redis_worker_signs_a_checkpoint_every_ten_minutes(
    world: Any,
    log: Any,  # noqa: F811 (the fixture)
    rq_backend: Any,  # noqa: F811 (the fixture)
) -> None:
    registry = rq_backend.scheduled_job_registry

    def waiting() -> int:
        return sum(
            1
            for job_id in registry.get_job_ids()
            if Job.fetch(job_id, connection=rq_backend.connection).func_name == checkpoint_task.module_path
        )

    # the worker runs in this process, so it sees the test's uncommitted events
    with TestCase.captureOnCommitCallbacks(execute=True):
        _drive(world, lambda: run_rq_worker(rq_backend), waiting)
    assert periodic.waiting(checkpoint_task) is True


def test_a_backend_that_cannot_defer_is_told_to_use_cron(
    world: Any, caplog: pytest.LogCaptureFixture
) -> None:
    # the immediate backend the tests use runs a task at once: it cannot hold one for later
    assert periodic.waiting(checkpoint_task) is None
    assert schedule_checkpoints() is False
    assert "run it from cron" in caplog.text
