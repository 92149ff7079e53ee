"""Issue 11 — grading at the district (Suzhou, seeds/003): a district bureau grades 1A and 2A itself, under
its own announcement, and files the result with the city (备案); only what grades 3A (≥ 80, 2A held) goes on
to the city; the prerequisites are read from the platform's own titles; a failed gate stops the application
at the district with the gate named; refused steps change nothing.

Scores are hand-worked: every item of the Suzhou scheme met (100 points) except the 14 optional (非必选)
checklist items of the GB/T 36132-2018 parent, worth 29 points together, answered to one degree d:
100 − 29 × (1 − d). d = 0 → 71.00 (2A), d = 0.2 → 76.80 (2A), d = 0.5 → 85.50 (3A band, 80 and above)."""

from __future__ import annotations

import importlib.util
import json
from contextlib import contextmanager
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone
from factories import actor, start, suzhou_answers

from greencore import conferred_inputs, get_scheme, score, verdict
from greenmfg.applications import dossier
from greenmfg.applications import services as applications
from greenmfg.applications.answers import Answers
from greenmfg.applications.models import Application
from greenmfg.applications.services import ApplicationError
from greenmfg.audit.models import Event
from greenmfg.catalog import services as calls
from greenmfg.catalog.models import Call
from greenmfg.evaluations import services as evaluations
from greenmfg.notifications.models import Notification
from greenmfg.orgs.models import Organisation
from greenmfg.publication import services as publication
from greenmfg.publication.models import Announcement, Filing, PublicityEntry, PublicityNotice, Title
from greenmfg.publication.services import PublicationError
from greenmfg.register.models import RegisterEntry
from greenmfg.reviews import selectors, services
from greenmfg.reviews.models import Decision
from greenmfg.reviews.services import ReviewError, VerdictRefused

_examples = importlib.util.spec_from_file_location(
    "factory2018_examples", Path(__file__).resolve().parents[1] / "greencore" / "schemes" / "conftest.py"
)
assert _examples is not None and _examples.loader is not None
_module = importlib.util.module_from_spec(_examples)
_examples.loader.exec_module(_module)
OPTIONAL = sorted(_module.FACTORY2018_OPTIONAL)

CALL = "suzhou-2026-factory-grading"
# seeds/003: the district grades 1A/2A and forwards initial scores of 80 and above to the city's 3A review
CHAIN = [
    {"level": "district", "days": 20, "forward": {"min": 80}},
    {"level": "city", "days": 30, "publicity_days": 7},
]
# 计量设备 (必选, 6 points): a basic requirement of GB/T 36132 the applicant cannot submit unmet, found half
# in place by the third party: 100 − 6 × 0.5 = 97.00, and the requirement fails whatever the score
GATE = "必选项「计量设备（必选）：按 GB 17167、GB 24789 配备能源与水计量器具并分类计量」未满足"
BODY = "江苏示例绿色发展评价中心（演示）"


def answers(degree: str, held: str = "2A", **changes: str) -> dict[str, str]:
    values = suzhou_answers()
    values.update({f"in:{key}": degree for key in OPTIONAL})
    values["in:held_grade"] = held
    values.update({f"in:{k}": v for k, v in changes.items()})
    return values


def ladder_call(code: str = CALL) -> Call:
    call = Call.objects.get(code=CALL)
    if code != CALL:  # an earlier round of the same grading, for a title held before this one
        call.pk, call.code, call.name = None, code, "2025年度苏州市绿色工厂分级评价（演示）"
    scheme = get_scheme("factory-suzhou")
    call.scheme_id, call.scheme_version = scheme.id, scheme.version
    call.review_chain = CHAIN
    call.requires_third_party = False
    call.save()
    return call


@pytest.fixture
def call(world) -> Call:
    return ladder_call()


def submitted(world: Any, username: str, values: dict[str, str], code: str = CALL) -> Application:
    user = world.users[username]
    application = start(user, code)
    applications.save_answers(actor(user), application, values)
    return applications.submit(actor(user), application)


def bureau(world: Any, username: str) -> Any:
    return actor(world.users[username])


