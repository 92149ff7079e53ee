"""The register's full-text index (register.fulltext): it answers exactly the substring question the
LIKE search answered, on SQLite (FTS5 + triggers) and PostgreSQL (GIN over a tsvector), and it follows
every write to the register: insert, upsert, update and delete. Its tests over the real national lists
are in test_register.py, which imports the lists once for all of them."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from greenmfg.catalog.models import TitleLevel
from greenmfg.register import fulltext, selectors, services
from greenmfg.register.models import RegisterEntry

# a small alphabet so that random terms often occur: CJK, full- and half-width Latin, digits, brackets
ALPHABET = "苏州电子有限公司（）()京东方ABCabcＡＢ12１２-"


def make(key: str, *parts: str) -> RegisterEntry:
    text = services.search_text_for(*parts)
    return RegisterEntry.objects.create(
        public_id=services.public_id_for(key),
        source="platform",
        source_key=key,
        kind="factory",
        level="city",
        year=2026,
        announced_on=date(2026, 6, 30),
        authority="测试",
        unit_key=services.name_key(parts[0]),
        unit_name=parts[0],
        search_text=text,
        search_tokens=fulltext.tokens_for(text),
    )


def found(q: str) -> set[str]:
    return set(selectors.search_titles(q=q).values_list("source_key", flat=True))


def test_tokens_are_pairs_per_run_then_single_characters() -> None:
    # 苏 = 82cf, 州 = 5dde, a = 61: pairs of each run, a run separator, then each distinct character
    assert fulltext.tokens_for("苏州 a苏") == ("b0082cf005dde s b0000610082cf u000061 u005dde u0082cf")
    assert fulltext.sqlite_match(["苏州", "a"]) == '"b0082cf005dde" AND "u000061"'
    assert fulltext.tsquery(["苏州电", "a"]) == "(b0082cf005dde <-> b005dde007535) & (u000061)"


def test_substring_semantics(db: Any) -> None:
    make("k1", "德尔福电子（苏州）有限公司", "", "江苏")
    make("k2", "苏州精密机械有限公司")
    make("k3", "TCL 空调器（中山）有限公司")
    assert found("苏州") == {"k1", "k2"}
    assert found("（苏州）") == {"k1"}
    assert found("苏") == {"k1", "k2"}  # one character: in 江苏 and 苏州
    assert found("苏州 电子") == {"k1"}  # every term must occur
    assert found("ｔｃｌ") == {"k3"}  # full-width and upper case fold as the text does
    assert found("TCL空调") == set()  # no term spans the space between two runs
    assert found("l 空") == {"k3"}
    assert found("州精密机械有限") == {"k2"}
    assert found("司德") == set()


def test_index_follows_every_write(db: Any) -> None:
    entry = make("k1", "苏州精密机械有限公司")
    assert found("精密") == {"k1"}
    text = services.search_text_for("无锡精密机械有限公司")
    entry.search_text, entry.search_tokens = text, fulltext.tokens_for(text)
    entry.save()
    assert found("苏州") == set()
    assert found("无锡精密") == {"k1"}
    entry.delete()
    assert found("精密") == set()


texts = st.text(alphabet=ALPHABET + " ", min_size=0, max_size=14)
terms = st.lists(st.text(alphabet=ALPHABET, min_size=1, max_size=4), min_size=1, max_size=3)


def test_index_equals_substring_test(db: Any) -> None:
    """For any texts and terms, the index finds exactly the entries whose folded text holds every term."""
    corpus = [
        f"{a}{b}"
        for a in ("苏州电子", "京东方ABC", "（苏州）有限 公司", "ａｂ12-", "")
        for b in ("", " 电子", "(A)")
    ]
    for i, text in enumerate(corpus):
        make(f"k{i}", text or "公司")

    @settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(terms)
    def check(words: list[str]) -> None:
        q = " ".join(words)
        folded = services.fold(q).split()
        expected = {
            e.source_key
            for e in RegisterEntry.objects.only("source_key", "search_text")
            if all(t in e.search_text for t in folded)
        }
        assert found(q) == expected

    check()


@settings(max_examples=60, deadline=None)
@given(texts, st.text(alphabet=ALPHABET, min_size=1, max_size=4))
def test_pure_tokens_cover_every_substring(text: str, term: str) -> None:
    """Without a database: the term's tokens occur as a phrase in the text's tokens iff it is a substring."""
    folded_text, folded_term = services.fold(text), services.fold(term).split()
    if len(folded_term) != 1:
        return
    tokens = fulltext.tokens_for(folded_text).split()
    phrase = fulltext._term_tokens(folded_term[0])
    occurs = any(tokens[i : i + len(phrase)] == phrase for i in range(len(tokens)))
    assert occurs == (folded_term[0] in folded_text)


def test_api_errors_are_json_in_the_users_language(db: Any) -> None:
    zh = Client()
    en = Client()
    en.cookies["django_language"] = "en"
    for path in ("/api/titles/not-a-uuid", f"/api/titles/{uuid.uuid4()}", "/api/nothing/here"):
        response = zh.get(path)
        assert response.status_code == 404 and response["content-type"].startswith("application/json")
        assert response.json()["detail"] == "未找到所请求的数据"
        assert en.get(path).json()["detail"] == "The requested data was not found"
    response = en.get("/api/titles", {"page_size": 1000, "kind": "shop"})
    body = response.json()
    assert response.status_code == 422 and body["detail"] == "Invalid request parameters"
    assert {e["place"] for e in body["errors"]} == {"page_size", "kind"}
    assert "Invalid value for parameter kind" in {e["detail"] for e in body["errors"]}
    assert zh.get("/api/titles", {"kind": "shop"}).json()["errors"][0]["detail"] == "参数 kind 的值无效"


# Chinese interface text that must not be left in English mode (data such as unit names stays Chinese)
# --------------------------------------------------------------------------------------------------
# keyword + filters: pages, counts and facets from the index (SQLite) equal the plain filters


PLACES = [
    ("320000", "320506"),
    ("320000", "320500"),
    ("320000", "320200"),
    ("330000", "330100"),
    (None, None),
]
INDUSTRIES = [None, "C", "34", "341", "13", "D"]
NAMES = ["苏州电子有限公司", "京东方电子", "无锡机械有限公司", "有限公司", "电子机械（苏州）"]


def varied_corpus() -> list[RegisterEntry]:
    """40 entries whose kinds, levels, places, industries, years, batches, statuses and dates vary
    independently (strides prime to each other), several on the same date (the id breaks the tie)."""
    kinds, levels = (
        ["factory", "park", "supply_chain", "product"],
        ["city", "province", "national", "district"],
    )
    entries = []
    for i in range(40):
        province, region = PLACES[i % 5]
        revoked = i % 7 == 0
        name = f"{NAMES[i % 5]}{i}"
        text = services.search_text_for(name)
        entries.append(
            RegisterEntry.objects.create(
                public_id=services.public_id_for(f"v{i}"),
                source="platform",
                source_key=f"v{i}",
                kind=kinds[i % 4],
                level=levels[i % 4 if i % 5 == 0 else i % 3],
                year=2017 + i % 4,
                batch=["", "3", "2021"][i % 3],
                announced_on=date(2020 + i % 3, 1 + i % 11, 1),
                authority="测试",
                province_id=province,
                region_id=region,
                industry_id=INDUSTRIES[i % 6],
                unit_key=f"v{i}",
                unit_name=name,
                status="revoked" if revoked else "active",
                revoked_on=date(2026, 1, 1) if revoked else None,
                search_text=text,
                search_tokens=fulltext.tokens_for(text),
            )
        )
    return entries


def plain_match(e: RegisterEntry, terms: list[str], f: dict[str, Any]) -> bool:
    """The filters as the register defines them, in Python (no index, no SQL)."""
    section = {"C": {"C", "34", "341", "13"}, "D": {"D"}}
    region = f["region"]
    checks = [
        all(t in e.search_text for t in terms),
        f["status"] == "all" or e.status == f["status"],
        not f["kind"] or e.kind == f["kind"],
        not f["level"] or e.level == f["level"],
        not f["province"] or e.province_id == f["province"],
        not region
        or (
            e.province_id == region
            if region.endswith("0000")
            else (e.region_id or "").startswith(region[:4] if region.endswith("00") else region)
        ),
        not f["industry"]
        or (
            e.industry_id in section[f["industry"]]
            if f["industry"].isalpha()
            else (e.industry_id or "").startswith(f["industry"])
        ),
        not f["year"] or e.year == f["year"],
        not f["batch"] or e.batch == f["batch"],
    ]
    return all(checks)


filter_sets = st.fixed_dictionaries(
    {
        "q": st.sampled_from(["电子", "有限公司", "苏州 电子", "机械", "京东方", "司", "无此词"]),
        "status": st.sampled_from(["active", "revoked", "all"]),
        "kind": st.sampled_from(["", "factory", "supply_chain"]),
        "level": st.sampled_from(["", "city", "national", "district"]),
        "province": st.sampled_from(["", "320000", "330000"]),
        "region": st.sampled_from(["", "320000", "320500", "320506", "320200"]),
        "industry": st.sampled_from(["", "C", "D", "34", "341", "13"]),
        "year": st.sampled_from([None, 2017, 2019]),
        "batch": st.sampled_from(["", "3", "2021"]),
    }
)


def test_keyword_pages_counts_and_facets_equal_the_filters(world: Any) -> None:
    """Whatever the filters, a keyword search's count, facets and every page (3 per page) hold exactly
    the entries the filters select, in the register's order (newest first, then id)."""
    entries = varied_corpus()

    @settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(filter_sets)
    def check(f: dict[str, Any]) -> None:
        terms = services.fold(f["q"]).split()
        expected = sorted(
            (e for e in entries if plain_match(e, terms, f)),
            key=lambda e: (-e.announced_on.toordinal(), e.pk),
        )
        found = selectors.search(**f)
        paginator = selectors.BoundedPaginator(found.qs, 3, index=found.index)
        assert paginator.count == len(expected) and not paginator.capped
        listed = [e.pk for n in paginator.page_range for e in paginator.page(n).object_list]
        assert listed == [e.pk for e in expected]
        assert list(found.qs.values_list("pk", flat=True)) == listed  # downloads: the same, in order
        facets = paginator.facets()
        assert [n for _, _, n in facets.kinds] == [
            sum(e.kind == k for e in expected) for k in ("factory", "park", "supply_chain", "product")
        ]
        assert [n for _, _, n in facets.levels] == [
            sum(e.level == lv for e in expected) for lv, _ in TitleLevel.choices
        ]

    check()


