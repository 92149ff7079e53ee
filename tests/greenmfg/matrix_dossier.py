"""Authorization-matrix rows for the dossier's sections, fetched when opened (issue 11): whoever may read
the dossier may read its sections (the owner its draft; the bureaus over it the submitted version)."""

from __future__ import annotations

ROWS = {
    "applications:section": (
        "GET",
        lambda o: {"public_id": o["application"].public_id, "index": 1},
        "visible",
        200,
    ),
}
