"""Terminal rendering of audit findings and the ToR matrix: (line, click style) pairs, so the
CLI stays a thin layer and the layout is testable without a terminal."""

from __future__ import annotations

from collections.abc import Iterator

_SEV_COLOUR = {"error": "red", "warning": "yellow", "info": "cyan"}
_VERDICT_COLOUR = {"covered": "green", "partial": "yellow", "gap": "red"}


def _where(f: dict) -> str:
    parts = []
    if f.get("section"):
        parts.append(f"§{f['section']}")
    if f.get("footnote") is not None:
        parts.append(f"fn {f['footnote']}")
    return " ".join(parts) or "report"


def audit_lines(data: dict, per_rule: int | None = 3) -> Iterator[tuple[str, dict]]:
    """One grouped line per rule, then its first `per_rule` findings (None: all of them)."""
    s = data["summary"]
    sev = s["by_severity"]
    yield f"Audit of {data['report']}: {s['total']} findings", {"bold": True}
    yield (f"  {sev['error']} errors, {sev['warning']} warnings, {sev['info']} info"), {}
    for name, meaning in data.get("severities", {}).items():
        yield f"  {name}: {meaning}", {"dim": True}
    by_rule: dict[str, list[dict]] = {}
    for f in data["findings"]:
        by_rule.setdefault(f["rule"], []).append(f)
    for g in s.get("groups", []):
        items = by_rule.get(g["rule"], [])
        principle = data.get("rules", {}).get(g["rule"], {}).get("principle", "")
        yield f"\n[{g['severity']}] {g['rule']}: {g['text']}", {"bold": True, "fg": _SEV_COLOUR[g["severity"]]}
        yield f"  {principle}", {"dim": True}
        shown = items if per_rule is None else items[:per_rule]
        for f in shown:
            yield f"  {_where(f)}: {f['message']}", {}
            if f.get("evidence"):
                ev = " ".join(f["evidence"].split())
                yield f"      “{ev[:200]}{'…' if len(ev) > 200 else ''}”", {"dim": True}
        if len(items) > len(shown):
            yield (f"  … {len(items) - len(shown)} more: corroborate audit {data['report']} --rule {g['rule']}"
                   ), {"dim": True}


_SUPPORT = {"section": "a section", "paragraphs": "paragraphs", "passing": "one paragraph, in passing"}


def tor_lines(data: dict) -> Iterator[tuple[str, dict]]:
    s = data["summary"]
    yield f"Terms of reference of {data['report']}", {"bold": True}
    given = ", a ToR given, not the report's own" if data.get("terms_of_reference") == "given" else ""
    yield (f"  {s['items']} item{'s' * (s['items'] != 1)}: {s['covered']} covered, {s['partial']} partial, "
           f"{s['gap']} gap{'s' * (s['gap'] != 1)}"
           f" ({'semantic + lexical' if data['method']['semantic'] else 'lexical only: no embeddings'}{given})"), {}

    def walk(nodes: list[dict], depth: int) -> Iterator[tuple[str, dict]]:
        for n in nodes:
            pad = "  " * (depth + 1)
            yield (f"{pad}{n['id']} [{n['verdict']}] {n['score']:.2f}  {n['text']}",
                   {"fg": _VERDICT_COLOUR[n["verdict"]], "bold": depth == 0})
            for sec in n["sections"]:
                yield f"{pad}    section §{sec['section']} {sec['title']}", {}
            if len(n.get("facets", [])) > 1:  # why the verdict: what each enumerated topic found
                yield f"{pad}    facets: " + "; ".join(
                    f"{f['text']} ({_SUPPORT.get(f.get('support'), 'no support')})" for f in n["facets"]), {}
            for e in n["evidence"][:3]:
                yield (f"{pad}    ¶{e['paragraph_id']} §{e['section']} [{', '.join(e['facets'])}]: "
                       f"{e['snippet'][:110]}…"), {"dim": True}
            yield from walk(n["items"], depth + 1)

    yield from walk(data["items"], 0)
