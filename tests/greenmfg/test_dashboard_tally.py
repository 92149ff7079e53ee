"""The tally of active titles (register.TitleTally) that the whole country's dashboard reads (issue 17): after
every kind of write — grant, re-record under another kind or year, revoke, a national-list import — it equals
the grouped count of the register entries themselves."""

from __future__ import annotations

import random
from collections import Counter
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext
from test_dashboards import grant

from greenmfg.dashboards import selectors
from greenmfg.publication.services import import_national_lists
from greenmfg.register import services as register
from greenmfg.register.models import EntryStatus, RegisterEntry, TitleTally


def direct() -> Counter[tuple[str, str, int, str, str]]:
    return Counter(
        (k, lv, y, b, p or "")
        for k, lv, y, b, p in RegisterEntry.objects.filter(status=EntryStatus.ACTIVE).values_list(
            "kind", "level", "year", "batch", "province_id"
        )
    )


def tallied() -> Counter[tuple[str, str, int, str, str]]:
    return Counter(
        {
            (t.kind, t.level, t.year, t.batch, t.province): t.count
            for t in TitleTally.objects.filter(count__gt=0)
        }
    )


def test_tally_follows_every_write(world: Any) -> None:
    rng = random.Random(17)
    regions = ["320506", "320583", "320200", "330100", "440300"]
    keys = [f"t{i}" for i in range(12)]
    for step in range(60):
        key = rng.choice(keys)
        if rng.random() < 0.2 and RegisterEntry.objects.filter(source_key=f"title:{key}").exists():
            register.revoke(f"title:{key}", "计数测试")
        else:  # a new grant, or the same title re-recorded with another kind, level, year or place
            grant(
                key,
                rng.choice(regions),
                rng.choice(["factory", "product", "park"]),
                rng.choice(["city", "province"]),
                rng.choice([2024, 2025]),
            )
        assert tallied() == direct(), step
    assert RegisterEntry.objects.filter(status=EntryStatus.REVOKED).exists()
    assert RegisterEntry.objects.filter(status=EntryStatus.ACTIVE).exists()


def test_tally_after_the_national_lists_and_a_rebuild(world: Any) -> None:
    import_national_lists()
    register.rebuild_from_national_lists()
    grant("after", "320506", "factory", "city", 2025)
    register.revoke(RegisterEntry.objects.filter(source="national_list").first().source_key, "计数测试")
    assert tallied() == direct()
    assert sum(direct().values()) > 6000
    # a rebuild from scratch gives the same rows
    assert register.rebuild_tally() == len(direct())
    assert tallied() == direct()


def test_ministry_figures_come_from_the_tally_in_few_queries(world: Any) -> None:
    import_national_lists()
    register.rebuild_from_national_lists()
    ministry = world.users["mof-reviewer"].membership.organisation
    with CaptureQueriesContext(connection) as captured:
        where = selectors.where(ministry)
    assert not any("register_registerentry" in q["sql"] for q in captured.captured_queries)
    active = RegisterEntry.objects.filter(status=EntryStatus.ACTIVE)
    assert where.total == active.count()
    by_province = Counter(p or "" for p in active.values_list("province_id", flat=True))
    assert {f.key: f.count for f in where.by_area} == dict(by_province)
    factories = selectors.where(ministry, "factory")
    assert factories.total == active.filter(kind="factory").count()
