"""The authorities' dashboard over 100,000 synthetic titles beside the real national lists.

In a throwaway database (SQLite under a temporary directory; also PostgreSQL when DATABASE_URL is set, in
a dedicated database created and dropped here): migrate, load the reference data, the national lists and
the demo organisations, add 100,000 SYNTHETIC register entries (bench_register.synthetic_entries), then
time the dashboard as the ministry, a province and a city bureau through the Django test client
in-process, with a trivial view (/health) measured in the same run as the baseline. Prints median and p95
server time, SQL queries per page and the ratio to the trivial view. Nothing is asserted. (Applications
are the demo's only: the 20,000 synthetic applications of issue 17 are not generated here.)

    uv run python tests/bench/bench_dashboards.py [--synthetic 100000] [--rounds 30]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres uv run python tests/bench/bench_dashboards.py
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_register import _pg_admin, _pg_url, pct, synthetic_entries

ROOT = Path(__file__).resolve().parents[2]
PG_BENCH_DB = "greenmfg_bench_dashboards"
ROLES = ("mof-reviewer", "js-reviewer", "sz-reviewer")


def run(synthetic: int, rounds: int) -> None:
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from greenmfg.register.models import RegisterEntry
    from greenmfg.register.services import refresh_statistics
    from greenmfg.web.demo import DEMO_PASSWORD, seed_demo

    engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    call_command("migrate", interactive=False, verbosity=0)
    call_command("load_reference", stdout=open(os.devnull, "w"))  # noqa: SIM115
    seed_demo(DEMO_PASSWORD)
    if not RegisterEntry.objects.filter(source="synthetic").exists():
        RegisterEntry.objects.bulk_create(synthetic_entries(synthetic), batch_size=2000)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM ANALYZE {RegisterEntry._meta.db_table}")
    else:
        refresh_statistics()
    print(f"[{engine}] {RegisterEntry.objects.count():,} register entries")

    clients = {}
    for role in ROLES:
        user = get_user_model().objects.get(username=role)
        client = Client()
        client.force_login(user)
        device = user.totpdevice_set.filter(confirmed=True).first()
        if device is not None:
            session = client.session
            session["otp_device_id"] = device.persistent_id
            session.save()
        clients[role] = client
    trivial = Client()
    for role in ROLES:  # warm up
        assert clients[role].get("/dashboards/").status_code == 200
    trivial.get("/health")
    times: dict[str, list[float]] = {"trivial /health": [], **{role: [] for role in ROLES}}
    queries: dict[str, int] = {}
    for _ in range(rounds):
        for role in ROLES:
            with CaptureQueriesContext(connection) as captured:
                start = time.perf_counter()
                clients[role].get("/dashboards/")
                times[role].append(time.perf_counter() - start)
            queries[role] = len(captured)
        start = time.perf_counter()
        trivial.get("/health")
        times["trivial /health"].append(time.perf_counter() - start)
    base = statistics.median(times["trivial /health"])
    for name, values in times.items():
        ratio = statistics.median(values) / base
        extra = f", {queries[name]} queries" if name in queries else ""
        print(
            f"[{engine}] {name:16s} median {statistics.median(values) * 1000:7.1f} ms  "
            f"p95 {pct(values, 0.95):7.1f} ms  x{ratio:6.1f} trivial{extra}"
        )


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--synthetic", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        run(args.synthetic, args.rounds)
        return 0
    command = [
        sys.executable,
        __file__,
        "--child",
        "--synthetic",
        str(args.synthetic),
        "--rounds",
        str(args.rounds),
    ]
    base_env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "greenmfg.settings",
        "GREENMFG_PLAIN_STATIC": "1",
        "GREENMFG_DEBUG": "0",
        "PYTHONPATH": str(ROOT / "src"),
    }
    status = 0
    with tempfile.TemporaryDirectory(prefix="greenmfg-bench-dashboards-") as tmp:
        env = {k: v for k, v in base_env.items() if k != "DATABASE_URL"} | {"GREENMFG_VAR_DIR": tmp}
        status |= subprocess.call(command, env=env, cwd=ROOT)
        url = os.environ.get("DATABASE_URL", "")
        if url.startswith(("postgres://", "postgresql://")):
            _pg_admin(url, f'DROP DATABASE IF EXISTS "{PG_BENCH_DB}"')
            _pg_admin(url, f'CREATE DATABASE "{PG_BENCH_DB}"')
            try:
                env = base_env | {"GREENMFG_VAR_DIR": tmp, "DATABASE_URL": _pg_url(url, PG_BENCH_DB)}
                status |= subprocess.call(command, env=env, cwd=ROOT)
            finally:
                _pg_admin(url, f'DROP DATABASE IF EXISTS "{PG_BENCH_DB}"')
    return status


if __name__ == "__main__":
    raise SystemExit(main())
