"""Back-testing a draft scheme over 100,000 past applications (issue 17), against greencore's bulk scoring of
the same answers and a trivial view, in the same run.

In a throwaway database (SQLite under a temporary directory; also PostgreSQL when DATABASE_URL is set, in a
dedicated database created and dropped here): migrate, load the regions, industries and the demo world,
then add N SYNTHETIC enterprises (named 合成回测企业…（基准测试）) in Suzhou's districts, each with one
published application to the demo's Suzhou grading call (factory-suzhou, the GB/T 36132-2018 model) and a
frozen self-evaluation: the worked example of tests/greencore/schemes/conftest.py with its optional items
and held grade drawn at random (seeded), so scores spread over the grade bands. Suzhou's bureau drafts a
scheme raising 3A to 83 and lowering 2A to 66, and queues the back-test through the page (POST); the
worker's job (`dashboards.services.run_backtest`: read every application's last answers, re-score under
both schemes with greencore's bulk engine, compare, store the summary) is then run and timed. Baselines in
the same run: greencore's `backtest` over the same answers (columns + both bulk scorings), `score_population`
alone over the prepared columns, and /health. Nothing is asserted.

    uv run python tests/bench/bench_backtest.py [--n 100000]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres uv run python tests/bench/bench_backtest.py
"""

from __future__ import annotations

import argparse
import importlib.util
import random
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from synthetic import ROOT, run_throwaway

PG_BENCH_DB = "greenmfg_bench_backtest"
CALL = "suzhou-2026-factory-grading"


def _worked_example() -> tuple[dict, dict]:
    spec = importlib.util.spec_from_file_location(
        "scheme_inputs", ROOT / "tests/greencore/schemes/conftest.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    base = {**module.FACTORY2018_DATA, **module.FACTORY2018_REQUIRED}
    return base, module.FACTORY2018_OPTIONAL


def synthetic_answers(n: int, seed: int = 2026) -> list[dict[str, str]]:
    from greencore import input_key

    base, optional = _worked_example()
    rng = random.Random(seed)
    fixed = {input_key(k): ("是" if v is True else "否" if v is False else str(v)) for k, v in base.items()}
    out = []
    for _ in range(n):
        answers = dict(fixed)
        for key in optional:
            answers[input_key(key)] = rng.choice(["0", "0.5", "1"])
        answers[input_key("held_grade")] = rng.choice(["none", "1A", "2A", "3A"])
        out.append(answers)
    return out


def run(n: int) -> None:
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from greencore import backtest_draft, get_scheme, population_columns, score_population
    from greenmfg.applications.models import Application, Dossier
    from greenmfg.catalog.models import Call
    from greenmfg.dashboards.models import Backtest
    from greenmfg.dashboards.services import run_backtest
    from greenmfg.orgs.models import Organisation, OrgKind, OrgStatus
    from greenmfg.orgs.selectors import actor_of
    from greenmfg.reference.models import Region
    from greenmfg.reference.services import load_industries, load_regions
    from greenmfg.schemes import services as schemes
    from greenmfg.schemes.selectors import scheme_of
    from greenmfg.web.demo import DEMO_PASSWORD, seed_demo

    engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    call_command("migrate", interactive=False, verbosity=0)
    load_regions()
    load_industries()
    seed_demo(DEMO_PASSWORD)
    call = Call.objects.get(code=CALL)
    answers = synthetic_answers(n)
    started = time.perf_counter()
    districts = list(
        Region.objects.filter(code__startswith="3205", level="county").values_list("code", flat=True)
    )
    rng = random.Random(7)
    orgs = Organisation.objects.bulk_create(
        [
            Organisation(
                kind=OrgKind.ENTERPRISE,
                name=f"合成回测企业{i:06d}（基准测试）",
                region_id=rng.choice(districts),
                status=OrgStatus.ACTIVE,
            )
            for i in range(n)
        ],
        batch_size=2000,
    )
    apps = Application.objects.bulk_create(
        [Application(call=call, applicant=o, region_id=o.region_id, state="published") for o in orgs],
        batch_size=2000,
    )
    now = timezone.now()
    for start in range(0, n, 2000):
        Dossier.objects.bulk_create(
            [
                Dossier(application=a, number=1, answers={"inputs": answers[i], "raw": {}}, frozen_at=now)
                for i, a in enumerate(apps[start : start + 2000], start=start)
            ]
        )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"[{engine}] {n:,} synthetic past applications inserted in {time.perf_counter() - started:.1f} s")

    user = get_user_model().objects.get(username="sz-reviewer")
    current = get_scheme(f"{call.scheme_id}@{call.scheme_version}")
    draft_row = schemes.derive(
        actor_of(user),
        current,
        scheme_id="factory-suzhou-bench",
        version="1",
        title="苏州分级征求意见稿（基准测试）",
        source="基准测试",
        numbers={"outcome.grades[3A].min": Decimal("83"), "outcome.grades[2A].min": Decimal("66")},
    )
    draft = scheme_of(draft_row)

    client = Client()
    client.force_login(user)
    device = user.totpdevice_set.filter(confirmed=True).first()
    if device is not None:
        session = client.session
        session["otp_device_id"] = device.persistent_id
        session.save()
    trivial = Client()
    trivial.get("/health")
    health = []
    for _ in range(30):
        t = time.perf_counter()
        trivial.get("/health")
        health.append(time.perf_counter() - t)
    base = statistics.median(health)

    t = time.perf_counter()
    response = client.post("/dashboards/backtests/", {"scheme": draft_row.pk})
    queued = time.perf_counter() - t
    job = Backtest.objects.latest("pk")
    assert response.status_code == 302, response.status_code
    if job.status == Backtest.Status.QUEUED:  # the database queue: run what the worker runs
        t = time.perf_counter()
        job = run_backtest(job)
        platform = time.perf_counter() - t
    else:
        platform = float("nan")
    t = time.perf_counter()
    found = backtest_draft(current, draft, answers)
    bulk = time.perf_counter() - t
    columns = [population_columns(s, answers)[0] for s in (current, draft)]
    t = time.perf_counter()
    score_population(current, columns[0], n)
    score_population(draft, columns[1], n)
    scoring = time.perf_counter() - t
    t = time.perf_counter()
    page = client.get(f"/dashboards/backtests/{job.pk}/")
    shown = time.perf_counter() - t
    summary = job.summary or {}
    print(
        f"[{engine}] job: {job.status}, {summary.get('n')} applications, {summary.get('gained')} gain, "
        f"{summary.get('lost')} lose (greencore alone: {len(found.shifts.gained)} gain, {len(found.shifts.lost)} lose)"
    )
    print(f"[{engine}] trivial /health median          {base * 1000:9.1f} ms")
    print(
        f"[{engine}] POST queueing the back-test       {queued * 1000:9.1f} ms  x{queued / base:8.0f} trivial"
    )
    print(f"[{engine}] platform back-test job (worker)   {platform:9.2f} s   x{platform / base:8.0f} trivial")
    print(
        f"[{engine}] greencore backtest (same answers) {bulk:9.2f} s   platform/greencore x{platform / bulk:.2f}"
    )
    print(
        f"[{engine}] greencore bulk scoring, 2 schemes {scoring:9.2f} s   platform/scoring x{platform / scoring:.2f}"
    )
    print(f"[{engine}] result page                      {shown * 1000:9.1f} ms  ({page.status_code})")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        run(args.n)
        return 0
    return run_throwaway(__file__, ["--n", str(args.n)], "greenmfg-bench-backtest-", PG_BENCH_DB)


if __name__ == "__main__":
    raise SystemExit(main())
