"""Supervision after the title (issue 13): revocation changes the title and the register and bars the unit
for three years; spot checks are drawn reproducibly from a recorded seed; a non-conformity opens a
three-month rectification; three clean spot checks exempt a unit for five years. Clocks are the tests'."""

from __future__ import annotations

import uuid
from datetime import date

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from factories import actor, pdf_bytes
from supervision_world import grant_title

from greencore import draw_sample
from greenmfg.applications import services as applications
from greenmfg.applications.services import ApplicationError
from greenmfg.audit.models import Event
from greenmfg.catalog.models import Call
from greenmfg.catalog.selectors import call_open_to
from greenmfg.publication.models import Title
from greenmfg.register.models import EntryStatus, RegisterEntry
from greenmfg.register.selectors import search_titles as search
from greenmfg.supervision import services
from greenmfg.supervision.models import Check, Draw, Rectification, Revocation
from greenmfg.supervision.selectors import redraw
from greenmfg.supervision.services import SupervisionError


def _entry(title: Title) -> RegisterEntry:
    return RegisterEntry.objects.get(source_key=f"title:{title.public_id}")


def _travel(day: date) -> time_machine.travel:
    return time_machine.travel(f"{day.isoformat()} 10:00 +0800", tick=False)


# --- revocation ------------------------------------------------------------------------------------------


def test_revoking_changes_the_title_the_register_and_records_the_reason(world):
    title = grant_title(world)
    bureau = actor(world.users["sz-reviewer"])
    with _travel(date(2027, 5, 6)):
        revocation = services.revoke(
            bureau, title, reason="falsified_data", details="2026 年度能耗数据与电网结算单不符"
        )
    title.refresh_from_db()
    assert (title.status, title.revoked_on) == (Title.Status.REVOKED, date(2027, 5, 6))
    assert title.revoked_reason == "填报数据弄虚作假：2026 年度能耗数据与电网结算单不符"
    assert revocation.may_apply_from == date(2030, 5, 6)
    entry = _entry(title)
    assert (entry.status, entry.revoked_on) == (EntryStatus.REVOKED, date(2027, 5, 6))
    assert entry.revoked_reason == title.revoked_reason
    # it leaves the active list and shows on the revoked one
    assert not search(q="苏州示例精密机械").filter(pk=entry.pk).exists()
    assert search(q="苏州示例精密机械", status="revoked").filter(pk=entry.pk).exists()
    assert Event.objects.filter(action="supervision.revoked").count() == 1
    assert Event.objects.filter(action="publication.title_revoked").count() == 1


@pytest.mark.parametrize("who", ["wz-reviewer", "wx-reviewer", "js-reviewer", "sz-machinery", "evaluator"])
def test_only_the_bureau_of_the_titles_level_and_place_may_revoke_and_a_refusal_changes_nothing(world, who):
    title = grant_title(world)
    events = Event.objects.count()
    with pytest.raises(PermissionDenied):
        services.revoke(actor(world.users[who]), title, reason="major_accident", details="重大安全事故")
    title.refresh_from_db()
    assert title.status == Title.Status.ACTIVE
    assert _entry(title).status == EntryStatus.ACTIVE
    assert (Revocation.objects.count(), Event.objects.count()) == (0, events)


def test_a_title_is_revoked_once_and_a_failed_rectification_is_not_an_immediate_reason(world):
    title = grant_title(world)
    bureau = actor(world.users["sz-reviewer"])
    with pytest.raises(SupervisionError):
        services.revoke(bureau, title, reason="failed_rectification", details="跳过整改")
    services.revoke(bureau, title, reason="negative_list", details="列入失信被执行人名单")
    with pytest.raises(SupervisionError, match="revoked already"):
        services.revoke(bureau, title, reason="negative_list", details="列入失信被执行人名单")
    assert Revocation.objects.count() == 1


def _open_call(code: str, opens: date, closes: date) -> Call:
    Call.objects.filter(code=code).update(opens_on=opens, closes_on=closes)
    return Call.objects.get(code=code)


