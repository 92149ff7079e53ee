"""Re-grading a filing round of 20,000 titled units (issue 13), against greencore's bulk scoring of them.

In a throwaway database (SQLite under a temporary directory; also PostgreSQL when DATABASE_URL is set, in a
dedicated database created and dropped here): migrate, load the regions, industries and the demo world, add
N SYNTHETIC titled units (organisations, titles, accepted filings). Their scores come from greencore's bulk
scoring of a synthetic GB/T 36132-2025 population (bench_scoring.synthetic_population), timed: that is the
baseline, `score_population` + `rank_population` of the same units in the same run. Then the platform's
re-grade (`supervision.services.regrade_round`: read the round, rank with greencore overall and within
industry, write the grades back in chunks with progress) is timed, and the ratio printed. Nothing asserted.

    uv run python tests/bench/bench_regrade.py [--n 20000]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres uv run python tests/bench/bench_regrade.py
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from synthetic import run_throwaway

PG_BENCH_DB = "greenmfg_bench_regrade"


def run(n: int) -> None:
    import django

    django.setup()
    import numpy as np
    from django.core.management import call_command
    from django.db import connection

    sys.path.insert(0, str(Path(__file__).parent))
    from bench_scoring import SCHEME, synthetic_population

    from greencore import get_scheme, rank_population, score_population
    from greenmfg.catalog.models import Call
    from greenmfg.orgs.models import Organisation, OrgKind, OrgStatus
    from greenmfg.publication.models import Announcement, PublicityNotice, Title
    from greenmfg.reference.services import load_industries, load_regions
    from greenmfg.supervision.models import Filing, RegradeJob
    from greenmfg.supervision.services import regrade_round
    from greenmfg.web.demo import DEMO_PASSWORD, seed_demo

    call_command("migrate", interactive=False, verbosity=0)
    load_regions()
    load_industries()
    seed_demo(DEMO_PASSWORD)
    from django.contrib.auth import get_user_model

    bureau_user = get_user_model().objects.get(username="sz-reviewer")
    authority = bureau_user.membership.organisation
    call = Call.objects.get(code="suzhou-2026-factory")
    scheme = get_scheme(SCHEME)

    # the baseline: greencore scores and grades the same units in bulk
    arrays, industries = synthetic_population(n)
    started = time.perf_counter()
    population = score_population(scheme, arrays, n)
    rank_population(scheme, population.score, industries, population.eligible)
    bulk = time.perf_counter() - started
    scores = [None if np.isnan(s) else Decimal(f"{s:.2f}") for s in population.score]

    from greenmfg.reference.models import Industry

    known = set(Industry.objects.values_list("code", flat=True))
    orgs = Organisation.objects.bulk_create(
        [
            Organisation(
                kind=OrgKind.ENTERPRISE,
                name=f"合成企业{i:05d}（基准测试）",
                region_id="320506",
                industry_id=str(industries[i])[1:] if str(industries[i])[1:] in known else None,
                status=OrgStatus.ACTIVE,
            )
            for i in range(n)
        ],
        batch_size=2000,
    )
    notice = PublicityNotice.objects.create(
        call=call,
        authority=authority,
        title="基准",
        opens_on=date(2026, 6, 1),
        closes_on=date(2026, 6, 7),
        created_by=bureau_user,
    )
    announcement = Announcement.objects.create(
        authority=authority,
        call=call,
        notice=notice,
        year=2026,
        sequence=999,
        number="基准〔2026〕999号",
        title="基准",
        published_on=date(2026, 6, 30),
        published_by=bureau_user,
    )
    titles = Title.objects.bulk_create(
        [
            Title(
                organisation=o,
                announcement=announcement,
                kind="factory",
                level="city",
                scheme=f"{call.scheme_id}@{call.scheme_version}",
                valid_from=date(2026, 6, 30),
            )
            for o in orgs
        ],
        batch_size=2000,
    )
    Filing.objects.bulk_create(
        [
            Filing(
                title=t,
                authority=authority,
                year=2027,
                deadline=date(2027, 4, 15),
                status="accepted",
                score=scores[i],
                no_grade_reason="" if scores[i] is not None else "数据缺失或异常",
            )
            for i, t in enumerate(titles)
        ],
        batch_size=2000,
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")

    job = RegradeJob.objects.create(authority=authority, year=2027, created_by=bureau_user)
    started = time.perf_counter()
    job = regrade_round(job)
    platform = time.perf_counter() - started
    graded = Filing.objects.exclude(green_code="").count()
    print(f"database: {connection.vendor}; units: {n:,}; graded: {graded:,} ({job.message})")
    print(f"greencore bulk scoring + percentile grading (baseline): {bulk:8.3f} s")
    print(f"platform re-grade of the round (read, rank, write back): {platform:8.3f} s")
    print(f"ratio platform / greencore bulk: {platform / bulk:6.2f}")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=20_000)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        run(args.n)
        return 0
    return run_throwaway(__file__, ["--n", str(args.n)], "greenmfg-bench-regrade-", PG_BENCH_DB)


if __name__ == "__main__":
    sys.exit(main())
