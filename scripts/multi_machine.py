"""More than one machine (issue 16): two web servers and two task workers as separate processes on one
PostgreSQL and one Redis, as several machines of a province would run them; the crash harness's
write loop against both servers, public downloads started through both (the download form's POST,
with its CSRF token and idempotency key), and, mid-run, kill -9 of one web server and of one worker
while that worker is building a download. Then: nothing lost, no task run twice.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/multi uv run python scripts/multi_machine.py
    make multi-machine

Every process gets the same settings a real deployment would: GREENMFG_TASKS=redis (django-tasks-rq,
workers run `manage.py rqworker --with-scheduler`), GREENMFG_REDIS_URL (here a Redis database of the
script's own, emptied first), and GREENMFG_MEDIA_ROOT, the file storage every process shares (one
directory here; an NFS or similar mount across machines). Three settings are shortened so that a run
takes a minute, not an hour: each build waits GREENMFG_TEST_EXPORT_DELAY seconds after claiming its job
(tests only; ignored in production mode) so that the kill lands mid-build, a claim's lease is
GREENMFG_EXPORT_LEASE_SECONDS and the workers' periodic sweep of stale claims runs every
GREENMFG_EXPORT_SWEEP_SECONDS.

The worker to be killed is started second: RQ's scheduler (which runs the periodic sweep) lives in the
first worker that takes its lock, and a surviving worker takes over a dead one's scheduler only at its
next maintenance, up to ten minutes later (rq 3). The kill falls once the second worker holds a
download's claim.

Checks, after the surviving worker has finished every download:
- every registration a server acknowledged is in the database, whole (crash_harness.Harness.verify);
- every download a server acknowledged (302 to its status page) exists as a job, and every job has ended
  done with exactly one file in the shared storage, or failed saying why; the one the killed worker was
  building was run again, once, by the other worker after its lease ran out (or failed with the reason
  when that run died too);
- no task ran twice: no job has more than two runs, none has a second file, and each job's current RQ
  task has at most one result.
Exits non-zero when any check fails."""

from __future__ import annotations

import argparse
import contextlib
import http.cookiejar
import os
import random
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from crash_harness import ROOT, Harness, _free_port


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


def _descendants(pid: int) -> set[int]:
    """The processes below `pid` (Linux /proc)."""
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError, IndexError, ValueError):
            # the parent is the second field after the command, which is in parentheses
            stat = (entry / "stat").read_text()
            parent = int(stat.rsplit(")", 1)[1].split()[1])
            parents.setdefault(parent, []).append(int(entry.name))
    found: set[int] = set()
    todo = [pid]
    while todo:
        for child in parents.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


