"""The Neo4j adapter: one town's graph in Neo4j 5 (or the FalkorDB Bolt stand-in) through the official driver.

Every node carries ``town`` and ``id``; every statement matches on ``town`` (a parameter) so towns share a
database safely. Statements are built by the small ``q_*`` functions below from the ``NodeLabel`` /
``RelType`` enums only (labels and types cannot be Cypher parameters); every value is a ``$parameter``.
:func:`all_statements` builds every statement the adapter can send from the same functions, for the linter.

Writes: one :meth:`Neo4jStore.write` is one transaction function run by ``session.execute_write``. It first
checks, reading only, that every relationship endpoint exists and that a plain delete removes no connected
node, so that a rejected batch writes nothing even on a server whose ROLLBACK does nothing (FalkorDB). Bulk
writes are ``UNWIND $rows`` batches cut so that the JSON of each statement's parameters stays under
``batch_bytes``. Upserts report created vs updated with the embedded store's meaning: *updated* = the node or
relationship existed and its properties changed (compared in Cypher with ``properties(old) <> row.props``; for
nodes key by key, leaving out the modification time).

Modification times: a node keeps when its properties last changed in the reserved property ``_modified``
(:data:`~graphsvc.store.common.MODIFIED_PROP`, an ISO 8601 UTC string; FalkorDB has no zoned datetime over
Bolt, and a string orders the same way), set by the node upsert to ``$now`` (one time per write batch) when
the node is created or its properties change, and kept as it was otherwise. Reads strip it from ``props`` into
``NodeRow.modified``; a node written before the adapter kept times has none (``None``) until it changes.

Reads run in ``execute_read``; large reads (``iter_nodes``, ``iter_rels``, ``projection``) page by key.
Connection failures become :class:`~graphsvc.domain.errors.StoreUnavailableError`.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from typing import Any

import networkx as nx
from neo4j import Driver, ManagedTransaction
from neo4j.exceptions import ServiceUnavailable, SessionExpired

from graphsvc.domain.codec import Prop, Props
from graphsvc.domain.enums import NodeLabel, RelType
from graphsvc.domain.errors import DomainValidationError, EndpointMissingError, Problem, StoreUnavailableError
from graphsvc.domain.records import REL_SPECS
from graphsvc.store.common import (
    MODIFIED_PROP,
    StoreMixin,
    build_projection,
    check_batch,
    format_modified,
    has_rels_error,
    nodes_of,
    parse_modified,
    within_hops,
)
from graphsvc.store.cypher_dialect import Dialect, DialectName, get_dialect
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

__all__ = [
    "DEFAULT_BATCH_BYTES",
    "Neo4jStore",
    "Recorder",
    "Statement",
    "all_statements",
    "list_towns",
    "param_bytes",
]

DEFAULT_BATCH_BYTES = 1_000_000
"""Budget of one statement's parameters (JSON bytes). FalkorDB's server dies above about 4 KB: use 3000."""

PAGE_SIZE = 1000
_KEY_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_DIRECTIONS: tuple[Direction, ...] = ("out", "in", "both")

Recorder = Callable[[str, str, Mapping[str, Any]], None]
"""Called with (statement name, query, parameters) before each statement is sent (tests lint these)."""


# ====================================================================== statements


@dataclass(frozen=True)
class Statement:
    """One Cypher statement the adapter sends: a stable name, the text, and sample parameters for linting."""

    name: str
    query: str
    sample: Mapping[str, Any] = field(default_factory=dict, compare=False, hash=False)


def _sorted_labels(labels: Iterable[NodeLabel]) -> list[NodeLabel]:
    return sorted((NodeLabel(x) for x in labels), key=lambda x: x.value)


def _types_fragment(types: tuple[RelType, ...] | None) -> str:
    """``:A|B`` from enum members only (relationship type alternation runs on both servers)."""
    return ":" + "|".join(RelType(t).value for t in types) if types else ""


def _types_key(types: Sequence[RelType] | None) -> tuple[RelType, ...] | None:
    if not types:
        return None
    return tuple(sorted({RelType(t) for t in types}, key=lambda t: t.value))


_REL_KEY_COLUMNS = (
    "type(r) AS type, labels(startNode(r))[0] AS src_label, startNode(r).id AS src_id, "
    "labels(endNode(r))[0] AS dst_label, endNode(r).id AS dst_id"
)


@cache
def q_ping(d: Dialect) -> Statement:
    return Statement("ping", "RETURN 1 AS ok")


@cache
def q_list_towns(d: Dialect) -> Statement:
    return Statement(
        "list_towns",
        f"MATCH (a:{NodeLabel.AREA.value}) WHERE a.town IS NOT NULL RETURN DISTINCT a.town AS town",
    )


@cache
def q_existing_indexes(d: Dialect) -> Statement | None:
    query = d.existing_indexes_query()
    return Statement("existing_indexes", query) if query else None


def schema_statements(d: Dialect) -> list[Statement]:
    """Every schema statement of the dialect, label by label."""
    return [Statement(f"schema:{name}", q) for lbl in NodeLabel for name, q in d.schema_statements(lbl)]


@cache
def q_upsert_nodes(d: Dialect, label: NodeLabel) -> Statement:
    """Upsert; ``changed`` compares the stored properties but the modification time with ``row.props`` key by
    key (no map difference in plain Cypher), and ``_modified`` becomes ``$now`` only on create or change."""
    lbl = NodeLabel(label).value
    m = MODIFIED_PROP
    return Statement(
        f"upsert_nodes:{lbl}",
        "UNWIND $rows AS row\n"
        f"OPTIONAL MATCH (old:{lbl} {{town: $town, id: row.id}})\n"
        "WITH row, properties(old) AS before\n"
        "WITH row, before, before IS NOT NULL AND (\n"
        f"  size([k IN keys(before) WHERE k <> '{m}']) <> size(keys(row.props))\n"
        "  OR any(k IN keys(row.props) WHERE before[k] IS NULL OR before[k] <> row.props[k])) AS changed\n"
        f"MERGE (n:{lbl} {{town: $town, id: row.id}})\n"
        "SET n = row.props\n"
        f"SET n.{m} = CASE WHEN before IS NULL OR changed THEN $now ELSE before.{m} END\n"
        "RETURN sum(CASE WHEN before IS NULL THEN 1 ELSE 0 END) AS created,\n"
        "       sum(CASE WHEN changed THEN 1 ELSE 0 END) AS updated",
        {
            "town": "sample",
            "now": "2025-04-01T00:00:00.000000+00:00",
            "rows": [{"id": "P-1", "props": {"id": "P-1", "town": "sample", "name": "x"}}],
        },
    )


@cache
def q_upsert_rels(d: Dialect, rel_type: RelType, src: NodeLabel, dst: NodeLabel) -> Statement:
    t, sl, dl = RelType(rel_type).value, NodeLabel(src).value, NodeLabel(dst).value
    return Statement(
        f"upsert_rels:{t}:{sl}->{dl}",
        "UNWIND $rows AS row\n"
        f"MATCH (a:{sl} {{town: $town, id: row.src}})\n"
        f"MATCH (b:{dl} {{town: $town, id: row.dst}})\n"
        f"OPTIONAL MATCH (a)-[old:{t}]->(b)\n"
        "WITH a, b, row, properties(old) AS before\n"
        f"MERGE (a)-[r:{t}]->(b)\n"
        "SET r = row.props\n"
        "RETURN sum(CASE WHEN before IS NULL THEN 1 ELSE 0 END) AS created,\n"
        "       sum(CASE WHEN before IS NOT NULL AND before <> row.props THEN 1 ELSE 0 END) AS updated",
        {"town": "sample", "rows": [{"src": "A", "dst": "B", "props": {"since": "2024-04-01"}}]},
    )


@cache
def q_delete_rels(d: Dialect, rel_type: RelType, src: NodeLabel, dst: NodeLabel) -> Statement:
    t, sl, dl = RelType(rel_type).value, NodeLabel(src).value, NodeLabel(dst).value
    return Statement(
        f"delete_rels:{t}:{sl}->{dl}",
        "UNWIND $rows AS row\n"
        f"MATCH (a:{sl} {{town: $town, id: row.src}})-[r:{t}]->(b:{dl} {{town: $town, id: row.dst}})\n"
        "DELETE r",
        {"town": "sample", "rows": [{"src": "A", "dst": "B"}]},
    )


@cache
def q_delete_nodes(d: Dialect, label: NodeLabel, detach: bool) -> Statement:
    lbl = NodeLabel(label).value
    verb = "DETACH DELETE" if detach else "DELETE"
    return Statement(
        f"delete_nodes:{lbl}:{'detach' if detach else 'plain'}",
        f"UNWIND $ids AS wanted\nMATCH (n:{lbl} {{town: $town, id: wanted}})\n{verb} n",
        {"town": "sample", "ids": ["A"]},
    )


@cache
def q_clear_label(d: Dialect, label: NodeLabel) -> Statement:
    lbl = NodeLabel(label).value
    return Statement(
        f"clear:{lbl}",
        f"MATCH (n:{lbl} {{town: $town}})\nWITH n LIMIT $limit\nDETACH DELETE n\nRETURN count(*) AS deleted",
        {"town": "sample", "limit": 1000},
    )


@cache
def q_existing_ids(d: Dialect, label: NodeLabel) -> Statement:
    lbl = NodeLabel(label).value
    return Statement(
        f"existing_ids:{lbl}",
        f"UNWIND $ids AS wanted\nMATCH (n:{lbl} {{town: $town, id: wanted}})\nRETURN collect(n.id) AS ids",
        {"town": "sample", "ids": ["A"]},
    )


@cache
def q_connected_ids(d: Dialect, label: NodeLabel) -> Statement:
    lbl = NodeLabel(label).value
    return Statement(
        f"connected_ids:{lbl}",
        f"UNWIND $ids AS wanted\nMATCH (n:{lbl} {{town: $town, id: wanted}})\nWHERE {d.has_relationships('n')}\nRETURN collect(n.id) AS ids",
        {"town": "sample", "ids": ["A"]},
    )


@cache
def q_incident(
    d: Dialect, label: NodeLabel, direction: Direction, types: tuple[RelType, ...] | None
) -> Statement:
    """Relationships touching nodes of ``label`` whose ids are in ``$ids``, with their keys and properties."""
    lbl = NodeLabel(label).value
    rel = f"[r{_types_fragment(types)}]"
    pattern = {"out": f"-{rel}->", "in": f"<-{rel}-", "both": f"-{rel}-"}[direction]
    tname = "+".join(t.value for t in types) if types else "*"
    return Statement(
        f"incident:{lbl}:{direction}:{tname}",
        f"UNWIND $ids AS wanted\nMATCH (n:{lbl} {{town: $town, id: wanted}})\nMATCH (n){pattern}(m)\n"
        f"RETURN DISTINCT {_REL_KEY_COLUMNS}, properties(r) AS props",
        {"town": "sample", "ids": ["A"]},
    )


@cache
def q_get_node(d: Dialect, label: NodeLabel) -> Statement:
    lbl = NodeLabel(label).value
    return Statement(
        f"get_node:{lbl}",
        f"MATCH (n:{lbl} {{town: $town, id: $id}})\nRETURN properties(n) AS props",
        {"town": "sample", "id": "A"},
    )


@cache
def q_get_nodes(d: Dialect, label: NodeLabel) -> Statement:
    lbl = NodeLabel(label).value
    return Statement(
        f"get_nodes:{lbl}",
        f"UNWIND $ids AS wanted\nMATCH (n:{lbl} {{town: $town, id: wanted}})\nRETURN n.id AS id, properties(n) AS props",
        {"town": "sample", "ids": ["A"]},
    )


@cache
def q_find_nodes(d: Dialect, label: NodeLabel, limited: bool) -> Statement:
    """Equality on every key of ``$where``; a list property matches when it contains the value."""
    lbl = NodeLabel(label).value
    value = "n[k]"
    # `$v IN CASE … ELSE [x] END` (not `CASE … THEN $v IN x ELSE x = $v END`): FalkorDB evaluates every branch.
    pred = f"$where[k] IN CASE WHEN {d.is_list(value)} THEN {value} ELSE [{value}] END"
    tail = "SKIP $offset LIMIT $limit" if limited else "SKIP $offset"
    sample: dict[str, Any] = {"town": "sample", "where": {"sector": "elderly"}, "offset": 0}
    if limited:
        sample["limit"] = 10
    return Statement(
        f"find_nodes:{lbl}:{'limit' if limited else 'all'}",
        f"MATCH (n:{lbl} {{town: $town}})\nWHERE all(k IN keys($where) WHERE {pred})\n"
        f"RETURN n.id AS id, properties(n) AS props\nORDER BY id {tail}",
        sample,
    )


@cache
def q_node_page(d: Dialect, label: NodeLabel) -> Statement:
    lbl = NodeLabel(label).value
    return Statement(
        f"node_page:{lbl}",
        f"MATCH (n:{lbl} {{town: $town}})\nWHERE n.id > $after\n"
        "RETURN n.id AS id, properties(n) AS props\nORDER BY id LIMIT $page",
        {"town": "sample", "after": "", "page": PAGE_SIZE},
    )


@cache
def q_rel_page(d: Dialect, rel_type: RelType, src: NodeLabel) -> Statement:
    """Outgoing ``rel_type`` relationships of a page of source nodes (keyset paging on the source id)."""
    t, sl = RelType(rel_type).value, NodeLabel(src).value
    return Statement(
        f"rel_page:{t}:{sl}",
        f"MATCH (a:{sl} {{town: $town}})\nWHERE a.id > $after\nWITH a ORDER BY a.id LIMIT $page\n"
        f"OPTIONAL MATCH (a)-[r:{t}]->(b)\n"
        "RETURN a.id AS src_id, labels(b)[0] AS dst_label, b.id AS dst_id, properties(r) AS props\n"
        "ORDER BY src_id, dst_label, dst_id",
        {"town": "sample", "after": "", "page": PAGE_SIZE},
    )


@cache
def q_count_nodes(d: Dialect, label: NodeLabel) -> Statement:
    lbl = NodeLabel(label).value
    return Statement(
        f"count_nodes:{lbl}", f"MATCH (n:{lbl} {{town: $town}})\nRETURN count(n) AS c", {"town": "sample"}
    )


@cache
def q_count_rels(d: Dialect, rel_type: RelType, src: NodeLabel) -> Statement:
    t, sl = RelType(rel_type).value, NodeLabel(src).value
    return Statement(
        f"count_rels:{t}:{sl}",
        f"MATCH (a:{sl} {{town: $town}})-[r:{t}]->()\nRETURN count(r) AS c",
        {"town": "sample"},
    )


def _incident_types(label: NodeLabel, direction: Direction) -> list[RelType]:
    """Relationship types that can touch ``label`` in ``direction`` (what ``REL_SPECS`` allows)."""
    out: list[RelType] = []
    for t, spec in REL_SPECS.items():
        if (direction in ("out", "both") and label in spec.sources) or (
            direction in ("in", "both") and label in spec.targets
        ):
            out.append(t)
    return out


def all_statements(dialect: DialectName | Dialect = "neo4j") -> list[dict[str, Any]]:
    """Every statement the adapter can send in ``dialect``, built by the run-time builders, with sample
    parameters: ``[{"name", "query", "parameters"}]`` (the input of ``tools/cypher-lint/lint.mjs``)."""
    d = get_dialect(dialect)
    out: list[Statement] = [q_ping(d), q_list_towns(d), *schema_statements(d)]
    idx = q_existing_indexes(d)
    if idx is not None:
        out.append(idx)
    for lbl in NodeLabel:
        out += [
            q_upsert_nodes(d, lbl),
            q_delete_nodes(d, lbl, False),
            q_delete_nodes(d, lbl, True),
            q_clear_label(d, lbl),
            q_existing_ids(d, lbl),
            q_connected_ids(d, lbl),
            q_get_node(d, lbl),
            q_get_nodes(d, lbl),
            q_find_nodes(d, lbl, True),
            q_find_nodes(d, lbl, False),
            q_node_page(d, lbl),
            q_count_nodes(d, lbl),
        ]
        for dr in _DIRECTIONS:
            out += [
                q_incident(d, lbl, dr, None),
                *(q_incident(d, lbl, dr, (t,)) for t in _incident_types(lbl, dr)),
            ]
    for t, spec in REL_SPECS.items():
        for sl in _sorted_labels(spec.sources):
            out += [q_rel_page(d, t, sl), q_count_rels(d, t, sl)]
            for dl in _sorted_labels(spec.targets):
                out += [q_upsert_rels(d, t, sl, dl), q_delete_rels(d, t, sl, dl)]
    return [{"name": s.name, "query": s.query, "parameters": dict(s.sample)} for s in out]


# ====================================================================== parameters and batches


def param_bytes(params: Mapping[str, Any]) -> int:
    """Size of a statement's parameters as compact UTF-8 JSON (what ``batch_bytes`` limits)."""
    return len(json.dumps(params, ensure_ascii=False, separators=(",", ":"), default=str).encode())


