"""Racing saves of different dossier fields (issue 11, "nothing typed is lost"): every value typed is stored,
each save answers with the revision it stored, and the live score shown for the last one is greencore's
score of exactly the answers stored (on SQLite and PostgreSQL).

The browser half of the story — the page must end on the last answer whatever order the answers arrive in —
is tests/e2e/test_dossier_races.py; the page's part of it (saves one at a time, each into the live panel
the previous one left) is checked here on the rendered HTML, for the dossier and the evaluator's sheet.
"""

from __future__ import annotations

import re
import shutil
import threading
from decimal import Decimal as D
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.db import connection
from factories import start
from test_evaluations import engaged

import greencore
from greenmfg.applications.answers import Answers
from greenmfg.applications.dossier import (
    build_form,
    engine_fingerprint,
    evaluate,
    evaluation_for_page,
    remember,
    scheme_for,
)

SCHEME = ("factory-gbt36132-2025", "2025.1")
# four judged inputs that each score on their own (so a lost one shows in the total), and two raw-data
# values (the journey's first fields), all typed at once in six fields
SCORING = {
    "in:platform_functions": "6",  # 4.50
    "in:materials_reduction": "3",  # 3.00
    "in:materials_recycled": "2",  # 2.00
    "in:green_design": "6",  # 6.00
}
RAW = {"s:year": "2023", "s:output_value": "46000"}


def _shown(html: str) -> tuple[int, str]:
    revision = re.search(r'<aside id="live"[^>]*data-revision="(\d+)"', html)
    score = re.search(r'id="score-value">([^<]+)<', html)
    assert revision is not None and score is not None, html[:500]
    return int(revision.group(1)), score.group(1)


@pytest.mark.django_db(transaction=True)
def test_racing_saves_of_different_fields_store_every_value_and_the_last_answer_scores_them(tx_world):
    user = tx_world.users["sz-machinery"]
    application = start(user)
    typed = {**SCORING, **RAW}
    clients = {key: tx_world.client("sz-machinery") for key in typed}
    barrier = threading.Barrier(len(typed))
    answered: dict[str, tuple[int, str]] = {}
    failures: list[BaseException] = []

    def save(key: str) -> None:
        try:
            barrier.wait()
            response = clients[key].post(f"/applications/{application.public_id}/save/", {key: typed[key]})
            assert response.status_code == 200, response.content[:300]
            answered[key] = _shown(response.content.decode())
        except BaseException as error:  # reported below, in the test's thread
            failures.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=save, args=(key,)) for key in typed]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []

    dossier = application.versions.get(frozen_at__isnull=True)
    # every value typed is stored, and each save stored a revision of its own
    assert dossier.answers == {"inputs": SCORING, "raw": RAW}
    assert dossier.revision == 6
    assert sorted(revision for revision, _ in answered.values()) == [1, 2, 3, 4, 5, 6]
    # greencore's score of the stored answers: the four judged inputs (the raw data is incomplete, so the
    # scheme's raw-fed indicators score nothing yet)
    scheme = scheme_for(*SCHEME)
    expected = greencore.score(
        scheme,
        {"platform_functions": 6, "materials_reduction": 3, "materials_recycled": 2, "green_design": 6},
    ).score
    assert expected == D("15.50")
    assert dossier.score == expected
    # the answer of the last save shows that score, as does the page read afterwards
    last = max(answered.values())
    assert last == (6, "15.50")
    page = clients["s:year"].get(f"/applications/{application.public_id}/").content.decode()
    assert _shown(page) == (6, "15.50")


@pytest.mark.django_db
def test_a_kept_evaluation_is_never_served_for_another_text_of_the_same_scheme_name():
    """A local scheme's `id@version` can carry another text in another database or deployment sharing the
    cache: the kept evaluation is addressed by the scheme's content, not by its name."""
    scheme = scheme_for(*SCHEME)
    other = scheme.model_copy(update={"precision": 0})  # the same name, another text
    assert other.key == scheme.key
    answers = Answers().merge({"in:platform_functions": "6"})
    kept = evaluate(scheme, answers)
    remember(scheme, answers, kept)
    assert kept.result is not None and kept.result.score == D("4.50")
    served = evaluation_for_page(other, answers)
    assert served is not kept
    assert served.result is not None and served.result.score == D("5")  # 4.50 rounded half-up to 0 places
    assert evaluation_for_page(scheme, answers) is kept


