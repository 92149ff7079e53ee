"""Authorization-matrix rows for supervision (merged into test_authorization_matrix.MATRIX).

A bureau supervises the titles of its own level in its jurisdiction (the Suzhou city bureau: the city
titles of Suzhou's units); a check, a rectification and their files are the drawing bureau's and the titled
unit's. A refused POST (empty form, not yet overdue, already concluded) answers the allowed role with a
redirect and a message, and changes nothing."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from factories import actor, pdf_bytes
from supervision_world import grant_title
from test_reviews import emailed_code

from greenmfg.supervision import services
from greenmfg.supervision.models import Filing

BUREAUS = {"sz-reviewer", "wx-reviewer", "js-reviewer", "mof-reviewer"}  # those with a level of titles
APPLICANTS = {"sz-machinery", "sz-energy", "ks-electronics"}


DISTRICTS = {"wz-reviewer", "ks-reviewer", "xs-reviewer"}  # they re-check the city's titles on site


def home(role: str) -> bool | int:
    return role in BUREAUS or role in APPLICANTS or role in DISTRICTS


def supervising_or_unit(role: str) -> bool | int:
    return role in BUREAUS or role in APPLICANTS


def checking_bureaus(role: str) -> bool | int:
    return role in BUREAUS or role in DISTRICTS


def city_bureaus(role: str) -> bool | int:
    return role in {"sz-reviewer", "wx-reviewer"}


def bureaus(role: str) -> bool | int:
    return role in BUREAUS


def city_bureau(role: str) -> bool | int:
    return role == "sz-reviewer"


def bureau_or_unit(role: str) -> bool | int:
    return role in {"sz-reviewer", "sz-machinery"}


def unit(role: str) -> bool | int:
    return role == "sz-machinery"


def objects(world: Any, found: dict[str, Any]) -> dict[str, Any]:
    title = grant_title(world)
    bureau = actor(world.users["sz-reviewer"])
    drawn = services.draw(bureau, purpose="re_check", title_kind="factory", size=1, seed="matrix")
    check = drawn.checks.get()
    finding = services.record_finding(
        bureau,
        check,
        conforms=False,
        text="能源计量器具配备不全",
        files=[SimpleUploadedFile("现场照片.pdf", pdf_bytes("site"), content_type="application/pdf")],
    )
    services.conclude_check(bureau, check, today=date.today())
    services.open_filings(bureau, 2027)
    job = services.start_regrade(bureau, 2027)
    report = services.file_report(
        title,
        name="张三",
        contact="matrix-report@example.cn",
        grounds="该企业厂区夜间偷排废水，附现场照片。",
        files=[SimpleUploadedFile("照片.pdf", pdf_bytes("report"), content_type="application/pdf")],
    )
    report = services.verify_report(report, emailed_code("matrix-report@example.cn"))
    change = services.declare_change(
        actor(world.users["sz-machinery"]), title, kind="site", details="新增东侧地块并入厂区。"
    )
    return {
        "sv_change": change,
        "sv_report": report,
        "sv_report_file": report.files.get(),
        "sv_filing": Filing.objects.get(title=title, year=2027),
        "sv_job": job,
        "sv_title": title,
        "sv_draw": drawn,
        "sv_check": check,
        "sv_rectification": check.rectification,
        "sv_file": finding.files.get(),
        "sv_body": world.users["evaluator"].membership.organisation,
    }


ROWS: dict[str, Any] = {
    "supervision:home": ("GET", None, home, 200),
    "supervision:draw_new": ("GET", None, checking_bureaus, 200),
    "supervision:draw": ("GET", lambda o: {"public_id": o["sv_draw"].public_id}, city_bureau, 200),
    "supervision:check": ("GET", lambda o: {"public_id": o["sv_check"].public_id}, bureau_or_unit, 200),
    "supervision:finding": ("POST", lambda o: {"public_id": o["sv_check"].public_id}, city_bureau, 302),
    "supervision:conclude": ("POST", lambda o: {"public_id": o["sv_check"].public_id}, city_bureau, 302),
    "supervision:rectification": (
        "GET",
        lambda o: {"public_id": o["sv_rectification"].public_id},
        bureau_or_unit,
        200,
    ),
    "supervision:answer": ("POST", lambda o: {"public_id": o["sv_rectification"].public_id}, unit, 302),
    "supervision:decide": (
        "POST",
        lambda o: {"public_id": o["sv_rectification"].public_id},
        city_bureau,
        302,
    ),
    "supervision:revoke_overdue": (
        "POST",
        lambda o: {"public_id": o["sv_rectification"].public_id},
        city_bureau,
        302,
    ),
    "supervision:revoke": ("GET", lambda o: {"public_id": o["sv_title"].public_id}, city_bureau, 200),
    "supervision:file": ("GET", lambda o: {"pk": o["sv_file"].pk}, bureau_or_unit, 200),
    "supervision:filings": ("GET", None, supervising_or_unit, 200),
    # an empty POST: the year is refused with its reason (nothing opened, set or queued)
    "supervision:filings_open": ("POST", None, bureaus, 302),
    "supervision:filing_evidence": ("POST", None, bureaus, 302),
    "supervision:deadline": ("POST", None, bureaus, 302),
    "supervision:regrade": ("POST", None, bureaus, 302),
    "supervision:filing": ("GET", lambda o: {"public_id": o["sv_filing"].public_id}, bureau_or_unit, 200),
    "supervision:regrade_status": ("GET", lambda o: {"pk": o["sv_job"].pk}, city_bureau, 200),
    # social supervision: anyone reports an active title and verifies the code; the supervising bureau
    # (the Suzhou city bureau for a Suzhou city title) sees and decides (an empty POST: refused, 302)
    "supervision:report_new": ("GET", lambda o: {"public_id": o["sv_title"].public_id}, "public", 200),
    "supervision:report_verify": ("GET", lambda o: {"public_id": o["sv_report"].public_id}, "public", 200),
    "supervision:reports": ("GET", None, bureaus, 200),
    "supervision:report": ("POST", lambda o: {"public_id": o["sv_report"].public_id}, city_bureau, 302),
    "supervision:report_file": ("GET", lambda o: {"pk": o["sv_report_file"].pk}, city_bureau, 200),
    # change events: the unit declares on its own title; its bureau decides (an empty POST: refused, 302)
    "supervision:changes": ("GET", None, supervising_or_unit, 200),
    "supervision:change_new": ("GET", lambda o: {"public_id": o["sv_title"].public_id}, unit, 200),
    "supervision:change": ("POST", lambda o: {"public_id": o["sv_change"].public_id}, city_bureau, 302),
    # evaluation bodies: every supervising bureau sees a body's track record; an empty POST (no size, no
    # reason) is refused with a message and draws or suspends nothing
    "supervision:bodies": ("GET", None, bureaus, 200),
    "supervision:body": ("GET", lambda o: {"pk": o["sv_body"].pk}, bureaus, 200),
    "supervision:body_xlsx": ("GET", lambda o: {"pk": o["sv_body"].pk}, bureaus, 200),
    "supervision:body_draw": ("POST", lambda o: {"pk": o["sv_body"].pk}, bureaus, 302),
    "supervision:body_suspend": ("POST", lambda o: {"pk": o["sv_body"].pk}, bureaus, 302),
    # a city spot-checks its districts' re-checks (an empty POST: refused, nothing drawn)
    "supervision:district_draw": ("POST", None, city_bureaus, 302),
    # self-declaration: the unit declares on its own title (no period: refused); the bureau sets its calendar
    "supervision:declarations": ("GET", None, supervising_or_unit, 200),
    "supervision:declaration_setting": ("POST", None, bureaus, 302),
    "supervision:declare": ("POST", lambda o: {"public_id": o["sv_title"].public_id}, unit, 302),
}
