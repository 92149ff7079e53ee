"""Public register search latency with 100,000 synthetic titles beside the real national lists.

In a throwaway database (SQLite under a temporary directory; also PostgreSQL when DATABASE_URL is set,
in a dedicated database created and dropped here, never the one DATABASE_URL names): migrate, load the
regions, industries and national lists (6,457 real titles), add 100,000 SYNTHETIC entries marked
source="synthetic" and bring the planner statistics up to date (see run()), then time ~200 filtered searches through the Django test client in-process, with a
trivial view (/health) measured in the same run as the baseline. Prints median and p95 server time,
SQL queries per page and the ratio to the trivial view, then the time of the largest CSV and Excel
downloads (the export cap). Nothing is asserted.

    uv run python tests/bench/bench_register.py [--synthetic 100000] [--rounds 40]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres uv run python tests/bench/bench_register.py
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[2]
PG_BENCH_DB = "greenmfg_bench_register"

WORDS = [
    "精密",
    "电子",
    "机械",
    "新材料",
    "化工",
    "纺织",
    "食品",
    "汽车零部件",
    "光伏",
    "家电",
    "建材",
    "钢铁",
    "医药",
]


def synthetic_entries(n: int, seed: int = 2026) -> list:
    from greenmfg.catalog.models import TitleKind, TitleLevel
    from greenmfg.reference.models import Industry, Region
    from greenmfg.register import services
    from greenmfg.register.fulltext import tokens_for
    from greenmfg.register.models import RegisterEntry

    rng = random.Random(seed)
    counties = list(Region.objects.filter(level="county").values_list("code", "name"))
    names = dict(Region.objects.values_list("code", "name"))
    industries = list(
        Industry.objects.filter(level="division", code__gte="13", code__lte="43").values_list("code", "name")
    )
    kinds = [k for k, _ in TitleKind.choices]
    levels = [lv for lv, _ in TitleLevel.choices]
    grades = ["", "1A级", "2A级", "3A级", "4A级", "5A级"]
    out = []
    for i in range(n):
        code, county = rng.choice(counties)
        province = code[:2] + "0000"
        city = names.get(code[:4] + "00", "")
        industry, industry_name = rng.choice(industries)
        kind = rng.choices(kinds, weights=[60, 5, 10, 25])[0]
        level = rng.choices(levels, weights=[60, 30, 10])[0]
        year = rng.randint(2017, 2026)
        unit = f"{city.removesuffix('市')}{rng.choice(WORDS)}合成{i:06d}有限公司（基准测试）"
        product = f"合成产品{i % 997}" if kind == "product" else ""
        key = f"synthetic:{i}"
        text = services.search_text_for(unit, product, county, names.get(province, ""), industry_name)
        out.append(
            RegisterEntry(
                public_id=services.public_id_for(key),
                source="synthetic",
                source_key=key,
                kind=kind,
                level=level,
                grade=rng.choice(grades) if kind == "factory" and level == "city" else "",
                year=year,
                batch="",
                announced_on=f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
                authority="合成数据（基准测试）",
                province_id=province,
                region_id=code,
                region_text=county,
                unit_key=services.name_key(unit),
                unit_name=unit,
                industry_id=industry,
                industry_text=industry_name,
                product_name=product,
                search_text=text,
                search_tokens=tokens_for(text),
            )
        )
    return out


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


def run(synthetic: int, rounds: int) -> None:
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from greenmfg.register import export_jobs
    from greenmfg.register.models import ExportJob, RegisterEntry
    from greenmfg.register.services import refresh_statistics

    engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    started = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    call_command("load_reference", stdout=open(os.devnull, "w"))  # noqa: SIM115
    loaded = time.perf_counter()
    if not RegisterEntry.objects.filter(source="synthetic").exists():
        RegisterEntry.objects.bulk_create(synthetic_entries(synthetic), batch_size=2000)
    # the steady state of a grown table: on SQLite the statistics the next load_reference (every
    # `make run`) refreshes; on PostgreSQL what autovacuum does soon after a bulk insert (statistics
    # and the visibility map that lets counts read the index alone)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM ANALYZE {RegisterEntry._meta.db_table}")
    else:
        refresh_statistics()
    filled = time.perf_counter()
    total = RegisterEntry.objects.count()
    print(
        f"[{engine}] {total:,} entries ({RegisterEntry.objects.filter(source='synthetic').count():,} synthetic); "
        f"reference + lists {loaded - started:.1f} s, synthetic insert {filled - loaded:.1f} s"
    )

    rng = random.Random(7)
    provinces = ["320000", "440000", "330000", "370000", "110000", "510000"]

    def cases() -> dict[str, str]:
        return {
            "keyword": f"/public/titles/?q={rng.choice(['京东方', '电子', '苏州', '合成产品12', '格力', '新材料'])}",
            "kind+level": f"/public/titles/?kind={rng.choice(['factory', 'product'])}&level={rng.choice(['city', 'national'])}",
            "province+year": f"/public/titles/?province={rng.choice(provinces)}&year={rng.randint(2017, 2026)}",
            "keyword+province": f"/public/titles/?q={rng.choice(['电子', '机械', '有限公司'])}&province={rng.choice(provinces)}",
            # the commonest term (in nearly every title) and its pages: the old substring fallback
            "common keyword": f"/public/titles/?q=有限公司&page={rng.randint(1, 60)}",
            "keyword+filters": f"/public/titles/?q={rng.choice(['电子', '科技'])}&kind=factory&level=city&year={rng.randint(2017, 2026)}",
            "page 50": "/public/titles/?kind=factory&page=50",
            "home": "/public/",
            "api list": f"/api/titles?province={rng.choice(provinces)}&kind=factory&page_size=20",
        }

    client = Client()
    for url in [*cases().values(), "/health"]:  # warm up: templates, URL resolver, caches
        client.get(url)
    times: dict[str, list[float]] = {"trivial /health": []}
    queries: dict[str, list[int]] = {}
    errors = 0
    for _ in range(rounds):
        for kind, url in cases().items():
            with CaptureQueriesContext(connection) as captured:
                start = time.perf_counter()
                response = client.get(url)
                elapsed = time.perf_counter() - start
            errors += response.status_code != 200
            times.setdefault(kind, []).append(elapsed)
            queries.setdefault(kind, []).append(len(captured.captured_queries))
            start = time.perf_counter()
            client.get("/health")
            times["trivial /health"].append(time.perf_counter() - start)

    base = statistics.median(times["trivial /health"])
    searches = [t for k, v in times.items() if k not in ("trivial /health", "home", "api list") for t in v]
    base95 = pct(times["trivial /health"], 0.95)
    print(
        f"{'request':<18} {'n':>4} {'median ms':>10} {'p95 ms':>8} {'queries':>8} {'x trivial':>10} "
        f"{'p95 x trivial p95':>18}"
    )
    for kind, values in times.items():
        q = queries.get(kind)
        shown = f"{min(q)}-{max(q)}" if q and min(q) != max(q) else (str(q[0]) if q else "0")
        print(
            f"{kind:<18} {len(values):>4} {statistics.median(values) * 1000:>10.1f} {pct(values, 0.95):>8.1f} "
            f"{shown:>8} {statistics.median(values) / base:>10.0f} {pct(values, 0.95) / base95:>18.0f}"
        )
    print(
        f"{'all searches':<18} {len(searches):>4} {statistics.median(searches) * 1000:>10.1f} "
        f"{pct(searches, 0.95):>8.1f} {'':>8} {statistics.median(searches) / base:>10.0f} "
        f"{pct(searches, 0.95) / base95:>18.0f}"
    )
    worst = max(
        (k for k in times if k not in ("trivial /health", "home", "api list")),
        key=lambda k: pct(times[k], 0.95),
    )
    print(
        f"goal: every search p95 <= 50 ms server time; worst {worst} p95 {pct(times[worst], 0.95):.1f} ms "
        f"({'met' if pct(times[worst], 0.95) <= 50 else 'NOT met'} in this run; load average "
        f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)"
    )
    if errors:
        print(f"non-200 responses: {errors}")

    # downloads are built by the task worker (issue 16): the request only queues the job; the largest
    # download allowed (the export cap) is then built as the worker builds it, and fetched
    for name in ("export_csv", "export_xlsx"):
        url = reverse(f"register:{name}") + "?kind=factory"
        start = time.perf_counter()
        started = client.get(url)
        answered = time.perf_counter() - start
        job = ExportJob.objects.get(pk=started.url.rstrip("/").rsplit("/", 1)[-1])
        start = time.perf_counter()
        if job.status == ExportJob.Status.QUEUED:  # not already built by an immediate backend
            export_jobs.build_export.call(str(job.pk))
        built = time.perf_counter() - start
        job.refresh_from_db()
        response = client.get(reverse("register:export_download", args=[job.pk]))
        size = sum(len(chunk) for chunk in response.streaming_content)
        truncated = response.get("X-Export-Truncated", "no")
        print(
            f"{name}: request {answered * 1000:.0f} ms, built in {built:.2f} s, {size / 1e6:.1f} MB, "
            f"truncated at {truncated} rows"
        )


def _pg_url(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + name))


def _pg_admin(url: str, statement: str) -> None:
    import psycopg

    with psycopg.connect(_pg_url(url, "postgres"), autocommit=True) as conn:
        conn.execute(statement)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--synthetic", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=40, help="each round runs every kind of search once")
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
    with tempfile.TemporaryDirectory(prefix="greenmfg-bench-register-") as tmp:
        env = {k: v for k, v in base_env.items() if k != "DATABASE_URL"} | {"GREENMFG_VAR_DIR": tmp}
        status |= subprocess.call(command, env=env, cwd=ROOT)
        url = os.environ.get("DATABASE_URL", "")
        if url.startswith(("postgres://", "postgresql://")):
            # a database of our own: never the one DATABASE_URL names (others run tests there)
            _pg_admin(url, f'DROP DATABASE IF EXISTS "{PG_BENCH_DB}"')
            _pg_admin(url, f'CREATE DATABASE "{PG_BENCH_DB}"')
            try:
                env = base_env | {"GREENMFG_VAR_DIR": tmp, "DATABASE_URL": _pg_url(url, PG_BENCH_DB)}
                status |= subprocess.call(command, env=env, cwd=ROOT)
            finally:
                _pg_admin(url, f'DROP DATABASE IF EXISTS "{PG_BENCH_DB}"')
    return status


if __name__ == "__main__":
    sys.exit(main())
