"""名寄せ quality: the Japanese model against two baselines in the same run, on generated lists with truth.

For each town (the demo's 鳥羽 and a synthetic town of about 20,000 people) the generator writes seven agency
lists from the demo town's people (:mod:`linkage.synth`), and three linkers run on the same records:

* **japanese** — this project's model (:mod:`linkage.model`), strict clustering and review queue;
* **exact** — same name (NFKC, no spaces) and same birth date (parsed) is one person;
* **splink generic** — Splink with its stock comparisons only (Jaro–Winkler on the raw strings), trained and
  clustered the same way.

Prints pairwise precision / recall / F1 of person and household links, the review queue's share of records,
the blocking rules' comparison counts, the learned weights and their sanity checks, and the households two
agencies both serve (linked vs truth). Asserts F1 ≥ 0.97 on persons, better than both baselines, and a review
queue of at most 2 % of records (``--no-assert`` to report only).

    .venv/bin/python bench/bench_linkage.py [--towns toba,synthetic20k] [--seed 1]
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from linkage.evaluate import PairScores, pair_scores, shared_households
from linkage.pipeline import (
    LinkConfig,
    SourceList,
    exact_baseline,
    exact_households,
    generic_baseline,
    household_clusters,
    link,
    prepare,
)
from linkage.synth import generate_lists

REF = dt.date(2021, 8, 31)
TOWNS = {"toba": ("toba", None), "synthetic20k": ("synthetic", 8_600), "takasu": ("takasu", None)}


def _fmt(s: PairScores) -> str:
    return f"{s.precision:8.4f} {s.recall:8.4f} {s.f1:8.4f}"


def run_town(name: str, seed: int, check: bool) -> list[str]:
    town, households = TOWNS[name]
    t = time.perf_counter()
    synth = generate_lists(town, seed=seed, households=households)
    t_gen = time.perf_counter() - t
    lists = [SourceList(k, rows, default_city=synth.prefix) for k, rows in synth.rows.items()]
    t = time.perf_counter()
    prep = prepare(lists, reference=REF)
    t_prep = time.perf_counter() - t
    truth = {f"{x['list']}:{x['case_id']}": x["person_id"] for x in synth.truth}
    truth_h = {f"{x['list']}:{x['case_id']}": x["household_id"] for x in synth.truth}
    list_of = {uid: uid.split(":", 1)[0] for uid in prep.ids}
    print(
        f"\n== {name}: {synth.persons:,} persons, {synth.households:,} households; {len(synth.rows)} lists, "
        f"{len(prep):,} records (seed {seed}; generated in {t_gen:.1f} s, normalised in {t_prep:.1f} s)"
    )
    print("   " + ", ".join(f"{k} {len(v):,}" for k, v in synth.rows.items()))

    res = link(prep, config=LinkConfig(seed=seed, threads=2))
    t_ours = res.timings["total"] + t_prep
    hh = household_clusters(res.clustering.cluster_of, prep.dwelling(), prep.phones())
    t = time.perf_counter()
    ex = exact_baseline(prep)
    ex_h = exact_households(prep, ex)
    t_exact = time.perf_counter() - t + t_prep
    gen, t_generic = generic_baseline(prep, config=LinkConfig(seed=seed, threads=2))
    gen_h = exact_households(prep, gen)

    rows = [
        (
            "japanese (this model)",
            pair_scores(res.clustering.cluster_of, truth),
            pair_scores(hh, truth_h),
            t_ours,
        ),
        ("exact (name, birth date)", pair_scores(ex, truth), pair_scores(ex_h, truth_h), t_exact),
        ("splink generic (JW raw)", pair_scores(gen, truth), pair_scores(gen_h, truth_h), t_generic),
    ]
    print(
        f"\n{'method':26s} {'person P':>8s} {'R':>8s} {'F1':>8s} | {'hh P':>8s} {'R':>8s} {'F1':>8s} | time"
    )
    for label, ps, hs, secs in rows:
        print(f"{label:26s} {_fmt(ps)} | {_fmt(hs)} | {secs:6.1f} s")
    ours, exact, generic = rows[0][1], rows[1][1], rows[2][1]
    print(
        f"F1 ratio: japanese / exact = {ours.f1 / exact.f1:.3f}, japanese / generic = {ours.f1 / generic.f1:.3f}; "
        f"time ratio japanese / generic = {t_ours / t_generic:.2f}"
    )
    share = len(res.review) / len(prep)
    reasons = Counter(r.reason for r in res.review)
    print(f"review queue: {len(res.review)} pairs = {share:.2%} of records ({dict(reasons)})")
    print(f"pairs scored: {res.n_pairs_scored:,}; blocking rules, comparisons each alone:")
    for rule, n in res.blocking_counts:
        print(f"   {rule:24s} {n:>12,}")
    print("learned weights (bits):")
    for comp, levels in res.weights.items():
        print(f"   {comp:8s} " + ", ".join(f"{k} {v:+.1f}" for k, v in levels.items()))
    bad = [c for c in res.checks if not c.ok]
    print(
        f"weight checks: {len(res.checks) - len(bad)}/{len(res.checks)} ok"
        + (f"; FAILED {bad}" if bad else "")
    )
    print("timings (s): " + ", ".join(f"{k} {v:.1f}" for k, v in res.timings.items()))

    linked = shared_households(hh, list_of)
    true = shared_households(truth_h, list_of)
    keys = sorted(set(linked) | set(true), key=lambda k: -true.get(k, 0))
    err = sum(abs(linked.get(k, 0) - true.get(k, 0)) for k in keys) / max(1, sum(true.values()))
    print("households two agencies both serve (linked / truth):")
    for k in keys[:8]:
        print(f"   {k[0]:>9s} & {k[1]:9s} {linked.get(k, 0):6d} / {true.get(k, 0):6d}")
    print(f"   relative error over all {len(keys)} pairs of agencies: {err:.2%}")

    failures: list[str] = []
    if check:
        if ours.f1 < 0.97:
            failures.append(f"{name}: person F1 {ours.f1:.4f} < 0.97")
        if ours.f1 <= max(exact.f1, generic.f1):
            failures.append(f"{name}: not better than the baselines")
        if share > 0.02:
            failures.append(f"{name}: review queue {share:.2%} > 2%")
        if bad:
            failures.append(f"{name}: weight checks failed")
    return failures


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--towns", default="toba,synthetic20k")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--no-assert", action="store_true")
    args = ap.parse_args(argv)
    failures: list[str] = []
    for name in args.towns.split(","):
        failures += run_town(name.strip(), args.seed, not args.no_assert)
    for f in failures:
        print("FAIL:", f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
