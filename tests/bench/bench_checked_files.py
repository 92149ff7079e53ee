"""Cost of the checked-file service (ADR 0009) against a plain copy, measured in the same run.

Builds a 50 MB PDF (pages whose content streams carry incompressible data, as scanned evidence does)
and a 20 MB self-evaluation-like .xlsx (10,000 rows of long text cells, written by openpyxl, inside greencore's workbook limits), then
for each times, best of --repeat runs:
- the baseline: a plain copy of the bytes into storage (`default_storage.save`, what an unchecked upload
  costs);
- `validation.inspect_upload` alone (what the file is: kind, structure, active content, SM3);
- `files.receive` end to end (spool to disk, inspect, save under a server-made name, re-hash the stored
  copy);
- for the workbook, greencore's `check_workbook` too (the import worker's check before calamine, not
  repeated at upload);
- `files.open_checked` (the SM3 re-check on read) against a plain open-and-read.
Prints figures and ratios; nothing is asserted.

    uv run python tests/bench/bench_checked_files.py [--pdf-mb 50] [--xlsx-mb 20] [--repeat 3]
"""

from __future__ import annotations

import argparse
import hashlib
import io
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
MiB = 1024 * 1024


def big_pdf(megabytes: int) -> bytes:
    """A valid PDF of about `megabytes` MB: pages whose (Flate) content streams hold pseudo-random
    bytes inside a comment-free text object, so nothing compresses them away."""
    from pypdf import PdfWriter
    from pypdf.generic import DecodedStreamObject, NameObject

    writer = PdfWriter()
    chunk = 1 * MiB
    for page_number in range(megabytes):
        page = writer.add_blank_page(595, 842)
        noise = hashlib.shake_256(page_number.to_bytes(4, "big")).hexdigest(chunk // 2).encode()
        stream = DecodedStreamObject()
        stream.set_data(b"BT /F1 8 Tf 20 800 Td (" + noise + b") Tj ET")
        page[NameObject("/Contents")] = writer._add_object(stream)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def big_xlsx(megabytes: int) -> bytes:
    """An .xlsx of about `megabytes` MB inside greencore's workbook limits (10,000 rows, 250,000 cells):
    a raw-data sheet of 10,000 rows × 24 columns whose text cells (hex, compressing about 2:1) are long
    enough to reach the size."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("原始数据")
    rows, columns = 9_999, 24
    sheet.append(["序号", *(f"指标{c}" for c in range(1, columns))])
    width = max(8, megabytes * MiB * 11 // (7 * rows * (columns - 1)))  # hex cells deflate to ~64 %, measured
    for row in range(1, rows + 1):
        noise = hashlib.shake_256(row.to_bytes(4, "big")).hexdigest(width * (columns - 1) // 2)
        sheet.append([row, *(noise[c * width : (c + 1) * width] for c in range(columns - 1))])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def best(repeat: int, run: Callable[[], Any]) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pdf-mb", type=int, default=50)
    parser.add_argument("--xlsx-mb", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="greenmfg-bench-files-"))
    os.environ["GREENMFG_VAR_DIR"] = str(work)
    os.environ["GREENMFG_MEDIA_ROOT"] = str(work / "media")
    os.environ["GREENMFG_EVIDENCE_MAX_BYTES"] = str(200 * MiB)
    os.environ.pop("DATABASE_URL", None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "greenmfg.settings"
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    from django.conf import settings
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage
    from django.core.management import call_command

    from greencore import check_workbook
    from greenmfg.evidence import files
    from greenmfg.evidence.validation import inspect_upload

    call_command("migrate", verbosity=0)
    settings.UPLOAD_LIMITS["applications:import"] = (200 * MiB, 200 * MiB)
    started = time.perf_counter()
    samples = [
        ("pdf", "evidence", "能源审计报告.pdf", big_pdf(args.pdf_mb)),
        ("xlsx", "workbook", "自评价表.xlsx", big_xlsx(args.xlsx_mb)),
    ]
    print(f"built the samples in {time.perf_counter() - started:.1f} s; best of {args.repeat} runs each")
    for kind, purpose, name, data in samples:
        size = f"{len(data) / MiB:.1f} MB {kind}"
        policy = files.purpose(purpose)

        def copy(data: bytes = data) -> None:
            default_storage.delete(default_storage.save("bench/plain.bin", ContentFile(data)))

        def inspect(data: bytes = data, name: str = name, policy: Any = policy) -> None:
            inspect_upload(io.BytesIO(data), name, allowed=policy.kinds, max_bytes=policy.max_bytes)

        def receive(data: bytes = data, name: str = name, purpose: str = purpose) -> None:
            files.discard(files.receive(purpose, io.BytesIO(data), name, actor=None).storage_name)

        plain = best(args.repeat, copy)
        inspected = best(args.repeat, inspect)
        received = best(args.repeat, receive)
        print(
            f"{size}: plain copy {plain * 1000:.0f} ms; inspect_upload {inspected * 1000:.0f} ms "
            f"(ratio {inspected / plain:.1f}); files.receive {received * 1000:.0f} ms "
            f"(ratio {received / plain:.1f}; {len(data) / MiB / received:.1f} MB/s)"
        )
        stored = files.receive(purpose, io.BytesIO(data), name, actor=None)

        def read_plain(stored: files.StoredFile = stored) -> None:
            with default_storage.open(stored.storage_name, "rb") as handle:
                while handle.read(MiB):
                    pass

        def read_checked(stored: files.StoredFile = stored) -> None:
            handle = files.open_checked(
                stored.storage_name, stored.sm3, actor=None, obj=None, refused_action="bench"
            )
            with handle:
                while handle.read(MiB):
                    pass

        opened = best(args.repeat, read_plain)
        checked = best(args.repeat, read_checked)
        print(
            f"{size}: plain read {opened * 1000:.0f} ms; open_checked + read {checked * 1000:.0f} ms "
            f"(ratio {checked / opened:.1f})"
        )
        if kind == "xlsx":
            path = work / "worker-copy.xlsx"
            path.write_bytes(data)
            worker = best(1, lambda path=path: check_workbook(path))
            print(f"{size}: greencore check_workbook (import worker) {worker * 1000:.0f} ms")
        files.discard(stored.storage_name)


if __name__ == "__main__":
    main()
