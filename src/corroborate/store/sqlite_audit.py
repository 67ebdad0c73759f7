"""SQL behind the audit and the terms-of-reference matrix (SQLite)."""

from __future__ import annotations

import numpy as np


def report_paragraph_vectors(conn, report_id: str, dim: int) -> tuple[list[str], np.ndarray]:
    """(paragraph ids, float32 matrix) of one report's stored embeddings, in reading order.

    Empty when the report was ingested without embeddings."""
    rows = conn.execute(
        """SELECT p.id, e.vector FROM embeddings e
           JOIN paragraphs p ON p.pk = e.paragraph_pk
           JOIN reports r ON r.pk = p.report_pk
           WHERE r.id = ? ORDER BY p.ord""",
        (report_id,),
    ).fetchall()
    if not rows:
        return [], np.zeros((0, dim), dtype=np.float32)
    ids = [r[0] for r in rows]
    mat = np.frombuffer(b"".join(r[1] for r in rows), dtype=np.float32).reshape(len(rows), dim)
    return ids, mat
