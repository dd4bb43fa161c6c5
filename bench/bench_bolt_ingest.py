"""Neo4j over Bolt, against a real Neo4j 5.26 + GDS started by this script (tests/support/neo4j_server.py).

Three parts, each reported as ratios against a baseline measured in the same run (the machines are shared):

1. **Ingest**: N ``Person`` nodes and N ``MEMBER_OF`` relationships (to N/10 households loaded first, untimed)
   into a fresh town, by
   - ``row_tx``: the baseline, one statement (``MERGE`` … ``SET``) and one transaction (one commit) per row, what a
     client that writes record by record does;
   - ``row``: one statement per row, all in one transaction;
   - ``unwind-B``: ``Neo4jStore.upsert_nodes`` / ``upsert_rels`` with ``UNWIND $rows`` batches of B rows (one
     transaction per call, endpoint check included), for several B; the goal is ≥ 20× the baseline.
2. **Town load**: the synthetic town (``loaders.demo``, ``synthetic`` spec) of each size written by
   ``build_town`` into Neo4j and into the embedded store.
3. **Gaps**: for each size, ``analyse_all`` on each store's projection (the whole gap report: projection over
   Bolt or from SQLite, then networkx), and the network questions, in the database by GDS against networkx on
   the embedded projection: components, bridges and articulation points of the support network (households,
   persons, agencies, supporters, venues and their ties), betweenness of the agency network.

Usage: ``python bench/bench_bolt_ingest.py [--rows 5000] [--repeat 3] [--batches 100,500,2000,5000]
[--households 10000,100000] [--heap 2g] [--pagecache 1g]``; ``--households 0`` skips parts 2 and 3.
"""

from __future__ import annotations

import argparse
import signal
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from graphsvc.analysis import analyse_all
from graphsvc.domain.enums import NodeLabel, RelType
from graphsvc.store.embedded import EmbeddedStore
from graphsvc.store.neo4j import Neo4jStore
from graphsvc.store.network import NetworkxNetwork, network_of
from graphsvc.store.port import GraphStore, NodeRef, RelRow
from loaders.demo import build_town, get_spec
from tests.support.neo4j_server import start_neo4j

P, H = NodeLabel.PERSON, NodeLabel.HOUSEHOLD
NODE_ROW = "MERGE (n:Person {town: $town, id: $id}) SET n = $props"
REL_ROW = (
    "MATCH (a:Person {town: $town, id: $src}) MATCH (b:Household {town: $town, id: $dst}) "
    "MERGE (a)-[r:MEMBER_OF]->(b) SET r = $props"
)
NETWORK_LABELS = (
    NodeLabel.HOUSEHOLD,
    NodeLabel.PERSON,
    NodeLabel.AGENCY,
    NodeLabel.SUPPORTER,
    NodeLabel.VENUE,
)
NETWORK_TYPES = (
    RelType.MEMBER_OF,
    RelType.SUPPORTED_BY,
    RelType.VISITS,
    RelType.ATTENDS,
    RelType.KNOWS,
    RelType.NEIGHBOUR_OF,
    RelType.COLLABORATES_WITH,
)


def people(n: int) -> list[dict[str, Any]]:
    return [
        {"id": f"P-{i:06d}", "name": f"住民 {i}", "birth_year": 1930 + i % 70, "tags": ["a", "b"]}
        for i in range(n)
    ]


def ingest_unwind(store: Neo4jStore, rows: list[dict[str, Any]], hh: list[str]) -> None:
    store.upsert_nodes(P, rows)
    store.upsert_rels(
        RelRow(RelType.MEMBER_OF, NodeRef(P, r["id"]), NodeRef(H, hh[i % len(hh)]), {"role": "member"})
        for i, r in enumerate(rows)
    )


def ingest_row_tx(store: Neo4jStore, rows: list[dict[str, Any]], hh: list[str]) -> None:
    town = store.town

    def one(tx: Any, query: str, params: dict[str, Any]) -> None:
        tx.run(query, params).consume()

    with store.driver.session() as session:
        for r in rows:
            session.execute_write(one, NODE_ROW, {"town": town, "id": r["id"], "props": {**r, "town": town}})
        for i, r in enumerate(rows):
            params = {"town": town, "src": r["id"], "dst": hh[i % len(hh)], "props": {"role": "member"}}
            session.execute_write(one, REL_ROW, params)


def ingest_row(store: Neo4jStore, rows: list[dict[str, Any]], hh: list[str]) -> None:
    town = store.town

    def unit(tx: Any) -> None:
        for r in rows:
            tx.run(NODE_ROW, {"town": town, "id": r["id"], "props": {**r, "town": town}}).consume()
        for i, r in enumerate(rows):
            params = {"town": town, "src": r["id"], "dst": hh[i % len(hh)], "props": {"role": "member"}}
            tx.run(REL_ROW, params).consume()

    with store.driver.session() as session:
        session.execute_write(unit)


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


