"""Network questions a store answers over a chosen part of the town graph, with one small interface.

The questions are the primitives of the network-gap analysis: **components** (isolated clusters, a split agency
network), **bridges** (a tie whose loss splits a network), **articulation points** (a node whose loss splits it)
and **betweenness** (brokers). Each is asked of the part of the graph made of some node labels and relationship
types, seen as an *undirected simple graph*: direction is ignored, parallel relationships between two nodes (a
``KNOWS`` each way, a ``KNOWS`` and a ``NEIGHBOUR_OF``) count as one tie, self-loops are ignored, and nodes without
a tie in the chosen types are still there (as components of one).

Two implementations behind :class:`Network`:

- :class:`NetworkxNetwork` (here): the reference, for every store. It projects the chosen part with
  ``store.projection`` and asks networkx (``connected_components``, ``bridges``, ``articulation_points``,
  ``betweenness_centrality``).
- :class:`~graphsvc.store.neo4j.gds.GdsNetwork`: on the Neo4j store, Graph Data Science answers in the database
  over a Cypher projection (``gds.wcc``, ``gds.bridges``, ``gds.articulationPoints``, ``gds.betweenness``);
  only the answers travel.

:func:`network_of` picks the one a store supports. Both return the same shapes as networkx, with nodes named by
their projection key (``"Agency:AG-01"``), in a canonical order, so that answers compare equal.

>>> from graphsvc.store.network import answers_of_graph
>>> import networkx as nx
>>> g = nx.MultiDiGraph([("Agency:A", "Agency:B"), ("Agency:B", "Agency:C")])
>>> a = answers_of_graph(g)
>>> a.components, a.bridges, a.articulation_points
([{'Agency:A', 'Agency:B', 'Agency:C'}], [('Agency:A', 'Agency:B'), ('Agency:B', 'Agency:C')], ['Agency:B'])
>>> a.betweenness["Agency:B"]
1.0
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal, Protocol, runtime_checkable

import networkx as nx

from graphsvc.domain.enums import NodeLabel, RelType
from graphsvc.domain.records import REL_SPECS
from graphsvc.store.port import GraphStore

__all__ = [
    "QUESTIONS",
    "Network",
    "NetworkAnswers",
    "NetworkxNetwork",
    "Question",
    "answers_of_graph",
    "betweenness_scale",
    "canonical",
    "network_of",
    "rel_types_between",
    "undirected_simple",
]

Question = Literal["components", "bridges", "articulation_points", "betweenness"]
QUESTIONS: tuple[Question, ...] = ("components", "bridges", "articulation_points", "betweenness")


@dataclass
class NetworkAnswers:
    """What the network questions answer, in networkx's shapes and a canonical order.

    Attributes
    ----------
    components
        Node sets, largest first (ties by smallest key), like ``list(nx.connected_components(g))``.
    bridges
        ``(u, v)`` with ``u < v``, sorted, like ``list(nx.bridges(g))``.
    articulation_points
        Sorted node keys, like ``list(nx.articulation_points(g))``.
    betweenness
        Every node → its betweenness centrality, like ``nx.betweenness_centrality(g, normalized=...)``.
    nodes, ties
        Size of the projected graph (nodes; undirected ties after merging parallel relationships).
    """

    components: list[set[str]] = field(default_factory=list)
    bridges: list[tuple[str, str]] = field(default_factory=list)
    articulation_points: list[str] = field(default_factory=list)
    betweenness: dict[str, float] = field(default_factory=dict)
    nodes: int = 0
    ties: int = 0


def canonical(answers: NetworkAnswers) -> NetworkAnswers:
    """The same answers in the canonical order (both implementations return this)."""
    return NetworkAnswers(
        components=sorted((set(c) for c in answers.components), key=lambda c: (-len(c), min(c))),
        bridges=sorted(tuple(sorted(b)) for b in answers.bridges),  # type: ignore[misc]
        articulation_points=sorted(answers.articulation_points),
        betweenness=dict(sorted(answers.betweenness.items())),
        nodes=answers.nodes,
        ties=answers.ties,
    )


def rel_types_between(labels: Collection[NodeLabel]) -> tuple[RelType, ...]:
    """The relationship types that can join two nodes of ``labels`` (the default choice of types)."""
    wanted = {NodeLabel(x) for x in labels}
    return tuple(t for t, spec in REL_SPECS.items() if spec.sources & wanted and spec.targets & wanted)


def undirected_simple(g: nx.Graph) -> nx.Graph:
    """A store projection (``MultiDiGraph``) → the undirected simple graph the questions are asked of."""
    out = nx.Graph()
    out.add_nodes_from(g.nodes)
    out.add_edges_from((u, v) for u, v in g.edges() if u != v)
    return out


def answers_of_graph(
    g: nx.Graph, questions: Iterable[Question] = QUESTIONS, *, normalized: bool = True
) -> NetworkAnswers:
    """Answer ``questions`` about ``g`` (any networkx graph; seen as undirected simple) with networkx."""
    simple = undirected_simple(g)
    wanted = set(questions)
    out = NetworkAnswers(nodes=simple.number_of_nodes(), ties=simple.number_of_edges())
    if "components" in wanted:
        out.components = [set(c) for c in nx.connected_components(simple)]
    if "bridges" in wanted:
        out.bridges = [(u, v) for u, v in nx.bridges(simple)]
    if "articulation_points" in wanted:
        out.articulation_points = list(nx.articulation_points(simple))
    if "betweenness" in wanted:
        out.betweenness = nx.betweenness_centrality(simple, normalized=normalized)
    return canonical(out)


@runtime_checkable
class Network(Protocol):
    """The network questions of one town, over a chosen part of its graph."""

    def answers(
        self,
        labels: Sequence[NodeLabel],
        rel_types: Sequence[RelType] | None = None,
        questions: Iterable[Question] = QUESTIONS,
        *,
        normalized: bool = True,
    ) -> NetworkAnswers:
        """Answer ``questions`` over the nodes of ``labels`` and the relationships of ``rel_types`` among them
        (default: every type that can join two of those labels); ``normalized`` as in networkx's
        ``betweenness_centrality``."""
        ...


class NetworkxNetwork:
    """The reference implementation: project with the store, answer with networkx (any store)."""

    def __init__(self, store: GraphStore):
        self.store = store

    def answers(
        self,
        labels: Sequence[NodeLabel],
        rel_types: Sequence[RelType] | None = None,
        questions: Iterable[Question] = QUESTIONS,
        *,
        normalized: bool = True,
    ) -> NetworkAnswers:
        labels = [NodeLabel(x) for x in labels]
        types = list(rel_types) if rel_types else list(rel_types_between(labels))
        g = self.store.projection(labels, types)
        return answers_of_graph(g, questions, normalized=normalized)


def network_of(store: GraphStore) -> Network:
    """The network questions of ``store``: in the database where the store can (Neo4j with Graph Data
    Science), else the networkx reference over its projection."""
    make = getattr(store, "network", None)
    if make is not None:
        net = make()
        if getattr(net, "available", lambda: True)():
            return net
    return NetworkxNetwork(store)


def betweenness_scale(n: int, normalized: bool) -> float:
    """The factor networkx applies to undirected betweenness counted once per unordered pair of nodes:
    ``2 / ((n - 1)(n - 2))`` when ``normalized`` (and ``n > 2``), else 1."""
    if normalized and n > 2:
        return 2.0 / ((n - 1) * (n - 2))
    return 1.0
