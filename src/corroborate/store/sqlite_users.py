"""Users, web sessions and the audit log of `SqliteStore` (a mixin over `self.conn`). Secrets
arrive here already hashed."""

from __future__ import annotations

from corroborate.store.rows import now


class SqliteUsers:
    """User and audit-log queries over `self.conn` (set by `SqliteStore`)."""

    def add_user(self, name: str, role: str, token_hash: str, token_expires: str) -> None:
        self.conn.execute(
            "INSERT INTO users (name, role, token_hash, token_expires, created_at) VALUES (?, ?, ?, ?, ?)",
            (name, role, token_hash, token_expires, now()),
        )

    def get_user(self, name: str) -> dict | None:
        row = self.conn.execute("SELECT * FROM users WHERE name = ?", (name,)).fetchone()
        return dict(row) if row else None

    def user_by_token(self, token_hash: str) -> dict | None:
        row = self.conn.execute("SELECT * FROM users WHERE token_hash = ?", (token_hash,)).fetchone()
        return dict(row) if row else None

    def list_users(self) -> list[dict]:
        rows = self.conn.execute(
            "SELECT name, role, created_at, token_expires, password_hash IS NOT NULL AS has_password "
            "FROM users ORDER BY name"
        ).fetchall()
        return [{**dict(r), "has_password": bool(r["has_password"])} for r in rows]

    def count_users(self) -> int:
        return self.conn.execute("SELECT COUNT(*) FROM users").fetchone()[0]

    def remove_user(self, name: str) -> bool:
        return self.conn.execute("DELETE FROM users WHERE name = ?", (name,)).rowcount > 0

    def set_token(self, name: str, token_hash: str, token_expires: str) -> bool:
        cur = self.conn.execute("UPDATE users SET token_hash = ?, token_expires = ? WHERE name = ?",
                           (token_hash, token_expires, name))
        return cur.rowcount > 0

    def set_password(self, name: str, password_hash: str) -> bool:
        cur = self.conn.execute("UPDATE users SET password_hash = ? WHERE name = ?", (password_hash, name))
        # a new password signs the user out everywhere
        self.conn.execute("DELETE FROM sessions WHERE user_pk = (SELECT pk FROM users WHERE name = ?)", (name,))
        return cur.rowcount > 0

    def add_session(self, token_hash: str, user_name: str, expires: str) -> None:
        self.conn.execute(
            "INSERT INTO sessions (token_hash, user_pk, created_at, expires) "
            "SELECT ?, pk, ?, ? FROM users WHERE name = ?",
            (token_hash, now(), expires, user_name),
        )

    def session_user(self, token_hash: str) -> dict | None:
        row = self.conn.execute(
            "SELECT u.*, s.expires AS session_expires FROM sessions s JOIN users u ON u.pk = s.user_pk "
            "WHERE s.token_hash = ?",
            (token_hash,),
        ).fetchone()
        return dict(row) if row else None

    def end_session(self, token_hash: str) -> None:
        self.conn.execute("DELETE FROM sessions WHERE token_hash = ? OR expires < ?", (token_hash, now()))

    def log(self, user: str, role: str, action: str, target: str | None, detail: str | None) -> None:
        self.conn.execute(
            "INSERT INTO audit_log (at, user, role, action, target, detail) VALUES (?, ?, ?, ?, ?, ?)",
            (now(), user, role, action, target, detail),
        )

    def read_log(self, limit: int = 100, user: str | None = None) -> list[dict]:
        rows = self.conn.execute(
            "SELECT at, user, role, action, target, detail FROM audit_log "
            "WHERE ? IS NULL OR user = ? ORDER BY pk DESC LIMIT ?",
            (user, user, limit),
        ).fetchall()
        return [dict(r) for r in rows]