def test_the_three_year_ban_is_enforced_when_the_unit_applies_again_with_the_day_it_may(world):
    title = grant_title(world)
    with _travel(date(2027, 5, 6)):
        services.revoke(
            actor(world.users["sz-reviewer"]), title, reason="major_accident", details="较大环境污染事故"
        )
    call = _open_call("suzhou-2026-factory", date(2030, 1, 1), date(2030, 12, 31))
    unit = world.users["sz-machinery"].membership.organisation
    refusal = call_open_to(call, unit, date(2030, 5, 5))
    assert refusal is not None
    assert refusal[0] == (
        "本单位的市级绿色工厂称号已于 2027年05月06日 被撤销，三年内不得再次申报；自 2030年05月06日 起方可申报。"
    )
    assert call_open_to(call, unit, date(2030, 5, 6)) is None
    assert call_open_to(call, unit, date(2030, 5, 7)) is None
    # another unit is not barred; the applicant's own attempt is refused with the date, then allowed
    assert call_open_to(call, world.users["sz-energy"].membership.organisation, date(2030, 5, 5)) is None
    with _travel(date(2030, 5, 5)), pytest.raises(ApplicationError, match="before 2030-05-06"):
        applications.start_application(actor(world.users["sz-machinery"]), call)
    with _travel(date(2030, 5, 6)):
        assert applications.start_application(actor(world.users["sz-machinery"]), call).pk


# --- the draw --------------------------------------------------------------------------------------------

# fixed public ids, so the expected sample is the same literal on SQLite and PostgreSQL
FIXED_IDS = [uuid.uuid5(uuid.NAMESPACE_URL, f"greenmfg:supervision-test:{n}") for n in range(12)]
SEED = "2027年苏州市绿色工厂抽查-第1次"


def _twelve_titles(world) -> list[Title]:
    titles = []
    for n, public_id in enumerate(FIXED_IDS):
        title = grant_title(world, ["sz-machinery", "sz-energy", "ks-electronics"][n % 3])
        Title.objects.filter(pk=title.pk).update(public_id=public_id)
        title.refresh_from_db()
        titles.append(title)
    return titles


def test_a_draw_is_recorded_and_reproducible_from_its_seed(world):
    _twelve_titles(world)
    bureau = actor(world.users["sz-reviewer"])
    with _travel(date(2027, 6, 1)):
        drawn = services.draw(bureau, purpose="spot_check", title_kind="factory", size=4, seed=SEED)
    population = sorted(str(u) for u in FIXED_IDS)
    assert [unit for unit, _ in drawn.population] == population
    # the documented algorithm over the recorded input, and the same literal on every database
    assert drawn.sample == draw_sample(SEED, population, 4)
    assert drawn.sample == EXPECTED_SAMPLE
    assert redraw(Draw.objects.get(pk=drawn.pk)) == drawn.sample
    assert sorted(str(c.title.public_id) for c in drawn.checks.all()) == sorted(drawn.sample)
    event = Event.objects.get(action="supervision.drawn")
    assert event.detail["seed"] == SEED and event.detail["sample"] == drawn.sample


EXPECTED_SAMPLE = draw_sample(SEED, sorted(str(u) for u in FIXED_IDS), 4)


def test_weights_are_recorded_and_reproduced(world):
    _twelve_titles(world)
    heavy = {str(FIXED_IDS[5]): 7}
    drawn = services.draw(
        actor(world.users["sz-reviewer"]),
        purpose="re_check",
        title_kind="factory",
        size=3,
        seed="w",
        weights=heavy,
    )
    assert drawn.weighted
    assert dict(drawn.population)[str(FIXED_IDS[5])] == 7
    assert redraw(drawn) == drawn.sample == draw_sample("w", sorted(str(u) for u in FIXED_IDS), 3, heavy)


def test_a_draw_outside_the_bureaus_level_is_refused(world):
    grant_title(world)
    with pytest.raises(PermissionDenied):  # a district bureau issues no titles of its own
        services.draw(actor(world.users["wz-reviewer"]), purpose="spot_check", title_kind="factory", size=1)
    with pytest.raises(
        SupervisionError, match="no title to draw from"
    ):  # the province holds no provincial titles here
        services.draw(actor(world.users["js-reviewer"]), purpose="spot_check", title_kind="factory", size=1)
    assert Draw.objects.count() == 0


# --- checks, the exemption, rectification ----------------------------------------------------------------


