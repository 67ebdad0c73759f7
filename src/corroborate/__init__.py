"""Corroborate: a citation-traceable evidence base for country-of-origin information."""

from __future__ import annotations

import importlib

__version__ = "0.1.0"

# Loaded on first use, so that `import corroborate.cli` (every CLI call) does not pay for the
# whole library before it knows which command runs.
_EXPORTS = {
    "IngestResult": "corroborate.library", "Library": "corroborate.library", "NotFound": "corroborate.library",
    "Citation": "corroborate.models", "Footnote": "corroborate.models", "Paragraph": "corroborate.models",
    "Report": "corroborate.models", "Section": "corroborate.models", "Source": "corroborate.models",
    "Settings": "corroborate.settings",
}

__all__ = [*sorted(_EXPORTS), "__version__"]


def __getattr__(name: str):
    if name in _EXPORTS:
        value = getattr(importlib.import_module(_EXPORTS[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'corroborate' has no attribute {name!r}")
