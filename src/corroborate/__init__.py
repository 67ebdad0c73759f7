"""Corroborate: a citation-traceable evidence base for country-of-origin information."""

from corroborate.library import IngestResult, Library, NotFound
from corroborate.models import Citation, Footnote, Paragraph, Report, Section, Source
from corroborate.settings import Settings

__version__ = "0.1.0"

__all__ = [
    "Citation", "Footnote", "IngestResult", "Library", "NotFound", "Paragraph", "Report",
    "Section", "Settings", "Source", "__version__",
]