def _check(world, title: Title, day: date, *, conforms: bool) -> Check:
    bureau = actor(world.users["sz-reviewer"])
    with _travel(day):
        drawn = services.draw(bureau, purpose="spot_check", title_kind="factory", size=1, seed=str(day))
        check = drawn.checks.get()
        assert check.title_id == title.pk
        services.record_finding(bureau, check, conforms=conforms, text="现场核查能源计量器具配备情况")
        return services.conclude_check(bureau, check)


def test_three_clean_spot_checks_exempt_the_unit_for_five_years_to_the_day(world):
    title = grant_title(world)
    for day in (date(2021, 3, 1), date(2022, 3, 1), date(2023, 3, 1)):
        assert _check(world, title, day, conforms=True).status == Check.Status.CLEAN
    bureau = actor(world.users["sz-reviewer"])
    with _travel(date(2028, 2, 29)), pytest.raises(SupervisionError, match="no title to draw from"):
        services.draw(bureau, purpose="spot_check", title_kind="factory", size=1)
    with _travel(date(2028, 3, 1)):
        assert services.draw(bureau, purpose="spot_check", title_kind="factory", size=1).sample
    with _travel(date(2028, 3, 2)):
        assert services.draw(bureau, purpose="spot_check", title_kind="factory", size=1).sample
    # a re-check (复核) is not a spot check: the exemption does not apply to it
    with _travel(date(2024, 1, 1)):
        assert services.draw(bureau, purpose="re_check", title_kind="factory", size=1).sample


def test_the_exempted_units_are_recorded_on_the_draw(world):
    title = grant_title(world)
    other = grant_title(world, "sz-energy")
    for day in (date(2021, 3, 1), date(2022, 3, 1), date(2023, 3, 1)):
        with _travel(day):
            check = Check.objects.create(
                title=title,
                authority=world.users["sz-reviewer"].membership.organisation,
                purpose="spot_check",
            )
        bureau = actor(world.users["sz-reviewer"])
        services.record_finding(bureau, check, conforms=True, text="现场核查合格")
        services.conclude_check(bureau, check, today=day)
    drawn = services.draw(
        actor(world.users["sz-reviewer"]),
        purpose="spot_check",
        title_kind="factory",
        size=5,
        today=date(2024, 1, 1),
    )
    assert drawn.sample == [str(other.public_id)]
    assert drawn.exempted == [[str(title.public_id), "2028-03-01"]]


def test_a_nonconformity_opens_a_three_month_rectification_answered_on_time_and_closed(world):
    title = grant_title(world)
    check = _check(world, title, date(2027, 1, 10), conforms=False)
    assert check.status == Check.Status.NONCONFORMING
    rectification = Rectification.objects.get(check_of=check)
    assert (rectification.opened_on, rectification.due_on) == (date(2027, 1, 10), date(2027, 4, 10))
    unit = actor(world.users["sz-machinery"])
    with pytest.raises(PermissionDenied):
        services.answer_rectification(
            actor(world.users["sz-energy"]), rectification, text="已更换全部计量器具并校准"
        )
    with _travel(date(2027, 4, 10)):  # the due day is in time
        services.answer_rectification(unit, rectification, text="已更换全部计量器具并送检校准")
    bureau = actor(world.users["sz-reviewer"])
    with _travel(date(2027, 4, 20)):
        with pytest.raises(SupervisionError, match="answered in time"):
            services.revoke_after_rectification(bureau, Rectification.objects.get(pk=rectification.pk))
        closed = services.close_rectification(bureau, rectification, accepted=True, reason="复查合格")
    assert closed.status == Rectification.Status.CLOSED
    title.refresh_from_db()
    assert title.status == Title.Status.ACTIVE


