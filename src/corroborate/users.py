"""Users, roles and who is calling.

A COI unit is a team. Roles, each allowed what the one before it is:

* ``reader``: caseworkers, lawyers, judges — search, read, ask, export; confidential sources
  are never named to them (see `corroborate.redaction`);
* ``researcher``: ingests, deletes and edits reports, marks sources confidential, sees the
  names of confidential sources and may export them named;
* ``admin``: manages users and reads the audit log.

A user has an API token (``Authorization: Bearer``), stored as its SHA-256 (the token is 256
random bits, so a slow hash adds nothing), and optionally a password for web sign-in, stored as
an argon2id hash. Every write — to the library or to the users — goes to the audit log.

The command line acts on a local database file as a researcher (whoever can open the file can
read it anyway); a web server with no users yet is in "open mode", one person on their own
machine, as before users existed.
"""

from __future__ import annotations

import functools
import getpass
import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

ROLES = ("reader", "researcher", "admin")
TOKEN_DAYS = 365
SESSION_HOURS = 12
MIN_PASSWORD = 10
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@-]{0,63}")


class AccessDenied(PermissionError):
    """The caller is known but their role does not allow this (HTTP 403)."""


class AuthError(ValueError):
    """Who is calling could not be established: wrong password, unknown, expired or revoked token (401)."""


class UserError(ValueError):
    """A bad user name, role or password, or an unknown user."""


@dataclass(frozen=True)
class Caller:
    name: str
    role: str

    def at_least(self, role: str) -> bool:
        return ROLES.index(self.role) >= ROLES.index(role)

    @property
    def sees_confidential(self) -> bool:
        return self.at_least("researcher")

    def require(self, role: str, what: str) -> None:
        if not self.at_least(role):
            raise AccessDenied(f"{what} needs the {role} role; {self.name} is a {self.role}")


def command_line_caller() -> Caller:
    try:
        who = getpass.getuser()
    except Exception:  # no login name in some containers
        who = "unknown"
    return Caller(f"{who} (command line)", "researcher")


OPEN_MODE = Caller("local (open mode, no users)", "admin")


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _expiry(**delta) -> str:
    return (datetime.now(UTC) + timedelta(**delta)).isoformat(timespec="seconds")


def _expired(when: str | None) -> bool:
    return bool(when) and datetime.fromisoformat(when) <= datetime.now(UTC)


def _hasher():
    from argon2 import PasswordHasher

    return PasswordHasher()


class Users:
    """The users of one database, over its store (`Library.store`)."""

    def __init__(self, store):
        self.store = store

    def any(self) -> bool:
        return self.store.count_users() > 0

    def list(self) -> list[dict]:
        return self.store.list_users()

    def _check_name(self, name: str) -> str:
        if not _NAME.fullmatch(name or ""):
            raise UserError(f"user name {name!r}: use 1-64 letters, digits, '.', '_', '@' or '-'")
        return name

    def _known(self, name: str) -> dict:
        user = self.store.get_user(name)
        if user is None:
            raise UserError(f"no user {name!r}")
        return user

    def add(self, name: str, role: str, actor: Caller, days: int = TOKEN_DAYS) -> dict:
        """Create a user; returns their API token, shown this once only."""
        self._check_name(name)
        if role not in ROLES:
            raise UserError(f"role {role!r}: use one of {', '.join(ROLES)}")
        if self.store.get_user(name) is not None:
            raise UserError(f"user {name!r} already exists")
        token = secrets.token_urlsafe(32)
        with self.store.transaction():
            self.store.add_user(name, role, token_hash(token), _expiry(days=days))
            self.store.log(actor.name, actor.role, "user.add", name, f"role={role}")
        return {"name": name, "role": role, "token": token}

    def remove(self, name: str, actor: Caller) -> None:
        with self.store.transaction():
            if not self.store.remove_user(name):
                raise UserError(f"no user {name!r}")
            self.store.log(actor.name, actor.role, "user.remove", name, None)

    def rotate_token(self, name: str, actor: Caller, days: int = TOKEN_DAYS) -> dict:
        """A new API token; the old one stops working at once."""
        user = self._known(name)
        token = secrets.token_urlsafe(32)
        with self.store.transaction():
            self.store.set_token(name, token_hash(token), _expiry(days=days))
            self.store.log(actor.name, actor.role, "user.token", name, f"expires in {days} days")
        return {"name": name, "role": user["role"], "token": token}

    def set_password(self, name: str, password: str, actor: Caller) -> None:
        self._known(name)
        if len(password or "") < MIN_PASSWORD:
            raise UserError(f"password for {name!r}: use at least {MIN_PASSWORD} characters")
        hashed = _hasher().hash(password)
        with self.store.transaction():
            self.store.set_password(name, hashed)
            self.store.log(actor.name, actor.role, "user.password", name, None)

    # --- who is calling ------------------------------------------------------------------

    def by_token(self, token: str) -> Caller:
        user = self.store.user_by_token(token_hash(token or ""))
        if user is None:
            raise AuthError("unknown or revoked API token")
        if _expired(user["token_expires"]):
            raise AuthError(f"the API token of {user['name']!r} expired on {user['token_expires'][:10]}")
        return Caller(user["name"], user["role"])

    def check_password(self, name: str, password: str) -> Caller:
        from argon2.exceptions import VerificationError

        user = self.store.get_user(name or "")
        hashed = user["password_hash"] if user else None
        try:
            # a made-up hash when there is no such user, so both cases take the same time
            _hasher().verify(hashed or _dummy_hash(), password or "")
        except VerificationError:
            raise AuthError("wrong user name or password") from None
        if not hashed or user is None:
            raise AuthError("wrong user name or password")
        return Caller(user["name"], user["role"])

    def start_session(self, caller: Caller) -> str:
        token = secrets.token_urlsafe(32)
        with self.store.transaction():
            self.store.add_session(token_hash(token), caller.name, _expiry(hours=SESSION_HOURS))
            self.store.log(caller.name, caller.role, "sign-in", None, None)
        return token

    def by_session(self, token: str) -> Caller | None:
        user = self.store.session_user(token_hash(token or ""))
        if user is None or _expired(user["session_expires"]):
            return None
        return Caller(user["name"], user["role"])

    def end_session(self, token: str) -> None:
        with self.store.transaction():
            self.store.end_session(token_hash(token or ""))

    # --- the audit log -------------------------------------------------------------------

    def log(self, caller: Caller, action: str, target: str | None = None, detail: str | None = None) -> None:
        with self.store.transaction():
            self.store.log(caller.name, caller.role, action, target, detail)

    def read_log(self, limit: int = 100, user: str | None = None) -> list[dict]:
        return self.store.read_log(limit, user)


@functools.cache
def _dummy_hash() -> str:
    return _hasher().hash(secrets.token_hex(16))
