"""本人同意 (consent) register and the purposes (利用目的) personal data may be read for.

A grant says: this person agrees that their information is shared for these purposes with these recipients
(agency or host ids, or ``*`` for any), from ``valid_from`` until ``valid_until`` (inclusive; open when None).
Grants are kept in the system database keyed by (town, person id), apart from the graph, so the domain records
stay as they are. A withdrawn grant stays in the register with ``withdrawn_at`` set.

Before any consent only the 支援会議 scope applies (Social Welfare Act art. 106-6): members of a support meeting,
bound to confidentiality, may see a case without consent (names redacted by the API unless a grant covers it).
"""

from __future__ import annotations

import json
import secrets
import threading
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime
from enum import StrEnum
from pathlib import Path
from urllib.parse import unquote

from graphsvc.api.security import ALL, connect_system_db

__all__ = ["PURPOSE_ALIASES", "ConsentGrant", "ConsentRegister", "Purpose", "parse_purpose"]


class Purpose(StrEnum):
    """利用目的 (the purpose of a read of personal data)."""

    PARTICIPATION = "参加支援"
    SUPPORT_MEETING = "支援会議"
    OUTREACH = "アウトリーチ"
    ADMINISTRATION = "事務"


PURPOSE_ALIASES: dict[str, Purpose] = {
    "participation": Purpose.PARTICIPATION,
    "support_meeting": Purpose.SUPPORT_MEETING,
    "outreach": Purpose.OUTREACH,
    "administration": Purpose.ADMINISTRATION,
    **{p.value: p for p in Purpose},
}


def parse_purpose(raw: str | None) -> Purpose | None:
    """A purpose from a header or query value: Japanese (percent-encoded in headers) or its ASCII alias."""
    if raw is None or not raw.strip():
        return None
    text = unquote(raw.strip())
    return PURPOSE_ALIASES.get(text) or PURPOSE_ALIASES.get(text.lower())


@dataclass(frozen=True)
class ConsentGrant:
    grant_id: str
    town: str
    person_id: str
    purposes: list[str]
    recipients: list[str]
    valid_from: str
    valid_until: str | None
    recorded_by: str
    recorded_at: str
    withdrawn_at: str | None = None
    note: str | None = None

    def active(self, on: date) -> bool:
        if self.withdrawn_at is not None:
            return False
        if date.fromisoformat(self.valid_from) > on:
            return False
        return self.valid_until is None or date.fromisoformat(self.valid_until) >= on

    def covers(self, purpose: Purpose | str | None, recipient: str | None, on: date) -> bool:
        if not self.active(on):
            return False
        if purpose is not None and ALL not in self.purposes and str(purpose) not in self.purposes:
            return False
        return recipient is None or ALL in self.recipients or recipient in self.recipients

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


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
        day = on or datetime.now(UTC).date()
        return any(g.covers(purpose, recipient, day) for g in self.grants(town, person_id))

    def persons_covered(
        self, town: str, purpose: Purpose | str | None, *, on: date | None = None
    ) -> set[str]:
        day = on or datetime.now(UTC).date()
        with self._lock:
            rows = self._conn.execute(
                f"SELECT {','.join(_COLS)} FROM consent WHERE town=? AND withdrawn_at IS NULL", (town,)
            ).fetchall()
        return {g.person_id for g in map(self._grant, rows) if g.covers(purpose, None, day)}

    def close(self) -> None:
        with self._lock:
            self._conn.close()