def snapshot() -> tuple[Any, ...]:
    return (
        list(Application.objects.order_by("pk").values()),
        list(Decision.objects.order_by("pk").values()),
        list(PublicityNotice.objects.order_by("pk").values()),
        list(PublicityEntry.objects.order_by("pk").values()),
        list(Announcement.objects.order_by("pk").values()),
        list(Title.objects.order_by("pk").values()),
        list(Filing.objects.order_by("pk").values()),
        RegisterEntry.objects.count(),
        Notification.objects.count(),
        Event.objects.count(),
    )


@contextmanager
def refused(kind: type[Exception], text: str = ""):
    """The step is refused (with `text` in its Chinese message), and nothing changes."""
    before = snapshot()
    with pytest.raises(kind) as caught:
        yield caught
    if text:
        assert text in caught.value.zh, caught.value.zh  # type: ignore[attr-defined]
    assert snapshot() == before


def page(world: Any, username: str, name: str, *args: Any) -> str:
    response = world.client(username).get(reverse(name, args=args))
    assert response.status_code == 200
    return response.content.decode()


def grade_at_district(world: Any, application: Application, district: str = "wz-reviewer") -> Announcement:
    """The district passes it (graded here), lists it and publishes after its 7-day window."""
    services.pass_step(bureau(world, district), application, "同意评定")
    notice = publication.open_publicity(bureau(world, district), application.call)
    return publication.publish(bureau(world, district), notice, today=notice.closes_on + timedelta(days=1))


def test_below_80_is_graded_2a_at_the_district_and_filed_with_the_city(world, call):
    values = answers("0.2")
    assert score(
        get_scheme("factory-suzhou"), {k[3:]: v for k, v in values.items() if k.startswith("in:")}
    ).score == Decimal("76.80")
    application = submitted(world, "sz-machinery", values)
    district, city = bureau(world, "wz-reviewer"), bureau(world, "sz-reviewer")

    found = selectors.decisive_verdict(application)
    assert found is not None and found.allowed
    assert (str(found.score), found.grade, found.reasons[0][0]) == (
        "76.80",
        "2A",
        "得分 76.80，评为2A级绿色工厂",
    )
    case = page(world, "wz-reviewer", "reviews:case", application.public_id)
    assert 'id="verdict-route"' in case and "该等级由本级评定" in case

    decision = services.pass_step(district, application, "同意评定")
    assert (decision.outcome, decision.detail["graded"], str(decision.score)) == ("graded", "2A", "76.80")
    application.refresh_from_db()
    assert (application.state, application.review_step) == ("in_review", 0)  # not "not forwarded"
    assert not Decision.objects.filter(outcome=Decision.Outcome.NOT_FORWARDED).exists()
    assert selectors.awaiting_publicity(city, call) == []  # the city grades none of it
    assert [a.pk for a in selectors.awaiting_publicity(district, call)] == [application.pk]

    notice = publication.open_publicity(district, call)
    assert (notice.step, notice.authority_id, (notice.closes_on - notice.opens_on).days) == (
        0,
        district.organisation.pk,
        6,
    )
    assert (
        notice.title
        == "2026年度苏州市绿色工厂分级（1A–5A）评价（演示）（区县级评定：1A、2A级）拟入选名单公示"
    )
    assert [(e.grade, str(e.score)) for e in notice.entries.all()] == [("2A级绿色工厂", "76.80")]

    announcement = publication.publish(district, notice, today=notice.closes_on + timedelta(days=1))
    assert announcement.authority_id == district.organisation.pk
    assert announcement.number == f"苏州市吴中区工业和信息化局公告〔{announcement.year}〕1号"
    title = Title.objects.get(application=application)
    assert (title.level, title.grade, title.grade_label, str(title.score)) == (
        "district",
        "2A",
        "2A级绿色工厂",
        "76.80",
    )
    assert RegisterEntry.objects.get(source_key=f"title:{title.public_id}").level == "district"
    application.refresh_from_db()
    assert application.state == "published"

    filing = Filing.objects.get()
    assert (filing.announcement_id, filing.filed_by_authority_id, filing.filed_with_id) == (
        announcement.pk,
        district.organisation.pk,
        call.authority_id,
    )
    told = Notification.objects.filter(kind="publication.filed", user=world.users["sz-reviewer"]).get()
    assert told.subject == f"区县评定结果备案：苏州市吴中区工业和信息化局（演示） {announcement.number}"
    filed = page(world, "sz-reviewer", "publication:filings")
    assert (
        "苏州示例精密机械有限公司（演示）" in filed
        and "2A级绿色工厂" in filed
        and announcement.number in filed
    )
    assert "区县级" in filed and "76.80" in filed
    # another district's bureau and another city's see none of it
    assert 'id="no-filings"' in page(world, "ks-reviewer", "publication:filings")
    assert 'id="no-filings"' in page(world, "wx-reviewer", "publication:filings")
    shown = page(world, None, "publication:announcement", announcement.public_id)
    assert "区县级绿色工厂" in shown


