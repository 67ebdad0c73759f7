"""The HTML pages through FastAPI's TestClient: every page, error pages, escaping of report
text, and that reading and searching work without JavaScript (links and <details> in the HTML).

Two libraries: a small hand-made report with hostile text (markup in paragraphs, titles and
URLs, a lost footnote, a glossary term) and the real ingested sample report.
"""

from __future__ import annotations

import html
import re
from urllib.parse import parse_qs, urlparse

import pytest
from fastapi.testclient import TestClient

from conftest import SAMPLE_ID
from corroborate.library import Library
from corroborate.models import (
    Citation,
    CitationKind,
    Footnote,
    GlossaryEntry,
    Marker,
    Paragraph,
    ParagraphKind,
    Report,
    Section,
    Source,
    SourceType,
    assign_paragraph_ids,
    fold,
)
from corroborate.settings import Settings
from corroborate.web import render
from corroborate.web.app import create_app

HTML = {"accept": "text/html"}
CRAFTED_ID = "test-country-focus"
HOSTILE_URL = "https://insightcrime.org/x?a=1&b=<2>"


def crafted_report() -> tuple[Report, list[Source]]:
    top = Section(number="1", title="Security situation", level=1, page=5)
    sub = Section(number="1.1", title="Criminal groups <b>& gangs</b>", level=2, page=6)
    top.paragraphs = [Paragraph(text="Overview of the PNP and its role in the EPNP unit.", page=5,
                                markers=[Marker(n=2, offset=48)])]
    text = "The PNP reported that the gang <script>alert('x')</script> grew & spread in Lima."
    sub.paragraphs = [
        Paragraph(text=text, page=6, markers=[Marker(n=1, offset=21), Marker(n=2, offset=len(text))]),
        Paragraph(kind=ParagraphKind.LIST_ITEM, page=7, text="Extortion of bus drivers increased.",
                  markers=[Marker(n=3, offset=35)]),
    ]
    top.sections = [sub]
    src = Source(id="insight-crime-gangs", author="InSight Crime", title="Gangs <i>of</i> Lima",
                 type=SourceType.MEDIA, language="en", date="2023-02-14", urls=[HOSTILE_URL])
    raw = "InSight Crime, Gangs <i>of</i> Lima, 14 February 2023, url, p. 3"
    footnotes = [
        Footnote(n=1, text=raw, urls=[HOSTILE_URL], citations=[Citation(
            author="InSight Crime", title="Gangs <i>of</i> Lima", date="2023-02-14", url=HOSTILE_URL,
            locator="p. 3", raw=raw, source_id=src.id)]),
        Footnote(n=2, text="Analysis by the authors",
                 citations=[Citation(kind=CitationKind.ANALYSIS, raw="Analysis by the authors")]),
        Footnote(n=3, text=None),  # the body refers to it; the extraction lost its text
    ]
    report = Report(
        id=CRAFTED_ID, title="Test – Country Focus <2023>", publisher="EUAA", published="2023-10",
        cut_off="2023-09-19", source_hash="crafted", sections=[top], footnotes=footnotes,
        glossary=[GlossaryEntry(term="PNP", definition='Policía Nacional del Perú ("National Police")')],
    )
    assign_paragraph_ids(report, CRAFTED_ID)
    return report, [src]


@pytest.fixture(scope="module")
def crafted(tmp_path_factory) -> tuple[TestClient, Report]:
    db = tmp_path_factory.mktemp("web") / "crafted.db"
    report, sources = crafted_report()
    with Library(db) as lib:
        lib.store.save_report(report, CRAFTED_ID, sources, None)
    app = create_app(Settings(db=str(db), embeddings=False))
    return TestClient(app), report


@pytest.fixture(scope="module")
def client(crafted) -> TestClient:
    return crafted[0]


@pytest.fixture(scope="module")
def sample_client(sample_db_master) -> TestClient:
    return TestClient(create_app(Settings(db=str(sample_db_master))))


def paragraph_ids(report: Report) -> list[str]:
    return [p.id for p in report.paragraphs()]


def textarea_values(page: str) -> list[str]:
    return [html.unescape(t) for t in re.findall(r"<textarea[^>]*>(.*?)</textarea>", page, re.S)]


