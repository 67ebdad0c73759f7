"""The store on its own: schema versioning and migrations, round trips, confidential flags.
Tests taking `store` run on SQLite and on PostgreSQL (tests/backend_fixtures.py)."""

from __future__ import annotations

import pytest

from corroborate.models import (
    Citation,
    Footnote,
    GlossaryEntry,
    Marker,
    Paragraph,
    Report,
    Section,
    Source,
    SourceType,
    TorItem,
    assign_paragraph_ids,
)
from corroborate.search.query import parse_query
from corroborate.store import SCHEMA_VERSION, StoreError, connect
from corroborate.store.sqlite import MIGRATIONS


def small_report() -> Report:
    report = Report(
        id="r1", title="Test report", source_hash="abc",
        sections=[
            Section(number="1", title="Overview", paragraphs=[
                Paragraph(text="Crime rose in Lima.", markers=[Marker(n=1, offset=19)]),
            ], sections=[
                Section(number="1.1", title="Detail", level=2, paragraphs=[
                    Paragraph(text="No footnote here."),
                ]),
            ]),
        ],
        footnotes=[
            Footnote(n=1, text="HRW, Report, 2023, url", urls=["https://hrw.org/x"], citations=[
                Citation(author="HRW", title="Report", date="2023", url="https://hrw.org/x",
                         raw="HRW, Report, 2023, url", source_id="s1"),
            ]),
            Footnote(n=2, text=None),
        ],
        glossary=[GlossaryEntry(term="HRW", definition="Human Rights Watch")],
        terms_of_reference=[TorItem(text="Crime", items=[TorItem(text="Gangs in Lima")])],
    )
    assign_paragraph_ids(report, "r1")
    return report


def test_new_database_has_current_schema(tmp_path):
    conn = connect(tmp_path / "x.db")
    version = conn.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()[0]
    assert int(version) == SCHEMA_VERSION == len(MIGRATIONS)


def test_newer_schema_is_refused(tmp_path):
    path = tmp_path / "x.db"
    conn = connect(path)
    conn.execute("UPDATE meta SET value='999' WHERE key='schema_version'")
    conn.close()
    with pytest.raises(StoreError, match="newer"):
        connect(path)


def test_postgres_schema_is_versioned_and_a_newer_one_refused(pg_url):
    import psycopg

    from corroborate.store.postgres import PostgresStore
    from corroborate.store.postgres_schema import MIGRATIONS as PG_MIGRATIONS

    PostgresStore(pg_url).close()
    PostgresStore(pg_url).close()  # a second open finds the schema current and changes nothing
    with psycopg.connect(pg_url, autocommit=True) as conn:
        assert conn.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()[0] == str(
            len(PG_MIGRATIONS))
        conn.execute("UPDATE meta SET value='999' WHERE key='schema_version'")
    with pytest.raises(StoreError, match="newer"):
        PostgresStore(pg_url)


def test_round_trip_keeps_tree_markers_citations(backend_store):
    report = small_report()
    backend_store.save_report(report, "r1", [Source(id="s1", author="HRW", title="Report", type=SourceType.NGO)])
    back = backend_store.load_report("r1")
    assert back.sections[0].sections[0].title == "Detail"
    assert [p.id for p in back.paragraphs()] == [p.id for p in report.paragraphs()]
    assert back.sections[0].paragraphs[0].markers == [Marker(n=1, offset=19)]
    assert back.footnote(1).citations[0].author == "HRW"
    assert back.footnote(2).text is None
    assert back.terms_of_reference[0].items[0].text == "Gangs in Lima"
    assert back.glossary[0].definition == "Human Rights Watch"
    (src,) = backend_store.list_sources()
    assert (src["id"], src["footnotes"], src["paragraphs"]) == ("s1", 1, 1)


def test_failed_save_rolls_back(backend_store):
    report = small_report()
    before = backend_store.index_fingerprint()
    src = Source(id="s1", type=SourceType.NGO)
    with pytest.raises(ValueError, match="embeddings"):
        # one embedding for two paragraphs: the write fails mid-transaction
        backend_store.save_report(report, "r1", [src], embeddings=[b"\0" * 2048])
    assert backend_store.list_reports() == []
    assert backend_store.lexical_search(parse_query("Lima"), 10) == []
    assert backend_store.get_source("s1") is None
    assert backend_store.load_vectors(512)[0].size == 0
    assert backend_store.index_fingerprint() == before
    backend_store.save_report(report, "r1", [src])  # the next write works
    assert [r["id"] for r in backend_store.list_reports()] == ["r1"]


