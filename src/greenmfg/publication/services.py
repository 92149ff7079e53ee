"""Importing the real national lists (batches 1–6) as historical titles, with a data-quality report."""

from __future__ import annotations

from django.db import transaction

from greenmfg.reference.national_lists import load_regions, read_national_lists
from greenmfg.reference.services import DATA_DIR

from .models import HistoricalTitle, ImportIssue


def import_national_lists() -> str:
    """Idempotent: a second run finds every source row already taken and adds nothing."""
    if HistoricalTitle.objects.exists():
        return f"already imported ({HistoricalTitle.objects.count()} titles)"
    regions = load_regions(DATA_DIR / "regions.csv")
    result = read_national_lists(DATA_DIR / "national-lists", regions)
    with transaction.atomic():
        HistoricalTitle.objects.bulk_create(
            [
                HistoricalTitle(
                    kind=t.kind,
                    batch=t.batch,
                    announced=t.announced,
                    listed_region=t.listed_region,
                    province_id=t.province_code,
                    unit_name=t.unit_name,
                    industry=t.industry,
                    evaluation_body=t.evaluation_body,
                    product_name=t.product_name,
                    product_model=t.product_model,
                    recommending_unit=t.recommending_unit,
                    product_category=t.product_category,
                    highlights=t.highlights,
                    standard=t.standard,
                    source_file=t.source_file,
                    source_row=t.source_row,
                )
                for t in result.titles
            ],
            batch_size=1000,
        )
        ImportIssue.objects.bulk_create(
            [
                ImportIssue(
                    source_file=i.source_file,
                    source_row=i.source_row,
                    severity=i.severity,
                    field=i.field,
                    reason_zh=i.reason_zh[:300],
                    reason_en=i.reason_en[:300],
                    original=i.original or "",
                    corrected=i.corrected or "",
                )
                for i in result.issues
            ],
            batch_size=1000,
        )
    return f"{len(result.titles)} titles, {len(result.issues)} issues"