# --- home, layout, accessibility -------------------------------------------------------------


def test_home_has_search_form_and_report_list(client):
    r = client.get("/")
    assert r.status_code == 200
    page = r.text
    assert re.search(r'<form[^>]*role="search"[^>]*action="/search"', page)
    assert re.search(r'<label for="q"', page) and 'name="q"' in page
    assert f'href="/reports/{CRAFTED_ID}"' in page
    assert "Test – Country Focus &lt;2023&gt;" in page
    for landmark in ("<header", "<nav", "<main", "<footer"):
        assert landmark in page
    assert 'class="skip-link" href="#main"' in page and 'id="main"' in page


def test_static_assets_are_served(client):
    assert client.get("/static/style.css").status_code == 200
    js = client.get("/static/app.js")
    assert js.status_code == 200 and "clipboard" in js.text


# --- reader ----------------------------------------------------------------------------------


def test_reader_renders_markers_panel_and_permalinks(crafted):
    client, report = crafted
    page = client.get(f"/reports/{CRAFTED_ID}").text
    first, second, third = paragraph_ids(report)
    for pid in (first, second, third):
        assert f'id="p-{pid}"' in page
        assert f'href="/reports/{CRAFTED_ID}#p-{pid}"' in page
    # marker 1 sits after "The PNP reported that": the superscript follows exactly that text
    assert re.search(r'reported that<sup class="fn-marker"><a class="fn-ref" href="#fn-1"[^>]*>1</a></sup>', page)
    for n in (1, 2, 3):
        assert f'<li id="fn-{n}"' in page
    assert 'id="s-1"' in page and 'href="#s-2"' in page  # table of contents links to sections


def test_reader_marks_missing_footnote(client):
    page = client.get(f"/reports/{CRAFTED_ID}").text
    li = page[page.index('<li id="fn-3"'):]
    li = li[:li.index("</li>")]
    assert "text missing in the source" in li
    assert 'fn-ref--missing" href="#fn-3"' in page


def test_reader_explains_glossary_terms_once_and_whole_word(client):
    page = client.get(f"/reports/{CRAFTED_ID}").text
    abbr = '<abbr title="Policía Nacional del Perú (&#34;National Police&#34;)">PNP</abbr>'
    assert page.count(abbr) == 2  # first match in each of the two paragraphs using it
    assert "EPNP" in page and "E<abbr" not in page


def test_reader_escapes_report_text(client):
    page = client.get(f"/reports/{CRAFTED_ID}").text
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in page
    assert "Criminal groups &lt;b&gt;&amp; gangs&lt;/b&gt;" in page
    assert "<i>of</i>" not in page
    assert 'href="https://insightcrime.org/x?a=1&amp;b=&lt;2&gt;"' in page


def test_reader_citation_to_copy_is_euaa_style_with_real_url(crafted):
    client, report = crafted
    page = client.get(f"/reports/{CRAFTED_ID}").text
    second = paragraph_ids(report)[1]
    area = re.search(rf'<textarea id="cite-{second}"[^>]*>(.*?)</textarea>', page, re.S)
    lines = html.unescape(area.group(1)).splitlines()
    assert lines[0].startswith("“The PNP reported that[1] the gang <script>")
    assert lines[0].endswith("in Lima.[2]”")
    # the section's number and heading, the page and the paragraph's permalink at this address
    assert lines[1] == ("EUAA, Test – Country Focus <2023>, October 2023, section 1.1 ‘Criminal groups <b>& gangs</b>’, "
                        f"p. 6, http://testserver/reports/{CRAFTED_ID}#p-{second}")
    assert lines[2] == f"[1] InSight Crime, Gangs <i>of</i> Lima, 14 February 2023, {HOSTILE_URL}, p. 3"
    assert lines[3] == "[2] Analysis by the authors"
    # without JavaScript the citation sits in a <details> to open and copy by hand
    assert '<details class="cite">' in page and 'data-copy="cite-' in page


