"""Authorization-matrix rows for the dashboards context (merged into test_authorization_matrix.MATRIX).

Every bureau (district to ministry) sees its own jurisdiction's dashboards; enterprises, evaluators and
experts get 404, as for any page that is not theirs; anonymous users are sent to log in. An enterprise sees
its own position among its peers (`mine`). Back-testing belongs to the bureaus that keep local schemes
(city, province, ministry), and a back-test to the bureau that ran it."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from greencore import get_scheme
from greenmfg.dashboards import services as dashboards
from greenmfg.orgs.selectors import actor_of
from greenmfg.schemes import services as schemes

ISSUERS = {"sz-reviewer", "wx-reviewer", "js-reviewer", "mof-reviewer"}


def issuers(role: str) -> bool | int:
    return role in ISSUERS


def owner(role: str) -> bool | int:
    # the back-test below is the Suzhou city bureau's: every other bureau answers 404, as for a missing one
    return role == "sz-reviewer"


def objects(world: Any, found: dict[str, Any]) -> dict[str, Any]:
    bureau = actor_of(world.users["sz-reviewer"])
    draft = schemes.derive(
        bureau,
        get_scheme("factory-gbt36132-2025@2025.1"),
        scheme_id="factory-matrix-backtest",
        version="1",
        title="矩阵回测方案",
        source="矩阵测试〔2026〕2号",
        numbers={"outcome.pass_mark": Decimal("65")},
    )
    job = dashboards.start_backtest(bureau, draft)
    return {"backtest": dashboards.run_backtest(job)}


BACKTEST = lambda o: {"pk": o["backtest"].pk}  # noqa: E731

ROWS: dict[str, Any] = {
    "dashboards:home": ("GET", None, "reviewers", 200),
    "dashboards:table_xlsx": ("GET", lambda o: {"table": "area"}, "reviewers", 200),
    "dashboards:target_new": ("GET", None, "reviewers", 200),
    "dashboards:provinces_geojson": ("GET", None, "reviewers", 200),
    "dashboards:quality": ("GET", None, "reviewers", 200),
    "dashboards:quality_titles": ("GET", None, "reviewers", 200),
    "dashboards:mine": ("GET", None, "applicants", 200),
    "dashboards:bodies": ("GET", None, "reviewers", 200),
    "dashboards:backtests": ("GET", None, issuers, 200),
    "dashboards:backtest": ("GET", BACKTEST, owner, 200),
    "dashboards:backtest_xlsx": ("GET", BACKTEST, owner, 200),
}
