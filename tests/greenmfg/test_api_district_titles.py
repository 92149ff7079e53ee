"""A title graded at the district (Suzhou's 1A/2A, seeds/003) is public like any other: the open-data API
lists, filters and serves it with its level, and its OpenAPI schema names the level."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any, get_args

from django.test import Client

from greenmfg.catalog.models import TitleKind, TitleLevel
from greenmfg.register import api, services


def _district_title() -> Any:
    return services.record_title(
        source_key="title:" + str(uuid.uuid4()),
        kind="factory",
        level="district",
        grade="2A级",
        year=2026,
        announced_on=date(2026, 9, 30),
        announcement_ref="吴中工信〔2026〕7号",
        authority="苏州市吴中区工业和信息化局",
        region_code="320506",
        unit_name="苏州区级测试机械有限公司（演示）",
        credit_code="91320506MA1XXXXX1R",
        industry_code="34",
    )


def test_the_api_lists_filters_and_serves_a_district_title(world: Any) -> None:
    entry = _district_title()
    client = Client()

    listed = client.get("/api/titles", {"q": "区级测试机械"})
    assert listed.status_code == 200
    [item] = listed.json()["items"]
    assert (item["level"], item["level_label"], item["grade"]) == ("district", "区县级", "2A级")

    filtered = client.get("/api/titles", {"level": "district"})
    assert filtered.status_code == 200
    assert [i["id"] for i in filtered.json()["items"]] == [str(entry.public_id)]

    one = client.get(f"/api/titles/{entry.public_id}")
    assert one.status_code == 200
    assert one.json()["level"] == "district"


def test_the_openapi_schema_names_the_district_level(world: Any) -> None:
    schema = Client().get("/api/openapi.json").json()
    levels = schema["components"]["schemas"]["TitleOut"]["properties"]["level"]["enum"]
    assert levels == ["district", "city", "province", "national"]


def test_the_api_spells_every_kind_and_level_the_catalogue_has() -> None:
    assert get_args(api.Level) == tuple(TitleLevel.values)
    assert get_args(api.Kind) == tuple(TitleKind.values)
