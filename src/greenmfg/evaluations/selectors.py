"""Reads about engagements, conflicts and third-party evaluations (the review chain calls these)."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet

from greencore import NATIONAL_PROJECTS_PER_YEAR, IndicatorComparison, Result, compare_results
from greenmfg.applications.models import Application, Dossier
from greenmfg.applications.selectors import applications_visible_to, latest_frozen
from greenmfg.applications.states import PRIVATE
from greenmfg.orgs.models import Organisation, OrgKind, OrgStatus
from greenmfg.orgs.predicates import evaluator_for
from greenmfg.orgs.selectors import Actor

from .models import CURRENT, ConflictDeclaration, Engagement, EngagementStatus, Finding


def engaged_application_ids(actor: Actor) -> QuerySet[Engagement, Any] | None:
    """The submitted applications the actor's evaluation body is engaged for (ids, as a subquery: an
    evaluator sees an application once it has been submitted, as a bureau does); None
    for anyone but an evaluator. Plugged into `applications.ports.readers`."""
    if not actor.is_evaluator:
        return None
    return (
        Engagement.objects.filter(body=actor.organisation, status__in=CURRENT)
        .exclude(Q(application__state__in=PRIVATE) | Q(application__submitted_at__isnull=True))
        .values("application_id")
    )


def engagements_visible_to(actor: Actor | None) -> QuerySet[Engagement]:
    """Engagements the actor may fetch: the body's evaluators those in force; the applicant all of its
    own (to follow and end them); the bureaus over the application the concluded ones."""
    base = Engagement.objects.select_related("application__call", "application__applicant", "body")
    if actor is None:
        return base.none()
    if actor.is_evaluator:
        return base.filter(body=actor.organisation, status__in=CURRENT)
    if actor.is_applicant:
        return base.filter(application__applicant=actor.organisation)
    if actor.is_reviewer:
        return base.filter(status=EngagementStatus.CONCLUDED, application__in=applications_visible_to(actor))
    return base.none()


def evaluation_readable(actor: Actor | None, engagement: Engagement) -> bool:
    """Whether the actor may read the evaluation itself (values, points, findings): the body always, the
    others once it is concluded — no one outside the body reads a draft evaluation."""
    if actor is None:
        return False
    if evaluator_for(actor, engagement.body_id):
        return True
    return engagement.status == EngagementStatus.CONCLUDED


def findings_visible_to(actor: Actor | None) -> QuerySet[Finding]:
    visible = engagements_visible_to(actor)
    if actor is None or not actor.is_evaluator:
        visible = visible.filter(status=EngagementStatus.CONCLUDED)
    return Finding.objects.select_related("engagement").filter(engagement__in=visible)


def body_engagements(actor: Actor) -> QuerySet[Engagement]:
    """The evaluator's list: every engagement in force of the body, newest first."""
    if not actor.is_evaluator:
        return Engagement.objects.none()
    return engagements_visible_to(actor).order_by("-engaged_at")


def engagement_for(application: Application) -> Engagement | None:
    """The engagement in force for the application (being evaluated or concluded), or None."""
    return (
        Engagement.objects.select_related("body").filter(application=application, status__in=CURRENT).first()
    )


def engagement_history(application: Application) -> QuerySet[Engagement]:
    return Engagement.objects.select_related("body").filter(application=application).order_by("-engaged_at")


def evaluation_concluded(application: Application) -> bool:
    return Engagement.objects.filter(application=application, status=EngagementStatus.CONCLUDED).exists()


def third_party_score(application: Application) -> Decimal | None:
    engagement = Engagement.objects.filter(application=application, status=EngagementStatus.CONCLUDED).first()
    return engagement.score if engagement is not None else None


def engaged_body(application: Application) -> Organisation | None:
    engagement = engagement_for(application)
    return engagement.body if engagement is not None else None


