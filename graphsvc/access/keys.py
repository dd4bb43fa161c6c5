"""API keys: created, listed, revoked; verified on every request.

A key is ``tsk_<key id>_<secret>``; it is shown once when created. The system database keeps only the key id,
a per-key salt and ``HMAC-SHA256(server secret, salt ‖ secret)`` (the server secret comes from the environment,
``TSUNAGARI_API_KEY_SECRET``; without it the hash is a salted SHA-256). Verification is constant-time.
Who may manage which keys (the town line) is :meth:`graphsvc.access.policy.Policy.check_key_admin`.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from graphsvc.access.db import connect_system_db, now_iso
from graphsvc.access.principals import ALL, Principal, Role
from graphsvc.domain.errors import DomainValidationError, NotFoundError

__all__ = ["KeyInfo", "KeyStore"]

_PREFIX = "tsk"


@dataclass(frozen=True)
class KeyInfo:
    key_id: str
    name: str
    role: Role
    towns: list[str]
    persons: list[str]
    system_id: str | None
    created_at: str
    revoked_at: str | None = None
    last_used_at: str | None = None
    extra: dict[str, str] = field(default_factory=dict)

    def principal(self) -> Principal:
        return Principal(
            key_id=self.key_id,
            name=self.name,
            role=self.role,
            towns=tuple(self.towns),
            persons=tuple(self.persons),
            system_id=self.system_id,
        )

    def to_dict(self) -> dict[str, object]:
        return {
            "key_id": self.key_id,
            "name": self.name,
            "role": self.role.value,
            "towns": self.towns,
            "persons": self.persons,
            "system_id": self.system_id,
            "created_at": self.created_at,
            "revoked_at": self.revoked_at,
        }


_KEYS_DDL = """
CREATE TABLE IF NOT EXISTS api_keys (
    key_id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    role TEXT NOT NULL,
    towns TEXT NOT NULL,
    persons TEXT NOT NULL,
    system_id TEXT,
    salt TEXT NOT NULL,
    hash TEXT NOT NULL,
    created_at TEXT NOT NULL,
    revoked_at TEXT
);
"""


class KeyStore:
    """API keys in the system database, hashed; plain keys exist only in the caller's hands."""

    def __init__(self, path: Path, *, secret: str = ""):
        self.path = path
        self._secret = secret.encode()
        self._lock = threading.Lock()
        self._conn = connect_system_db(path)
        self._conn.executescript(_KEYS_DDL)
        self._cache: dict[str, tuple[float, KeyInfo, str, str]] = {}

    def _hash(self, salt: str, secret: str) -> str:
        return hmac.new(self._secret, (salt + secret).encode(), hashlib.sha256).hexdigest()

    def create(
        self,
        *,
        name: str,
        role: Role | str,
        towns: Sequence[str] = (ALL,),
        persons: Sequence[str] = (),
        system_id: str | None = None,
    ) -> tuple[str, KeyInfo]:
        """Create a key; returns (the plain key — show it once —, its info)."""
        role = Role(role)
        if not name.strip():
            raise DomainValidationError.one("名前を指定してください", "a name is required", field="name")
        key_id = secrets.token_hex(6)
        secret = secrets.token_urlsafe(32)
        salt = secrets.token_hex(16)
        if role is Role.CASE_SYSTEM and not system_id:
            system_id = key_id
        info = KeyInfo(
            key_id=key_id,
            name=name.strip(),
            role=role,
            towns=list(towns) or [ALL],
            persons=list(persons) if role is Role.COORDINATOR else [],
            system_id=system_id if role is Role.CASE_SYSTEM else None,
            created_at=now_iso(),
        )
        with self._lock:
            self._conn.execute(
                "INSERT INTO api_keys VALUES (?,?,?,?,?,?,?,?,?,NULL)",
                (
                    key_id,
                    info.name,
                    role.value,
                    json.dumps(info.towns),
                    json.dumps(info.persons),
                    info.system_id,
                    salt,
                    self._hash(salt, secret),
                    info.created_at,
                ),
            )
        return f"{_PREFIX}_{key_id}_{secret}", info

    @staticmethod
    def _info(row: Sequence[object]) -> KeyInfo:
        return KeyInfo(
            key_id=str(row[0]),
            name=str(row[1]),
            role=Role(str(row[2])),
            towns=json.loads(str(row[3])),
            persons=json.loads(str(row[4])),
            system_id=None if row[5] is None else str(row[5]),
            created_at=str(row[8]),
            revoked_at=None if row[9] is None else str(row[9]),
        )

    def list(self, *, include_revoked: bool = True) -> list[KeyInfo]:
        with self._lock:
            rows = self._conn.execute("SELECT * FROM api_keys ORDER BY created_at, key_id").fetchall()
        infos = [self._info(r) for r in rows]
        return [i for i in infos if include_revoked or i.revoked_at is None]

    def get(self, key_id: str) -> KeyInfo | None:
        with self._lock:
            row = self._conn.execute("SELECT * FROM api_keys WHERE key_id = ?", (key_id,)).fetchone()
        return None if row is None else self._info(row)

    def revoke(self, key_id: str) -> KeyInfo:
        with self._lock:
            cur = self._conn.execute(
                "UPDATE api_keys SET revoked_at = ? WHERE key_id = ? AND revoked_at IS NULL",
                (now_iso(), key_id),
            )
            self._cache.pop(key_id, None)
        info = self.get(key_id)
        if info is None or (cur.rowcount == 0 and info.revoked_at is None):
            raise NotFoundError.one(f"キー「{key_id}」はありません", f"no key {key_id!r}", field="key_id")
        return info

    def set_persons(self, key_id: str, persons: Iterable[str]) -> KeyInfo:
        with self._lock:
            self._conn.execute(
                "UPDATE api_keys SET persons = ? WHERE key_id = ?", (json.dumps(list(persons)), key_id)
            )
            self._cache.pop(key_id, None)
        info = self.get(key_id)
        if info is None:
            raise NotFoundError.one(f"キー「{key_id}」はありません", f"no key {key_id!r}", field="key_id")
        return info

    def verify(self, presented: str) -> Principal | None:
        """The principal of a presented key, or None (unknown, malformed or revoked)."""
        parts = presented.strip().split("_", 2)
        if len(parts) != 3 or parts[0] != _PREFIX or not parts[1] or not parts[2]:
            return None
        key_id, secret = parts[1], parts[2]
        with self._lock:
            row = self._conn.execute("SELECT * FROM api_keys WHERE key_id = ?", (key_id,)).fetchone()
        if row is None:
            hmac.compare_digest("0" * 64, self._hash("", secret))  # same work for unknown ids
            return None
        info = self._info(row)
        ok = hmac.compare_digest(str(row[7]), self._hash(str(row[6]), secret))
        if not ok or info.revoked_at is not None:
            return None
        return info.principal()

    def close(self) -> None:
        with self._lock:
            self._conn.close()
