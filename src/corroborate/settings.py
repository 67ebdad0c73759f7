"""Typed settings. Every field can come from the environment (`CORROBORATE_<FIELD>`) and the
CLI exposes the ones a user changes per call as flags."""

from __future__ import annotations

import os

from pydantic import BaseModel, Field


def _env(name: str, default: str) -> str:
    return os.environ.get(f"CORROBORATE_{name.upper()}", default)


class Settings(BaseModel):
    db: str = Field(default_factory=lambda: _env("db", "corroborate.db"))
    embeddings: bool = Field(
        default_factory=lambda: _env("embeddings", "1") not in ("0", "false", "no")
    )
    # Ingest also embeds with the second, slower encoder (multilingual-E5) whose cosine
    # sharpens the ranking (search/e5.py); off: ingest ~40x faster per paragraph, and the
    # report's paragraphs rank by USE alone.
    e5: bool = Field(default_factory=lambda: _env("e5", "1") not in ("0", "false", "no"))
    threads: int = Field(default_factory=lambda: int(_env("threads", "2")))
    # Where the web UI is served, for paragraph permalinks in citations made outside it (CLI,
    # compiled responses); the web UI uses the address it is reached at.
    base_url: str | None = Field(default_factory=lambda: os.environ.get("CORROBORATE_BASE_URL"))
    # Optional synthesis over an OpenAI-compatible endpoint; off unless a URL is configured.
    llm_url: str | None = Field(default_factory=lambda: os.environ.get("CORROBORATE_LLM_URL"))
    llm_model: str = Field(default_factory=lambda: _env("llm_model", "gpt-4o-mini"))
    llm_api_key: str | None = Field(default_factory=lambda: os.environ.get("CORROBORATE_LLM_API_KEY"))