def test_80_and_above_goes_to_the_city_for_3a_on_the_platform_2a_title(world, call):
    # a 2A granted by the district on the platform last round: 71.00 → 2A (区县级)
    earlier = ladder_call("suzhou-2025-factory-grading")
    first = submitted(world, "sz-energy", answers("0", held="none"), code=earlier.code)
    grade_at_district(world, first)
    assert Title.objects.get(application=first).grade == "2A"

    # this round it types "none held": the platform's 2A title decides, so 85.50 reaches 3A
    application = submitted(world, "sz-energy", answers("0.5", held="none"))
    found = selectors.decisive_verdict(application)
    assert found is not None and (str(found.score), found.grade, found.capped) == ("85.50", "3A", ())
    assert selectors.prerequisite_source(application) == (
        "已获等级依据本平台称号：2A（区县级）",
        "the grade held is read from the platform's title: 2A (district)",
    )
    case = page(world, "wz-reviewer", "reviews:case", application.public_id)
    assert "已获等级依据本平台称号：2A（区县级）" in case and 'id="verdict-route"' not in case

    # the same answers from a unit without a platform title stay capped by what it typed: graded 2A at home
    other = submitted(world, "ks-electronics", answers("0.5", held="none"))
    capped = selectors.decisive_verdict(other)
    assert capped is not None and capped.grade == "2A"
    assert capped.reasons[1][0] == "得分达到3A级绿色工厂（市级）分数线，但申报3A级须已获评2A级"
    assert selectors.prerequisite_source(other) is not None
    assert "平台上线前" in selectors.prerequisite_source(other)[0]
    assert services.pass_step(bureau(world, "ks-reviewer"), other, "同意评定").outcome == "graded"

    district, city = bureau(world, "wz-reviewer"), bureau(world, "sz-reviewer")
    assert services.pass_step(district, application, "同意").outcome == "passed"
    made = services.run_forwarding(district, call, 0)
    assert [(d.application_id, d.outcome, str(d.score)) for d in made] == [
        (application.pk, "forwarded", "85.50")
    ]
    application.refresh_from_db()
    assert (application.state, application.review_step) == ("in_review", 1)

    assert services.pass_step(city, application, "同意").outcome == "passed"
    notice = publication.open_publicity(city, call)
    assert (
        notice.step == 1 and notice.title == "2026年度苏州市绿色工厂分级（1A–5A）评价（演示）拟入选名单公示"
    )
    assert [(e.application_id, e.grade) for e in notice.entries.all()] == [
        (application.pk, "3A级绿色工厂（市级）")
    ]
    announcement = publication.publish(city, notice, today=notice.closes_on + timedelta(days=1))
    title = Title.objects.get(application=application)
    assert (title.level, title.grade, str(title.score), announcement.authority_id) == (
        "city",
        "3A",
        "85.50",
        call.authority_id,
    )
    assert not Filing.objects.filter(announcement=announcement).exists()  # the city files with nobody
    # its own 3A never counts as its prerequisite, and the earlier 2A still does
    assert [t.grade for t in selectors.platform_titles(application)] == ["2A"]


