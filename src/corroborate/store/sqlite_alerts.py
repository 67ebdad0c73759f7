"""Saved searches and the passages they matched, of `SqliteStore` (a mixin: writes go through
its `_write()`)."""

from __future__ import annotations

import json

from corroborate.store.base import StoreError
from corroborate.store.rows import now


class SqliteAlerts:
    """Saved searches and their recorded hits (see `store.base.Store`)."""

    _SEARCH = """SELECT s.pk AS id, s.name, s.query, s.mode, s.filters, s.language, s.feed_token,
                        s.created_at, u.name AS owner, u.role AS owner_role,
                        (SELECT COUNT(*) FROM saved_search_hits h JOIN reports r ON r.id = h.report_id
                         WHERE h.search_pk = s.pk) AS passages
                 FROM saved_searches s LEFT JOIN users u ON u.pk = s.owner_pk"""

    @staticmethod
    def _saved_search(row) -> dict:
        return {**dict(row), "filters": json.loads(row["filters"])}

    def add_saved_search(self, name: str, query: str, mode: str, filters: dict, language: str,
                         owner: str | None, feed_token: str) -> int:
        """A new saved search's id; `owner` a user name (None: the database's own)."""
        with self._write() as c:
            owner_pk = None
            if owner is not None:
                row = c.execute("SELECT pk FROM users WHERE name = ?", (owner,)).fetchone()
                if row is None:
                    raise StoreError(f"no user {owner!r} to own the saved search")
                owner_pk = row["pk"]
            if c.execute("SELECT 1 FROM saved_searches WHERE COALESCE(owner_pk, 0) = ? AND name = ?",
                         (owner_pk or 0, name)).fetchone():
                raise StoreError(f"a saved search named {name!r} exists already")
            cur = c.execute(
                """INSERT INTO saved_searches(name, query, mode, filters, language, owner_pk, feed_token,
                       created_at) VALUES (?,?,?,?,?,?,?,?)""",
                (name, query, mode, json.dumps(filters, sort_keys=True), language, owner_pk, feed_token, now()),
            )
            return cur.lastrowid

    def saved_searches(self, owner: str | None = None, every: bool = False) -> list[dict]:
        """Searches owned by user `owner` (None: the database's own), or with `every` all of them."""
        where = "" if every else (" WHERE s.owner_pk IS NULL" if owner is None else " WHERE u.name = ?")
        args = [] if every or owner is None else [owner]
        return [self._saved_search(r) for r in self.conn.execute(self._SEARCH + where + " ORDER BY s.pk", args)]

    def saved_search(self, search_id: int) -> dict | None:
        row = self.conn.execute(self._SEARCH + " WHERE s.pk = ?", (search_id,)).fetchone()
        return self._saved_search(row) if row else None

    def delete_saved_search(self, search_id: int) -> bool:
        with self._write() as c:
            return c.execute("DELETE FROM saved_searches WHERE pk = ?", (search_id,)).rowcount > 0

    def paragraph_ids(self, report_ids: list[str]) -> set[str]:
        """The paragraph ids of these stored reports (a family's earlier versions)."""
        out: set[str] = set()
        for rid in report_ids:
            out.update(r["id"] for r in self.conn.execute(
                "SELECT p.id FROM paragraphs p JOIN reports r ON r.pk = p.report_pk WHERE r.id = ?", (rid,)))
        return out

    def record_search_hits(self, search_id: int, report_id: str, paragraph_ids: list[str]) -> int:
        """Record matches (in rank order) not recorded for this search before; how many were new."""
        with self._write() as c:
            added = 0
            for rank, pid in enumerate(paragraph_ids):
                added += c.execute(
                    """INSERT OR IGNORE INTO saved_search_hits(search_pk, paragraph_id, report_id, rank, found_at)
                       VALUES (?,?,?,?,?)""", (search_id, pid, report_id, rank, now())).rowcount
            return added

    def search_hits(self, search_ids: list[int], limit: int = 200) -> list[dict]:
        """The recorded matches of these searches whose report is still stored, newest first
        (timestamps are to the second: within one, the later-stored report first)."""
        if not search_ids:
            return []
        marks = ",".join("?" * len(search_ids))
        rows = self.conn.execute(
            f"""SELECT h.search_pk AS search_id, h.paragraph_id, h.report_id, h.rank, h.found_at
                FROM saved_search_hits h JOIN reports r ON r.id = h.report_id
                WHERE h.search_pk IN ({marks}) ORDER BY h.found_at DESC, r.pk DESC, h.search_pk, h.rank LIMIT ?""",
            [*search_ids, limit]).fetchall()
        return [dict(r) for r in rows]
