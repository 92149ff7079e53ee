"""Authorization-matrix rows for the reports context (merged into test_authorization_matrix.MATRIX).

The base application (sz-machinery, submitted) gets one finished document, made from its frozen version,
and a granted title whose certificate its holder and the announcing city bureau may download:
the owner and the bureaus over 吴中区 may see, generate, verify and download; everyone else gets 404. An
empty POST to generate or verify is refused and sent back (302), creating nothing.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from factories import actor

from greenmfg.publication.models import Title
from greenmfg.reports import services, storage
from greenmfg.reports.models import Document, IssuedDocument
from greenmfg.supervision.models import Filing


def objects(world: Any, found: dict[str, Any]) -> dict[str, Any]:
    owner = actor(world.users["sz-machinery"])
    document = services.request_document(owner, found["application"], "self_evaluation", "pdf")
    services.finish(document, b"%PDF-1.7\n% matrix test document\n")
    # a title of the base application on matrix_reviews' announcement (the city's): its certificate is for
    # the holder and the issuing bureau only
    title = Title.objects.create(
        organisation=found["application"].applicant,
        application=found["application"],
        announcement=found["announcement"],
        kind="factory",
        level="city",
        scheme="factory-gbt36132-2025@2025.1",
        valid_from=timezone.localdate(),
    )
    # an accepted 动态管理表 of that title in the city's round, its confirmation and the round's summary
    bureau = world.users["sz-reviewer"].membership.organisation
    today = timezone.localdate()
    filing = Filing.objects.create(
        title=title, authority=bureau, year=2027, deadline=today, status="accepted", submitted_on=today
    )
    confirmation = _issued(
        kind="filing_confirmation", subject=str(filing.public_id), authority=bureau, filing=filing, year=2027
    )
    summary = _issued(kind="round_summary", subject=f"{bureau.pk}/2027", authority=bureau, year=2027)
    return {
        "document": Document.objects.get(pk=document.pk),
        "title": title,
        "rp_filing": filing,
        "rp_confirmation": confirmation,
        "rp_summary": summary,
    }


def _issued(**fields: Any) -> IssuedDocument:
    name, digest = storage.store_digested(b"%PDF-1.7\n% matrix issued document\n", "pdf")
    return IssuedDocument.objects.create(
        format="pdf", label="矩阵测试文件", number=1, status="done", storage_name=name, sm3=digest, **fields
    )


def holder_or_issuer(role: str) -> bool:
    return role in {"sz-machinery", "sz-reviewer"}


def issuing_bureau(role: str) -> bool:
    """The bureau that issued the notice (the city's)."""
    return role == "sz-reviewer"


def round_bureau(role: str) -> bool:
    """The bureau that opened the round (the city's), and the unit for its own filing's confirmation."""
    return role == "sz-reviewer"


def _application(o: dict[str, Any]) -> dict[str, Any]:
    return {"public_id": o["application"].public_id}


def _document(o: dict[str, Any]) -> dict[str, Any]:
    return {"pk": o["document"].pk}


ROWS: dict[str, Any] = {
    "reports:application": ("GET", _application, "visible", 200),
    "reports:generate": ("POST", _application, "visible", 302),  # no format chosen: refused, sent back
    "reports:verify": ("POST", _application, "visible", 302),  # no file: refused, sent back
    "reports:status": ("GET", _document, "visible", 200),
    "reports:download": ("GET", _document, "visible", 200),
    "reports:certificate": ("GET", lambda o: {"title_id": o["title"].public_id}, holder_or_issuer, 200),
    "reports:verify_certificate": ("GET", None, "public", 200),
    # asking for the certificate: the worker renders it; the holder and the issuer are sent back to it
    "reports:certificate_issue": (
        "POST",
        lambda o: {"title_id": o["title"].public_id},
        holder_or_issuer,
        302,
    ),
    # dynamic management: a filing's confirmation for the unit and the round's bureau; the round's summary
    # for its bureau; any bureau may ask for its own round's summary (an empty request is refused, 302)
    "reports:filing_confirmation": (
        "POST",
        lambda o: {"public_id": o["rp_filing"].public_id},
        holder_or_issuer,
        302,
    ),
    "reports:round_summary": ("POST", None, "reviewers", 302),
    "reports:issued": ("GET", lambda o: {"pk": o["rp_confirmation"].pk}, holder_or_issuer, 200),
    "reports:issued_download": ("GET", lambda o: {"pk": o["rp_summary"].pk}, round_bureau, 200),
    "reports:verify_issued": ("GET", None, "public", 200),
    "reports:published_list": ("GET", lambda o: {"public_id": o["announcement"].public_id}, "public", 200),
    # the notice and the announcement as PDF: public, as the pages they print
    "reports:notice_pdf": ("GET", lambda o: {"public_id": o["notice"].public_id}, "public", 200),
    "reports:announcement_pdf": ("GET", lambda o: {"public_id": o["announcement"].public_id}, "public", 200),
    # "retry now" of a notice's PDF: the issuing (city) bureau alone; nothing failed, so it is refused and
    # sent back to the notice's page (302), everyone else 404
    "reports:public_retry": (
        "POST",
        lambda o: {"kind": "notice", "public_id": o["notice"].public_id},
        issuing_bureau,
        302,
    ),
    # the panel's score sheet of the city step: the city bureau alone (it decides the step); the base
    # application's panel has not signed, so the city gets the refusal (409), everyone else 404
    "reports:panel_scores": (
        "GET",
        lambda o: {"public_id": o["application"].public_id, "step": 1},
        lambda role: role == "sz-reviewer",
        409,
    ),
    "reports:call_summary": ("GET", lambda o: {"code": o["application"].call.code}, "reviewers", 200),
}
