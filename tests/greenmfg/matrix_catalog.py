"""Authorization-matrix rows for the bureaus' calls and for accounts and sites (merged into the MATRIX).

Calls are issued by city, provincial and ministry bureaus (not districts) and edited by their issuer only;
any bureau opens enterprise accounts in its jurisdiction; an enterprise keeps its own sites."""

from __future__ import annotations

from typing import Any

from greenmfg.orgs.models import Site

ISSUERS = {"sz-reviewer", "wx-reviewer", "js-reviewer", "mof-reviewer"}
REVIEWERS = {"wz-reviewer", "ks-reviewer", "sz-reviewer", "wx-reviewer", "js-reviewer", "mof-reviewer"}
ENTERPRISES = {"sz-machinery", "sz-energy", "ks-electronics"}


def issuers(role: str) -> bool | int:
    return role in ISSUERS


def issuer_of_the_call(role: str) -> bool | int:
    # suzhou-2026-factory is the Suzhou city bureau's; the other issuers do not see it to edit
    return role == "sz-reviewer"


def reviewers(role: str) -> bool | int:
    return role in REVIEWERS


def enterprises(role: str) -> bool | int:
    return role in ENTERPRISES


def site_owner(role: str) -> bool | int:
    return role == "sz-machinery"


def objects(world: Any, found: dict[str, Any]) -> dict[str, Any]:
    owner = world.users["sz-machinery"].membership.organisation
    site = Site.objects.create(organisation=owner, name="矩阵测试厂区", region_id="320506")
    return {"site": site}


ROWS: dict[str, Any] = {
    "catalog:list": ("GET", None, issuers, 200),
    "catalog:create": ("GET", None, issuers, 200),
    "catalog:edit": ("GET", lambda o: {"code": "suzhou-2026-factory"}, issuer_of_the_call, 200),
    "orgs:account_new": ("GET", None, reviewers, 200),
    "orgs:sites": ("GET", None, enterprises, 200),
    "orgs:site_new": ("GET", None, enterprises, 200),
    "orgs:site_edit": ("GET", lambda o: {"pk": o["site"].pk}, site_owner, 200),
}