def test_unknown_report_gives_404_page(client):
    r = client.get("/reports/no-such-report", headers=HTML)
    assert r.status_code == 404
    assert "no-such-report" in r.text and "<main" in r.text and "Not found" in r.text


def test_unknown_address_gives_html_404_and_api_keeps_json(client):
    r = client.get("/no/such/page", headers=HTML)
    assert r.status_code == 404 and "Page not found" in r.text and 'href="/sources"' in r.text
    api = client.get("/api/reports/no-such-report", headers=HTML)
    assert api.status_code == 404 and api.headers["content-type"].startswith("application/json")


# --- search ----------------------------------------------------------------------------------


def test_search_results_link_to_paragraph_with_marks_and_footnote_chips(crafted):
    client, report = crafted
    page = client.get("/search", params={"q": "gang Lima"}).text
    second = paragraph_ids(report)[1]
    assert f'href="/reports/{CRAFTED_ID}#p-{second}"' in page
    assert "<mark>" in page and "<script>alert" not in page
    chip = re.search(r'<details class="chip"[^>]*>\s*<summary>\s*<span class="visually-hidden">Footnote </span>1\b', page)
    assert chip, "footnote chips open in place without JavaScript"
    assert f'href="{html.escape(HOSTILE_URL)}"' in page or 'href="https://insightcrime.org/x?a=1&amp;b=&lt;2&gt;"' in page
    assert "1.1 Criminal groups &lt;b&gt;&amp; gangs&lt;/b&gt;" in page  # section of the hit, escaped


def test_search_page_from_memory_is_the_page_rendered_fresh(crafted):
    """The remembered results are spliced into the page as bytes (views_search._with_results):
    the second request, answered from the read cache, is the first page byte for byte apart
    from its CSRF token, with a right Content-Length, and a query that looks like the slot
    stays escaped text."""
    client, _ = crafted

    def without_csrf(text: str) -> str:
        return re.sub(r'name="[A-Za-z0-9_-]{20,}"|value="[A-Za-z0-9_-]{20,}"', "", text)

    q = "gang Lima <!--results-->"
    first, second = (client.get("/search", params={"q": q}, headers={"accept-encoding": "identity"})
                     for _ in range(2))
    assert first.status_code == second.status_code == 200
    assert without_csrf(first.text) == without_csrf(second.text)
    assert int(second.headers["content-length"]) == len(second.content)
    assert second.text.count('class="hit"') >= 1
    assert "&lt;!--results--&gt;" in second.text and "<!--results-" not in second.text


def test_search_facets_are_links_that_filter(crafted):
    client, report = crafted
    page = client.get("/search", params={"q": "gang OR drivers OR overview"}).text
    links = dict((html.unescape(label), html.unescape(href)) for href, label in re.findall(
        r'<a href="([^"]+)" class="facet__link[^"]*"[^>]*>.*?<span class="facet__label">(.*?)</span>', page, re.S))
    assert "InSight Crime" in links and "Media" in links and "English" in links
    assert "2023 or later" in links
    filtered = client.get(links["InSight Crime"]).text
    assert parse_qs(urlparse(links["InSight Crime"]).query)["source"] == ["insight-crime-gangs"]
    first, second, third = paragraph_ids(report)
    assert f"#p-{second}" in filtered and f"#p-{third}" not in filtered
    assert 'aria-current="true"' in filtered  # the active filter is shown and can be removed
    by_type = client.get(links["Media"]).text  # applied by the search engine itself
    assert f"#p-{second}" in by_type and f"#p-{third}" not in by_type
    by_section = client.get(links["1.1 Criminal groups <b>& gangs</b>"]).text
    assert f"#p-{first}" not in by_section and f"#p-{third}" in by_section


def test_query_with_markup_is_shown_as_text(client):
    q = "<script>alert(1)</script>"
    r = client.get("/search", params={"q": q})
    assert r.status_code == 200
    assert "<script>alert(1)</script>" not in r.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in r.text


def test_bad_query_gives_400_page_with_the_reason(client):
    r = client.get("/search", params={"q": '"unclosed phrase'})
    assert r.status_code == 400
    assert "unbalanced quote" in r.text and "<main" in r.text
    r = client.get("/search", params={"q": "gang", "since": "last year"})
    assert r.status_code == 400 and "since=" in html.unescape(r.text)