def evaluated(
    world: Any,
    username: str,
    application: Application,
    values: dict[str, str],
    conclusion: str = "经现场核查，能源计量器具配备不全",
) -> None:
    """The third-party evaluation body, engaged by the applicant, concludes with `values` (form fields
    changed from the self-evaluation)."""
    applicant = actor(world.users[username])
    body = Organisation.objects.get(name=BODY)
    engagement = evaluations.engage(applicant, application, body.pk)
    evaluator = actor(world.users["evaluator"])
    evaluations.save_values(evaluator, engagement, values)
    evaluations.conclude(evaluator, engagement, conclusion)


def test_a_failed_gate_stops_at_the_district_naming_the_gate(world, call):
    """The applicant cannot submit a failed basic requirement; the call's third party finds one (计量设备) in
    a dossier it scores 97.00: the district cannot pass it, only reject it, and the page names it."""
    call.requires_third_party = True
    call.save()
    application = submitted(world, "ks-electronics", answers("1"))
    district = bureau(world, "ks-reviewer")
    evaluated(world, "ks-electronics", application, {"in:metering_basic": "0.5"})
    found = selectors.decisive_verdict(application)
    assert found is not None and (found.basis.value, str(found.score), found.allowed, found.failed[0][0]) == (
        "third_party",
        "97.00",
        False,
        "metering_basic",
    )
    with refused(VerdictRefused, GATE):
        services.pass_step(district, application, "同意")
    case = page(world, "ks-reviewer", "reviews:case", application.public_id)
    assert GATE in case and 'id="only-return-or-reject"' in case and 'id="decide-pass"' not in case

    services.reject_step(district, application, "必选项计量设备未满足")
    application.refresh_from_db()
    assert (application.state, application.review_step) == ("rejected", 0)
    assert application not in selectors.step_queue(bureau(world, "sz-reviewer"))
    assert GATE in page(world, "ks-reviewer", "reviews:case", application.public_id)
    with refused(PublicationError, "没有可公示的申报"):
        publication.open_publicity(district, call)


def test_refused_steps_change_nothing(world, call):
    application = submitted(world, "sz-machinery", answers("0.2"))
    district, other, city = (bureau(world, u) for u in ("wz-reviewer", "ks-reviewer", "sz-reviewer"))
    with refused(PermissionDenied):  # the city does not decide the district's step
        services.pass_step(city, application, "同意")
    with refused(PermissionDenied):  # nor does another district
        services.pass_step(other, application, "同意")
    with refused(PublicationError, "没有可公示的申报"):  # nothing graded yet
        publication.open_publicity(district, call)
    services.pass_step(district, application, "同意评定")
    with refused(ReviewError, "本级已评定等级"):
        services.pass_step(district, application, "再次通过")
    with refused(ReviewError, "没有等待转报的申报"):  # a graded application is not forwarded
        services.run_forwarding(district, call, 0)
    with refused(PublicationError, "没有可公示的申报"):  # the city has nothing to list
        publication.open_publicity(city, call)
    with refused(PublicationError, "没有可公示的申报"):
        publication.open_publicity(other, call)
    notice = publication.open_publicity(district, call)
    with refused(PublicationError, "期满后方可公布"):
        publication.publish(district, notice, today=notice.closes_on)
    with refused(PermissionDenied):  # the city does not publish the district's list
        publication.publish(city, notice, today=notice.closes_on + timedelta(days=1))
    with refused(PermissionDenied):
        publication.publish(other, notice, today=notice.closes_on + timedelta(days=1))
    publication.publish(district, notice, today=notice.closes_on + timedelta(days=1))
    with refused(PublicationError, "该名单已公布"):
        publication.publish(district, notice, today=notice.closes_on + timedelta(days=2))


# seeds/003: "申报省级、国家级绿色工厂的企业需获评3A级" — Jiangsu's provincial call (a provincial title is 4A in
# Suzhou's ladder) is open to units holding a city title of 3A or better, read from the platform's titles
PROVINCE_CALL = "jiangsu-2027-factory-4a"


