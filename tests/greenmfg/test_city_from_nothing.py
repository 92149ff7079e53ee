"""A real city from an empty database to a published title (issue 12), no demo data: only the reference
regions and industries. The city's administrator starts with `start_jurisdiction` and opens the district
bureau of 吴中区, the reviewers and the city's signer; an evaluation body applies and is approved; the city adds three experts;
the city issues a call; an enterprise registers and its district confirms it; its application passes the
district, the city's panel of those three experts and the credit check, is publicised and published.

The call pins a local scheme the city derived from the national one and adopted, its benchmark values come
from an .xlsx the city imported (the enterprise never types them), and it carries a calendar whose step
dates the application's due dates follow."""

from __future__ import annotations

import io
import re
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from openpyxl import Workbook
from test_applications import complete_answers
from test_reviews import credit_pdf

from greencore import BENCHMARK_COLUMNS, get_scheme
from greenmfg.accounts.models import User
from greenmfg.applications import services as applications
from greenmfg.benchmarks import services as benchmarks
from greenmfg.catalog import services as catalog
from greenmfg.orgs import services as orgs
from greenmfg.orgs.models import Organisation
from greenmfg.orgs.selectors import actor_of
from greenmfg.publication import services as publication
from greenmfg.publication.models import PublicityNotice, Title
from greenmfg.reference.models import Industry, Region
from greenmfg.reference.services import load_industries, load_regions
from greenmfg.reviews import selectors as review_reads
from greenmfg.reviews import services as reviews
from greenmfg.schemes import services as schemes
from greenmfg.web.demo import demo_uscc


def signed_in(user: User) -> Any:
    """The account as its first sign-in leaves it (own password, authenticator), as an actor."""
    user.must_change_password = False
    user.save(update_fields=["must_change_password"])
    TOTPDevice.objects.create(user=user, name="test", confirmed=True)
    found = actor_of(user)
    assert found is not None
    return found


