"""Reads of evidence files, by the application they belong to (its id: evidence sits below applications)."""

from __future__ import annotations

from django.db.models import QuerySet

from .models import EvidenceFile


def current_evidence(application_id: int) -> QuerySet[EvidenceFile]:
    """The files in force: not withdrawn and not replaced by a newer version."""
    return EvidenceFile.objects.filter(
        application_id=application_id, withdrawn_at__isnull=True, replaced_by__isnull=True
    ).order_by("indicator", "uploaded_at")


def submitted_evidence(application_id: int) -> QuerySet[EvidenceFile]:
    """The files of the last submission: frozen, and not replaced by a frozen newer version. What a
    bureau, evaluator or expert sees; a file added to a draft after a return is its author's alone."""
    return (
        EvidenceFile.objects.filter(application_id=application_id, frozen_at__isnull=False)
        .exclude(replaced_by__frozen_at__isnull=False)
        .order_by("indicator", "uploaded_at")
    )


def evidence_by_indicator(
    application_id: int, *, submitted_only: bool = False
) -> dict[str, list[EvidenceFile]]:
    out: dict[str, list[EvidenceFile]] = {}
    files = submitted_evidence(application_id) if submitted_only else current_evidence(application_id)
    for item in files:
        out.setdefault(item.indicator, []).append(item)
    return out


def indicators_with_evidence(application_id: int) -> set[str]:
    return set(current_evidence(application_id).values_list("indicator", flat=True))
