"""Run the platform: migrate, load the reference data (and, in demo mode, the demo world), collect static
files, then start the web server (granian, WSGI) and the background worker side by side until
interrupted.

One process dying never takes the others down: a child that exits is restarted after a back-off (1 s,
doubling to 60 s, back to 1 s once it has run for a minute), the others keep running, and the log says
so. When the worker dies, the imports it had claimed are marked failed (a job never stays "running").

In production mode (GREENMFG_ENV=production) the demo world is never created and `check --deploy`
must pass first: the public demo key, DEBUG or the demo's accounts stop the start (greenmfg.E001–E003).
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import close_old_connections

from greenmfg.applications.services import fail_stale_imports
from greenmfg.reports.issued import fail_stale_documents
from greenmfg.reports.notices import queue_missing

SWEEP_EVERY = 300.0  # seconds between sweeps of jobs past their timeout

FIRST_BACKOFF = 1.0
MAX_BACKOFF = 60.0
STABLE_AFTER = 60.0  # a child that ran this long restarts quickly again


@dataclass
class Child:
    name: str
    argv: list[str]
    env: dict[str, str]
    worker_id: str = ""
    process: subprocess.Popen[bytes] | None = None
    started_at: float = 0.0
    backoff: float = FIRST_BACKOFF
    restart_at: float | None = None
    restarts: int = 0


def _signal_group(child: Child, sig: int) -> None:
    if child.process is None:
        return
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(child.process.pid, sig)


class Command(BaseCommand):
    help = "Start greenmfg (web server + task worker); the demo world too unless in production mode."

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", default="8000")
        parser.add_argument("--workers", default="2")
        parser.add_argument("--no-demo", action="store_true")
        parser.add_argument("--no-worker", action="store_true")

    def log(self, message: str) -> None:
        self.stdout.write(f"greenmfg serve: {message}")
        self.stdout.flush()

    def handle(self, *args: object, **options: Any) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        if settings.PRODUCTION:
            # the checks that need the database (demo accounts) run once it is migrated
            call_command("check", deploy=True, fail_level="ERROR")
        call_command("load_reference")
        if not options["no_demo"] and not settings.PRODUCTION:
            call_command("seed_demo")
            self.log(
                "演示模式：演示账号的密码已公开，切勿对外提供服务 / DEMO MODE: the demo logins' password is "
                "published; never expose this to a network (GREENMFG_ENV=production for real use)"
            )
        call_command("collectstatic", interactive=False, verbosity=0)
        if not options["no_worker"]:
            call_command("audit_checkpoint", "--schedule")  # the worker then signs one every N minutes
            call_command("send_notifications", "--schedule")  # and sends due reminders, retries e-mails
            call_command("sweep_exports", "--schedule")  # and re-runs downloads a dead worker held
        self._sweep("", "at start")
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "greenmfg.settings"}
        children: list[Child] = []
        if not options["no_worker"]:
            # the worker of the configured queue (README, "More than one machine"); RQ's scheduler runs
            # the periodic tasks (audit checkpoint, notifications, export sweep) when they are due
            worker = (
                ["rqworker", "default", "--with-scheduler", "--job-class", "django_tasks_rq.backend.Job"]
                if getattr(settings, "GREENMFG_TASKS", "database") == "redis"
                else ["db_worker"]
            )
            children.append(Child("worker", [sys.executable, "manage.py", *worker], env))
        children.append(
            Child(
                "web server",
                [
                    sys.executable,
                    "-m",
                    "granian",
                    "--interface",
                    "wsgi",
                    "--host",
                    str(options["host"]),
                    "--port",
                    str(options["port"]),
                    "--workers",
                    str(options["workers"]),
                    "--no-ws",
                    "greenmfg.wsgi:application",
                ],
                env,
            )
        )
        for child in children:
            self._start(child)
        self.log(
            f"http://{options['host']}:{options['port']}/  (database: "
            f"{settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]}; Ctrl-C stops)"
        )
        stopping = False

        def stop(*_: object) -> None:
            nonlocal stopping
            stopping = True
            for child in children:
                _signal_group(child, signal.SIGTERM)
            for child in children:
                if child.process is None:
                    continue
                try:
                    child.process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    _signal_group(child, signal.SIGKILL)
                _signal_group(child, signal.SIGKILL)  # anything of its group still left
            raise SystemExit(0)

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        next_sweep = time.monotonic() + SWEEP_EVERY
        try:
            while not stopping:
                self._supervise(children)
                if time.monotonic() >= next_sweep:
                    # a job that hangs in a live worker is failed once past its timeout, too
                    self._sweep("", "past their timeout")
                    next_sweep = time.monotonic() + SWEEP_EVERY
                time.sleep(0.5)
        except KeyboardInterrupt:
            stop()

    def _start(self, child: Child) -> None:
        argv = list(child.argv)
        if child.name == "worker":
            # a worker id of our own, so the jobs it claimed can be found if it dies
            child.worker_id = f"serve-{socket.gethostname()}-{os.getpid()}-{child.restarts}"[:64]
            # (rqworker calls it the worker's name)
            argv += ["--name" if "rqworker" in argv else "--worker-id", child.worker_id]
        # its own process group: when it dies, what it spawned (granian's workers) goes with it
        child.process = subprocess.Popen(argv, env=child.env, start_new_session=True)
        child.started_at = time.monotonic()
        child.restart_at = None
        verb = "restarted" if child.restarts else "started"
        worker = f", worker id {child.worker_id}" if child.worker_id else ""
        self.log(f"{verb} {child.name} (pid {child.process.pid}{worker})")

    def _supervise(self, children: list[Child]) -> None:
        now = time.monotonic()
        for child in children:
            if child.restart_at is not None:
                if now >= child.restart_at:
                    child.restarts += 1
                    self._start(child)
                continue
            if child.process is None or child.process.poll() is None:
                continue
            code = child.process.returncode
            _signal_group(child, signal.SIGKILL)  # its orphans (a dead granian's workers) go too
            if now - child.started_at >= STABLE_AFTER:
                child.backoff = FIRST_BACKOFF
            self.log(
                f"{child.name} (pid {child.process.pid}) exited with code {code}; the others keep running; "
                f"restarting it in {child.backoff:.0f} s"
            )
            if child.name == "worker":
                self._sweep(child.worker_id, f"left by worker {child.worker_id}")
            child.restart_at = now + child.backoff
            child.backoff = min(child.backoff * 2, MAX_BACKOFF)

    def _sweep(self, dead_worker: str, why: str) -> None:
        try:
            close_old_connections()
            ended = fail_stale_imports(dead_worker=dead_worker)
            documents = fail_stale_documents(dead_worker=dead_worker)
            # the 公示 and 公告 PDFs whose task a dead worker lost are queued again (never made by a request)
            public = queue_missing()
        except Exception as error:  # the sweep must never stop the supervisor
            self.log(f"stale-job sweep failed: {type(error).__name__}: {error}")
            return
        if ended:
            self.log(f"marked {ended} import job(s) {why} as failed")
        if documents:
            self.log(f"marked {documents} document job(s) {why} as failed")
        if public:
            self.log(f"queued {public} public notice / announcement PDF(s) not yet made")