def test_a_city_from_nothing_to_a_published_title(empty_db: None) -> None:
    load_regions()
    load_industries()
    assert not Organisation.objects.exists() and not User.objects.exists()
    out = io.StringIO()
    call_command("start_jurisdiction", region="320500", username="sz-admin", stdout=out)
    assert re.search(r"one-time password: \S+", out.getvalue())
    admin = signed_in(User.objects.get(username="sz-admin"))

    # the district bureau and the reviewers
    wuzhong = orgs.open_bureau(
        admin, name="苏州市吴中区工业和信息化局", region_code="320506", level="district"
    )
    reviewers = {}
    for username, bureau, role in (
        ("sz-rev", admin.organisation, "reviewer"),
        ("sz-sign", admin.organisation, "signer"),
        ("wz-rev", wuzhong, "reviewer"),
    ):
        user, _ = orgs.open_staff_account(
            admin, bureau_id=bureau.pk, username=username, display_name=username, email="", role=role
        )
        reviewers[username] = signed_in(user)
    city, district, signer = reviewers["sz-rev"], reviewers["wz-rev"], reviewers["sz-sign"]

    # an evaluation body applies and the city approves it
    body = orgs.apply_body(
        name="苏州绿评认证有限公司",
        credit_code=demo_uscc("苏州绿评认证有限公司", "320506"),
        region=Region.objects.get(code="320506"),
        legal_person="王五",
        qualifications="CMA 231012345678",
        evaluators="赵六, 绿色制造评价师, GM-2026-001",
        address="",
        username="lvping",
        password="Qx7#Lp2v9Rk4",
        display_name="赵六",
    )
    orgs.decide_body(city, body.pk, "approve")

    # three experts of a university the city records
    university = orgs.open_institution(city, name="苏州示例大学环境学院", region_code="320506")
    for n in range(1, 4):
        profile, _ = reviews.add_expert(
            city,
            employer_id=university.pk,
            username=f"expert-{n}",
            display_name=f"专家{n}",
            email="",
            title="高级工程师",
            fields=["factory", "energy"],
        )
        signed_in(profile.user)

    # a local scheme derived from the national one and adopted, and the city's benchmark values from Excel
    derived = schemes.adopt(
        city,
        schemes.derive(
            city,
            get_scheme("factory-gbt36132-2025@2025.1"),
            scheme_id="factory-suzhou",
            version="2026.1",
            title="苏州市绿色工厂评价方案",
            source="苏州市绿色工厂评价细则〔2026〕1号",
            numbers={"indicators[energy].children[platform].rule.base": Decimal("2")},
        ),
    )
    today = timezone.localdate()
    book = Workbook()
    book.active.append(list(BENCHMARK_COLUMNS))
    book.active.append(
        ["34", None, today.year, "carbon_intensity_base", 120.5, "kgCO2/万元", "苏工信〔2026〕1号", "V"]
    )
    buffer = io.BytesIO()
    book.save(buffer)
    imported = benchmarks.import_benchmarks(city, SimpleUploadedFile("基准值.xlsx", buffer.getvalue()))
    assert imported.count == 1

    # the city's call: district first review, then the city with a panel of three, credit check, publicity
    call = catalog.create_call(
        city,
        code="suzhou-2026-factory",
        name="2026年度苏州市绿色工厂申报",
        title_kind="factory",
        region_code="320500",
        scheme=f"{derived.scheme_id}@{derived.version}",
        opens_on=today - timedelta(days=1),
        closes_on=today + timedelta(days=30),
        review_chain=[
            {"level": "district", "days": 20},
            {"level": "city", "days": 30, "panel": {"size": 3}, "credit_check": True, "publicity_days": 7},
        ],
        requires_third_party=False,
        score_margin=Decimal("2"),
        eligibility={},
        notice="",
    )
    district_due, city_due = call.closes_on + timedelta(days=20), call.closes_on + timedelta(days=50)
    catalog.set_calendar(city, call, step_dates=[district_due, city_due], key_list_due=None, quota=None)

    # an enterprise registers itself and its district confirms it
    enterprise = orgs.register_applicant(
        kind="enterprise",
        name="苏州某精密机械有限公司",
        credit_code=demo_uscc("苏州某精密机械有限公司", "320506"),
        region=Region.objects.get(code="320506"),
        industry=Industry.objects.get(code="34"),
        username="jixie",
        password="Mv8#Tq3w7Zp2",
        display_name="孙一",
    )
    orgs.decide_registration(district, enterprise.pk, approve=True)
    applicant = actor_of(User.objects.get(username="jixie"))
    assert applicant is not None

    # the application's way to a published title
    application = applications.start_application(applicant, call)
    filled = application.versions.get().answers["inputs"]
    assert filled["in:carbon_intensity_base"] == "120.5"  # from the city's sheet, not typed
    answers = {key: value for key, value in complete_answers().items() if key != "in:carbon_intensity_base"}
    applications.save_answers(applicant, application, answers)
    application = applications.submit(applicant, application)
    assert application.step_due_on == district_due  # the calendar's date, not 20 days on
    reviews.pass_step(district, application, "同意")
    reviews.record_credit_check(
        city, application, source="creditchina", outcome="clear", checked_on=today, upload=credit_pdf()
    )
    panel = reviews.form_panel(city, application)
    assert sorted(a.expert.user.username for a in panel) == ["expert-1", "expert-2", "expert-3"]
    sheet = review_reads.scoring_sheet(application)
    for assignment in panel:
        expert = actor_of(assignment.expert.user)
        points = {row["id"]: str(row["self_points"] or 0) for row in sheet}
        assert reviews.save_expert_scores(expert, assignment, points) == []
        reviews.sign_scores(expert, assignment)
    reviews.pass_step(city, application, "专家评审通过，信用核查无异常")
    # the reviewer prepares; the city's signer opens the publicity and publishes (ADR 0011)
    with pytest.raises(PermissionDenied):
        publication.open_publicity(city, call)
    assert not PublicityNotice.objects.exists()
    application.refresh_from_db()
    assert application.state == "in_review"
    notice = publication.open_publicity(signer, call)
    with pytest.raises(PermissionDenied):
        publication.publish(city, notice, today=notice.closes_on + timedelta(days=1))
    assert not Title.objects.exists()
    publication.publish(signer, notice, today=notice.closes_on + timedelta(days=1))
    title = Title.objects.get()
    assert call.scheme_id == "factory-suzhou"
    assert (title.organisation_id, title.application_id, title.kind, title.level) == (
        enterprise.pk,
        application.pk,
        "factory",
        "city",
    )
    application.refresh_from_db()
    assert application.state == "published"
    assert not Organisation.objects.filter(name__contains="演示").exists()