def test_empty_search_page_shows_form(client):
    r = client.get("/search")
    assert r.status_code == 200 and 'name="q"' in r.text and "passages" not in r.text


def test_ask_without_relevant_passage_says_so_plainly(client):
    for url in ("/ask", "/search"):
        r = client.get(url, params={"q": "volcanic eruptions in Iceland", "mode": "ask"})
        assert r.status_code == 200
        assert "could not be found among the sources consulted" in r.text


# --- sources ---------------------------------------------------------------------------------


def test_sources_list_and_filters(client):
    page = client.get("/sources").text
    assert 'href="/sources/insight-crime-gangs"' in page and "InSight Crime" in page
    assert "Gangs &lt;i&gt;of&lt;/i&gt; Lima" in page and "Media" in page
    assert 'href="/sources/insight-crime-gangs"' in client.get("/sources", params={"type": "media"}).text
    assert "insight-crime-gangs" not in client.get("/sources", params={"lang": "es"}).text
    assert "insight-crime-gangs" not in client.get("/sources", params={"name": "amnesty"}).text
    assert "insight-crime-gangs" in client.get("/sources", params={"name": "insight"}).text
    assert client.get("/sources", params={"report": "nope"}, headers=HTML).status_code == 404


def test_source_page_lists_citing_paragraphs(crafted):
    client, report = crafted
    page = client.get("/sources/insight-crime-gangs").text
    second = paragraph_ids(report)[1]
    assert f'href="/reports/{CRAFTED_ID}#p-{second}"' in page
    assert f'href="/reports/{CRAFTED_ID}#fn-1"' in page
    assert "<script>alert" not in page
    r = client.get("/sources/no-such-source", headers=HTML)
    assert r.status_code == 404 and "no-such-source" in r.text


def test_download_links_point_at_export_routes(client):
    reader = client.get(f"/reports/{CRAFTED_ID}").text
    assert f'href="/api/reports/{CRAFTED_ID}/export?format=docx"' in reader
    sources = client.get("/sources", params={"report": CRAFTED_ID}).text
    assert f'href="/api/reports/{CRAFTED_ID}/export?format=ris"' in sources


# --- rendering helpers -----------------------------------------------------------------------


def test_snippet_keeps_only_mark_elements():
    out = render.snippet_html('<mark>gang</mark> &lt;b&gt; <img src=x onerror=alert(1)> <mark>open')
    assert str(out) == "<mark>gang</mark> &lt;b&gt; &lt;img src=x onerror=alert(1)&gt; <mark>open</mark>"
    assert str(render.snippet_html("</mark>a &amp; b")) == "a &amp; b"


def test_human_date_keeps_written_precision():
    assert render.human_date("2023-02-14") == "14 February 2023"
    assert render.human_date("2022-06") == "June 2022"
    assert render.human_date("2023") == "2023"
    assert render.human_date("undated") == "undated"


# --- the real sample report ------------------------------------------------------------------


def test_sample_search_leads_to_paragraph_in_reader(sample_client, sample_report):
    page = sample_client.get("/search", params={"q": "Tren de Aragua members"}).text
    first = re.search(rf'class="hit__link" href="/reports/{SAMPLE_ID}#p-([0-9a-f]+)"', page)
    assert first, "the first hit links to its paragraph in the reader"
    pid = first.group(1)
    paragraph = next(p for p in sample_report.paragraphs() if p.id == pid)
    assert "Tren de Aragua" in paragraph.text
    reader = sample_client.get(f"/reports/{SAMPLE_ID}").text
    assert f'id="p-{pid}"' in reader


def test_sample_reader_footnote_298(sample_client):
    page = sample_client.get(f"/reports/{SAMPLE_ID}").text
    assert re.search(r'<a class="fn-ref" href="#fn-298" data-fn="298"', page)
    li = page[page.index('<li id="fn-298"'):]
    li = li[:li.index("</li>")]
    assert "Transparencia Venezuela, Economías ilícitas" in html.unescape(li)