def comparison(engagement: Engagement) -> list[IndicatorComparison]:
    """Every leaf with the self-evaluation's and the evaluator's points. A concluded engagement compares
    against the version and margin fixed at conclusion; one in progress against the latest submitted
    version and the call's current margin. Empty until both sides have a result."""
    if engagement.result is None:
        return []
    dossier: Dossier | None
    if engagement.status == EngagementStatus.CONCLUDED and engagement.dossier is not None:
        dossier = engagement.dossier
        margin = engagement.score_margin
    else:
        dossier = latest_frozen(engagement.application)
        margin = engagement.application.call.score_margin
    if dossier is None or dossier.result is None or margin is None:
        return []
    return compare_results(stored_result(dossier.result), stored_result(engagement.result), margin)


def stored_result(stored: Any) -> Result:
    """A stored greencore result (Dossier.result, Engagement.result) read back."""
    # the platform stores Result.to_json() text in a JSONField (as Dossier does)
    return Result.from_json(stored if isinstance(stored, str) else json.dumps(stored, ensure_ascii=False))


def grade_label(engagement: Engagement) -> str:
    """The grade's name as the scheme words it (e.g. 3A级绿色工厂（市级）); the stored grade is its id."""
    if engagement.result is None or not engagement.grade:
        return ""
    return stored_result(engagement.result).grade_label or engagement.grade


def flagged_indicators(application: Application) -> list[IndicatorComparison]:
    """The leaves of the concluded third-party evaluation whose points differ from the self-evaluation by
    more than the call's margin: what the reviewers must look at. Empty when nothing is concluded."""
    engagement = (
        Engagement.objects.select_related("dossier", "application__call")
        .filter(application=application, status=EngagementStatus.CONCLUDED)
        .first()
    )
    if engagement is None:
        return []
    return [c for c in comparison(engagement) if c.flagged]


def national_projects(body: Organisation, year: int) -> int:
    """What counts against the body's quota: national-level engagements in force in `year`."""
    return Engagement.objects.filter(
        body=body, year=year, status__in=CURRENT, application__call__level=NATIONAL_PROJECTS_PER_YEAR.level
    ).count()


def evaluation_bodies(year: int) -> QuerySet[Organisation]:
    """The registered, confirmed evaluation bodies an applicant may choose, with `national_taken`."""
    return (
        Organisation.objects.filter(kind=OrgKind.EVALUATION_BODY, status=OrgStatus.ACTIVE)
        .annotate(
            national_taken=Count(
                "engagements",
                filter=Q(
                    engagements__year=year,
                    engagements__status__in=CURRENT,
                    engagements__application__call__level=NATIONAL_PROJECTS_PER_YEAR.level,
                ),
            )
        )
        .order_by("name")
    )


def conflicts_between(body: Organisation, applicant: Organisation) -> QuerySet[ConflictDeclaration]:
    return ConflictDeclaration.objects.filter(body=body, applicant=applicant)


def conflicts_of(actor: Actor) -> QuerySet[ConflictDeclaration]:
    """The declarations the actor's organisation is party to (as the body or as the applicant)."""
    if actor.is_evaluator:
        return ConflictDeclaration.objects.select_related("applicant").filter(body=actor.organisation)
    if actor.is_applicant:
        return ConflictDeclaration.objects.select_related("body").filter(applicant=actor.organisation)
    return ConflictDeclaration.objects.none()


def applicant_by_credit_code(code: str) -> Organisation | None:
    """The enterprise or park a body names by its 统一社会信用代码 when declaring a conflict."""
    return Organisation.objects.filter(
        credit_code=code.strip().upper(), kind__in=(OrgKind.ENTERPRISE, OrgKind.PARK)
    ).first()


def unlisted_body(engagement: Engagement) -> bool:
    """The engagement is in force with a body its bureau has since suspended or removed (issue 12): flagged
    for the applicant to end it and engage a listed one."""
    return engagement.status == EngagementStatus.ENGAGED and engagement.body.status in (
        OrgStatus.SUSPENDED,
        OrgStatus.REMOVED,
    )
