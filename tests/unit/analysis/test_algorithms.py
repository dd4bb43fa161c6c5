"""The graph primitives (graph in, ids out) against networkx and igraph computed here, on constructed graphs and
on random ones (hypothesis)."""

from __future__ import annotations

import igraph as ig
import networkx as nx
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from graphsvc.analysis.algorithms import (
    LOCAL,
    articulation_points,
    bridges,
    nearest_source,
    weak_components,
)


def _nx(n: int, src: list[int], dst: list[int]) -> nx.Graph:
    g = nx.Graph()
    g.add_nodes_from(range(n))
    g.add_edges_from((a, b) for a, b in zip(src, dst, strict=True) if a != b)
    return g


def _ig(n: int, src: list[int], dst: list[int]) -> ig.Graph:
    g = ig.Graph(n=n, edges=[(a, b) for a, b in zip(src, dst, strict=True) if a != b])
    g.simplify()
    return g


SHAPES = {
    # name: (n, edges)
    "path": (5, [(0, 1), (1, 2), (2, 3), (3, 4)]),
    "star": (5, [(0, 1), (0, 2), (0, 3), (0, 4)]),
    "two_triangles_one_edge": (6, [(0, 1), (1, 2), (0, 2), (3, 4), (4, 5), (3, 5), (2, 3)]),
    "two_parts": (6, [(0, 1), (1, 2), (0, 2), (3, 4), (4, 5), (3, 5)]),
    "cycle": (4, [(0, 1), (1, 2), (2, 3), (3, 0)]),
    "lonely": (3, []),
}
EXPECTED = {
    "path": ({(0, 1), (1, 2), (2, 3), (3, 4)}, {1, 2, 3}, 1),
    "star": ({(0, 1), (0, 2), (0, 3), (0, 4)}, {0}, 1),
    "two_triangles_one_edge": ({(2, 3)}, {2, 3}, 1),
    "two_parts": (set(), set(), 2),
    "cycle": (set(), set(), 1),
    "lonely": (set(), set(), 3),
}


@pytest.mark.parametrize("name", sorted(SHAPES))
def test_shapes_known_by_construction_and_equal_to_networkx_and_igraph(name: str) -> None:
    n, edges = SHAPES[name]
    src, dst = [a for a, _ in edges], [b for _, b in edges]
    want_bridges, want_aps, want_components = EXPECTED[name]
    assert set(bridges(n, src, dst)) == want_bridges
    assert set(articulation_points(n, src, dst)) == want_aps
    assert int(weak_components(n, src, dst).max()) + 1 == want_components
    g, h = _nx(n, src, dst), _ig(n, src, dst)
    assert {tuple(sorted(e)) for e in nx.bridges(g)} == want_bridges
    assert set(nx.articulation_points(g)) == want_aps
    assert {tuple(sorted(h.es[i].tuple)) for i in h.bridges()} == want_bridges
    assert set(h.articulation_points()) == want_aps
    assert len(h.connected_components()) == want_components


def test_components_numbered_by_first_node() -> None:
    assert weak_components(6, [5, 1], [4, 0]).tolist() == [0, 0, 1, 2, 3, 3]
    assert weak_components(0, [], []).tolist() == []


def test_nearest_source_follows_arcs_forward_only() -> None:
    # 0 → 1 → 2, and 3 → 1: from 0, node 3 is not reachable (the arc points the other way)
    hops, pred, arc = nearest_source(4, [0, 1, 3], [1, 2, 1], [0])
    assert hops.tolist() == [0, 1, 2, -1]
    assert pred.tolist() == [-1, 0, 1, -1]
    assert arc.tolist() == [-1, 0, 1, -1]


def test_nearest_source_prefers_cheaper_chain_of_equal_length() -> None:
    # two chains of length 2 from 0 to 3: via 1 (cost 0 + 5) and via 2 (cost 1 + 1)
    src, dst, cost = [0, 0, 1, 2], [1, 2, 3, 3], [0, 1, 5, 1]
    _, pred, _ = nearest_source(4, src, dst, [0], cost=cost)
    assert pred[3] == 2
    # a shorter chain wins whatever its cost
    _, pred, _ = nearest_source(3, [0, 0, 1], [2, 1, 2], [0], cost=[100, 0, 0])
    assert pred[2] == 0