def test_e5_vectors_are_stored_beside_the_embeddings_and_read_back(backend_store):
    import numpy as np

    report = small_report()
    pars = list(report.paragraphs())
    use = [np.full(512, i + 1, dtype=np.float32).tobytes() for i in range(len(pars))]
    e5 = [np.full(384, (i + 1) / 10, dtype=np.float16).tobytes() for i in range(len(pars))]
    src = [Source(id="s1", type=SourceType.NGO)]
    backend_store.save_report(report, "r1", src, embeddings=use, e5=e5)
    pks = [int(pk) for pk in backend_store.load_vectors(512)[0]]
    assert len(pks) == len(pars)
    stored = backend_store.e5_vectors(pks)
    assert [stored[pk] for pk in pks] == e5  # in reading order, bit for bit
    # a report stored without them has none, and a mismatched count writes nothing
    backend_store.save_report(small_report(), "r1", src, embeddings=use, replace_ids=["r1"])
    assert backend_store.e5_vectors([int(pk) for pk in backend_store.load_vectors(512)[0]]) == {}
    other = small_report()
    other.id = "r2"
    with pytest.raises(ValueError, match="E5"):
        backend_store.save_report(other, "r2", src, embeddings=use, e5=e5[:1])
    assert [r["id"] for r in backend_store.list_reports()] == ["r1"]


def test_confidential_flag_survives_reingest(backend_store):
    src = Source(id="s1", author="HRW", title="Report", type=SourceType.NGO)
    backend_store.save_report(small_report(), "r1", [src])
    assert backend_store.set_confidential("s1", True)
    backend_store.save_report(small_report(), "r1", [src], replace_ids=["r1"])
    assert backend_store.get_source("s1").confidential is True


def test_change_marker_moves_with_every_commit_and_only_then(backend_store):
    """What the server's read cache keys on: any committed write, a confidentiality flag too."""
    src = Source(id="s1", author="HRW", title="Report", type=SourceType.NGO)
    backend_store.save_report(small_report(), "r1", [src])
    before = backend_store.change_marker()
    backend_store.list_reports()  # a read moves nothing
    assert backend_store.change_marker() == before
    assert backend_store.set_confidential("s1", True)
    assert backend_store.change_marker() != before


def long_report(paragraphs: int) -> Report:
    """`paragraphs` paragraphs in nested sections, one in three citing a footnote, with a
    glossary and terms of reference two levels deep."""
    sections = []
    for k in range(0, paragraphs, 6):
        pars = [Paragraph(text=f"Paragraph {i} on checkpoints in region {i % 7}.",
                          markers=[Marker(n=i // 3 + 1, offset=5)] if i % 3 == 0 else [])
                for i in range(k, min(k + 6, paragraphs))]
        sections.append(Section(number=str(len(sections) + 1), title=f"Part {k}", paragraphs=pars[:3], sections=[
            Section(number=f"{len(sections) + 1}.1", title=f"Detail {k}", level=2, paragraphs=pars[3:])]))
    notes = [Footnote(n=n, text=f"Source {n}, 2023", citations=[Citation(raw=f"Source {n}, 2023", source_id="s1")])
             for n in range(1, paragraphs // 3 + 2)]
    report = Report(id="long", title="Long", source_hash="long", sections=sections, footnotes=notes,
                    glossary=[GlossaryEntry(term="T", definition="A term")],
                    terms_of_reference=[TorItem(text=f"Item {i}", items=[TorItem(text=f"Sub {i}")]) for i in range(3)])
    assign_paragraph_ids(report, "long")
    return report


@pytest.mark.parametrize("paragraphs", [5, 240])
def test_round_trip_of_a_long_nested_report(backend_store, paragraphs):
    report = long_report(paragraphs)
    vectors = [bytes([i % 251]) * 2048 for i in range(paragraphs)]
    backend_store.save_report(report, "long", [Source(id="s1", author="HRW", type=SourceType.NGO)], vectors)
    back = backend_store.load_report("long")
    assert back.model_dump(exclude={"ingested_at"}) == report.model_dump(exclude={"ingested_at"})
    ids, mat = backend_store.report_paragraph_vectors("long", 512)
    assert ids == [p.id for p in report.paragraphs()]
    assert [bytes(row.tobytes()) for row in mat] == vectors
    (src,) = backend_store.list_sources()
    assert (src["footnotes"], src["paragraphs"]) == (len(report.footnotes), paragraphs // 3 + (paragraphs % 3 > 0))


def test_postgres_writes_a_report_in_as_many_statements_whatever_its_size(pg_url, monkeypatch):
    """One round trip per table, not per row: a 240-paragraph report costs the same number of
    statements as a 5-paragraph one (one per row took 358 s for 300 reports of 100)."""
    import psycopg

    from corroborate.store import open_store

    sent: list[str] = []
    for name in ("execute", "executemany", "copy"):
        original = getattr(psycopg.Cursor, name)

        def spy(self, query, *args, _original=original, **kwargs):
            sent.append(str(query)[:40])
            return _original(self, query, *args, **kwargs)

        monkeypatch.setattr(psycopg.Cursor, name, spy)
    store = open_store(pg_url)
    try:
        counts = []
        for n in (5, 240):
            report = long_report(n).model_copy(update={"id": f"long{n}", "source_hash": f"h{n}"})
            sent.clear()
            store.save_report(report, report.id, [Source(id="s1", type=SourceType.NGO)], [b"\0" * 2048] * n)
            counts.append(len(sent))
        assert counts[0] == counts[1] and counts[0] < 25, (counts, sent)
    finally:
        store.close()
