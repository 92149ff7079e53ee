"""Issue 13, the rest of supervision: evaluation bodies' reports spot-checked and their track record
(measured values against the body's, exact), suspension through orgs' listing service; a city spot-checking
its districts' re-checks; upheld objections as a risk factor; re-grading by each scheme's own bands."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from factories import actor, start
from supervision_world import grant_title
from test_applications import complete_answers
from test_evaluations import demo_body, submitted, third_party_call

from greencore import get_scheme, score
from greenmfg.applications import services as applications
from greenmfg.audit.models import Event
from greenmfg.core.errors import Refused
from greenmfg.evaluations import services as evaluations
from greenmfg.evaluations.models import Engagement, EngagementStatus
from greenmfg.evaluations.services import EvaluationError
from greenmfg.orgs.models import Organisation
from greenmfg.publication.models import Objection, PublicityEntry, Title
from greenmfg.supervision import services
from greenmfg.supervision.models import Check, Draw, Filing, Finding, Purpose, RegradeJob
from greenmfg.supervision.selectors import body_track_record, redraw, risk_weights
from greenmfg.supervision.services import SupervisionError

D = Decimal


def snapshot() -> tuple[Any, ...]:
    return (
        list(Draw.objects.order_by("pk").values()),
        list(Check.objects.order_by("pk").values()),
        list(Finding.objects.order_by("pk").values()),
        list(Organisation.objects.order_by("pk").values("pk", "status")),
        Event.objects.count(),
    )


def evaluated_title(world: Any, values: dict[str, str], holder: str = "sz-machinery") -> Title:
    """A city title whose application the demo body evaluated (a concluded engagement) with `values`."""
    user = world.users[holder]
    application = start(user)
    result = score(get_scheme("factory-gbt36132-2025"), {k: D(v) for k, v in values.items()})
    Engagement.objects.create(
        application=application,
        body=demo_body(),
        year=2026,
        status=EngagementStatus.CONCLUDED,
        engaged_by=user,
        engaged_at=timezone.now(),
        result=json.loads(result.to_json()),
    )
    title = grant_title(world, holder)
    Title.objects.filter(pk=title.pk).update(application=application)
    title.refresh_from_db()
    return title


BODY_VALUES = {"total_energy_tce": "8600", "output_value": "52000", "water_intake_m3": "310000"}


def test_a_bodys_reports_are_drawn_checked_and_the_discrepancy_is_its_track_record(world):
    evaluated_title(world, BODY_VALUES)
    grant_title(world, "sz-energy")  # not evaluated by the body: never in its population
    bureau = actor(world.users["sz-reviewer"])
    drawn = services.draw_body_reports(bureau, demo_body(), size=1, seed="body-2027")
    assert (drawn.purpose, drawn.body, len(drawn.population)) == (Purpose.BODY_REPORT, demo_body(), 1)
    assert redraw(drawn) == drawn.sample
    check = drawn.checks.get()
    services.record_finding(
        bureau,
        check,
        conforms=False,
        text="能源消费量与电网结算单不符",
        measured={"total_energy_tce": "8,000", "output_value": "52000", "water_reuse_rate": ""},
    )
    # not concluded yet: not in the record
    assert body_track_record(demo_body())[0].reports == 0
    services.conclude_check(bureau, check, today=date(2027, 5, 6))
    record, reports = body_track_record(demo_body())
    # |8600 − 8000| / 8000 = 0.075; 52000 = 52000 → 0; mean 0.0375; one beyond the 5 % tolerance
    assert (record.reports, record.compared) == (1, 2)
    assert (record.mean_relative, record.max_relative, record.beyond_tolerance) == (
        D("0.0375"),
        D("0.075"),
        1,
    )
    assert [(d.indicator, d.body_value, d.checked_value, d.difference) for d in reports[0].discrepancies] == [
        ("output_value", D("52000"), D("52000"), D("0")),  # in the scheme's order
        ("total_energy_tce", D("8600"), D("8000"), D("600")),
    ]
    page = world.client("wx-reviewer").get(f"/supervision/bodies/{demo_body().pk}/")  # any supervising bureau
    text = page.content.decode()
    assert page.status_code == 200 and "3.75%" in text and "7.5%" in text


def test_a_measured_value_that_is_no_number_is_refused_and_nothing_is_written(world):
    evaluated_title(world, BODY_VALUES)
    bureau = actor(world.users["sz-reviewer"])
    check = services.draw_body_reports(bureau, demo_body(), size=1, seed="x").checks.get()
    before = snapshot()
    with pytest.raises(SupervisionError) as refused:
        services.record_finding(
            bureau, check, conforms=True, text="现场核实", measured={"total_energy_tce": "八千"}
        )
    assert (refused.value.zh, refused.value.en) == (
        "“综合能源消费量”的实测值应为数字：八千",
        "the measured value of “Comprehensive energy consumption” must be a number: 八千",
    )
    with pytest.raises(SupervisionError, match="unknown indicator"):
        services.record_finding(bureau, check, conforms=True, text="现场核实", measured={"bogus": "1"})
    assert snapshot() == before


def test_a_body_with_no_evaluated_title_here_gives_no_draw(world):
    grant_title(world)
    before = snapshot()
    with pytest.raises(SupervisionError, match="evaluated no active title"):
        services.draw_body_reports(actor(world.users["sz-reviewer"]), demo_body(), size=1)
    with pytest.raises(PermissionDenied):  # a district supervises no titles of its own
        services.draw_body_reports(actor(world.users["wz-reviewer"]), demo_body(), size=1)
    assert snapshot() == before


def test_a_suspended_body_cannot_be_engaged(world):
    bureau = world.client("sz-reviewer")
    response = bureau.post(
        f"/supervision/bodies/{demo_body().pk}/suspend/", {"reason": "抽查报告偏差超出允许范围"}
    )
    assert response.status_code == 302
    assert demo_body().status == "suspended"
    assert Event.objects.filter(action="supervision.body_suspended").count() == 1
    assert Event.objects.filter(action="org.body_suspend").count() == 1
    third_party_call()
    application = submitted(world, "sz-energy")
    with pytest.raises(EvaluationError):
        evaluations.engage(actor(world.users["sz-energy"]), application, demo_body().pk)


@pytest.mark.parametrize(
    ("who", "reason", "error"),
    [
        ("wx-reviewer", "偏差过大", PermissionDenied),  # not the bureau over the body's region
        ("sz-reviewer", "  ", Refused),  # no reason (orgs' listing service refuses it)
    ],
)
def test_a_refused_suspension_changes_nothing(world, who, reason, error):
    before = snapshot()
    with pytest.raises(error):
        services.suspend_body(actor(world.users[who]), demo_body(), reason=reason)
    assert snapshot() == before
    assert demo_body().status == "active"


# --- a city spot-checks its districts' re-checks ----------------------------------------------------------


def _district_recheck(world: Any) -> Check:
    title = grant_title(world)  # sz-machinery: 吴中区, in the Suzhou city bureau's jurisdiction
    district = actor(world.users["wz-reviewer"])
    check = services.draw(district, purpose="re_check", title_kind="factory", size=1, seed="wz").checks.get()
    assert (check.title, check.authority.name) == (title, "苏州市吴中区工业和信息化局（演示）")
    services.record_finding(district, check, conforms=True, text="现场复核符合要求")
    services.conclude_check(district, check, today=date(2027, 5, 6))
    return check


def test_a_city_draws_among_its_districts_rechecks_and_records_findings_against_them(world):
    district_check = _district_recheck(world)
    city = actor(world.users["sz-reviewer"])
    drawn = services.draw_district_checks(city, size=1, seed="sz-review")
    assert [unit for unit, _ in drawn.population] == [str(district_check.public_id)]
    assert redraw(drawn) == drawn.sample == [str(district_check.public_id)]
    review = drawn.checks.get()
    assert (review.purpose, review.reviewed, review.title) == (
        Purpose.CHECK_REVIEW,
        district_check,
        district_check.title,
    )
    services.record_finding(city, review, conforms=False, text="区县复核未核对能源计量器具")
    services.conclude_check(city, review, today=date(2027, 6, 1))
    review.refresh_from_db()
    assert review.status == Check.Status.NONCONFORMING and review.rectification.due_on == date(2027, 9, 1)
    # the district's check shows the city's review; a reviewed check is not drawn again
    page = world.client("wz-reviewer").get(f"/supervision/checks/{district_check.public_id}/")
    assert "苏州市工业和信息化局（演示）" in page.content.decode()
    before = snapshot()
    with pytest.raises(SupervisionError, match="no concluded district re-check"):
        services.draw_district_checks(city, size=1)
    assert snapshot() == before


def test_only_a_city_draws_its_own_districts_checks_and_a_district_draws_no_spot_checks(world):
    _district_recheck(world)
    before = snapshot()
    with pytest.raises(SupervisionError, match="no concluded district re-check"):  # Wuxi: not its district
        services.draw_district_checks(actor(world.users["wx-reviewer"]), size=1)
    for who in ("js-reviewer", "wz-reviewer", "sz-machinery"):
        with pytest.raises(PermissionDenied):
            services.draw_district_checks(actor(world.users[who]), size=1)
    with pytest.raises(PermissionDenied):
        services.draw(actor(world.users["wz-reviewer"]), purpose="spot_check", title_kind="factory", size=1)
    assert snapshot() == before


# --- risk factors and re-grading ------------------------------------------------------------------------


def test_an_upheld_objection_against_the_unit_weighs_in_a_risk_weighted_draw(world):
    objected = grant_title(world, "sz-machinery")
    clean = grant_title(world, "sz-energy")
    user = world.users["sz-machinery"]
    application = start(user)
    applications.save_answers(actor(user), application, complete_answers())
    entry = PublicityEntry.objects.create(
        notice=objected.announcement.notice, application=application, unit_name="x", region_name="苏州"
    )
    objection = Objection.objects.create(
        notice=entry.notice, entry=entry, name="李四", contact="li@example.cn", grounds="能耗数据与实际不符"
    )
    today = timezone.localdate()
    assert risk_weights([objected, clean], today) == {str(objected.public_id): 1, str(clean.public_id): 1}
    Objection.objects.filter(pk=objection.pk).update(status=Objection.Status.UPHELD)
    # one ticket, plus 2 for an upheld objection (greencore.RISK_TICKETS)
    assert risk_weights([objected, clean], today) == {str(objected.public_id): 3, str(clean.public_id): 1}


def test_regrading_uses_each_units_own_schemes_bands(world, django_capture_on_commit_callbacks):
    authority = world.users["sz-reviewer"].membership.organisation
    national = [grant_title(world) for _ in range(3)]
    suzhou = grant_title(world, "sz-energy")
    Title.objects.filter(pk=suzhou.pk).update(scheme="factory-suzhou")  # 1A–5A grades, no percentile bands
    for n, title in enumerate([*national, suzhou]):
        Filing.objects.create(
            title=title,
            authority=authority,
            year=2027,
            deadline=date(2027, 4, 15),
            status="accepted",
            score=D(80 + n),
        )
    with django_capture_on_commit_callbacks(execute=True):
        job = services.start_regrade(actor(world.users["sz-reviewer"]), 2027)
    job.refresh_from_db()
    assert job.status == RegradeJob.Status.DONE
    assert job.outcome == (
        "3 家评定绿码等级，1 家不评定（其中 1 家所依评价标准未设百分位等级）",
        "3 graded, 1 without a grade (1 under a scheme without percentile bands)",
    )
    codes = dict(Filing.objects.values_list("title_id", "green_code"))
    # the three national-scheme units ranked among themselves (the Suzhou unit's 83 is not among them):
    # 82 is rank 1 of 3, at 1/3 ≤ 40 % → A (none is within the top 5 %); 81 at 2/3 and 80 at 3/3 → B
    assert [codes[t.pk] for t in national] == ["B", "B", "A"]
    assert codes[suzhou.pk] == ""


def test_a_districts_rectification_is_revoked_by_the_city_not_the_district(world):
    title = grant_title(world)
    district = actor(world.users["wz-reviewer"])
    check = services.draw(district, purpose="re_check", title_kind="factory", size=1, seed="wz").checks.get()
    services.record_finding(district, check, conforms=False, text="能源计量器具配备不全")
    services.conclude_check(district, check, today=date(2027, 5, 6))
    rectification = Check.objects.get(pk=check.pk).rectification
    assert rectification.due_on == date(2027, 8, 6)
    before = snapshot()
    with pytest.raises(SupervisionError, match="only the bureau of the title's level"):
        services.revoke_after_rectification(district, rectification, today=date(2027, 8, 7))
    with pytest.raises(SupervisionError, match="revoke only after it"):  # the due day itself is in time
        services.revoke_after_rectification(
            actor(world.users["sz-reviewer"]), rectification, today=date(2027, 8, 6)
        )
    assert snapshot() == before
    revocation = services.revoke_after_rectification(
        actor(world.users["sz-reviewer"]), rectification, today=date(2027, 8, 7)
    )
    title.refresh_from_db()
    assert (title.status, revocation.may_apply_from) == (Title.Status.REVOKED, date(2030, 8, 7))


def test_a_district_draws_re_checks_through_its_page_and_is_told_it_may_not_spot_check(world):
    grant_title(world)
    client = world.client("wz-reviewer")
    refused = client.post(
        "/supervision/draws/new/", {"purpose": "spot_check", "title_kind": "factory", "size": "1"}
    )
    assert refused.status_code == 400 and "区县主管部门只能抽取复核。" in refused.content.decode()
    assert Draw.objects.count() == 0
    drawn = client.post(
        "/supervision/draws/new/", {"purpose": "re_check", "title_kind": "factory", "size": "1"}
    )
    assert drawn.status_code == 302
    assert Draw.objects.get().authority.name == "苏州市吴中区工业和信息化局（演示）"
