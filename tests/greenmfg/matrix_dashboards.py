"""Authorization-matrix rows for the dashboards context (merged into test_authorization_matrix.MATRIX).

Every bureau (district to ministry) sees its own jurisdiction's dashboard; enterprises, evaluators and
experts get 404, as for any page that is not theirs; anonymous users are sent to log in."""

from __future__ import annotations

from typing import Any

ROWS: dict[str, Any] = {
    "dashboards:home": ("GET", None, "reviewers", 200),
    "dashboards:table_xlsx": ("GET", lambda o: {"table": "area"}, "reviewers", 200),
    "dashboards:target_new": ("GET", None, "reviewers", 200),
    "dashboards:provinces_geojson": ("GET", None, "reviewers", 200),
}
