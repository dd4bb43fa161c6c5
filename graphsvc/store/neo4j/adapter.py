"""The Neo4j adapter: one town's graph in Neo4j 5 through the official driver, as its documentation says.

- One ``Driver`` per process, owned by the composition root (:mod:`graphsvc.bootstrap`); the store never closes it.
- Every query runs in a transaction function (``session.execute_read`` / ``execute_write``, which retry on
  transient failures), and its records are consumed inside the function.
- ``$parameters`` only; the statements are in :mod:`graphsvc.store.neo4j.statements`.
- Schema: a ``(town, id)`` uniqueness constraint and a ``town`` index per label, created idempotently when a town is
  opened (:meth:`Neo4jStore.ensure_schema`); a database whose existing nodes break uniqueness gets a clear message
  listing the duplicates instead.
- Writes: one :meth:`Neo4jStore.write` is one transaction (node upserts, relationship upserts, relationship
  deletes, a check that no plain-deleted node keeps a relationship, node deletes), sent as ``UNWIND $rows``
  batches of ``batch_rows`` rows, one ``MERGE`` per row and no write for a row that changes nothing. A
  relationship row whose ends are missing matches nothing; the upsert returns how many rows matched, and a
  shortfall names the missing endpoints. Anything that fails (a missing endpoint, a refused delete, the server
  going away) rolls the whole batch back.
- Upserts report created vs updated with the embedded store's meaning: *updated* = the node or relationship
  existed and its properties changed.
- Values: date fields are Neo4j ``date`` values, the modification time (``_modified``) a ``datetime`` in UTC
  (see :mod:`graphsvc.store.neo4j.values`), set when a node is created or its properties change.
- Failures to reach or use the server are one Japanese message naming the URI (:mod:`~graphsvc.store.neo4j.errors`).
"""

from __future__ import annotations

import re
import threading
import weakref
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from functools import partial
from itertools import repeat
from typing import TYPE_CHECKING, Any

import networkx as nx
from neo4j import Driver, ManagedTransaction, Record
from neo4j.exceptions import ClientError, DatabaseError

from graphsvc.domain.codec import Prop, Props
from graphsvc.domain.enums import NodeLabel, RelType
from graphsvc.domain.errors import ConflictError, EndpointMissingError, Problem
from graphsvc.domain.records import REL_SPECS
from graphsvc.store.common import (
    MODIFIED_PROP,
    StoreMixin,
    build_projection,
    check_batch,
    has_rels_error,
    missing_end_problems,
    nodes_of,
    within_hops,
)
from graphsvc.store.neo4j.errors import store_errors
from graphsvc.store.neo4j.statements import (
    DIRECTIONS,
    PAGE_SIZE,
    Statement,
    incident_types,
    q_clear_label,
    q_connected_ids,
    q_count_nodes,
    q_count_rels,
    q_delete_nodes,
    q_delete_rels,
    q_duplicate_keys,
    q_existing_ids,
    q_find_nodes,
    q_get_node,
    q_get_nodes,
    q_incident,
    q_list_towns,
    q_node_page,
    q_out_rels_page,
    q_ping,
    q_rel_page,
    q_schema_names,
    q_upsert_nodes,
    q_upsert_rels,
    schema_statements,
    sorted_labels,
    types_key,
)
from graphsvc.store.neo4j.values import from_store, modified_from_store, to_store
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

if TYPE_CHECKING:
    from graphsvc.store.neo4j.gds import GdsNetwork

__all__ = ["DEFAULT_BATCH_ROWS", "Neo4jStore", "Recorder", "list_towns"]

DEFAULT_BATCH_ROWS = 2000
"""Rows per ``UNWIND`` statement (bench/bench_bolt_ingest.py measures the choice)."""

_KEY_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")

Recorder = Callable[[str, str, Mapping[str, Any]], None]
"""Called with (statement name, query, parameters) before each statement is sent (tests lint these)."""

