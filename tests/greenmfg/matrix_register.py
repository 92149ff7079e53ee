"""Authorization-matrix rows for the register context (merged into test_authorization_matrix.MATRIX).

Everything in the register is public and read-only: every role, anonymous included, gets the same answer."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.test import TestCase

from greenmfg.register import export_jobs, services
from greenmfg.register.models import ExportJob


def objects(world: Any, found: dict[str, Any]) -> dict[str, Any]:
    entry = services.record_title(
        source_key="title:matrix",
        kind="factory",
        level="city",
        grade="3A级",
        year=2026,
        announced_on=date(2026, 6, 30),
        announcement_ref="苏工信节能〔2026〕1号",
        authority="苏州市工业和信息化局",
        region_code="320506",
        unit_name="矩阵测试企业（演示）",
        credit_code="",
        industry_code="39",
    )
    # built at once by the immediate task backend the tests use, once "committed"
    with TestCase.captureOnCommitCallbacks(execute=True):
        job = export_jobs.start_export(ExportJob.Kind.QUALITY, "csv", {})
    return {"register_entry": entry, "export_job": job}


ROWS: dict[str, Any] = {
    "register:home": ("GET", None, "public", 200),
    "register:titles": ("GET", None, "public", 200),
    "register:unit": ("GET", lambda o: {"unit_key": o["register_entry"].unit_key}, "public", 200),
    "register:export_csv": ("POST", None, "public", 302),
    "register:export_xlsx": ("POST", None, "public", 302),
    "register:api_docs": ("GET", None, "public", 200),
    "api:api-root": ("GET", None, "public", 302),
    "api:not_found": ("GET", lambda o: {"rest": "titles/not-a-uuid"}, "public", 404),
    "api:openapi-json": ("GET", None, "public", 200),
    "api:titles": ("GET", None, "public", 200),
    "api:title": ("GET", lambda o: {"title_id": o["register_entry"].public_id}, "public", 200),
    "api:unit": ("GET", lambda o: {"unit_key": o["register_entry"].unit_key}, "public", 200),
    "api:declarations": ("GET", lambda o: {"unit_key": o["register_entry"].unit_key}, "public", 200),
    # announcements, publicity notices and the data-quality report (o["announcement"] and o["notice"] are
    # built by matrix_reviews.objects; the notice is open, with an objection)
    "register:announcements": ("GET", None, "public", 200),
    "register:announcements_csv": ("POST", None, "public", 302),
    "register:announcements_xlsx": ("POST", None, "public", 302),
    "register:notices": ("GET", None, "public", 200),
    "register:notices_csv": ("POST", None, "public", 302),
    "register:notices_xlsx": ("POST", None, "public", 302),
    "register:quality": ("GET", None, "public", 200),
    "register:quality_csv": ("POST", None, "public", 302),
    "register:quality_xlsx": ("POST", None, "public", 302),
    # downloads are built in the background (issue 16): a POST to the export URLs above starts one and
    # redirects to the job's page (their GET is a confirmation form: test_export_jobs)
    "register:export_status": ("GET", lambda o: {"job_id": o["export_job"].pk}, "public", 200),
    "register:export_download": ("GET", lambda o: {"job_id": o["export_job"].pk}, "public", 200),
    "api:announcements": ("GET", None, "public", 200),
    "api:announcement": (
        "GET",
        lambda o: {"announcement_id": o["announcement"].public_id},
        "public",
        200,
    ),
    "api:notices": ("GET", None, "public", 200),
    "api:notice": ("GET", lambda o: {"notice_id": o["notice"].public_id}, "public", 200),
    "api:quality": ("GET", None, "public", 200),
    "api:quality_counts": ("GET", None, "public", 200),
}
