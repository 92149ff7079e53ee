"""Call calendars (issue 12) on the platform: the bureau sets and moves the dates of its call, reminders go
7 days and 1 day before each step's date (and the day after), a moved date moves them, the applications
waiting at a step take its date and count as overdue from the day after it, the province's quota refuses
the (quota+1)th recommendation with nothing changed, and the cities report their key-enterprise lists
(对标摸底名单) by the date. Clocks by time-machine."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone
from factories import actor, start
from test_applications import complete_answers
from test_notifications import at

from greenmfg.applications import services as applications
from greenmfg.applications.models import Application
from greenmfg.audit.models import Event
from greenmfg.catalog import services
from greenmfg.catalog.models import Call, CallCalendar, KeyListEntry
from greenmfg.catalog.services import CallError
from greenmfg.dashboards.selectors import pipeline
from greenmfg.notifications import services as notifications
from greenmfg.notifications.models import Notification, Reminder
from greenmfg.orgs.models import Organisation
from greenmfg.reviews import services as reviews
from greenmfg.reviews.models import Decision
from greenmfg.reviews.services import ReviewError

CODE = "jiangsu-2027-factory"


def who(world: Any, name: str) -> Any:
    return actor(world.users[name])


@pytest.fixture
def call(world: Any) -> Call:
    """Jiangsu's provincial factory call, self-evaluated: cities review first, then the province (as
    Guangdong's scheme, seeds/002). Open from yesterday for 20 days."""
    national = Call.objects.get(code="suzhou-2026-factory")
    today = timezone.localdate()
    return services.create_call(
        who(world, "js-reviewer"),
        code=CODE,
        name="2027年度江苏省绿色工厂申报",
        title_kind="factory",
        region_code="320000",
        scheme=f"{national.scheme_id}@{national.scheme_version}",
        opens_on=today - timedelta(days=1),
        closes_on=today + timedelta(days=20),
        review_chain=["city", "province"],
        requires_third_party=False,
        score_margin="2",
        eligibility={},
        notice="",
    )


def dates(call: Call) -> tuple[date, date, date]:
    """(key list, city, province): the list before closing, the city 20 days after it, the province 30."""
    return (
        call.closes_on - timedelta(days=5),
        call.closes_on + timedelta(days=20),
        call.closes_on + timedelta(days=50),
    )


def set_calendar(
    world: Any,
    call: Call,
    key: date | None,
    city: date | None,
    province: date | None,
    quota: int | None = None,
) -> CallCalendar:
    return services.set_calendar(
        who(world, "js-reviewer"), call, step_dates=[city, province], key_list_due=key, quota=quota
    )


def snapshot() -> dict[str, Any]:
    return {
        "calendars": list(CallCalendar.objects.values()),
        "reminders": list(Reminder.objects.values()),
        "events": Event.objects.count(),
        "decisions": list(Decision.objects.values_list("pk", "outcome")),
        "applications": list(
            Application.objects.order_by("pk").values_list("pk", "state", "review_step", "step_due_on")
        ),
        "key_list": list(KeyListEntry.objects.values_list("pk", flat=True)),
    }


def sent_on(day: date, user: Any, about: str = "审核完成期限") -> list[str]:
    """The reminders `user` receives on `day` about a step's date (or, by `about`, another of the call's)."""
    with time_machine.travel(at(day), tick=False):
        before = set(Notification.objects.values_list("pk", flat=True))
        notifications.dispatch()
        found = Notification.objects.exclude(pk__in=before).filter(user=user, subject__contains=about)
        return sorted(found.values_list("kind", flat=True))


