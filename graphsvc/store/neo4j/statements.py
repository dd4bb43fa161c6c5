"""Every Cypher statement the Neo4j adapter sends, in one catalogue (Neo4j 5 Cypher, linted by Neo4j's grammar).

Each statement is built by a small ``q_*`` function from the ``NodeLabel`` / ``RelType`` enums only (labels and
types cannot be Cypher parameters); every value is a ``$parameter``. Every node carries ``town`` and ``id`` and
every statement matches on ``town``, so towns share a database safely. :func:`all_statements` builds every
statement the adapter can send from the same functions, with sample parameters, for the linter
(``tests/unit/store/test_cypher_lint.py``); the GDS statements are in :mod:`graphsvc.store.neo4j.gds_statements`.

Neo4j 5 forms used: ``CREATE CONSTRAINT … IF NOT EXISTS … REQUIRE (n.town, n.id) IS UNIQUE``, ``EXISTS { }``
subqueries, ``valueType()``, ``elementId()``, ``date``/``datetime`` values in parameters (the driver sends
Python ``date``/``datetime`` as Neo4j temporal values).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import cache
from typing import Any

from graphsvc.domain.enums import NodeLabel, RelType
from graphsvc.domain.records import REL_SPECS
from graphsvc.store.common import MODIFIED_PROP
from graphsvc.store.port import Direction

__all__ = [
    "DIRECTIONS",
    "PAGE_SIZE",
    "SAMPLE_TOWN",
    "Statement",
    "all_statements",
    "incident_types",
    "q_clear_label",
    "q_connected_ids",
    "q_count_nodes",
    "q_count_rels",
    "q_delete_nodes",
    "q_delete_rels",
    "q_duplicate_keys",
    "q_existing_ids",
    "q_find_nodes",
    "q_get_node",
    "q_get_nodes",
    "q_incident",
    "q_list_towns",
    "q_node_page",
    "q_ping",
    "q_rel_page",
    "q_schema_names",
    "q_upsert_nodes",
    "q_upsert_rels",
    "schema_statements",
    "sorted_labels",
    "types_key",
]

DIRECTIONS: tuple[Direction, ...] = ("out", "in", "both")
PAGE_SIZE = 1000
SAMPLE_TOWN = "sample"
_SAMPLE_NOW = datetime(2025, 4, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Statement:
    """One Cypher statement the adapter sends: a stable name, the text, and sample parameters for linting."""

    name: str
    query: str
    sample: Mapping[str, Any] = field(default_factory=dict, compare=False, hash=False)


def sorted_labels(labels: Iterable[NodeLabel | str]) -> list[NodeLabel]:
    return sorted({NodeLabel(x) for x in labels}, key=lambda x: x.value)


def types_key(types: Sequence[RelType | str] | None) -> tuple[RelType, ...] | None:
    """A canonical (sorted, unique) tuple of relationship types, or ``None`` for "every type"."""
    if not types:
        return None
    return tuple(sorted({RelType(t) for t in types}, key=lambda t: t.value))


def _types_fragment(types: tuple[RelType, ...] | None) -> str:
    """``:A|B`` from enum members only."""
    return ":" + "|".join(RelType(t).value for t in types) if types else ""


_REL_KEY_COLUMNS = (
    "elementId(r) AS rid, type(r) AS type, labels(startNode(r))[0] AS src_label, startNode(r).id AS src_id, "
    "labels(endNode(r))[0] AS dst_label, endNode(r).id AS dst_id"
)


# ---------------------------------------------------------------- server and schema


@cache
def q_ping() -> Statement:
    return Statement("ping", "RETURN 1 AS ok")


@cache
def q_list_towns() -> Statement:
    return Statement(
        "list_towns",
        f"MATCH (a:{NodeLabel.AREA.value}) WHERE a.town IS NOT NULL RETURN DISTINCT a.town AS town",
    )


@cache
def q_schema_names() -> Statement:
    """Names of the schema objects this adapter created (a constraint's backing index has its name)."""
    return Statement(
        "schema_names",
        "SHOW INDEXES YIELD name WHERE name STARTS WITH 'tsunagari_' RETURN collect(name) AS names",
    )


def schema_statements(label: NodeLabel) -> list[Statement]:
    """The key constraint of ``label``, idempotent (``IF NOT EXISTS``).

    A composite property uniqueness constraint on ``(town, id)`` (Community edition has uniqueness constraints;
    node key constraints are Enterprise only). Its range index serves every ``{town: $town, id: …}`` lookup
    (the statements name it in a ``USING INDEX`` hint, so a plan made while the town was empty never falls back
    to scanning the town) and every whole-town scan (an index prefix seek on ``town``, in ``id`` order).
    """
    lbl = NodeLabel(label).value
    return [
        Statement(
            f"schema:constraint:{lbl}",
            f"CREATE CONSTRAINT tsunagari_{lbl.lower()}_key IF NOT EXISTS "
            f"FOR (n:{lbl}) REQUIRE (n.town, n.id) IS UNIQUE",
        )
    ]


@cache
def q_duplicate_keys(label: NodeLabel) -> Statement:
    """Keys held by more than one node of ``label`` (what stops the uniqueness constraint), first ten."""
    lbl = NodeLabel(label).value
    return Statement(
        f"duplicate_keys:{lbl}",
        f"MATCH (n:{lbl})\nWHERE n.town IS NOT NULL AND n.id IS NOT NULL\n"
        "WITH n.town AS town, n.id AS id, count(*) AS copies\nWHERE copies > 1\n"
        "RETURN town, id, copies\nORDER BY town, id\nLIMIT 10",
    )


# ---------------------------------------------------------------- writes


@cache
def q_upsert_nodes(label: NodeLabel) -> Statement:
    """Upsert by (town, id). ``changed`` compares the stored properties but the modification time with
    ``row.props`` key by key (Cypher has no map difference), and ``_modified`` becomes ``$now`` (a
    ``datetime``) only when the node is created or its properties change."""
    lbl = NodeLabel(label).value
    m = MODIFIED_PROP
    return Statement(
        f"upsert_nodes:{lbl}",
        "UNWIND $rows AS row\n"
        f"OPTIONAL MATCH (old:{lbl} {{town: $town, id: row.id}}) USING INDEX old:{lbl}(town, id)\n"
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
            "town": SAMPLE_TOWN,
            "now": _SAMPLE_NOW,
            "rows": [{"id": "P-1", "props": {"id": "P-1", "town": SAMPLE_TOWN, "name": "x"}}],
        },
    )


