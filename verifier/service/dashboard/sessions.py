"""Dashboard sessions: a random cookie value names a row that ties the browser to an API token.

The row keeps only the cookie's SHA-256 (a copy of the database opens no session) and the
token's digest; every lookup joins the token, so a revoked token ends its sessions at once,
whether it was revoked here, over the API or with ``verifier token revoke``.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass

from verifier.service.db import ServiceDB
from verifier.service.tokens import Role, digest

COOKIE = "verifier_session"
#: The login form's own CSRF value, as a cookie: there is no session to keep it in yet.
LOGIN_COOKIE = "verifier_login"
#: A session unused this long ends; so does any session this old.
IDLE_SECONDS = 12 * 3600
MAX_SECONDS = 7 * 24 * 3600
#: Writing ``seen`` on every request would make each page view a write transaction.
SEEN_GRANULARITY = 60


@dataclass(frozen=True, slots=True)
class Session:
    key: str  # the cookie value's digest
    csrf: str
    name: str
    role: Role
    seen: float

    @property
    def can_edit(self) -> bool:
        return self.role >= Role.EDITOR

    @property
    def is_admin(self) -> bool:
        return self.role >= Role.ADMIN

    def csrf_ok(self, offered: str | None) -> bool:
        return bool(offered) and hmac.compare_digest(self.csrf.encode(), (offered or "").encode())


def _key(cookie: str) -> str:
    return hashlib.sha256(cookie.encode("utf-8", "surrogateescape")).hexdigest()


class Sessions:
    def __init__(self, db: ServiceDB) -> None:
        self.db = db

    def start(self, token: str) -> tuple[str, Session] | None:
        """A new session for ``token`` (its cookie value and the session), or None for a bad token."""
        found = self.db.token_by_digest(digest(token.strip()))
        if found is None:
            return None
        cookie = secrets.token_urlsafe(32)
        csrf = secrets.token_urlsafe(32)
        now = time.time()
        with self.db.transaction() as db:
            db.execute("DELETE FROM dashboard_sessions WHERE seen < ? OR created < ?", _cutoffs(now))
            db.execute(
                "INSERT INTO dashboard_sessions (id, token_digest, csrf, created, seen) VALUES (?,?,?,?,?)",
                (_key(cookie), digest(token.strip()), csrf, now, now),
            )
            self.db.audit_in(db, found.name, "session.start", f"token:{found.name}", None)
        return cookie, Session(_key(cookie), csrf, found.name, Role.named(found.role), now)

    def find(self, cookie: str | None) -> Session | None:
        if not cookie:
            return None
        now = time.time()
        idle, oldest = _cutoffs(now)
        row = self.db.connection.execute(
            "SELECT s.id, s.csrf, t.name, t.role, s.seen FROM dashboard_sessions s"
            " JOIN tokens t ON t.digest = s.token_digest AND t.revoked IS NULL"
            " WHERE s.id = ? AND s.seen >= ? AND s.created >= ?",
            (_key(cookie), idle, oldest),
        ).fetchone()
        if row is None:
            return None
        if now - row[4] > SEEN_GRANULARITY:
            self.db.connection.execute("UPDATE dashboard_sessions SET seen = ? WHERE id = ?", (now, row[0]))
        return Session(row[0], row[1], row[2], Role.named(row[3]), row[4])

    def end(self, session: Session) -> None:
        self.db.connection.execute("DELETE FROM dashboard_sessions WHERE id = ?", (session.key,))

    def end_for_token(self, name: str) -> None:
        """Drop a revoked token's rows (lookups refuse them already; this only tidies)."""
        self.db.connection.execute(
            "DELETE FROM dashboard_sessions WHERE token_digest IN (SELECT digest FROM tokens WHERE name = ?)",
            (name,),
        )

    def flash(self, session: Session, message: str) -> None:
        self.db.connection.execute(
            "UPDATE dashboard_sessions SET flash = ? WHERE id = ?", (message, session.key)
        )

    def take_flash(self, session: Session) -> str | None:
        db = self.db.connection
        row = db.execute("SELECT flash FROM dashboard_sessions WHERE id = ?", (session.key,)).fetchone()
        if row is None or row[0] is None:
            return None
        db.execute("UPDATE dashboard_sessions SET flash = NULL WHERE id = ?", (session.key,))
        message: str = row[0]
        return message


def _cutoffs(now: float) -> tuple[float, float]:
    return now - IDLE_SECONDS, now - MAX_SECONDS