def test_pages_of_a_search_past_the_cap_equal_the_filters(world: Any) -> None:
    """A search with more matches than the count's cap (a dense one: on PostgreSQL its pages walk the
    list order, testing each entry's text and filter words with LIKE) lists the same entries, in the
    same order, as the plain filters; LIKE's wildcards in a term are literal characters."""
    entries = varied_corpus()
    make("w1", "京东方%电子_")  # the only entry whose text holds a wildcard character
    entries.append(RegisterEntry.objects.get(source_key="w1"))
    cap = 4

    @settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(
        filter_sets, st.sampled_from(["", "电子", "有限公司", "司", "%", "_", "方%电", "子_", "苏州 电子"])
    )
    def check(f: dict[str, Any], q: str) -> None:
        f = {**f, "q": q or f["q"]}
        terms = services.fold(f["q"]).split()
        expected = sorted(
            (e for e in entries if plain_match(e, terms, f)),
            key=lambda e: (-e.announced_on.toordinal(), e.pk),
        )
        found = selectors.search(**f)
        paginator = selectors.BoundedPaginator(found.qs, 2, cap=cap, index=found.index)
        assert (paginator.count, paginator.capped) == (min(len(expected), cap), len(expected) > cap)
        listed = [e.pk for n in paginator.page_range for e in paginator.page(n).object_list]
        assert listed == [e.pk for e in expected[:cap]]

    check()


