"""Case files and saved searches of `PostgresStore` (the same rows and rules as SqliteStore's),
as a mixin over its `_all`/`_one`/`_run` helpers and `transaction()`."""

from __future__ import annotations

import json

from corroborate.store.base import StoreError
from corroborate.store.rows import now


class PostgresCases:
    """A case belongs to `owner` (None: the database's own); a case id guessed by another user
    reads as absent."""

    _CASE_COLUMNS = """c.pk AS id, c.name, c.language, c.owner, c.created_at, c.updated_at,
                       (SELECT COUNT(*) FROM case_items i WHERE i.case_pk = c.pk) AS items"""

    def create_case(self, name: str, language: str, owner: str | None) -> int:
        """A new case's id; ValueError when the owner already has a case of that name."""
        with self.transaction():
            if self.case_id_by_name(name, owner) is not None:
                raise ValueError(f"a case named {name!r} exists already")
            stamp = now()
            return int(self._one("INSERT INTO cases(name, language, owner, created_at, updated_at) "
                                 "VALUES (%s,%s,%s,%s,%s) RETURNING pk", (name, language, owner, stamp, stamp))["pk"])

    def list_cases(self, owner: str | None) -> list[dict]:
        return self._all(f"SELECT {self._CASE_COLUMNS} FROM cases c WHERE c.owner IS NOT DISTINCT FROM %s "
                         "ORDER BY c.updated_at DESC, c.pk DESC", (owner,))

    def get_case(self, case_id: int, owner: str | None) -> dict | None:
        return self._one(f"SELECT {self._CASE_COLUMNS} FROM cases c WHERE c.pk = %s "
                         "AND c.owner IS NOT DISTINCT FROM %s", (case_id, owner))

    def case_id_by_name(self, name: str, owner: str | None) -> int | None:
        row = self._one("SELECT pk FROM cases WHERE name = %s AND owner IS NOT DISTINCT FROM %s", (name, owner))
        return row["pk"] if row else None

    def update_case(self, case_id: int, owner: str | None, values: dict[str, str]) -> bool:
        """Set `name` and/or `language`; False when the owner has no such case."""
        unknown = set(values) - {"name", "language"}
        if unknown:
            raise ValueError(f"not editable case fields: {', '.join(sorted(unknown))}")
        with self.transaction():
            if "name" in values and self._one(
                "SELECT 1 AS taken FROM cases WHERE owner IS NOT DISTINCT FROM %s AND name = %s AND pk <> %s",
                (owner, values["name"], case_id),
            ):
                raise ValueError(f"a case named {values['name']!r} exists already")
            sets = "".join(f"{k} = %s, " for k in values)  # keys checked above
            return self._run(f"UPDATE cases SET {sets}updated_at = %s WHERE pk = %s "
                             "AND owner IS NOT DISTINCT FROM %s", [*values.values(), now(), case_id, owner]) > 0

    def delete_case(self, case_id: int, owner: str | None) -> bool:
        return self._run("DELETE FROM cases WHERE pk = %s AND owner IS NOT DISTINCT FROM %s", (case_id, owner)) > 0

    def case_items(self, case_id: int) -> list[dict]:
        rows = self._all(
            """SELECT pk AS id, position, report_id, paragraph_id, span_start AS start, span_end AS "end",
                      quote, footnotes, note, added_at
               FROM case_items WHERE case_pk = %s ORDER BY position""", (case_id,))
        return [{**r, "footnotes": json.loads(r["footnotes"])} for r in rows]

    def add_case_item(self, case_id: int, report_id: str, paragraph_id: str, start: int | None,
                      end: int | None, quote: str, footnotes: list[int], note: str) -> int:
        """Append an item to the case (the caller checked the case is theirs); its id."""
        with self.transaction():
            # the case row locked first: two appends to one case take positions one after the other
            self._one("SELECT pk FROM cases WHERE pk = %s FOR UPDATE", (case_id,))
            last = self._one("SELECT COALESCE(MAX(position), 0) AS p FROM case_items WHERE case_pk = %s",
                             (case_id,))["p"]
            pk = self._one(
                """INSERT INTO case_items(case_pk, position, report_id, paragraph_id, span_start, span_end,
                       quote, footnotes, note, added_at) VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s,%s) RETURNING pk""",
                (case_id, last + 1, report_id, paragraph_id, start, end, quote, json.dumps(footnotes), note, now()),
            )["pk"]
            self._touch_case(case_id)
            return int(pk)

    def remove_case_item(self, case_id: int, item_id: int) -> bool:
        """Remove an item; the ones after it move up, so positions stay 1…N."""
        with self.transaction():
            row = self._one("SELECT position FROM case_items WHERE pk = %s AND case_pk = %s", (item_id, case_id))
            if row is None:
                return False
            self._run("DELETE FROM case_items WHERE pk = %s", (item_id,))
            self._run("UPDATE case_items SET position = position - 1 WHERE case_pk = %s AND position > %s",
                      (case_id, row["position"]))
            self._touch_case(case_id)
            return True

    def set_case_item_note(self, case_id: int, item_id: int, note: str) -> bool:
        with self.transaction():
            changed = self._run("UPDATE case_items SET note = %s WHERE pk = %s AND case_pk = %s",
                                (note, item_id, case_id))
            self._touch_case(case_id)
            return changed > 0

    def reorder_case_items(self, case_id: int, item_ids: list[int]) -> bool:
        """Put the items in this order; False (nothing changed) unless `item_ids` are exactly the
        case's items, each once."""
        with self.transaction():
            have = sorted(r["pk"] for r in self._all("SELECT pk FROM case_items WHERE case_pk = %s", (case_id,)))
            if sorted(item_ids) != have:
                return False
            for position, item_id in enumerate(item_ids, 1):
                self._run("UPDATE case_items SET position = %s WHERE pk = %s", (position, item_id))
            self._touch_case(case_id)
            return True

    def _touch_case(self, case_id: int) -> None:
        self._run("UPDATE cases SET updated_at = %s WHERE pk = %s", (now(), case_id))

    # --- saved searches and their alerts -----------------------------------------------------

    _SEARCH = """SELECT s.pk AS id, s.name, s.query, s.mode, s.filters, s.language, s.feed_token,
                        s.created_at, u.name AS owner, u.role AS owner_role,
                        (SELECT COUNT(*) FROM saved_search_hits h JOIN reports r ON r.id = h.report_id
                         WHERE h.search_pk = s.pk) AS passages
                 FROM saved_searches s LEFT JOIN users u ON u.pk = s.owner_pk"""

    @staticmethod
    def _saved_search(row: dict) -> dict:
        return {**row, "filters": json.loads(row["filters"])}

    def add_saved_search(self, name: str, query: str, mode: str, filters: dict, language: str,
                         owner: str | None, feed_token: str) -> int:
        """A new saved search's id; `owner` a user name (None: the database's own)."""
        with self.transaction():
            owner_pk = None
            if owner is not None:
                row = self._one("SELECT pk FROM users WHERE name = %s", (owner,))
                if row is None:
                    raise StoreError(f"no user {owner!r} to own the saved search")
                owner_pk = row["pk"]
            if self._one("SELECT 1 AS taken FROM saved_searches WHERE COALESCE(owner_pk, 0) = %s AND name = %s",
                         (owner_pk or 0, name)):
                raise StoreError(f"a saved search named {name!r} exists already")
            return int(self._one(
                """INSERT INTO saved_searches(name, query, mode, filters, language, owner_pk, feed_token,
                       created_at) VALUES (%s,%s,%s,%s,%s,%s,%s,%s) RETURNING pk""",
                (name, query, mode, json.dumps(filters, sort_keys=True), language, owner_pk, feed_token, now()),
            )["pk"])

    def saved_searches(self, owner: str | None = None, every: bool = False) -> list[dict]:
        """Searches owned by user `owner` (None: the database's own), or with `every` all of them."""
        where = "" if every else (" WHERE s.owner_pk IS NULL" if owner is None else " WHERE u.name = %s")
        args = [] if every or owner is None else [owner]
        return [self._saved_search(r) for r in self._all(self._SEARCH + where + " ORDER BY s.pk", args)]

    def saved_search(self, search_id: int) -> dict | None:
        row = self._one(self._SEARCH + " WHERE s.pk = %s", (search_id,))
        return self._saved_search(row) if row else None

    def delete_saved_search(self, search_id: int) -> bool:
        return self._run("DELETE FROM saved_searches WHERE pk = %s", (search_id,)) > 0

    def paragraph_ids(self, report_ids: list[str]) -> set[str]:
        """The paragraph ids of these stored reports (a family's earlier versions)."""
        rows = self._all("SELECT p.id FROM paragraphs p JOIN reports r ON r.pk = p.report_pk WHERE r.id = ANY(%s)",
                         (list(report_ids),))
        return {r["id"] for r in rows}

    def record_search_hits(self, search_id: int, report_id: str, paragraph_ids: list[str]) -> int:
        """Record matches (in rank order) not recorded for this search before; how many were new."""
        with self.transaction():
            return sum(self._run(
                """INSERT INTO saved_search_hits(search_pk, paragraph_id, report_id, rank, found_at)
                   VALUES (%s,%s,%s,%s,%s) ON CONFLICT DO NOTHING""", (search_id, pid, report_id, rank, now()))
                for rank, pid in enumerate(paragraph_ids))

    def search_hits(self, search_ids: list[int], limit: int = 200) -> list[dict]:
        """The recorded matches of these searches whose report is still stored, newest first
        (timestamps are to the second: within one, the later-stored report first)."""
        if not search_ids:
            return []
        return self._all(
            """SELECT h.search_pk AS search_id, h.paragraph_id, h.report_id, h.rank, h.found_at
               FROM saved_search_hits h JOIN reports r ON r.id = h.report_id
               WHERE h.search_pk = ANY(%s) ORDER BY h.found_at DESC, r.pk DESC, h.search_pk, h.rank LIMIT %s""",
            (list(search_ids), limit))