def test_a_wrong_calendar_is_refused_with_its_reason_and_nothing_changes(world: Any, call: Call) -> None:
    key, city, province = dates(call)
    before = snapshot()
    with pytest.raises(CallError) as refused:
        set_calendar(world, call, key, city, None)
    assert refused.value.message_dict == {"step_1": ["已为其他审核环节设定日期，省级审核也须设定完成日期。"]}
    with pytest.raises(CallError) as refused:
        set_calendar(world, call, key, province, city)
    assert refused.value.message_dict == {
        "step_1": [f"须晚于上一审核环节的完成日期（{province.year}年{province.month}月{province.day}日）。"]
    }
    suzhou = Call.objects.get(code="suzhou-2026-factory")
    with pytest.raises(CallError) as refused:
        services.set_calendar(who(world, "sz-reviewer"), suzhou, step_dates=[], key_list_due=None, quota=3)
    assert refused.value.message_dict == {"quota": ["审核流程中没有省级审核，推荐名额无从适用。"]}
    assert snapshot() == before


def test_another_bureau_cannot_set_the_calendar(world: Any, call: Call) -> None:
    key, city, province = dates(call)
    before = snapshot()
    with pytest.raises(PermissionDenied):
        services.set_calendar(
            who(world, "sz-reviewer"), call, step_dates=[city, province], key_list_due=key, quota=None
        )
    assert snapshot() == before


def test_step_reminders_go_on_their_day_not_one_day_early(world: Any, call: Call) -> None:
    key, city, province = dates(call)
    set_calendar(world, call, key, city, province)
    suzhou, wuxi, jiangsu = world.users["sz-reviewer"], world.users["wx-reviewer"], world.users["js-reviewer"]
    assert sent_on(city - timedelta(days=8), suzhou) == []
    assert sent_on(city - timedelta(days=7), suzhou) == ["deadline.due_in_7"]
    assert Notification.objects.filter(user=wuxi, kind="deadline.due_in_7").count() == 1  # every city
    assert sent_on(city - timedelta(days=2), suzhou) == []
    assert sent_on(city - timedelta(days=1), suzhou) == ["deadline.due_in_1"]
    assert sent_on(city, suzhou) == []
    assert sent_on(city + timedelta(days=1), suzhou) == ["deadline.missed"]
    note = Notification.objects.get(user=suzhou, kind="deadline.due_in_1")
    assert note.subject == "明天到期：市级审核完成期限：2027年度江苏省绿色工厂申报"
    assert note.body == f"期限：{city.year}年{city.month}月{city.day}日"
    # the province's own step reminds the province, not the cities
    assert sent_on(province - timedelta(days=7), jiangsu) == ["deadline.due_in_7"]
    assert not Notification.objects.filter(user=suzhou, subject__contains="省级审核").exists()


def test_a_moved_date_moves_its_reminder(world: Any, call: Call) -> None:
    key, city, province = dates(call)
    set_calendar(world, call, key, city, province)
    suzhou = world.users["sz-reviewer"]
    later = city + timedelta(days=5)
    with time_machine.travel(at(city - timedelta(days=10)), tick=False):
        set_calendar(world, call, key, later, province)
    assert sent_on(city - timedelta(days=7), suzhou) == []  # the former date no longer reminds
    assert sent_on(later - timedelta(days=8), suzhou) == []  # not one day early
    assert sent_on(later - timedelta(days=7), suzhou) == ["deadline.due_in_7"]
    assert sent_on(city + timedelta(days=1), suzhou) == []  # nor is the former date missed
    assert sent_on(later - timedelta(days=1), suzhou) == ["deadline.due_in_1"]
    moved = Event.objects.filter(action="call.calendar_set").order_by("pk").last()
    assert moved.detail["before"]["step_dates"][0] == city.isoformat()
    assert moved.detail["after"]["step_dates"][0] == later.isoformat()


def submitted(world: Any, username: str) -> Application:
    user = world.users[username]
    application = start(user, CODE)
    applications.save_answers(actor(user), application, complete_answers())
    return applications.submit(actor(user), application)


