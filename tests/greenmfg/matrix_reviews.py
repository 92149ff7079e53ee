"""Authorization-matrix rows for the review chain and publication (merged into the MATRIX).

The base application is submitted to suzhou-2026-factory (吴中区): its current step is the district's.
Bureaus that can see it but do not decide its step get 403 on decisions; everyone else 404."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from greenmfg.applications.models import Application
from greenmfg.publication.models import Announcement, Objection, PublicityEntry, PublicityNotice
from greenmfg.reviews.models import Assignment, ExpertProfile

IN_JURISDICTION = {"wz-reviewer", "sz-reviewer", "js-reviewer", "mof-reviewer"}
REVIEWERS = {
    "wz-reviewer",
    "ks-reviewer",
    "sz-reviewer",
    "wx-reviewer",
    "js-reviewer",
    "mof-reviewer",
}
# bureaus taking part in the Suzhou call: inside its city, or above it
IN_CALL = {"wz-reviewer", "ks-reviewer", "sz-reviewer", "js-reviewer", "mof-reviewer"}


def step_decision(role: str) -> bool | int:
    if role == "wz-reviewer":
        return True
    return 403 if role in IN_JURISDICTION else False


def city_only(role: str) -> bool | int:
    """Objects of the city's own notice: the city bureau alone."""
    return role == "sz-reviewer"


def open_publicity(role: str) -> bool | int:
    if role == "sz-reviewer":
        return True
    return 403 if role in IN_CALL else False


def forwarding(role: str) -> bool | int:
    # the grading call's district step forwards by rule; only district bureaus of Suzhou decide it
    return role in {"wz-reviewer", "ks-reviewer"}


def experts(role: str) -> bool | int:
    return role == "expert-1"


def objects(world: Any, found: dict[str, Any]) -> dict[str, Any]:
    application = found["application"]
    city = world.users["sz-reviewer"].membership.organisation
    today = timezone.localdate()
    # set up directly: the matrix checks who reaches these objects, not how they came about
    notice = PublicityNotice.objects.create(
        call=application.call,
        authority=city,
        title="矩阵测试公示",
        opens_on=today,
        closes_on=today + timedelta(days=6),
        created_by=world.users["sz-reviewer"],
    )
    entry = PublicityEntry.objects.create(
        notice=notice, application=application, unit_name=application.applicant.name, region_name="吴中区"
    )
    objection = Objection.objects.create(
        notice=notice, entry=entry, name="张三", contact="13800000000", grounds="矩阵测试异议理由充分"
    )
    now = timezone.now()
    # the expert's case is another enterprise's, so the base application's rows stay as they are
    other = Application.objects.create(
        call=application.call,
        applicant=world.users["sz-energy"].membership.organisation,
        region_id="320506",
        state="in_review",
        submitted_at=now,
    )
    assignment = Assignment.objects.create(
        application=other,
        step=0,
        expert=ExpertProfile.objects.get(user=world.users["expert-1"]),
        assigned_by=world.users["sz-reviewer"],
        opens_at=now - timedelta(minutes=1),
        closes_at=now + timedelta(days=1),
    )
    published = PublicityNotice.objects.create(
        call=application.call,
        authority=city,
        title="矩阵测试已公布名单",
        opens_on=today - timedelta(days=10),
        closes_on=today - timedelta(days=4),
        created_by=world.users["sz-reviewer"],
        closed_at=now,
    )
    announcement = Announcement.objects.create(
        authority=city,
        call=application.call,
        notice=published,
        year=today.year,
        sequence=1,
        number=f"矩阵测试〔{today.year}〕1号",
        title="矩阵测试公告",
        published_on=today,
        published_by=world.users["sz-reviewer"],
    )
    return {"notice": notice, "objection": objection, "assignment": assignment, "announcement": announcement}


ROWS: dict[str, Any] = {
    "reviews:queue": ("GET", None, "reviewers", 200),
    "reviews:case": ("GET", lambda o: {"public_id": o["application"].public_id}, "visible-reviewers", 200),
    "reviews:pass": ("POST", lambda o: {"public_id": o["application"].public_id}, step_decision, 302),
    "reviews:return": ("POST", lambda o: {"public_id": o["application"].public_id}, step_decision, 302),
    "reviews:reject": ("POST", lambda o: {"public_id": o["application"].public_id}, step_decision, 302),
    "reviews:credit": ("POST", lambda o: {"public_id": o["application"].public_id}, step_decision, 302),
    "reviews:panel": ("POST", lambda o: {"public_id": o["application"].public_id}, step_decision, 302),
    "reviews:meeting": ("POST", lambda o: {"public_id": o["application"].public_id}, step_decision, 302),
    # nothing resubmitted: refused, sent back
    "reviews:reopen_scores": (
        "POST",
        lambda o: {"public_id": o["application"].public_id},
        step_decision,
        302,
    ),
    "reviews:forwarding": (
        "GET",
        lambda o: {"code": "suzhou-2026-factory-grading", "step": 0},
        forwarding,
        200,
    ),
    "reviews:expert_cases": ("GET", None, experts, 200),
    "reviews:expert_score": ("GET", lambda o: {"public_id": o["assignment"].public_id}, experts, 200),
    "reviews:expert_sign": ("POST", lambda o: {"public_id": o["assignment"].public_id}, experts, 302),
    "reviews:expert_conflict": ("POST", lambda o: {"public_id": o["assignment"].public_id}, experts, 302),
    "publication:open": ("POST", lambda o: {"code": "suzhou-2026-factory"}, open_publicity, 302),
    "publication:manage": ("GET", lambda o: {"public_id": o["notice"].public_id}, city_only, 200),
    "publication:decide": ("POST", lambda o: {"public_id": o["objection"].public_id}, city_only, 302),
    "publication:publish": ("POST", lambda o: {"public_id": o["notice"].public_id}, city_only, 302),
    # 备案: the district grading announcements filed with (or by) the bureau; each bureau sees its own
    "publication:filings": ("GET", None, "reviewers", 200),
    "publication:notices": ("GET", None, "public", 200),
    "publication:notice": ("GET", lambda o: {"public_id": o["notice"].public_id}, "public", 200),
    "publication:announcement": ("GET", lambda o: {"public_id": o["announcement"].public_id}, "public", 200),
    # the objector's page behind the link sent after filing: its random id is the key, for anyone
    "publication:verify": ("GET", lambda o: {"public_id": o["objection"].public_id}, "public", 200),
}
