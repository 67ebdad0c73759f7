"""Stored rows (mappings of column name to value, from either backend) back into models."""

from __future__ import annotations

import json

from corroborate.models import Link, Marker, Paragraph, ReferencePeriod, Report, Section, Source


def links_json(links: list[Link]) -> str:
    return json.dumps([k.model_dump() for k in links])


def report_header(r) -> Report:
    return Report(
        id=r["id"], title=r["title"], publisher=r["publisher"], published=r["published"],
        cut_off=r["cut_off"],
        reference_period=ReferencePeriod(start=r["ref_start"], end=r["ref_end"]),
        language=r["language"] or "en", source_hash=r["source_hash"],
        source_path=r["source_path"], format=r["format"] or "text", version=r["version"],
        edition=r["edition"], reference=r["reference"],
        country=r["country"], document_type=r["document_type"],
    )


def paragraph(p, section: Section) -> Paragraph:
    return Paragraph(
        id=p["id"], section=section.key, order=p["ord"], kind=p["kind"],
        text=p["text"], page=p["page"],
        markers=[Marker(**m) for m in json.loads(p["markers"])],
        links=[Link(**k) for k in json.loads(p["links"])],
    )


def source(s) -> Source:
    return Source(
        id=s["id"], author=s["author"], title=s["title"], type=s["type"],
        language=s["language"], date=s["date"], urls=json.loads(s["urls"]),
        confidential=bool(s["confidential"]), kind=s["kind"],
        cited=bool(s["cited"]) if "cited" in s.keys() else True,  # only where the query asked
        aliases=json.loads(s["aliases"]),
    )
