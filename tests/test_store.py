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
    with pytest.raises(StopIteration):
        # one embedding for two paragraphs: the second insert fails mid-transaction
        backend_store.save_report(report, "r1", [src], embeddings=[b"\0" * 2048])
    assert backend_store.list_reports() == []
    assert backend_store.lexical_search(parse_query("Lima"), 10) == []
    assert backend_store.get_source("s1") is None
    assert backend_store.load_vectors(512)[0].size == 0
    assert backend_store.index_fingerprint() == before
    backend_store.save_report(report, "r1", [src])  # the next write works
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
