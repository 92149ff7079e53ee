"""Crash harness (issue 16, "no lost writes"): drive a write-heavy loop against the production-mode web
server and kill -9 it at random points; after each restart, every write the server acknowledged must be
there, whole, and SQLite's integrity check must pass.

    uv run python scripts/crash_harness.py --cycles 20                 # SQLite (WAL) in a fresh directory
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/crash uv run python scripts/crash_harness.py --cycles 20

The server is what `manage.py serve` runs in production (granian, WSGI, GREENMFG_ENV=production, with a
generated secret key), on a database and var directory of the harness's own, migrated and with the
reference data loaded once. The write is the public self-registration (an organisation, its user and
membership, and an audit event in one transaction): each of --writers threads posts registrations with
fresh credit codes. The server trusts 127.0.0.1 as its proxy and every write names another client
address, so the abuse limits (5 registrations an hour per address) see distinct clients, as they would
from a real crowd.

A registration is acknowledged when the server answered 200 with its "registered" page. After each
kill the harness restarts the server and checks, in the database: every acknowledged credit code has
its organisation, user and membership (nothing lost); no organisation of the harness lacks its user or
membership (nothing half-written, acknowledged or not); SQLite's PRAGMA integrity_check says ok. Every
--audit-every cycles and at the end, the audit log's hash chain is verified too.

It prints cycles, writes acknowledged, in flight at the kill (unanswered), lost and half-written, and
exits non-zero if any write was lost or half-written."""

from __future__ import annotations

import argparse
import contextlib
import http.cookiejar
import io
import os
import random
import re
import secrets
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NAME_PREFIX = "崩溃测试单位"
PASSWORD = "Crash-Harness-2026!long"
# a progress line every this many cycles, so a long run shows it is alive and what it has found
PROGRESS_EVERY = 50


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Tally:
    acknowledged: set[str] = field(default_factory=set)
    unanswered: int = 0
    refused: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


