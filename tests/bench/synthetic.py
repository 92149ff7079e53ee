"""What the benchmarks share: SYNTHETIC data (every row marked as such) and the throwaway databases they run in.

- `synthetic_entries(n)`: register titles beside the real national lists, source="synthetic", unit names
  ending in （基准测试）;
- `fill_register(n)`: migrate, load the reference data and the national lists, add `n` synthetic titles once,
  recount the dashboards' tally and bring the planner statistics up to date (see the comment there);
- `synthetic_applications(n)`: `n` enterprises named 合成申报企业…（基准测试） with one application each, in
  states across the workflow, half of them in Jiangsu;
- `run_throwaway(script, args, prefix, pg_db)`: run `script --child args` in a temporary SQLite database, then
  (when DATABASE_URL names PostgreSQL) in a dedicated database created and dropped here, never the one
  DATABASE_URL names (others run tests there);
- `pct(values, q)`: the q-quantile of timings in ms.
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[2]

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
    # the levels the synthetic mix was drawn at before district titles existed (weights below)
    levels = [TitleLevel.CITY, TitleLevel.PROVINCE, TitleLevel.NATIONAL]
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


def fill_register(n: int) -> tuple[float, float]:
    """Migrate, load the reference data and lists, add `n` synthetic titles (once per database); returns the
    seconds the reference load and the synthetic insert took."""
    from django.core.management import call_command
    from django.db import connection

    from greenmfg.register.fulltext import FTS_TABLE
    from greenmfg.register.models import RegisterEntry
    from greenmfg.register.services import rebuild_tally, refresh_statistics

    started = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    call_command("load_reference", stdout=open(os.devnull, "w"))  # noqa: SIM115
    loaded = time.perf_counter()
    if not RegisterEntry.objects.filter(source="synthetic").exists():
        RegisterEntry.objects.bulk_create(synthetic_entries(n), batch_size=2000)
        # a bulk insert bypasses the register's services, as a national-list import does: recount the
        # tally the way that import does (register.services.rebuild_tally)
        rebuild_tally()
    # the steady state of a grown table: on SQLite the statistics the next load_reference (every
    # `make run`) refreshes; on PostgreSQL what autovacuum does soon after a bulk insert (statistics
    # and the visibility map that lets counts read the index alone)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM ANALYZE {RegisterEntry._meta.db_table}")
            # the search index's tables (register.fulltext, migration register/0011)
            cursor.execute(f"VACUUM ANALYZE {FTS_TABLE}")
            cursor.execute(f"VACUUM ANALYZE {FTS_TABLE}_order")
    else:
        refresh_statistics()
    return loaded - started, time.perf_counter() - loaded


# where synthetic applications stand: most decided, a fifth still in review
APPLICATION_STATES = {
    "submitted": 6,
    "in_review": 14,
    "returned": 4,
    "withdrawn": 3,
    "rejected": 18,
    "publicity": 3,
    "published": 45,
    "draft": 7,
}


def synthetic_applications(n: int, seed: int = 17) -> int:
    """`n` synthetic enterprises with one application each to the demo's calls (needs the demo world);
    half in Jiangsu, the rest anywhere. Returns how many were made (0 when they exist already)."""
    from datetime import date, timedelta

    from django.utils import timezone

    from greenmfg.applications.models import Application
    from greenmfg.catalog.models import Call
    from greenmfg.orgs.models import Organisation, OrgKind, OrgStatus
    from greenmfg.reference.models import Region

    if Organisation.objects.filter(name__startswith="合成申报企业").exists():
        return 0
    rng = random.Random(seed)
    counties = list(Region.objects.filter(level="county").values_list("code", flat=True))
    jiangsu = [c for c in counties if c.startswith("32")]
    calls = list(Call.objects.all())
    states = list(APPLICATION_STATES)
    weights = list(APPLICATION_STATES.values())
    orgs = Organisation.objects.bulk_create(
        [
            Organisation(
                kind=OrgKind.ENTERPRISE,
                name=f"合成申报企业{i:05d}（基准测试）",
                region_id=rng.choice(jiangsu if i % 2 else counties),
                status=OrgStatus.ACTIVE,
            )
            for i in range(n)
        ],
        batch_size=2000,
    )
    now = timezone.now()
    today = date.today()
    Application.objects.bulk_create(
        [
            Application(
                call=rng.choice(calls),
                applicant=org,
                region_id=org.region_id,
                state=(state := rng.choices(states, weights)[0]),
                submitted_at=None if state == "draft" else now,
                state_changed_at=now,
                step_due_on=today + timedelta(days=rng.randint(-20, 40)) if state == "in_review" else None,
            )
            for org in orgs
        ],
        batch_size=2000,
    )
    return n


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


def pg_url(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + name))


def pg_admin(url: str, statement: str) -> None:
    import psycopg

    with psycopg.connect(pg_url(url, "postgres"), autocommit=True) as conn:
        conn.execute(statement)


def run_throwaway(script: str, args: list[str], prefix: str, pg_db: str) -> int:
    """Run `script --child args` on SQLite in a temporary directory, then on PostgreSQL in `pg_db` when
    DATABASE_URL names PostgreSQL. Returns the children's exit statuses or-ed."""
    command = [sys.executable, script, "--child", *args]
    base_env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "greenmfg.settings",
        "GREENMFG_PLAIN_STATIC": "1",
        "GREENMFG_DEBUG": "0",
        "PYTHONPATH": str(ROOT / "src"),
    }
    status = 0
    with tempfile.TemporaryDirectory(prefix=prefix) as tmp:
        env = {k: v for k, v in base_env.items() if k != "DATABASE_URL"} | {"GREENMFG_VAR_DIR": tmp}
        status |= subprocess.call(command, env=env, cwd=ROOT)
        url = os.environ.get("DATABASE_URL", "")
        if url.startswith(("postgres://", "postgresql://")):
            # a database of our own: never the one DATABASE_URL names (others run tests there)
            pg_admin(url, f'DROP DATABASE IF EXISTS "{pg_db}"')
            pg_admin(url, f'CREATE DATABASE "{pg_db}"')
            try:
                env = base_env | {"GREENMFG_VAR_DIR": tmp, "DATABASE_URL": pg_url(url, pg_db)}
                status |= subprocess.call(command, env=env, cwd=ROOT)
            finally:
                pg_admin(url, f'DROP DATABASE IF EXISTS "{pg_db}"')
    return status
