"""The embedded store: one SQLite file per town, WAL journal, full fsync on commit.

Why SQLite (and not the embedded Cypher engine ``ladybug``): it ships with Python, so a fresh clone needs no
server and no native wheel; WAL lets several API worker *processes* read while one writes (ladybug refuses a
second process); ``synchronous=FULL`` makes every acknowledged commit survive a SIGKILL or a power cut; real
transactions give the atomicity the contract asks for; and the analyses work on a networkx projection anyway,
so a Cypher engine in-process would buy little. Graph reads the services need (neighbourhoods, relationships of
a node) are indexed lookups on the ``rels`` table.

Layout: ``nodes(label, id, props, modified)`` keyed by (label, id) and ``rels(type, src_label, src_id, dst_label, dst_id,
props)`` keyed by all five, with foreign keys to ``nodes`` and an index on each end. ``props`` is canonical
JSON (sorted keys) so an upsert of identical values is detected and changes nothing. ``modified`` is when the
node's props last changed (ISO 8601 UTC, see :func:`~graphsvc.store.common.format_modified`): set on insert and
by an upsert that changes ``props``, one time per write batch; NULL (unknown) for rows written before schema 2.

Schema versions: 1 had no ``modified``; opening a version-1 file adds the column (existing rows NULL) and
records version 2, in the same transaction that creates a fresh file's tables.
"""

from __future__ import annotations

import contextlib
import json
import re
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import networkx as nx

from graphsvc.domain.codec import Prop, Props
from graphsvc.domain.enums import NodeLabel, RelType
from graphsvc.domain.errors import EndpointMissingError, StoreUnavailableError
from graphsvc.store.common import (
    StoreMixin,
    build_projection,
    check_batch,
    format_modified,
    has_rels_error,
    missing_end_problems,
    nodes_of,
    parse_modified,
    within_hops,
)
from graphsvc.store.port import (
    Counts,
    Direction,
    NodeRef,
    NodeRow,
    RelRow,
    Subgraph,
    WriteBatch,
    WriteResult,
)

__all__ = ["EmbeddedStore"]

