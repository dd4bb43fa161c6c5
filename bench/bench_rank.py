"""Rank 10,000 openings for one person: vectorised :func:`matching.rank` against a per-pair Python loop.

Prints, in one run:

- the Japanese analyser's cost: a cold process importing ``matching`` loads no analyser (lazy); then the
  SudachiPy tokenizer's and the chiVe vectors' load times and the resident memory they add;
- a first ``rank`` on a cold cache (a fresh process: analyser, vectors, reading a demo-sized catalogue of
  300 openings and the person's text), beyond the process's start-up;
- the median milliseconds of ``rank(profile, index, top=10)`` after warm-up (explanations of the top 10
  included), for a profile with free text and for the same profile without text (the cost of reading text
  once it is cached), and the per-pair loop over the same index (the same constraints and scores, one pair at
  a time), with their ratio.

Asserts that both paths give the same feasible set and the same scores, that the vectorised path is at least
50× faster than the loop, that the text costs at most 1.5× the no-text ranking, and that the cold first match
stays under 1 s beyond start-up. The absolute ≤ 5 ms target is reported; on a shared, loaded machine it is
checked only with ``--strict`` (these machines are shared: the ratios are what counts).

    .venv/bin/python bench/bench_rank.py [--n 10000] [--repeat 50] [--strict]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from matching import OpeningIndex, rank, rank_per_pair
from matching.sim.openings import make_openings, make_profile

TARGET_MS = 5.0
TARGET_RATIO = 50.0
TARGET_TEXT_RATIO = 1.5
TARGET_COLD_S = 1.0

_COLD = r"""
import json, resource, sys, time
t0 = time.perf_counter()
import matching
from matching import OpeningIndex, rank
from matching.sim.openings import make_openings, make_profile
startup = time.perf_counter() - t0
lazy = "sudachipy" not in sys.modules and "spacy" not in sys.modules
openings = make_openings(300, seed=2)
base = make_profile()
# a word outside the vocabulary, so that the first match also loads the word vectors (the worst case)
profile = base.model_copy(update={"free_text": (base.free_text or "") + "。自転車をいじるのが好き"})
rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
t1 = time.perf_counter()
result = rank(profile, openings, top=10)
_ = result.ranked
first = time.perf_counter() - t1
from matching.analyser import info
print(json.dumps({"startup_s": startup, "lazy": lazy, "first_match_s": first, "rss_before_mb": rss0 / 1024,
                  "rss_after_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, **info()}))
"""


def cold_first_match(cache_dir: str) -> dict[str, object]:
    """A fresh process: start-up, then a first match on a cold cache (analyser and vectors loaded on demand).

    ``cache_dir`` is the vectors' index cache (:data:`matching.analyser` ``TSUNAGARI_CACHE_DIR``): empty for the
    first process ever, filled for every later one."""
    import os

    out = subprocess.run(
        [sys.executable, "-c", _COLD],
        capture_output=True,
        text=True,
        check=True,
        cwd=str(Path(__file__).resolve().parents[1]),
        env={**os.environ, "TSUNAGARI_CACHE_DIR": cache_dir},
    )
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=10_000)
    ap.add_argument("--repeat", type=int, default=50)
    ap.add_argument("--loop-repeat", type=int, default=3)
    ap.add_argument("--no-assert", action="store_true", help="report only")
    ap.add_argument("--strict", action="store_true", help="also require the absolute 5 ms median")
    args = ap.parse_args(argv)

    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        runs = [("first process ever", cold_first_match(tmp)), ("later process", cold_first_match(tmp))]
    for name, c in runs:
        print(
            f"{name}: start-up {1000 * float(c['startup_s']):.0f} ms (analyser not loaded at import: "
            f"{c['lazy']}); first match on 300 openings, cold caches {1000 * float(c['first_match_s']):.0f} ms "
            f"(analyser load {1000 * float(c.get('analyser_load_s', 0)):.0f} ms, vectors load "
            f"{1000 * float(c.get('vectors_load_s', 0)):.0f} ms); resident memory "
            f"{float(c['rss_before_mb']):.0f} → {float(c['rss_after_mb']):.0f} MB"
        )
    cold = runs[0][1]
    print(
        f"analyser: SudachiPy {cold.get('sudachipy')} + sudachidict-core {cold.get('sudachidict-core')}, "
        f"vectors from ja-ginza {cold.get('ja-ginza')}: {cold.get('vectors_words', '?')} words → "
        f"{cold.get('vectors_rows', '?')} rows, {cold.get('vectors_mb', '?')} MB; version {cold['analyser_version']}"
    )

    t0 = time.perf_counter()
    openings = make_openings(args.n, seed=1)
    t1 = time.perf_counter()
    index = OpeningIndex.build(openings)
    t2 = time.perf_counter()
    profile = make_profile()
    plain = profile.model_copy(update={"free_text": None})
    print(
        f"openings: {args.n:,}  generate {1000 * (t1 - t0):.0f} ms  index build {1000 * (t2 - t1):.0f} ms "
        f"({len(index.texts):,} unique texts read by the analyser)"
    )

    for _ in range(3):  # warm-up (vectoriser, caches)
        _ = rank(profile, index, top=10).ranked
    times = []
    for _ in range(args.repeat):
        a = time.perf_counter()
        result = rank(profile, index, top=10)
        _ = result.ranked  # explanations of the top 10
        times.append(time.perf_counter() - a)
    vec_ms = 1000 * statistics.median(times)
    for _ in range(3):
        _ = rank(plain, index, top=10).ranked
    plain_times = []
    for _ in range(args.repeat):
        a = time.perf_counter()
        _ = rank(plain, index, top=10).ranked
        plain_times.append(time.perf_counter() - a)
    plain_ms = 1000 * statistics.median(plain_times)

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
    print(
        f"same profile without free text:      median {plain_ms:.2f} ms (text costs {vec_ms / plain_ms:.2f}x)"
    )
    print(f"per-pair Python loop:                median {loop_ms:.1f} ms over {args.loop_repeat} runs")
    print(f"ratio loop / vectorised:             {ratio:.0f}x")
    print(f"same feasible set: {same_set}  max |score difference|: {max_diff:.2e}")
    if args.no_assert:
        return 0
    absolute = vec_ms <= TARGET_MS
    print(
        f"absolute target ≤ {TARGET_MS} ms: {'met' if absolute else 'not met on this (shared) machine now'}"
    )
    ok = (
        same_set
        and max_diff < 1e-6
        and ratio >= TARGET_RATIO
        and vec_ms / plain_ms <= TARGET_TEXT_RATIO
        and float(cold["first_match_s"]) < TARGET_COLD_S
        and bool(cold["lazy"])
        and (absolute or not args.strict)
    )
    print(
        "OK"
        if ok
        else f"FAILED (targets: ≥ {TARGET_RATIO:.0f}x the loop, text ≤ {TARGET_TEXT_RATIO}x, cold first match "
        f"< {TARGET_COLD_S} s, lazy analyser, equal scores{', ≤ 5 ms' if args.strict else ''})"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
