"""`{% evaluation_panel application user %}`: the third-party evaluation box of the dossier page, for
whoever reads it — the applicant engages or ends and declares conflicts, the body finds its way to the
evaluation, the bureaus see the concluded score and the flagged indicators."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import timezone

from greencore import NATIONAL_PROJECTS_PER_YEAR, quota_counts
from greenmfg.applications.models import Application
from greenmfg.applications.states import ENGAGEABLE
from greenmfg.evaluations.models import ConflictKind, EngagementStatus
from greenmfg.evaluations.selectors import (
    conflicts_of,
    engagement_for,
    engagement_history,
    engagements_visible_to,
    evaluation_bodies,
    flagged_indicators,
    grade_label,
    unlisted_body,
)
from greenmfg.orgs.predicates import applicant_for
from greenmfg.orgs.selectors import AnyUser, actor_of

register = template.Library()


@register.inclusion_tag("evaluations/_panel.html", takes_context=True)
def evaluation_panel(context: template.Context, application: Application, user: AnyUser) -> dict[str, Any]:
    actor = actor_of(user)
    call = application.call
    current = engagement_for(application)
    is_owner = applicant_for(actor, application.applicant_id)
    year = timezone.localdate().year
    can_open = current is not None and engagements_visible_to(actor).filter(pk=current.pk).exists()
    concluded = current is not None and current.status == EngagementStatus.CONCLUDED
    return {
        "csrf_token": context.get("csrf_token"),
        "request": context.get("request"),
        "application": application,
        "required": call.requires_third_party,
        "current": current,
        "unlisted": current is not None and unlisted_body(current),
        "can_open": can_open,
        "flagged": flagged_indicators(application) if concluded and can_open else [],
        "grade_label": grade_label(current) if concluded and can_open and current else "",
        "is_owner": is_owner,
        "can_engage": is_owner
        and call.requires_third_party
        and current is None
        and application.state in ENGAGEABLE,
        "history": ([e for e in engagement_history(application) if not e.is_current] if is_owner else []),
        "bodies": evaluation_bodies(year) if is_owner else [],
        "year": year,
        "national": quota_counts(call.level),
        "quota": NATIONAL_PROJECTS_PER_YEAR,
        "conflicts": conflicts_of(actor) if is_owner and actor is not None else [],
        "conflict_kinds": ConflictKind.choices,
    }
