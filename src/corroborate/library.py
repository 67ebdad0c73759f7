"""The Python API. `Library` is the evidence base; the CLI and the web app are thin layers
over it, so every command is also a method here.

    >>> from corroborate import Library
    >>> lib = Library("corroborate.db")
    >>> lib.ingest("samples/euaa-peru-country-focus-2023.txt").id
    'euaa-peru-country-focus-2023'
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from pydantic import BaseModel

from corroborate.models import Report, Source, assign_paragraph_ids
from corroborate.readers import read_document
from corroborate.settings import Settings
from corroborate.store import open_store


class NotFound(LookupError):
    """An unknown report, section, source or paragraph id."""


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


def slugify(text: str) -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "report"


class Library:
    def __init__(self, db: str | Path | None = None, settings: Settings | None = None):
        self.settings = settings or Settings()
        if db is not None:
            self.settings = self.settings.model_copy(update={"db": str(db)})
        self.store = open_store(self.settings.db)

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> Library:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # --- ingest --------------------------------------------------------------------------

    def ingest(self, path: str | Path, replace: bool = False, report_id: str | None = None) -> IngestResult:
        """Read, structure, cite, index and store one file, atomically and idempotently.

        The same content (by SHA-256) is never stored twice. A changed file of a report
        already in the library becomes a new version (`<id>-v2` …) unless `replace`.
        """
        report = read_document(path)
        existing = self.store.find_by_hash(report.source_hash)
        if existing:
            return self._result(existing, "unchanged", str(path))
        family = report_id or slugify(Path(path).stem)
        versions = self.store.family_ids(family)
        report.version = 1 if replace else self.store.next_version(family)
        report.id = family if (replace or not versions) else f"{family}-v{report.version}"
        sources = self.prepare(report, family)
        embeddings = self._embed(report) if self.settings.embeddings else None
        self.store.save_report(report, family, sources, embeddings, replace_ids=versions if replace else None)
        status = "added" if not versions else ("replaced" if replace else "new-version")
        return self._result(report.id, status, str(path))

    def prepare(self, report: Report, family: str) -> list[Source]:
        """Everything between reading and storing: ids, citations, the source registry."""
        from corroborate.citations import link_citations

        assign_paragraph_ids(report, family)
        return link_citations(report)

    def _embed(self, report: Report) -> list[bytes]:
        from corroborate.search.embed import embed_texts

        vectors = embed_texts([p.text for p in report.paragraphs()], self.settings)
        return [v.tobytes() for v in vectors]

    def _result(self, report_id: str, status: str, path: str) -> IngestResult:
        row = next(r for r in self.store.list_reports() if r["id"] == report_id)
        return IngestResult(
            id=row["id"], title=row["title"], status=status, version=row["version"],
            sections=row["sections"], paragraphs=row["paragraphs"], footnotes=row["footnotes"],
            warnings=row["warnings"], path=path,
        )

    # --- reading back --------------------------------------------------------------------

    def reports(self) -> list[dict]:
        return self.store.list_reports()

    def report(self, report_id: str) -> Report:
        report = self.store.load_report(report_id)
        if report is None:
            raise NotFound(f"no report {report_id!r} in {self.settings.db}")
        return report

    def delete(self, report_id: str) -> None:
        if not self.store.delete_report(report_id):
            raise NotFound(f"no report {report_id!r} in {self.settings.db}")

    # --- sources -------------------------------------------------------------------------

    def sources(self, report_id: str | None = None, source_type: str | None = None) -> list[dict]:
        if report_id is not None and self.store.report_pk(report_id) is None:
            raise NotFound(f"no report {report_id!r} in {self.settings.db}")
        return self.store.list_sources(report_id, source_type)

    def source(self, source_id: str) -> dict:
        src = self.store.get_source(source_id)
        if src is None:
            raise NotFound(f"no source {source_id!r} in {self.settings.db}")
        out = src.model_dump(mode="json")
        out["cited_by"] = self.store.source_citations(source_id)
        return out

    def set_confidential(self, source_id: str, confidential: bool = True) -> None:
        if not self.store.set_confidential(source_id, confidential):
            raise NotFound(f"no source {source_id!r} in {self.settings.db}")

    # --- search and cited answers (issue 4) ----------------------------------------------

    def search(self, query: str, k: int = 10, mode: str = "hybrid", report: str | None = None,
               section: str | None = None, source_type: str | None = None,
               since: str | None = None) -> dict:
        """Paragraphs answering `query` (words, "phrases", OR, -exclusion, prefix*), with their
        footnotes and citations. Raises `QueryError` (a ValueError) for a malformed query."""
        from corroborate.search.engine import Searcher

        return Searcher(self.store, self.settings).search(
            query, k=k, mode=mode, report=report, section=section, source_type=source_type, since=since
        )

    def ask(self, question: str, k: int = 5, report: str | None = None) -> dict:
        """Verbatim quotes (with offsets, footnotes and citations) that answer `question`, or
        `found: false` when the library holds nothing relevant."""
        from corroborate.search.answer import answer

        return answer(self.store, self.settings, question, k=k, report=report)