def test_sample_sources_insight_crime(sample_client):
    page = sample_client.get("/sources", params={"name": "InSight Crime"}).text
    ids = re.findall(r'href="/sources/([^"]+)"', page)
    assert ids, "InSight Crime is in the bibliography"
    source = sample_client.get(f"/sources/{ids[0]}").text
    assert re.search(rf'href="/reports/{SAMPLE_ID}#p-[0-9a-f]+"', source)


def test_sample_ask_in_spanish_quotes_with_footnotes(sample_client):
    if not Settings().embeddings:
        pytest.skip("cross-language answers need the embeddings (CORROBORATE_EMBEDDINGS=0 here)")
    page = sample_client.get("/ask", params={"q": "¿Está penalizado el aborto en casos de violación?"}).text
    assert '<ol class="quotes">' in page
    assert re.search(rf'href="/reports/{SAMPLE_ID}#p-[0-9a-f]+"', page)
    assert "Citar" in page and textarea_values(page)  # the answer's fixed texts: the question's language
    compiled = [x for x in _download_links(page) if x.startswith("/api/compile?") and "format=md" in x]
    assert compiled
    r = sample_client.get(compiled[0])
    assert r.status_code == 200
    assert "abortion" in r.text.lower()  # the compiled response quotes the English passages


def test_supported_claim_runs_from_sentence_or_previous_marker():
    text = "Gangs grew. It has 4 000 members, under a hierarchy, and branches abroad. Next."
    p = Paragraph(text=text, markers=[Marker(n=7, offset=11), Marker(n=8, offset=52), Marker(n=9, offset=73)])
    assert render.supported_claim(p, 11) == "Gangs grew."
    assert render.supported_claim(p, 52) == "It has 4 000 members, under a hierarchy,"
    assert render.supported_claim(p, 73) == "and branches abroad."


def test_source_page_quotes_the_claim_each_footnote_supports(client):
    page = html.unescape(client.get("/sources/insight-crime-gangs").text)
    assert "“The PNP reported that”" in page


def _download_links(page: str) -> list[str]:
    return [html.unescape(h) for h in re.findall(r'<a class="button button--secondary" href="([^"]+)" download>', page)]


def test_every_download_button_works(client):
    """The buttons on the reader, sources and ask pages reach the export routes and get a file."""
    pages = [f"/reports/{CRAFTED_ID}", "/sources", f"/sources?report={CRAFTED_ID}"]
    links = [link for url in pages for link in _download_links(client.get(url).text)]
    assert any("format=docx" in x for x in links) and any("/api/export/sources" in x for x in links)
    for link in links:
        r = client.get(link)
        assert r.status_code == 200, (link, r.text[:200])
        assert "attachment" in r.headers.get("content-disposition", ""), link
        assert len(r.content) > 50, link


def test_unusable_database_gives_a_readable_error_page(tmp_path):
    client = TestClient(create_app(Settings(db=str(tmp_path), embeddings=False)))
    r = client.get("/", headers=HTML)
    assert r.status_code == 503
    assert "is a directory" in r.text and "<main" in r.text and "Traceback" not in r.text


def test_reader_warns_when_a_newer_version_exists(tmp_path):
    db = tmp_path / "versions.db"
    first, sources = crafted_report()
    second = first.model_copy(deep=True)
    second.id, second.version, second.source_hash = f"{CRAFTED_ID}-v2", 2, "crafted-2"
    with Library(db) as lib:
        lib.store.save_report(first, CRAFTED_ID, sources, None)
        lib.store.save_report(second, CRAFTED_ID, sources, None)
    client = TestClient(create_app(Settings(db=str(db), embeddings=False)))
    old = client.get(f"/reports/{CRAFTED_ID}").text
    assert 'class="notice"' in old and f'href="/reports/{CRAFTED_ID}-v2"' in old
    assert 'class="notice"' not in client.get(f"/reports/{CRAFTED_ID}-v2").text