class Harness:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.home = Path(args.home or tempfile.mkdtemp(prefix="greenmfg-crash-"))
        self.port = _free_port()
        self.sqlite_path: Path | None = None
        database_url = os.environ.get("DATABASE_URL", "")
        if not database_url:
            self.sqlite_path = self.home / "crash.sqlite3"
            database_url = f"sqlite:///{self.sqlite_path}"
        self.env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "DJANGO_SETTINGS_MODULE": "greenmfg.settings",
            "GREENMFG_ENV": "production",
            "GREENMFG_SECRET_KEY": secrets.token_urlsafe(60),
            "GREENMFG_VAR_DIR": str(self.home / "var"),
            "GREENMFG_TRUSTED_PROXIES": "127.0.0.1/32",
            "GREENMFG_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "GREENMFG_EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        }
        self.env.pop("GREENMFG_DEBUG", None)
        # a restart loads the application in every worker: from bytecode compiled once, as an installed
        # server would, not from source each time (PYTHONDONTWRITEBYTECODE in a developer's shell halved
        # the cycles). The cache lives in the harness's directory, not in the source tree.
        self.env.pop("PYTHONDONTWRITEBYTECODE", None)
        self.env["PYTHONPYCACHEPREFIX"] = str(self.home / "pycache")
        self.server: subprocess.Popen[bytes] | None = None
        self.sequence = random.Random(args.seed).randrange(10**6) * 1000
        self.sequence_lock = threading.Lock()
        self.rng = random.Random(args.seed)
        self.tally = Tally()

    # --- the server ---------------------------------------------------------------------------------

    def manage(self, *argv: str) -> None:
        subprocess.run([sys.executable, "manage.py", *argv], cwd=ROOT, env=self.env, check=True)

    def create_database(self) -> None:
        """A PostgreSQL database of the harness's own, created when missing (CI names a new one)."""
        import psycopg  # noqa: PLC0415

        url = urllib.parse.urlsplit(self.env["DATABASE_URL"])
        name = url.path.lstrip("/")
        if not re.fullmatch(r"[A-Za-z0-9_]+", name):
            raise SystemExit(f"database name {name!r}: letters, digits and _ only")
        maintenance = urllib.parse.urlunsplit(url._replace(path="/postgres"))
        with psycopg.connect(maintenance, autocommit=True) as server:
            if server.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is None:
                server.execute(f'CREATE DATABASE "{name}"')

    def prepare(self) -> None:
        if self.sqlite_path is None:
            self.create_database()
        self.manage("migrate", "--verbosity", "0")
        self.manage("check", "--deploy", "--fail-level", "ERROR")
        self.manage("load_reference")
        self.manage("collectstatic", "--no-input", "--verbosity", "0")

    def start(self) -> None:
        argv = [
            sys.executable, "-m", "granian", "--interface", "wsgi", "--host", "127.0.0.1",
            "--port", str(self.port), "--workers", str(self.args.web_workers), "--no-ws",
            "greenmfg.wsgi:application",
        ]  # fmt: skip
        log = (self.home / "server.log").open("ab")
        self.server = subprocess.Popen(
            argv, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{self.base}/health", timeout=2) as answer:
                    if answer.status == 200:
                        break
            except (urllib.error.URLError, OSError):
                time.sleep(0.02)
        else:
            raise SystemExit(f"the server did not answer within 60 s (see {self.home / 'server.log'})")
        # no separate warm-up: the writers' first requests warm the workers, and the clock of the cycle
        # starts only at the first acknowledged write (run()), so the kill falls among writes, not among
        # cold starts

    def kill(self) -> None:
        if self.server is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.server.pid, signal.SIGKILL)  # granian and its workers, mid-write
        self.server.wait()
        self.server = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    # --- the writers --------------------------------------------------------------------------------

    def next_code(self) -> str:
        from greenmfg.orgs.uscc import make_uscc, org_code_check_character  # noqa: PLC0415

        with self.sequence_lock:
            self.sequence += 1
            number = self.sequence
        org = f"{number % 10**8:08d}"
        return make_uscc("91320506" + org + org_code_check_character(org))

    def base_for(self, index: int) -> str:
        """The server writer `index` posts to (scripts/multi_machine.py spreads writers over several)."""
        return self.base

    def writer(self, stop: threading.Event, index: int) -> None:
        base = self.base_for(index)
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        try:
            with opener.open(f"{base}/accounts/register/", timeout=10) as page:
                token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page.read())
        except (urllib.error.URLError, OSError):
            return
        if token is None:
            raise SystemExit("the registration page has no CSRF token")
        while not stop.is_set():
            code = self.next_code()
            number = int(code[8:16])
            form = {
                "csrfmiddlewaretoken": token.group(1).decode(),
                "kind": "enterprise",
                "name": f"{NAME_PREFIX}{code}",
                "credit_code": code,
                "region": "320506",
                "display_name": "测试联系人",
                "username": f"crash-{code.lower()}",
                "password": PASSWORD,
            }
            request = urllib.request.Request(
                f"{base}/accounts/register/",
                data=urllib.parse.urlencode(form).encode(),
                headers={
                    "X-Forwarded-For": f"10.{number >> 16 & 255}.{number >> 8 & 255}.{number & 255}",
                    "Referer": f"{base}/accounts/register/",
                },
            )
            try:
                with opener.open(request, timeout=30) as answer:
                    body = answer.read().decode()
                    status = answer.status
            except urllib.error.HTTPError as error:
                status, body = error.code, ""
            except (urllib.error.URLError, OSError, ConnectionError):
                with self.tally.lock:
                    self.tally.unanswered += 1
                return  # the server is gone: this write may or may not have landed
            with self.tally.lock:
                # the "registration submitted" page, naming the organisation: the server has committed it
                if status == 200 and "注册已提交" in body and form["name"] in body:
                    self.tally.acknowledged.add(code)
                else:
                    self.tally.refused += 1
                    if self.tally.refused <= 3:
                        print(f"  refused ({status}): {body[:300]!r}", file=sys.stderr)

    # --- the checks ---------------------------------------------------------------------------------

    def verify(self) -> tuple[int, int]:
        """(lost, half-written) in the database as it is after the crash."""
        from django.db import close_old_connections, connection  # noqa: PLC0415

        from greenmfg.orgs.models import Membership, Organisation  # noqa: PLC0415

        close_old_connections()
        try:
            # two joins, not a prefetch: prefetching binds every id into one IN list, which SQLite refuses
            # past about 1,000 organisations ("Expression tree is too large"), i.e. after ~300 cycles
            harness = Organisation.objects.filter(name__startswith=NAME_PREFIX)
            codes = set(harness.values_list("credit_code", flat=True))
            whole = set(
                Membership.objects.filter(organisation__name__startswith=NAME_PREFIX).values_list(
                    "organisation__credit_code", "user__username"
                )
            )
            with self.tally.lock:
                acknowledged = set(self.tally.acknowledged)
            lost = len(acknowledged - codes)
            half = sum(1 for code in codes if (code, f"crash-{code.lower()}") not in whole)
        finally:
            connection.close()
        if self.sqlite_path is not None:
            with sqlite3.connect(self.sqlite_path) as check:
                verdict = check.execute("PRAGMA integrity_check").fetchone()[0]
            if verdict != "ok":
                raise SystemExit(f"SQLite integrity_check: {verdict}")
        return lost, half

    def verify_audit(self) -> None:
        """The audit chain over everything written, in this process (no Django start per check); a broken
        chain raises CommandError and ends the run."""
        from django.core.management import call_command  # noqa: PLC0415
        from django.db import close_old_connections, connection  # noqa: PLC0415

        close_old_connections()
        try:
            call_command("verify_audit", stdout=io.StringIO())
        finally:
            connection.close()

    # --- the loop -----------------------------------------------------------------------------------

    def run(self) -> int:
        self.prepare()
        os.environ.update(self.env)
        import django  # noqa: PLC0415

        django.setup()
        started = time.monotonic()
        lost = half = 0
        cycles = 0
        restarting = 0.0  # seconds from a restart's spawn to the server answering, over all cycles
        try:
            for cycles in range(1, self.args.cycles + 1):
                spawned = time.monotonic()
                self.start()
                restarting += time.monotonic() - spawned
                stop = threading.Event()
                writers = [
                    threading.Thread(target=self.writer, args=(stop, i), daemon=True)
                    for i in range(self.args.writers)
                ]
                for thread in writers:
                    thread.start()
                # the kill falls at a random moment once writes are flowing (at least one acknowledged in
                # this cycle): a slow machine still gets kills among writes, not only among cold starts
                before = len(self.tally.acknowledged)
                deadline = time.monotonic() + 120
                while len(self.tally.acknowledged) == before and time.monotonic() < deadline:
                    time.sleep(0.02)
                time.sleep(self.rng.uniform(self.args.min_run, self.args.max_run))
                self.kill()  # the writers' requests in flight die with it
                stop.set()
                for thread in writers:
                    thread.join(timeout=60)
                lost, half = self.verify()
                if cycles % self.args.audit_every == 0:
                    self.verify_audit()
                if lost or half:
                    break
                if cycles % PROGRESS_EVERY == 0:
                    print(
                        f"  cycle {cycles}: {len(self.tally.acknowledged)} acknowledged so far, 0 lost, "
                        f"{time.monotonic() - started:.0f} s",
                        flush=True,
                    )
                if self.args.max_minutes and time.monotonic() - started > self.args.max_minutes * 60:
                    print(
                        f"  time budget of {self.args.max_minutes:g} min spent after {cycles} cycles",
                        flush=True,
                    )
                    break
            self.start()  # one last restart, and the audit chain over everything written
            lost, half = self.verify()
            self.verify_audit()
        finally:
            self.kill()
        database = "SQLite (WAL)" if self.sqlite_path else "PostgreSQL"
        print(
            f"crash harness ({database}): {cycles} cycles, "
            f"{len(self.tally.acknowledged)} writes acknowledged, "
            f"{self.tally.unanswered} in flight at a kill, {lost} lost, {half} half-written, "
            f"{self.tally.refused} refused; {time.monotonic() - started:.0f} s"
        )
        if cycles:
            elapsed = time.monotonic() - started
            print(f"  per cycle: {elapsed / cycles:.1f} s, restart to ready {restarting / cycles:.1f} s")
        return 1 if lost or half or not self.tally.acknowledged else 0


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--cycles", type=int, default=20)
    parser.add_argument("--writers", type=int, default=4, help="concurrent writing clients")
    parser.add_argument("--web-workers", type=int, default=2)
    parser.add_argument(
        "--min-run", type=float, default=0.0, help="least seconds before a kill, after the first write"
    )
    parser.add_argument(
        "--max-run", type=float, default=2.0, help="most seconds before a kill, after the first write"
    )
    parser.add_argument("--audit-every", type=int, default=25, help="verify the audit chain every N cycles")
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument(
        "--max-minutes",
        type=float,
        default=0.0,
        help="stop after the cycle that passes this many minutes (0: run every cycle)",
    )
    parser.add_argument("--home", default="", help="directory for the database, files and log (default: new)")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT / "src"))
    return Harness(args).run()


if __name__ == "__main__":
    raise SystemExit(main())
