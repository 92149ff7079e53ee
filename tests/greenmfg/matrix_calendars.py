"""Authorization-matrix rows for call calendars (issue 12), merged into the MATRIX.

A call's calendar page is its issuer's alone (every other role: 404, as for a missing call). The
key-enterprise list (对标摸底名单) of the Suzhou call is reported by the bureaus of its chain's first step,
the districts inside Suzhou (Wuzhong and Kunshan); Xishan is a district of Wuxi, outside the call, and the
city that issued the call does not report to itself. Refusals change nothing (see test_call_calendars)."""

from __future__ import annotations

from typing import Any

from greenmfg.catalog import services
from greenmfg.catalog.models import Call
from greenmfg.orgs.selectors import actor_of

CALL = "suzhou-2026-factory"


def issuer_of_the_call(role: str) -> bool | int:
    return role == "sz-reviewer"


def reporters(role: str) -> bool | int:
    return role in {"wz-reviewer", "ks-reviewer"}


def objects(world: Any, found: dict[str, Any]) -> dict[str, Any]:
    call = Call.objects.get(code=CALL)
    services.set_calendar(
        actor_of(world.users["sz-reviewer"]), call, step_dates=[], key_list_due=call.closes_on, quota=None
    )
    return {}


ROWS: dict[str, Any] = {
    "catalog:calendar": ("GET", lambda o: {"code": CALL}, issuer_of_the_call, 200),
    "catalog:key_list": ("GET", lambda o: {"code": CALL}, reporters, 200),
}
