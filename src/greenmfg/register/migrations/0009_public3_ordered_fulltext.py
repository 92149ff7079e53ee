"""SQLite: the register's FTS5 table becomes contentless, with the list order as its rowid and one word
per search filter in its document, so that one index query answers a keyword search's page, count and
facets whatever the filters (register.fulltext explains the layout; its constants must match the SQL
here). PostgreSQL keeps its generated tsvector and GIN index: nothing to do there."""

from importlib import import_module

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

# the first index's statements (dropped here, recreated when this migration is reversed)
previous = import_module("greenmfg.register.migrations.0002_register_fulltext")

TABLE = "register_registerentry"


def _key(row: str) -> str:
    """The rowid: (DAY_BASE - days since 1970) << 37 | id << 5 | kind code << 2 | level code."""
    return (
        f"(((1000000 - CAST(julianday({row}.announced_on) - 2440587.5 AS INTEGER)) << 37) "
        f"| ({row}.id << 5) "
        f"| ((CASE {row}.kind WHEN 'factory' THEN 0 WHEN 'park' THEN 1 WHEN 'supply_chain' THEN 2 "
        f"WHEN 'product' THEN 3 ELSE 7 END) << 2) "
        f"| (CASE {row}.level WHEN 'city' THEN 0 WHEN 'province' THEN 1 WHEN 'national' THEN 2 WHEN 'district' THEN 3 ELSE 3 END))"
    )


def _document(row: str) -> str:
    """search_tokens, then the filter words (register.fulltext.filter_words). The industry section is
    read through at most two parents (GB/T 4754: section, division, group), as the section filter of
    register.selectors reads it; the hierarchy of the standard's codes never changes, so a row deleted
    later yields the same words as when it was indexed, which a contentless table requires."""
    section = (
        "(SELECT CASE WHEN i.parent_id IS NULL THEN i.code WHEN p.parent_id IS NULL THEN p.code "
        "ELSE p.parent_id END FROM reference_industry i LEFT JOIN reference_industry p "
        f"ON p.code = i.parent_id WHERE i.code = {row}.industry_id)"
    )
    prefixes = " || ".join(
        f"CASE WHEN length({row}.industry_id) >= {n} AND substr({row}.industry_id, 1, 1) BETWEEN '0' AND '9' "
        f"THEN ' fi' || substr({row}.industry_id, 1, {n}) ELSE '' END"
        for n in (2, 3, 4)
    )
    return (
        f"{row}.search_tokens || ' fs' || {row}.status || ' fk' || replace({row}.kind, '_', '') "
        f"|| ' fl' || {row}.level || ' fy' || {row}.year "
        f"|| CASE WHEN {row}.batch != '' THEN ' fb' || {row}.batch ELSE '' END "
        f"|| CASE WHEN {row}.province_id IS NOT NULL THEN ' fp' || {row}.province_id ELSE '' END "
        f"|| CASE WHEN {row}.region_id IS NOT NULL "
        f"THEN ' fr' || substr({row}.region_id, 1, 4) || ' fr' || {row}.region_id ELSE '' END "
        f"|| CASE WHEN {row}.industry_id IS NOT NULL THEN {prefixes} || COALESCE(' fi' || {section}, '') "
        "ELSE '' END"
    )


def _insert(row: str) -> str:
    return f"INSERT INTO register_search(rowid, doc) VALUES ({_key(row)}, {_document(row)});"


def _delete(row: str) -> str:
    return f"INSERT INTO register_search(register_search, rowid, doc) VALUES ('delete', {_key(row)}, {_document(row)});"


CREATE = [
    "CREATE VIRTUAL TABLE register_search USING fts5(doc, content='', tokenize='ascii')",
    f"CREATE TRIGGER register_search_insert AFTER INSERT ON {TABLE} BEGIN {_insert('new')} END",
    f"CREATE TRIGGER register_search_delete AFTER DELETE ON {TABLE} BEGIN {_delete('old')} END",
    f"CREATE TRIGGER register_search_update AFTER UPDATE ON {TABLE} BEGIN {_delete('old')} {_insert('new')} END",
    f"INSERT INTO register_search(rowid, doc) SELECT {_key('e')}, {_document('e')} FROM {TABLE} e",
    # one segment: a bulk fill leaves many, and a page read merges all of them (0.1 ms against 2 ms)
    "INSERT INTO register_search(register_search) VALUES ('optimize')",
]


def _run(schema_editor: BaseDatabaseSchemaEditor, statements: list[str]) -> None:
    if schema_editor.connection.vendor == "sqlite":
        for statement in statements:
            schema_editor.execute(statement)


def ordered_index(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    _run(schema_editor, [*previous.SQLITE_DROP, *CREATE])


def previous_index(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    _run(schema_editor, [*previous.SQLITE_DROP, *previous.SQLITE_CREATE])


class Migration(migrations.Migration):
    dependencies = [
        ("register", "0008_titletally_district_level"),
    ]

    operations = [migrations.RunPython(ordered_index, previous_index)]
