from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from .models import EvidenceFile


def current_evidence(application: Any) -> QuerySet[EvidenceFile]:
    """The files in force: not withdrawn and not replaced by a newer version."""
    return EvidenceFile.objects.filter(
        application=application, withdrawn_at__isnull=True, replaced_by__isnull=True
    ).order_by("indicator", "uploaded_at")


def evidence_by_indicator(application: Any) -> dict[str, list[EvidenceFile]]:
    out: dict[str, list[EvidenceFile]] = {}
    for item in current_evidence(application):
        out.setdefault(item.indicator, []).append(item)
    return out


def missing_evidence(application: Any, form: Any) -> list[str]:
    """Indicators the call requires evidence for that have none (call.eligibility["evidence_required"])."""
    required = application.call.eligibility.get("evidence_required", [])
    have = set(current_evidence(application).values_list("indicator", flat=True))
    labels = dict(form.indicators)
    return [labels.get(i, i) for i in required if i not in have]
