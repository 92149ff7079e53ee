"""Dossier page and live-score latency under concurrent users, against the server in production mode.

Starts granian (WSGI, DEBUG off, manifest static files) on a scratch database with the demo world and
N enterprises, each with a filled 2025 factory dossier; then N threads, one per logged-in user, load the
dossier page and post live-score saves (one field each, as the page does while a user types). A trivial
view (/health) measured the same way on the same server is the baseline: the figures to compare across
machines are the ratios. Nothing is asserted.

    uv run python tests/bench/bench_dossier.py [--users 20] [--pages 10] [--saves 20]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench uv run python tests/bench/bench_dossier.py

On PostgreSQL the run uses a fresh database named after DATABASE_URL's with "_bench" appended. `make
bench-web` runs both. The page loads its sections when they are opened (issue 11): "section opened" is
one such fetch, measured on its own.
"""

from __future__ import annotations

import argparse
import http.client
import os
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "greenmfg"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def prepare(users: int) -> list[tuple[str, str]]:
    """(session cookie, dossier id) per user, after building the world in the scratch database."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client

    call_command("migrate", interactive=False, verbosity=0)
    call_command("load_reference", stdout=open(os.devnull, "w"))  # noqa: SIM115
    from factories import actor
    from test_applications import complete_answers

    from greenmfg.applications import services
    from greenmfg.catalog.models import Call
    from greenmfg.orgs.services import register_applicant
    from greenmfg.reference.models import Region
    from greenmfg.web.demo import DEMO_PASSWORD, demo_uscc, seed_demo

    seed_demo()
    district = next(
        a for a in __import__("greenmfg.web.demo", fromlist=["x"]).AUTHORITIES if a[2] == "district"
    )
    from greenmfg.orgs.models import Organisation
    from greenmfg.orgs.selectors import actor_of

    bureau = actor_of(Organisation.objects.get(name=district[0]).members.first().user)
    call = Call.objects.get(code="suzhou-2026-factory")
    answers = complete_answers()
    out = []
    for n in range(users):
        name = f"基准测试企业{n:03d}（演示）"
        organisation = Organisation.objects.filter(name=name).first()
        if organisation is None:
            organisation = register_applicant(
                kind="enterprise",
                name=name,
                credit_code=demo_uscc(name, "320506"),
                region=Region.objects.get(code="320506"),
                industry=None,
                username=f"bench{n:03d}",
                password=DEMO_PASSWORD + "x",
                display_name=name,
                created_by=bureau,
            )
        user = organisation.members.first().user
        user.must_change_password = False
        user.save(update_fields=["must_change_password"])
        application = organisation.applications.first() or services.start_application(actor(user), call)
        services.save_answers(actor(user), application, answers)
        client = Client()
        client.force_login(user)
        out.append((client.cookies["sessionid"].value, str(application.public_id)))
    return out


class User(threading.Thread):
    def __init__(
        self, port: int, cookie: str, dossier: str, pages: int, saves: int, barrier: threading.Barrier
    ):
        super().__init__()
        self.port, self.cookie, self.dossier = port, cookie, dossier
        self.pages, self.saves, self.barrier = pages, saves, barrier
        self.times: dict[str, list[float]] = {
            "warmup": [],
            "trivial": [],
            "page": [],
            "section": [],
            "save": [],
        }
        self.errors: list[str] = []

    def request(
        self, conn: http.client.HTTPConnection, kind: str, method: str, path: str, body: str = ""
    ) -> None:
        csrf = "b" * 32
        headers = {"Cookie": f"sessionid={self.cookie}; csrftoken={csrf}", "Host": "127.0.0.1"}
        if method == "POST":
            headers |= {
                "X-CSRFToken": csrf,
                "Content-Type": "application/x-www-form-urlencoded",
                "HX-Request": "true",
                "Referer": f"http://127.0.0.1:{self.port}/",
            }
        start = time.perf_counter()
        conn.request(method, path, body=body.encode(), headers=headers)
        response = conn.getresponse()
        response.read()
        self.times[kind].append(time.perf_counter() - start)
        if response.status != 200:
            self.errors.append(f"{kind} {response.status}")

    def run(self) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        # one unmeasured visit first (each worker imports, compiles templates and fills its caches once):
        # the figures are the steady state a user meets, not a worker's first seconds
        self.request(conn, "warmup", "GET", "/health")
        self.request(conn, "warmup", "GET", f"/applications/{self.dossier}/")
        self.barrier.wait()
        for i in range(max(self.pages, self.saves)):
            self.request(conn, "trivial", "GET", "/health")
            if i < self.pages:
                self.request(conn, "page", "GET", f"/applications/{self.dossier}/")
                # the section a user opens next: fetched on open (issue 11), measured on its own
                self.request(conn, "section", "GET", f"/applications/{self.dossier}/sections/{1 + i % 8}/")
            if i < self.saves:
                value = "6" if i % 2 else "5"
                self.request(
                    conn,
                    "save",
                    "POST",
                    f"/applications/{self.dossier}/save/",
                    f"in%3Aplatform_functions={value}",
                )
        conn.close()


def wait_until_serving(port: int, seconds: float = 180) -> None:
    """Until /health answers 200 (a loaded machine may take a while to start the workers)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/health")
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.5)
    raise SystemExit(f"the server did not answer on port {port} within {seconds:.0f} s")