def test_index_follows_changes_of_the_filtered_fields(world: Any) -> None:
    """An update of the date, kind or place moves the entry in the index (the triggers rewrite both its
    place in the order and its filter words)."""
    first, second, *_ = varied_corpus()
    RegisterEntry.objects.filter(pk=first.pk).update(kind="park", province_id="330000", region_id="330100")
    assert [
        e.pk for e in selectors.search_titles(q="苏州电子", kind="park", province="330000", status="all")
    ] == [first.pk]
    assert not selectors.search_titles(q="苏州电子", kind="factory", status="all").filter(pk=first.pk)
    RegisterEntry.objects.filter(pk=second.pk).update(announced_on=date(2030, 1, 1))
    found = selectors.search(q="电子")
    paginator = selectors.BoundedPaginator(found.qs, 1, index=found.index)
    assert paginator.page(1).object_list[0].pk == second.pk


@pytest.mark.parametrize(
    ("url", "queries"),
    [("/public/titles/?q=电子", 5), ("/public/titles/?q=有限公司&province=320000&year=2017&page=2", 6)],
)
def test_keyword_page_query_count_is_constant(
    world: Any, django_assert_num_queries: Any, url: str, queries: int
) -> None:
    """The same number of queries whatever the number of matches (choices, count with facets, page)."""
    varied_corpus()
    client = Client()
    # on both databases the index gives the count and the facets in one query, the page in another
    with django_assert_num_queries(queries):
        assert client.get(url).status_code == 200
