"""``analyse_all``: every analysis at once, empty input, JSON, direction-independence, and its speed."""

from __future__ import annotations

import doctest
import importlib
import json
import os
import time

import networkx as nx
import pytest

from graphsvc.analysis import GapReport, analyse_all
from graphsvc.domain.enums import NodeLabel, RelType
from graphsvc.store.embedded import EmbeddedStore
from graphsvc.store.port import NodeRef, NodeRow, RelRow, WriteBatch

MODULES = [
    "graphsvc.analysis",
    "graphsvc.analysis.concentration",
    "graphsvc.analysis.coverage",
    "graphsvc.analysis.fragility",
    "graphsvc.analysis.isolation",
    "graphsvc.analysis.missing_links",
    "graphsvc.analysis.overlap",
    "graphsvc.analysis.silo",
    "graphsvc.analysis.algorithms",
    "graphsvc.analysis.tiegraph",
    "graphsvc.analysis.reachability",
    "graphsvc.analysis.agency_network",
]


@pytest.mark.parametrize("name", MODULES)
def test_doctests(name: str) -> None:
    """The numpydoc examples run under ``make test`` too (not only with ``--doctest-modules``)."""
    res = doctest.testmod(importlib.import_module(name), optionflags=doctest.NORMALIZE_WHITESPACE)
    assert res.attempted > 0 and res.failed == 0


@pytest.mark.parametrize("G", [nx.MultiDiGraph(), nx.Graph(), nx.DiGraph()])
def test_empty_graph_gives_empty_results(G: nx.Graph) -> None:
    r = analyse_all(G, reference_year=2024)
    d = r.to_dict()
    json.dumps(d, ensure_ascii=False)
    assert d["isolation"]["outreach"] == [] and d["overlap"]["candidates"] == []
    assert d["missing_links"]["links"] == [] and d["invites"]["invitees"] == []
    assert d["concentration"]["gini"] == 0.0 and d["fragility"]["single_points"] == []
    assert d["silo"]["modularity"] is None and d["coverage"]["far"] == []
    assert set(d["summary_ja"]) == {
        "agency_network",
        "reachability",
        "isolation",
        "overlap",
        "missing_links",
        "invites",
        "concentration",
        "fragility",
        "silo",
        "coverage",
    }


def test_a_graph_with_stray_nodes_and_unknown_edges() -> None:
    G = nx.MultiDiGraph()
    G.add_node("Household:H1", label="Household", id="H1", flags=["not_a_flag", "hoarding"], lat="x")
    G.add_node("Agency:A1", label="Agency", id="A1", sectors=["nonsense"])
    G.add_node("Thing:T1", label="Thing", id="T1")
    G.add_edge("Household:H1", "Thing:T1", key="LIKES", type="LIKES")
    G.add_edge("Agency:A1", "Household:H1", key="SUPPORTED_BY", type="SUPPORTED_BY")  # reversed: still read
    r = analyse_all(G, reference_year=2024)
    assert r.isolation.isolated == ()
    assert r.coverage.no_location == ("H1",)
    assert r.overlap.agencies_without_sector == ("A1",)
    assert [c.code for c in r.isolation.outreach[0].reasons][-1] == "hoarding"


def test_undirected_copy_gives_the_same_report(synth_town) -> None:
    """Direction is recovered from the labels, except a KNOWS between two persons: an undirected graph cannot say
    who knows whom, so there every tie passes both ways; with two-way KNOWS (friends) both reports agree."""
    G = synth_town(300, 11)
    for _, _, key, d in G.edges(keys=True, data=True):
        if key == "KNOWS":
            d["relation"] = "friend"
    a = analyse_all(G, reference_year=2024).to_dict()
    b = analyse_all(nx.MultiGraph(G), reference_year=2024).to_dict()
    a.pop("seconds"), b.pop("seconds")
    assert a == b


def test_report_over_the_embedded_store_projection(tmp_path, synth_town) -> None:
    """The same answers from the real store's projection as from the generator's."""
    G = synth_town(150, 5)

    def ref(n: str) -> NodeRef:
        return NodeRef(NodeLabel(G.nodes[n]["label"]), G.nodes[n]["id"])

    batch = WriteBatch(
        nodes=[
            NodeRow(NodeLabel(d["label"]), d["id"], {k: v for k, v in d.items() if k != "label"})
            for _, d in G.nodes(data=True)
        ],
        rels=[
            RelRow(RelType(k), ref(u), ref(v), {x: y for x, y in d.items() if x != "type"})
            for u, v, k, d in G.edges(keys=True, data=True)
        ],
    )
    with EmbeddedStore(tmp_path / "t.sqlite3", "t", synchronous="NORMAL") as store:
        store.write(batch)
        P = store.projection()
    a = analyse_all(G, reference_year=2024).to_dict()
    b = analyse_all(P, reference_year=2024).to_dict()
    a.pop("seconds"), b.pop("seconds")
    assert a == b


def test_twenty_thousand_households_in_a_few_seconds(synth_town) -> None:
    G = synth_town(20_000, 1)
    t0, c0 = time.perf_counter(), time.process_time()
    r = analyse_all(G, reference_year=2024)
    elapsed, cpu = time.perf_counter() - t0, time.process_time() - c0
    assert isinstance(r, GapReport)
    assert r.isolation.households == 20_000
    assert r.isolation.isolated and r.overlap.candidates and r.missing_links.links
    assert r.concentration.flagged and r.fragility.single_points and r.coverage.far
    t1 = time.perf_counter()
    json.dumps(r.to_dict(), ensure_ascii=False)
    to_json = time.perf_counter() - t1
    print(
        f"\nanalyse_all on 20,000 households ({G.number_of_nodes():,} nodes, {G.number_of_edges():,} edges): "
        f"{elapsed:.2f} s wall, {cpu:.2f} s CPU (load {os.getloadavg()[0]:.1f}); to_dict+json {to_json:.2f} s; {r.seconds}"
    )
    # CPU time, not wall time: on a machine shared with other jobs the wall clock measures the neighbours (2.8 s
    # CPU here, 10 s wall at a load average of 12 on 2 cores); the bound leaves room for a slow CI machine
    assert cpu < 10.0