def province_call(world: Any, code: str = PROVINCE_CALL, eligibility: dict[str, Any] | None = None) -> Call:
    today = timezone.localdate()
    scheme = get_scheme("factory-suzhou")
    return calls.create_call(
        bureau(world, "js-reviewer"),
        code=code,
        name="2027年度江苏省绿色工厂申报（测试）",
        title_kind="factory",
        region_code="320000",
        scheme=scheme.key,
        opens_on=today - timedelta(days=1),
        closes_on=today + timedelta(days=30),
        review_chain=[
            {"level": "district", "days": 20},
            {"level": "city", "days": 20},
            {"level": "province", "days": 30, "publicity_days": 7},
        ],
        requires_third_party=False,
        score_margin=Decimal("2"),
        eligibility=(
            {"requires_title": {"level": "city", "grade_at_least": "3A"}}
            if eligibility is None
            else eligibility
        ),
        notice="",
    )


def city_3a(world: Any, call: Call) -> Application:
    """sz-energy: 2A at its district last round, then 3A by the city this round, all on the platform."""
    earlier = ladder_call("suzhou-2025-factory-grading")
    grade_at_district(world, submitted(world, "sz-energy", answers("0", held="none"), code=earlier.code))
    holder = submitted(world, "sz-energy", answers("0.5", held="none"))
    district, city = bureau(world, "wz-reviewer"), bureau(world, "sz-reviewer")
    services.pass_step(district, holder, "同意")
    services.run_forwarding(district, call, 0)
    services.pass_step(city, Application.objects.get(pk=holder.pk), "同意")
    notice = publication.open_publicity(city, call)
    publication.publish(city, notice, today=notice.closes_on + timedelta(days=1))
    return holder


def test_a_provincial_call_reads_the_3a_the_platform_granted_and_refuses_a_unit_without_it(world, call):
    # sz-energy: 2A at its district last round, then 3A by the city this round, all on the platform
    earlier = ladder_call("suzhou-2025-factory-grading")
    grade_at_district(world, submitted(world, "sz-energy", answers("0", held="none"), code=earlier.code))
    holder = submitted(world, "sz-energy", answers("0.5", held="none"))
    district, city = bureau(world, "wz-reviewer"), bureau(world, "sz-reviewer")
    services.pass_step(district, holder, "同意")
    services.run_forwarding(district, call, 0)
    services.pass_step(city, Application.objects.get(pk=holder.pk), "同意")
    notice = publication.open_publicity(city, call)
    publication.publish(city, notice, today=notice.closes_on + timedelta(days=1))
    assert Title.objects.get(application=holder).grade == "3A"
    # ks-electronics: 2A at its district on the platform (a district title is no city 3A)
    other = submitted(world, "ks-electronics", answers("0.2"))
    grade_at_district(world, other, "ks-reviewer")
    assert (Title.objects.get(application=other).level, Title.objects.get(application=other).grade) == (
        "district",
        "2A",
    )

    provincial = province_call(world)
    reason = "申报省级须已获得市级绿色工厂称号且等级不低于3A（未找到本单位的市级称号）"
    before = snapshot()
    client = world.client("ks-electronics")
    response = client.post(reverse("applications:start", args=[provincial.code]), follow=True)
    assert response.status_code == 200 and reason in response.content.decode()
    assert snapshot()[0] == before[0]  # no application started
    with refused(ApplicationError, reason):
        start(world.users["ks-electronics"], provincial.code)

    application = start(world.users["sz-energy"], provincial.code)
    assert application.state == "draft"
    # the grade prerequisite (申报省级须已获评3A级) rests on the platform's 3A, not on what is typed
    assert selectors.prerequisite_source(application) == (
        "已获等级依据本平台称号：3A（市级）",
        "the grade held is read from the platform's title: 3A (city)",
    )
    assert sorted((t.level, t.grade) for t in selectors.platform_titles(application)) == [
        ("city", "3A"),
        ("district", "2A"),
    ]
    # each read on Suzhou's ladder: the scheme it was graded under and the one that scheme extends
    assert {t.lineage for t in selectors.platform_titles(application)} == {
        ("factory-suzhou", "factory-gbt36132-2018")
    }


