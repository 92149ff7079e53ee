"""The annual 动态管理表 (issue 13): opened per titled unit with its level's deadline, reminders before it and
escalation after it (clock-controlled, boundary day and one day either side), data-quality checks before
acceptance, the re-score (no grade, never a zero, without data), and re-grading as a background task."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import PermissionDenied
from factories import actor, start
from supervision_world import filing_evidence, grant_title
from test_applications import complete_answers

from greenmfg.applications import services as applications
from greenmfg.applications.services import ApplicationError
from greenmfg.audit.models import Event
from greenmfg.catalog.models import Call
from greenmfg.catalog.selectors import call_open_to
from greenmfg.publication.models import Title
from greenmfg.supervision import services
from greenmfg.supervision.models import Filing, RegradeJob
from greenmfg.supervision.selectors import position_of, redraw
from greenmfg.supervision.services import SupervisionError

# the factory-gbt36132-2025 key indicators, in their units
GOOD = {
    "output_value": ("52000", "万元"),
    "total_energy_tce": ("8600", "tce"),
    "site_area_m2": ("120000", "m²"),
    "carbon_emission_t": ("21000", "tCO2"),
    "renewable_energy_tce": ("900", "tce"),
    "water_intake_m3": ("310000", "m³"),
    "water_reuse_rate": ("92", "%"),
    "solid_waste_rate": ("95", "%"),
    "building_coverage": ("45", "%"),
    "plot_ratio": ("1.2", ""),
}


def _travel(day: date) -> time_machine.travel:
    return time_machine.travel(f"{day.isoformat()} 10:00 +0800", tick=False)


def _opened(world, year: int = 2027) -> Filing:
    grant_title(world)
    assert services.open_filings(actor(world.users["sz-reviewer"]), year) == 1
    return Filing.objects.get(year=year)


def test_a_round_opens_one_filing_per_title_with_the_national_deadline_and_its_reminders(world):
    filing = _opened(world)
    assert filing.deadline == date(2027, 4, 15)
    assert [(r.kind, r.due_on) for r in filing.reminders.all()] == [
        ("reminder", date(2027, 3, 16)),
        ("reminder", date(2027, 4, 8)),
        ("reminder", date(2027, 4, 14)),
        ("escalation", date(2027, 4, 16)),
    ]
    assert services.open_filings(actor(world.users["sz-reviewer"]), 2027) == 0  # never twice


def test_a_level_may_bring_the_deadline_forward_but_not_back(world):
    bureau = actor(world.users["sz-reviewer"])
    with pytest.raises(SupervisionError, match="after 15 April"):
        services.set_filing_deadline(bureau, month=4, day=16)
    services.set_filing_deadline(bureau, month=3, day=30)
    assert _opened(world).deadline == date(2027, 3, 30)


@pytest.mark.parametrize(
    ("today", "sent", "escalated"),
    [(date(2027, 4, 14), 3, 0), (date(2027, 4, 15), 3, 0), (date(2027, 4, 16), 3, 1)],
)
def test_reminders_go_out_before_the_deadline_and_a_missing_filing_escalates_the_day_after(
    world, today, sent, escalated, django_capture_on_commit_callbacks
):
    world.users["sz-machinery"].email = "energy@example.com"
    world.users["sz-machinery"].save()
    filing = _opened(world)
    with _travel(today), django_capture_on_commit_callbacks(execute=True):
        counts = services.process_due_reminders()
    assert counts["sent"] == sent and counts["escalated"] == escalated
    assert len(mail.outbox) == 3 and "2027年04月15日" in mail.outbox[0].body
    filing.refresh_from_db()
    assert filing.escalated_on == (today if escalated else None)
    assert Event.objects.filter(action="supervision.filing_escalated").count() == escalated
    with _travel(today):  # processed once
        assert sum(services.process_due_reminders().values()) == 0


@pytest.mark.parametrize(
    ("day", "late"), [(date(2027, 4, 14), False), (date(2027, 4, 15), False), (date(2027, 4, 16), True)]
)
def test_a_filing_after_the_deadline_is_accepted_and_flagged_late(world, day, late):
    filing = _opened(world)
    with _travel(day):
        accepted = services.submit_filing(
            actor(world.users["sz-machinery"]), filing, values=GOOD, evidence=filing_evidence()
        )
    assert (accepted.status, accepted.late) == (Filing.Status.ACCEPTED, late)
    # filed: the escalation is not needed
    with _travel(date(2027, 4, 16)):
        assert services.process_due_reminders()["escalated"] == 0


def test_errors_refuse_the_filing_naming_each_field_and_change_nothing(world):
    filing = _opened(world)
    bad = {**GOOD, "total_energy_tce": ("8600", "kWh"), "output_value": ("五万", "万元")}
    del bad["water_intake_m3"]
    with pytest.raises(SupervisionError) as refused:
        services.submit_filing(actor(world.users["sz-machinery"]), filing, values=bad)
    assert refused.value.details == [
        "“工业总产值（现价）”应为数字：五万",
        "“综合能源消费量”的单位 kWh 不能换算为 tce，请按 tce 填报。",
        "“取水量”未填写：动态管理表须填报此项。",
    ]
    filing.refresh_from_db()
    assert (filing.status, filing.values) == (Filing.Status.OPEN, {})
    with pytest.raises(PermissionDenied):  # not the unit's own filing
        services.submit_filing(actor(world.users["sz-energy"]), filing, values=GOOD)


def test_a_jump_against_last_year_needs_a_justification(world):
    last = _opened(world, 2026)
    services.submit_filing(actor(world.users["sz-machinery"]), last, values=GOOD, evidence=filing_evidence())
    services.open_filings(actor(world.users["sz-reviewer"]), 2027)
    filing = Filing.objects.get(year=2027)
    doubled = {**GOOD, "total_energy_tce": ("17300", "tce")}
    with pytest.raises(SupervisionError) as refused:
        services.submit_filing(actor(world.users["sz-machinery"]), filing, values=doubled)
    assert refused.value.details == [
        "“综合能源消费量”较上年 8600 tce 变化 +101%（超过 ±50%），请核实数据或说明原因（如扩产、停产、统计口径变化）。"
    ]
    accepted = services.submit_filing(
        actor(world.users["sz-machinery"]),
        filing,
        values=doubled,
        justification="2026 年底新产线投产，产量翻倍",
        evidence=filing_evidence(),
    )
    assert accepted.problems[0]["check"] == "jump" and accepted.justification.startswith("2026")


def test_no_submitted_self_evaluation_means_no_grade_never_a_zero(world):
    filing = _opened(world)
    accepted = services.submit_filing(
        actor(world.users["sz-machinery"]), filing, values=GOOD, evidence=filing_evidence()
    )
    assert accepted.score is None
    assert accepted.no_grade_reason == "无本平台提交的自评价数据，本年度不评定等级"


def test_the_accepted_filing_re_scores_the_unit_under_its_scheme(world):
    user = world.users["sz-machinery"]
    application = start(user)
    applications.save_answers(actor(user), application, complete_answers())
    applications.submit(actor(user), application)
    title = grant_title(world)
    Title.objects.filter(pk=title.pk).update(application=application)
    services.open_filings(actor(world.users["sz-reviewer"]), 2027)
    filing = Filing.objects.get(year=2027)
    baseline = services.submit_filing(actor(user), filing, values=GOOD, evidence=filing_evidence())
    assert baseline.score is not None and baseline.no_grade_reason == ""
    # the same filing with half the energy scores at least as well (less energy per output)
    Filing.objects.filter(pk=filing.pk).update(status="open")
    filing.refresh_from_db()
    better = services.submit_filing(
        actor(user),
        filing,
        values={**GOOD, "total_energy_tce": ("4300", "tce")},
        justification="节能改造后能耗减半，已附证明",
        evidence=filing_evidence(),
    )
    assert better.score is not None and better.score >= baseline.score


def test_regrading_a_round_gives_green_codes_by_percentile_in_the_background(
    world, django_capture_on_commit_callbacks
):
    authority = world.users["sz-reviewer"].membership.organisation
    titles = [grant_title(world, ["sz-machinery", "sz-energy", "ks-electronics"][n % 3]) for n in range(21)]
    for n, title in enumerate(titles):
        Filing.objects.create(
            title=title,
            authority=authority,
            year=2027,
            deadline=date(2027, 4, 15),
            status="accepted",
            score=Decimal(n + 1) if n < 20 else None,  # the 21st has no score: no grade
        )
    with django_capture_on_commit_callbacks(execute=True):
        job = services.start_regrade(actor(world.users["sz-reviewer"]), 2027)
    job.refresh_from_db()
    assert (job.status, job.progress, job.total, job.graded) == (RegradeJob.Status.DONE, 100, 21, 21)
    codes = dict(Filing.objects.values_list("score", "green_code").filter(score__isnull=False))
    # 20 scored: top 5 % = rank 1 → A+; next 35 % = ranks 2–8 → A; the last 60 % → B
    assert codes[Decimal(20)] == "A+"
    assert sorted(k for k, v in codes.items() if v == "A") == [Decimal(n) for n in range(13, 20)]
    assert sum(1 for v in codes.values() if v == "B") == 12
    unscored = Filing.objects.get(score__isnull=True)
    assert unscored.green_code == ""
    assert position_of(Filing.objects.get(score=Decimal(20))) == (1, 20)
    assert position_of(Filing.objects.get(score=Decimal(13))) == (8, 20)
    assert position_of(unscored) is None


def test_the_pages_file_regrade_and_show_the_position_and_the_distribution(
    world, django_capture_on_commit_callbacks
):
    bureau = world.client("sz-reviewer")
    grant_title(world)
    response = bureau.post("/supervision/filings/open/", {"year": "2027"})
    assert response.status_code == 302
    filing = Filing.objects.get(year=2027)
    unit = world.client("sz-machinery")
    url = f"/supervision/filings/{filing.public_id}/"
    posted = {f"v:{k}": v for k, (v, _) in GOOD.items()} | {f"u:{k}": u for k, (_, u) in GOOD.items()}
    response = unit.post(url, {**posted, "u:total_energy_tce": "kWh"})
    assert response.status_code == 400
    assert "“综合能源消费量”的单位 kWh 不能换算为 tce，请按 tce 填报。" in response.content.decode()
    evidence = {f"e:{key}": files for key, files in filing_evidence().items()}
    assert unit.post(url, {**posted, **evidence}).status_code == 302
    assert Filing.objects.get(pk=filing.pk).status == Filing.Status.ACCEPTED
    with django_capture_on_commit_callbacks(execute=True):
        response = bureau.post("/supervision/regrade/", {"year": "2027"})
    job = RegradeJob.objects.get()
    assert response["Location"] == f"/supervision/regrade/{job.pk}/"
    assert 'value="100"' in bureau.get(response["Location"]).content.decode()
    page = bureau.get("/supervision/filings/?year=2027").content.decode()
    assert 'id="grade-distribution"' in page
    history = unit.get("/supervision/filings/").content.decode()
    assert "无本平台提交的自评价数据，本年度不评定等级" in history and "<svg" in history


def test_a_risk_weighted_draw_gives_extra_tickets_for_late_missing_and_dropping_units(world):
    authority = world.users["sz-reviewer"].membership.organisation
    missing, late, dropped, clean = (
        grant_title(world, u) for u in ("sz-machinery", "sz-energy", "ks-electronics", "sz-machinery")
    )

    def filing(title, year, **fields):
        return Filing.objects.create(
            title=title, authority=authority, year=year, deadline=date(year, 4, 15), **fields
        )

    filing(missing, 2027)  # open, past its deadline on 2027-05-01
    filing(late, 2027, status="accepted", late=True)
    filing(dropped, 2026, status="accepted", green_code="A")
    filing(dropped, 2027, status="accepted", green_code="B")
    filing(clean, 2027, status="accepted", green_code="A")
    drawn = services.draw(
        actor(world.users["sz-reviewer"]),
        purpose="spot_check",
        title_kind="factory",
        size=2,
        seed="风险加权",
        risk_weighted=True,
        today=date(2027, 5, 1),
    )
    weights = dict(drawn.population)
    # 1 ticket, +2 for a missing filing, +1 for a late one, +1 for a grade drop (greencore.RISK_TICKETS)
    assert [weights[str(t.public_id)] for t in (missing, late, dropped, clean)] == [3, 2, 2, 1]
    assert drawn.weighted and redraw(drawn) == drawn.sample


# --- a missing filing bars a higher tier where the level says so -------------------------------------------


def _province_factory_call(world) -> Call:
    """A provincial green-factory call open to Suzhou's units (the demo has none: a copy of the city one)."""
    call = Call.objects.get(code="suzhou-2026-factory")
    call.pk, call.code, call.level = None, "jiangsu-2027-factory", "province"
    call.authority = world.users["js-reviewer"].membership.organisation
    call.opens_on, call.closes_on = date(2027, 1, 1), date(2027, 12, 31)
    call.save()
    return call


