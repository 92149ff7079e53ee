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

PostgreSQL (migration 0011): the same design in two tables kept by triggers (insert, update, delete and
truncate of the register, in the writing transaction), and a few SQL functions that fix their plans:

- ``register_search`` (entry_id, key, doc): ``key`` is the rowid above; ``doc`` a ``tsvector`` of the
  same tokens and filter words, plus every three- and four-character substring of each run as one word
  (``t`` + 3 x 6, ``q`` + 4 x 6 hex digits), so that a term of up to four characters is one word the GIN
  index answers without checking positions (:func:`pg_query`); a longer term is the phrase of its pairs.
  The documents live in the TOAST table, so the count and a page read keys from a small heap;
- ``register_search_order`` (key, entry_id, text, words): the search text and filter words in list order;
- ``register_search_counts`` (count and facets of at most cap + 1 matches) and ``register_search_sorted``
  (a page: matches read through the GIN index, then sorted) never scan the table. When the matches are
  more than the cap (one entry in ten or more) and the page starts within the first ``WALK_LIMIT``,
  ``register_search_walk`` reads the order table in list order instead, testing each row's text and
  words with LIKE: the page then lies within a few thousand rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise

from django.db import connection
from django.db.models import QuerySet
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


def _gram(term: str) -> str:
    """The one index word of a term of one to four characters on PostgreSQL (migration 0011)."""
    prefix = {1: "u", 2: "b", 3: "t", 4: "q"}[len(term)]
    return prefix + "".join(_hex(c) for c in term)


def pg_query(terms: list[str]) -> str:
    """The tsquery of the terms for PostgreSQL's index, whose documents also hold every substring of
    three and four characters as a word: a term of up to four characters is one word, matched by the
    GIN index alone; a longer one is the phrase of its pairs (as :func:`tsquery`), whose positions are
    checked in the document."""
    return " & ".join(_gram(t) if len(t) <= 4 else "(" + " <-> ".join(_pairs(t)) + ")" for t in terms)


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


# A dense page (more matches than the count's cap) walks the list order on PostgreSQL while it is
# short: a few thousand rows at most. A page further on is read like a sparse one (see IndexedSearch.ids).
WALK_LIMIT = 2_000


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


@dataclass(frozen=True)
class IndexedSearch:
    """A keyword search answered by the index alone: ``match`` holds the terms and every filter, as an
    FTS5 query on SQLite and as a tsquery on PostgreSQL."""

    match: str
    # PostgreSQL's walk in list order tests these LIKE patterns on each row's inline text and words
    term_patterns: tuple[str, ...] = ()
    word_patterns: tuple[str, ...] = ()

    def counts(self, cap: int) -> tuple[int, list[tuple[str, str, int]]]:
        """(matches, capped at cap + 1) and, from the same index read, (kind, level, n) of those matches."""
        codes_kind = {v: k for k, v in KIND_CODES.items()}
        codes_level = {v: k for k, v in LEVEL_CODES.items()}
        if connection.vendor == "postgresql":  # a function of migration 0011: the same query, plan fixed
            sql = "SELECT code, n FROM register_search_counts(%s, %s)"
        else:
            sql = (
                f"SELECT rowid & 31, count(*) FROM (SELECT rowid FROM {FTS_TABLE} "
                f"WHERE {FTS_TABLE} MATCH %s LIMIT %s) GROUP BY 1"
            )
        with connection.cursor() as cursor:
            cursor.execute(sql, [self.match, cap + 1])
            rows = cursor.fetchall()
        pairs = [(codes_kind.get(code >> 2, ""), codes_level.get(code & 3, ""), n) for code, n in rows]
        return sum(n for _, _, n in pairs), pairs

    def ids(self, offset: int | None = None, limit: int | None = None, *, dense: bool = False) -> RawSQL:
        """The matching entries' ids in list order (a slice of them when limit is given), as a subquery.
        ``dense``: the matches are more than the count's cap, so the list order is walked on PostgreSQL
        (its index is read by a bitmap, then sorted, otherwise)."""
        if connection.vendor == "postgresql":
            if dense and limit is not None and (offset or 0) < WALK_LIMIT:
                return RawSQL(
                    "SELECT * FROM register_search_walk(%s, %s, %s, %s)",
                    [list(self.term_patterns), list(self.word_patterns), limit, offset or 0],
                )
            return RawSQL(
                "SELECT * FROM register_search_sorted(%s, %s, %s)", [self.match, limit, offset or 0]
            )
        sql = f"SELECT {ENTRY_ID} FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s"
        if limit is None:
            return RawSQL(sql, [self.match])
        return RawSQL(f"{sql} ORDER BY rowid LIMIT %s OFFSET %s", [self.match, limit, offset or 0])


@dataclass(frozen=True)
class Keyword:
    """A keyword search: every match as a queryset, and the index that pages it."""

    qs: QuerySet[RegisterEntry]
    index: IndexedSearch | None


def keyword_search(qs: QuerySet[RegisterEntry], terms: list[str], words: list[str] | None) -> Keyword:
    """`qs` (already filtered the ordinary way) narrowed to entries whose search text holds every
    (folded, space-free) term. No query runs here.

    When every filter has its index words (``words``; None when one has none, such as a region code that
    is no division), the index also answers the page and the counts; ``qs`` is then only for callers
    that need every match (downloads)."""
    if connection.vendor == "postgresql":
        index = IndexedSearch(
            " & ".join([pg_query(terms), *(words or [])]),
            tuple(f"%{_like_escape(t)}%" for t in terms),
            tuple(f"% {_like_escape(w)} %" for w in words or []),
        )
    else:
        index = IndexedSearch(" AND ".join([sqlite_match(terms), *(words or [])]))
    return Keyword(qs.filter(id__in=index.ids()), index if words is not None else None)