def part_ingest(driver: Any, uri: str, args: argparse.Namespace) -> None:
    rows = people(args.rows)
    hh = [f"H-{i:05d}" for i in range(max(1, args.rows // 10))]
    methods: dict[str, tuple[int, Callable[[Neo4jStore, list[dict[str, Any]], list[str]], None]]] = {
        "row_tx": (1, ingest_row_tx),
        "row": (1, ingest_row),
    }
    for b in args.batches:
        methods[f"unwind-{b}"] = (b, ingest_unwind)
    warm = Neo4jStore(driver, "warmup", uri=uri)
    warm.upsert_nodes(H, [{"id": h} for h in hh[:10]])
    for _, fn in methods.values():  # plan every statement once before timing
        fn(Neo4jStore(driver, "warmup", uri=uri), rows[:20], hh[:10])
    warm.clear()
    times: dict[str, list[float]] = {m: [] for m in methods}
    for _ in range(args.repeat):
        for name, (batch, fn) in methods.items():
            store = Neo4jStore(driver, "b" + uuid.uuid4().hex[:10], uri=uri, batch_rows=batch)
            store.upsert_nodes(H, [{"id": h} for h in hh])
            seconds, _ = timed(lambda fn=fn, store=store: fn(store, rows, hh))
            assert store.counts().rels == {"MEMBER_OF": args.rows}
            times[name].append(seconds)
            store.clear()
    base_tx, base = statistics.median(times["row_tx"]), statistics.median(times["row"])
    print(f"\n1. Ingest {args.rows} Person + {args.rows} MEMBER_OF, median of {args.repeat}")
    print(f"{'method':>14} {'seconds':>9} {'rows/s':>9} {'× row_tx':>9} {'× row':>7}")
    for name, ts in times.items():
        med = statistics.median(ts)
        print(f"{name:>14} {med:9.3f} {2 * args.rows / med:9.0f} {base_tx / med:9.1f} {base / med:7.1f}")


def part_towns(driver: Any, uri: str, args: argparse.Namespace, tmp: Path) -> None:
    print("\n2. Town load (build_town, synthetic town)   3. Gaps (analyse_all) and network questions")
    print(
        f"{'households':>10} {'store':>9} {'load s':>8} {'nodes':>8} {'rels':>8} {'projection s':>12} "
        f"{'gaps s':>8} {'network s':>9}"
    )
    for n in args.households:
        spec = get_spec("synthetic", households=n)
        stores: dict[str, GraphStore] = {
            "embedded": EmbeddedStore(tmp / f"synthetic{n}.sqlite3", f"synthetic{n}", synchronous="NORMAL"),
            "neo4j": Neo4jStore(driver, f"synthetic{n}", uri=uri),
        }
        results: dict[str, dict[str, float]] = {}
        answers = {}
        for name, store in stores.items():
            load, _ = timed(lambda store=store, spec=spec, n=n: build_town(store, spec, seed=1, households=n))
            counts = store.counts()
            proj_s, g = timed(store.projection)
            gaps_s, _ = timed(lambda g=g: analyse_all(g, reference_year=2025))
            net = NetworkxNetwork(store) if name == "embedded" else network_of(store)
            # components, bridges and articulation points of the whole support network; betweenness (exact,
            # O(nodes × ties)) of the agency network only
            net_s, ans = timed(
                lambda net=net: (
                    net.answers(
                        NETWORK_LABELS, NETWORK_TYPES, ["components", "bridges", "articulation_points"]
                    ),
                    net.answers([NodeLabel.AGENCY], [RelType.COLLABORATES_WITH], ["betweenness"]),
                )
            )
            answers[name] = ans
            results[name] = {"load": load, "proj": proj_s, "gaps": gaps_s, "net": net_s}
            print(
                f"{n:>10} {name:>9} {load:8.1f} {counts.total_nodes:>8} {counts.total_rels:>8} {proj_s:12.1f} "
                f"{gaps_s:8.1f} {net_s:9.1f}  ({type(net).__name__})"
            )
        e, x = results["embedded"], results["neo4j"]
        (e_net, e_btw), (x_net, x_btw) = answers["embedded"], answers["neo4j"]
        same = (
            (e_net.components, e_net.bridges, e_net.articulation_points)
            == (x_net.components, x_net.bridges, x_net.articulation_points)
            and e_btw.betweenness.keys() == x_btw.betweenness.keys()
            and all(abs(e_btw.betweenness[k] - x_btw.betweenness[k]) < 1e-9 for k in e_btw.betweenness)
        )
        print(
            f"{n:>10} {'neo4j/emb':>9} {x['load'] / e['load']:8.2f} {'':>8} {'':>8} {x['proj'] / e['proj']:12.2f} "
            f"{(x['proj'] + x['gaps']) / (e['proj'] + e['gaps']):8.2f} {x['net'] / e['net']:9.2f}  "
            f"(gaps ratio incl. projection; network answers equal: {same})"
        )
        stores["neo4j"].clear()
        stores["embedded"].close()  # type: ignore[attr-defined]


def main(argv: list[str] | None = None) -> int:
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # stop the server on the way out
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, default=5000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--batches", default="100,500,2000,5000")
    ap.add_argument("--households", default="10000,100000")
    ap.add_argument("--heap", default="2g")
    ap.add_argument("--pagecache", default="1g")
    args = ap.parse_args(argv)
    args.batches = [int(x) for x in args.batches.split(",") if x]
    args.households = [int(x) for x in args.households.split(",") if int(x) > 0]
    t0 = time.perf_counter()
    server = start_neo4j(heap=args.heap, pagecache=args.pagecache)
    print(f"{server.agent} + GDS {server.gds_version} on {server.uri} (heap {args.heap}, page cache "
          f"{args.pagecache}), started in {server.started_in:.0f}s")  # fmt: skip
    try:
        with server.driver() as driver, tempfile.TemporaryDirectory() as tmp:
            part_ingest(driver, server.uri, args)
            if args.households:
                part_towns(driver, server.uri, args, Path(tmp))
    finally:
        server.stop()
    print(f"\ntotal {time.perf_counter() - t0:.0f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
