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


def test_place_first_on_both_backends(backend_db, tmp_path):
    """The same order on SQLite and PostgreSQL: the rule reads rows and report countries through
    the store protocol only."""
    from corroborate import Library

    bogota = tmp_path / "colombia.txt"
    bogota.write_text("Colombia: extortion\n\n" + "\n\n".join(
        f"Gangs extort bus drivers in Bogotá every day; extortion of bus drivers is common ({n}).[{n}]"
        for n in range(1, 4)) + "\n\n1 Source A, 2023.\n2 Source B, 2023.\n3 Source C, 2023.\n", encoding="utf-8")
    lima = tmp_path / "peru.txt"
    lima.write_text("Peru: crime\n\n" + "\n\n".join(
        f"Theft is reported in Peru's cities ({n}).[{n}]" for n in range(1, 4))
        + "\n\n1 Source A, 2023.\n2 Source B, 2023.\n3 Source C, 2023.\n", encoding="utf-8")
    with Library(backend_db) as lib:
        ids = [lib.ingest(p).id for p in (bogota, lima)]
        lib.set_report_metadata(ids[0], country="CO")
        lib.set_report_metadata(ids[1], country="PE")
        query = "Is extortion of bus drivers common in Peru?"
        as_ranked = [r for r, _ in ranked(lib, query, places=False)]
        placed = [r for r, _ in ranked(lib, query)]
    assert as_ranked[0] == ids[0]  # the Colombian paragraphs match more of the words
    assert sorted(placed) == sorted(as_ranked) and set(placed) == set(ids)
    assert placed == sorted(placed, key=lambda r: r != ids[1])  # every Peruvian paragraph first
