"""The audit on the real sample (EUAA Peru Country Focus 2023, a lossy text extraction): it must
report the defects a reviewer would, and no "missing text" for a footnote whose text exists."""

from __future__ import annotations

import re

import pytest

from conftest import SAMPLE, SAMPLE_ID


@pytest.fixture(scope="module")
def audit(sample_lib) -> dict:
    return sample_lib.audit(SAMPLE_ID)


def _by_rule(audit: dict, rule: str) -> list[dict]:
    return [f for f in audit["findings"] if f["rule"] == rule]


def test_missing_footnote_texts_found_and_only_those(audit, sample_report):
    missing = {f["footnote"] for f in _by_rule(audit, "footnote-text-missing")}
    lost_page_run = set(range(139, 240))
    assert len(missing & lost_page_run) >= 90  # most of the lost pages of footnotes 139–239
    assert missing - lost_page_run  # and others beyond that run
    # Independent of the reader: no flagged footnote opens a footnote line in the raw text…
    lines = SAMPLE.read_text(encoding="utf-8").splitlines()
    for n in missing:
        assert not [ln for ln in lines if re.match(rf"\s*{n}\s*[A-Z‘“'(]", ln)], n
    # …and every footnote with text in the report is absent from the findings.
    with_text = {f.n for f in sample_report.footnotes if f.text and f.text.strip()}
    assert not missing & with_text
    for f in _by_rule(audit, "footnote-text-missing"):
        assert f["severity"] == "error" and f["paragraph_id"] and f["section"]


def test_repeated_and_empty_citations(audit):
    repeated = _by_rule(audit, "citation-repeated")
    assert [f["footnote"] for f in repeated if "Freedom House" in f["evidence"]] == [120]
    assert 263 in {f["footnote"] for f in _by_rule(audit, "citation-empty")}


def test_undated_sources(audit):
    undated = {f["footnote"]: f for f in _by_rule(audit, "citation-undated")}
    assert 17 in undated and "n.d." in undated[17]["message"]  # INEI, División política …, n.d.
    assert len(undated) >= 10
    assert all(re.search(r"\bn\.\s?d\b", f["evidence"]) or "no date" in f["message"] for f in undated.values())


def test_sources_before_the_reference_period(audit):
    old = _by_rule(audit, "source-before-period")
    assert len(old) >= 10 and all(f["severity"] == "info" for f in old)
    years = [int(re.search(r"dated (\d{4})", f["message"]).group(1)) for f in old]
    assert max(years) <= 2020 and min(years) < 2010  # e.g. the 1991 Penal Code
    assert not _by_rule(audit, "reference-period-missing")


def test_glossary_flags_neither_inline_definitions_nor_universally_known_acronyms(audit):
    flagged = {f["message"].split()[0] for f in _by_rule(audit, "glossary-missing-acronym")}
    # defined inline: "Due Process of Law Foundation (DPLF)", "Radio Programas del Perú (RPP)" …
    assert not flagged & {"DPLF", "RPP", "EASO", "CEM", "IGC"}
    assert not flagged & {"BBC", "COVID", "UN", "CCTV"}
    assert "MIMP" in flagged  # "Supreme Decree No. 008-2019- MIMP": never spelled out
    listed = {"AI", "HRW", "PNP", "LGBTI", "EU", "FF. AA.", "VRAEM"}
    assert not flagged & listed


def test_findings_grouped_by_rule_with_footnote_ranges(audit):
    groups = {g["rule"]: g for g in audit["summary"]["groups"]}
    missing = groups["footnote-text-missing"]
    assert missing["count"] == len(_by_rule(audit, "footnote-text-missing")) == 165
    assert missing["text"].startswith("165 footnotes have no text: 40–43, 49–55, ")
    assert "139–239" in missing["text"]
    assert sum(g["count"] for g in groups.values()) == audit["summary"]["total"]
    assert set(audit["severities"]) == {"error", "warning", "info"}
    # every finding links into the reader; the JSON keeps the full list
    assert all(f["link"].startswith(f"/reports/{SAMPLE_ID}") for f in audit["findings"])
    assert all("#p-" in f["link"] for f in _by_rule(audit, "footnote-text-missing"))
    unused = {f["evidence"].split(":")[0] for f in _by_rule(audit, "glossary-unused-entry")}
    assert not unused & {"EU+ countries", "FF. AA.", "Péstamos gota a gota", "Secuestros al paso"}


def test_gap_statements_collected_with_their_place(audit):
    gaps = _by_rule(audit, "gap-statement")
    assert len(gaps) >= 7
    assert all("could not be found" in f["evidence"] and f["paragraph_id"] for f in gaps)
    assert {"1.3.3", "3.1"} <= {f["section"] for f in gaps}


def test_internal_cross_references_that_resolve_give_no_finding(audit, sample_text):
    assert "See 1.5 Political" in sample_text and "see Section 3.5 Armed" in sample_text
    evidence = " ".join(f["evidence"] for f in _by_rule(audit, "cross-reference-unresolved"))
    assert "1.5" not in evidence and "3.5" not in evidence


def test_summary_counts_match_findings(audit):
    s = audit["summary"]
    assert s["total"] == len(audit["findings"])
    assert sum(c["total"] for c in s["by_rule"].values()) == s["total"]
    assert s["by_severity"]["error"] == len(_by_rule(audit, "footnote-text-missing"))


def test_oral_only_support_names_the_interview(audit):
    oral = _by_rule(audit, "oral-only-support")
    assert oral and all("interview" in f["message"] for f in oral)
