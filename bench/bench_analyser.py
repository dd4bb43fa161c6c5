"""SudachiPy (the analyser matching uses) against GiNZA's full pipeline, on the statement corpus.

For each backend, in a fresh process: the load time, the resident memory it adds, the time to read every
sentence of the corpus, and the per-polarity precision and recall of the statement rules
(:mod:`matching.statements`) run on that backend's morphemes (GiNZA: spaCy + SudachiPy split mode C + a UD
parser; the rules read the same Sudachi fields from it). Printed side by side with the ratio of the times.

    .venv/bin/python bench/bench_analyser.py [--split dev|heldout]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

_RUN = r"""
import json, resource, sys, time
backend, split = sys.argv[1], sys.argv[2]
sys.path.insert(0, ".")
from tests.unit.matching.corpus.score import POLARITIES, score, new_reader, split as load_split
import matching.analyser as A
rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
t0 = time.perf_counter()
if backend == "ginza":
    import spacy
    nlp = spacy.load("ja_ginza")

    class Ginza:
        version = "ginza"

        def tokenize(self, sentence):
            out = []
            for t in nlp(sentence):
                tag = t.tag_.split("-")
                infl = (t.morph.get("Inflection") or ["*;*"])[0].split(";")
                out.append(A.Morpheme(t.orth_, t.norm_, t.lemma_, tag[0], tag[1] if len(tag) > 1 else "*",
                                      infl[1] if len(infl) > 1 else "*", t.idx, t.idx + len(t.orth_)))
            return out

        def lemmas(self, text):
            return tuple(m.norm for m in self.tokenize(A.normalize(text)) if m.pos != "空白")

    A._ANALYSER = Ginza()
else:
    A.analyser()
load = time.perf_counter() - t0
items = load_split(split)
a = A.analyser()
t1 = time.perf_counter()
for it in items:
    a.tokenize(A.normalize(it.text))
tok = time.perf_counter() - t1
A.vectors()
sc = score(items, new_reader)
p, r = sc.micro()
print(json.dumps({
    "load_s": load, "rss_mb": (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss0) / 1024,
    "per_sentence_ms": 1000 * tok / len(items), "n": len(items), "micro_p": p, "micro_r": r,
    "per_polarity": {q: [sc.precision(q), sc.recall(q)] for q in POLARITIES},
}))
"""


def run(backend: str, split: str) -> dict[str, object]:
    out = subprocess.run(
        [sys.executable, "-c", _RUN, backend, split],
        capture_output=True,
        text=True,
        check=True,
        cwd=str(ROOT),
    )
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--split", choices=("dev", "heldout"), default="dev")
    args = ap.parse_args(argv)
    res = {b: run(b, args.split) for b in ("sudachi", "ginza")}
    s, g = res["sudachi"], res["ginza"]
    print(f"corpus part: {args.split} ({s['n']} sentences)")
    print("| | SudachiPy + sudachidict-core (mode A) | GiNZA ja_ginza (spaCy, mode C, UD parse) | ratio |")
    print("|---|---|---|---|")
    print(
        f"| load | {float(s['load_s']):.2f} s | {float(g['load_s']):.2f} s | {float(g['load_s']) / float(s['load_s']):.0f}x |"
    )
    print(
        f"| memory added | {float(s['rss_mb']):.0f} MB | {float(g['rss_mb']):.0f} MB | {float(g['rss_mb']) / max(1.0, float(s['rss_mb'])):.1f}x |"
    )
    print(
        f"| per sentence | {float(s['per_sentence_ms']):.3f} ms | {float(g['per_sentence_ms']):.2f} ms | "
        f"{float(g['per_sentence_ms']) / float(s['per_sentence_ms']):.0f}x |"
    )
    print(
        f"| statements micro P / R | {float(s['micro_p']):.3f} / {float(s['micro_r']):.3f} | "
        f"{float(g['micro_p']):.3f} / {float(g['micro_r']):.3f} | |"
    )
    for q in ("want", "can", "avoid", "cannot"):
        sp, sr = s["per_polarity"][q]  # type: ignore[index]
        gp, gr = g["per_polarity"][q]  # type: ignore[index]
        print(f"| {q} P / R | {sp:.3f} / {sr:.3f} | {gp:.3f} / {gr:.3f} | |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
