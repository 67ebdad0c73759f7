"""The Python API. `Library` is the evidence base; the CLI and the web app are thin layers
over it, so every command is also a method here.

    >>> from corroborate import Library
    >>> lib = Library("corroborate.db")
    >>> lib.ingest("samples/euaa-peru-country-focus-2023.txt").id
    'euaa-peru-country-focus-2023'

Every method acts for a caller (`corroborate.users.Caller`): by default whoever runs the
process, as a researcher on a local database. The web app reads and writes through
`lib.as_caller(caller)`: a reader's reads come back with confidential sources unnamed
(`corroborate.redaction`), and writes need the researcher role (`AccessDenied` otherwise).
"""

from __future__ import annotations

import copy
import re
import unicodedata
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson
from pydantic import BaseModel

from corroborate.alerts import NewPassage, SavedSearch, SavedSearchIn
from corroborate.models import Footnote, Report, Source, TorItem, assign_paragraph_ids
from corroborate.read_cache import ReadCache, VersionedReads, to_json
from corroborate.settings import Settings
from corroborate.store import Store, StoreError, open_pool, open_store
from corroborate.users import Caller, command_line_caller

if TYPE_CHECKING:  # imported where used: a one-off search need not load the readers and exports
    from corroborate.redaction import Redactor

_NAMES: dict[tuple, list[str]] = {}  # see Library._redactor


class NotFound(LookupError):
    """An unknown report, section, source or paragraph id; `suggestions`: the ids likely meant."""

    def __init__(self, message: str, suggestions: list[str] | None = None):
        super().__init__(message)
        self.suggestions = suggestions or []


class IngestResult(BaseModel):
    id: str
    title: str
    status: str  # "added" | "unchanged" | "new-version" | "replaced"
    version: int = 1
    sections: int = 0
    paragraphs: int = 0
    footnotes: int = 0
    warnings: int = 0
    path: str = ""
    notices: list[str] = []  # what the user must see at once, e.g. content that contradicts the name


# Ingest stages, in order, with the share of a file's time each takes (measured on the sample:
# embedding is most of it when it runs); the fraction a progress event carries is estimated
# from these.
STAGES = ("reading", "structuring", "citations", "embedding", "saving")
_STAGE_SHARE = {True: {"reading": .08, "structuring": .01, "citations": .06, "embedding": .80, "saving": .05},
                False: {"reading": .45, "structuring": .05, "citations": .35, "embedding": 0., "saving": .15}}


@dataclass(frozen=True)
class IngestProgress:
    """What `ingest(progress=…)` reports: the file, the stage it is in (one of STAGES, or
    "done"), and the estimated share of this file's work done (0 to 1)."""

    path: str
    stage: str
    fraction: float


def slugify(text: str) -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "report"


