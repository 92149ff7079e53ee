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

SQLite (migration 0009): a contentless FTS5 table ``register_search`` kept in sync by triggers on every
insert, update and delete, built so that one index query answers a whole search page:

- its document is the entry's ``search_tokens`` followed by one word per search filter (``fs`` status,
  ``fk`` kind, ``fl`` level, ``fy`` year, ``fb`` batch, ``fp`` province, ``fr`` city and county prefix of
  the region, ``fi`` industry code prefixes and section), so every filter is an AND in the same MATCH;
- its rowid is the list order: ``(DAY_BASE - days since 1970 of announced_on) << 37 | id << 5 |
  kind code << 2 | level code``. FTS5 returns matches in rowid order, so ``ORDER BY rowid LIMIT n OFFSET
  k`` reads one page in the register's order (newest first, then id) without sorting, and the low five
  bits give the counts by kind and level without reading the table.

PostgreSQL: a stored generated column ``search_vector`` = ``to_tsvector('simple', search_tokens)`` with a
GIN index, both maintained by the database itself (the column is not on the model: Django never writes
it); the keyword is one more condition of the ordinary query, so the planner walks the date index when
matches are dense and the GIN index when they are few.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise

from django.db import connection
from django.db.models import BooleanField, QuerySet
from django.db.models.expressions import RawSQL

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


# the rowid layout (see the module docstring and migration 0009, which writes the same codes)
ID_SHIFT = 5
ID_MASK = 0xFFFF_FFFF
KIND_CODES = {"factory": 0, "park": 1, "supply_chain": 2, "product": 3}  # any other kind: 7
LEVEL_CODES = {"city": 0, "province": 1, "national": 2, "district": 3}  # two bits: 3 is also any other
ENTRY_ID = f"(rowid >> {ID_SHIFT}) & {ID_MASK}"


def filter_words(
    *,
    status: str,
    kind: str,
    level: str,
    province: str,
    place: str,
    industry: str,
    year: int | None,
    batch: str,
) -> list[str]:
    """The index words of the given filters, as the triggers of migration 0009 write them. ``place`` is
    the region filter's word: ``province_word`` or ``region_word``."""
    words = [
        f"fs{status}" if status != "all" else "",
        f"fk{kind.replace('_', '')}" if kind else "",  # the ascii tokenizer splits words at "_"
        f"fl{level}" if level else "",
        province_word(province) if province else "",
        place,
        f"fi{industry}" if industry else "",
        f"fy{year}" if year else "",
        f"fb{batch}" if batch else "",
    ]
    return [w for w in words if w]


def province_word(code: str) -> str:
    return f"fp{code}"


def region_word(prefix: str) -> str:
    """The word of every entry whose region code starts with `prefix` (4 digits: a city, 6: a county)."""
    return f"fr{prefix}"


@dataclass(frozen=True)
class IndexedSearch:
    """A keyword search answered by the SQLite index alone: ``match`` holds the terms and every filter."""

    match: str

    def counts(self, cap: int) -> tuple[int, list[tuple[str, str, int]]]:
        """(matches, capped at cap + 1) and, from the same index read, (kind, level, n) of those matches."""
        codes_kind = {v: k for k, v in KIND_CODES.items()}
        codes_level = {v: k for k, v in LEVEL_CODES.items()}
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT rowid & 31, count(*) FROM (SELECT rowid FROM {FTS_TABLE} "
                f"WHERE {FTS_TABLE} MATCH %s LIMIT %s) GROUP BY 1",
                [self.match, cap + 1],
            )
            rows = cursor.fetchall()
        pairs = [(codes_kind.get(code >> 2, ""), codes_level.get(code & 3, ""), n) for code, n in rows]
        return sum(n for _, _, n in pairs), pairs

    def ids(self, offset: int | None = None, limit: int | None = None) -> RawSQL:
        """The matching entries' ids in list order (a slice of them when limit is given), as a subquery."""
        sql = f"SELECT {ENTRY_ID} FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s"
        if limit is None:
            return RawSQL(sql, [self.match])
        return RawSQL(f"{sql} ORDER BY rowid LIMIT %s OFFSET %s", [self.match, limit, offset or 0])


@dataclass(frozen=True)
class Keyword:
    """A keyword search: every match as a queryset, and on SQLite the index that pages it."""

    qs: QuerySet[RegisterEntry]
    index: IndexedSearch | None


def keyword_search(qs: QuerySet[RegisterEntry], terms: list[str], words: list[str] | None) -> Keyword:
    """`qs` (already filtered the ordinary way) narrowed to entries whose search text holds every
    (folded, space-free) term. No query runs here.

    On SQLite, when every filter has its index words (``words``; None when one has none, such as a
    region code that is no division), the index also answers the page and the counts; ``qs`` is then
    only for callers that need every match (downloads). On PostgreSQL the tsquery is one more condition
    of ``qs``."""
    if connection.vendor == "postgresql":
        condition = RawSQL(
            f"{RegisterEntry._meta.db_table}.search_vector @@ to_tsquery('simple'::regconfig, %s)",
            [tsquery(terms)],
            output_field=BooleanField(),
        )
        return Keyword(qs.filter(condition), None)
    index = IndexedSearch(" AND ".join([sqlite_match(terms), *(words or [])]))
    return Keyword(qs.filter(id__in=index.ids()), index if words is not None else None)
