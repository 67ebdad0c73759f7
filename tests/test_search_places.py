"""A query naming a country ranks first the paragraphs that can speak for it (engine.place_first),
in a library of five reports: the sample on Peru, the Home Office CPIN on Colombia, an IACHR
report and two law articles (no country known)."""

from __future__ import annotations

import pytest

from corroborate.metadata import names_country

PERU = "euaa-peru-country-focus-2023"
COLOMBIA = "cpin-colombia-internal-relocation-2026-03"


def test_names_country_reads_names_as_country_counts_does():
    assert names_country("Lima, Peru", {"PE"}) and names_country("las mujeres peruanas", {"PE"})
    assert not names_country("Bogotá, Colombia", {"PE"})
    # 'Guinea' inside a longer country's name is that country
    assert names_country("Port Moresby, Papua New Guinea", {"PG"})
    assert not names_country("Port Moresby, Papua New Guinea", {"GN"})
    assert not names_country("anything", set())


def ranked(lib, query, places=True):
    """(report id, names Peru) of each paragraph of the hybrid list, best first."""
    from corroborate.search.engine import Searcher
    from corroborate.search.query import parse_query

    s = Searcher(lib.store, lib.settings)
    hits = s.ranked_pool(parse_query(query), 10, "hybrid", s.make_filter(), places=places)
    rows = lib.store.paragraphs_by_pk([h.pk for h in hits])
    return [(rows[h.pk]["report_id"], names_country(rows[h.pk]["text"], {"PE"})) for h in hits]


@pytest.mark.parametrize("query", ["Is movement restricted in any part of Peru?",
                                   "¿Está restringida la libertad de circulación en el Perú?"])
def test_a_question_naming_peru_gets_peru_first(several_reports, query):
    """Both reports treat freedom of movement. As ranked, the CPIN's paragraphs on Colombia come
    before some of the sample's; placed, after all of them, and none is dropped."""
    def last_peru(lst):
        return max(i for i, (r, _) in enumerate(lst) if r == PERU)

    def colombian(lst):
        return [i for i, (r, names_peru) in enumerate(lst) if r == COLOMBIA and not names_peru]

    as_ranked = ranked(several_reports, query, places=False)
    placed = ranked(several_reports, query)
    assert min(colombian(as_ranked)) < last_peru(as_ranked)  # the rule has something to do
    assert min(colombian(placed)) > last_peru(placed)
    assert sorted(placed) == sorted(as_ranked)
    # the English question's first result was the CPIN's paragraph on movement in Colombia
    assert placed[0][0] == PERU


def test_a_question_naming_no_country_is_ranked_as_it_was(several_reports):
    query = "Is freedom of movement restricted?"
    assert ranked(several_reports, query) == ranked(several_reports, query, places=False)
    assert {PERU, COLOMBIA} <= {r for r, _ in ranked(several_reports, query)[:10]}


def test_search_pages_are_cut_from_the_placed_list(several_reports):
    query = "Is movement restricted in any part of Peru?"
    first = several_reports.search(query, k=5)["results"]
    second = several_reports.search(query, k=5, offset=5)["results"]
    placed = ranked(several_reports, query)
    assert [r["report_id"] for r in first + second] == [r for r, _ in placed[:10]]