def test_the_engine_fingerprint_follows_every_rule_and_scheme_file(tmp_path):
    """ENGINE_VERSION names a release and is not bumped by every edit: a kept evaluation is addressed by
    the engine's files, so one computed before a deployment that changed a rule or a shipped scheme is not
    served after it (the shared cache outlives the processes)."""
    root = Path(greencore.__file__).parent
    copy = tmp_path / "greencore"
    shutil.copytree(root, copy, ignore=shutil.ignore_patterns("__pycache__"))
    assert engine_fingerprint(copy) == engine_fingerprint(root)
    (copy / "report.html").write_text("not a rule", encoding="utf-8")  # templates do not score
    assert engine_fingerprint(copy) == engine_fingerprint(root)
    scheme_file = copy / "schemes" / "factory" / "gbt36132-2025.yaml"
    scheme_file.write_text(scheme_file.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    assert engine_fingerprint(copy) != engine_fingerprint(root)


class _Saves(HTMLParser):
    """Each element that saves (hx-post to `url`), with whether an enclosing element queues every request
    of its descendants (hx-sync="this:queue all"), and whether that element holds the live panel too."""

    VOID = frozenset({"input", "br", "img", "meta", "link", "hr", "source", "wbr", "col", "area"})

    def __init__(self, url: str, live: str) -> None:
        super().__init__()
        self.url, self.live = url, live
        self.stack: list[tuple[str, bool]] = []
        self.saves: list[tuple[str, bool]] = []
        self.live_queued: bool | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        queued = any(q for _, q in self.stack)
        if found.get("hx-post") == self.url:
            self.saves.append((found.get("name") or "", queued))
        if found.get("id") == self.live:
            self.live_queued = queued
        if tag not in self.VOID:
            self.stack.append((tag, found.get("hx-sync") == "this:queue all"))

    def handle_endtag(self, tag: str) -> None:
        while self.stack:  # an element left open (an <option> in a datalist) closes with its parent
            if self.stack.pop()[0] == tag:
                break


def every_field_and_cell(application) -> int:
    """What the form takes: its fields, and each table's columns times the rows the scheme allows (the
    fixed benchmark cells are read-only inputs with no save)."""
    form = build_form(f"{application.call.scheme_id}@{application.call.scheme_version}")
    return sum(len(s.fields) for s in form.sections) + sum(
        t.capacity * len(t.columns) for s in form.sections for t in s.tables
    )


def _saves(html: str, url: str, live: str) -> _Saves:
    parsed = _Saves(url, live)
    parsed.feed(html)
    return parsed


def test_every_save_of_the_dossier_waits_for_the_one_in_flight(world):
    application = start(world.users["sz-machinery"])
    page = (
        world.client("sz-machinery")
        .get(f"/applications/{application.public_id}/?section=all")
        .content.decode()
    )
    parsed = _saves(page, f"/applications/{application.public_id}/save/", "live")
    # every field of every section and every row each table takes (those under "more rows" too), each seen
    # by the parser: 619 fields and cells in the rows shown at first, 1,235 with the rest
    assert len(parsed.saves) == page.count(f'hx-post="/applications/{application.public_id}/save/"') == 1235
    assert every_field_and_cell(application) == 1235
    assert [name for name, queued in parsed.saves if not queued] == []
    assert parsed.live_queued is False  # the panel the saves replace is outside the queue's element


def test_every_save_of_the_evaluators_sheet_waits_for_the_one_in_flight(world):
    engagement = engaged(world)
    page = world.client("evaluator").get(f"/evaluations/{engagement.public_id}/").content.decode()
    parsed = _saves(page, f"/evaluations/{engagement.public_id}/save/", "ev-live")
    assert len(parsed.saves) == page.count(f'hx-post="/evaluations/{engagement.public_id}/save/"') == 1235
    assert [name for name, queued in parsed.saves if not queued] == []
    assert parsed.live_queued is False
