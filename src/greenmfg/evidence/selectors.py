from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from .models import EvidenceFile


def current_evidence(application: Any) -> QuerySet[EvidenceFile]:
    """The files in force: not withdrawn and not replaced by a newer version."""
    return EvidenceFile.objects.filter(
        application=application, withdrawn_at__isnull=True, replaced_by__isnull=True
    ).order_by("indicator", "uploaded_at")


def submitted_evidence(application: Any) -> QuerySet[EvidenceFile]:
    """The files of the last submission: frozen, and not replaced by a frozen newer version. What a
    bureau, evaluator or expert sees; a file added to a draft after a return is its author's alone."""
    return (
        EvidenceFile.objects.filter(application=application, frozen_at__isnull=False)
        .exclude(replaced_by__frozen_at__isnull=False)
        .order_by("indicator", "uploaded_at")
    )


def evidence_by_indicator(application: Any, *, submitted_only: bool = False) -> dict[str, list[EvidenceFile]]:
    out: dict[str, list[EvidenceFile]] = {}
    files = submitted_evidence(application) if submitted_only else current_evidence(application)
    for item in files:
        out.setdefault(item.indicator, []).append(item)
    return out


def missing_evidence(application: Any, form: Any) -> list[str]:
    """Indicators the call requires evidence for that have none (call.eligibility["evidence_required"])."""
    required = application.call.eligibility.get("evidence_required", [])
    have = set(current_evidence(application).values_list("indicator", flat=True))
    labels = dict(form.indicators)
    return [labels.get(i, i) for i in required if i not in have]
