"""Loading the reference tables (GB/T 2260 regions, GB/T 4754 industries) from the data files."""

from __future__ import annotations

import csv
from pathlib import Path

from django.db import transaction

from .models import Industry, Region

DATA_DIR = Path(__file__).resolve().parent / "data"


def load_regions(path: Path = DATA_DIR / "regions.csv") -> int:
    with path.open(encoding="utf-8", newline="") as handle:
        rows = sorted(
            csv.DictReader(handle), key=lambda r: (r["level"] != "province", r["level"] != "city", r["code"])
        )
    with transaction.atomic():
        existing = set(Region.objects.values_list("code", flat=True))
        new = [
            Region(code=r["code"], name=r["name"], level=r["level"], parent_id=r["parent_code"] or None)
            for r in rows
            if r["code"] not in existing
        ]
        Region.objects.bulk_create(new, batch_size=1000)
    return len(new)


def load_industries(path: Path = DATA_DIR / "industries.csv") -> int:
    order = {"section": 0, "division": 1, "group": 2, "class": 3}
    with path.open(encoding="utf-8", newline="") as handle:
        rows = sorted(csv.DictReader(handle), key=lambda r: (order.get(r["level"], 9), r["code"]))
    with transaction.atomic():
        existing = set(Industry.objects.values_list("code", flat=True))
        new = [
            Industry(
                code=r["code"],
                name=r["name"],
                level=r["level"],
                parent_id=r["parent_code"] or None,
                verified=r.get("mark", "") == "V",
            )
            for r in rows
            if r["code"] not in existing
        ]
        Industry.objects.bulk_create(new, batch_size=1000)
    return len(new)
