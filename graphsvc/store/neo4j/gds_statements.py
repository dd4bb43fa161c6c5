"""The Graph Data Science statements: a Cypher projection of a chosen part of a town, and the algorithms.

The projection (:func:`q_project`) is built from enums only, like every other statement: the nodes of the chosen
labels in the town, each undirected pair of them joined by any relationship of the chosen types once (parallel
relationships merged with ``DISTINCT`` on the pair ordered by ``elementId``), isolated nodes kept (the
``OPTIONAL MATCH`` row with no partner), projected with ``gds.graph.project`` (the Cypher aggregation form of
GDS 2.x) as an undirected graph. The algorithms stream their answers back as (label, id) of each node.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

from graphsvc.domain.enums import NodeLabel, RelType
from graphsvc.store.neo4j.statements import SAMPLE_TOWN, Statement, sorted_labels, types_key

__all__ = [
    "NETWORKS",
    "gds_catalogue",
    "q_articulation_points",
    "q_betweenness",
    "q_bridges",
    "q_drop",
    "q_gds_version",
    "q_project",
    "q_wcc",
]

_GRAPH_SAMPLE = {"graph": "tsunagari_sample", "concurrency": 2}

NETWORKS: tuple[tuple[tuple[NodeLabel, ...], tuple[RelType, ...]], ...] = (
    ((NodeLabel.AGENCY,), (RelType.COLLABORATES_WITH,)),
    ((NodeLabel.PERSON, NodeLabel.HOUSEHOLD), (RelType.MEMBER_OF, RelType.KNOWS, RelType.NEIGHBOUR_OF)),
    (
        (NodeLabel.PERSON, NodeLabel.HOUSEHOLD, NodeLabel.AGENCY, NodeLabel.SUPPORTER, NodeLabel.VENUE),
        (
            RelType.MEMBER_OF,
            RelType.SUPPORTED_BY,
            RelType.KNOWS,
            RelType.NEIGHBOUR_OF,
            RelType.VISITS,
            RelType.ATTENDS,
            RelType.COLLABORATES_WITH,
        ),
    ),
)
"""Parts of the graph the analysis asks about (linted whole; any other choice is built the same way)."""


@cache
def q_gds_version() -> Statement:
    return Statement("gds:version", "RETURN gds.version() AS version")


def _key(labels: Sequence[NodeLabel], types: Sequence[RelType]) -> str:
    return "+".join(x.value for x in labels) + ":" + "+".join(t.value for t in types)


@cache
def q_project(labels: tuple[NodeLabel, ...], types: tuple[RelType, ...]) -> Statement:
    """Project the nodes of ``labels`` in ``$town`` and their ``types`` ties as the undirected graph ``$graph``."""
    lbls = sorted_labels(labels)
    rels = types_key(types)
    if not lbls or not rels:
        raise ValueError("a projection needs at least one label and one relationship type")
    union = "\n  UNION ALL\n".join(f"  MATCH (n:{x.value} {{town: $town}}) RETURN n" for x in lbls)
    partner = "|".join(x.value for x in lbls)
    rel = "|".join(t.value for t in rels)
    return Statement(
        f"gds:project:{_key(lbls, rels)}",
        f"CALL () {{\n{union}\n}}\n"
        f"OPTIONAL MATCH (n)-[:{rel}]-(m:{partner} {{town: $town}})\n"
        "WHERE elementId(n) < elementId(m)\n"
        "WITH DISTINCT n, m\n"
        "WITH gds.graph.project($graph, n, m, {}, {undirectedRelationshipTypes: ['*']}) AS g\n"
        "RETURN g.graphName AS graph, g.nodeCount AS nodes, g.relationshipCount AS ties",
        {"town": SAMPLE_TOWN, "graph": "tsunagari_sample"},
    )


_NODE = "labels(node)[0] AS label, node.id AS id"


@cache
def q_wcc() -> Statement:
    return Statement(
        "gds:wcc",
        "CALL gds.wcc.stream($graph, {concurrency: $concurrency}) YIELD nodeId, componentId\n"
        f"WITH gds.util.asNode(nodeId) AS node, componentId\nRETURN {_NODE}, componentId AS component",
        _GRAPH_SAMPLE,
    )


@cache
def q_bridges() -> Statement:
    return Statement(
        "gds:bridges",
        "CALL gds.bridges.stream($graph, {concurrency: $concurrency}) YIELD from, to\n"
        "WITH gds.util.asNode(from) AS a, gds.util.asNode(to) AS b\n"
        "RETURN labels(a)[0] AS a_label, a.id AS a_id, labels(b)[0] AS b_label, b.id AS b_id",
        _GRAPH_SAMPLE,
    )


@cache
def q_articulation_points() -> Statement:
    return Statement(
        "gds:articulation_points",
        "CALL gds.articulationPoints.stream($graph, {concurrency: $concurrency}) YIELD nodeId\n"
        f"WITH gds.util.asNode(nodeId) AS node\nRETURN {_NODE}",
        _GRAPH_SAMPLE,
    )


@cache
def q_betweenness() -> Statement:
    return Statement(
        "gds:betweenness",
        "CALL gds.betweenness.stream($graph, {concurrency: $concurrency}) YIELD nodeId, score\n"
        f"WITH gds.util.asNode(nodeId) AS node, score\nRETURN {_NODE}, score",
        _GRAPH_SAMPLE,
    )


@cache
def q_drop() -> Statement:
    return Statement(
        "gds:drop",
        "CALL gds.graph.drop($graph, false) YIELD graphName\nRETURN graphName",
        {"graph": "tsunagari_sample"},
    )


def gds_catalogue() -> list[Statement]:
    """Every GDS statement: the algorithms and the projections of :data:`NETWORKS` and of each label with every
    type that can join it to itself or to the others of its network."""
    out = [q_gds_version(), q_wcc(), q_bridges(), q_articulation_points(), q_betweenness(), q_drop()]
    out += [q_project(labels, types) for labels, types in NETWORKS]
    return out