def test_a_provincial_call_grants_4a_at_the_province_and_a_city_call_still_3a(world, call):
    """85.50 (d = 0.5) with 3A held: under the city call the grade is 3A (the city's), under the provincial
    call 4A — graded as if granted the provincial title the call confers (seeds/003: 获评省级绿色工厂的企业，
    自动评为4A级) — forwarded by the district and the city, granted by the province alone."""
    holder = city_3a(world, call)
    city_verdict = selectors.decisive_verdict(Application.objects.get(pk=holder.pk))
    assert city_verdict is not None and (str(city_verdict.score), city_verdict.grade) == ("85.50", "3A")
    city_title = Title.objects.get(application=holder)
    assert (city_title.level, city_title.grade) == ("city", "3A")
    # the same answers, 3A held, under each call: the city call confers no status and caps at 3A, even with a
    # provincial status typed; the provincial call confers the provincial title, so 4A
    scheme = get_scheme("factory-suzhou")
    typed = Answers().merge(answers("0.5", held="3A", holds_provincial_title="是"))
    city_result = dossier.evaluate(scheme, typed, conferred_inputs(scheme, "city")).result
    assert city_result is not None and (str(city_result.score), city_result.grade) == ("85.50", "4A")
    assert verdict(scheme, city_result, confers="city").grade == "3A"
    plain = Answers().merge(answers("0.5", held="3A"))
    assert [
        (r.grade if (r := dossier.evaluate(scheme, plain, conferred_inputs(scheme, level)).result) else None)
        for level in ("city", "province")
    ] == ["3A", "4A"]

    provincial = province_call(world)
    assert provincial.level == "province"
    applicant = actor(world.users["sz-energy"])
    application = start(world.users["sz-energy"], provincial.code)
    applications.save_answers(applicant, application, answers("0.5", held="3A"))
    application = applications.submit(applicant, application)
    # the engine grades the dossier as if the provincial title were granted: 4A (the score band is 3A)
    frozen = application.versions.get(frozen_at__isnull=False)
    assert (str(frozen.score), frozen.grade) == ("85.50", "4A")
    assert json.loads(frozen.result)["inputs"]["holds_provincial_title"] is True
    found = selectors.decisive_verdict(application)
    assert found is not None and (found.allowed, str(found.score), found.grade, found.grade_label) == (
        True,
        "85.50",
        "4A",
        "4A级绿色工厂（省级）",
    )
    assert found.reasons == (
        ("得分 85.50，评为4A级绿色工厂（省级）", "score 85.50, graded 4A (provincial title)"),
    )

    district, city, province = (bureau(world, u) for u in ("wz-reviewer", "sz-reviewer", "js-reviewer"))
    # the city's step of this call forwards: it grants no 4A and publishes nothing of it
    assert services.pass_step(district, application, "同意").outcome == "forwarded"
    assert services.pass_step(city, Application.objects.get(pk=application.pk), "同意").outcome == "forwarded"
    assert selectors.awaiting_publicity(city, provincial) == []
    # the provincial call grants 4A at the province alone: its district and city are no grading steps
    assert selectors.ladder_grades(provincial) == {"province": "4A"}
    assert selectors.granting_step(city, provincial) is None
    assert selectors.granting_step(district, provincial) is None
    with refused(PermissionDenied):  # the city lists nothing of this call
        publication.open_publicity(city, provincial)
    with refused(PermissionDenied):
        publication.open_publicity(district, provincial)
    application.refresh_from_db()
    assert (application.state, application.review_step) == ("in_review", 2)

    decision = services.pass_step(province, application, "同意")
    assert (decision.outcome, decision.detail["verdict"]["grade"], str(decision.score)) == (
        "passed",
        "4A",
        "85.50",
    )
    notice = publication.open_publicity(province, provincial)
    assert [(e.application_id, e.grade) for e in notice.entries.all()] == [
        (application.pk, "4A级绿色工厂（省级）")
    ]
    announcement = publication.publish(province, notice, today=notice.closes_on + timedelta(days=1))
    title = Title.objects.get(application=application)
    assert (title.level, title.grade, title.grade_label, str(title.score), announcement.authority_id) == (
        "province",
        "4A",
        "4A级绿色工厂（省级）",
        "85.50",
        province.organisation.pk,
    )
    # and the provincial title raises the unit's city grade to 4A (seeds/003: 自动评为4A级)
    city_title.refresh_from_db()
    assert (city_title.level, city_title.grade) == ("city", "4A")


