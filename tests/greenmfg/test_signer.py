"""The separate signer role (签发人员, issue 12, ADR 0011): a bureau's reviewer prepares, its signer
confirms the decisions greencore names — opening publicity, publishing the announcement that grants titles,
revoking a title. A reviewer who does not sign (the demo's sz-clerk, 苏州市) is refused each of them, in the
service and on the page, and nothing changes; the signer (sz-reviewer) then takes the same step."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from factories import actor
from supervision_world import grant_title
from test_reviews import published_journey

from greencore import SIGNED_DECISIONS, load_workflow, may_decide, needs_signer
from greenmfg.audit.models import Event
from greenmfg.publication import services as publication
from greenmfg.publication.models import Announcement, PublicityNotice, Title
from greenmfg.supervision import services as supervision
from greenmfg.supervision.models import Revocation


def test_the_workflow_table_gives_the_signer_alone_exactly_the_signed_transitions():
    table = load_workflow("application")
    signer_only = {t.id for t in table.transitions.values() if t.roles == frozenset({"signer"})}
    assert signer_only == {"open_publicity", "publish"}
    assert signer_only <= set(SIGNED_DECISIONS)
    # every other bureau transition is a reviewer's and a signer's alike
    for t in table.transitions.values():
        if "reviewer" in t.roles:
            assert "signer" in t.roles, t.id
    assert (needs_signer("revoke_title"), needs_signer("forward")) == (True, False)
    assert (may_decide("reviewer", "publish"), may_decide("signer", "publish")) == (False, True)
    assert (may_decide("reviewer", "forward"), may_decide("signer", "forward")) == (True, True)
    assert may_decide("applicant", "forward") is False


def test_the_reviewer_prepares_and_the_signer_opens_publicity_and_publishes(world):
    application = published_journey(world)  # passed at the city step, awaiting publicity
    clerk, signer = actor(world.users["sz-clerk"]), actor(world.users["sz-reviewer"])
    events = Event.objects.count()
    with pytest.raises(PermissionDenied):
        publication.open_publicity(clerk, application.call)
    application.refresh_from_db()
    assert (application.state, PublicityNotice.objects.count(), Event.objects.count()) == (
        "in_review",
        0,
        events,
    )
    # the page: the clerk sees the queue without the button, and a posted form is refused
    page = world.client("sz-clerk").get(reverse("reviews:queue")).content.decode()
    assert "发布公示须由本部门签发人员签发" in page
    response = world.client("sz-clerk").post(
        reverse("publication:open", kwargs={"code": application.call.code})
    )
    assert response.status_code == 403
    assert (PublicityNotice.objects.count(), Event.objects.count()) == (0, events)

    notice = publication.open_publicity(signer, application.call)
    later = notice.closes_on + timedelta(days=1)
    events = Event.objects.count()
    with pytest.raises(PermissionDenied):
        publication.publish(clerk, notice, today=later)
    notice.refresh_from_db()
    application.refresh_from_db()
    assert (notice.closed_at, application.state, Title.objects.count(), Event.objects.count()) == (
        None,
        "publicity",
        0,
        events,
    )
    manage = world.client("sz-clerk").get(
        reverse("publication:manage", kwargs={"public_id": notice.public_id})
    )
    assert manage.status_code == 200 and 'id="signer-needed"' in manage.content.decode()
    assert 'id="publish"' not in manage.content.decode()
    response = world.client("sz-clerk").post(
        reverse("publication:publish", kwargs={"public_id": notice.public_id})
    )
    assert response.status_code == 403
    assert (Announcement.objects.count(), Title.objects.count()) == (0, 0)

    announcement = publication.publish(signer, notice, today=later)
    assert announcement.published_by == world.users["sz-reviewer"]
    assert announcement.titles.count() == 1


def test_only_the_signer_revokes_a_title(world):
    title = grant_title(world)
    clerk, signer = actor(world.users["sz-clerk"]), actor(world.users["sz-reviewer"])
    events = Event.objects.count()
    with pytest.raises(PermissionDenied):
        supervision.revoke(clerk, title, reason="major_accident", details="发生较大生产安全事故")
    client = world.client("sz-clerk")
    page = client.get(f"/supervision/titles/{title.public_id}/revoke/")
    assert page.status_code == 200 and 'id="revoke-form"' not in page.content.decode()
    response = client.post(
        f"/supervision/titles/{title.public_id}/revoke/",
        {"reason": "major_accident", "details": "发生较大生产安全事故"},
    )
    assert response.status_code == 403
    title.refresh_from_db()
    assert (title.status, Revocation.objects.count(), Event.objects.count()) == (
        Title.Status.ACTIVE,
        0,
        events,
    )
    revocation = supervision.revoke(signer, title, reason="major_accident", details="发生较大生产安全事故")
    assert revocation.revoked_by == world.users["sz-reviewer"]


def test_a_clerk_is_a_reviewer_and_gets_the_second_factor(world):
    clerk = actor(world.users["sz-clerk"])
    assert (clerk.is_reviewer, clerk.is_signer, clerk.role_label) == (True, False, "审核人员")
    signer = actor(world.users["sz-reviewer"])
    assert (signer.is_reviewer, signer.is_signer, signer.role_label) == (True, True, "签发人员")
    assert world.users["sz-clerk"].totpdevice_set.filter(confirmed=True).count() == 1