SCHEMA_VERSION = "2"
_KEY_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_CHUNK = 500

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS nodes (
    label TEXT NOT NULL,
    id    TEXT NOT NULL,
    props TEXT NOT NULL,
    modified TEXT,
    PRIMARY KEY (label, id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS rels (
    type      TEXT NOT NULL,
    src_label TEXT NOT NULL,
    src_id    TEXT NOT NULL,
    dst_label TEXT NOT NULL,
    dst_id    TEXT NOT NULL,
    props     TEXT NOT NULL,
    PRIMARY KEY (type, src_label, src_id, dst_label, dst_id),
    FOREIGN KEY (src_label, src_id) REFERENCES nodes (label, id),
    FOREIGN KEY (dst_label, dst_id) REFERENCES nodes (label, id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS rels_by_src ON rels (src_label, src_id, type);
CREATE INDEX IF NOT EXISTS rels_by_dst ON rels (dst_label, dst_id, type);
"""
_SCHEMA_STATEMENTS = [q.strip() for q in _SCHEMA.split(";") if q.strip()]
_NODE_COLS = "label, id, props, modified"


_INT64 = (-(2**63), 2**63 - 1)
_ENCODE = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode


def _dump(props: Mapping[str, Any]) -> str:
    """Canonical JSON of a property map. Integers must fit in 64 bits, as in Neo4j (whose driver refuses the
    same values when it packs a statement): both stores fail such a write inside the transaction."""
    if not props:
        return "{}"
    for key, v in props.items():
        if type(v) is int and not _INT64[0] <= v <= _INT64[1]:
            raise OverflowError(f"整数が64ビットの範囲外です: {key} (integer out of 64-bit range: {key})")
    return _ENCODE(props)


def _chunks(seq: Sequence[Any], n: int = _CHUNK) -> Iterator[Sequence[Any]]:
    for i in range(0, len(seq), n):
        yield seq[i : i + n]


class EmbeddedStore(StoreMixin):
    """One town's graph in a SQLite file. Thread-safe: one connection per thread, one writer at a time."""

    def __init__(
        self, path: str | Path, town: str, *, synchronous: str = "FULL", busy_timeout_ms: int = 30_000
    ):
        self.town = town
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._synchronous = synchronous
        self._busy_timeout_ms = busy_timeout_ms
        self._local = threading.local()
        self._write_lock = threading.Lock()
        self._closed = False
        self._conns: list[sqlite3.Connection] = []
        self._conns_lock = threading.Lock()
        conn = self._conn()
        with self._write_lock:
            conn.execute("BEGIN IMMEDIATE")  # one writer: two processes opening a version-1 file migrate once
            try:
                for stmt in _SCHEMA_STATEMENTS:
                    conn.execute(stmt)
                self._migrate(conn)
                conn.execute("INSERT OR IGNORE INTO meta VALUES ('town', ?)", (town,))
                conn.execute("INSERT OR IGNORE INTO meta VALUES ('revision', '0')")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    @staticmethod
    def _migrate(conn: sqlite3.Connection) -> None:
        """Bring a file of an older schema to :data:`SCHEMA_VERSION` (inside the opening transaction).

        A file written by a *newer* version of tsunagari is refused untouched (it may hold what this version
        cannot keep).
        """
        row = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        if row is not None and row[0].isdigit() and int(row[0]) > int(SCHEMA_VERSION):
            raise StoreUnavailableError.one(
                f"このデータベースは新しい版の tsunagari で作られています (スキーマ {row[0]}、"
                f"この版は {SCHEMA_VERSION} まで)。tsunagari を更新してください",
                f"the database was written by a newer tsunagari (schema {row[0]}; this version reads up to "
                f"{SCHEMA_VERSION}): upgrade tsunagari",
                field="schema_version",
            )
        columns = {row[1] for row in conn.execute("PRAGMA table_info(nodes)")}
        if "modified" not in columns:  # version 1: modification times unknown (NULL) for existing rows
            conn.execute("ALTER TABLE nodes ADD COLUMN modified TEXT")
        conn.execute(
            "INSERT INTO meta VALUES ('schema_version', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (SCHEMA_VERSION,),
        )

    # ------------------------------------------------------------------ connections

    def _conn(self) -> sqlite3.Connection:
        if self._closed:
            raise StoreUnavailableError.one(
                "データベースが閉じられています", "the embedded store is closed", field="store"
            )
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            try:
                conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
                conn.execute(f"PRAGMA busy_timeout = {int(self._busy_timeout_ms)}")
                conn.execute("PRAGMA journal_mode = WAL")
                if self._synchronous not in ("FULL", "NORMAL", "EXTRA"):
                    raise ValueError(self._synchronous)
                conn.execute(f"PRAGMA synchronous = {self._synchronous}")
                conn.execute("PRAGMA foreign_keys = ON")
                conn.execute("PRAGMA cache_size = -65536")
                conn.execute("PRAGMA temp_store = MEMORY")
            except sqlite3.Error as err:
                raise StoreUnavailableError.one(
                    f"データベースを開けません: {self.path}",
                    f"cannot open the embedded store: {err}",
                    field="store",
                ) from err
            self._local.conn = conn
            with self._conns_lock:
                self._conns.append(conn)
        return conn

    def close(self) -> None:
        self._closed = True
        with self._conns_lock:
            for c in self._conns:
                with contextlib.suppress(sqlite3.Error):
                    c.close()
            self._conns.clear()
        self._local = threading.local()

    def __enter__(self) -> EmbeddedStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def ping(self) -> None:
        try:
            self._conn().execute("SELECT 1").fetchone()
        except sqlite3.Error as err:
            raise StoreUnavailableError.one(
                "データベースに接続できません", f"store unreachable: {err}"
            ) from err

    # ------------------------------------------------------------------ writes

    def write(self, batch: WriteBatch) -> WriteResult:
        check_batch(batch)
        conn = self._conn()
        res = WriteResult()
        with self._write_lock:
            conn.execute("BEGIN IMMEDIATE")
            try:
                self._write_nodes(conn, batch.nodes, format_modified(datetime.now(UTC)), res)
                self._write_rels(conn, batch.rels, res)
                for rel_type, src, dst in batch.delete_rels:
                    cur = conn.execute(
                        "DELETE FROM rels WHERE type=? AND src_label=? AND src_id=? AND dst_label=? AND dst_id=?",
                        (RelType(rel_type).value, src.label.value, src.id, dst.label.value, dst.id),
                    )
                    res.rels_deleted += cur.rowcount
                self._delete_nodes(conn, batch.delete_nodes, batch.detach, res)
                self._bump(conn)
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")
        return res

    @staticmethod
    def _bump(conn: sqlite3.Connection) -> None:
        conn.execute("UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'revision'")

    def revision(self) -> int | None:
        row = self._conn().execute("SELECT value FROM meta WHERE key = 'revision'").fetchone()
        return int(row[0]) if row else None

    def _write_nodes(
        self, conn: sqlite3.Connection, nodes: Sequence[NodeRow], now: str, res: WriteResult
    ) -> None:
        """Insert or update; ``now`` (the batch's time) goes to created rows and to rows whose props change."""
        if not nodes:
            return
        # StrEnum binds as its text; NodeRow.modified is the store's to set, so it is not read here
        rows = [(n.label, n.id, _dump({**n.props, "id": n.id}), now) for n in nodes]
        before = conn.total_changes
        conn.executemany("INSERT OR IGNORE INTO nodes (label, id, props, modified) VALUES (?, ?, ?, ?)", rows)
        created = conn.total_changes - before
        res.nodes_created += created
        if created == len(rows):  # a fresh load: nothing to compare
            return
        before = conn.total_changes
        conn.executemany(
            "UPDATE nodes SET props = ?3, modified = ?4 WHERE label = ?1 AND id = ?2 AND props <> ?3",
            rows,
        )
        res.nodes_updated += conn.total_changes - before

    def _write_rels(self, conn: sqlite3.Connection, rels: Sequence[RelRow], res: WriteResult) -> None:
        if not rels:
            return
        rows = [
            (r.type.value, r.src.label.value, r.src.id, r.dst.label.value, r.dst.id, _dump(r.props))
            for r in rels
        ]
        before = conn.total_changes
        try:
            conn.executemany(
                "INSERT OR IGNORE INTO rels (type, src_label, src_id, dst_label, dst_id, props) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                rows,
            )
        except sqlite3.IntegrityError as err:
            if "FOREIGN KEY" in str(err):
                raise self._missing_endpoints(conn, rels) from None
            raise
        created = conn.total_changes - before
        res.rels_created += created
        if created == len(rows):
            return
        before = conn.total_changes
        conn.executemany(
            "UPDATE rels SET props = ?6 WHERE type = ?1 AND src_label = ?2 AND src_id = ?3 "
            "AND dst_label = ?4 AND dst_id = ?5 AND props <> ?6",
            rows,
        )
        res.rels_updated += conn.total_changes - before

    def _missing_endpoints(self, conn: sqlite3.Connection, rels: Sequence[RelRow]) -> EndpointMissingError:
        cache: dict[NodeRef, bool] = {}

        def exists(ref: NodeRef) -> bool:
            if ref not in cache:
                cache[ref] = (
                    conn.execute(
                        "SELECT 1 FROM nodes WHERE label = ? AND id = ?", (ref.label.value, ref.id)
                    ).fetchone()
                    is not None
                )
            return cache[ref]

        problems = missing_end_problems(rels, exists)
        return EndpointMissingError(problems)

    def _delete_nodes(
        self, conn: sqlite3.Connection, refs: Sequence[NodeRef], detach: bool, res: WriteResult
    ) -> None:
        if not refs:
            return
        keys = [(r.label.value, r.id) for r in refs]
        if detach:
            before = conn.total_changes
            conn.executemany("DELETE FROM rels WHERE src_label = ? AND src_id = ?", keys)
            conn.executemany("DELETE FROM rels WHERE dst_label = ? AND dst_id = ?", keys)
            res.rels_deleted += conn.total_changes - before
        else:
            connected = [
                r
                for r, k in zip(refs, keys, strict=True)
                if conn.execute(
                    "SELECT 1 FROM rels WHERE (src_label = ?1 AND src_id = ?2) OR (dst_label = ?1 AND dst_id = ?2)"
                    " LIMIT 1",
                    k,
                ).fetchone()
            ]
            if connected:
                raise has_rels_error(connected)
        before = conn.total_changes
        conn.executemany("DELETE FROM nodes WHERE label = ? AND id = ?", keys)
        res.nodes_deleted += conn.total_changes - before

    def clear(self) -> None:
        conn = self._conn()
        with self._write_lock:
            conn.execute("BEGIN IMMEDIATE")
            try:
                conn.execute("DELETE FROM rels")
                conn.execute("DELETE FROM nodes")
                self._bump(conn)
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    # ------------------------------------------------------------------ reads

    @staticmethod
    def _node(label: str, id_: str, props: str, modified: str | None) -> NodeRow:
        return NodeRow(NodeLabel(label), id_, json.loads(props), parse_modified(modified))

    @staticmethod
    def _rel(row: Sequence[str]) -> RelRow:
        t, sl, si, dl, di, p = row
        return RelRow(RelType(t), NodeRef(NodeLabel(sl), si), NodeRef(NodeLabel(dl), di), json.loads(p))

    def get_node(self, ref: NodeRef) -> NodeRow | None:
        row = (
            self._conn()
            .execute(f"SELECT {_NODE_COLS} FROM nodes WHERE label = ? AND id = ?", (ref.label.value, ref.id))
            .fetchone()
        )
        return self._node(*row) if row else None

    def get_nodes(self, label: NodeLabel, ids: Sequence[str]) -> list[NodeRow]:
        label = NodeLabel(label)
        out: dict[str, NodeRow] = {}
        conn = self._conn()
        for chunk in _chunks(list(dict.fromkeys(ids))):
            q = f"SELECT {_NODE_COLS} FROM nodes WHERE label = ? AND id IN ({','.join('?' * len(chunk))})"
            for row in conn.execute(q, (label.value, *chunk)):
                out[row[1]] = self._node(*row)
        return [out[i] for i in ids if i in out]

    def find_nodes(
        self,
        label: NodeLabel,
        where: Mapping[str, Prop] | None = None,
        *,
        limit: int | None = None,
        offset: int = 0,
    ) -> list[NodeRow]:
        sql = [f"SELECT {_NODE_COLS} FROM nodes WHERE label = ?"]
        params: list[Any] = [NodeLabel(label).value]
        for key, value in (where or {}).items():
            if not _KEY_RE.match(key):
                raise ValueError(f"invalid property name: {key!r}")
            path = f"$.{key}"
            sql.append(
                "AND (CASE json_type(props, ?) WHEN 'array' THEN "
                "EXISTS (SELECT 1 FROM json_each(props, ?) WHERE value = ?) "
                "ELSE json_extract(props, ?) = ? END)"
            )
            params += [path, path, value, path, value]
        sql.append("ORDER BY id LIMIT ? OFFSET ?")
        params += [-1 if limit is None else int(limit), int(offset)]
        return [self._node(*r) for r in self._conn().execute(" ".join(sql), params)]

    def iter_nodes(self, label: NodeLabel) -> Iterator[NodeRow]:
        cur = self._conn().execute(
            f"SELECT {_NODE_COLS} FROM nodes WHERE label = ? ORDER BY id", (NodeLabel(label).value,)
        )
        for row in cur:
            yield self._node(*row)

    def iter_rels(self, rel_type: RelType) -> Iterator[RelRow]:
        cur = self._conn().execute(
            "SELECT type, src_label, src_id, dst_label, dst_id, props FROM rels WHERE type = ? "
            "ORDER BY src_label, src_id, dst_label, dst_id",
            (RelType(rel_type).value,),
        )
        for row in cur:
            yield self._rel(row)

    def relationships(
        self, ref: NodeRef, *, types: Sequence[RelType] | None = None, direction: Direction = "both"
    ) -> list[RelRow]:
        return self._incident(self._conn(), [ref], types, direction)

    def _incident(
        self,
        conn: sqlite3.Connection,
        refs: Sequence[NodeRef],
        types: Sequence[RelType] | None,
        direction: Direction,
    ) -> list[RelRow]:
        cols = "type, src_label, src_id, dst_label, dst_id, props"
        tfilter = ""
        tparams: list[str] = []
        if types:
            tfilter = f" AND type IN ({','.join('?' * len(types))})"
            tparams = [RelType(t).value for t in types]
        out: dict[tuple[str, ...], RelRow] = {}
        for ref in refs:
            key = (ref.label.value, ref.id)
            queries = []
            if direction in ("out", "both"):
                queries.append(f"SELECT {cols} FROM rels WHERE src_label = ? AND src_id = ?{tfilter}")
            if direction in ("in", "both"):
                queries.append(f"SELECT {cols} FROM rels WHERE dst_label = ? AND dst_id = ?{tfilter}")
            for q in queries:
                for row in conn.execute(q, (*key, *tparams)):
                    out[tuple(row[:5])] = self._rel(row)
        return [out[k] for k in sorted(out)]

    def neighbourhood(
        self, ref: NodeRef, *, depth: int = 1, types: Sequence[RelType] | None = None
    ) -> Subgraph:
        if depth < 0:
            raise ValueError("depth must be >= 0")
        conn = self._conn()
        if self.get_node(ref) is None:
            return Subgraph(nodes=[], rels=[])
        seen, rels = within_hops(ref, depth, lambda refs: self._incident(conn, refs, types, "both"))
        return Subgraph(nodes=nodes_of(seen, self.get_nodes), rels=rels)

    def counts(self) -> Counts:
        conn = self._conn()
        nodes = dict(
            conn.execute("SELECT label, count(*) FROM nodes GROUP BY label ORDER BY label").fetchall()
        )
        rels = dict(conn.execute("SELECT type, count(*) FROM rels GROUP BY type ORDER BY type").fetchall())
        return Counts(nodes=nodes, rels=rels)

    def projection(
        self, labels: Sequence[NodeLabel] | None = None, rel_types: Sequence[RelType] | None = None
    ) -> nx.MultiDiGraph:
        conn = self._conn()
        nq, nparams = "SELECT label, id, props FROM nodes", []
        if labels:
            nq += f" WHERE label IN ({','.join('?' * len(labels))})"
            nparams = [NodeLabel(x).value for x in labels]
        rq, rparams = "SELECT type, src_label, src_id, dst_label, dst_id, props FROM rels", []
        if rel_types:
            rq += f" WHERE type IN ({','.join('?' * len(rel_types))})"
            rparams = [RelType(x).value for x in rel_types]
        loads = json.loads
        nodes: Iterable[tuple[str, str, Props]] = (
            (lbl, i, loads(p)) for lbl, i, p in conn.execute(nq, nparams)
        )
        rels = ((t, sl, si, dl, di, loads(p)) for t, sl, si, dl, di, p in conn.execute(rq, rparams))
        return build_projection(nodes, rels)