# Schema is per database, not per town: created once per (driver, database) in a process.
_SCHEMA_READY: weakref.WeakKeyDictionary[Driver, set[str | None]] = weakref.WeakKeyDictionary()
_SCHEMA_LOCK = threading.Lock()


Plan = list[tuple[Statement, dict[str, Any]]]
"""Statements of one kind with their parameters, in the order they are sent."""


def _chunks(items: Sequence[Any], size: int) -> list[Sequence[Any]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


def _rel_key(
    t: RelType | str, sl: NodeLabel | str, si: str, dl: NodeLabel | str, di: str
) -> tuple[str, str, str, str, str]:
    return (RelType(t).value, NodeLabel(sl).value, si, NodeLabel(dl).value, di)


_PLAIN = frozenset({str, int, float, bool})


def _props_out(props: Mapping[str, Any] | None) -> Props:
    """Stored properties → port properties: nulls dropped (no stored property is null; the page statements
    return ``town`` as null), temporal values to ISO text. Plain values are kept as they are (the common case,
    checked by type first because this runs for every property of a projected town)."""
    plain = _PLAIN
    return {k: v if type(v) in plain else from_store(v) for k, v in (props or {}).items() if v is not None}


def _rel_row(rec: Mapping[str, Any]) -> RelRow:
    return RelRow(
        RelType(rec["type"]),
        NodeRef(NodeLabel(rec["src_label"]), rec["src_id"]),
        NodeRef(NodeLabel(rec["dst_label"]), rec["dst_id"]),
        _props_out(rec["props"]),
    )


def _rel_order(row: tuple[Any, ...]) -> tuple[Any, ...]:
    """A relationship page row ``(src_id, [type,] dst_label, dst_id, props)`` → its place: the row but its
    properties (source, [type,] target label, target id)."""
    return row[:-1]


def _node_props(props: Mapping[str, Any]) -> Props:
    return _props_out({k: v for k, v in props.items() if k not in ("town", MODIFIED_PROP)})


def _node_row(label: NodeLabel, id_: str, props: Mapping[str, Any]) -> NodeRow:
    """A stored node's properties → ``NodeRow``: ``town`` dropped, ``_modified`` moved to ``modified``."""
    return NodeRow(label, id_, _node_props(props), modified_from_store(props.get(MODIFIED_PROP)))


class Tx:
    """A managed transaction that records each statement and returns records consumed inside the function."""

    def __init__(self, tx: ManagedTransaction, recorder: Recorder | None):
        self._tx = tx
        self._recorder = recorder

    def run(self, stmt: Statement, params: Mapping[str, Any]) -> tuple[list[dict[str, Any]], Any]:
        if self._recorder is not None:
            self._recorder(stmt.name, stmt.query, params)
        result = self._tx.run(stmt.query, dict(params))
        records = [r.data() for r in result]
        return records, result.consume().counters

    def single(self, stmt: Statement, params: Mapping[str, Any]) -> Record:
        """The one record of a statement that returns exactly one (a page of parallel lists), taken as the
        driver gives it: ``Record.data()`` would walk every nested value again in Python."""
        if self._recorder is not None:
            self._recorder(stmt.name, stmt.query, params)
        return self._tx.run(stmt.query, dict(params)).single(strict=True)


class Neo4jStore(StoreMixin):
    """One town's graph in a Neo4j 5 database.

    Parameters
    ----------
    driver
        The process's one ``neo4j.Driver`` (the store does not close it).
    town
        The town whose nodes this store reads and writes.
    database
        Database name; ``None`` uses the server's default database.
    uri, user
        Shown in error messages (the password never is).
    batch_rows
        Rows per ``UNWIND`` statement.
    page_size
        Rows per page of the paged reads (``iter_nodes``, ``iter_rels``, ``projection``).
    recorder
        Optional callable receiving (name, query, parameters) of every statement sent.
    """

    def __init__(
        self,
        driver: Driver,
        town: str,
        *,
        database: str | None = None,
        uri: str | None = None,
        user: str | None = None,
        batch_rows: int = DEFAULT_BATCH_ROWS,
        page_size: int = PAGE_SIZE,
        recorder: Recorder | None = None,
    ):
        if batch_rows < 1:
            raise ValueError("batch_rows must be at least 1")
        self.town = town
        self.driver = driver
        self.database = database or None
        self.uri = uri
        self.user = user
        self.batch_rows = int(batch_rows)
        self.page_size = int(page_size)
        self.recorder = recorder

    # ------------------------------------------------------------------ plumbing

    def _errors(self) -> Any:
        return store_errors(uri=self.uri, database=self.database, user=self.user)

    def _session(self, **kwargs: Any) -> Any:
        # A town that has no node of some label yet makes Neo4j warn "label does not exist": expected, not news.
        kwargs.setdefault("notifications_disabled_classifications", ["UNRECOGNIZED"])
        if self.database:
            kwargs["database"] = self.database
        return self.driver.session(**kwargs)

    def _read(self, fn: Callable[[Tx], Any]) -> Any:
        with self._errors(), self._session() as session:
            return session.execute_read(lambda tx: fn(Tx(tx, self.recorder)))

    def _write(self, fn: Callable[[Tx], Any]) -> Any:
        with self._errors(), self._session() as session:
            return session.execute_write(lambda tx: fn(Tx(tx, self.recorder)))

    def _run_one(
        self, stmt: Statement, params: Mapping[str, Any], *, write: bool = False
    ) -> list[dict[str, Any]]:
        """One statement in its own transaction; its records."""

        def fn(tx: Tx) -> list[dict[str, Any]]:
            return tx.run(stmt, params)[0]

        return self._write(fn) if write else self._read(fn)

    def close(self) -> None:
        """Nothing to release: the driver belongs to the container."""

    def ping(self) -> None:
        self._read(lambda tx: tx.run(q_ping(), {}))

    def revision(self) -> int | None:
        """Not tracked on Neo4j (another writer may change the graph at any time): callers do not cache."""
        return None

    def network(self) -> GdsNetwork:
        """The network questions answered in the database by Graph Data Science (see :mod:`.gds`)."""
        from graphsvc.store.neo4j.gds import GdsNetwork

        return GdsNetwork(self)

    # ------------------------------------------------------------------ schema

    def ensure_schema(self) -> None:
        """Create the key constraints and town indexes that are missing (idempotent; once per process and
        database). Raises ``ConflictError`` listing the duplicate keys when existing nodes stop a constraint."""
        if self.database in _SCHEMA_READY.get(self.driver, ()):
            return
        with _SCHEMA_LOCK:
            if self.database in _SCHEMA_READY.get(self.driver, ()):
                return
            names = set(self._read(lambda tx: tx.run(q_schema_names(), {})[0][0]["names"]))
            for lbl in sorted_labels(NodeLabel):
                for stmt in schema_statements(lbl):
                    if _schema_object_name(stmt) in names:
                        continue
                    try:
                        self._run_one(stmt, {}, write=True)
                    except (ClientError, DatabaseError) as err:
                        raise self._schema_error(lbl, stmt, err) from err
            _SCHEMA_READY.setdefault(self.driver, set()).add(self.database)

    def _schema_error(self, label: NodeLabel, stmt: Statement, err: Exception) -> ConflictError:
        dups = self._read(lambda tx: tx.run(q_duplicate_keys(label), {})[0])
        if dups:
            shown = "、".join(f"町 {d['town']} の {d['id']} ({d['copies']}件)" for d in dups)
            return ConflictError(
                [
                    Problem(
                        f"{label.value} に同じ id のノードが複数あるため一意制約 (town, id) を作れません: {shown}。"
                        "重複を1つにまとめてから開き直してください",
                        f"{label.value} nodes share a key, so the (town, id) uniqueness constraint cannot be "
                        f"created: {shown}; merge the duplicates, then open the town again",
                        field="id",
                    )
                ]
            )
        return ConflictError(
            [
                Problem(
                    f"{label.value} の制約・索引を作れません ({stmt.name}): {getattr(err, 'message', err)}",
                    f"cannot create the {label.value} schema ({stmt.name}): {err}",
                    field="schema",
                )
            ]
        )

    # ------------------------------------------------------------------ writes

    def write(self, batch: WriteBatch) -> WriteResult:
        check_batch(batch)
        self.ensure_schema()
        nodes, rels, del_rels, del_nodes = self._plan(batch)
        plain_deletes = [] if batch.detach else list(dict.fromkeys(batch.delete_nodes))

        def unit(tx: Tx) -> WriteResult:
            res = WriteResult()
            for stmt, params in nodes:
                records, counters = tx.run(stmt, params)
                res.nodes_created += counters.nodes_created
                res.nodes_updated += int(records[0]["updated"] or 0)
            for stmt, params in rels:
                records, counters = tx.run(stmt, params)
                if int(records[0]["matched"] or 0) < len(params["rows"]):
                    self._raise_missing_endpoints(tx, batch)  # rolls the whole batch back
                res.rels_created += counters.relationships_created
                res.rels_updated += int(records[0]["updated"] or 0)
            for stmt, params in del_rels:
                res.rels_deleted += tx.run(stmt, params)[1].relationships_deleted
            if plain_deletes:
                connected = self._ids_matching(tx, q_connected_ids, plain_deletes)
                if connected:
                    raise has_rels_error([r for r in plain_deletes if r in connected])
            for stmt, params in del_nodes:
                counters = tx.run(stmt, params)[1]
                res.nodes_deleted += counters.nodes_deleted
                res.rels_deleted += counters.relationships_deleted
            return res

        return self._write(unit)

    def _plan(self, batch: WriteBatch) -> tuple[Plan, Plan, Plan, Plan]:
        """Every statement of the batch with its parameters, in UNWIND batches, before anything is sent."""
        n = self.batch_rows
        town = self.town
        now = datetime.now(UTC)  # one time for the whole batch
        by_label: dict[NodeLabel, list[dict[str, Any]]] = {}
        for row in batch.nodes:
            props = {**to_store(row.label, row.props), "id": row.id, "town": town}
            by_label.setdefault(row.label, []).append({"id": row.id, "props": props})
        nodes = [
            (q_upsert_nodes(lbl), {"town": town, "now": now, "rows": list(chunk)})
            for lbl, rows in by_label.items()
            for chunk in _chunks(rows, n)
        ]
        by_rel: dict[tuple[RelType, NodeLabel, NodeLabel], list[dict[str, Any]]] = {}
        for r in batch.rels:
            by_rel.setdefault((r.type, r.src.label, r.dst.label), []).append(
                {"src": r.src.id, "dst": r.dst.id, "props": to_store(r.type, r.props)}
            )
        rels = [
            (q_upsert_rels(t, sl, dl), {"town": town, "rows": list(chunk)})
            for (t, sl, dl), rows in by_rel.items()
            for chunk in _chunks(rows, n)
        ]
        by_del: dict[tuple[RelType, NodeLabel, NodeLabel], list[dict[str, Any]]] = {}
        for t, src, dst in batch.delete_rels:
            by_del.setdefault((RelType(t), src.label, dst.label), []).append({"src": src.id, "dst": dst.id})
        del_rels = [
            (q_delete_rels(t, sl, dl), {"town": town, "rows": list(chunk)})
            for (t, sl, dl), rows in by_del.items()
            for chunk in _chunks(rows, n)
        ]
        by_node: dict[NodeLabel, list[str]] = {}
        for ref in dict.fromkeys(batch.delete_nodes):
            by_node.setdefault(ref.label, []).append(ref.id)
        del_nodes = [
            (q_delete_nodes(lbl, batch.detach), {"town": town, "ids": list(chunk)})
            for lbl, ids in by_node.items()
            for chunk in _chunks(ids, n)
        ]
        return nodes, rels, del_rels, del_nodes

    def _ids_matching(
        self, tx: Tx, stmt_for: Callable[[NodeLabel], Statement], refs: Iterable[NodeRef]
    ) -> set[NodeRef]:
        by_label: dict[NodeLabel, list[str]] = {}
        for ref in refs:
            by_label.setdefault(ref.label, []).append(ref.id)
        found: set[NodeRef] = set()
        for lbl, ids in by_label.items():
            stmt = stmt_for(lbl)
            for chunk in _chunks(list(dict.fromkeys(ids)), self.batch_rows):
                records = tx.run(stmt, {"town": self.town, "ids": list(chunk)})[0]
                found |= {NodeRef(lbl, rec["id"]) for rec in records}
        return found

    def _raise_missing_endpoints(self, tx: Tx, batch: WriteBatch) -> None:
        """Raise ``EndpointMissingError`` naming each row (1-based) whose source or target does not exist.

        Called when a relationship upsert matched fewer rows than it was sent (a row whose ends are not both
        there matches nothing), inside the batch's transaction, so nodes the batch upserted count as existing
        and raising rolls everything back."""
        wanted = {ref for r in batch.rels for ref in (r.src, r.dst)}
        existing = self._ids_matching(tx, q_existing_ids, wanted)
        problems = missing_end_problems(batch.rels, existing.__contains__)
        if not problems:  # not expected: the ends were missing a moment ago, in this transaction
            problems.append(
                Problem(
                    "関係の始点または終点が存在しません",
                    "a relationship's source or target does not exist",
                    field="source",
                )
            )
        raise EndpointMissingError(problems)

    def clear(self) -> None:
        self.ensure_schema()
        for lbl in NodeLabel:
            stmt = q_clear_label(lbl)
            params = {"town": self.town, "limit": 10_000}
            while self._run_one(stmt, params, write=True)[0]["deleted"]:
                pass

    # ------------------------------------------------------------------ reads

    def get_node(self, ref: NodeRef) -> NodeRow | None:
        stmt = q_get_node(ref.label)
        recs = self._read(lambda tx: tx.run(stmt, {"town": self.town, "id": ref.id})[0])
        return _node_row(ref.label, ref.id, recs[0]["props"]) if recs else None

    def get_nodes(self, label: NodeLabel, ids: Sequence[str]) -> list[NodeRow]:
        label = NodeLabel(label)
        stmt = q_get_nodes(label)
        chunks = _chunks(list(dict.fromkeys(ids)), self.batch_rows)

        def fn(tx: Tx) -> dict[str, NodeRow]:
            out: dict[str, NodeRow] = {}
            for chunk in chunks:
                for rec in tx.run(stmt, {"town": self.town, "ids": list(chunk)})[0]:
                    out[rec["id"]] = _node_row(label, rec["id"], rec["props"])
            return out

        found: dict[str, NodeRow] = self._read(fn) if chunks else {}
        return [found[i] for i in ids if i in found]

    def find_nodes(
        self,
        label: NodeLabel,
        where: Mapping[str, Prop] | None = None,
        *,
        limit: int | None = None,
        offset: int = 0,
    ) -> list[NodeRow]:
        label = NodeLabel(label)
        for key in where or {}:
            if not _KEY_RE.match(key):
                raise ValueError(f"invalid property name: {key!r}")
        if MODIFIED_PROP in (where or {}) or "town" in (where or {}):
            return []  # neither the modification time nor the town is a property (as in the embedded store)
        stmt = q_find_nodes(label, limit is not None)
        params: dict[str, Any] = {
            "town": self.town,
            "where": to_store(label, dict(where or {})),
            "offset": int(offset),
        }
        if limit is not None:
            params["limit"] = int(limit)
        recs = self._read(lambda tx: tx.run(stmt, params)[0])
        return [_node_row(label, r["id"], r["props"]) for r in recs]

    def _page_params(self, after: str) -> dict[str, Any]:
        return {"town": self.town, "after": after, "page": self.page_size}

    def _node_page(self, tx: Tx, stmt: Statement, after: str) -> tuple[list[str], list[dict[str, Any]]]:
        rec = tx.single(stmt, self._page_params(after))
        return rec["ids"], rec["props"]

    def _rel_page(self, tx: Tx, stmt: Statement, after: str) -> tuple[int, str | None, list[tuple[Any, ...]]]:
        """(source nodes in the page, the last one's id, rows ``(src_id, dst_label, dst_id, props)``)."""
        rec = tx.single(stmt, self._page_params(after))
        rows = list(zip(rec["src_ids"], rec["dst_labels"], rec["dst_ids"], rec["props"], strict=True))
        return int(rec["sources"]), rec["last"], rows

    def iter_nodes(self, label: NodeLabel) -> Iterator[NodeRow]:
        """Nodes of a label in id order, a page (``page_size`` nodes, one transaction) at a time."""
        label = NodeLabel(label)
        stmt = q_node_page(label)
        after = ""
        while True:
            ids, props = self._read(partial(self._node_page, stmt=stmt, after=after))
            for id_, p in zip(ids, props, strict=True):
                modified = modified_from_store(p.pop(MODIFIED_PROP, None))
                yield NodeRow(label, id_, _props_out(p), modified)
            if len(ids) < self.page_size:
                return
            after = ids[-1]

    def iter_rels(self, rel_type: RelType) -> Iterator[RelRow]:
        """Relationships of a type ordered by (source label, source id, target label, target id), a page of
        ``page_size`` source nodes (one transaction) at a time."""
        rel_type = RelType(rel_type)
        for sl in sorted_labels(REL_SPECS[rel_type].sources):
            stmt = q_rel_page(rel_type, sl)
            after = ""
            while True:
                sources, last, rows = self._read(partial(self._rel_page, stmt=stmt, after=after))
                rows.sort(key=_rel_order)
                for src_id, dst_label, dst_id, props in rows:
                    yield RelRow(
                        rel_type,
                        NodeRef(sl, src_id),
                        NodeRef(NodeLabel(dst_label), dst_id),
                        _props_out(props),
                    )
                if sources < self.page_size or last is None:
                    break
                after = last

    def _incident_rows(
        self, tx: Tx, refs: Sequence[NodeRef], types: Sequence[RelType] | None, direction: Direction
    ) -> list[RelRow]:
        wanted = types_key(types)
        by_label: dict[NodeLabel, list[str]] = {}
        for ref in refs:
            by_label.setdefault(ref.label, []).append(ref.id)
        seen: dict[str, RelRow] = {}  # by element id: a relationship between two wanted nodes comes twice
        for lbl, ids in by_label.items():
            # With a type filter: one statement per type (only types that can touch the label), so the set of
            # statements stays finite and the catalogue can list it whole.
            if wanted is None:
                stmts = [q_incident(lbl, direction, None)]
            else:
                possible = set(incident_types(lbl, direction))
                stmts = [q_incident(lbl, direction, (t,)) for t in wanted if t in possible]
            for stmt in stmts:
                for chunk in _chunks(list(dict.fromkeys(ids)), self.batch_rows):
                    for rec in tx.run(stmt, {"town": self.town, "ids": list(chunk)})[0]:
                        if rec["rid"] not in seen:
                            seen[rec["rid"]] = _rel_row(rec)
        rows = list(seen.values())
        rows.sort(key=lambda r: _rel_key(r.type, r.src.label, r.src.id, r.dst.label, r.dst.id))
        return rows

    def relationships(
        self, ref: NodeRef, *, types: Sequence[RelType] | None = None, direction: Direction = "both"
    ) -> list[RelRow]:
        if direction not in DIRECTIONS:
            raise ValueError(f"direction must be one of {DIRECTIONS}")
        return self._read(lambda tx: self._incident_rows(tx, [ref], types, direction))

    def neighbourhood(
        self, ref: NodeRef, *, depth: int = 1, types: Sequence[RelType] | None = None
    ) -> Subgraph:
        if depth < 0:
            raise ValueError("depth must be >= 0")

        def fn(tx: Tx) -> tuple[set[NodeRef], list[RelRow]] | None:
            if not tx.run(q_get_node(ref.label), {"town": self.town, "id": ref.id})[0]:
                return None
            return within_hops(ref, depth, lambda refs: self._incident_rows(tx, refs, types, "both"))

        found = self._read(fn)
        if found is None:
            return Subgraph(nodes=[], rels=[])
        seen, rels = found
        return Subgraph(nodes=nodes_of(seen, self.get_nodes), rels=rels)

    def counts(self) -> Counts:
        def fn(tx: Tx) -> Counts:
            params = {"town": self.town}
            nodes = {r["label"]: int(r["c"]) for r in tx.run(q_count_nodes(), params)[0] if r["c"]}
            rels = {r["type"]: int(r["c"]) for r in tx.run(q_count_rels(), params)[0] if r["c"]}
            return Counts(nodes=dict(sorted(nodes.items())), rels=dict(sorted(rels.items())))

        return self._read(fn)

    def projection(
        self, labels: Sequence[NodeLabel] | None = None, rel_types: Sequence[RelType] | None = None
    ) -> nx.MultiDiGraph:
        """The town (or the chosen labels and types) as a ``MultiDiGraph``, read in one read transaction:
        pages of ``page_size`` nodes (or of their outgoing relationships) as parallel lists, one record per
        page, without the modification time (which the projection does not carry)."""
        wanted = sorted_labels(labels or list(NodeLabel))
        types = sorted({RelType(x) for x in (rel_types or list(RelType))}, key=lambda x: x.value)
        # a relationship is projected only when both ends are (build_projection): read only the types that can
        # join two wanted labels, in one statement per source label
        rel_stmts = []
        for sl in wanted:
            ts = [t.value for t in types if sl in REL_SPECS[t].sources and REL_SPECS[t].targets & set(wanted)]
            if ts:
                rel_stmts.append((sl, ts, q_out_rels_page(sl)))

        def fn(tx: Tx) -> tuple[list[tuple[str, str, Props]], list[tuple[str, str, str, str, str, Props]]]:
            node_rows: list[tuple[str, str, Props]] = []
            for lbl in wanted:
                stmt, after = q_node_page(lbl, with_modified=False), ""
                while True:
                    ids, props = self._node_page(tx, stmt, after)
                    node_rows += zip(repeat(lbl.value), ids, map(_props_out, props))
                    if len(ids) < self.page_size:
                        break
                    after = ids[-1]
            rel_rows: list[tuple[str, str, str, str, str, Props]] = []
            for sl, ts, stmt in rel_stmts:
                after = ""
                while True:
                    rec = tx.single(stmt, {**self._page_params(after), "types": ts})
                    cols = (rec["src_ids"], rec["types"], rec["dst_labels"], rec["dst_ids"], rec["props"])
                    rows = sorted(zip(*cols, strict=True), key=_rel_order)  # iter_rels's order per source
                    rel_rows += [(t, sl.value, si, dl, di, _props_out(p)) for si, t, dl, di, p in rows]
                    if rec["sources"] < self.page_size or rec["last"] is None:
                        break
                    after = rec["last"]
            return node_rows, rel_rows

        node_rows, rel_rows = self._read(fn)
        return build_projection(node_rows, rel_rows)


def _schema_object_name(stmt: Statement) -> str:
    """``tsunagari_person_key`` from ``CREATE CONSTRAINT tsunagari_person_key IF NOT EXISTS …``."""
    return stmt.query.split()[2]


def list_towns(
    driver: Driver, *, database: str | None = None, uri: str | None = None, user: str | None = None
) -> list[str]:
    """Towns in the database: the distinct ``town`` of ``Area`` nodes, sorted."""
    stmt = q_list_towns()
    kwargs: dict[str, Any] = {"database": database} if database else {}
    with store_errors(uri=uri, database=database, user=user), driver.session(**kwargs) as session:
        recs = session.execute_read(lambda tx: [r["town"] for r in tx.run(stmt.query)])
    return sorted(str(t) for t in recs)
