"""The append-only audit log of personal-data access and of key management.

Every read or write of persons, households, cases, ties, placements, consent and match results appends one row,
as does every key created or revoked and every read of the log itself: who (key id, name, role), when, the
action, the town, the record ids, the purpose (利用目的) and the status (HTTP-like: 200, 403 …). SQLite triggers abort every UPDATE and DELETE on the table, and each row carries the SHA-256 of the
previous row's hash and its own content, so a row altered outside the service breaks the chain
(:meth:`AuditLog.verify`).
"""

from __future__ import annotations

import hashlib
import io
import json
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from graphsvc.access.context import AccessContext
from graphsvc.access.db import connect_system_db
from graphsvc.access.principals import Principal
from graphsvc.domain.spreadsheet import csv_writer

__all__ = ["AuditEntry", "AuditLog"]

_DDL = """
CREATE TABLE IF NOT EXISTS audit (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    key_id TEXT NOT NULL,
    key_name TEXT NOT NULL,
    role TEXT NOT NULL,
    town TEXT,
    action TEXT NOT NULL,
    kind TEXT,
    record_ids TEXT NOT NULL,
    purpose TEXT,
    status INTEGER NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON audit
BEGIN SELECT RAISE(ABORT, '監査ログは追記のみです (the audit log is append-only)'); END;
CREATE TRIGGER IF NOT EXISTS audit_no_delete BEFORE DELETE ON audit
BEGIN SELECT RAISE(ABORT, '監査ログは追記のみです (the audit log is append-only)'); END;
CREATE INDEX IF NOT EXISTS audit_town_at ON audit (town, at);
"""

_COLUMNS = (
    "seq",
    "at",
    "key_id",
    "key_name",
    "role",
    "town",
    "action",
    "kind",
    "record_ids",
    "purpose",
    "status",
    "prev_hash",
    "hash",
)


@dataclass(frozen=True)
class AuditEntry:
    seq: int
    at: str
    key_id: str
    key_name: str
    role: str
    town: str | None
    action: str
    kind: str | None
    record_ids: list[str]
    purpose: str | None
    status: int
    prev_hash: str
    hash: str

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


def _digest(prev: str, fields: Sequence[object]) -> str:
    body = json.dumps([prev, *fields], ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(body.encode()).hexdigest()


class AuditLog:
    """Append and query; there is no method that changes or removes an entry, and the database refuses it."""

    def __init__(self, path: Path):
        self.path = path
        self._lock = threading.Lock()
        self._conn = connect_system_db(path)
        self._conn.executescript(_DDL)

    def append(
        self,
        who: Principal,
        *,
        action: str,
        town: str | None,
        kind: str | None,
        record_ids: Sequence[str],
        purpose: str | None,
        status: int = 200,
    ) -> None:
        at = datetime.now(UTC).isoformat(timespec="milliseconds")
        ids = json.dumps(sorted(set(record_ids)), ensure_ascii=False)
        fields = (at, who.key_id, who.name, who.role.value, town, action, kind, ids, purpose, status)
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                row = self._conn.execute("SELECT hash FROM audit ORDER BY seq DESC LIMIT 1").fetchone()
                prev = str(row[0]) if row else ""
                self._conn.execute(
                    "INSERT INTO audit (at, key_id, key_name, role, town, action, kind, record_ids, purpose,"
                    " status, prev_hash, hash) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                    (*fields, prev, _digest(prev, fields)),
                )
                self._conn.execute("COMMIT")
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise

    def record(
        self, ctx: AccessContext, action: str, kind: str | None, ids: Sequence[str], *, status: int = 200
    ) -> None:
        """Append what a caller did in its town, for its purpose."""
        self.append(
            ctx.principal,
            action=action,
            town=ctx.town,
            kind=kind,
            record_ids=ids,
            purpose=ctx.purpose.value if ctx.purpose else None,
            status=status,
        )

    @staticmethod
    def _entry(row: Sequence[object]) -> AuditEntry:
        d = dict(zip(_COLUMNS, row, strict=True))
        d["record_ids"] = json.loads(str(d["record_ids"]))
        return AuditEntry(**d)  # type: ignore[arg-type]

    def query(
        self,
        *,
        town: str | None = None,
        key_id: str | None = None,
        record_id: str | None = None,
        action: str | None = None,
        since: str | None = None,
        until: str | None = None,
        after_seq: int = 0,
        limit: int | None = 500,
    ) -> list[AuditEntry]:
        sql = f"SELECT {','.join(_COLUMNS)} FROM audit WHERE seq > ?"
        args: list[object] = [after_seq]
        for col, val in (("town", town), ("key_id", key_id), ("action", action)):
            if val is not None:
                sql += f" AND {col} = ?"
                args.append(val)
        if since:
            sql += " AND at >= ?"
            args.append(since)
        if until:
            sql += " AND at < ?"
            args.append(until)
        if record_id is not None:
            sql += " AND EXISTS (SELECT 1 FROM json_each(record_ids) WHERE value = ?)"
            args.append(record_id)
        sql += " ORDER BY seq"
        if limit is not None:
            sql += " LIMIT ?"
            args.append(limit)
        with self._lock:
            rows = self._conn.execute(sql, args).fetchall()
        return [self._entry(r) for r in rows]

    def verify(self) -> int | None:
        """The seq of the first entry whose hash chain is broken, or None when the whole log is intact."""
        prev = ""
        with self._lock:
            rows = self._conn.execute(f"SELECT {','.join(_COLUMNS)} FROM audit ORDER BY seq").fetchall()
        for r in rows:
            e = dict(zip(_COLUMNS, r, strict=True))
            fields = [e[c] for c in _COLUMNS[1:11]]
            if e["prev_hash"] != prev or e["hash"] != _digest(prev, fields):
                return int(e["seq"])
            prev = str(e["hash"])
        return None

    @staticmethod
    def to_csv(entries: Sequence[AuditEntry]) -> Iterator[str]:
        buf = io.StringIO()
        w = csv_writer(buf)  # formula-looking cells (a key name "=cmd|…") neutralised
        w.writerow(_COLUMNS)
        for e in entries:
            d = e.to_dict()
            d["record_ids"] = " ".join(e.record_ids)
            w.writerow([d[c] for c in _COLUMNS])
        yield "\ufeff" + buf.getvalue()

    @staticmethod
    def to_ndjson(entries: Sequence[AuditEntry]) -> Iterator[str]:
        for e in entries:
            yield json.dumps(e.to_dict(), ensure_ascii=False) + "\n"

    def raw_connection(self) -> sqlite3.Connection:
        """For tests that prove the table refuses changes."""
        return self._conn

    def close(self) -> None:
        with self._lock:
            self._conn.close()