def _split(
    items: Sequence[Any], fixed: Mapping[str, Any], key: str, budget: int, what: str
) -> list[dict[str, Any]]:
    """Cut ``items`` into parameter maps ``{**fixed, key: chunk}`` whose JSON stays within ``budget`` bytes."""
    base = param_bytes({**fixed, key: []})
    out: list[dict[str, Any]] = []
    chunk: list[Any] = []
    size = base
    for i, item in enumerate(items):
        n = param_bytes({"x": item}) - 6 + 1  # the item's JSON plus a comma
        if base + n > budget:
            raise DomainValidationError(
                [
                    Problem(
                        f"1件のデータが大きすぎます ({base + n} バイト、上限 {budget} バイト)",
                        f"one {what} is too large for a statement: {base + n} bytes, budget {budget}",
                        row=i + 1,
                    )
                ]
            )
        if chunk and size + n > budget:
            out.append({**fixed, key: chunk})
            chunk, size = [], base
        chunk.append(item)
        size += n
    if chunk:
        out.append({**fixed, key: chunk})
    return out


def _rel_key(
    t: RelType | str, sl: NodeLabel | str, si: str, dl: NodeLabel | str, di: str
) -> tuple[str, str, str, str, str]:
    return (RelType(t).value, NodeLabel(sl).value, si, NodeLabel(dl).value, di)


