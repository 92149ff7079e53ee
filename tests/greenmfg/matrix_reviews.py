"""Authorization-matrix rows for the reviews context (merged into test_authorization_matrix.MATRIX)."""

from __future__ import annotations

from typing import Any

ROWS: dict[str, Any] = {}
