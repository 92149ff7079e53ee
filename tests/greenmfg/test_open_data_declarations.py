"""Self-declarations in the open-data API (issue 13): GET /api/declarations/<unit_key> lists a unit's
declarations once public on the platform's calendar (the day after the period's window closes: boundary
day and one day either side, clock-controlled), only the indicators the bureau chose; errors are the API's
JSON in the user's language."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
import time_machine
from django.test import Client
from factories import actor
from supervision_world import grant_title

from greenmfg.register.models import RegisterEntry
from greenmfg.supervision import services


def _travel(day: date) -> time_machine.travel:
    return time_machine.travel(f"{day.isoformat()} 10:00 +0800", tick=False)


@pytest.fixture
def declared(world: Any) -> RegisterEntry:
    """The unit declared for 2026 on 1 February 2027 (window 1 January – 31 March, public from 1 April);
    its bureau shows the energy only."""
    title = grant_title(world)
    services.set_declaration_setting(
        actor(world.users["sz-reviewer"]), cadence="yearly", shown=["total_energy_tce"]
    )
    with _travel(date(2027, 2, 1)):
        services.declare(
            actor(world.users["sz-machinery"]),
            title,
            period="2026",
            values={"total_energy_tce": "8600", "output_value": "52000"},
        )
    return RegisterEntry.objects.get(source_key=f"title:{title.public_id}")


@pytest.mark.parametrize(
    ("today", "public"), [(date(2027, 3, 31), False), (date(2027, 4, 1), True), (date(2027, 4, 2), True)]
)
def test_a_declaration_is_served_from_its_publication_day(declared, today, public):
    with _travel(today):
        response = Client().get(f"/api/declarations/{declared.unit_key}")
    assert response.status_code == 200 and response["content-type"].startswith("application/json")
    body = response.json()
    assert (body["unit_key"], body["unit_name"]) == (declared.unit_key, declared.unit_name)
    if not public:
        assert body["declarations"] == []
        return
    assert body["declarations"] == [
        {
            "title_id": str(declared.public_id),
            "kind": "factory",
            "kind_label": "绿色工厂",
            "level": "city",
            "level_label": "市级",
            "period": "2026",
            "published_on": "2027-04-01",
            "indicators": [{"label": "综合能源消费量", "value": "8600", "unit": "tce"}],
        }
    ]


def test_an_unknown_unit_is_the_apis_404_in_the_users_language(db: Any) -> None:
    zh = Client()
    en = Client()
    en.cookies["django_language"] = "en"
    response = zh.get("/api/declarations/91320500000000000X")
    assert response.status_code == 404 and response["content-type"].startswith("application/json")
    assert response.json() == {"status": 404, "detail": "未找到所请求的数据", "place": ""}
    assert en.get("/api/declarations/91320500000000000X").json()["detail"] == (
        "The requested data was not found"
    )
    # not a GET: the API's 405, also JSON
    assert zh.post("/api/declarations/91320500000000000X").status_code == 405


def test_the_openapi_document_describes_the_declarations_with_explicit_fields(db: Any) -> None:
    schema = Client().get("/api/openapi.json").json()
    assert set(schema["paths"]["/api/declarations/{unit_key}"]) == {"get"}
    components = schema["components"]["schemas"]
    assert set(components["UnitDeclarationsOut"]["properties"]) == {"unit_key", "unit_name", "declarations"}
    assert set(components["DeclarationOut"]["properties"]) == {
        "title_id", "kind", "kind_label", "level", "level_label", "period", "published_on", "indicators",
    }  # fmt: skip
    assert set(components["DeclaredIndicatorOut"]["properties"]) == {"label", "value", "unit"}