def test_confidential_source_is_flagged_and_unnamed_in_copied_citation(tmp_path):
    db = tmp_path / "confidential.db"
    report, sources = crafted_report()
    with Library(db) as lib:
        lib.store.save_report(report, CRAFTED_ID, sources, None)
        lib.set_confidential("insight-crime-gangs")
    client = TestClient(create_app(Settings(db=str(db), embeddings=False)))
    page = client.get(f"/reports/{CRAFTED_ID}").text
    assert "confidential: unnamed in exports" in page
    second = paragraph_ids(report)[1]
    area = re.search(rf'<textarea id="cite-{second}"[^>]*>(.*?)</textarea>', page, re.S)
    footnote_line = html.unescape(area.group(1)).splitlines()[2]
    assert footnote_line.startswith("[1] Confidential source")
    assert "InSight Crime" not in footnote_line and "insightcrime.org" not in footnote_line


def test_paragraph_html_markers_and_terms_at_edges():
    glossary = render.Glossary.build([
        GlossaryEntry(term="FF. AA.", definition="Armed Forces"),
        GlossaryEntry(term="EU+ countries", definition="EU and associated"),
        GlossaryEntry(term="EU", definition="European Union"),
    ])
    text = "FF. AA. and EU+ countries, not the EU+ alone; EU."
    p = Paragraph(id="x", text=text, markers=[Marker(n=4, offset=len(text)), Marker(n=5, offset=len(text)),
                                              Marker(n=6, offset=0)])
    out = str(render.paragraph_html(p, {4: Footnote(n=4, text="A")}, glossary))
    assert out.startswith('<sup class="fn-marker"><a class="fn-ref fn-ref--missing" href="#fn-6"')
    assert '<abbr title="Armed Forces">FF. AA.</abbr>' in out
    assert '<abbr title="EU and associated">EU+ countries</abbr>' in out
    assert "the EU+ alone" in out  # "EU" inside "EU+" is not the European Union
    assert '<abbr title="European Union">EU</abbr>.' in out
    assert out.endswith('>4</a>, <a class="fn-ref fn-ref--missing" href="#fn-5" data-fn="5" '
                        'aria-label="Footnote 5 (text missing in the source)">5</a></sup>')


def test_sources_sort_by_column_and_reject_unknown_sort(sample_client):
    by_date = sample_client.get("/sources", params={"sort": "date"}).text
    dates = re.findall(r'<td><time datetime="([^"]+)">', by_date)
    assert len(dates) > 10 and dates == sorted(dates, reverse=True)
    assert 'aria-sort="descending"' in by_date
    by_name = html.unescape(sample_client.get("/sources", params={"sort": "name"}).text)
    names = re.findall(r'<span class="src-author">([^<]+)</span>', by_name)
    folded = [fold(n) for n in names]
    assert len(names) > 10 and folded == sorted(folded)
    r = sample_client.get("/sources", params={"sort": "colour"}, headers=HTML)
    assert r.status_code == 400 and "sort=" in html.unescape(r.text)


def test_reader_search_form_is_scoped_to_the_report(client):
    page = client.get(f"/reports/{CRAFTED_ID}").text
    form = re.search(r'<form class="inline-search"[^>]*action="/search".*?</form>', page, re.S).group(0)
    assert 'name="q"' in form and f'name="report" value="{CRAFTED_ID}"' in form
    scoped = client.get("/search", params={"q": "gang", "report": CRAFTED_ID}).text
    assert "Filtered by" in scoped and f"/reports/{CRAFTED_ID}#p-" in scoped


def test_keyboard_defaults_autofocus_ask_first_and_skip_to_results(sample_client):
    home = sample_client.get("/").text
    assert re.search(r'<input id="q" name="q" type="search" value="" autofocus', home)
    ask = sample_client.get("/ask").text
    buttons = re.findall(r'<button type="submit" name="mode" value="(\w*)"', ask)
    assert buttons == ["ask", ""]  # Enter submits with the first: Ask
    assert re.findall(r'<button type="submit" name="mode" value="(\w*)"', home) == ["", "ask"]
    results = sample_client.get("/search", params={"q": "Tren de Aragua"}).text
    assert results.index('href="#results">Skip to results') < results.index('<form class="search-form"')
    assert 'id="results" tabindex="-1"' in results
    assert "Skip to results" not in sample_client.get("/search", params={"q": "zzzzqqq", "mode": "lexical"}).text
