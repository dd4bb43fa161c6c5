"""The 名寄せ (record linkage) register in the system database: runs, the pairs they scored, the review queue,
the current clustering, and reviewers' decisions.

* ``linkage_runs``: one row per run: when, who (key id, name, role), the legal basis (支援会議 under 社会福祉法
  第106条の6, or 本人同意) and its reference, the counts and the trained model (weights only, no personal data).
* ``linkage_edges``: the pairs a run scored (record ids and weights), so a decision can re-cluster without
  scoring again.
* ``linkage_state``: the current clustering (record → person, household) and the review queue, replaced as a
  whole by every run and every decision.
* ``linkage_decisions``: append-only (triggers refuse UPDATE and DELETE): accept / reject / unsure / undo. The
  current decision of a pair is its latest row; ``undo`` withdraws it. A re-run reads these and never undoes them.

Record ids are ``{agency id}:{case id}``: no names are stored here.
"""

from __future__ import annotations

import json
import secrets
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from graphsvc.access.db import connect_system_db, now_iso
from graphsvc.access.principals import Principal

__all__ = ["DECISIONS", "Decision", "LinkageRegister", "QueuedPair", "RunRecord"]

DECISIONS = ("accept", "reject", "unsure", "undo")

_DDL = """
CREATE TABLE IF NOT EXISTS linkage_runs (
    run_id TEXT PRIMARY KEY,
    town TEXT NOT NULL,
    at TEXT NOT NULL,
    key_id TEXT NOT NULL,
    key_name TEXT NOT NULL,
    role TEXT NOT NULL,
    basis TEXT NOT NULL,
    reference TEXT NOT NULL,
    figures TEXT NOT NULL,
    model TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS linkage_runs_town ON linkage_runs (town, at);
CREATE TABLE IF NOT EXISTS linkage_edges (
    run_id TEXT NOT NULL,
    a TEXT NOT NULL,
    b TEXT NOT NULL,
    weight REAL NOT NULL,
    probability REAL NOT NULL,
    conflict INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS linkage_edges_run ON linkage_edges (run_id);
CREATE TABLE IF NOT EXISTS linkage_state (
    town TEXT PRIMARY KEY,
    run_id TEXT NOT NULL,
    at TEXT NOT NULL,
    clusters TEXT NOT NULL,
    queue TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS linkage_decisions (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    town TEXT NOT NULL,
    a TEXT NOT NULL,
    b TEXT NOT NULL,
    decision TEXT NOT NULL,
    at TEXT NOT NULL,
    key_id TEXT NOT NULL,
    key_name TEXT NOT NULL,
    role TEXT NOT NULL,
    note TEXT
);
CREATE INDEX IF NOT EXISTS linkage_decisions_pair ON linkage_decisions (town, a, b);
CREATE TRIGGER IF NOT EXISTS linkage_decisions_no_update BEFORE UPDATE ON linkage_decisions
BEGIN SELECT RAISE(ABORT, '名寄せの判断は追記のみです (linkage decisions are append-only)'); END;
CREATE TRIGGER IF NOT EXISTS linkage_decisions_no_delete BEFORE DELETE ON linkage_decisions
BEGIN SELECT RAISE(ABORT, '名寄せの判断は追記のみです (linkage decisions are append-only)'); END;
"""


@dataclass(frozen=True)
class RunRecord:
    run_id: str
    town: str
    at: str
    key_id: str
    key_name: str
    role: str
    basis: str
    reference: str
    figures: dict[str, Any]


@dataclass(frozen=True)
class Decision:
    seq: int
    a: str
    b: str
    decision: str
    at: str
    key_id: str
    key_name: str
    role: str
    note: str | None


@dataclass(frozen=True)
class QueuedPair:
    """A pair waiting for a reviewer: record ids (``a < b``), the model's weight and probability, and why."""

    a: str
    b: str
    weight: float
    probability: float
    reason: str


def pair_key(a: str, b: str) -> tuple[str, str]:
    return (a, b) if a <= b else (b, a)


