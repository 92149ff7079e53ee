"""PostgreSQL: the register's search index becomes what SQLite's is since 0009, so that one index query
answers a keyword search's count and facets and another its page, whatever the filters.

A table ``register_search`` (not a Django model: only the triggers here write it) holds per entry its
place in the list order (``key``, the same code as SQLite's rowid: newest first, then id, with the kind
and level in the low five bits) and its document as a ``tsvector``: the entry's ``search_tokens`` and
one word per search filter, exactly as 0009 writes them (register.fulltext.filter_words). A GIN index
serves the keyword and the filters as one tsquery; a unique B-tree on ``key`` reads a page in list order.
Triggers keep it in step with every insert, update, delete and truncate of the register, in the writing
transaction (ADR 0010). The generated ``search_vector`` column of 0002 and its index go: nothing reads
them any more. SQLite: nothing to do here."""

from importlib import import_module

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

first = import_module("greenmfg.register.migrations.0002_register_fulltext")

TABLE = "register_registerentry"


def _key(row: str) -> str:
    """(DAY_BASE - days since 1970) << 37 | id << 5 | kind code << 2 | level code (as 0009 on SQLite)."""
    return (
        f"(((1000000 - ({row}.announced_on - DATE '1970-01-01'))::bigint << 37) "
        f"| ({row}.id::bigint << 5) "
        f"| ((CASE {row}.kind WHEN 'factory' THEN 0 WHEN 'park' THEN 1 WHEN 'supply_chain' THEN 2 "
        f"WHEN 'product' THEN 3 ELSE 7 END)::bigint << 2) "
        f"| (CASE {row}.level WHEN 'city' THEN 0 WHEN 'province' THEN 1 WHEN 'national' THEN 2 "
        "WHEN 'district' THEN 3 ELSE 3 END))"
    )


def _words(row: str) -> str:
    """The filter words, each with a space before it, as 0009's document on SQLite (see there for the
    section)."""
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
        f"' fs' || {row}.status || ' fk' || replace({row}.kind, '_', '') "
        f"|| ' fl' || {row}.level || ' fy' || {row}.year "
        f"|| CASE WHEN {row}.batch != '' THEN ' fb' || {row}.batch ELSE '' END "
        f"|| CASE WHEN {row}.province_id IS NOT NULL THEN ' fp' || {row}.province_id ELSE '' END "
        f"|| CASE WHEN {row}.region_id IS NOT NULL "
        f"THEN ' fr' || substr({row}.region_id, 1, 4) || ' fr' || {row}.region_id ELSE '' END "
        f"|| CASE WHEN {row}.industry_id IS NOT NULL THEN {prefixes} || COALESCE(' fi' || {section}, '') "
        "ELSE '' END"
    )


def _document(row: str) -> str:
    """search_tokens and the filter words, then the grams (below)."""
    return (
        f"to_tsvector('simple'::regconfig, {row}.search_tokens || {_words(row)}) "
        f"|| array_to_tsvector(register_search_grams({row}.search_tokens))"
    )


def _inserts(row: str) -> list[str]:
    """The statements that index one entry (`row`: NEW in the trigger, an alias of the table in the fill).
    The words get a space after each too, so that ``words LIKE '% fk... %'`` tests one."""
    return [
        f"INSERT INTO register_search (entry_id, key, doc) SELECT {row}.id, {_key(row)}, {_document(row)}",
        "INSERT INTO register_search_order (key, entry_id, text, words) "
        f"SELECT {_key(row)}, {row}.id, {row}.search_text, {_words(row)} || ' '",
    ]


# The three- and four-character substrings of each run, as words without position ('t' + 3 x 6 and
# 'q' + 4 x 6 hex digits), read off consecutive pairs of search_tokens: a term of three or four characters
# is then one word of the GIN index, found without a phrase, so the index answers it exactly and no row's
# document is read to check positions (register.fulltext.tsquery).
GRAMS = """CREATE FUNCTION register_search_grams(tokens text) RETURNS text[]
LANGUAGE plpgsql IMMUTABLE STRICT AS $$
DECLARE
    t text[] := string_to_array(tokens, ' ');
    n integer := coalesce(array_length(t, 1), 0);
    grams text[] := '{}';
BEGIN
    FOR i IN 1 .. n - 1 LOOP
        IF left(t[i], 1) = 'b' AND left(t[i + 1], 1) = 'b' THEN
            grams := grams || ('t' || substr(t[i], 2) || substr(t[i + 1], 8));
            IF i + 2 <= n AND left(t[i + 2], 1) = 'b' THEN
                grams := grams || ('q' || substr(t[i], 2) || substr(t[i + 2], 2));
            END IF;
        END IF;
    END LOOP;
    RETURN grams;
END $$"""