@cache
def q_upsert_rels(rel_type: RelType, src: NodeLabel, dst: NodeLabel) -> Statement:
    t, sl, dl = RelType(rel_type).value, NodeLabel(src).value, NodeLabel(dst).value
    return Statement(
        f"upsert_rels:{t}:{sl}->{dl}",
        "UNWIND $rows AS row\n"
        f"MATCH (a:{sl} {{town: $town, id: row.src}}) USING INDEX a:{sl}(town, id)\n"
        f"MATCH (b:{dl} {{town: $town, id: row.dst}}) USING INDEX b:{dl}(town, id)\n"
        f"OPTIONAL MATCH (a)-[old:{t}]->(b)\n"
        "WITH a, b, row, properties(old) AS before\n"
        f"MERGE (a)-[r:{t}]->(b)\n"
        "SET r = row.props\n"
        "RETURN sum(CASE WHEN before IS NULL THEN 1 ELSE 0 END) AS created,\n"
        "       sum(CASE WHEN before IS NOT NULL AND before <> row.props THEN 1 ELSE 0 END) AS updated",
        {"town": SAMPLE_TOWN, "rows": [{"src": "A", "dst": "B", "props": {"since": date(2024, 4, 1)}}]},
    )


@cache
def q_delete_rels(rel_type: RelType, src: NodeLabel, dst: NodeLabel) -> Statement:
    t, sl, dl = RelType(rel_type).value, NodeLabel(src).value, NodeLabel(dst).value
    return Statement(
        f"delete_rels:{t}:{sl}->{dl}",
        "UNWIND $rows AS row\n"
        f"MATCH (a:{sl} {{town: $town, id: row.src}})-[r:{t}]->(b:{dl} {{town: $town, id: row.dst}})\n"
        f"USING INDEX a:{sl}(town, id)\n"
        "DELETE r",
        {"town": SAMPLE_TOWN, "rows": [{"src": "A", "dst": "B"}]},
    )


@cache
def q_delete_nodes(label: NodeLabel, detach: bool) -> Statement:
    lbl = NodeLabel(label).value
    verb = "DETACH DELETE" if detach else "DELETE"
    return Statement(
        f"delete_nodes:{lbl}:{'detach' if detach else 'plain'}",
        f"UNWIND $ids AS wanted\nMATCH (n:{lbl} {{town: $town, id: wanted}}) USING INDEX n:{lbl}(town, id)\n{verb} n",
        {"town": SAMPLE_TOWN, "ids": ["A"]},
    )


