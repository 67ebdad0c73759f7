"""The paragraph filters as SQL both backends run (SQLite and PostgreSQL share this dialect:
CASE, COALESCE, rtrim, LIKE … ESCAPE, lower); only the parameter placeholder differs."""

from __future__ import annotations

from corroborate.store.base import ParagraphFilter, like_prefix

# A citation dated "2023" or "2023-04" is taken at the END of its period, so that `since
# 2023-06-01` keeps a source dated only "2023" (it may be from June) rather than silently dropping it.
_CITATION_END_DATE = """CASE length(COALESCE(ct.date, so.date))
    WHEN 4 THEN COALESCE(ct.date, so.date) || '-12-31'
    WHEN 7 THEN COALESCE(ct.date, so.date) || '-31'
    ELSE COALESCE(ct.date, so.date) END"""


_REPORT_END_DATE = """CASE length(COALESCE(r.published, r.cut_off))
    WHEN 4 THEN COALESCE(r.published, r.cut_off) || '-12-31'
    WHEN 7 THEN COALESCE(r.published, r.cut_off) || '-31'
    ELSE COALESCE(r.published, r.cut_off) END"""


def filter_sql(f: ParagraphFilter, ph: str) -> tuple[list[str], list]:
    """WHERE conditions (over `JOINS`) and their arguments; `ph`: the driver's placeholder."""
    where: list[str] = []
    args: list = []
    if f.report is not None:
        where.append(f"r.id = {ph}")
        args.append(f.report)
    if f.section is not None:
        key = f.section.rstrip(".")
        # A section number includes its subsections: 3.5 keeps 3.5, 3.5.1, 3.5.2.1 …
        where.append(f"(rtrim(s.number, '.') = {ph} OR s.number LIKE {ph} ESCAPE '\\' "
                     f"OR (s.number IS NULL AND s.title = {ph}))")
        args += [key, like_prefix(key + "."), f.section]
    for column, value in (("r.country", f.country), ("r.document_type", f.document_type),
                          ("r.language", f.language)):
        if value is not None:
            where.append(f"{column} = {ph}")
            args.append(value)
    if f.publisher is not None:
        where.append(f"lower(r.publisher) = lower({ph})")
        args.append(f.publisher)
    if f.published_from is not None:  # a report dated "2023" may be from June: its period's end counts
        where.append(f"({_REPORT_END_DATE}) >= {ph}")
        args.append(f.published_from)
    if f.published_to is not None:
        where.append(f"COALESCE(r.published, r.cut_off) <= {ph}")
        args.append(f.published_to)
    if any(v is not None for v in (f.source_type, f.since, f.source, f.source_language)):
        conds = ["m.paragraph_pk = p.pk"]
        if f.source_type is not None:
            conds.append(f"so.type = {ph}")
            args.append(f.source_type)
        if f.since is not None:
            conds.append(f"({_CITATION_END_DATE}) >= {ph}")
            args.append(f.since)
        if f.source is not None:
            conds.append(f"ct.source_id = {ph}")
            args.append(f.source)
        if f.source_language is not None:
            conds.append(f"so.language = {ph}")
            args.append(f.source_language)
        where.append(
            "EXISTS (SELECT 1 FROM markers m JOIN citations ct ON ct.report_pk = m.report_pk "
            "AND ct.footnote_n = m.n LEFT JOIN sources so ON so.id = ct.source_id WHERE "
            + " AND ".join(conds) + ")"
        )
    return where, args


JOINS = "JOIN sections s ON s.pk = p.section_pk JOIN reports r ON r.pk = p.report_pk"