# A search's count (with the kind and level codes) and its page, each one statement with the plan fixed:
# the planner cannot see that reading a row's document costs a trip to its TOAST table, nor that a filter
# such as the year correlates with the list order. The count and a sparse page read the matches through
# the GIN index (a bitmap); a dense page (more matches than the count's cap) walks the list order.
READS = [
    """CREATE FUNCTION register_search_counts(query text, cap integer) RETURNS TABLE (code bigint, n bigint)
LANGUAGE sql STABLE SET max_parallel_workers_per_gather = 0 SET enable_seqscan = off SET enable_indexscan = off AS $$
    SELECT key & 31, count(*) FROM (
        SELECT key FROM register_search WHERE doc @@ to_tsquery('simple'::regconfig, query) LIMIT cap
    ) matches GROUP BY 1
$$""",
    """CREATE FUNCTION register_search_sorted(query text, lim integer, skip integer) RETURNS SETOF integer
LANGUAGE sql STABLE SET max_parallel_workers_per_gather = 0 SET enable_seqscan = off SET enable_indexscan = off AS $$
    SELECT entry_id FROM register_search WHERE doc @@ to_tsquery('simple'::regconfig, query)
    ORDER BY key LIMIT lim OFFSET skip
$$""",
    # the walk tests each row by its inline text and words: no trip to the TOAST table for the document
    """CREATE FUNCTION register_search_walk(term_patterns text[], word_patterns text[], lim integer, skip integer)
RETURNS SETOF integer
LANGUAGE sql STABLE SET max_parallel_workers_per_gather = 0 SET enable_seqscan = off SET enable_bitmapscan = off AS $$
    SELECT entry_id FROM register_search_order
    WHERE text LIKE ALL (term_patterns) AND words LIKE ALL (word_patterns)
    ORDER BY key LIMIT lim OFFSET skip
$$""",
]

CREATE = [
    *first.POSTGRESQL_DROP,
    # what a count and a sparse page read: the documents (~4 kB each) live in the TOAST table, so a row is
    # ~60 bytes and the keys of thousands of matches lie on few pages (the GIN index alone decides a match)
    "CREATE TABLE register_search (entry_id integer PRIMARY KEY, key bigint NOT NULL, doc tsvector NOT NULL)",
    "ALTER TABLE register_search ALTER COLUMN doc SET STORAGE EXTERNAL",
    "ALTER TABLE register_search SET (toast_tuple_target = 128)",
    # what a dense page's walk reads, in list order: each entry's search_text and filter words
    "CREATE TABLE register_search_order (key bigint PRIMARY KEY, entry_id integer NOT NULL UNIQUE, "
    "text text NOT NULL, words text NOT NULL)",
    GRAMS,
    *READS,
    f"""CREATE FUNCTION register_search_write() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        DELETE FROM register_search WHERE entry_id = OLD.id;
        DELETE FROM register_search_order WHERE entry_id = OLD.id;
    END IF;
    IF TG_OP <> 'DELETE' THEN
        {"; ".join(_inserts("NEW"))};
    END IF;
    RETURN NULL;
END $$""",
    f"CREATE TRIGGER register_search_write AFTER INSERT OR UPDATE OR DELETE ON {TABLE} "
    "FOR EACH ROW EXECUTE FUNCTION register_search_write()",
    # Django's flush (TransactionTestCase) empties tables by TRUNCATE, which fires no row trigger
    """CREATE FUNCTION register_search_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    TRUNCATE register_search, register_search_order;
    RETURN NULL;
END $$""",
    f"CREATE TRIGGER register_search_truncate AFTER TRUNCATE ON {TABLE} "
    "FOR EACH STATEMENT EXECUTE FUNCTION register_search_truncate()",
    *(f"{statement} FROM {TABLE} e" for statement in _inserts("e")),
    # the indexes after the fill: built once, not grown row by row
    "CREATE UNIQUE INDEX register_search_key ON register_search (key)",
    "CREATE INDEX register_search_doc ON register_search USING gin (doc)",
    "ANALYZE register_search",
    "ANALYZE register_search_order",
]
DROP = [
    f"DROP TRIGGER IF EXISTS register_search_write ON {TABLE}",
    f"DROP TRIGGER IF EXISTS register_search_truncate ON {TABLE}",
    "DROP FUNCTION IF EXISTS register_search_write()",
    "DROP FUNCTION IF EXISTS register_search_truncate()",
    "DROP FUNCTION IF EXISTS register_search_counts(text, integer)",
    "DROP FUNCTION IF EXISTS register_search_sorted(text, integer, integer)",
    "DROP FUNCTION IF EXISTS register_search_walk(text[], text[], integer, integer)",
    "DROP TABLE IF EXISTS register_search",
    "DROP TABLE IF EXISTS register_search_order",
    "DROP FUNCTION IF EXISTS register_search_grams(text)",
    *first.POSTGRESQL_CREATE,
]


def _run(schema_editor: BaseDatabaseSchemaEditor, statements: list[str]) -> None:
    if schema_editor.connection.vendor == "postgresql":
        for statement in statements:
            schema_editor.execute(statement, params=None)


def ordered_index(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    _run(schema_editor, CREATE)


def previous_index(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    _run(schema_editor, DROP)


class Migration(migrations.Migration):
    dependencies = [
        ("register", "0010_robust3_export_lease"),
    ]

    operations = [migrations.RunPython(ordered_index, previous_index)]
