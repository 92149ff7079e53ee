"""The register's full-text index: Chinese substring search served by an index on both databases.

Chinese has no spaces between words, so a word-based full-text index cannot find 苏州 inside
德尔福电子（苏州）有限公司. Each entry's folded search text is therefore indexed as the overlapping character
pairs (bigrams) of every run of non-space characters, plus each single character: a term of two or more
characters occurs in the text exactly when its bigrams occur as a phrase (consecutive positions) inside
one run, and a one-character term when its character occurs. The index answers the same question as
the substring test it replaces (``search_text LIKE '%term%'``), with no false hit and none missed.

Characters are written as fixed-width hexadecimal so that every database tokenizer (SQLite FTS5's
``ascii``, PostgreSQL's ``simple`` configuration) reads each pair or character as one opaque word:
``b`` + 2 x 6 hex digits for a pair, ``u`` + 6 for a single character, and ``s`` between runs so that a
phrase never spans two runs. Single characters come after every pair, so a phrase of pairs never reaches
into them.

SQLite: an FTS5 table ``register_search`` over ``RegisterEntry.search_tokens`` (external content), kept
in sync by triggers on every insert, update and delete (migration 0002). PostgreSQL: a stored generated
column ``search_vector`` = ``to_tsvector('simple', search_tokens)`` with a GIN index, both maintained by
the database itself (the column is not on the model: Django never writes it).
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise

from django.db import connection
from django.db.models import QuerySet

from .models import RegisterEntry

FTS_TABLE = "register_search"
RUN_SEPARATOR = "s"


def _hex(char: str) -> str:
    return f"{ord(char):06x}"


def _pairs(run: str) -> list[str]:
    return [f"b{_hex(a)}{_hex(b)}" for a, b in pairwise(run)]


def tokens_for(folded: str) -> str:
    """The indexed form of an already folded search text (see ``services.fold``)."""
    pairs: list[str] = []
    for run in folded.split():
        if pairs:
            pairs.append(RUN_SEPARATOR)
        pairs.extend(_pairs(run))
    singles = sorted({f"u{_hex(c)}" for c in folded if not c.isspace()})
    return " ".join([*pairs, *singles])


def _term_tokens(term: str) -> list[str]:
    """The tokens a folded term without white space must match, as one phrase."""
    return _pairs(term) if len(term) > 1 else [f"u{_hex(term)}"]


def sqlite_match(terms: list[str]) -> str:
    """An FTS5 query: every term's phrase must occur (the tokens are hex, so nothing needs escaping)."""
    return " AND ".join('"' + " ".join(_term_tokens(t)) + '"' for t in terms)


def tsquery(terms: list[str]) -> str:
    """A PostgreSQL tsquery: every term's phrase (``<->``: the next position) must occur."""
    return " & ".join("(" + " <-> ".join(_term_tokens(t)) + ")" for t in terms)


@dataclass(frozen=True)
class Narrowed:
    """A keyword-filtered queryset and whether its matches are few (at most ``cap``): then they are
    listed by id and a page is best built from that list; else they are dense, filtered by substring,
    and the date index finds a page quickly."""

    qs: QuerySet[RegisterEntry]
    few: bool


def matching(qs: QuerySet[RegisterEntry], terms: list[str], cap: int) -> Narrowed:
    """`qs` narrowed to entries whose search text holds every (folded, space-free) term: one query.

    The index lists at most cap + 1 matching ids (it returns them in id order and stops there). When
    that is all of them, the register is filtered by those ids. When there are more, the terms are
    common (有限公司) and an index over them would list most of the table: every term is then tested
    as a substring of the rows the other filters and the date order reach first, which soon fills a
    page when matches are that dense."""
    if not terms:
        return Narrowed(qs, few=False)
    table = RegisterEntry._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"SELECT id FROM {table} WHERE search_vector @@ to_tsquery('simple'::regconfig, %s) LIMIT %s",
                [tsquery(terms), cap + 1],
            )
        else:
            cursor.execute(
                f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s LIMIT %s",
                [sqlite_match(terms), cap + 1],
            )
        ids = [row[0] for row in cursor.fetchall()]
    if len(ids) <= cap:
        return Narrowed(qs.filter(id__in=ids), few=True)
    for term in terms:
        qs = qs.filter(search_text__contains=term)
    return Narrowed(qs, few=False)