def _rel_row(rec: Mapping[str, Any]) -> RelRow:
    return RelRow(
        RelType(rec["type"]),
        NodeRef(NodeLabel(rec["src_label"]), rec["src_id"]),
        NodeRef(NodeLabel(rec["dst_label"]), rec["dst_id"]),
        dict(rec["props"] or {}),
    )


def _node_props(props: Mapping[str, Any]) -> Props:
    return {k: v for k, v in props.items() if k not in ("town", MODIFIED_PROP)}


def _node_row(label: NodeLabel, id_: str, props: Mapping[str, Any]) -> NodeRow:
    """A stored node's properties → ``NodeRow``: ``town`` dropped, ``_modified`` moved to ``modified``."""
    return NodeRow(label, id_, _node_props(props), parse_modified(props.get(MODIFIED_PROP)))


# ====================================================================== errors


@contextmanager
def _unavailable_as_domain_error() -> Iterator[None]:
    """Connection failures (after the driver's own retries) → ``StoreUnavailableError`` (HTTP 503)."""
    try:
        yield
    except (ServiceUnavailable, SessionExpired, ConnectionError, OSError) as err:
        raise StoreUnavailableError.one(
            "グラフデータベースに接続できません。しばらくしてから再試行してください",
            f"the graph database cannot be reached; retry later ({type(err).__name__}: {err})",
            field="store",
        ) from err


