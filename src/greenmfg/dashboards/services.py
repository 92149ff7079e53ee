"""Writes of the dashboards context: a bureau's targets, and the reference targets of the plans greenmfg
was built from (data/targets.csv, reloaded idempotently)."""

from __future__ import annotations

import csv
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db import transaction

from greencore import StatisticsError, required_count
from greenmfg.audit import services as audit
from greenmfg.catalog.models import TitleKind, TitleLevel
from greenmfg.core.errors import Refused
from greenmfg.orgs.selectors import Actor

from .models import Confidence, Target

DATA = Path(__file__).resolve().parent / "data" / "targets.csv"
MAX_COUNT = 1_000_000


class TargetRefused(Refused):
    pass


def load_reference_targets(path: Path = DATA) -> int:
    """Create or update the reference targets (keyed by `key`); returns how many rows were read."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    with transaction.atomic():
        for row in rows:
            Target.objects.update_or_create(
                reference_key=row["key"],
                defaults={
                    "scope": row["scope"],
                    "region_id": row["region"] or None,
                    "place_text": row["place_text"],
                    "kind": row["kind"],
                    "level": row["level"],
                    "count": int(row["count"]),
                    "deadline": date.fromisoformat(row["deadline"]),
                    "source_document": row["source_document"],
                    "source_ref": row["source_ref"],
                    "confidence": row["confidence"],
                },
            )
    return len(rows)


def record_target(
    actor: Actor,
    *,
    kind: str,
    level: str,
    count: int | None,
    deadline: date,
    source_document: str,
    source_ref: str = "",
    share: Decimal | None = None,
    base_count: int | None = None,
    base_label: str = "",
) -> Target:
    """A target of the bureau's own jurisdiction: a count, or a share (%) of a base the bureau names, whose
    count greencore computes (`required_count`, rounded up). The form has checked the fields' shapes; this
    checks the rule: only a bureau records targets, for its own jurisdiction."""
    if not actor.is_reviewer:
        raise TargetRefused("只有主管部门可以设定目标。", "Only an authority records targets.")
    if kind not in TitleKind.values or (level and level not in TitleLevel.values):
        raise TargetRefused("称号类型或级别无效。", "Unknown title kind or level.")
    if share is not None:
        if count is not None or base_count is None or not base_label.strip():
            raise TargetRefused(
                "占比目标须填写基数及其说明，且不再填写目标数量。",
                "A share needs its base and what the base is, and no count.",
            )
        try:
            count = required_count(share, base_count)
        except StatisticsError:
            raise TargetRefused(
                "占比应大于 0、不超过 100%。", "The share must be above 0 and at most 100 %."
            ) from None
    elif base_count is not None:
        raise TargetRefused("只有占比目标才有基数。", "Only a share has a base.")
    if count is None or not 0 < count <= MAX_COUNT:
        raise TargetRefused("目标数量应为 1 至 1000000。", "The target count must be 1 to 1,000,000.")
    if not source_document.strip():
        raise TargetRefused("请填写目标的出处（文件名称）。", "Name the source document of the target.")
    authority = actor.organisation
    ministry = authority.level == "ministry"
    fields: dict[str, Any] = {
        "scope": authority.level,
        "region": None if ministry else authority.region,
        "place_text": "全国" if ministry else authority.region.name,
        "kind": kind,
        "level": level,
        "count": count,
        "share": share,
        "base_count": base_count,
        "base_label": base_label.strip() if share is not None else "",
        "deadline": deadline,
        "source_document": source_document.strip(),
        "source_ref": source_ref.strip(),
        "confidence": Confidence.VERIFIED,  # the bureau's own document
        "authority": authority,
        "recorded_by": actor.user,
    }
    with transaction.atomic():
        target = Target.objects.create(**fields)
        audit.record(
            "target.recorded",
            actor=actor.user,
            role=actor.role,
            organisation_id=authority.pk,
            obj=target,
            detail={
                "kind": kind,
                "level": level,
                "count": count,
                "share": None if share is None else str(share),
                "base_count": base_count,
                "deadline": deadline.isoformat(),
            },
        )
    return target
