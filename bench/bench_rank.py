"""Rank 10,000 openings for one person: vectorised :func:`matching.rank` against a per-pair Python loop.

Prints the median milliseconds of ``rank(profile, index, top=10)`` (explanations of the top 10 included), the
per-pair loop's time over the same index (the same constraints and the same scores, one pair at a time), and
their ratio. Asserts that both give the same feasible set and the same scores, that the median is at most
5 ms and that the vectorised path is at least 50× faster (these machines are shared: the ratio is what counts).

    .venv/bin/python bench/bench_rank.py [--n 10000] [--repeat 50]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from matching import OpeningIndex, rank, rank_per_pair
from matching.sim.openings import make_openings, make_profile

TARGET_MS = 5.0
TARGET_RATIO = 50.0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=10_000)
    ap.add_argument("--repeat", type=int, default=50)
    ap.add_argument("--loop-repeat", type=int, default=3)
    ap.add_argument("--no-assert", action="store_true", help="report only")
    args = ap.parse_args(argv)

    t0 = time.perf_counter()
    openings = make_openings(args.n, seed=1)
    t1 = time.perf_counter()
    index = OpeningIndex.build(openings)
    t2 = time.perf_counter()
    profile = make_profile()
    print(f"openings: {args.n:,}  generate {1000 * (t1 - t0):.0f} ms  index build {1000 * (t2 - t1):.0f} ms")

    for _ in range(3):  # warm-up (vectoriser, caches)
        _ = rank(profile, index, top=10).ranked
    times = []
    for _ in range(args.repeat):
        a = time.perf_counter()
        result = rank(profile, index, top=10)
        _ = result.ranked  # explanations of the top 10
        times.append(time.perf_counter() - a)
    vec_ms = 1000 * statistics.median(times)

    loop_times = []
    loop = []
    for _ in range(args.loop_repeat):
        a = time.perf_counter()
        loop = rank_per_pair(profile, index)
        loop_times.append(time.perf_counter() - a)
    loop_ms = 1000 * statistics.median(loop_times)

    full = rank(profile, index)
    vec_scores = {index.openings[i].id: float(s) for i, s in zip(full.order, full.scores, strict=True)}
    loop_scores = dict(loop)
    same_set = vec_scores.keys() == loop_scores.keys()
    max_diff = (
        max((abs(vec_scores[k] - loop_scores[k]) for k in vec_scores), default=0.0)
        if same_set
        else float("inf")
    )
    ratio = loop_ms / vec_ms
    print(f"feasible: {full.n_feasible:,} of {len(index):,}  ({full.message})")
    print(f"rank (vectorised, top 10 explained): median {vec_ms:.2f} ms over {args.repeat} runs")
    print(f"per-pair Python loop:                median {loop_ms:.1f} ms over {args.loop_repeat} runs")
    print(f"ratio loop / vectorised:             {ratio:.0f}x")
    print(f"same feasible set: {same_set}  max |score difference|: {max_diff:.2e}")
    if args.no_assert:
        return 0
    ok = same_set and max_diff < 1e-6 and vec_ms <= TARGET_MS and ratio >= TARGET_RATIO
    print("OK" if ok else f"FAILED (targets: ≤ {TARGET_MS} ms, ≥ {TARGET_RATIO:.0f}x, equal scores)")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