@cache
def q_clear_label(label: NodeLabel) -> Statement:
    lbl = NodeLabel(label).value
    return Statement(
        f"clear:{lbl}",
        f"MATCH (n:{lbl} {{town: $town}})\nWITH n LIMIT $limit\nDETACH DELETE n\nRETURN count(*) AS deleted",
        {"town": SAMPLE_TOWN, "limit": 1000},
    )


@cache
def q_existing_ids(label: NodeLabel) -> Statement:
    lbl = NodeLabel(label).value
    return Statement(
        f"existing_ids:{lbl}",
        f"UNWIND $ids AS wanted\nMATCH (n:{lbl} {{town: $town, id: wanted}}) USING INDEX n:{lbl}(town, id)\n"
        "RETURN n.id AS id",
        {"town": SAMPLE_TOWN, "ids": ["A"]},
    )


@cache
def q_connected_ids(label: NodeLabel) -> Statement:
    lbl = NodeLabel(label).value
    return Statement(
        f"connected_ids:{lbl}",
        f"UNWIND $ids AS wanted\nMATCH (n:{lbl} {{town: $town, id: wanted}}) USING INDEX n:{lbl}(town, id)\n"
        "WHERE EXISTS { (n)--() }\nRETURN n.id AS id",
        {"town": SAMPLE_TOWN, "ids": ["A"]},
    )


# ---------------------------------------------------------------- reads


@cache
def q_incident(label: NodeLabel, direction: Direction, types: tuple[RelType, ...] | None) -> Statement:
    """Relationships touching nodes of ``label`` whose ids are in ``$ids``: element id, keys, properties."""
    lbl = NodeLabel(label).value
    rel = f"[r{_types_fragment(types)}]"
    pattern = {"out": f"-{rel}->", "in": f"<-{rel}-", "both": f"-{rel}-"}[direction]
    tname = "+".join(t.value for t in types) if types else "*"
    return Statement(
        f"incident:{lbl}:{direction}:{tname}",
        f"UNWIND $ids AS wanted\nMATCH (n:{lbl} {{town: $town, id: wanted}}){pattern}()\n"
        f"USING INDEX n:{lbl}(town, id)\n"
        f"RETURN DISTINCT {_REL_KEY_COLUMNS}, properties(r) AS props",
        {"town": SAMPLE_TOWN, "ids": ["A"]},
    )


@cache
def q_get_node(label: NodeLabel) -> Statement:
    lbl = NodeLabel(label).value
    return Statement(
        f"get_node:{lbl}",
        f"MATCH (n:{lbl} {{town: $town, id: $id}}) USING INDEX n:{lbl}(town, id)\nRETURN properties(n) AS props",
        {"town": SAMPLE_TOWN, "id": "A"},
    )


@cache
def q_get_nodes(label: NodeLabel) -> Statement:
    lbl = NodeLabel(label).value
    return Statement(
        f"get_nodes:{lbl}",
        f"UNWIND $ids AS wanted\nMATCH (n:{lbl} {{town: $town, id: wanted}}) USING INDEX n:{lbl}(town, id)\n"
        "RETURN n.id AS id, properties(n) AS props",
        {"town": SAMPLE_TOWN, "ids": ["A"]},
    )


@cache
def q_find_nodes(label: NodeLabel, limited: bool) -> Statement:
    """Equality on every key of ``$where``; a list property matches when it contains the value."""
    lbl = NodeLabel(label).value
    pred = "CASE WHEN valueType(n[k]) STARTS WITH 'LIST' THEN $where[k] IN n[k] ELSE n[k] = $where[k] END"
    tail = "SKIP $offset LIMIT $limit" if limited else "SKIP $offset"
    sample: dict[str, Any] = {"town": SAMPLE_TOWN, "where": {"sector": "elderly"}, "offset": 0}
    if limited:
        sample["limit"] = 10
    return Statement(
        f"find_nodes:{lbl}:{'limit' if limited else 'all'}",
        f"MATCH (n:{lbl} {{town: $town}})\nWHERE all(k IN keys($where) WHERE {pred})\n"
        f"RETURN n.id AS id, properties(n) AS props\nORDER BY id {tail}",
        sample,
    )


@cache
def q_node_page(label: NodeLabel) -> Statement:
    lbl = NodeLabel(label).value
    return Statement(
        f"node_page:{lbl}",
        f"MATCH (n:{lbl} {{town: $town}}) USING INDEX n:{lbl}(town, id)\nWHERE n.id > $after\n"
        "RETURN n.id AS id, properties(n) AS props\nORDER BY id LIMIT $page",
        {"town": SAMPLE_TOWN, "after": "", "page": PAGE_SIZE},
    )


