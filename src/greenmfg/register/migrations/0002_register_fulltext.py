"""The register's full-text index (see register.fulltext): a search_tokens column, filled for the rows
already there, and per database either an FTS5 table kept in sync by triggers (SQLite) or a GIN index
on a generated tsvector column (PostgreSQL)."""

from typing import Any

from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

from greenmfg.register.fulltext import tokens_for

TABLE = "register_registerentry"

SQLITE_CREATE = [
    # external content: the text lives in the register's own column; FTS5 keeps only the index
    f"CREATE VIRTUAL TABLE register_search USING fts5(search_tokens, content='{TABLE}', "
    "content_rowid='id', tokenize='ascii')",
    f"CREATE TRIGGER register_search_insert AFTER INSERT ON {TABLE} BEGIN "
    "INSERT INTO register_search(rowid, search_tokens) VALUES (new.id, new.search_tokens); END",
    f"CREATE TRIGGER register_search_delete AFTER DELETE ON {TABLE} BEGIN "
    "INSERT INTO register_search(register_search, rowid, search_tokens) "
    "VALUES ('delete', old.id, old.search_tokens); END",
    f"CREATE TRIGGER register_search_update AFTER UPDATE ON {TABLE} BEGIN "
    "INSERT INTO register_search(register_search, rowid, search_tokens) "
    "VALUES ('delete', old.id, old.search_tokens); "
    "INSERT INTO register_search(rowid, search_tokens) VALUES (new.id, new.search_tokens); END",
    "INSERT INTO register_search(register_search) VALUES ('rebuild')",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS register_search_insert",
    "DROP TRIGGER IF EXISTS register_search_delete",
    "DROP TRIGGER IF EXISTS register_search_update",
    "DROP TABLE IF EXISTS register_search",
]
POSTGRESQL_CREATE = [
    # generated and stored: parsed once per write, never per search; not on the model, so Django
    # never writes it
    f"ALTER TABLE {TABLE} ADD COLUMN search_vector tsvector "
    "GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, search_tokens)) STORED",
    f"CREATE INDEX register_search_vector ON {TABLE} USING gin (search_vector)",
]
POSTGRESQL_DROP = [
    "DROP INDEX IF EXISTS register_search_vector",
    f"ALTER TABLE {TABLE} DROP COLUMN IF EXISTS search_vector",
]


def fill_tokens(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    entry = apps.get_model("register", "RegisterEntry")
    batch: list[Any] = []
    for row in entry.objects.only("id", "search_text").iterator(chunk_size=2000):
        row.search_tokens = tokens_for(row.search_text)
        batch.append(row)
        if len(batch) == 2000:
            entry.objects.bulk_update(batch, ["search_tokens"])
            batch = []
    entry.objects.bulk_update(batch, ["search_tokens"])


def _run(schema_editor: BaseDatabaseSchemaEditor, statements: dict[str, list[str]]) -> None:
    for statement in statements.get(schema_editor.connection.vendor, []):
        schema_editor.execute(statement)


def create_index(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    _run(schema_editor, {"sqlite": SQLITE_CREATE, "postgresql": POSTGRESQL_CREATE})


def drop_index(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    _run(schema_editor, {"sqlite": SQLITE_DROP, "postgresql": POSTGRESQL_DROP})


class Migration(migrations.Migration):
    dependencies = [
        ("register", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="registerentry",
            name="search_tokens",
            field=models.TextField(blank=True),
        ),
        migrations.RunPython(fill_tokens, migrations.RunPython.noop),
        migrations.RunPython(create_index, drop_index),
    ]