def test_huge_costs_take_the_sorting_path_with_the_same_choice() -> None:
    src, dst = [0, 0, 1, 2], [1, 2, 3, 3]
    _, small, _ = nearest_source(4, src, dst, [0], cost=[0, 1, 5, 1])
    _, huge, _ = nearest_source(4, src, dst, [0], cost=[0, 2**40, 5 * 2**40, 2**40])
    assert small.tolist() == huge.tolist() == [-1, 0, 0, 2]


def test_bad_arguments_are_refused() -> None:
    with pytest.raises(ValueError):
        weak_components(2, [0], [5])
    with pytest.raises(ValueError):
        nearest_source(2, [0], [1], [7])
    with pytest.raises(ValueError):
        nearest_source(2, [0], [1], [0], cost=[-1])
    with pytest.raises(ValueError):
        bridges(2, [0, 1], [1])


graphs = st.integers(min_value=1, max_value=25).flatmap(
    lambda n: st.tuples(
        st.just(n),
        st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), max_size=60),
    )
)


@settings(max_examples=150, deadline=None)
@given(graphs)
def test_every_reported_bridge_and_cut_splits_the_graph(g: tuple[int, list[tuple[int, int]]]) -> None:
    n, edges = g
    src, dst = [a for a, _ in edges], [b for _, b in edges]
    G = _nx(n, src, dst)
    base = nx.number_connected_components(G)
    found_bridges = set(bridges(n, src, dst))
    for e in G.edges():
        H = G.copy()
        H.remove_edge(*e)
        splits = nx.number_connected_components(H) > base
        assert splits == (tuple(sorted(e)) in found_bridges)
    found_aps = set(articulation_points(n, src, dst))
    for v in G.nodes():
        H = G.copy()
        H.remove_node(v)
        splits = nx.number_connected_components(H) > base - (1 if G.degree(v) == 0 else 0)
        assert splits == (v in found_aps)


@settings(max_examples=150, deadline=None)
@given(graphs, st.data())
def test_nearest_source_equals_networkx_and_igraph(
    g: tuple[int, list[tuple[int, int]]], data: st.DataObject
) -> None:
    n, edges = g
    src, dst = [a for a, _ in edges], [b for _, b in edges]
    sources = data.draw(st.lists(st.integers(0, n - 1), max_size=3, unique=True))
    cost = data.draw(st.lists(st.integers(0, 3), min_size=len(edges), max_size=len(edges)))
    hops, pred, arc = nearest_source(n, src, dst, sources, cost=cost)
    D = nx.DiGraph()
    D.add_nodes_from(range(n))
    D.add_edges_from(edges)
    want = nx.multi_source_dijkstra_path_length(D, set(sources), weight=lambda *_: 1) if sources else {}
    assert {v: int(h) for v, h in enumerate(hops.tolist()) if h >= 0} == want
    h = ig.Graph(n=n, edges=edges, directed=True)
    if sources:
        d = np.array(h.distances(source=sources, mode="out"), dtype=float).min(axis=0)
        assert [(-1 if not np.isfinite(x) else int(x)) for x in d] == hops.tolist()
    # every chosen arc is a real arc one level up, and the chain ends at a source
    for v in range(n):
        if hops[v] > 0:
            e = int(arc[v])
            assert (src[e], dst[e]) == (int(pred[v]), v) and hops[pred[v]] == hops[v] - 1
        elif hops[v] == 0:
            assert v in sources and pred[v] == -1


@settings(max_examples=100, deadline=None)
@given(graphs)
def test_components_equal_networkx(g: tuple[int, list[tuple[int, int]]]) -> None:
    n, edges = g
    labels = LOCAL.weak_components(n, [a for a, _ in edges], [b for _, b in edges])
    D = nx.DiGraph()
    D.add_nodes_from(range(n))
    D.add_edges_from(edges)
    got = {frozenset(np.flatnonzero(labels == c).tolist()) for c in set(labels.tolist())}
    assert got == {frozenset(c) for c in nx.weakly_connected_components(D)}
