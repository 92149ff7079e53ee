"""Authorization-matrix rows for schemes and benchmarks (issue 12), merged into the MATRIX.

The bureaus that issue calls (city, province, ministry) keep their own industry benchmark values; a district
bureau, an enterprise, an evaluator or an expert gets 404. A POST without a file is refused by the service
(nothing stored) and redirected with the reason."""

from __future__ import annotations

from typing import Any

ISSUERS = {"sz-reviewer", "wx-reviewer", "js-reviewer", "mof-reviewer"}


def issuers(role: str) -> bool | int:
    return role in ISSUERS


ROWS: dict[str, Any] = {
    "benchmarks:list": ("GET", None, issuers, 200),
    "benchmarks:import": ("POST", None, issuers, 302),
}
