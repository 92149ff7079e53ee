"""Authorization-matrix rows for schemes and benchmarks (issue 12), merged into the MATRIX.

The bureaus that issue calls (city, province, ministry) keep their own industry benchmark values; a district
bureau, an enterprise, an evaluator or an expert gets 404. A POST without a file is refused by the service
(nothing stored) and redirected with the reason. Local schemes are kept by the same bureaus; a draft is its
bureau's alone."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from greencore import get_scheme
from greenmfg.orgs.selectors import actor_of
from greenmfg.schemes import services as schemes

ISSUERS = {"sz-reviewer", "wx-reviewer", "js-reviewer", "mof-reviewer"}


def issuers(role: str) -> bool | int:
    return role in ISSUERS


def owner(role: str) -> bool | int:
    # the draft below is the Suzhou city bureau's: every other bureau answers 404, as for a missing one
    return role == "sz-reviewer"


def objects(world: Any, found: dict[str, Any]) -> dict[str, Any]:
    draft = schemes.derive(
        actor_of(world.users["sz-reviewer"]),
        get_scheme("factory-gbt36132-2025@2025.1"),
        scheme_id="factory-matrix",
        version="1",
        title="矩阵测试方案",
        source="矩阵测试〔2026〕1号",
        numbers={"indicators[energy].children[platform].rule.base": Decimal("2")},
    )
    return {"local_scheme": draft}


SCHEME = lambda o: {"pk": o["local_scheme"].pk}  # noqa: E731

ROWS: dict[str, Any] = {
    "benchmarks:list": ("GET", None, issuers, 200),
    "benchmarks:import": ("POST", None, issuers, 302),
    # local schemes: a POST without text is refused by the service and redirected with the reason
    "schemes:list": ("GET", None, issuers, 200),
    "schemes:submit": ("POST", None, issuers, 302),
    "schemes:derive": ("GET", None, issuers, 200),
    "schemes:detail": ("GET", SCHEME, owner, 200),
    "schemes:adopt": ("POST", SCHEME, owner, 302),
    # without a value the page refuses before the service (nothing recorded) and shows the reason
    "schemes:verify": ("POST", SCHEME, owner, 302),
}
