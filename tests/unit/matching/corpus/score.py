"""Score a statement reader on the labelled corpus (``statements.tsv``): per-polarity precision and recall.

A statement counts as (sentence, concept, polarity); strength is scored on the limits both sides agree on, and
the exception flag (``|exc``) on the limits both sides agree on.

Five files, written in turn: ``statements.tsv`` (first split by a hash of the text into ``v1-dev`` and
``v1-heldout``), ``second.tsv``, ``third.tsv``, ``fourth.tsv`` and ``heldout.tsv``. Each held-out part was read
once, its figures recorded in README.md, and then folded into the development part: ``dev`` is all but
``heldout.tsv`` (the rules and the similarity threshold were tuned on it); ``heldout`` is ``heldout.tsv``,
never tuned on.

    .venv/bin/python -m tests.unit.matching.corpus.score [--split dev|heldout|second|third|fourth|v1-dev|v1-heldout]
"""

from __future__ import annotations

import argparse
import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

CORPUS = Path(__file__).with_name("statements.tsv")
SECOND = Path(__file__).with_name("second.tsv")
THIRD = Path(__file__).with_name("third.tsv")
FOURTH = Path(__file__).with_name("fourth.tsv")
HELDOUT = Path(__file__).with_name("heldout.tsv")
POLARITIES = ("want", "can", "avoid", "cannot")


@dataclass(frozen=True)
class Gold:
    concept: str
    polarity: str
    strength: str | None
    exception: bool


@dataclass(frozen=True)
class Item:
    line: int
    text: str
    gold: tuple[Gold, ...]

    @property
    def v1_split(self) -> str:
        h = int(hashlib.md5(self.text.encode("utf-8")).hexdigest(), 16)
        return "v1-heldout" if h % 5 < 2 else "v1-dev"


def split(name: str) -> list[Item]:
    """The items of one part: ``dev``, ``heldout``, or the first hash split ``v1-dev`` / ``v1-heldout``."""
    if name == "heldout":
        return load(HELDOUT)
    if name == "second":
        return load(SECOND)
    if name == "third":
        return load(THIRD)
    if name == "fourth":
        return load(FOURTH)
    if name == "dev":
        return load(CORPUS) + load(SECOND) + load(THIRD) + load(FOURTH)
    return [i for i in load(CORPUS) if i.v1_split == name]


def load(path: Path = CORPUS) -> list[Item]:
    out = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        text, labels = line.split("\t")
        gold = []
        for lab in labels.split(" ; "):
            lab = lab.strip()
            if lab == "-":
                continue
            exc = lab.endswith("|exc")
            parts = lab.removesuffix("|exc").split(":")
            strength = parts[2] if len(parts) > 2 else ("soft" if parts[1] in ("avoid", "cannot") else None)
            gold.append(Gold(parts[0], parts[1], strength, exc))
        out.append(Item(n, text, tuple(gold)))
    return out


Predicted = tuple[str, str, str | None, bool]  # concept, polarity, strength (limits), has exception
Reader = Callable[[str], Iterable[Predicted]]


def new_reader(text: str) -> list[Predicted]:
    from matching.statements import extract

    return [
        (s.concept, s.polarity, s.strength, s.condition is not None and s.is_limit) for s in extract(text)
    ]


def old_reader(text: str) -> list[Predicted]:
    """The reader before issue 11: clauses split by limit markers, concepts by surface forms; a positive clause
    with a skill cue is an ability, another positive clause a wish, a clause with a limit marker an avoidance."""
    from matching.factors import _SKILL_CUES
    from matching.text import normalize, split_polarity
    from matching.vocabulary import default_vocabulary

    vocab = default_vocabulary()
    out: dict[tuple[str, str], Predicted] = {}
    pol = split_polarity(text)
    for clause in pol.positive:
        kind = "can" if any(normalize(c) in clause for c in _SKILL_CUES) else "want"
        for c in vocab.find(clause):
            out[(c, kind)] = (c, kind, None, False)
    for clause in pol.negative:
        for c in vocab.find(clause):
            out[(c, "avoid")] = (c, "avoid", None, False)
    return list(out.values())


@dataclass
class Scores:
    tp: dict[str, int]
    fp: dict[str, int]
    fn: dict[str, int]
    strength_ok: int
    strength_n: int
    exception_ok: int
    exception_n: int
    errors: list[str]

    def precision(self, p: str) -> float | None:
        d = self.tp[p] + self.fp[p]
        return self.tp[p] / d if d else None

    def recall(self, p: str) -> float | None:
        d = self.tp[p] + self.fn[p]
        return self.tp[p] / d if d else None

    def micro(self) -> tuple[float, float]:
        tp = sum(self.tp.values())
        fp = sum(self.fp.values())
        fn = sum(self.fn.values())
        return tp / max(1, tp + fp), tp / max(1, tp + fn)


def score(items: Iterable[Item], reader: Reader) -> Scores:
    tp = dict.fromkeys(POLARITIES, 0)
    fp = dict.fromkeys(POLARITIES, 0)
    fn = dict.fromkeys(POLARITIES, 0)
    s_ok = s_n = e_ok = e_n = 0
    errors: list[str] = []
    for it in items:
        pred = {(c, p): (st, ex) for c, p, st, ex in reader(it.text)}
        gold = {(g.concept, g.polarity): g for g in it.gold}
        for key, g in gold.items():
            if key in pred:
                tp[g.polarity] += 1
                st, ex = pred[key]
                if g.polarity in ("avoid", "cannot"):
                    s_n += 1
                    s_ok += st == g.strength
                    e_n += 1
                    e_ok += ex == g.exception
            else:
                fn[g.polarity] += 1
        for key in pred:
            if key not in gold:
                fp[key[1]] += 1
        if set(pred) != set(gold):
            errors.append(f"{it.line}: {it.text}\n    gold {sorted(gold)}\n    got  {sorted(pred)}")
    return Scores(tp, fp, fn, s_ok, s_n, e_ok, e_n, errors)


def _f(x: float | None) -> str:
    return "—" if x is None else f"{x:.3f}"


def table(items: list[Item]) -> str:
    old = score(items, old_reader)
    new = score(items, new_reader)
    n_st = sum(len(i.gold) for i in items)
    lines = [
        f"{len(items)} sentences, {n_st} statements",
        "",
        "| polarity | gold | old precision | old recall | new precision | new recall |",
        "|---|---|---|---|---|---|",
    ]
    for p in POLARITIES:
        lines.append(
            f"| {p} | {new.tp[p] + new.fn[p]} | {_f(old.precision(p))} | {_f(old.recall(p))} | "
            f"{_f(new.precision(p))} | {_f(new.recall(p))} |"
        )
    op, orc = old.micro()
    np_, nr = new.micro()
    lines.append(f"| all (micro) | {n_st} | {op:.3f} | {orc:.3f} | {np_:.3f} | {nr:.3f} |")
    lines.append("")
    lines.append(
        f"new: strength (hard/soft) right on {new.strength_ok}/{new.strength_n} limits found; "
        f"exception kept or not as labelled on {new.exception_ok}/{new.exception_n}"
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--split",
        choices=("dev", "heldout", "second", "third", "fourth", "v1-dev", "v1-heldout"),
        default="heldout",
    )
    ap.add_argument("--show-errors", action="store_true")
    args = ap.parse_args(argv)
    items = split(args.split)
    print(f"split: {args.split}")
    print(table(items))
    if args.show_errors:
        for e in score(items, new_reader).errors:
            print(e)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
