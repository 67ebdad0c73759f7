"""Users, web sessions and the audit log of `PostgresStore` (a mixin over its `_all`/`_one`/
`_run`). Secrets arrive here already hashed."""

from __future__ import annotations

from corroborate.store.rows import now


class PostgresUsers:
    """User and audit-log queries (the same rows as `SqliteUsers`)."""

    def add_user(self, name: str, role: str, token_hash: str, token_expires: str) -> None:
        self._run("INSERT INTO users (name, role, token_hash, token_expires, created_at) VALUES (%s, %s, %s, %s, %s)",
                  (name, role, token_hash, token_expires, now()))

    def get_user(self, name: str) -> dict | None:
        return self._one("SELECT * FROM users WHERE name = %s", (name,))

    def user_by_token(self, token_hash: str) -> dict | None:
        return self._one("SELECT * FROM users WHERE token_hash = %s", (token_hash,))

    def list_users(self) -> list[dict]:
        return self._all("SELECT name, role, created_at, token_expires, password_hash IS NOT NULL AS has_password "
                         "FROM users ORDER BY name")

    def count_users(self) -> int:
        return self._one("SELECT COUNT(*) AS n FROM users")["n"]

    def remove_user(self, name: str) -> bool:
        return self._run("DELETE FROM users WHERE name = %s", (name,)) > 0

    def set_token(self, name: str, token_hash: str, token_expires: str) -> bool:
        return self._run("UPDATE users SET token_hash = %s, token_expires = %s WHERE name = %s",
                         (token_hash, token_expires, name)) > 0

    def set_password(self, name: str, password_hash: str) -> bool:
        with self.transaction():
            changed = self._run("UPDATE users SET password_hash = %s WHERE name = %s", (password_hash, name))
            # a new password signs the user out everywhere
            self._run("DELETE FROM sessions WHERE user_pk = (SELECT pk FROM users WHERE name = %s)", (name,))
        return changed > 0

    def add_session(self, token_hash: str, user_name: str, expires: str) -> None:
        self._run("INSERT INTO sessions (token_hash, user_pk, created_at, expires) "
                  "SELECT %s, pk, %s, %s FROM users WHERE name = %s", (token_hash, now(), expires, user_name))

    def session_user(self, token_hash: str) -> dict | None:
        return self._one("SELECT u.*, s.expires AS session_expires FROM sessions s JOIN users u ON u.pk = s.user_pk "
                         "WHERE s.token_hash = %s", (token_hash,))

    def end_session(self, token_hash: str) -> None:
        self._run("DELETE FROM sessions WHERE token_hash = %s OR expires < %s", (token_hash, now()))

    def log(self, user: str, role: str, action: str, target: str | None, detail: str | None) -> None:
        self._run('INSERT INTO audit_log (at, "user", role, action, target, detail) VALUES (%s, %s, %s, %s, %s, %s)',
                  (now(), user, role, action, target, detail))

    def read_log(self, limit: int = 100, user: str | None = None) -> list[dict]:
        return self._all('SELECT at, "user", role, action, target, detail FROM audit_log '
                         'WHERE %(user)s::text IS NULL OR "user" = %(user)s ORDER BY pk DESC LIMIT %(limit)s',
                         {"user": user, "limit": limit})