class MultiMachine(Harness):
    def __init__(self, args: argparse.Namespace) -> None:
        super().__init__(args)
        if self.sqlite_path is not None:
            raise SystemExit("several machines share one PostgreSQL: set DATABASE_URL")
        self.env |= {
            "GREENMFG_TASKS": "redis",
            "GREENMFG_REDIS_URL": args.redis_url,
            "GREENMFG_MEDIA_ROOT": str(self.home / "shared-media"),
            "GREENMFG_TEST_EXPORT_DELAY": str(args.export_delay),
            "GREENMFG_EXPORT_LEASE_SECONDS": str(args.lease),
            "GREENMFG_EXPORT_SWEEP_SECONDS": "2",
        }
        self.ports = [_free_port(), _free_port()]
        self.servers: list[subprocess.Popen[bytes] | None] = [None, None]
        self.workers: list[subprocess.Popen[bytes] | None] = [None, None]
        self.exports: set[str] = set()  # job ids acknowledged (302 to the status page)
        self.export_refused = 0
        self.victims: set[str] = set()  # the jobs the killed worker was building

    def base_for(self, index: int) -> str:
        return f"http://127.0.0.1:{self.ports[index % 2]}"

    def _spawn(self, argv: list[str], log: str) -> subprocess.Popen[bytes]:
        out = (self.home / log).open("ab")
        return subprocess.Popen(
            argv, cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )

    def start_server(self, i: int) -> None:
        argv = [
            sys.executable, "-m", "granian", "--interface", "wsgi", "--host", "127.0.0.1",
            "--port", str(self.ports[i]), "--workers", "1", "--no-ws", "greenmfg.wsgi:application",
        ]  # fmt: skip
        self.servers[i] = self._spawn(argv, f"server{i}.log")
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with (
                contextlib.suppress(urllib.error.URLError, OSError),
                urllib.request.urlopen(f"{self.base_for(i)}/health", timeout=2) as answer,
            ):
                if answer.status == 200:
                    return
            time.sleep(0.1)
        raise SystemExit(f"server {i} did not answer within 60 s (see {self.home})")

    def start_worker(self, i: int) -> None:
        argv = [
            sys.executable, "manage.py", "rqworker", "default", "--name", self.worker_name(i),
            "--with-scheduler", "--job-class", "django_tasks_rq.backend.Job",
        ]  # fmt: skip
        self.workers[i] = self._spawn(argv, f"worker{i}.log")

    @staticmethod
    def _kill(process: subprocess.Popen[bytes] | None) -> None:
        """kill -9 of the process and everything it started, as when its machine is lost. RQ's work
        horse (the process building a job) runs in a process group of its own (rq calls setpgrp), so
        the worker's group alone would leave it running: every descendant is found and killed."""
        if process is None:
            return
        doomed = {process.pid, *_descendants(process.pid)}
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        for pid in doomed:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        process.wait()

    def exporter(self, stop: threading.Event, index: int) -> None:
        """Start downloads as a browser does: the download's form (CSRF token and cookie), then its POST
        with a fresh idempotency key, not following the redirect to the job's page."""
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), _NoRedirect())
        url = f"{self.base_for(index)}/public/quality/export.csv"  # 5,352 rows
        try:
            with opener.open(url, timeout=30) as page:
                token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page.read())
        except (urllib.error.URLError, OSError):
            return
        if token is None:
            raise SystemExit("the download's form has no CSRF token")
        n = 0
        while not stop.is_set():
            n += 1
            form = {"csrfmiddlewaretoken": token.group(1).decode(), "idempotency_key": uuid.uuid4().hex}
            request = urllib.request.Request(
                url,
                data=urllib.parse.urlencode(form).encode(),
                # distinct client addresses, as from a crowd (the export limit is per address)
                headers={"X-Forwarded-For": f"10.200.{index}.{n % 250 + 1}", "Referer": url},
            )
            try:
                opener.open(request, timeout=30).close()
                status, location = 200, ""
            except urllib.error.HTTPError as answer:
                status, location = answer.code, answer.headers.get("Location", "")
            except (urllib.error.URLError, OSError, ConnectionError):
                return  # the server is gone
            with self.tally.lock:
                if status == 302 and "/exports/" in location:
                    self.exports.add(location.rstrip("/").rsplit("/", 1)[-1])
                else:
                    self.export_refused += 1
            time.sleep(0.5)

    def worker_name(self, i: int) -> str:
        return f"multi-{i}-{os.getpid()}"

    def check_tasks(self) -> dict[str, int]:
        """Over the download jobs: lost, done, failed with a reason, re-run after the kill, run twice."""
        import redis  # noqa: PLC0415
        from django.db import close_old_connections, connection  # noqa: PLC0415
        from django_tasks_rq.backend import Job  # noqa: PLC0415
        from rq.exceptions import NoSuchJobError  # noqa: PLC0415

        from greenmfg.register.models import ExportJob  # noqa: PLC0415

        queue = redis.Redis.from_url(self.args.redis_url)
        count = dict.fromkeys(("lost", "done", "failed", "rerun", "twice"), 0)
        close_old_connections()
        try:
            # this run's (the database may be an earlier run's too)
            jobs = {str(job.pk): job for job in ExportJob.objects.filter(created_at__gte=self.began)}
            count["lost"] = len(self.exports - set(jobs))
            exports_dir = Path(self.env["GREENMFG_MEDIA_ROOT"]) / "exports"
            files = [f.name for f in exports_dir.rglob("*") if f.is_file()] if exports_dir.exists() else []
            for pk, job in jobs.items():
                own = [name for name in files if name.startswith(pk)]
                try:
                    executions = len(Job.fetch(job.task_id, connection=queue).results())
                except NoSuchJobError:
                    executions = 0
                count["twice"] += len(own) > 1 or job.attempts > 2 or executions > 1
                count["rerun"] += pk in self.victims and job.attempts == 2
                if job.status == ExportJob.Status.DONE:
                    count["done"] += 1
                    count["lost"] += len(own) != 1
                elif job.status == ExportJob.Status.FAILED and job.message:
                    count["failed"] += 1
                    count["lost"] += len(own) != 0
                else:  # still queued or running after the drain
                    count["lost"] += 1
        finally:
            connection.close()
        return count

    def _drain(self) -> None:
        """Wait until every download job has ended (the surviving worker re-runs the killed one's)."""
        from django.db import close_old_connections  # noqa: PLC0415

        from greenmfg.register.models import ExportJob  # noqa: PLC0415

        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            close_old_connections()
            if not ExportJob.objects.filter(status__in=("queued", "running")).exists():
                return
            time.sleep(0.5)

    def _scheduler_held(self) -> bool:
        import redis  # noqa: PLC0415

        return bool(redis.Redis.from_url(self.args.redis_url).exists("rq:scheduler-lock:default"))

    def _building_on(self, worker: str) -> set[str]:
        """The download jobs `worker` holds a claim on right now."""
        from django.db import close_old_connections  # noqa: PLC0415
        from django_tasks_rq.backend import Job  # noqa: PLC0415
        from rq.exceptions import NoSuchJobError  # noqa: PLC0415

        from greenmfg.register.models import ExportJob  # noqa: PLC0415

        close_old_connections()
        import redis  # noqa: PLC0415

        connection = redis.Redis.from_url(self.args.redis_url)
        found = set()
        for pk, task_id in ExportJob.objects.filter(status="running").values_list("pk", "task_id"):
            with contextlib.suppress(NoSuchJobError):
                if Job.fetch(task_id, connection=connection).worker_name == worker:
                    found.add(str(pk))
        return found

    def run(self) -> int:
        import redis  # noqa: PLC0415

        redis.Redis.from_url(self.args.redis_url).flushdb()
        self.prepare()
        os.environ.update(self.env)
        import django  # noqa: PLC0415

        django.setup()
        from django.utils import timezone  # noqa: PLC0415

        started = time.monotonic()
        self.began = timezone.now()
        rng = random.Random(self.args.seed)
        try:
            for i in (0, 1):
                self.start_server(i)
            # the survivor first: it takes RQ's scheduler lock, which runs the periodic sweep
            self.start_worker(1)
            deadline = time.monotonic() + 60
            while not self._scheduler_held() and time.monotonic() < deadline:
                time.sleep(0.1)
            self.start_worker(0)
            self.manage("sweep_exports", "--schedule")
            self.manage("audit_checkpoint", "--schedule")
            stop = threading.Event()
            threads = [
                threading.Thread(target=self.writer, args=(stop, i), daemon=True)
                for i in range(self.args.writers)
            ] + [threading.Thread(target=self.exporter, args=(stop, i), daemon=True) for i in (0, 1)]
            for thread in threads:
                thread.start()
            deadline = time.monotonic() + 120
            while (not self.tally.acknowledged or not self.exports) and time.monotonic() < deadline:
                time.sleep(0.05)
            time.sleep(rng.uniform(self.args.min_run, self.args.max_run))
            # one machine's web server dies, and another's worker while it is building a download
            deadline = time.monotonic() + 120
            while not self.victims and time.monotonic() < deadline:
                self.victims = self._building_on(self.worker_name(0))
                time.sleep(0.05)
            self._kill(self.servers[0])
            self._kill(self.workers[0])
            time.sleep(self.args.after)
            stop.set()
            for thread in threads:
                thread.join(timeout=60)
            self._drain()
            lost, half = self.verify()
            tasks = self.check_tasks()
            self.verify_audit()
        finally:
            for process in (*self.servers, *self.workers):
                self._kill(process)
        print(
            f"multi-machine (2 web servers, 2 RQ workers, PostgreSQL, Redis; 1 server and 1 worker killed, "
            f"the worker mid-build): {len(self.tally.acknowledged)} writes acknowledged, {lost} lost, "
            f"{half} half-written; {len(self.exports)} downloads acknowledged, {tasks['done']} built, "
            f"{tasks['failed']} failed with a reason, {len(self.victims)} being built at the kill, "
            f"{tasks['rerun']} of them re-run once by the other worker, {tasks['lost']} lost, "
            f"{tasks['twice']} run twice; {time.monotonic() - started:.0f} s"
        )
        failed = lost or half or tasks["lost"] or tasks["twice"] or not self.victims
        return 1 if failed or not self.tally.acknowledged or not tasks["done"] else 0


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--writers", type=int, default=4, help="writing clients (plus one downloader per server)"
    )
    parser.add_argument("--min-run", type=float, default=1.0)
    parser.add_argument("--max-run", type=float, default=3.0)
    parser.add_argument("--after", type=float, default=5.0, help="seconds of writing after the kills")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/12")
    parser.add_argument(
        "--export-delay",
        type=float,
        default=2.0,
        help="seconds each build waits after its claim (tests only)",
    )
    parser.add_argument("--lease", type=float, default=10.0, help="seconds a build's claim lasts unrenewed")
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--home", default="")
    parser.add_argument("--cycles", type=int, default=1, help=argparse.SUPPRESS)
    parser.add_argument("--web-workers", type=int, default=1, help=argparse.SUPPRESS)
    parser.add_argument("--audit-every", type=int, default=1, help=argparse.SUPPRESS)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT / "src"))
    return MultiMachine(args).run()


if __name__ == "__main__":
    raise SystemExit(main())
