"""自我声明 (issue 13): a titled unit declares its key indicators' levels on its bureau's calendar (yearly by
default, or half-yearly), within the window (boundary day and one day either side, clock-controlled); the
public register shows the declaration from the period's publication day, only the indicators the bureau
chose; refusals write nothing."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from factories import actor
from supervision_world import grant_title

from greenmfg.audit.models import Event
from greenmfg.register.models import Declaration, RegisterEntry
from greenmfg.supervision import services
from greenmfg.supervision.models import SelfDeclaration
from greenmfg.supervision.services import SupervisionError

VALUES = {"total_energy_tce": "8600", "output_value": "52,000"}


def _travel(day: date) -> time_machine.travel:
    return time_machine.travel(f"{day.isoformat()} 10:00 +0800", tick=False)


def snapshot() -> tuple[Any, ...]:
    return (
        list(SelfDeclaration.objects.order_by("pk").values()),
        list(Declaration.objects.order_by("pk").values()),
        Event.objects.count(),
    )


def _unit_page(world: Any, title: Any) -> str:
    entry = RegisterEntry.objects.get(source_key=f"title:{title.public_id}")
    return world.client(None).get(f"/public/units/{entry.unit_key}/").content.decode()


@pytest.mark.parametrize(
    ("today", "accepted"),
    [
        (date(2026, 12, 31), False),  # the year has not ended
        (date(2027, 1, 1), True),  # the window's first day
        (date(2027, 1, 2), True),
        (date(2027, 3, 30), True),
        (date(2027, 3, 31), True),  # the due day is in time
        (date(2027, 4, 1), False),
    ],
)
def test_a_yearly_declaration_is_taken_within_its_window_only(world, today, accepted):
    title = grant_title(world)
    unit = actor(world.users["sz-machinery"])
    if accepted:
        with _travel(today):
            made = services.declare(unit, title, period="2026", values=VALUES)
        assert (made.period, made.values, made.declared_on) == (
            "2026",
            {"total_energy_tce": "8600", "output_value": "52000"},
            today,
        )
        return
    before = snapshot()
    with _travel(today), pytest.raises(SupervisionError, match="is declared from 2027-01-01 to 2027-03-31"):
        services.declare(unit, title, period="2026", values=VALUES)
    assert snapshot() == before


def test_the_register_shows_it_from_the_publication_day_and_only_what_the_bureau_chose(world):
    title = grant_title(world)
    services.set_declaration_setting(
        actor(world.users["sz-reviewer"]), cadence="yearly", shown=["total_energy_tce"]
    )
    with _travel(date(2027, 2, 1)):
        services.declare(actor(world.users["sz-machinery"]), title, period="2026", values=VALUES)
    with _travel(date(2027, 3, 31)):  # the window's last day: not public yet
        assert "自我声明" not in _unit_page(world, title)
    with _travel(date(2027, 4, 1)):
        page = _unit_page(world, title)
    assert "自我声明" in page and "综合能源消费量：8600 tce" in page
    assert "52000" not in page  # declared, but the bureau does not show it
    # the bureau shows more: what was declared is published again with the new choice
    services.set_declaration_setting(
        actor(world.users["sz-reviewer"]), cadence="yearly", shown=["total_energy_tce", "output_value"]
    )
    assert [i["value"] for i in Declaration.objects.get().indicators] == ["52000", "8600"]  # scheme order


@pytest.mark.parametrize(
    ("today", "accepted"),
    [
        (date(2026, 12, 31), False),
        (date(2027, 1, 1), True),
        (date(2027, 1, 31), True),
        (date(2027, 2, 1), False),
    ],
)
def test_a_half_yearly_calendar_takes_the_second_half_in_january(world, today, accepted):
    title = grant_title(world)
    services.set_declaration_setting(actor(world.users["sz-reviewer"]), cadence="half_yearly", shown=[])
    unit = actor(world.users["sz-machinery"])
    before = snapshot()
    with _travel(today):
        if accepted:
            services.declare(unit, title, period="2026H2", values=VALUES)
            assert Declaration.objects.get().published_on == date(2027, 2, 1)
            assert Declaration.objects.get().indicators == []  # the bureau shows none
        else:
            with pytest.raises(SupervisionError, match="2026H2 is declared from"):
                services.declare(unit, title, period="2026H2", values=VALUES)
            assert snapshot() == before


def test_refused_declarations_write_nothing(world):
    title = grant_title(world)
    unit = actor(world.users["sz-machinery"])
    with _travel(date(2027, 2, 1)):
        services.declare(unit, title, period="2026", values=VALUES)
        before = snapshot()
        with pytest.raises(SupervisionError, match="declared already"):
            services.declare(unit, title, period="2026", values=VALUES)
        with pytest.raises(
            SupervisionError, match="declared value of “Comprehensive energy consumption” must be"
        ):
            services.declare(unit, title, period="2026", values={"total_energy_tce": "很多"})
        with pytest.raises(SupervisionError, match="declare at least one"):
            services.declare(unit, title, period="2026", values={"total_energy_tce": " "})
        with pytest.raises(SupervisionError, match="calendar is yearly"):
            services.declare(unit, title, period="2026H2", values=VALUES)
        with pytest.raises(SupervisionError, match="not a declaration period"):
            services.declare(unit, title, period="明年", values=VALUES)
        with pytest.raises(PermissionDenied):  # not its own title
            services.declare(actor(world.users["sz-energy"]), title, period="2026", values=VALUES)
        with pytest.raises(PermissionDenied):  # a district does not set the calendar
            services.set_declaration_setting(actor(world.users["wz-reviewer"]), cadence="yearly", shown=[])
        with pytest.raises(SupervisionError, match="yearly or half-yearly"):
            services.set_declaration_setting(actor(world.users["sz-reviewer"]), cadence="monthly", shown=[])
    assert snapshot() == before


def test_the_unit_declares_through_its_page(world):
    title = grant_title(world)
    with _travel(date(2027, 3, 31)):
        user = world.users["sz-machinery"]
        user.password_changed_at = timezone.now()  # a password changed on the day: not due for renewal
        user.save(update_fields=["password_changed_at"])
        client = world.client("sz-machinery")
        page = client.get("/supervision/declarations/")
        assert "声明期 2026" in page.content.decode()
        response = client.post(
            f"/supervision/titles/{title.public_id}/declare/",
            {"period": "2026", "d:total_energy_tce": "8600", "d:water_reuse_rate": "92"},
        )
    assert response.status_code == 302
    assert SelfDeclaration.objects.get().values == {"total_energy_tce": "8600", "water_reuse_rate": "92"}