@pytest.mark.parametrize(
    ("blocks", "day", "refused"),
    [
        (True, date(2027, 4, 14), False),
        (True, date(2027, 4, 15), False),
        (True, date(2027, 4, 16), True),
        (False, date(2027, 4, 16), False),
    ],
)
def test_a_missing_filing_bars_a_higher_tier_where_the_level_says_so(world, blocks, day, refused):
    bureau = actor(world.users["sz-reviewer"])
    services.set_filing_deadline(bureau, month=4, day=15, blocks_higher_tier=blocks)
    filing = _opened(world)
    call = _province_factory_call(world)
    unit = world.users["sz-machinery"].membership.organisation
    refusal = call_open_to(call, unit, day)
    if not refused:
        assert refusal is None
        return
    assert refusal is not None and refusal[0] == (
        "本单位市级绿色工厂称号 2027 年度动态管理表逾期未填报（截止 2027年04月15日），"
        "补报并经受理前不得申报更高级别称号。"
    )
    # the same-level call stays open, and the applicant's own attempt is refused with the reason
    Call.objects.filter(code="suzhou-2026-factory").update(
        opens_on=date(2027, 1, 1), closes_on=date(2027, 12, 31)
    )
    assert call_open_to(Call.objects.get(code="suzhou-2026-factory"), unit, day) is None
    with _travel(day), pytest.raises(ApplicationError, match="annual filing"):
        applications.start_application(actor(world.users["sz-machinery"]), call)
    # filed (late) and accepted: the bar lifts
    with _travel(day):
        services.submit_filing(
            actor(world.users["sz-machinery"]),
            filing,
            values=GOOD,
            justification="",
            evidence=filing_evidence(),
        )
    assert Filing.objects.get(pk=filing.pk).status == Filing.Status.ACCEPTED
    assert call_open_to(call, unit, day) is None