@cache
def q_rel_page(rel_type: RelType, src: NodeLabel) -> Statement:
    """Outgoing ``rel_type`` relationships of a page of source nodes (keyset paging on the source id)."""
    t, sl = RelType(rel_type).value, NodeLabel(src).value
    return Statement(
        f"rel_page:{t}:{sl}",
        f"MATCH (a:{sl} {{town: $town}}) USING INDEX a:{sl}(town, id)\nWHERE a.id > $after\n"
        "WITH a ORDER BY a.id LIMIT $page\n"
        f"OPTIONAL MATCH (a)-[r:{t}]->(b)\n"
        "RETURN a.id AS src_id, labels(b)[0] AS dst_label, b.id AS dst_id, properties(r) AS props\n"
        "ORDER BY src_id, dst_label, dst_id",
        {"town": SAMPLE_TOWN, "after": "", "page": PAGE_SIZE},
    )


@cache
def q_count_nodes() -> Statement:
    """Nodes of the town per label, in one statement (a ``UNION ALL`` of one indexed count per label)."""
    parts = "\n  UNION ALL\n".join(
        f"  MATCH (n:{x.value} {{town: $town}}) RETURN '{x.value}' AS label, count(n) AS c"
        for x in sorted_labels(NodeLabel)
    )
    return Statement("count_nodes", f"CALL () {{\n{parts}\n}}\nRETURN label, c", {"town": SAMPLE_TOWN})


@cache
def q_count_rels() -> Statement:
    """Relationships of the town per type, in one statement (counted from each possible source label)."""
    parts = "\n  UNION ALL\n".join(
        f"  MATCH (:{sl.value} {{town: $town}})-[r:{t.value}]->() RETURN '{t.value}' AS type, count(r) AS c"
        for t, spec in sorted(REL_SPECS.items(), key=lambda x: x[0].value)
        for sl in sorted_labels(spec.sources)
    )
    return Statement(
        "count_rels", f"CALL () {{\n{parts}\n}}\nRETURN type, sum(c) AS c", {"town": SAMPLE_TOWN}
    )


# ---------------------------------------------------------------- the whole catalogue


def incident_types(label: NodeLabel, direction: Direction) -> list[RelType]:
    """Relationship types that can touch ``label`` in ``direction`` (what ``REL_SPECS`` allows)."""
    out: list[RelType] = []
    for t, spec in REL_SPECS.items():
        if (direction in ("out", "both") and label in spec.sources) or (
            direction in ("in", "both") and label in spec.targets
        ):
            out.append(t)
    return out


def catalogue() -> list[Statement]:
    """Every statement :class:`~graphsvc.store.neo4j.adapter.Neo4jStore` can send."""
    out: list[Statement] = [q_ping(), q_list_towns(), q_schema_names(), q_count_nodes(), q_count_rels()]
    for lbl in sorted_labels(NodeLabel):
        out += schema_statements(lbl)
        out += [
            q_duplicate_keys(lbl),
            q_upsert_nodes(lbl),
            q_delete_nodes(lbl, False),
            q_delete_nodes(lbl, True),
            q_clear_label(lbl),
            q_existing_ids(lbl),
            q_connected_ids(lbl),
            q_get_node(lbl),
            q_get_nodes(lbl),
            q_find_nodes(lbl, True),
            q_find_nodes(lbl, False),
            q_node_page(lbl),
        ]
        for dr in DIRECTIONS:
            out += [q_incident(lbl, dr, None), *(q_incident(lbl, dr, (t,)) for t in incident_types(lbl, dr))]
    for t, spec in REL_SPECS.items():
        for sl in sorted_labels(spec.sources):
            out.append(q_rel_page(t, sl))
            for dl in sorted_labels(spec.targets):
                out += [q_upsert_rels(t, sl, dl), q_delete_rels(t, sl, dl)]
    return out


def all_statements() -> list[dict[str, Any]]:
    """Every statement the store can send (the adapter's and the GDS ones), built by the run-time builders,
    with sample parameters: ``[{"name", "query", "parameters"}]`` (the input of ``tools/cypher-lint/lint.mjs``;
    temporal samples are given as ISO text, which is what the linter sees of a parameter's type anyway)."""
    from graphsvc.store.neo4j.gds_statements import gds_catalogue

    return [
        {"name": s.name, "query": s.query, "parameters": _jsonable(dict(s.sample))}
        for s in [*catalogue(), *gds_catalogue()]
    ]


def _jsonable(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, date | datetime):
        return value.isoformat()
    return value
