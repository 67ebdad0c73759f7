"""Optional prose synthesis of the quotes through an OpenAI-compatible chat endpoint.

Off unless `Settings.llm_url` is set. The model may only restate the quotes: every sentence it
writes must cite quote ids ([q1], [q2] …) that exist. Sentences citing nothing, or citing an id
that is not among the quotes, are dropped before display and counted, so a caseworker never
reads an unsupported claim as if it came from the sources.
"""

from __future__ import annotations

import re

import httpx

from corroborate.search.sentences import split_sentences
from corroborate.settings import Settings

_CITE = re.compile(r"\[(q\d+)\]")
_TRAILING_CITE = re.compile(r"\s*([.!?])\s*((?:\[q\d+\]\s*)+)(?=\s|$)")
TIMEOUT = 30.0

SYSTEM = (
    "You summarise country-of-origin information for asylum caseworkers. Use ONLY the numbered "
    "quotes given. End every sentence with the ids of the quotes that support it, like [q1] or "
    "[q1][q2]. Do not add facts, opinions or sources that are not in the quotes. Answer in the "
    "language of the question."
)


def _prompt(question: str, quotes: list[dict]) -> str:
    lines = [f"Question: {question}", "", "Quotes:"]
    for q in quotes:
        lines.append(f"[{q['id']}] {q['text']}")
    return "\n".join(lines)


def check_citations(text: str, valid_ids: set[str]) -> tuple[list[dict], list[str]]:
    """Split the model's text into sentences; keep those citing only existing quote ids."""
    kept: list[dict] = []
    dropped: list[str] = []
    # "… fact. [q1] Next …" -> "… fact [q1]. Next …": a citation after the full stop still belongs to it
    text = _TRAILING_CITE.sub(lambda m: " " + m.group(2) + m.group(1), text.strip())
    for s, e in split_sentences(text):
        sentence = text[s:e]
        cited = _CITE.findall(sentence)
        if cited and all(c in valid_ids for c in cited):
            kept.append({"text": sentence, "quotes": list(dict.fromkeys(cited))})
        else:
            dropped.append(sentence)
    return kept, dropped


def synthesise(settings: Settings, question: str, quotes: list[dict]) -> dict:
    """{"sentences": [{"text", "quotes"}], "dropped": n, "model": …} or {"error": …}."""
    url = settings.llm_url.rstrip("/") + "/chat/completions"
    headers = {"Authorization": f"Bearer {settings.llm_api_key}"} if settings.llm_api_key else {}
    body = {
        "model": settings.llm_model,
        "temperature": 0,
        "messages": [{"role": "system", "content": SYSTEM},
                     {"role": "user", "content": _prompt(question, quotes)}],
    }
    try:
        resp = httpx.post(url, json=body, headers=headers, timeout=TIMEOUT)
        resp.raise_for_status()
        text = resp.json()["choices"][0]["message"]["content"]
    except (httpx.HTTPError, KeyError, IndexError, TypeError, ValueError) as exc:
        return {"error": f"synthesis unavailable ({settings.llm_url}): {exc}", "sentences": [], "dropped": 0}
    kept, dropped = check_citations(text or "", {q["id"] for q in quotes})
    return {"model": settings.llm_model, "sentences": kept, "dropped": len(dropped),
            "text": " ".join(s["text"] for s in kept)}
