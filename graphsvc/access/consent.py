"""The 本人同意 (consent) register: grants (:class:`graphsvc.domain.consent.ConsentGrant`) in the system database.

A grant says: this person agrees that their information is shared for these purposes with these recipients
(agency or host ids, or ``*`` for any), from ``valid_from`` until ``valid_until`` (inclusive; open when None).
Grants are kept keyed by (town, person id), apart from the graph. A withdrawn grant stays in the register with
``withdrawn_at`` set. :meth:`ConsentRegister.scope` is what the matching reads (the same consent that allows a
proposal), so there is one consent record.
"""

from __future__ import annotations

import json
import secrets
import threading
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime
from pathlib import Path

from graphsvc.access.db import connect_system_db
from graphsvc.domain.consent import ALL, ConsentGrant, ConsentScope, Purpose, scope_for

__all__ = ["ConsentRegister"]


def _today() -> date:
    """The day consent is checked on (UTC, as grants are recorded)."""
    return datetime.now(UTC).date()


_DDL = """
CREATE TABLE IF NOT EXISTS consent (
    grant_id TEXT PRIMARY KEY,
    town TEXT NOT NULL,
    person_id TEXT NOT NULL,
    purposes TEXT NOT NULL,
    recipients TEXT NOT NULL,
    valid_from TEXT NOT NULL,
    valid_until TEXT,
    recorded_by TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    withdrawn_at TEXT,
    note TEXT
);
CREATE INDEX IF NOT EXISTS consent_person ON consent (town, person_id);
"""
_COLS = (
    "grant_id",
    "town",
    "person_id",
    "purposes",
    "recipients",
    "valid_from",
    "valid_until",
    "recorded_by",
    "recorded_at",
    "withdrawn_at",
    "note",
)


class ConsentRegister:
    def __init__(self, path: Path):
        self._lock = threading.Lock()
        self._conn = connect_system_db(path)
        self._conn.executescript(_DDL)

    @staticmethod
    def _grant(row: Sequence[object]) -> ConsentGrant:
        d = dict(zip(_COLS, row, strict=True))
        d["purposes"] = json.loads(str(d["purposes"]))
        d["recipients"] = json.loads(str(d["recipients"]))
        return ConsentGrant(**d)  # type: ignore[arg-type]

    def grant(
        self,
        town: str,
        person_id: str,
        *,
        purposes: Iterable[str],
        recipients: Iterable[str] = (ALL,),
        valid_from: date | None = None,
        valid_until: date | None = None,
        recorded_by: str,
        note: str | None = None,
    ) -> ConsentGrant:
        g = ConsentGrant(
            grant_id=secrets.token_hex(8),
            town=town,
            person_id=person_id,
            purposes=sorted({str(p) for p in purposes}),
            recipients=sorted(set(recipients)) or [ALL],
            valid_from=(valid_from or datetime.now(UTC).date()).isoformat(),
            valid_until=valid_until.isoformat() if valid_until else None,
            recorded_by=recorded_by,
            recorded_at=datetime.now(UTC).replace(microsecond=0).isoformat(),
            note=note,
        )
        d = g.to_dict()
        d["purposes"] = json.dumps(g.purposes, ensure_ascii=False)
        d["recipients"] = json.dumps(g.recipients, ensure_ascii=False)
        with self._lock:
            self._conn.execute(
                f"INSERT INTO consent VALUES ({','.join('?' * len(_COLS))})", [d[c] for c in _COLS]
            )
        return g

    def withdraw(self, town: str, person_id: str, grant_id: str) -> bool:
        now = datetime.now(UTC).replace(microsecond=0).isoformat()
        with self._lock:
            cur = self._conn.execute(
                "UPDATE consent SET withdrawn_at = ? WHERE town=? AND person_id=? AND grant_id=?"
                " AND withdrawn_at IS NULL",
                (now, town, person_id, grant_id),
            )
        return cur.rowcount > 0

    def grants(self, town: str, person_id: str) -> list[ConsentGrant]:
        with self._lock:
            rows = self._conn.execute(
                f"SELECT {','.join(_COLS)} FROM consent WHERE town=? AND person_id=? ORDER BY recorded_at",
                (town, person_id),
            ).fetchall()
        return [self._grant(r) for r in rows]

    def covers(
        self,
        town: str,
        person_id: str,
        purpose: Purpose | str | None,
        recipient: str | None = None,
        *,
        on: date | None = None,
    ) -> bool:
        day = on or _today()
        return any(g.covers(purpose, recipient, day) for g in self.grants(town, person_id))

    def scope(
        self, town: str, person_id: str, purpose: Purpose | str | None, *, on: date | None = None
    ) -> ConsentScope | None:
        """The recipients the person's grants allow for the purpose, or None when the register holds no grant
        of the person at all (withdrawn and expired grants count: they mean "nobody")."""
        grants = self.grants(town, person_id)
        if not grants:
            return None
        return scope_for(grants, purpose, on or _today())

    def persons_covered(
        self, town: str, purpose: Purpose | str | None, *, on: date | None = None
    ) -> set[str]:
        day = on or _today()
        with self._lock:
            rows = self._conn.execute(
                f"SELECT {','.join(_COLS)} FROM consent WHERE town=? AND withdrawn_at IS NULL", (town,)
            ).fetchall()
        return {g.person_id for g in map(self._grant, rows) if g.covers(purpose, None, day)}

    def close(self) -> None:
        with self._lock:
            self._conn.close()
