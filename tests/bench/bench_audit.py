"""Cost of the tamper-evident audit log, in a throwaway SQLite database under a temporary directory.

Appends N events through `audit.services.record` (keyed HMAC-SM3 chain) and, as the baseline measured in
the same run, N plain inserts of the same rows; then times the first checkpoint (SM3 Merkle root of the
whole log, SM2-signed), the next one 100 events later (from the signed frontier), `verify_log` (chain,
checkpoints, consistency) and an export with inclusion proofs.
Prints figures and ratios; nothing is asserted.

    uv run python tests/bench/bench_audit.py [--events 20000]
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=20000)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="greenmfg-bench-audit-"))
    os.environ["GREENMFG_VAR_DIR"] = str(work)
    os.environ.pop("DATABASE_URL", None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "greenmfg.settings"
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import transaction
    from django.utils import timezone

    from greenmfg.audit.export import export_log
    from greenmfg.audit.models import Event
    from greenmfg.audit.services import record, write_checkpoint
    from greenmfg.audit.verification import verify_log

    call_command("migrate", verbosity=0)
    n = args.events
    detail = {"note": "第1步", "score": "66.05", "sections": ["a", "b"]}

    start = time.perf_counter()
    with transaction.atomic():
        for i in range(n):
            Event.objects.create(
                at=timezone.now(),
                action="bench.plain",
                object_id=str(i),
                detail=detail,
                prev_hash="0",
                hash=f"{i:064d}",
            )
    plain = time.perf_counter() - start
    Event.objects.all().delete()

    start = time.perf_counter()
    with transaction.atomic():
        for i in range(n):
            record("bench.step", object_type="applications.application", object_id=str(i), detail=detail)
    chained = time.perf_counter() - start
    print(
        f"append {n} events: plain insert {plain / n * 1e6:.0f} µs/event, record() {chained / n * 1e6:.0f} µs/event "
        f"(ratio {chained / plain:.2f})"
    )

    start = time.perf_counter()
    checkpoint = write_checkpoint()
    print(f"checkpoint over {checkpoint.tree_size} events: {time.perf_counter() - start:.2f} s")
    with transaction.atomic():
        for i in range(100):
            record("bench.later", object_id=str(i), detail=detail)
    start = time.perf_counter()
    checkpoint = write_checkpoint()
    print(
        f"next checkpoint, 100 events later (from the signed frontier): {(time.perf_counter() - start) * 1e3:.0f} ms"
    )
    start = time.perf_counter()
    report = verify_log()
    print(
        f"verify_log over {report.events} events, {report.checkpoints} checkpoint(s): "
        f"{time.perf_counter() - start:.2f} s, ok={report.ok}"
    )
    start = time.perf_counter()
    out = io.StringIO()
    export_log(out)
    print(f"export with proofs: {time.perf_counter() - start:.2f} s, {len(out.getvalue()) / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