def test_a_waiting_application_takes_the_step_date_and_is_overdue_the_day_after(
    world: Any, call: Call
) -> None:
    key, city, province = dates(call)
    set_calendar(world, call, key, city, province)
    application = submitted(world, "sz-machinery")
    assert application.step_due_on == city
    suzhou = Organisation.objects.get(pk=world.users["sz-reviewer"].membership.organisation_id)
    assert pipeline(suzhou, city - timedelta(days=1)).overdue == 0
    assert pipeline(suzhou, city).overdue == 0  # the due date is the last day the step may be done
    assert pipeline(suzhou, city + timedelta(days=1)).overdue == 1
    # the province moves the city's date: the waiting application moves with it
    set_calendar(world, call, key, city + timedelta(days=3), province)
    application.refresh_from_db()
    assert application.step_due_on == city + timedelta(days=3)
    assert pipeline(suzhou, city + timedelta(days=1)).overdue == 0
    assert pipeline(suzhou, city + timedelta(days=4)).overdue == 1
    # passed on by the city, it reaches the province with the province's date
    reviews.pass_step(who(world, "sz-reviewer"), application, "材料齐全")
    application.refresh_from_db()
    assert (application.review_step, application.step_due_on) == (1, province)


def test_the_quota_plus_one_recommendation_is_refused_and_nothing_changes(world: Any, call: Call) -> None:
    key, city, province = dates(call)
    set_calendar(world, call, key, city, province, quota=1)
    first, second = submitted(world, "sz-machinery"), submitted(world, "sz-energy")
    for application in (first, second):
        reviews.pass_step(who(world, "sz-reviewer"), application, "材料齐全")
    reviews.pass_step(who(world, "js-reviewer"), first, "推荐")
    assert Decision.objects.filter(application=first, step=1, outcome="passed").count() == 1
    before = snapshot()
    with pytest.raises(ReviewError) as refused:
        reviews.pass_step(who(world, "js-reviewer"), second, "推荐")
    assert refused.value.zh == (
        "本批次每个省级主管部门最多推荐 1 个，已推荐 1 个，本次 1 个将超出名额（尚余 0 个）；未作任何更改。"
    )
    assert snapshot() == before
    # raising the quota lets it through; lowering it below what was recommended is refused
    set_calendar(world, call, key, city, province, quota=2)
    reviews.pass_step(who(world, "js-reviewer"), second, "推荐")
    before = snapshot()
    with pytest.raises(CallError) as lowered:
        set_calendar(world, call, key, city, province, quota=1)
    assert lowered.value.message_dict == {"quota": ["已有省级主管部门推荐 2 个，名额不能少于此数。"]}
    assert snapshot() == before


def test_the_cities_report_their_key_list_by_its_date(world: Any, call: Call) -> None:
    key, city, province = dates(call)
    set_calendar(world, call, key, city, province)
    machinery = Organisation.objects.get(pk=world.users["sz-machinery"].membership.organisation_id)
    materials = Organisation.objects.get(pk=world.users["wx-materials"].membership.organisation_id)
    before = snapshot()
    with pytest.raises(CallError) as refused:  # Wuxi cannot report Suzhou's enterprise; nothing is added
        services.record_key_list(
            who(world, "wx-reviewer"), call, [materials.credit_code, machinery.credit_code]
        )
    assert refused.value.message_dict["units"] == [
        f"{machinery.credit_code}：本辖区内没有该单位。未添加任何单位。"
    ]
    assert snapshot() == before
    entries = services.record_key_list(who(world, "sz-reviewer"), call, [machinery.credit_code])
    assert [e.unit_id for e in entries] == [machinery.pk]
    # Suzhou has reported: its reminders of the list's date are dropped, Wuxi's stay
    assert not Reminder.objects.filter(user=world.users["sz-reviewer"], key__contains="key_list").exists()
    assert Reminder.objects.filter(user=world.users["wx-reviewer"], key__contains="key_list").count() == 3
    with time_machine.travel(at(key + timedelta(days=1)), tick=False), pytest.raises(CallError) as late:
        services.record_key_list(who(world, "wx-reviewer"), call, [materials.credit_code])
    assert late.value.message_dict["units"] == [
        f"对标摸底名单已于 {key.year}年{key.month}月{key.day}日 截止报送。"
    ]
    with time_machine.travel(at(key), tick=False):  # the day itself is still in time
        services.record_key_list(who(world, "wx-reviewer"), call, [materials.credit_code])
    page = (
        world.client("js-reviewer").get(reverse("catalog:calendar", kwargs={"code": CODE})).content.decode()
    )
    assert machinery.name in page and materials.name in page


