"""Saved searches and the passages they matched, in `PostgresStore` (a mixin over its `_all`/
`_one`/`_run` and `transaction`): the same rows and answers as `SqliteStore`'s methods, so an
ingest into PostgreSQL matches saved searches as one into SQLite does."""

from __future__ import annotations

import json

from corroborate.store.base import StoreError
from corroborate.store.sqlite_users import now

_SEARCH = """SELECT s.pk AS id, s.name, s.query, s.mode, s.filters, s.language, s.feed_token,
                    s.created_at, u.name AS owner, u.role AS owner_role,
                    (SELECT COUNT(*) FROM saved_search_hits h JOIN reports r ON r.id = h.report_id
                     WHERE h.search_pk = s.pk) AS passages
             FROM saved_searches s LEFT JOIN users u ON u.pk = s.owner_pk"""


def _row(row: dict) -> dict:
    return {**row, "filters": json.loads(row["filters"])}


class PostgresAlerts:
    def add_saved_search(self, name: str, query: str, mode: str, filters: dict, language: str,
                         owner: str | None, feed_token: str) -> int:
        with self.transaction():
            owner_pk = None
            if owner is not None:
                row = self._one("SELECT pk FROM users WHERE name = %s", (owner,))
                if row is None:
                    raise StoreError(f"no user {owner!r} to own the saved search")
                owner_pk = row["pk"]
            if self._one("SELECT 1 AS x FROM saved_searches WHERE COALESCE(owner_pk, 0) = %s AND name = %s",
                         (owner_pk or 0, name)):
                raise StoreError(f"a saved search named {name!r} exists already")
            return self._one(
                """INSERT INTO saved_searches(name, query, mode, filters, language, owner_pk, feed_token, created_at)
                   VALUES (%s,%s,%s,%s,%s,%s,%s,%s) RETURNING pk""",
                (name, query, mode, json.dumps(filters, sort_keys=True), language, owner_pk, feed_token, now()),
            )["pk"]

    def saved_searches(self, owner: str | None = None, every: bool = False) -> list[dict]:
        where = "" if every else (" WHERE s.owner_pk IS NULL" if owner is None else " WHERE u.name = %s")
        args = () if every or owner is None else (owner,)
        return [_row(r) for r in self._all(_SEARCH + where + " ORDER BY s.pk", args)]

    def saved_search(self, search_id: int) -> dict | None:
        row = self._one(_SEARCH + " WHERE s.pk = %s", (search_id,))
        return _row(row) if row else None

    def delete_saved_search(self, search_id: int) -> bool:
        return self._run("DELETE FROM saved_searches WHERE pk = %s", (search_id,)) > 0

    def paragraph_ids(self, report_ids: list[str]) -> set[str]:
        if not report_ids:
            return set()
        rows = self._all("SELECT p.id FROM paragraphs p JOIN reports r ON r.pk = p.report_pk WHERE r.id = ANY(%s)",
                         (list(report_ids),))
        return {r["id"] for r in rows}

    def record_search_hits(self, search_id: int, report_id: str, paragraph_ids: list[str]) -> int:
        with self.transaction():
            return sum(self._run(
                """INSERT INTO saved_search_hits(search_pk, paragraph_id, report_id, rank, found_at)
                   VALUES (%s,%s,%s,%s,%s) ON CONFLICT DO NOTHING""",
                (search_id, pid, report_id, rank, now())) for rank, pid in enumerate(paragraph_ids))

    def search_hits(self, search_ids: list[int], limit: int = 200) -> list[dict]:
        if not search_ids:
            return []
        return self._all(
            """SELECT h.search_pk AS search_id, h.paragraph_id, h.report_id, h.rank, h.found_at
               FROM saved_search_hits h JOIN reports r ON r.id = h.report_id
               WHERE h.search_pk = ANY(%s) ORDER BY h.found_at DESC, h.search_pk, h.rank LIMIT %s""",
            (list(search_ids), limit))