class _Tx:
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


# ====================================================================== the store


class Neo4jStore(StoreMixin):
    """One town's graph in a Neo4j 5 database (or FalkorDB with ``dialect="falkordb"``).

    Parameters
    ----------
    driver
        The process's one ``neo4j.Driver`` (the store does not close it).
    town
        The town whose nodes this store reads and writes.
    database
        Database name for Neo4j; ``None`` uses the server default (never passed to FalkorDB).
    dialect
        ``"neo4j"`` (Neo4j 5) or ``"falkordb"``: see :mod:`graphsvc.store.cypher_dialect`.
    batch_bytes
        Budget of one statement's parameters in JSON bytes; FalkorDB needs about 3000.
    recorder
        Optional callable receiving (name, query, parameters) of every statement sent.
    """

    def __init__(
        self,
        driver: Driver,
        town: str,
        *,
        database: str | None = None,
        dialect: DialectName | Dialect = "neo4j",
        batch_bytes: int = DEFAULT_BATCH_BYTES,
        page_size: int = PAGE_SIZE,
        recorder: Recorder | None = None,
    ):
        if batch_bytes < 256:
            raise ValueError("batch_bytes must be at least 256")
        self.town = town
        self.driver = driver
        self.dialect = get_dialect(dialect)
        self.database = database if self.dialect.passes_database else None
        self.batch_bytes = int(batch_bytes)
        self.page_size = int(page_size)
        self.recorder = recorder
        self._schema_ready = False
        self._schema_lock = threading.Lock()

    # ------------------------------------------------------------------ plumbing

    def _session(self, **kwargs: Any) -> Any:
        if self.database:
            kwargs["database"] = self.database
        return self.driver.session(**kwargs)

    def _read(self, fn: Callable[[_Tx], Any]) -> Any:
        with _unavailable_as_domain_error(), self._session() as session:
            return session.execute_read(lambda tx: fn(_Tx(tx, self.recorder)))

    def _write(self, fn: Callable[[_Tx], Any]) -> Any:
        with _unavailable_as_domain_error(), self._session() as session:
            return session.execute_write(lambda tx: fn(_Tx(tx, self.recorder)))

    def _run_one(
        self, stmt: Statement, params: Mapping[str, Any], *, write: bool = False
    ) -> list[dict[str, Any]]:
        """One statement in its own transaction; its records."""

        def fn(tx: _Tx) -> list[dict[str, Any]]:
            return tx.run(stmt, params)[0]

        return self._write(fn) if write else self._read(fn)

    def _chunks(
        self, stmt: Statement, fixed: Mapping[str, Any], key: str, items: Sequence[Any]
    ) -> list[dict[str, Any]]:
        return _split(items, {"town": self.town, **fixed}, key, self.batch_bytes, stmt.name)

    def close(self) -> None:
        """Nothing to release: the driver belongs to the container."""

    def ping(self) -> None:
        self._read(lambda tx: tx.run(q_ping(self.dialect), {}))

    def revision(self) -> int | None:
        """Not tracked on Neo4j (another writer may change the graph at any time): callers do not cache."""
        return None

    def ensure_schema(self) -> None:
        """Create the key constraints and indexes once per store (idempotent on the server too)."""
        if self._schema_ready:
            return
        with self._schema_lock:
            if self._schema_ready:
                return
            d = self.dialect
            existing: set[str] = set()
            idx = q_existing_indexes(d)
            if idx is not None:
                rows = self._read(lambda tx: tx.run(idx, {})[0])
                existing = {r["label"] for r in rows if {"town", "id"} <= set(r["properties"] or ())}
            for lbl in NodeLabel:
                if lbl.value in existing:
                    continue
                for name, query in d.schema_statements(lbl):
                    stmt = Statement(f"schema:{name}", query)
                    self._run_one(stmt, {}, write=True)
            self._schema_ready = True

    # ------------------------------------------------------------------ writes

    def write(self, batch: WriteBatch) -> WriteResult:
        check_batch(batch)
        plan = self._plan(batch)
        self.ensure_schema()

        def unit(tx: _Tx) -> WriteResult:
            self._check_endpoints(tx, batch)
            self._check_deletable(tx, batch)
            res = WriteResult()
            for kind, stmt, params in plan:
                records, counters = tx.run(stmt, params)
                if kind == "nodes":
                    res.nodes_created += int(records[0]["created"] or 0)
                    res.nodes_updated += int(records[0]["updated"] or 0)
                elif kind == "rels":
                    res.rels_created += int(records[0]["created"] or 0)
                    res.rels_updated += int(records[0]["updated"] or 0)
                else:
                    res.rels_deleted += counters.relationships_deleted
                    res.nodes_deleted += counters.nodes_deleted
            return res

        return self._write(unit)

    def _plan(self, batch: WriteBatch) -> list[tuple[str, Statement, dict[str, Any]]]:
        """Every statement of the batch with its parameters, cut to the byte budget, before anything runs."""
        d = self.dialect
        plan: list[tuple[str, Statement, dict[str, Any]]] = []
        by_label: dict[NodeLabel, list[dict[str, Any]]] = {}
        for n in batch.nodes:
            props = {**n.props, "id": n.id, "town": self.town}
            by_label.setdefault(n.label, []).append({"id": n.id, "props": props})
        now = format_modified(datetime.now(UTC))  # one time for the whole batch
        for lbl, rows in by_label.items():
            stmt = q_upsert_nodes(d, lbl)
            plan += [("nodes", stmt, p) for p in self._chunks(stmt, {"now": now}, "rows", rows)]
        by_rel: dict[tuple[RelType, NodeLabel, NodeLabel], list[dict[str, Any]]] = {}
        for r in batch.rels:
            by_rel.setdefault((r.type, r.src.label, r.dst.label), []).append(
                {"src": r.src.id, "dst": r.dst.id, "props": dict(r.props)}
            )
        for (t, sl, dl), rows in by_rel.items():
            stmt = q_upsert_rels(d, t, sl, dl)
            plan += [("rels", stmt, p) for p in self._chunks(stmt, {}, "rows", rows)]
        by_del: dict[tuple[RelType, NodeLabel, NodeLabel], list[dict[str, Any]]] = {}
        for t, src, dst in batch.delete_rels:
            by_del.setdefault((RelType(t), src.label, dst.label), []).append({"src": src.id, "dst": dst.id})
        for (t, sl, dl), rows in by_del.items():
            stmt = q_delete_rels(d, t, sl, dl)
            plan += [("delete", stmt, p) for p in self._chunks(stmt, {}, "rows", rows)]
        del_nodes: dict[NodeLabel, list[str]] = {}
        for ref in batch.delete_nodes:
            del_nodes.setdefault(ref.label, []).append(ref.id)
        for lbl, ids in del_nodes.items():
            stmt = q_delete_nodes(d, lbl, batch.detach)
            plan += [("delete", stmt, p) for p in self._chunks(stmt, {}, "ids", list(dict.fromkeys(ids)))]
        return plan

    def _ids_matching(
        self, tx: _Tx, stmt_for: Callable[[NodeLabel], Statement], refs: Iterable[NodeRef]
    ) -> set[NodeRef]:
        by_label: dict[NodeLabel, list[str]] = {}
        for ref in refs:
            by_label.setdefault(ref.label, []).append(ref.id)
        found: set[NodeRef] = set()
        for lbl, ids in by_label.items():
            stmt = stmt_for(lbl)
            for params in self._chunks(stmt, {}, "ids", list(dict.fromkeys(ids))):
                # one record with a list: FalkorDB is far slower at many small records (about 0.2 ms each)
                found |= {NodeRef(lbl, i) for rec in tx.run(stmt, params)[0] for i in rec["ids"]}
        return found

    def _check_endpoints(self, tx: _Tx, batch: WriteBatch) -> None:
        """Raise ``EndpointMissingError`` naming each row (1-based) whose source or target does not exist."""
        if not batch.rels:
            return
        in_batch = {n.ref for n in batch.nodes}
        wanted = {ref for r in batch.rels for ref in (r.src, r.dst)} - in_batch
        existing = in_batch | self._ids_matching(tx, lambda lbl: q_existing_ids(self.dialect, lbl), wanted)
        problems: list[Problem] = []
        for i, r in enumerate(batch.rels):
            for end, ref in (("source", r.src), ("target", r.dst)):
                if ref not in existing:
                    problems.append(
                        Problem(
                            f"関係 {r.type.value} の{'始点' if end == 'source' else '終点'} {ref} が存在しません",
                            f"{r.type.value} {end} {ref} does not exist",
                            field=end,
                            row=i + 1,
                            value=ref.id,
                        )
                    )
            if len(problems) >= 50:
                break
        if problems:
            raise EndpointMissingError(problems)

    def _check_deletable(self, tx: _Tx, batch: WriteBatch) -> None:
        """For a plain delete: raise ``has_rels_error`` if a node would still have a relationship once the
        batch's relationship upserts and deletes are applied (the embedded store's order)."""
        if batch.detach or not batch.delete_nodes:
            return
        targets = list(dict.fromkeys(batch.delete_nodes))
        deleted = {_rel_key(t, s.label, s.id, d.label, d.id) for t, s, d in batch.delete_rels}
        upserted = {
            _rel_key(r.type, r.src.label, r.src.id, r.dst.label, r.dst.id) for r in batch.rels
        } - deleted
        connected = {NodeRef(NodeLabel(k[1]), k[2]) for k in upserted} | {
            NodeRef(NodeLabel(k[3]), k[4]) for k in upserted
        }
        touched = {s for _, s, _ in batch.delete_rels} | {d for _, _, d in batch.delete_rels}
        plain = [r for r in targets if r not in touched and r not in connected]
        connected |= self._ids_matching(tx, lambda lbl: q_connected_ids(self.dialect, lbl), plain)
        careful = [r for r in targets if r in touched and r not in connected]
        for rel in self._incident_rows(tx, careful, None, "both"):
            key = _rel_key(rel.type, rel.src.label, rel.src.id, rel.dst.label, rel.dst.id)
            if key not in deleted:
                connected |= {rel.src, rel.dst}
        bad = [r for r in targets if r in connected]
        if bad:
            raise has_rels_error(bad)

    def clear(self) -> None:
        for lbl in NodeLabel:
            stmt = q_clear_label(self.dialect, lbl)
            params = {"town": self.town, "limit": 10_000}
            while self._run_one(stmt, params, write=True)[0]["deleted"]:
                pass

    # ------------------------------------------------------------------ reads

    def get_node(self, ref: NodeRef) -> NodeRow | None:
        stmt = q_get_node(self.dialect, ref.label)
        recs = self._read(lambda tx: tx.run(stmt, {"town": self.town, "id": ref.id})[0])
        return _node_row(ref.label, ref.id, recs[0]["props"]) if recs else None

    def get_nodes(self, label: NodeLabel, ids: Sequence[str]) -> list[NodeRow]:
        label = NodeLabel(label)
        stmt = q_get_nodes(self.dialect, label)
        chunks = self._chunks(stmt, {}, "ids", list(dict.fromkeys(ids)))

        def fn(tx: _Tx) -> dict[str, NodeRow]:
            out: dict[str, NodeRow] = {}
            for params in chunks:
                for rec in tx.run(stmt, params)[0]:
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
        if MODIFIED_PROP in (where or {}):
            return []  # the modification time is not a property (as in the embedded store)
        stmt = q_find_nodes(self.dialect, label, limit is not None)
        params: dict[str, Any] = {"town": self.town, "where": dict(where or {}), "offset": int(offset)}
        if limit is not None:
            params["limit"] = int(limit)
        recs = self._read(lambda tx: tx.run(stmt, params)[0])
        return [_node_row(label, r["id"], r["props"]) for r in recs]

    def _node_pages(self, label: NodeLabel) -> Iterator[list[dict[str, Any]]]:
        stmt = q_node_page(self.dialect, label)
        after = ""
        while True:
            params = {"town": self.town, "after": after, "page": self.page_size}
            recs = self._run_one(stmt, params)
            if recs:
                yield recs
            if len(recs) < self.page_size:
                return
            after = recs[-1]["id"]

    def iter_nodes(self, label: NodeLabel) -> Iterator[NodeRow]:
        label = NodeLabel(label)
        for page in self._node_pages(label):
            for rec in page:
                yield _node_row(label, rec["id"], rec["props"])

    def _rel_pages(self, rel_type: RelType) -> Iterator[RelRow]:
        """Relationships of a type ordered by (source label, source id, target label, target id)."""
        rel_type = RelType(rel_type)
        for sl in _sorted_labels(REL_SPECS[rel_type].sources):
            stmt = q_rel_page(self.dialect, rel_type, sl)
            after = ""
            while True:
                params = {"town": self.town, "after": after, "page": self.page_size}
                recs = self._run_one(stmt, params)
                for rec in recs:
                    if rec["dst_id"] is not None:
                        yield RelRow(
                            rel_type,
                            NodeRef(sl, rec["src_id"]),
                            NodeRef(NodeLabel(rec["dst_label"]), rec["dst_id"]),
                            dict(rec["props"] or {}),
                        )
                sources = list(dict.fromkeys(r["src_id"] for r in recs))
                if len(sources) < self.page_size:
                    break
                after = sources[-1]

    def iter_rels(self, rel_type: RelType) -> Iterator[RelRow]:
        yield from self._rel_pages(rel_type)

    def _incident_rows(
        self, tx: _Tx, refs: Sequence[NodeRef], types: Sequence[RelType] | None, direction: Direction
    ) -> list[RelRow]:
        wanted = _types_key(types)
        by_label: dict[NodeLabel, list[str]] = {}
        for ref in refs:
            by_label.setdefault(ref.label, []).append(ref.id)
        out: dict[tuple[str, ...], RelRow] = {}
        for lbl, ids in by_label.items():
            # With a type filter: one statement per type (only types that can touch the label), so the set of
            # statements stays finite and all_statements() can list it whole.
            if wanted is None:
                stmts = [q_incident(self.dialect, lbl, direction, None)]
            else:
                possible = set(_incident_types(lbl, direction))
                stmts = [q_incident(self.dialect, lbl, direction, (t,)) for t in wanted if t in possible]
            for stmt in stmts:
                for params in self._chunks(stmt, {}, "ids", list(dict.fromkeys(ids))):
                    for rec in tx.run(stmt, params)[0]:
                        row = _rel_row(rec)
                        out[_rel_key(row.type, row.src.label, row.src.id, row.dst.label, row.dst.id)] = row
        return [out[k] for k in sorted(out)]

    def relationships(
        self, ref: NodeRef, *, types: Sequence[RelType] | None = None, direction: Direction = "both"
    ) -> list[RelRow]:
        if direction not in _DIRECTIONS:
            raise ValueError(f"direction must be one of {_DIRECTIONS}")
        return self._read(lambda tx: self._incident_rows(tx, [ref], types, direction))

    def neighbourhood(
        self, ref: NodeRef, *, depth: int = 1, types: Sequence[RelType] | None = None
    ) -> Subgraph:
        if depth < 0:
            raise ValueError("depth must be >= 0")

        def fn(tx: _Tx) -> tuple[set[NodeRef], list[RelRow]] | None:
            if not tx.run(q_get_node(self.dialect, ref.label), {"town": self.town, "id": ref.id})[0]:
                return None
            seen, rels = within_hops(ref, depth, lambda refs: self._incident_rows(tx, refs, types, "both"))
            return seen, rels

        found = self._read(fn)
        if found is None:
            return Subgraph(nodes=[], rels=[])
        seen, rels = found
        return Subgraph(nodes=nodes_of(seen, self.get_nodes), rels=rels)

    def counts(self) -> Counts:
        d = self.dialect

        def fn(tx: _Tx) -> Counts:
            nodes: dict[str, int] = {}
            for lbl in _sorted_labels(NodeLabel):
                c = int(tx.run(q_count_nodes(d, lbl), {"town": self.town})[0][0]["c"])
                if c:
                    nodes[lbl.value] = c
            rels: dict[str, int] = {}
            for t in sorted(RelType, key=lambda x: x.value):
                total = sum(
                    int(tx.run(q_count_rels(d, t, sl), {"town": self.town})[0][0]["c"])
                    for sl in _sorted_labels(REL_SPECS[t].sources)
                )
                if total:
                    rels[t.value] = total
            return Counts(nodes=nodes, rels=rels)

        return self._read(fn)

    def projection(
        self, labels: Sequence[NodeLabel] | None = None, rel_types: Sequence[RelType] | None = None
    ) -> nx.MultiDiGraph:
        node_rows: list[tuple[str, str, Props]] = []
        for lbl in _sorted_labels(labels or list(NodeLabel)):
            for page in self._node_pages(lbl):
                node_rows += [(lbl.value, r["id"], _node_props(r["props"])) for r in page]
        rel_rows: list[tuple[str, str, str, str, str, Props]] = []
        for t in sorted({RelType(x) for x in (rel_types or list(RelType))}, key=lambda x: x.value):
            rel_rows += [
                (r.type.value, r.src.label.value, r.src.id, r.dst.label.value, r.dst.id, r.props)
                for r in self._rel_pages(t)
            ]
        return build_projection(node_rows, rel_rows)


def list_towns(
    driver: Driver, *, database: str | None = None, dialect: DialectName | Dialect = "neo4j"
) -> list[str]:
    """Towns in the database: the distinct ``town`` of ``Area`` nodes, sorted."""
    d = get_dialect(dialect)
    stmt = q_list_towns(d)
    kwargs: dict[str, Any] = {"database": database} if database and d.passes_database else {}
    with _unavailable_as_domain_error(), driver.session(**kwargs) as session:
        recs = session.execute_read(lambda tx: [r["town"] for r in tx.run(stmt.query)])
    return sorted(str(t) for t in recs)
