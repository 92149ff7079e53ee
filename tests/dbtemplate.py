"""The test databases' template (ADR 0012): migrated, with the reference data and the demo world in it,
built once and copied for every test database instead of migrating and loading each one.

The template is kept between sessions and is current while nothing it derives from has changed: the
digest of the migrations, the models, the reference data, the schemes, the demo world's and the test
world's builders, the settings and the locked package versions, and today's date (the demo calls open
and close relative to it). A different digest builds it again.

- PostgreSQL: a database named after the test database with `_tmpl` (`test_greenmfg_tmpl`); its comment
  holds the digest, written only once it is complete. A test database is `CREATE DATABASE … TEMPLATE`.
- SQLite: a file `var/test-templates/sqlite-<digest>.sqlite3` (rollback journal, so one file is the
  whole database), renamed into place once complete. A test database is a copy of it.

Building and copying happen under an exclusive file lock, so concurrent xdist workers (and concurrent
sessions on one machine) build it once and never copy a half-built or replaced template.
GREENMFG_TEST_TEMPLATE=0 turns it off: each test database is then migrated and loaded by its worker.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connections
from django.utils import timezone

ROOT = Path(__file__).resolve().parents[1]

# Everything the template's content derives from (relative to the repository): a change builds it again.
INPUTS = (
    "src/greenmfg/*/migrations/*.py",
    "src/greenmfg/*/models.py",
    "src/greenmfg/reference/**/*",
    "src/greenmfg/web/demo.py",
    "src/greenmfg/settings.py",
    "src/greenmfg/test_settings.py",
    "src/greencore/schemes/**/*",
    "tests/greenmfg/factories.py",
    "tests/dbtemplate.py",
    "uv.lock",
)

MARK = "greenmfg test template"
SQLITE = "django.db.backends.sqlite3"


def enabled() -> bool:
    return os.environ.get("GREENMFG_TEST_TEMPLATE", "1") != "0"


def digest(engine: str) -> str:
    """The digest of the template's inputs, the database engine and today's date."""
    h = hashlib.sha256(f"{engine}\n{timezone.localdate().isoformat()}\n".encode())
    for pattern in INPUTS:
        for path in sorted(p for p in ROOT.glob(pattern) if p.is_file() and "__pycache__" not in p.parts):
            h.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()[:20]


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _point_at(connection: Any, name: str) -> None:
    """Use database `name` from now on (what `create_test_db` does once the test database exists)."""
    connection.close()
    settings.DATABASES[connection.alias]["NAME"] = name
    connection.settings_dict["NAME"] = name


def _sqlite_path(digest_: str) -> Path:
    return Path(settings.VAR_DIR) / "test-templates" / f"sqlite-{digest_}.sqlite3"


def copy_sqlite_template(target: Path) -> bool:
    """Copy the current SQLite template (migrated, reference data and demo world) to `target`, if there
    is one: always in a SQLite session once its test database is set up. False when there is none."""
    path = _sqlite_path(digest(SQLITE))
    if not enabled():
        return False
    with _locked(path.parent / ".lock"):
        if not path.is_file():
            return False
        shutil.copyfile(path, target)
    return True


class Template:
    """The template of one database alias, and how to build it, test whether it is current and copy it."""

    def __init__(self, connection: Any) -> None:
        self.connection = connection
        self.vendor: str = connection.vendor
        self.digest = digest(connection.settings_dict["ENGINE"])
        self.test_name: str = connection.creation._get_test_db_name()
        if self.vendor == "sqlite":
            path = _sqlite_path(self.digest)
            self.name = str(path)
            self.lock = path.parent / ".lock"
        elif self.vendor == "postgresql":
            # the test database's name without pytest-django's xdist suffix (test_x_gw0 -> test_x_tmpl)
            base = connection.settings_dict["TEST"].get("NAME") or f"test_{connection.settings_dict['NAME']}"
            workerless = os.environ.get("PYTEST_XDIST_WORKER")
            if workerless and base.endswith(f"_{workerless}"):
                base = base[: -len(workerless) - 1]
            self.name = f"{base}_tmpl"
            place = (
                f"{connection.settings_dict.get('HOST')}:{connection.settings_dict.get('PORT')}:{self.name}"
            )
            self.lock = Path(tempfile.gettempdir()) / (
                f"greenmfg-test-template-{hashlib.sha256(place.encode()).hexdigest()[:16]}.lock"
            )
        else:
            raise NotImplementedError(f"no test template for {self.vendor}")

    # -- PostgreSQL helpers ---------------------------------------------------------------------------
    def _q(self, name: str) -> str:
        return str(self.connection.ops.quote_name(name))

    def _pg_comment(self) -> str | None:
        with self.connection.creation._nodb_cursor() as cursor:
            cursor.execute(
                "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s",
                [self.name],
            )
            row = cursor.fetchone()
        return None if row is None else row[0]

    # -- the template ---------------------------------------------------------------------------------
    def current(self) -> bool:
        if self.vendor == "sqlite":
            return Path(self.name).is_file()
        return self._pg_comment() == f"{MARK} {self.digest}"

    def build(self, populate: Callable[[], object], verbosity: int) -> None:
        """Create, migrate and populate the template, then mark it complete. The connection is left closed
        and pointing at the database it pointed at before."""
        connection = self.connection
        test_settings = connection.settings_dict["TEST"]
        saved_test_name, saved_name = test_settings.get("NAME"), connection.settings_dict["NAME"]
        building = f"{self.name}.building-{os.getpid()}" if self.vendor == "sqlite" else self.name
        test_settings["NAME"] = building
        try:
            connection.creation.create_test_db(verbosity=verbosity, autoclobber=True, serialize=False)
            populate()
            if self.vendor == "sqlite":
                with connection.cursor() as cursor:  # one file, no -wal beside it: a plain copy is whole
                    cursor.execute("PRAGMA journal_mode=DELETE")
            connection.close()
            if self.vendor == "sqlite":
                for stale in Path(self.name).parent.glob("sqlite-*.sqlite3"):
                    stale.unlink()
                os.replace(building, self.name)
            else:
                with connection.creation._nodb_cursor() as cursor:
                    cursor.execute(
                        f"COMMENT ON DATABASE {self._q(self.name)} IS %s", [f"{MARK} {self.digest}"]
                    )
        finally:
            connection.close()
            test_settings["NAME"] = saved_test_name
            _point_at(connection, saved_name)
            if self.vendor == "sqlite":
                with contextlib.suppress(FileNotFoundError):
                    os.remove(building)

    def copy_to(self, target: str) -> None:
        """Make database `target` a copy of the template (replacing what was there)."""
        self.connection.close()
        if self.vendor == "sqlite":
            for suffix in ("", "-wal", "-shm", "-journal"):
                with contextlib.suppress(FileNotFoundError):
                    os.remove(target + suffix)
            Path(target).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(self.name, target)
            return
        with self.connection.creation._nodb_cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {self._q(target)}")
            cursor.execute(f"CREATE DATABASE {self._q(target)} TEMPLATE {self._q(self.name)}")


def setup_databases(
    aliases: set[str], populate: Callable[[], object], verbosity: int = 0
) -> list[tuple[Any, str, bool]]:
    """Give each alias its test database, copied from the alias's template (built first if it is not
    current). Returns the configuration `django.test.utils.teardown_databases` takes."""
    old_config = []
    for alias in sorted(aliases):
        connection = connections[alias]
        old_name = connection.settings_dict["NAME"]
        template = Template(connection)
        with _locked(template.lock):
            if not template.current():
                template.build(populate, verbosity)
            template.copy_to(template.test_name)
        _point_at(connection, template.test_name)
        connection.ensure_connection()
        old_config.append((connection, old_name, True))
    return old_config
