"""Reads of evidence files, by the application they belong to (its id: evidence sits below applications)."""

from __future__ import annotations

from django.db.models import QuerySet

from .models import EvidenceFile


def current_evidence(application_id: int) -> QuerySet[EvidenceFile]:
    """The files in force: not withdrawn and not replaced by a newer version."""
    return EvidenceFile.objects.filter(
        application_id=application_id, withdrawn_at__isnull=True, replaced_by__isnull=True
    ).order_by("indicator", "uploaded_at")


def evidence_by_indicator(application_id: int) -> dict[str, list[EvidenceFile]]:
    out: dict[str, list[EvidenceFile]] = {}
    for item in current_evidence(application_id):
        out.setdefault(item.indicator, []).append(item)
    return out


def indicators_with_evidence(application_id: int) -> set[str]:
    return set(current_evidence(application_id).values_list("indicator", flat=True))
