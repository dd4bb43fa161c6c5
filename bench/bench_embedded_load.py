"""Load benchmark of the embedded store: the toba demo town and a 100k-household synthetic town.

For each town, measured in the same run (the machines are shared and noisy, so the ratios are what count):

- ``generate``: generating the rows without storing them (the generator's own cost);
- ``sqlite``: the baseline: the same rows (canonical JSON, like the store) written with plain ``sqlite3``
  ``executemany`` into empty tables without keys, indexes or foreign keys, in one transaction;
- ``build``: :func:`loaders.demo.build_town` into a fresh :class:`EmbeddedStore` (tempdir, synchronous=FULL).

Peak memory: tracemalloc peak of Python allocations during the step, and the process RSS after it (psutil).

    .venv/bin/python bench/bench_embedded_load.py [--households 100000] [--seed 0]
"""

from __future__ import annotations

import argparse
import gc
import json
import sqlite3
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psutil

from graphsvc.store.embedded import EmbeddedStore
from loaders.demo import TOWNS, build_town, generate_town, synthetic_spec
from loaders.demo.spec import TownSpec

TRACE = False


def _measure(fn: Callable[[], Any]) -> tuple[Any, float, float, float]:
    """(result, seconds, tracemalloc peak MB (0 unless --trace, which slows every step several times),
    RSS MB after)."""
    gc.collect()
    if TRACE:
        tracemalloc.start()
    t0 = time.perf_counter()
    out = fn()
    secs = time.perf_counter() - t0
    peak = 0
    if TRACE:
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    rss = psutil.Process().memory_info().rss / 2**20
    return out, secs, peak / 2**20, rss


def _generate(spec: TownSpec, seed: int, households: int) -> tuple[int, int]:
    nodes = rels = 0
    for b in generate_town(spec, seed=seed, households=households):
        nodes += len(b.nodes)
        rels += len(b.rels)
    return nodes, rels


def _dump(p: dict[str, Any]) -> str:
    return json.dumps(p, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _plain_sqlite(spec: TownSpec, seed: int, households: int, path: Path) -> tuple[int, int]:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("CREATE TABLE nodes (label TEXT, id TEXT, props TEXT)")
    conn.execute("CREATE TABLE rels (type TEXT, sl TEXT, si TEXT, dl TEXT, di TEXT, props TEXT)")
    nodes = rels = 0
    conn.execute("BEGIN")
    for b in generate_town(spec, seed=seed, households=households):
        conn.executemany(
            "INSERT INTO nodes VALUES (?, ?, ?)",
            [(n.label.value, n.id, _dump({**n.props, "id": n.id})) for n in b.nodes],
        )
        conn.executemany(
            "INSERT INTO rels VALUES (?, ?, ?, ?, ?, ?)",
            [
                (r.type.value, r.src.label.value, r.src.id, r.dst.label.value, r.dst.id, _dump(r.props))
                for r in b.rels
            ],
        )
        nodes += len(b.nodes)
        rels += len(b.rels)
    conn.execute("COMMIT")
    conn.close()
    return nodes, rels


def _build(spec: TownSpec, seed: int, households: int, path: Path) -> tuple[int, int, bool]:
    with EmbeddedStore(path, spec.town) as store:
        s = build_town(store, spec, seed=seed, households=households)
        c = store.counts()
        return c.total_nodes, c.total_rels, s.atomic


def run(households: int, seed: int) -> None:
    cases = [
        ("toba", TOWNS["toba"], TOWNS["toba"].default_households),
        ("synthetic", synthetic_spec(households), households),
    ]
    print(
        f"{'town':<10} {'step':<9} {'nodes':>9} {'rels':>9} {'seconds':>8} {'rows/s':>9} {'peakMB':>7} {'rssMB':>7}  ratio"
    )
    for name, spec, n in cases:
        with tempfile.TemporaryDirectory() as tmp:
            (gn, gr), g_s, g_peak, g_rss = _measure(lambda spec=spec, n=n: _generate(spec, seed, n))
            (bn, br), b_s, b_peak, b_rss = _measure(
                lambda spec=spec, n=n: _plain_sqlite(spec, seed, n, Path(tmp) / "plain.db")
            )
            (sn, sr, atomic), s_s, s_peak, s_rss = _measure(
                lambda spec=spec, n=n: _build(spec, seed, n, Path(tmp) / "store.sqlite3")
            )
            assert (sn, sr) == (gn, gr) == (bn, br), "the store holds other rows than were generated"
            rows = gn + gr
            for step, secs, peak, rss in (
                ("generate", g_s, g_peak, g_rss),
                ("sqlite", b_s, b_peak, b_rss),
                ("build", s_s, s_peak, s_rss),
            ):
                ratio = "" if step == "generate" else f"x{secs / g_s:.2f} of generate"
                if step == "build":
                    ratio += f", x{secs / b_s:.2f} of plain sqlite ({'atomic' if atomic else 'chunked'})"
                print(
                    f"{name:<10} {step:<9} {gn:>9,} {gr:>9,} {secs:>8.2f} {rows / secs:>9,.0f} {peak:>7.0f} {rss:>7.0f}  {ratio}"
                )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--households", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--trace", action="store_true", help="also measure tracemalloc peaks (slow)")
    a = ap.parse_args()
    global TRACE
    TRACE = a.trace
    run(a.households, a.seed)


if __name__ == "__main__":
    main()
