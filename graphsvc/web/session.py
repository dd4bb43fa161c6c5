"""Server-side sessions of the staff web pages.

The browser holds only a signed random session id (``<sid>.<HMAC>`` in an HttpOnly, SameSite=Strict cookie).
The server keeps, in the system database, the SHA-256 of that id mapped to the API key's id (never the key), the
session's CSRF token and its chosen purpose (利用目的). Every request re-reads the key by id, so a revoked key
ends its sessions at once. Sessions expire after ``IDLE_SECONDS`` without use and ``MAX_SECONDS`` in all.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from graphsvc.access.db import connect_system_db

__all__ = ["COOKIE", "IDLE_SECONDS", "MAX_SECONDS", "PRE_COOKIE", "SessionStore", "WebSession"]

COOKIE = "tsunagari_session"
PRE_COOKIE = "tsunagari_signin"  # the sign-in form's own CSRF cookie (there is no session yet)
IDLE_SECONDS = 30 * 60
MAX_SECONDS = 10 * 60 * 60

_DDL = """
CREATE TABLE IF NOT EXISTS web_sessions (
    sid_hash TEXT PRIMARY KEY,
    key_id TEXT NOT NULL,
    csrf TEXT NOT NULL,
    purpose TEXT,
    created REAL NOT NULL,
    seen REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS web_sessions_key ON web_sessions (key_id);
"""


@dataclass(frozen=True)
class WebSession:
    sid_hash: str
    key_id: str
    csrf: str
    purpose: str | None
    created: float
    seen: float


def _h(sid: str) -> str:
    return hashlib.sha256(sid.encode()).hexdigest()


class SessionStore:
    """Sessions in a SQLite table (shared by every worker process that opens the same file)."""

    def __init__(self, path: Path, secret: bytes):
        self._secret = secret
        self._lock = threading.Lock()
        self._conn = connect_system_db(path)
        self._conn.executescript(_DDL)

    # -- the cookie value: "<sid>.<hmac>"
    def sign(self, sid: str) -> str:
        return f"{sid}.{hmac.new(self._secret, sid.encode(), hashlib.sha256).hexdigest()}"

    def unsign(self, value: str | None) -> str | None:
        if not value or "." not in value:
            return None
        sid, _, mac = value.rpartition(".")
        good = hmac.new(self._secret, sid.encode(), hashlib.sha256).hexdigest()
        return sid if sid and hmac.compare_digest(mac, good) else None

    def token(self, nonce: str, purpose: str) -> str:
        """An HMAC of a nonce for one purpose (the sign-in form's CSRF token)."""
        return hmac.new(self._secret, f"{purpose}:{nonce}".encode(), hashlib.sha256).hexdigest()

    # -- sessions
    def create(self, key_id: str) -> tuple[str, WebSession]:
        """A new session for a key id; returns (the signed cookie value, the session)."""
        sid = secrets.token_urlsafe(32)
        now = time.time()
        s = WebSession(_h(sid), key_id, secrets.token_urlsafe(32), None, now, now)
        with self._lock:
            self._conn.execute(
                "DELETE FROM web_sessions WHERE seen < ? OR created < ?",
                (now - IDLE_SECONDS, now - MAX_SECONDS),
            )
            self._conn.execute(
                "INSERT INTO web_sessions VALUES (?,?,?,?,?,?)",
                (s.sid_hash, s.key_id, s.csrf, s.purpose, s.created, s.seen),
            )
        return self.sign(sid), s

    def get(self, cookie: str | None) -> WebSession | None:
        """The live session of a cookie value (touching it), or None (missing, forged, expired)."""
        sid = self.unsign(cookie)
        if sid is None:
            return None
        now = time.time()
        with self._lock:
            row = self._conn.execute(
                "SELECT sid_hash, key_id, csrf, purpose, created, seen FROM web_sessions WHERE sid_hash = ?",
                (_h(sid),),
            ).fetchone()
            if row is None:
                return None
            s = WebSession(str(row[0]), str(row[1]), str(row[2]), row[3], float(row[4]), float(row[5]))
            if s.seen < now - IDLE_SECONDS or s.created < now - MAX_SECONDS:
                self._conn.execute("DELETE FROM web_sessions WHERE sid_hash = ?", (s.sid_hash,))
                return None
            self._conn.execute("UPDATE web_sessions SET seen = ? WHERE sid_hash = ?", (now, s.sid_hash))
        return s

    def set_purpose(self, s: WebSession, purpose: str | None) -> None:
        with self._lock:
            self._conn.execute(
                "UPDATE web_sessions SET purpose = ? WHERE sid_hash = ?", (purpose, s.sid_hash)
            )

    def delete(self, s: WebSession) -> None:
        with self._lock:
            self._conn.execute("DELETE FROM web_sessions WHERE sid_hash = ?", (s.sid_hash,))

    def close(self) -> None:
        with self._lock:
            self._conn.close()