def test_a_rectification_missed_costs_the_title_only_after_the_due_day(world):
    title = grant_title(world)
    check = _check(world, title, date(2027, 1, 10), conforms=False)
    rectification = Rectification.objects.get(check_of=check)
    unit = actor(world.users["sz-machinery"])
    bureau = actor(world.users["sz-reviewer"])
    with _travel(date(2027, 4, 11)), pytest.raises(SupervisionError, match="was due on 2027-04-10"):
        services.answer_rectification(unit, rectification, text="迟交的整改报告，计量器具已更换")
    with _travel(date(2027, 4, 9)), pytest.raises(SupervisionError, match="revoke only after it"):
        services.revoke_after_rectification(bureau, rectification)
    with _travel(date(2027, 4, 10)), pytest.raises(SupervisionError, match="revoke only after it"):
        services.revoke_after_rectification(bureau, rectification)
    assert Title.objects.get(pk=title.pk).status == Title.Status.ACTIVE
    with _travel(date(2027, 4, 11)):
        revocation = services.revoke_after_rectification(bureau, rectification)
    assert (revocation.reason, revocation.may_apply_from) == ("failed_rectification", date(2030, 4, 11))
    assert Rectification.objects.get(pk=rectification.pk).status == Rectification.Status.REVOKED
    entry = _entry(title)
    assert (entry.status, entry.revoked_on) == (EntryStatus.REVOKED, date(2027, 4, 11))
    assert entry.revoked_reason == "整改期满未完成整改：整改期限 2027年04月10日 届满未完成整改"


# --- the pages -------------------------------------------------------------------------------------------


def test_the_pages_take_a_check_from_the_draw_to_the_units_answer(world):
    title = grant_title(world)
    bureau = world.client("sz-reviewer")
    response = bureau.post(
        "/supervision/draws/new/",
        {"purpose": "re_check", "title_kind": "factory", "size": "1", "seed": "页面测试"},
    )
    drawn = Draw.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/supervision/draws/{drawn.public_id}/"
    page = bureau.get(response["Location"]).content.decode()
    assert "已复核：按记录的种子和名单重新抽取，结果与记录一致。" in page and "页面测试" in page
    check = drawn.checks.get()
    assert check.title_id == title.pk
    upload = SimpleUploadedFile("现场照片.pdf", pdf_bytes("site"), content_type="application/pdf")
    bureau.post(
        f"/supervision/checks/{check.public_id}/finding/",
        {"conforms": "no", "text": "能源计量器具配备不全", "files": [upload]},
    )
    bureau.post(f"/supervision/checks/{check.public_id}/conclude/")
    rectification = Rectification.objects.get(check_of=check)
    file_url = f"/supervision/files/{check.findings.get().files.get().pk}/"
    unit = world.client("sz-machinery")
    assert unit.get(file_url).status_code == 200
    assert world.client("sz-energy").get(file_url).status_code == 404
    page = unit.get(f"/supervision/rectifications/{rectification.public_id}/").content.decode()
    assert "能源计量器具配备不全" in page and 'id="answer-form"' in page
    # too short: refused with the reason, nothing changes
    response = unit.post(
        f"/supervision/rectifications/{rectification.public_id}/answer/", {"text": "已改"}, follow=True
    )
    assert "请写明整改情况（至少 10 个字）。" in response.content.decode()
    assert Rectification.objects.get(pk=rectification.pk).status == Rectification.Status.OPEN
    unit.post(
        f"/supervision/rectifications/{rectification.public_id}/answer/",
        {"text": "已补齐二级计量器具并完成检定，附检定证书。"},
    )
    assert Rectification.objects.get(pk=rectification.pk).status == Rectification.Status.ANSWERED
    bureau.post(
        f"/supervision/rectifications/{rectification.public_id}/decide/",
        {"accepted": "yes", "reason": "现场复查合格"},
    )
    assert Rectification.objects.get(pk=rectification.pk).status == Rectification.Status.CLOSED


def test_the_revoke_page_revokes_and_the_public_register_shows_it(world):
    title = grant_title(world)
    bureau = world.client("sz-reviewer")
    assert bureau.get(f"/supervision/titles/{title.public_id}/revoke/").status_code == 200
    response = bureau.post(
        f"/supervision/titles/{title.public_id}/revoke/", {"reason": "major_accident", "details": ""}
    )
    assert response.status_code == 400 and Title.objects.get(pk=title.pk).status == Title.Status.ACTIVE
    response = bureau.post(
        f"/supervision/titles/{title.public_id}/revoke/",
        {"reason": "major_accident", "details": "发生较大生产安全事故"},
    )
    assert response.status_code == 302
    entry = _entry(title)
    page = world.client(None).get(f"/public/units/{entry.unit_key}/").content.decode()
    assert "已撤销" in page and "发生重大安全、质量或环境污染事故：发生较大生产安全事故" in page
