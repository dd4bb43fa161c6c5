"""Which case system wrote which record (kind = the resource path, or ``ties``), so it reads back, changes
and deletes only its own."""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
from pathlib import Path

from graphsvc.access.db import connect_system_db, now_iso

__all__ = ["OwnershipRegister"]

_DDL = """
CREATE TABLE IF NOT EXISTS ownership (
    town TEXT NOT NULL,
    kind TEXT NOT NULL,
    record_id TEXT NOT NULL,
    system_id TEXT NOT NULL,
    at TEXT NOT NULL,
    PRIMARY KEY (town, kind, record_id)
);
"""


class OwnershipRegister:
    """Which case system wrote which record (kind = node label or ``tie``), so it reads back only its own."""

    def __init__(self, path: Path):
        self._lock = threading.Lock()
        self._conn = connect_system_db(path)
        self._conn.executescript(_DDL)

    def owners(self, town: str, kind: str, ids: Sequence[str]) -> dict[str, str]:
        out: dict[str, str] = {}
        with self._lock:
            for i in range(0, len(ids), 500):
                chunk = list(ids[i : i + 500])
                q = ",".join("?" * len(chunk))
                for rid, sid in self._conn.execute(
                    f"SELECT record_id, system_id FROM ownership WHERE town=? AND kind=? AND record_id IN ({q})",
                    (town, kind, *chunk),
                ):
                    out[str(rid)] = str(sid)
        return out

    def owned(self, town: str, kind: str, system_id: str) -> list[str]:
        with self._lock:
            rows = self._conn.execute(
                "SELECT record_id FROM ownership WHERE town=? AND kind=? AND system_id=? ORDER BY record_id",
                (town, kind, system_id),
            ).fetchall()
        return [str(r[0]) for r in rows]

    def claim(self, town: str, kind: str, ids: Iterable[str], system_id: str) -> None:
        now = now_iso()
        with self._lock:
            self._conn.executemany(
                "INSERT OR IGNORE INTO ownership VALUES (?,?,?,?,?)",
                [(town, kind, rid, system_id, now) for rid in ids],
            )

    def release(self, town: str, kind: str, ids: Iterable[str]) -> None:
        with self._lock:
            self._conn.executemany(
                "DELETE FROM ownership WHERE town=? AND kind=? AND record_id=?",
                [(town, kind, rid) for rid in ids],
            )

    def close(self) -> None:
        with self._lock:
            self._conn.close()
