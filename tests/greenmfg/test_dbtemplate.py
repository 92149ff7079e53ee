"""The test databases' template (ADR 0012) is current only while what it derives from is unchanged."""

from __future__ import annotations

import datetime
import shutil
from pathlib import Path

import pytest
from tests import dbtemplate

SQLITE = dbtemplate.SQLITE


@pytest.fixture
def tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A repository with one file of each kind of input, and the digest computed over it."""
    for name in (
        "src/greenmfg/orgs/migrations/0001_initial.py",
        "src/greenmfg/orgs/models.py",
        "src/greenmfg/reference/data/regions.csv",
        "src/greenmfg/web/demo.py",
        "src/greencore/schemes/factory/factory.yaml",
        "tests/greenmfg/factories.py",
        "uv.lock",
        "src/greenmfg/orgs/views.py",
    ):
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"# {name}\n", encoding="utf-8")
    monkeypatch.setattr(dbtemplate, "ROOT", tmp_path)
    return tmp_path


@pytest.mark.parametrize(
    "changed",
    [
        "src/greenmfg/orgs/migrations/0001_initial.py",
        "src/greenmfg/orgs/models.py",
        "src/greenmfg/reference/data/regions.csv",
        "src/greenmfg/web/demo.py",
        "src/greencore/schemes/factory/factory.yaml",
        "tests/greenmfg/factories.py",
        "uv.lock",
    ],
)
def test_a_change_to_an_input_makes_a_new_digest(tree: Path, changed: str) -> None:
    before = dbtemplate.digest(SQLITE)
    (tree / changed).write_text("# changed\n", encoding="utf-8")
    assert dbtemplate.digest(SQLITE) != before


def test_a_new_migration_makes_a_new_digest(tree: Path) -> None:
    before = dbtemplate.digest(SQLITE)
    shutil.copyfile(
        tree / "src/greenmfg/orgs/migrations/0001_initial.py",
        tree / "src/greenmfg/orgs/migrations/0002_more.py",
    )
    assert dbtemplate.digest(SQLITE) != before


def test_other_code_the_engine_and_the_date(tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    before = dbtemplate.digest(SQLITE)
    (tree / "src/greenmfg/orgs/views.py").write_text("# a view changed\n", encoding="utf-8")
    assert dbtemplate.digest(SQLITE) == before  # the template does not derive from views
    assert dbtemplate.digest("django.db.backends.postgresql") != before
    tomorrow = datetime.date.today() + datetime.timedelta(days=1)
    monkeypatch.setattr(dbtemplate.timezone, "localdate", lambda: tomorrow)
    assert dbtemplate.digest(SQLITE) != before  # the demo calls open and close relative to today


def test_no_copy_when_turned_off(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GREENMFG_TEST_TEMPLATE", "0")
    assert not dbtemplate.copy_sqlite_template(tmp_path / "served.sqlite3")
    assert not (tmp_path / "served.sqlite3").exists()
