"""The system database's connection: one SQLite file (``data/_system/system.sqlite3`` by default, never in git)
shared by the key store, the ownership and consent registers, the audit log and the web sessions."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

__all__ = ["connect_system_db", "now_iso"]


def connect_system_db(path: Path) -> sqlite3.Connection:
    """One connection to the system database (WAL, autocommit; callers serialise with their own lock)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    conn.execute("PRAGMA busy_timeout = 30000")
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    return conn


def now_iso() -> str:
    """The current UTC time to the second, ISO 8601."""
    return datetime.now(UTC).replace(microsecond=0).isoformat()