def scratch_postgres(url: str) -> str:
    """A fresh database beside the one named in `url` (its name + _bench), so a run starts from nothing."""
    import psycopg

    base, _, name = url.rpartition("/")
    scratch = f"{name.split('?')[0]}_bench"
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{scratch}"')
    return f"{base}/{scratch}"


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--pages", type=int, default=10)
    parser.add_argument("--saves", type=int, default=20)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()

    scratch = Path(tempfile.mkdtemp(prefix="greenmfg-bench-"))
    if os.environ.get("DATABASE_URL", "").startswith("postgres"):
        os.environ["DATABASE_URL"] = scratch_postgres(os.environ["DATABASE_URL"])
    env = {
        **os.environ,
        "GREENMFG_VAR_DIR": str(scratch),
        "DJANGO_SETTINGS_MODULE": "greenmfg.settings",
        "GREENMFG_DEBUG": "0",
        "GREENMFG_SECRET_KEY": secrets.token_urlsafe(40),
    }
    os.environ.update(env)
    print(f"preparing {args.users} users with filled dossiers in {scratch} …", flush=True)
    sessions = prepare(args.users)
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True
    )
    port = free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "granian",
            "--interface",
            "wsgi",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            str(args.workers),
            "--blocking-threads",
            "4",
            "--no-ws",
            "--log-level",
            "warning",
            "greenmfg.wsgi:application",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        wait_until_serving(port)
        barrier = threading.Barrier(len(sessions))
        users = [User(port, cookie, dossier, args.pages, args.saves, barrier) for cookie, dossier in sessions]
        started = time.perf_counter()
        for user in users:
            user.start()
        for user in users:
            user.join()
        elapsed = time.perf_counter() - started
    finally:
        server.terminate()
        server.wait(timeout=20)
    errors = [e for u in users for e in u.errors]
    print(
        f"{args.users} concurrent users, granian WSGI {args.workers} workers, "
        f"{os.environ.get('DATABASE_URL', 'sqlite').split(':')[0]}; {elapsed:.1f} s wall"
    )
    base = [t for u in users for t in u.times["trivial"]]
    print(
        f"{'request':<22}{'n':>6}{'median ms':>12}{'p95 ms':>10}{'× trivial (median)':>22}{'× trivial (p95)':>18}"
    )
    for kind, label in (
        ("trivial", "trivial view /health"),
        ("page", "dossier page"),
        ("section", "section opened"),
        ("save", "live-score save"),
    ):
        values = [t for u in users for t in u.times[kind]]
        med, p95 = statistics.median(values) * 1000, pct(values, 0.95)
        print(
            f"{label:<22}{len(values):>6}{med:>12.1f}{p95:>10.1f}"
            f"{med / (statistics.median(base) * 1000):>22.1f}{p95 / pct(base, 0.95):>18.1f}"
        )
    print(f"errors: {len(errors)}" + (f" (first: {errors[:3]})" if errors else ""))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