def test_a_provincial_call_never_grades_below_what_it_confers(world, call):
    """ks-electronics holds only a district 2A: under a provincial call open to all, its 85.50 does not
    reach 4A (申报省级须已获评3A级) and is not graded 3A through the call either: every step refuses a pass,
    nothing changes, and it can only be returned or rejected."""
    other = submitted(world, "ks-electronics", answers("0.2"))
    grade_at_district(world, other, "ks-reviewer")
    provincial = province_call(world, "jiangsu-2027-factory-open", eligibility={})
    applicant = actor(world.users["ks-electronics"])
    application = start(world.users["ks-electronics"], provincial.code)
    applications.save_answers(applicant, application, answers("0.5", held="2A"))
    application = applications.submit(applicant, application)
    frozen = application.versions.get(frozen_at__isnull=False)
    assert (str(frozen.score), frozen.grade) == ("85.50", "3A")  # the engine: 4A withheld, 3A the next
    found = selectors.decisive_verdict(application)
    assert found is not None and (found.allowed, found.grade, found.reasons) == (
        False,
        "",
        (
            (
                "本批次授予4A级绿色工厂（省级），但申报省级须已获评3A级",
                "this call grants 4A (provincial title), but A provincial title needs 3A held",
            ),
        ),
    )
    district = bureau(world, "ks-reviewer")
    with refused(VerdictRefused, "本批次授予4A级绿色工厂（省级），但申报省级须已获评3A级"):
        services.pass_step(district, application, "同意")
    with refused(PermissionDenied):  # the district grades nothing under a provincial call
        publication.open_publicity(district, provincial)
    case = page(world, "ks-reviewer", "reviews:case", application.public_id)
    assert "申报省级须已获评3A级" in case and 'id="decide-pass"' not in case


def test_the_dossier_grades_on_the_platform_titles_as_the_verdict_does(world, call):
    """The grade the dossier shows while the applicant types, and stores with each save, is the verdict's:
    the grade held is read from the platform's titles over the typed answer. sz-energy holds the city's 3A
    on the platform but types an outdated 2A: 4A under the provincial call (typed alone it would be capped
    at 3A). ks-electronics holds only a district 2A but types 3A: 3A, not the 4A its typed answer claims,
    and the verdict refuses, naming the prerequisite."""
    city_3a(world, call)
    provincial = province_call(world, "jiangsu-2027-factory-open", eligibility={})
    scheme = get_scheme("factory-suzhou")
    typed_alone = {
        held: (
            r.grade
            if (
                r := dossier.evaluate(
                    scheme, Answers().merge(answers("0.5", held=held)), conferred_inputs(scheme, "province")
                ).result
            )
            else None
        )
        for held in ("2A", "3A")
    }
    assert typed_alone == {"2A": "3A", "3A": "4A"}

    # ks-electronics: its district 2A, granted on the platform
    grade_at_district(world, submitted(world, "ks-electronics", answers("0.2")), "ks-reviewer")
    expected = {
        "sz-energy": ("2A", "4A", "4A级绿色工厂（省级）"),
        "ks-electronics": ("3A", "3A", "3A级绿色工厂（市级）"),
    }
    for username, (typed, grade, label) in expected.items():
        applicant = actor(world.users[username])
        application = start(world.users[username], provincial.code)
        applications.save_answers(applicant, application, answers("0.5", held=typed))
        draft = application.versions.get(frozen_at__isnull=True)
        assert (username, str(draft.score), draft.grade) == (username, "85.50", grade)
        shown = page(world, username, "applications:dossier", application.public_id)
        shown_grade = shown.split('id="grade-value">', 1)[1].split("</strong>", 1)[0]
        assert (username, shown_grade) == (username, label)
        submitted_ = applications.submit(applicant, application)
        found = selectors.decisive_verdict(submitted_)
        assert found is not None
        if username == "sz-energy":
            assert (found.allowed, found.grade) == (True, "4A")
        else:
            assert (found.allowed, found.grade) == (False, "")
            assert found.reasons[0][0] == "本批次授予4A级绿色工厂（省级），但申报省级须已获评3A级"
