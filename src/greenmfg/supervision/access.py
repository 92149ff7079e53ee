"""The gates through which views fetch supervision's objects: missing and not-yours both answer 404."""

from __future__ import annotations

from typing import Any

from django.http import Http404

from greenmfg.orgs.models import Organisation
from greenmfg.orgs.selectors import AnyUser, actor_of
from greenmfg.publication.models import Title

from .models import (
    ChangeEvent,
    Check,
    Draw,
    EvidenceFile,
    Filing,
    Rectification,
    RegradeJob,
    Report,
    ReportFile,
)
from .selectors import (
    changes_visible_to,
    checks_visible_to,
    draws_of,
    evaluation_bodies_seen_by,
    filings_visible_to,
    jobs_of,
    own_titles,
    rectifications_visible_to,
    reports_visible_to,
    supervised_titles,
)


def access_own_draw(user: AnyUser, public_id: Any) -> Draw:
    """A draw the user's bureau made."""
    try:
        return draws_of(actor_of(user)).get(public_id=public_id)
    except (Draw.DoesNotExist, ValueError):
        raise Http404 from None


def access_check(user: AnyUser, public_id: Any) -> Check:
    """A check the user's bureau runs, or one of the user's own unit's titles."""
    try:
        return checks_visible_to(actor_of(user)).get(public_id=public_id)
    except (Check.DoesNotExist, ValueError):
        raise Http404 from None


def access_rectification(user: AnyUser, public_id: Any) -> Rectification:
    """A rectification the user's bureau opened, or one of the user's own unit's."""
    try:
        return rectifications_visible_to(actor_of(user)).get(public_id=public_id)
    except (Rectification.DoesNotExist, ValueError):
        raise Http404 from None


def access_supervised_title(user: AnyUser, public_id: Any) -> Title:
    """A title of the bureau's level in its jurisdiction."""
    try:
        return supervised_titles(actor_of(user)).get(public_id=public_id)
    except (Title.DoesNotExist, ValueError):
        raise Http404 from None


def access_file(user: AnyUser, pk: Any) -> EvidenceFile:
    """A file of a finding, a rectification or a filing the user may see (through what it belongs to)."""
    actor = actor_of(user)
    try:
        found = EvidenceFile.objects.select_related("finding", "rectification").get(pk=int(pk))
    except (EvidenceFile.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if found.finding is not None:
        visible = checks_visible_to(actor).filter(pk=found.finding.check_of_id).exists()
    elif found.filing_id is not None:
        # an open filing's files are the unit's draft (kept after a refused submission): its own alone
        filings = filings_visible_to(actor)
        if actor is None or not actor.is_applicant:
            filings = filings.filter(status=Filing.Status.ACCEPTED)
        visible = filings.filter(pk=found.filing_id).exists()
    elif found.rectification_id is not None:
        visible = rectifications_visible_to(actor).filter(pk=found.rectification_id).exists()
    else:
        visible = False  # a file of neither (not written by the services)
    if not visible:
        raise Http404
    return found


def access_filing(user: AnyUser, public_id: Any) -> Filing:
    """A filing of the user's own unit, or one of the bureau's rounds."""
    try:
        return filings_visible_to(actor_of(user)).get(public_id=public_id)
    except (Filing.DoesNotExist, ValueError):
        raise Http404 from None


def access_own_job(user: AnyUser, pk: Any) -> RegradeJob:
    actor = actor_of(user)
    if actor is None or not actor.is_reviewer:
        raise Http404
    try:
        return jobs_of(actor).get(pk=int(pk))
    except (RegradeJob.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def access_reportable_title(public_id: Any) -> Title:
    """Any active title, for anyone to report (the register shows them all)."""
    try:
        return Title.objects.select_related("organisation").get(
            public_id=public_id, status=Title.Status.ACTIVE
        )
    except (Title.DoesNotExist, ValueError):
        raise Http404 from None


def access_report_to_verify(public_id: Any) -> Report:
    """The reporter's own page, reached through the link after filing: the report's random public id is
    the capability, and the page shows nothing of the report but the masked address."""
    try:
        return Report.objects.select_related("title__organisation").get(public_id=public_id)
    except (Report.DoesNotExist, ValueError):
        raise Http404 from None


def access_report(user: AnyUser, public_id: Any) -> Report:
    """A verified report on a title the user's bureau supervises."""
    try:
        return reports_visible_to(actor_of(user)).get(public_id=public_id)
    except (Report.DoesNotExist, ValueError):
        raise Http404 from None


def access_report_file(user: AnyUser, pk: Any) -> ReportFile:
    """A file of a report the user's bureau may see."""
    try:
        found = ReportFile.objects.get(pk=int(pk))
    except (ReportFile.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if not reports_visible_to(actor_of(user)).filter(pk=found.report_id).exists():
        raise Http404
    return found


def access_own_title(user: AnyUser, public_id: Any) -> Title:
    """An active title of the user's own unit."""
    try:
        return own_titles(actor_of(user)).get(public_id=public_id)
    except (Title.DoesNotExist, ValueError):
        raise Http404 from None


def access_change(user: AnyUser, public_id: Any) -> ChangeEvent:
    """A change declared on a title the user's bureau supervises, or on one of the user's unit's."""
    try:
        return changes_visible_to(actor_of(user)).get(public_id=public_id)
    except (ChangeEvent.DoesNotExist, ValueError):
        raise Http404 from None


def access_body(user: AnyUser, pk: Any) -> Organisation:
    """An evaluation body, for a bureau that supervises titles (its track record, its reports' checks)."""
    try:
        return evaluation_bodies_seen_by(actor_of(user)).get(pk=int(pk))
    except (Organisation.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