def test_the_calendar_form_sets_the_dates(world: Any, call: Call) -> None:
    key, city, province = dates(call)
    client = world.client("js-reviewer")
    url = reverse("catalog:calendar", kwargs={"code": CODE})
    assert "市级审核完成日期" in client.get(url).content.decode()
    bad = client.post(url, {"step_0": city.isoformat(), "step_1": "", "key_list_due": "", "quota": ""})
    assert bad.status_code == 400
    assert "省级审核也须设定完成日期" in bad.content.decode()
    assert not CallCalendar.objects.exists()
    response = client.post(
        url,
        {
            "step_0": city.isoformat(),
            "step_1": province.isoformat(),
            "key_list_due": key.isoformat(),
            "quota": "15",
        },
    )
    assert response.status_code == 302
    held = CallCalendar.objects.get(call=call)
    assert (held.step_dates, held.key_list_due, held.quota) == (
        [city.isoformat(), province.isoformat()],
        key,
        15,
    )


def test_pages_refuse_other_bureaus_and_change_nothing(world: Any, call: Call) -> None:
    key, city, province = dates(call)
    set_calendar(world, call, key, city, province)
    before = snapshot()
    data = {
        "step_0": city.isoformat(),
        "step_1": (province + timedelta(days=1)).isoformat(),
        "key_list_due": "",
        "quota": "1",
    }
    calendar_url = reverse("catalog:calendar", kwargs={"code": CODE})
    for role in ("sz-reviewer", "wz-reviewer", "mof-reviewer", "sz-machinery", "expert-1", None):
        expected = 302 if role is None else 404  # the anonymous are sent to sign in; others: no such call
        assert world.client(role).post(calendar_url, data).status_code == expected
        assert snapshot() == before
    machinery = world.users["sz-machinery"].membership.organisation
    key_list_url = reverse("catalog:key_list", kwargs={"code": CODE})
    # the province issued the call but reports no list of its own; a district is not a reporter here
    for role in ("js-reviewer", "wz-reviewer", "sz-machinery"):
        response = world.client(role).post(key_list_url, {"units": machinery.credit_code})
        assert response.status_code == 404 and snapshot() == before
    response = world.client("sz-reviewer").post(key_list_url, {"units": "91320000XXXXXXXXXX"})
    assert response.status_code == 400 and "本辖区内没有该单位" in response.content.decode()
    assert snapshot() == before
    response = world.client("sz-reviewer").post(key_list_url, {"units": machinery.credit_code})
    assert response.status_code == 302
    assert list(KeyListEntry.objects.values_list("unit_id", flat=True)) == [machinery.pk]


def test_the_first_step_bureaus_find_the_key_list_on_their_workbench(world: Any, call: Call) -> None:
    key, city, province = dates(call)
    queue = reverse("reviews:queue")
    link = reverse("catalog:key_list", kwargs={"code": CODE})
    assert link not in world.client("sz-reviewer").get(queue).content.decode()  # no key list asked yet
    set_calendar(world, call, key, city, province)
    for role in ("sz-reviewer", "sz-clerk", "wx-reviewer"):  # the cities: the chain's first step
        page = world.client(role).get(queue).content.decode()
        assert f'href="{link}"' in page, role
        assert f"报送截止 {key.year}年{key.month}月{key.day}日" in page
        assert world.client(role).get(link).status_code == 200
    for role in ("js-reviewer", "wz-reviewer"):  # the province decides later; a district is not asked
        assert link not in world.client(role).get(queue).content.decode(), role