class LinkageRegister:
    def __init__(self, path: Path):
        self._lock = threading.Lock()
        self._conn = connect_system_db(path)
        self._conn.executescript(_DDL)

    def close(self) -> None:
        self._conn.close()

    # -- runs
    def add_run(
        self,
        town: str,
        principal: Principal,
        *,
        basis: str,
        reference: str,
        figures: dict[str, Any],
        model: dict[str, Any],
        edges: Iterable[tuple[str, str, float, float, bool]],
    ) -> RunRecord:
        run_id = "R-" + secrets.token_hex(6)
        at = now_iso()
        with self._lock:
            c = self._conn
            c.execute("BEGIN IMMEDIATE")
            try:
                c.execute(
                    "INSERT INTO linkage_runs VALUES (?,?,?,?,?,?,?,?,?,?)",
                    (
                        run_id,
                        town,
                        at,
                        principal.key_id,
                        principal.name,
                        principal.role.value,
                        basis,
                        reference,
                        json.dumps(figures, ensure_ascii=False),
                        json.dumps(model, ensure_ascii=False),
                    ),
                )
                # only the town's latest run's pairs are needed to re-cluster
                c.execute(
                    "DELETE FROM linkage_edges WHERE run_id IN (SELECT run_id FROM linkage_runs WHERE town = ?)",
                    (town,),
                )
                c.executemany(
                    "INSERT INTO linkage_edges VALUES (?,?,?,?,?,?)",
                    ((run_id, a, b, w, p, int(k)) for a, b, w, p, k in edges),
                )
                c.execute("COMMIT")
            except BaseException:
                c.execute("ROLLBACK")
                raise
        return RunRecord(
            run_id,
            town,
            at,
            principal.key_id,
            principal.name,
            principal.role.value,
            basis,
            reference,
            figures,
        )

    def runs(self, town: str) -> list[RunRecord]:
        with self._lock:
            rows = self._conn.execute(
                "SELECT run_id, town, at, key_id, key_name, role, basis, reference, figures FROM linkage_runs "
                "WHERE town = ? ORDER BY at DESC, rowid DESC",
                (town,),
            ).fetchall()
        return [
            RunRecord(
                str(r[0]),
                str(r[1]),
                str(r[2]),
                str(r[3]),
                str(r[4]),
                str(r[5]),
                str(r[6]),
                str(r[7]),
                json.loads(r[8]),
            )
            for r in rows
        ]

    def update_figures(self, run_id: str, figures: dict[str, Any]) -> None:
        """Runs are history; only the figures computed after writing (person and household counts) are added."""
        with self._lock:
            self._conn.execute(
                "UPDATE linkage_runs SET figures = ? WHERE run_id = ?",
                (json.dumps(figures, ensure_ascii=False), run_id),
            )

    def model(self, run_id: str) -> dict[str, Any]:
        with self._lock:
            row = self._conn.execute("SELECT model FROM linkage_runs WHERE run_id = ?", (run_id,)).fetchone()
        return dict(json.loads(row[0])) if row else {}

    def edges(self, run_id: str) -> list[tuple[str, str, float, float, bool]]:
        with self._lock:
            rows = self._conn.execute(
                "SELECT a, b, weight, probability, conflict FROM linkage_edges WHERE run_id = ?", (run_id,)
            ).fetchall()
        return [(str(a), str(b), float(w), float(p), bool(k)) for a, b, w, p, k in rows]

    def edge(self, run_id: str, a: str, b: str) -> tuple[float, float] | None:
        a, b = pair_key(a, b)
        with self._lock:
            row = self._conn.execute(
                "SELECT weight, probability FROM linkage_edges WHERE run_id = ? AND "
                "((a = ? AND b = ?) OR (a = ? AND b = ?))",
                (run_id, a, b, b, a),
            ).fetchone()
        return (float(row[0]), float(row[1])) if row else None

    # -- the current state
    def set_state(
        self, town: str, run_id: str, clusters: dict[str, list[str]], queue: Sequence[QueuedPair]
    ) -> None:
        """``clusters``: record id → [person id, household id]."""
        q = [[p.a, p.b, p.weight, p.probability, p.reason] for p in queue]
        with self._lock:
            self._conn.execute(
                "INSERT INTO linkage_state VALUES (?,?,?,?,?) ON CONFLICT(town) DO UPDATE SET "
                "run_id = excluded.run_id, at = excluded.at, clusters = excluded.clusters, queue = excluded.queue",
                (town, run_id, now_iso(), json.dumps(clusters), json.dumps(q)),
            )

    def state(self, town: str) -> tuple[str, dict[str, list[str]], list[QueuedPair]] | None:
        with self._lock:
            row = self._conn.execute(
                "SELECT run_id, clusters, queue FROM linkage_state WHERE town = ?", (town,)
            ).fetchone()
        if row is None:
            return None
        queue = [
            QueuedPair(str(a), str(b), float(w), float(p), str(r)) for a, b, w, p, r in json.loads(row[2])
        ]
        return str(row[0]), dict(json.loads(row[1])), queue

    # -- decisions
    def decide(
        self, town: str, principal: Principal, a: str, b: str, decision: str, note: str | None = None
    ) -> Decision:
        if decision not in DECISIONS:
            raise ValueError(decision)
        a, b = pair_key(a, b)
        at = now_iso()
        with self._lock:
            cur = self._conn.execute(
                "INSERT INTO linkage_decisions (town, a, b, decision, at, key_id, key_name, role, note) "
                "VALUES (?,?,?,?,?,?,?,?,?)",
                (town, a, b, decision, at, principal.key_id, principal.name, principal.role.value, note),
            )
            seq = int(cur.lastrowid or 0)
        return Decision(seq, a, b, decision, at, principal.key_id, principal.name, principal.role.value, note)

    def history(self, town: str, a: str | None = None, b: str | None = None) -> list[Decision]:
        """Every decision of the town (or of one pair), oldest first."""
        sql = "SELECT seq, a, b, decision, at, key_id, key_name, role, note FROM linkage_decisions WHERE town = ?"
        params: list[Any] = [town]
        if a is not None and b is not None:
            a, b = pair_key(a, b)
            sql += " AND a = ? AND b = ?"
            params += [a, b]
        with self._lock:
            rows = self._conn.execute(sql + " ORDER BY seq", params).fetchall()
        return [Decision(*r) for r in rows]

    def current(self, town: str) -> dict[tuple[str, str], Decision]:
        """The pairs whose latest decision stands (``undo`` withdraws the decision before it)."""
        out: dict[tuple[str, str], Decision] = {}
        for d in self.history(town):
            if d.decision == "undo":
                out.pop((d.a, d.b), None)
            else:
                out[(d.a, d.b)] = d
        return out