class Library:
    def __init__(self, db: str | Path | None = None, settings: Settings | None = None,
                 store: Store | None = None, caller: Caller | None = None,
                 reads: VersionedReads | None = None):
        """`store` (from `LibraryPool`) reuses an open store instead of opening the file;
        `caller` is who reads (default: the command line, a researcher on a local database);
        `reads` (from `LibraryPool`) remembers answers across requests (`read_cache`)."""
        self.settings = settings or Settings()
        if db is not None:
            self.settings = self.settings.model_copy(update={"db": str(db)})
        self.store = store if store is not None else open_store(self.settings.db)
        self.caller = caller or command_line_caller()
        self.reads = reads

    def as_caller(self, caller: Caller) -> Library:
        """This library (same connection, not to be closed separately) acting for `caller`."""
        view = copy.copy(self)
        view.caller = caller
        return view

    # --- who may see what ----------------------------------------------------------------

    def _redactor(self, name_confidential: bool | None = None) -> Redactor | None:
        """The redaction this caller's reads need, or None when nothing is hidden.

        `name_confidential` is an export's choice: True names confidential sources (researchers
        only), False hides them whoever asks; None (every other read) hides them from readers."""
        if name_confidential:
            self.caller.require("researcher", "naming confidential sources")
            return None
        if name_confidential is None and self.caller.sees_confidential:
            return None
        secret = {s.id: s for s in self.store.confidential_sources()}
        if not secret:
            return None
        from corroborate.redaction import Redactor, author_names, source_names

        # The names' long forms come from scanning every paragraph: do it once per state of
        # the library (which sources are secret, which reports are in), not on every read.
        key = (self.settings.db, tuple((s.id, s.author) for s in secret.values()), self.store.contents_key())
        names = _NAMES.get(key)
        if names is None:
            texts, glossary = self.store.texts_naming(sorted({n for s in secret.values() for n in author_names(s)}))
            found = {n for s in secret.values() for n in source_names(s, texts, glossary)}
            names = _NAMES[key] = sorted(found, key=len, reverse=True)
            while len(_NAMES) > 64:
                _NAMES.pop(next(iter(_NAMES)))
        return Redactor(secret, names, self.store.paragraph_text)

    def _shown(self, data: Any, name_confidential: bool | None = None) -> Any:
        red = self._redactor(name_confidential)
        return red.json(data) if red else data

    def remembered(self, what: str, args: tuple, make) -> Any:
        """`make()` (JSON data made from what this caller may read, for `args`), remembered by a
        pooled library per content version and visibility like search and ask: for views built
        on them, such as the rendered results of a search page. A fresh copy each time."""
        if self.reads is None:
            return make()
        return orjson.loads(self.remembered_bytes(what, args, make))

    def remembered_bytes(self, what: str, args: tuple, make, encode=to_json) -> bytes:
        """`encode(make())` (this caller's shown answer; JSON by default) as the bytes it is sent
        as, from the pool's read cache when this library has one: keyed by the content version
        and by what this caller may see. A view such as a rendered results page passes its own
        `encode` and is spared a JSON round trip of a few hundred KB per request."""
        if self.reads is None:
            return encode(make())
        return self.reads.get_or_make(self.caller.sees_confidential, what, args, make, encode)

    def _log(self, action: str, target: str | None = None, detail: str | None = None) -> None:
        self.store.log(self.caller.name, self.caller.role, action, target, detail)

    def audit_log(self, limit: int = 100, user: str | None = None) -> list[dict]:
        """Who wrote what, when: newest first (admins only)."""
        self.caller.require("admin", "reading the audit log")
        return self.store.read_log(limit, user)

    @property
    def cases(self):
        """This caller's case files (`corroborate.cases.Cases`): create, add, remove, reorder,
        annotate, list, get, delete, export."""
        from corroborate.cases import Cases

        return Cases(self)

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> Library:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # --- ingest --------------------------------------------------------------------------

    def ingest(self, path: str | Path, replace: bool = False, report_id: str | None = None,
               progress: Callable[[IngestProgress], None] | None = None) -> IngestResult:
        """Read, structure, cite, index and store one file, atomically and idempotently.

        The same content (by SHA-256) is never stored twice. A changed file of a report
        already in the library becomes a new version (`<id>-v2` …) unless `replace`. Once
        stored, the saved searches are matched against its new paragraphs (`corroborate.alerts`).
        `progress` is told each stage as it starts, embedding batch by batch, then "done".
        """
        from corroborate.readers import ReaderError, read_document

        self.caller.require("researcher", "ingesting")
        shares = _STAGE_SHARE[self.settings.embeddings]

        def stage(name: str, within: float = 0.0) -> None:
            if progress is not None:
                before = sum(shares[s] for s in STAGES[:STAGES.index(name)]) if name in STAGES else 1.0
                progress(IngestProgress(str(path), name, min(1.0, before + shares.get(name, 0) * within)))

        stage("reading")
        report = read_document(path)
        notices = [f"{path}: {w.message}" for w in report.warnings if w.code == "format-mismatch"]
        existing = self.store.find_by_hash(report.source_hash)
        if existing:
            stage("done")
            return self._result(existing, "unchanged", str(path), notices)
        from corroborate.metadata import infer_metadata

        stage("structuring")
        infer_metadata(report)  # only for a report that will be stored
        family = report_id or slugify(Path(path).stem)
        versions = self.store.family_ids(family)
        report.version = 1 if replace else self.store.next_version(family)
        report.id = family if (replace or not versions) else f"{family}-v{report.version}"
        stage("citations")
        try:
            sources = self.prepare(report, family)
        except Exception as exc:  # noqa: BLE001 - a parser bug on odd input is this file's error
            raise ReaderError(path, f"its citations could not be parsed ({type(exc).__name__}: "
                                    f"{str(exc)[:200]})") from exc
        embeddings = e5 = None
        if self.settings.embeddings:
            stage("embedding")
            embeddings, e5 = self._embed(report, lambda done: stage("embedding", done))
        stage("saving")
        known = self.store.paragraph_ids(versions)  # what the library held before: not new
        self.store.save_report(report, family, sources, embeddings, replace_ids=versions if replace else None,
                               e5=e5)
        status = "added" if not versions else ("replaced" if replace else "new-version")
        self._log("ingest", report.id, f"{status} from {Path(path).name}")
        from corroborate.alerts import match_new_report

        notices += match_new_report(self, report.id, {p.id for p in report.paragraphs()} - known)
        stage("done")
        return self._result(report.id, status, str(path), notices)

    def prepare(self, report: Report, family: str) -> list[Source]:
        """Everything between reading and storing: ids, citations, the source registry."""
        from corroborate.citations import link_citations

        assign_paragraph_ids(report, family)
        return link_citations(report)

    def _embed(self, report: Report, progress: Callable[[float], None] | None = None
               ) -> tuple[list[bytes], list[bytes] | None]:
        """Each searchable paragraph's USE vector (`Report.searchable_paragraphs`) and, unless
        `settings.e5` is off, its E5 vector. E5 is the slower by far: it gets most of the stage's
        progress bar when it runs."""
        from corroborate.search.embed import embed_paragraphs

        texts = [p.text for p in report.searchable_paragraphs()]
        use_share = 0.15 if self.settings.e5 else 1.0

        def use_progress(done: float) -> None:
            if progress is not None:
                progress(done * use_share)

        vectors = [v.tobytes() for v in embed_paragraphs(texts, self.settings, use_progress)]
        if not self.settings.e5:
            return vectors, None
        from corroborate.search import e5

        done = 0

        def e5_progress(n: int) -> None:
            nonlocal done
            done += n
            if progress is not None:
                progress(use_share + (1 - use_share) * done / max(1, len(texts)))

        return vectors, [v.tobytes() for v in e5.embed_passages(texts, progress=e5_progress)]

    def _result(self, report_id: str, status: str, path: str, notices: list[str]) -> IngestResult:
        (row,) = self.store.list_reports(report_id)  # counts for this report only, not the library
        return IngestResult(
            id=row["id"], title=row["title"], status=status, version=row["version"],
            sections=row["sections"], paragraphs=row["paragraphs"], footnotes=row["footnotes"],
            warnings=row["warnings"], path=path, notices=notices,
        )

    # --- reading back --------------------------------------------------------------------

    def reports(self) -> list[dict]:
        return self._shown(self.store.list_reports())

    def resolve(self, report_id: str, prefix: bool = True) -> str:
        """The id of the report `report_id` names: itself, or (with `prefix`) the one report whose
        id starts with it (`euaa-peru` -> `euaa-peru-country-focus-2023`). Otherwise NotFound
        suggesting the ids meant, so a typo gets a did-you-mean in the CLI, the API and the web."""
        if self.store.report_pk(report_id) is not None:
            return report_id
        ids = self.store.report_ids()
        starting = [i for i in ids if i.startswith(report_id)] if report_id else []
        if prefix and len(starting) == 1:
            return starting[0]
        import difflib

        def likeness(i: str) -> float:  # a typo in the whole id or in its beginning ('euaa-pero')
            return max(difflib.SequenceMatcher(None, report_id, i).ratio(),
                       difflib.SequenceMatcher(None, report_id, i[:len(report_id)]).ratio())

        close = starting or sorted((i for i in ids if likeness(i) >= 0.75), key=likeness, reverse=True)
        if not close and report_id:  # a part of the id ('peru')
            close = [i for i in ids if report_id.lower() in i]
        hint = f"; did you mean {' or '.join(repr(c) for c in close[:3])}?" if close else ""
        raise NotFound(f"no report {report_id!r} in {self.store.path}{hint}", close[:3])

    def report(self, report_id: str) -> Report:
        red = self._redactor()
        report = self._load(report_id)
        return red.report(report) if red else report

    def report_json(self, report_id: str, section: str | None = None) -> bytes:
        """The `show --json` contract of a report (or one section of it: KeyError when it has
        none) as JSON bytes, as this caller may read it; remembered by a pooled library."""
        from corroborate.contract import report_json

        return self.remembered_bytes("report", (report_id, section),
                                lambda: report_json(self.report(report_id), section))

    def _load(self, report_id: str) -> Report:
        """The report as stored, names and all: for the library's own use before redaction."""
        report = self.store.load_report(self.resolve(report_id))
        if report is None:  # deleted between the two reads
            raise NotFound(f"no report {report_id!r} in {self.store.path}")
        return report

    def excerpt(self, report_id: str, paragraph_ids: list[str]) -> Report:
        """The report with only these paragraphs (in their sections) and the footnotes they cite:
        enough to quote and cite a few search hits without loading the whole report."""
        report = self.store.load_excerpt(report_id, paragraph_ids)
        if report is not None:
            red = self._redactor()
            report = red.report(report) if red else report
        if report is None:
            raise NotFound(f"no report {report_id!r} in {self.store.path}")
        return report

    def sources_by_id(self, source_ids: list[str]) -> dict[str, Source]:
        """The registry entries with these ids (unknown ids are left out), as this caller may
        see them: a confidential source's name is replaced for a reader."""
        found = self.store.get_sources(source_ids)
        red = self._redactor()
        if red is None:
            return found
        return {sid: Source.model_validate(red.json(s.model_dump(mode="json"))) for sid, s in found.items()}

    def set_report_metadata(self, report_id: str, title: str | None = None, country: str | None = None,
                            publisher: str | None = None, document_type: str | None = None,
                            published: str | None = None, language: str | None = None) -> dict:
        """Correct a report's metadata (researchers): None leaves a field as it is, "" clears it
        (a title cannot be cleared). Returns the report's row as `reports()` lists it. Raises
        MetadataError (a ValueError) for an unknown country code, document type, malformed date
        or language. Recorded in the audit log."""
        from corroborate.metadata import normalise_metadata

        self.caller.require("researcher", "editing report metadata")
        report_id = self.resolve(report_id, prefix=False)
        given = {"country": country, "publisher": publisher, "document_type": document_type,
                 "published": published, "language": language}
        values = normalise_metadata({k: v for k, v in given.items() if v is not None})
        if title is not None:
            if not title.strip():
                raise ValueError("title: a report needs a title")
            values["title"] = title.strip()
        if not self.store.set_report_metadata(report_id, values):
            raise NotFound(f"no report {report_id!r} in {self.store.path}")
        if values:
            self._log("metadata", report_id, ", ".join(f"{k}={v!r}" for k, v in values.items()))
        (row,) = self.store.list_reports(report_id)
        return self._shown(row)

    def delete(self, report_id: str) -> None:
        self.caller.require("researcher", "deleting a report")
        # Never by prefix: deleting is not undoable, so the id must be exact (typos get a hint).
        report_id = self.resolve(report_id, prefix=False)
        if not self.store.delete_report(report_id):
            raise NotFound(f"no report {report_id!r} in {self.store.path}")
        self._log("delete", report_id)

    # --- sources -------------------------------------------------------------------------

    def sources(self, report_id: str | None = None, source_type: str | None = None) -> list[dict]:
        if report_id is not None:
            report_id = self.resolve(report_id)
        return self._shown(self.store.list_sources(report_id, source_type))

    def source(self, source_id: str) -> dict:
        src = self.store.get_source(source_id)
        if src is None:
            raise NotFound(f"no source {source_id!r} in {self.store.path}")
        out = src.model_dump(mode="json")
        out["cited_by"] = self.store.source_citations(source_id)
        return self._shown(out)

    def set_confidential(self, source_id: str, confidential: bool = True) -> None:
        self.caller.require("researcher", "marking a source confidential")
        if not self.store.set_confidential(source_id, confidential):
            raise NotFound(f"no source {source_id!r} in {self.store.path}")
        self._log("confidential" if confidential else "not-confidential", source_id)

    # --- audit and terms-of-reference coverage (issue 6) ---------------------------------

    def audit(self, report_id: str, severity: str | None = None, rules: list[str] | None = None) -> dict:
        """Methodology audit: findings (rule, severity, message, section, paragraph_id, footnote,
        evidence) and a summary. `severity` keeps findings at or above it (info|warning|error)."""
        from corroborate.audit import audit_report

        report = self._load(report_id)
        return self._shown(audit_report(report, self._report_sources(report.id), severity, rules))

    def tor(self, report_id: str, terms: list[TorItem] | None = None) -> dict:
        """Terms-of-reference matrix: each ToR item (hierarchy kept) with a verdict
        (covered | partial | gap), a score and its evidence paragraphs. `terms`: a ToR to check
        the report against instead of its own annex (readers/tor_file.py reads one from a file),
        in the report's language or the other of Spanish/English."""
        from corroborate.audit.tor import tor_matrix

        report = self._load(report_id)
        if terms is not None:
            report.terms_of_reference = terms
        vectors = embed = None
        if self.settings.embeddings:
            from corroborate.search.embed import DIM, embed_texts

            vectors = self.store.report_paragraph_vectors(report.id, DIM)
            settings = self.settings

            def embed(texts: list[str]):
                return embed_texts(texts, settings)

        matrix = tor_matrix(report, vectors, embed)
        matrix["terms_of_reference"] = "report" if terms is None else "given"
        return self._shown(matrix)

    def _report_sources(self, report_id: str) -> list[Source]:
        fields = set(Source.model_fields)
        return [Source(**{k: v for k, v in row.items() if k in fields})
                for row in self.store.list_sources(report_id)]

    # --- search and cited answers (issue 4) ----------------------------------------------

    def search(self, query: str, k: int = 10, mode: str = "hybrid", report: str | None = None,
               section: str | None = None, source_type: str | None = None,
               since: str | None = None, *, offset: int = 0, facets: bool = False,
               country: str | None = None, publisher: str | None = None,
               document_type: str | None = None, language: str | None = None,
               published_from: str | None = None, published_to: str | None = None,
               source: str | None = None, source_language: str | None = None) -> dict:
        """Paragraphs answering `query` (words, "phrases", OR, -exclusion, prefix*), with their
        footnotes and citations: `k` results from `offset` of `total` ranked ones, and with
        `facets` their counts over all `total`. Filters narrow by report, section, report
        metadata (country, publisher, document_type, language, published_from/_to) and cited
        sources (source_type, since, source, source_language). Raises `QueryError` (a
        ValueError) for a malformed query or filter."""
        args = (query, k, mode, report, section, source_type, since, offset, facets, country, publisher,
                document_type, language, published_from, published_to, source, source_language)
        return self.remembered("search", args, lambda: self._search(*args))

    def search_json(self, query: str, k: int = 10, mode: str = "hybrid", report: str | None = None,
                    section: str | None = None, source_type: str | None = None, since: str | None = None,
                    offset: int = 0, facets: bool = False, country: str | None = None,
                    publisher: str | None = None, document_type: str | None = None,
                    language: str | None = None, published_from: str | None = None,
                    published_to: str | None = None, source: str | None = None,
                    source_language: str | None = None) -> bytes:
        """`search` as JSON bytes (what /api/search sends), remembered by a pooled library."""
        args = (query, k, mode, report, section, source_type, since, offset, facets, country, publisher,
                document_type, language, published_from, published_to, source, source_language)
        return self.remembered_bytes("search", args, lambda: self._search(*args))

    def _search(self, query, k, mode, report, section, source_type, since, offset, facets, country,
                publisher, document_type, language, published_from, published_to, source,
                source_language) -> dict:
        from corroborate.search.engine import Searcher

        unnamed = self._unnamed(query)
        if unnamed != query and not unnamed:  # nothing but a confidential name: nothing to find
            return {"query": "", "mode": mode, "results": [], "offset": offset, "k": k, "total": 0,
                    "more": False}
        query = unnamed
        report = self.resolve(report) if report else report
        return self._shown(Searcher(self.store, self.settings).search(
            query, k=k, mode=mode, offset=offset, facets=facets, report=report, section=section,
            source_type=source_type, since=since, country=country, publisher=publisher,
            document_type=document_type, language=language, published_from=published_from,
            published_to=published_to, source=source, source_language=source_language,
        ))

    def ask(self, question: str, k: int = 5, report: str | None = None) -> dict:
        """Verbatim quotes (with offsets, footnotes and citations) that answer `question`, or
        `found: false` when the library holds nothing relevant."""
        return self.remembered("ask", (question, k, report), lambda: self._shown_answer(question, k, report))

    def ask_json(self, question: str, k: int = 5, report: str | None = None) -> bytes:
        """`ask` as JSON bytes (what /api/ask sends), remembered by a pooled library."""
        return self.remembered_bytes("ask", (question, k, report), lambda: self._shown_answer(question, k, report))

    def _shown_answer(self, question: str, k: int, report: str | None) -> dict:
        from corroborate.i18n import question_language, translate
        from corroborate.search.answer import NOT_FOUND

        # `message`: the answer's statement in the question's language (`lang`); `answer` stays as
        # it always was (English fixed texts), for programs that compare it.
        lang = question_language(question)
        unnamed = self._unnamed(question)
        if unnamed != question and not unnamed:
            return {"question": "", "found": False, "answer": NOT_FOUND, "quotes": [], "synthesis": None,
                    "best_score": None, "lang": lang, "message": translate(NOT_FOUND, lang)}
        result = self._shown(self._ask(unnamed, k, report))
        return {**result, "lang": lang, "message": translate(result.get("answer") or NOT_FOUND, lang)}

    def _unnamed(self, query: str) -> str:
        """A query without the names this caller may not read: otherwise which redacted passages
        match 'DPLF' would confirm a guess of who a confidential source is."""
        red = self._redactor()
        if red is None or not red.names_in(query):
            return query
        out = red.pattern.sub(" ", query)
        out = re.sub(r'"\s*"|(?<!\S)-(?=\s|$)', " ", out)  # emptied phrases, dangling exclusions
        return " ".join(out.split())

    def _ask(self, question: str, k: int = 5, report: str | None = None) -> dict:
        from corroborate.search.answer import answer

        report = self.resolve(report) if report else report
        return answer(self.store, self.settings, question, k=k, report=report)

    def cite(self, report_id: str, paragraph_id: str, start: int | None = None, end: int | None = None,
             style: str = "euaa", base_url: str | None = None) -> str:
        """A passage (a paragraph, or its span start:end) quoted with its citation and footnotes,
        ready to paste into a decision (`citations.format`). `base_url` (default: the
        `CORROBORATE_BASE_URL` setting) adds the paragraph's permalink."""
        from corroborate.citations.format import passage_citation

        report = self.report(report_id)
        p = next((p for p in report.paragraphs() if p.id == paragraph_id), None)
        if p is None:
            raise NotFound(f"report {report.id!r} has no paragraph {paragraph_id!r}")
        span = (start, end) if start is not None and end is not None else None
        return passage_citation(report, p, self.shown_notes(report), span, style, base_url or self.settings.base_url)

    # --- saved searches and alerts (issue 16) --------------------------------------------

    def owner(self) -> str | None:
        """The user who owns what this caller saves (cases, saved searches): a user of this
        database; None for the command line and a library without users (the database's own)."""
        return self.caller.name if self.store.get_user(self.caller.name) is not None else None

    def save_search(self, spec: SavedSearchIn) -> SavedSearch:
        """Save a query with its mode and filters; from now on each ingest records the new
        passages it matches (`corroborate.alerts`). The query and filters are checked by
        running them once: a malformed one raises QueryError (a ValueError) or NotFound."""
        from corroborate.alerts import new_token, public

        self.search(spec.query, k=1, mode=spec.mode, **spec.filters)
        try:
            search_id = self.store.add_saved_search(spec.name, spec.query, spec.mode, spec.filters,
                                                    spec.language, self.owner(), new_token())
        except StoreError as exc:
            raise ValueError(str(exc)) from None
        return public(self.store.saved_search(search_id))

    def saved_searches(self) -> list[SavedSearch]:
        """This caller's saved searches, with how many new passages each has."""
        from corroborate.alerts import public

        return [public(row) for row in self.store.saved_searches(self.owner())]

    def saved_search(self, search_id: int) -> SavedSearch:
        from corroborate.alerts import public

        return public(self._own_search(search_id))

    def _own_search(self, search_id: int) -> dict:
        row = self.store.saved_search(search_id)
        if row is None or row["owner"] != self.owner():  # another's search is not even there
            raise NotFound(f"no saved search {search_id!r}")
        return row

    def delete_search(self, search_id: int) -> None:
        self._own_search(search_id)
        self.store.delete_saved_search(search_id)

    def new_passages(self, search_id: int | None = None, limit: int = 200,
                     base_url: str | None = None) -> list[NewPassage]:
        """Passages this caller's saved searches (or one of them) matched in newly ingested
        reports, newest first, each with its citation and the reader's address of it."""
        rows = [self._own_search(search_id)] if search_id is not None else self.store.saved_searches(self.owner())
        return self._passages(rows, limit, base_url)

    def search_feed(self, search_id: int, token: str | None, base_url: str) -> bytes:
        """The saved search's Atom feed. With the feed's `token` (a feed reader has no session)
        it shows confidential sources unnamed whoever owns the search; without one, only the
        owner may read it, as they read everything else."""
        import hmac

        from corroborate.alerts import atom_feed, public

        row = self.store.saved_search(search_id)
        if row is None:
            raise NotFound(f"no saved search {search_id!r}")
        view = self
        if token is not None:
            if not hmac.compare_digest(token.encode(), row["feed_token"].encode()):
                raise NotFound(f"no saved search {search_id!r} with this feed token")
            view = self.as_caller(Caller(row["owner"] or "feed reader", "reader"))
        elif row["owner"] != self.owner():
            raise NotFound(f"no saved search {search_id!r}")
        return atom_feed(public(row), view._passages([row], 200, base_url), base_url)

    def _passages(self, rows: list[dict], limit: int, base_url: str | None) -> list[NewPassage]:
        from corroborate.alerts import NewPassage
        from corroborate.citations.format import passage_citation, passage_reference, permalink

        base_url = base_url if base_url is not None else self.settings.base_url
        names = {row["id"]: row["name"] for row in rows}
        hits = self.store.search_hits(list(names), limit)
        wanted: dict[str, list[str]] = {}
        for h in hits:
            wanted.setdefault(h["report_id"], []).append(h["paragraph_id"])
        found: dict[tuple[str, str], tuple[Report, Any, dict]] = {}
        for rid, ids in wanted.items():
            pids = set(ids)
            try:  # the whole report, not an excerpt: a citation names the section's number
                report = self.report(rid)
            except NotFound:  # deleted since
                continue
            footnotes = self.shown_notes(report)
            for p in report.paragraphs():
                if p.id in pids:
                    found[(rid, p.id)] = (report, p, footnotes)
        out = []
        for h in hits:
            if (h["report_id"], h["paragraph_id"]) not in found:  # replaced by a version without it
                continue
            report, p, footnotes = found[(h["report_id"], h["paragraph_id"])]
            out.append(NewPassage(
                search_id=h["search_id"], search_name=names[h["search_id"]], report_id=report.id,
                report_title=report.title, publisher=report.publisher, paragraph_id=p.id,
                section=p.section, text=p.text, found_at=h["found_at"],
                reference=passage_reference(report, p, "euaa"),
                citation=passage_citation(report, p, footnotes, None, "euaa", base_url or None),
                reader=permalink(base_url or "", report.id, p.id) or f"/reports/{report.id}#p-{p.id}",
            ))
        return out

    # --- export and compiled query responses (issue 7) -----------------------------------

    def shown_notes(self, report: Report) -> dict[int, Footnote]:
        """`report`'s footnotes by number as citations show them (`redaction.shown_footnotes`):
        a confidential source as its label, with its interview date."""
        from corroborate.redaction import shown_footnotes

        return shown_footnotes(report.footnotes, self._cited_sources([report]))

    def _cited_sources(self, reports: list[Report], red: Redactor | None = None) -> dict[str, Source]:
        ids = [c.source_id for r in reports for f in r.footnotes for c in f.citations if c.source_id]
        found = self.store.get_sources(ids)
        return {sid: red.source(s) if red else s for sid, s in found.items()}

    def _export_report(self, report_id: str, red: Redactor | None) -> Report:
        report = self._load(report_id)
        return red.report(report) if red else report

    def export_report(self, report_id: str, fmt: str, path: str | Path,
                      name_confidential: bool = False) -> Path:
        """The report re-rendered (md, html, docx, pdf) with its footnotes and bibliography, or
        its source registry (csl-json, ris, bibtex). Written atomically to `path`."""
        from corroborate.export import REGISTRY_FORMATS

        if (fmt or "").lower() in REGISTRY_FORMATS:
            return self.export_sources(report_id, fmt, path, name_confidential)
        from corroborate.export import DOCUMENT_FORMATS, check_format, write_document
        from corroborate.export.report import report_export_document

        fmt = check_format(fmt, DOCUMENT_FORMATS + REGISTRY_FORMATS)
        red = self._redactor(name_confidential)
        report = self._export_report(report_id, red)
        doc = report_export_document(report, self._cited_sources([report], red), name_confidential)
        return write_document(doc, fmt, path)

    def export_sources(self, report_id: str | None, fmt: str, path: str | Path,
                       name_confidential: bool = False) -> Path:
        """The sources cited by one report (or, with None, the whole library) as CSL-JSON, RIS or
        BibTeX for Zotero and other reference managers."""
        from corroborate.export import REGISTRY_FORMATS, check_format, write_text
        from corroborate.export.bibliography import REGISTRY_FORMATS as WRITERS
        from corroborate.export.bibliography import collect_entries

        fmt = check_format(fmt, REGISTRY_FORMATS)
        red = self._redactor(name_confidential)
        ids = [self.resolve(report_id)] if report_id is not None else [r["id"] for r in self.store.list_reports()]
        reports = [self._export_report(rid, red) for rid in ids]
        entries = collect_entries([f for r in reports for f in r.footnotes], self._cited_sources(reports, red))
        return write_text(path, WRITERS[fmt](entries, name_confidential))

    def tor_questions(self, report_id: str) -> list[str]:
        """A report's Terms of Reference items, as questions for `compile`."""
        from corroborate.export.compile import tor_questions

        report = self.report(report_id)
        questions = tor_questions(report.terms_of_reference)
        if not questions:
            raise ValueError(f"report {report_id!r} has no Terms of Reference to use as questions")
        return questions

    def compile_document(self, questions: list[str], reports: list[str] | None = None,
                         name_confidential: bool = False, k: int = 5, style: str = "euaa",
                         lang: str | None = None):
        """The query response as a FootnotedDocument (see `compile`); `style`: euaa | oscola;
        `lang`: en | es for its headings and notices (default: the questions' language)."""
        from corroborate.export.compile import compile_document, gather

        questions = [q.strip() for q in questions if q and q.strip()]
        if not questions:
            raise ValueError("no question given: pass at least one question")
        red = self._redactor(name_confidential)
        reports = [self.resolve(rid) for rid in reports] if reports else reports
        cache: dict[str, Report] = {}

        def load(rid: str) -> Report:
            if rid not in cache:
                cache[rid] = self._export_report(rid, red)
            return cache[rid]

        def ask(question: str, rid: str | None) -> dict:
            # quotes and the reports they index must be redacted alike, offsets and all
            found = self._ask(question, k=k, report=rid)
            return red.json(found) if red else found

        evidence = [gather(q, ask, load, reports, k) for q in questions]
        # name every report searched without loading each one: the listing has title and date
        from corroborate.export.document import human_date

        consulted = [r["title"] + (f", {human_date(r['published'])}" if r["published"] else "")
                     for r in self.store.list_reports() if not reports or r["id"] in reports]
        if red:
            consulted = [red.text(c) or "" for c in consulted]

        def source(source_id: str) -> Source | None:
            found = self.store.get_source(source_id)
            return red.source(found) if red and found else found

        return compile_document(evidence, load, source, name_confidential, consulted,
                                style=style, base_url=self.settings.base_url, lang=lang)

    def compile(self, questions: list[str], fmt: str, path: str | Path, reports: list[str] | None = None,
                name_confidential: bool = False, k: int = 5, style: str = "euaa",
                lang: str | None = None) -> Path:
        """A footnoted query response (md, html, docx, pdf): for each question the library's
        verbatim evidence with its original citations renumbered, or a plain statement that
        nothing was found; a methodology/disclaimer block; the sources cited."""
        from corroborate.export import DOCUMENT_FORMATS, check_format, write_document

        fmt = check_format(fmt, DOCUMENT_FORMATS)
        doc = self.compile_document(questions, reports, name_confidential, k, style, lang)
        return write_document(doc, fmt, path)


class LibraryPool:
    """Libraries for concurrent readers, such as the web app's requests.

    `with pool.library() as lib:` gives one caller a read-only Library over a pooled connection
    of its own; the model and the vector index are shared by the whole process. A Library is
    not thread-safe: one per request, never one per thread shared across requests.
    """

    def __init__(self, settings: Settings | None = None, reads: ReadCache | None = None):
        self.settings = settings or Settings()
        self.stores = open_pool(self.settings.db)
        self.reads = reads if reads is not None else ReadCache()

    @contextmanager
    def library(self) -> Iterator[Library]:
        with self.stores.store() as store:
            reads = VersionedReads(self.reads, self.reads.version(store))
            yield Library(settings=self.settings, store=store, caller=command_line_caller(), reads=reads)

    def close(self) -> None:
        self.stores.close()
