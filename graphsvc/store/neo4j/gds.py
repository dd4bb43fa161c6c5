"""Graph Data Science in the database: the network questions of :mod:`graphsvc.store.network` on Neo4j.

:class:`GdsNetwork` projects the chosen part of the town into GDS's in-memory catalogue with a Cypher projection
(:func:`~graphsvc.store.neo4j.gds_statements.q_project`), runs the algorithms there, streams back only the
answers (nodes as their ``Label:id`` keys), and drops the projection, whatever happens. Answers have the shapes and
the canonical order of :class:`~graphsvc.store.network.NetworkAnswers`, equal to the networkx reference on the
same graph (``tests/integration/store/test_network.py`` shows it on constructed graphs):

============================  =====================================  ============================================
question                      GDS (Neo4j 5.26 + GDS 2.13)            networkx reference
============================  =====================================  ============================================
components                    ``gds.wcc.stream``                     ``nx.connected_components``
bridges                       ``gds.bridges.stream``                 ``nx.bridges``
articulation points           ``gds.articulationPoints.stream``      ``nx.articulation_points``
betweenness                   ``gds.betweenness.stream`` (exact,     ``nx.betweenness_centrality`` (exact)
                              scaled like networkx)
============================  =====================================  ============================================

On an undirected graph both count each unordered pair of nodes once; networkx then normalises by
``2 / ((n-1)(n-2))`` (its default ``normalized=True``), and so do the GDS answers here.
"""

from __future__ import annotations

import contextlib
import threading
import uuid
import weakref
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from neo4j.exceptions import ClientError

from graphsvc.domain.enums import NodeLabel, RelType
from graphsvc.store.neo4j.gds_statements import (
    q_articulation_points,
    q_betweenness,
    q_bridges,
    q_drop,
    q_gds_version,
    q_project,
    q_wcc,
)
from graphsvc.store.neo4j.statements import sorted_labels, types_key
from graphsvc.store.network import (
    QUESTIONS,
    NetworkAnswers,
    Question,
    betweenness_scale,
    canonical,
    rel_types_between,
)
from graphsvc.store.port import node_key

if TYPE_CHECKING:
    from graphsvc.store.neo4j.adapter import Neo4jStore, Tx

__all__ = ["GRAPH_PREFIX", "GdsNetwork", "gds_version"]

GRAPH_PREFIX = "tsunagari_"
CONCURRENCY = 2
"""GDS threads per algorithm: Community edition allows four; two suit the machines this runs on."""

_VERSIONS: weakref.WeakKeyDictionary[Any, dict[str | None, str | None]] = weakref.WeakKeyDictionary()
_VERSIONS_LOCK = threading.Lock()


def gds_version(store: Neo4jStore) -> str | None:
    """The GDS version loaded in the store's database (``None`` when the plugin is not installed); asked once
    per driver and database."""
    with _VERSIONS_LOCK:
        known = _VERSIONS.get(store.driver, {})
        if store.database in known:
            return known[store.database]
    try:
        version: str | None = str(store._run_one(q_gds_version(), {})[0]["version"])
    except ClientError as err:  # Neo.ClientError.Statement.SyntaxError: Unknown function 'gds.version'
        if "gds.version" not in str(err) and "Unknown function" not in str(err):
            raise
        version = None
    with _VERSIONS_LOCK:
        _VERSIONS.setdefault(store.driver, {})[store.database] = version
    return version


class GdsNetwork:
    """The network questions of a Neo4j store, answered by GDS in the database."""

    def __init__(self, store: Neo4jStore, *, concurrency: int = CONCURRENCY):
        self.store = store
        self.concurrency = int(concurrency)

    def available(self) -> bool:
        """Whether the server has the GDS plugin."""
        return gds_version(self.store) is not None

    def answers(
        self,
        labels: Sequence[NodeLabel],
        rel_types: Sequence[RelType] | None = None,
        questions: Iterable[Question] = QUESTIONS,
        *,
        normalized: bool = True,
    ) -> NetworkAnswers:
        lbls = tuple(sorted_labels(labels))
        types = types_key(list(rel_types) if rel_types else list(rel_types_between(lbls)))
        wanted = [q for q in QUESTIONS if q in set(questions)]
        if not lbls:
            return NetworkAnswers()
        if not types:  # nothing can join these labels: every node is its own component
            return self._without_ties(lbls, wanted)
        store = self.store
        project = q_project(lbls, types)
        names: list[str] = []

        def run(tx: Tx) -> NetworkAnswers:
            name = f"{GRAPH_PREFIX}{store.town}_{uuid.uuid4().hex[:12]}"
            names.append(name)  # a retried transaction projects under a new name; every name is dropped
            rec = tx.run(project, {"town": store.town, "graph": name})[0][0]
            out = NetworkAnswers(nodes=int(rec["nodes"] or 0), ties=int(rec["ties"] or 0) // 2)
            if rec["graph"] is None:  # no node at all: nothing was projected
                return out
            params = {"graph": name, "concurrency": self.concurrency}
            if "components" in wanted:
                groups: dict[int, set[str]] = {}
                for r in tx.run(q_wcc(), params)[0]:
                    groups.setdefault(int(r["component"]), set()).add(node_key(r["label"], r["id"]))
                out.components = list(groups.values())
            if "bridges" in wanted:
                out.bridges = [
                    (node_key(r["a_label"], r["a_id"]), node_key(r["b_label"], r["b_id"]))
                    for r in tx.run(q_bridges(), params)[0]
                ]
            if "articulation_points" in wanted:
                out.articulation_points = [
                    node_key(r["label"], r["id"]) for r in tx.run(q_articulation_points(), params)[0]
                ]
            if "betweenness" in wanted:
                scale = betweenness_scale(out.nodes, normalized)
                out.betweenness = {
                    node_key(r["label"], r["id"]): float(r["score"]) * scale
                    for r in tx.run(q_betweenness(), params)[0]
                }
            return out

        try:
            return canonical(store._read(run))
        finally:
            self._drop(names)

    def _drop(self, names: list[str]) -> None:
        for name in names:
            # best effort: the catalogue is in memory, and dies with the server anyway
            with contextlib.suppress(Exception):
                self.store._run_one(q_drop(), {"graph": name})

    def _without_ties(self, labels: tuple[NodeLabel, ...], wanted: list[Question]) -> NetworkAnswers:
        keys = [node_key(lbl, row.id) for lbl in labels for row in self.store.iter_nodes(lbl)]
        out = NetworkAnswers(nodes=len(keys))
        if "components" in wanted:
            out.components = [{k} for k in keys]
        if "betweenness" in wanted:
            out.betweenness = dict.fromkeys(keys, 0.0)
        return canonical(out)
