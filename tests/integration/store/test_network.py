"""The network questions give the same answers in the database (GDS on Neo4j) and after projection (networkx).

One parametrised test: each constructed graph × each implementation (networkx over the embedded store's
projection, networkx over the Neo4j store's projection, GDS inside Neo4j) must give the answers written down for
that graph by hand (components, bridges, articulation points) and networkx's betweenness of the same graph built
directly, normalised and not.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import networkx as nx
import pytest

from graphsvc.bootstrap import Container, build
from graphsvc.domain.enums import NodeLabel, RelType
from graphsvc.store.network import NetworkAnswers, NetworkxNetwork, answers_of_graph, network_of
from graphsvc.store.port import GraphStore, NodeRef, NodeRow, RelRow, WriteBatch

from .conftest import new_town

AG, P, H = NodeLabel.AGENCY, NodeLabel.PERSON, NodeLabel.HOUSEHOLD
COLLAB, KNOWS, MEMBER = RelType.COLLABORATES_WITH, RelType.KNOWS, RelType.MEMBER_OF


@dataclass(frozen=True)
class Shape:
    """A constructed graph: nodes as ``Label:id`` keys, ties as (type, src, dst), and the expected answers."""

    nodes: tuple[str, ...]
    ties: tuple[tuple[RelType, str, str], ...]
    components: list[set[str]]
    bridges: list[tuple[str, str]]
    articulation_points: list[str]
    labels: tuple[NodeLabel, ...] = (AG,)
    types: tuple[RelType, ...] | None = (COLLAB,)
    extra: tuple[tuple[RelType, str, str], ...] = field(default=())  # ties outside the chosen types


def a(*ids: str) -> tuple[str, ...]:
    return tuple(f"Agency:{i}" for i in ids)


def c(t: str, u: str, v: str) -> tuple[RelType, str, str]:
    return (COLLAB, f"Agency:{u}", f"Agency:{v}") if t == "C" else (KNOWS, f"Person:{u}", f"Person:{v}")


SHAPES = {
    "path": Shape(
        nodes=a("A", "B", "C", "D"),
        ties=(c("C", "A", "B"), c("C", "B", "C"), c("C", "C", "D")),
        components=[set(a("A", "B", "C", "D"))],
        bridges=[a("A", "B"), a("B", "C"), a("C", "D")],  # type: ignore[list-item]
        articulation_points=list(a("B", "C")),
    ),
    "star": Shape(
        nodes=a("HUB", "S1", "S2", "S3", "S4"),
        ties=(c("C", "HUB", "S1"), c("C", "S2", "HUB"), c("C", "HUB", "S3"), c("C", "S4", "HUB")),
        components=[set(a("HUB", "S1", "S2", "S3", "S4"))],
        bridges=[a("HUB", "S1"), a("HUB", "S2"), a("HUB", "S3"), a("HUB", "S4")],  # type: ignore[list-item]
        articulation_points=list(a("HUB")),
    ),
    "two_triangles_joined_by_one_edge": Shape(
        nodes=a("A1", "A2", "A3", "B1", "B2", "B3"),
        ties=(
            c("C", "A1", "A2"),
            c("C", "A2", "A3"),
            c("C", "A3", "A1"),
            c("C", "B1", "B2"),
            c("C", "B2", "B3"),
            c("C", "B3", "B1"),
            c("C", "A3", "B1"),
        ),
        components=[set(a("A1", "A2", "A3", "B1", "B2", "B3"))],
        bridges=[a("A3", "B1")],  # type: ignore[list-item]
        articulation_points=list(a("A3", "B1")),
    ),
    "two_parts_with_parallel_and_reverse_ties": Shape(
        nodes=a("N1", "N2", "N3", "S1", "S2"),
        # N1-N2 twice (both directions): one tie, still a bridge; N2-N3 a bridge; S1-S2 a part of its own
        ties=(c("C", "N1", "N2"), c("C", "N2", "N1"), c("C", "N2", "N3"), c("C", "S1", "S2")),
        components=[set(a("N1", "N2", "N3")), set(a("S1", "S2"))],
        bridges=[a("N1", "N2"), a("N2", "N3"), a("S1", "S2")],  # type: ignore[list-item]
        articulation_points=list(a("N2")),
    ),
    "isolated_nodes_and_a_cycle": Shape(
        nodes=a("I1", "I2", "R1", "R2", "R3", "R4"),
        ties=(c("C", "R1", "R2"), c("C", "R2", "R3"), c("C", "R3", "R4"), c("C", "R4", "R1")),
        components=[set(a("R1", "R2", "R3", "R4")), set(a("I1")), set(a("I2"))],
        bridges=[],
        articulation_points=[],
    ),
    "people_and_households_with_ties_of_other_types_left_out": Shape(
        nodes=("Household:H1", "Person:P1", "Person:P2", "Person:P3", "Person:P4"),
        ties=(
            (MEMBER, "Person:P1", "Household:H1"),
            (MEMBER, "Person:P2", "Household:H1"),
            c("K", "P2", "P3"),
            c("K", "P3", "P2"),
        ),
        extra=((RelType.NEIGHBOUR_OF, "Person:P3", "Person:P4"),),  # not among the chosen types
        components=[{"Household:H1", "Person:P1", "Person:P2", "Person:P3"}, {"Person:P4"}],
        bridges=[
            ("Household:H1", "Person:P1"),
            ("Household:H1", "Person:P2"),
            ("Person:P2", "Person:P3"),
        ],
        articulation_points=["Household:H1", "Person:P2"],
        labels=(H, P),
        types=(MEMBER, KNOWS),
    ),
}


def _ref(key: str) -> NodeRef:
    label, id_ = key.split(":", 1)
    return NodeRef(NodeLabel(label), id_)


def write_shape(store: GraphStore, shape: Shape) -> None:
    nodes = [NodeRow(_ref(k).label, _ref(k).id, {"id": _ref(k).id}) for k in shape.nodes]
    rels = [RelRow(t, _ref(u), _ref(v)) for t, u, v in (*shape.ties, *shape.extra)]
    store.write(WriteBatch(nodes=nodes, rels=rels))


def reference_graph(shape: Shape) -> nx.Graph:
    g = nx.Graph()
    g.add_nodes_from(shape.nodes)
    g.add_edges_from((u, v) for _, u, v in shape.ties)
    return g


@pytest.fixture(scope="module")
def embedded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Container]:
    with build(store="embedded", data_dir=tmp_path_factory.mktemp("net")) as c:
        yield c


IMPLEMENTATIONS = [
    pytest.param("networkx-embedded", id="networkx-embedded"),
    pytest.param("networkx-neo4j", id="networkx-neo4j", marks=pytest.mark.neo4j),
    pytest.param("gds-neo4j", id="gds-neo4j", marks=pytest.mark.neo4j),
]


def _network(impl: str, request: pytest.FixtureRequest, embedded: Container) -> tuple[GraphStore, object]:
    if impl == "networkx-embedded":
        store = embedded.store(new_town())
        return store, NetworkxNetwork(store)
    neo: Container = request.getfixturevalue("neo4j_container")
    store = neo.store(new_town())
    if impl == "networkx-neo4j":
        return store, NetworkxNetwork(store)
    net = network_of(store)
    assert type(net).__name__ == "GdsNetwork", "the Neo4j store must answer with GDS"
    return store, net


@pytest.mark.parametrize("impl", IMPLEMENTATIONS)
@pytest.mark.parametrize("name", list(SHAPES))
def test_network_answers_are_equal_in_the_database_and_after_projection(
    name: str, impl: str, request: pytest.FixtureRequest, embedded: Container, tmp_path: Path
) -> None:
    shape = SHAPES[name]
    store, net = _network(impl, request, embedded)
    try:
        write_shape(store, shape)
        got: NetworkAnswers = net.answers(shape.labels, shape.types)  # type: ignore[attr-defined]
        assert got.components == sorted(shape.components, key=lambda s: (-len(s), min(s)))
        assert got.bridges == sorted(tuple(sorted(b)) for b in shape.bridges)
        assert got.articulation_points == sorted(shape.articulation_points)
        assert got.nodes == len(shape.nodes)
        assert got.ties == reference_graph(shape).number_of_edges()
        want = answers_of_graph(reference_graph(shape))
        assert got.betweenness == pytest.approx(want.betweenness, abs=1e-9)
        assert set(got.betweenness) == set(shape.nodes)
        raw = net.answers(shape.labels, shape.types, ["betweenness"], normalized=False)  # type: ignore[attr-defined]
        want_raw = nx.betweenness_centrality(reference_graph(shape), normalized=False)
        assert raw.betweenness == pytest.approx(want_raw, abs=1e-9)
        assert raw.components == [] and raw.bridges == []  # only what was asked
    finally:
        store.clear()


@pytest.mark.neo4j
def test_gds_projections_are_dropped_and_an_empty_choice_answers_empty(neo4j_container: Container) -> None:
    store = neo4j_container.store(new_town())
    net = network_of(store)
    empty = net.answers([AG], [COLLAB])
    assert (empty.components, empty.bridges, empty.nodes) == ([], [], 0)
    write_shape(store, SHAPES["path"])
    net.answers([AG], [COLLAB])
    with neo4j_container.driver().session() as s:
        left = s.run("CALL gds.graph.list() YIELD graphName RETURN collect(graphName) AS g").single()
    assert left is not None and not [g for g in left["g"] if store.town in g]
    store.clear()
