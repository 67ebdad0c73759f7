"""One URL rule (corroborate.urls) for readers, pages and exports: only http, https and mailto
become links. The readers apply it (see test_crash_causes); here a library that already holds
hostile link targets — written by an older version, or straight into the store — must still
never put one into an href of a page, an exported document or a compiled response."""

from __future__ import annotations

import html
import re
import zipfile

import pytest
from fastapi.testclient import TestClient

from corroborate import Library
from corroborate.export.document import link_segments
from corroborate.models import (
    Citation,
    CitationKind,
    Footnote,
    Marker,
    Paragraph,
    Report,
    Section,
    Source,
    SourceType,
    assign_paragraph_ids,
)
from corroborate.settings import Settings
from corroborate.urls import is_link, link_urls, safe_url
from corroborate.web.app import create_app

HOSTILE = ["javascript:alert(1)", "JavaScript:alert(1)", " javascript:alert(1)", "java\tscript:alert(1)",
           "java\nscript:alert(1)", "\x01javascript:alert(1)", "vbscript:msgbox(1)",
           "data:text/html;base64,PHNjcmlwdD4=", "file:///etc/passwd", "//evil.example/x", "/relative",
           "#top", "", "   "]


@pytest.mark.parametrize("url", HOSTILE)
def test_other_schemes_are_not_links(url):
    assert safe_url(url) is None and not is_link(url)


@pytest.mark.parametrize("url", ["https://www.gob.pe/x?a=1&b=2", "http://example.org", "HTTPS://EXAMPLE.ORG",
                                 "mailto:info@example.org", "www.acnur.org/5b4f.pdf", " https://a.org/ "])
def test_web_and_mail_addresses_are_links(url):
    assert safe_url(url) == url.strip()


def test_link_urls_keeps_order_and_drops_the_rest():
    assert link_urls(["https://b.org", "javascript:x", " https://a.org", "https://b.org"]) == [
        "https://b.org", "https://a.org", "https://b.org"]


def test_export_segments_keep_a_hostile_target_as_text():
    segs = link_segments("Amnesty, Report, 2023, url", ["javascript:alert(1)"])
    # Never an href, and never put where the report's link was (the placeholder is dropped, as
    # for any lost link: citations.format never prints the word "url").
    assert all(s.href is None for s in segs) and "javascript" not in "".join(s.text for s in segs)


@pytest.fixture(scope="module")
def hostile_library(tmp_path_factory):
    """A report stored directly, as an older version might have stored it."""
    db = tmp_path_factory.mktemp("hostile") / "h.db"
    js = "javascript:alert(document.cookie)"
    src = Source(id="src-js", author="Evil Corp", title="Report", type=SourceType.NGO, urls=[js])
    report = Report(
        id="hostile", title="Hostile links", source_hash="hostile",
        sections=[Section(number="1", title="Security", level=1, paragraphs=[Paragraph(
            text="Protests spread across the southern regions in December 2022.",
            markers=[Marker(n=1, offset=10)])])],
        footnotes=[Footnote(n=1, text="Evil Corp, Report, 2023, url", urls=[js, "data:text/html,x"],
                            citations=[Citation(kind=CitationKind.DOCUMENT, raw="Evil Corp, Report, 2023, url",
                                                author="Evil Corp", title="Report", url=js, source_id=src.id)])],
    )
    assign_paragraph_ids(report, "hostile")
    with Library(db) as lib:
        lib.store.save_report(report, "hostile", [src], None)
    return db


def test_pages_never_link_a_stored_hostile_target(hostile_library):
    client = TestClient(create_app(Settings(db=str(hostile_library), embeddings=False)))
    for url in ("/reports/hostile", "/sources/src-js", "/search?q=protests&mode=lexical",
                "/ask?q=Where+did+protests+spread"):
        page = client.get(url, headers={"accept": "text/html"})
        assert page.status_code == 200, url
        hrefs = [html.unescape(h) for h in re.findall(r'<a\b[^>]*?\bhref="([^"]*)"', page.text)]
        assert hrefs and all(h.startswith(("/", "#", "?")) or is_link(h) for h in hrefs), (url, hrefs)
    assert "javascript:alert(document.cookie)" in client.get("/reports/hostile").text  # shown as text


@pytest.mark.parametrize("fmt", ["html", "docx", "md"])
def test_exports_never_link_a_stored_hostile_target(hostile_library, tmp_path, fmt):
    with Library(hostile_library) as lib:
        out = lib.export_report("hostile", fmt, tmp_path / f"out.{fmt}")
        compiled = lib.compile(["Where did protests spread?"], fmt, tmp_path / f"compiled.{fmt}")
    for path in (out, compiled):
        data = path.read_bytes()
        if fmt == "docx":
            with zipfile.ZipFile(path) as zf:
                data = b"".join(zf.read(n) for n in zf.namelist() if n.endswith(".rels") or n.endswith(".xml"))
            assert b'Target="javascript' not in data and b'Target="data:' not in data
        elif fmt == "html":
            assert b'href="javascript' not in data and b'href="data:' not in data
        else:
            assert b"<javascript" not in data and b"](javascript" not in data
