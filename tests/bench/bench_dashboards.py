"""The authorities' dashboards over 100,000 synthetic titles and 20,000 synthetic applications beside the real
national lists.

In a throwaway database (SQLite under a temporary directory; also PostgreSQL when DATABASE_URL is set, in
a dedicated database created and dropped here): migrate, load the reference data, the national lists and
the demo organisations, add 100,000 SYNTHETIC register entries and 20,000 SYNTHETIC applications (one
enterprise each, half in Jiangsu; `synthetic.py`, shared with bench_register), then time the dashboard as
the ministry, a province and a city bureau through the Django test client in-process, with a trivial view
(/health) measured in the same run as the baseline. Prints median and p95 server time, SQL queries per page
and the ratio to the trivial view. Nothing is asserted.

    uv run python tests/bench/bench_dashboards.py [--synthetic 100000] [--applications 20000] [--rounds 30]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres uv run python tests/bench/bench_dashboards.py \
        [--db-name greenmfg_bench_dashboards]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from synthetic import fill_register, pct, run_throwaway, synthetic_applications

PG_BENCH_DB = "greenmfg_bench_dashboards"
ROLES = ("mof-reviewer", "js-reviewer", "sz-reviewer")
PAGES = ("/dashboards/", "/dashboards/quality/", "/dashboards/bodies/")


def run(synthetic: int, applications: int, rounds: int) -> None:
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from greenmfg.applications.models import Application
    from greenmfg.register.models import RegisterEntry
    from greenmfg.web.demo import DEMO_PASSWORD, seed_demo

    engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    fill_register(synthetic)
    seed_demo(DEMO_PASSWORD)
    synthetic_applications(applications)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(
        f"[{engine}] {RegisterEntry.objects.count():,} register entries, "
        f"{Application.objects.count():,} applications"
    )

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
        for page in PAGES:
            assert clients[role].get(page).status_code == 200, (role, page)
    trivial.get("/health")
    names = [f"{role} {page}" for page in PAGES for role in ROLES]
    times: dict[str, list[float]] = {"trivial /health": [], **{name: [] for name in names}}
    queries: dict[str, int] = {}
    for _ in range(rounds):
        for page in PAGES:
            for role in ROLES:
                name = f"{role} {page}"
                with CaptureQueriesContext(connection) as captured:
                    start = time.perf_counter()
                    clients[role].get(page)
                    times[name].append(time.perf_counter() - start)
                queries[name] = len(captured)
        start = time.perf_counter()
        trivial.get("/health")
        times["trivial /health"].append(time.perf_counter() - start)
    base = statistics.median(times["trivial /health"])
    for name, values in times.items():
        ratio = statistics.median(values) / base
        extra = f", {queries[name]} queries" if name in queries else ""
        print(
            f"[{engine}] {name:36s} median {statistics.median(values) * 1000:7.1f} ms  "
            f"p95 {pct(values, 0.95):7.1f} ms  x{ratio:6.1f} trivial{extra}"
        )


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--synthetic", type=int, default=100_000)
    parser.add_argument("--applications", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument(
        "--db-name",
        default=PG_BENCH_DB,
        help=f"the PostgreSQL database created and dropped for the run (default {PG_BENCH_DB})",
    )
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        run(args.synthetic, args.applications, args.rounds)
        return 0
    return run_throwaway(
        __file__,
        [f"--synthetic={args.synthetic}", f"--applications={args.applications}", f"--rounds={args.rounds}"],
        "greenmfg-bench-dashboards-",
        args.db_name,
    )


if __name__ == "__main__":
    raise SystemExit(main())
