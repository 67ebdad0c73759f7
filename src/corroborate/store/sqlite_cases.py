"""Case files of `SqliteStore` (issue 16; a mixin: writes go through its `_write()`)."""

from __future__ import annotations

import json

from corroborate.store.rows import now


class SqliteCases:
    """Cases and their items (see `store.base.Store` for the owner rule)."""

    # A case belongs to `owner` (None: the database's own); every method takes the owner, so a
    # case id guessed by another user reads as absent.

    _CASE_COLUMNS = """c.pk AS id, c.name, c.language, c.owner, c.created_at, c.updated_at,
                       (SELECT COUNT(*) FROM case_items i WHERE i.case_pk = c.pk) AS items"""

    def create_case(self, name: str, language: str, owner: str | None) -> int:
        """A new case's id; ValueError when the owner already has a case of that name."""
        with self._write() as c:
            if c.execute("SELECT 1 FROM cases WHERE owner IS ? AND name = ?", (owner, name)).fetchone():
                raise ValueError(f"a case named {name!r} exists already")
            stamp = now()
            cur = c.execute(
                "INSERT INTO cases(name, language, owner, created_at, updated_at) VALUES (?,?,?,?,?)",
                (name, language, owner, stamp, stamp),
            )
            return int(cur.lastrowid)

    def list_cases(self, owner: str | None) -> list[dict]:
        rows = self.conn.execute(
            f"SELECT {self._CASE_COLUMNS} FROM cases c WHERE c.owner IS ? ORDER BY c.updated_at DESC, c.pk DESC",
            (owner,),
        ).fetchall()
        return [dict(r) for r in rows]

    def get_case(self, case_id: int, owner: str | None) -> dict | None:
        row = self.conn.execute(
            f"SELECT {self._CASE_COLUMNS} FROM cases c WHERE c.pk = ? AND c.owner IS ?", (case_id, owner)
        ).fetchone()
        return dict(row) if row else None

    def case_id_by_name(self, name: str, owner: str | None) -> int | None:
        row = self.conn.execute("SELECT pk FROM cases WHERE name = ? AND owner IS ?", (name, owner)).fetchone()
        return row["pk"] if row else None

    def update_case(self, case_id: int, owner: str | None, values: dict[str, str]) -> bool:
        """Set `name` and/or `language`; False when the owner has no such case."""
        unknown = set(values) - {"name", "language"}
        if unknown:
            raise ValueError(f"not editable case fields: {', '.join(sorted(unknown))}")
        with self._write() as c:
            if "name" in values and c.execute(
                "SELECT 1 FROM cases WHERE owner IS ? AND name = ? AND pk != ?", (owner, values["name"], case_id)
            ).fetchone():
                raise ValueError(f"a case named {values['name']!r} exists already")
            sets = "".join(f"{k} = ?, " for k in values)  # keys checked above
            cur = c.execute(f"UPDATE cases SET {sets}updated_at = ? WHERE pk = ? AND owner IS ?",
                            [*values.values(), now(), case_id, owner])
            return cur.rowcount > 0

    def delete_case(self, case_id: int, owner: str | None) -> bool:
        with self._write() as c:
            return c.execute("DELETE FROM cases WHERE pk = ? AND owner IS ?", (case_id, owner)).rowcount > 0

    def case_items(self, case_id: int) -> list[dict]:
        rows = self.conn.execute(
            """SELECT pk AS id, position, report_id, paragraph_id, span_start AS start, span_end AS "end",
                      quote, footnotes, note, added_at
               FROM case_items WHERE case_pk = ? ORDER BY position""",
            (case_id,),
        ).fetchall()
        return [{**dict(r), "footnotes": json.loads(r["footnotes"])} for r in rows]

    def add_case_item(self, case_id: int, report_id: str, paragraph_id: str, start: int | None,
                      end: int | None, quote: str, footnotes: list[int], note: str) -> int:
        """Append an item to the case (the caller checked the case is theirs); its id."""
        with self._write() as c:
            (last,) = c.execute("SELECT COALESCE(MAX(position), 0) FROM case_items WHERE case_pk = ?",
                                (case_id,)).fetchone()
            cur = c.execute(
                """INSERT INTO case_items(case_pk, position, report_id, paragraph_id, span_start, span_end,
                       quote, footnotes, note, added_at) VALUES (?,?,?,?,?,?,?,?,?,?)""",
                (case_id, last + 1, report_id, paragraph_id, start, end, quote, json.dumps(footnotes),
                 note, now()),
            )
            self._touch_case(c, case_id)
            return int(cur.lastrowid)

    def remove_case_item(self, case_id: int, item_id: int) -> bool:
        """Remove an item; the ones after it move up, so positions stay 1…N."""
        with self._write() as c:
            row = c.execute("SELECT position FROM case_items WHERE pk = ? AND case_pk = ?",
                            (item_id, case_id)).fetchone()
            if row is None:
                return False
            c.execute("DELETE FROM case_items WHERE pk = ?", (item_id,))
            c.execute("UPDATE case_items SET position = position - 1 WHERE case_pk = ? AND position > ?",
                      (case_id, row["position"]))
            self._touch_case(c, case_id)
            return True

    def set_case_item_note(self, case_id: int, item_id: int, note: str) -> bool:
        with self._write() as c:
            cur = c.execute("UPDATE case_items SET note = ? WHERE pk = ? AND case_pk = ?", (note, item_id, case_id))
            self._touch_case(c, case_id)
            return cur.rowcount > 0

    def reorder_case_items(self, case_id: int, item_ids: list[int]) -> bool:
        """Put the items in this order; False (nothing changed) unless `item_ids` are exactly the
        case's items, each once."""
        with self._write() as c:
            have = sorted(r["pk"] for r in c.execute("SELECT pk FROM case_items WHERE case_pk = ?", (case_id,)))
            if sorted(item_ids) != have:
                return False
            for position, item_id in enumerate(item_ids, 1):
                c.execute("UPDATE case_items SET position = ? WHERE pk = ?", (position, item_id))
            self._touch_case(c, case_id)
            return True

    @staticmethod
    def _touch_case(c, case_id: int) -> None:
        c.execute("UPDATE cases SET updated_at = ? WHERE pk = ?", (now(), case_id))
