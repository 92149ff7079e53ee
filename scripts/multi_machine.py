"""More than one machine (issue 16): two web servers and two task workers as separate processes on one
PostgreSQL and one Redis, as several machines of a province would run them; the crash harness's
write loop against both servers, public downloads queued through both, and, mid-run, kill -9 of one
web server and one worker. Then: nothing lost, no task run twice.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/multi uv run python scripts/multi_machine.py
    make multi-machine

Every process gets the same settings a real deployment would: GREENMFG_TASKS=redis (django-tasks-rq,
workers run `manage.py rqworker`), GREENMFG_REDIS_URL (here a Redis database of the script's own,
emptied first), and GREENMFG_MEDIA_ROOT, the file storage every process shares (one directory here; an
NFS or similar mount across machines).

Checks, after the surviving worker has drained the queue:
- every registration a server acknowledged is in the database, whole (crash_harness.Harness.verify);
- every download a server acknowledged (302 to its status page) exists as a job; every job is done with
  its file in the shared storage, except at most one the killed worker had taken, which RQ does not
  run again (the job is shown failed after EXPORT_JOB_TIMEOUT and can be requested again);
- no task ran twice: each job's RQ record has at most one result, and one for every done job.
Exits non-zero when any check fails."""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from crash_harness import ROOT, Harness, _free_port


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


class MultiMachine(Harness):
    def __init__(self, args: argparse.Namespace) -> None:
        super().__init__(args)
        if self.sqlite_path is not None:
            raise SystemExit("several machines share one PostgreSQL: set DATABASE_URL")
        self.env |= {
            "GREENMFG_TASKS": "redis",
            "GREENMFG_REDIS_URL": args.redis_url,
            "GREENMFG_MEDIA_ROOT": str(self.home / "shared-media"),
        }
        self.ports = [_free_port(), _free_port()]
        self.servers: list[subprocess.Popen[bytes] | None] = [None, None]
        self.workers: list[subprocess.Popen[bytes] | None] = [None, None]
        self.exports: set[str] = set()  # job ids acknowledged (302 to the status page)
        self.export_refused = 0

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
            "--job-class", "django_tasks_rq.backend.Job",
        ]  # fmt: skip
        self.workers[i] = self._spawn(argv, f"worker{i}.log")

    @staticmethod
    def _kill(process: subprocess.Popen[bytes] | None) -> None:
        if process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)  # the process and its children (RQ's work horse)
        process.wait()

    def exporter(self, stop: threading.Event, index: int) -> None:
        opener = urllib.request.build_opener(_NoRedirect())
        base = self.base_for(index)
        n = 0
        while not stop.is_set():
            n += 1
            request = urllib.request.Request(
                f"{base}/public/quality/export.csv",  # 5,352 rows
                # distinct client addresses, as from a crowd (the export limit is per address)
                headers={"X-Forwarded-For": f"10.200.{index}.{n % 250 + 1}"},
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

    def check_tasks(self) -> tuple[int, int, int, int]:
        """(lost, done, left by the killed worker, run twice) over the download jobs."""
        import redis  # noqa: PLC0415
        from django.db import connection  # noqa: PLC0415
        from django_tasks_rq.backend import Job  # noqa: PLC0415
        from rq.exceptions import NoSuchJobError  # noqa: PLC0415

        from greenmfg.register.models import ExportJob  # noqa: PLC0415

        queue = redis.Redis.from_url(self.args.redis_url)
        try:
            jobs = {str(job.pk): job for job in ExportJob.objects.all()}
            lost = len(self.exports - set(jobs))
            done = abandoned = twice = 0
            media = Path(self.env["GREENMFG_MEDIA_ROOT"])
            for job in jobs.values():
                try:
                    rq_job = Job.fetch(job.task_id, connection=queue)
                except NoSuchJobError:
                    lost += 1
                    continue
                executions = len(rq_job.results())
                twice += executions > 1
                if job.status == ExportJob.Status.DONE:
                    done += 1
                    lost += executions != 1 or not (media / job.file.name).is_file()
                elif rq_job.worker_name == self.worker_name(0) and executions == 0:
                    # taken by the worker that was killed (before or after its claim): RQ does not run
                    # it again; the job shows failed after EXPORT_JOB_TIMEOUT
                    abandoned += 1
                else:
                    lost += 1
        finally:
            connection.close()
        return lost, done, abandoned, twice

    def _drain(self) -> None:
        """Wait until the surviving worker has taken every queued task and finished the last one."""
        import django_rq  # noqa: PLC0415

        queue = django_rq.get_queue("default")

        def busy() -> bool:
            for job_id in queue.started_job_registry.get_job_ids():
                job = queue.fetch_job(job_id)
                if job is not None and job.worker_name == self.worker_name(1):
                    return True
            return False

        deadline = time.monotonic() + 300
        while time.monotonic() < deadline and (queue.count or busy()):
            time.sleep(0.5)

    def run(self) -> int:
        import redis  # noqa: PLC0415

        redis.Redis.from_url(self.args.redis_url).flushdb()
        self.prepare()
        os.environ.update(self.env)
        import django  # noqa: PLC0415

        django.setup()
        started = time.monotonic()
        rng = random.Random(self.args.seed)
        try:
            for i in (0, 1):
                self.start_server(i)
                self.start_worker(i)
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
            # one machine's web server and another's worker die mid-run; the rest carry on
            self._kill(self.servers[0])
            self._kill(self.workers[0])
            time.sleep(self.args.after)
            stop.set()
            for thread in threads:
                thread.join(timeout=60)
            self._drain()
            lost, half = self.verify()
            export_lost, done, abandoned, twice = self.check_tasks()
            self.verify_audit()
        finally:
            for process in (*self.servers, *self.workers):
                self._kill(process)
        print(
            f"multi-machine (2 web servers, 2 RQ workers, PostgreSQL, Redis; 1 server and 1 worker killed): "
            f"{len(self.tally.acknowledged)} writes acknowledged, {lost} lost, {half} half-written; "
            f"{len(self.exports)} downloads acknowledged, {done} built, {abandoned} taken by the "
            f"killed worker, {export_lost} lost, {twice} run twice; {time.monotonic() - started:.0f} s"
        )
        failed = lost or half or export_lost or twice or abandoned > 1
        return 1 if failed or not self.tally.acknowledged or not done else 0


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
