"""Benchmark: scoring one application, and re-scoring + percentile-grading a million.

Run:  uv run python tests/bench/bench_scoring.py [--n 1000000] [--sample 2000]

Prints the median time of one application scored (full result with trail and gap), the same
factory scored from raw plant data against its figures typed (a ratio), the time to
score and percentile-grade N synthetic applications under GB/T 36132-2025 at once, and — as the
baseline measured in the same run — the same population scored one application at a time
(a sample of it, timed and extrapolated), with the ratio between the two. Not a test: nothing here
asserts a time, since machines are noisy; it checks only that both ways give identical scores.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

from greencore.scoring import rank_population, score, score_population
from greencore.scoring.compiled import compiled
from greencore.standards.model import InputKind
from greencore.standards.registry import get_scheme

ROOT = Path(__file__).resolve().parents[2]
SCHEME = "factory-gbt36132-2025"


def synthetic_population(n: int, seed: int = 2026) -> tuple[dict[str, Any], np.ndarray]:
    """Plausible random applications: every input filled, 2 % failing one gate, 12 industries."""
    rng = np.random.default_rng(seed)
    example = json.loads((ROOT / "examples" / "factory-2025.json").read_text(encoding="utf-8"))["inputs"]
    cs = compiled(get_scheme(SCHEME))
    arrays: dict[str, Any] = {}
    for key, spec in cs.inputs.items():
        if spec.table is not None:
            continue
        if spec.kind is InputKind.BOOL:
            share_true = 0.98 if key.startswith(("gate_", "neg_")) else 0.5
            arrays[key] = (rng.random(n) < share_true).astype(np.float64)
        elif spec.role == "benchmark" or key in ("renewable_energy_tce",):
            arrays[key] = np.full(n, float(example.get(key) or 1.0))
        else:
            centre = float(example.get(key) or 1.0)
            values = centre * rng.uniform(0.5, 1.5, n)
            if spec.kind is InputKind.PERCENT:
                values = np.clip(values, 0, 100)
            if spec.kind is InputKind.COUNT:
                values = np.round(values)
            if spec.max is not None:
                values = np.minimum(values, float(spec.max))
            arrays[key] = values
    arrays["renewable_energy_tce"] = arrays["total_energy_tce"] * rng.uniform(0, 0.2, n)
    arrays["energy_per_output_lead"], arrays["energy_per_output_base"] = np.full(n, 100.0), np.full(n, 140.0)
    arrays["wastewater_margin"] = rng.uniform(60, 95, n)
    for name in ("wastewater_margin_lead", "wastewater_margin_base"):
        arrays[name] = np.full(n, 75.0 if name.endswith("lead") else 0.0)
    for r, product in enumerate(example["products"], start=1):
        for column, value in product.items():
            jitter = rng.uniform(0.7, 1.3, n) if column in ("unit_energy", "energy_use_tce") else 1.0
            arrays[f"products.{r}.{column}"] = float(value) * jitter * np.ones(n)
    industries = np.asarray([f"C{c}" for c in range(13, 43, 3)])[rng.integers(0, 10, n)]
    return arrays, industries


def row(arrays: dict[str, Any], i: int) -> dict[str, Any]:
    """Application i in the shape `score()` takes."""
    out: dict[str, Any] = {}
    products: dict[int, dict[str, float]] = {}
    for key, values in arrays.items():
        value = float(values[i])
        if key.startswith("products."):
            _, r, column = key.split(".")
            products.setdefault(int(r), {})[column] = value
        else:
            out[key] = value
    bools = {k for k, s in compiled(get_scheme(SCHEME)).inputs.items() if s.kind is InputKind.BOOL}
    for key in bools & set(out):
        out[key] = bool(out[key])
    out["products"] = [products[r] for r in sorted(products)]
    return out


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--sample", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    scheme = get_scheme(SCHEME)
    example = json.loads((ROOT / "examples" / "factory-2025.json").read_text(encoding="utf-8"))["inputs"]

    print(
        f"machine: {platform.machine()} {os.cpu_count()} cores, Python {platform.python_version()}, numpy {np.__version__}"
    )
    print(f"scheme: {scheme.key}")

    score(scheme, example)  # warm: compile once
    single = []
    for _ in range(200):
        started = time.perf_counter()
        score(scheme, example)
        single.append(time.perf_counter() - started)
    median_single = statistics.median(single)
    print(
        f"one application (full result with trail and gap): median {median_single * 1e3:.2f} ms over 200 runs"
    )

    # the same factory from raw plant data: the exact GB/T 2589 / GB/T 32150 … calculation, then the
    # scheme's calc() and derive formulas, then the same engine — its cost as a ratio to the line above
    document = json.loads((ROOT / "examples" / "factory-2025-raw.json").read_text(encoding="utf-8"))
    raw = json.loads((ROOT / "examples" / "factory-raw.json").read_text(encoding="utf-8"))
    typed = document["inputs"]
    assert str(score(scheme, typed, raw=raw).score) == "66.05"
    from_raw, typed_only = [], []
    derived = {d.id: d for d in score(scheme, typed, raw=raw).derived}
    flat = {k: str(d.value) for k, d in derived.items() if d.value is not None}
    tables: dict[str, list[dict[str, Any]]] = {}
    for key, d in derived.items():
        if d.rows:
            table, column = key.split(".")
            rows = tables.setdefault(table, [dict(r) for r in typed.get(table, [{}] * len(d.rows))])
            for index, value in enumerate(d.rows):
                rows[index][column] = str(value)
    same_inputs = {**typed, **flat, **tables}  # what the applicant would type, had they the figures
    for _ in range(200):
        started = time.perf_counter()
        score(scheme, typed, raw=raw)
        from_raw.append(time.perf_counter() - started)
        started = time.perf_counter()
        score(scheme, same_inputs)
        typed_only.append(time.perf_counter() - started)
    raw_median, typed_median = statistics.median(from_raw), statistics.median(typed_only)
    same = score(scheme, same_inputs).score == score(scheme, typed, raw=raw).score
    print(
        f"one application from raw data (calculation + calc/derive + engine): median {raw_median * 1e3:.2f} ms; "
        f"the same figures typed: {typed_median * 1e3:.2f} ms; ratio {raw_median / typed_median:.1f}× "
        f"(same score: {'yes' if same else 'NO'})"
    )

    arrays, industries = synthetic_population(args.n)
    timings, scoring, ranking_times = [], [], []
    for _ in range(args.repeat):
        started = time.perf_counter()
        population = score_population(scheme, arrays, args.n)
        scored = time.perf_counter()
        ranking = rank_population(scheme, population.score, industries, eligible=population.eligible)
        done = time.perf_counter()
        timings.append(done - started)
        scoring.append(scored - started)
        ranking_times.append(done - scored)
    vectorised = min(timings)
    grades = {g: ranking.percentile_grade.count(g) for g in ("A+", "A", "B", None)}
    print(
        f"{args.n:,} applications scored + percentile-graded (overall and within 10 industries) at once: "
        f"best of {args.repeat} {vectorised:.2f} s (runs: {', '.join(f'{t:.2f}' for t in timings)})"
    )
    print(
        f"   of which scoring {min(scoring):.2f} s, ranking and percentile grades {min(ranking_times):.2f} s (best)"
    )
    print(f"   grades: {grades}; eligible: {int(np.nansum(population.eligible)):,}")

    # baseline: the same population one application at a time (a sample, extrapolated)
    sample = np.linspace(0, args.n - 1, args.sample).astype(int)
    apps = [row(arrays, int(i)) for i in sample]
    started = time.perf_counter()
    one_by_one = [score(scheme, app) for app in apps]
    per_app = (time.perf_counter() - started) / len(apps)
    mismatches = sum(
        1
        for i, result in zip(sample, one_by_one, strict=True)
        if float(result.score or np.nan) != population.score[i]
    )
    extrapolated = per_app * args.n
    print(
        f"baseline, one at a time: {per_app * 1e3:.3f} ms per application (sample of {args.sample:,}) "
        f"→ {extrapolated:,.0f} s for {args.n:,}"
    )
    print(f"ratio one-at-a-time / vectorised: {extrapolated / vectorised:,.0f}×")
    print(f"scores identical in the sample: {len(apps) - mismatches}/{len(apps)}")
    return 1 if mismatches else 0


if __name__ == "__main__":
    sys.exit(main())
