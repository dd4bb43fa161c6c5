"""The statement reader on the labelled corpus: per-polarity precision and recall, against the old reader.

Figures (README.md, "Reading Japanese"): development part ≥ 0.95 on every polarity; held-out part better than
the old reader on every polarity and at least the floors recorded when it was first read (the held-out part is
never tuned on, so these floors guard against a regression, not against the corpus).
"""

from __future__ import annotations

import pytest

from tests.unit.matching.corpus.score import POLARITIES, load, new_reader, old_reader, score, split

# (precision, recall) of the fifth set when it was first read (README.md); a regression guard
HELDOUT_FLOOR = {"want": (0.96, 0.93), "can": (0.91, 0.96), "avoid": (0.96, 0.93), "cannot": (0.92, 0.96)}


def test_corpus_size_and_labels() -> None:
    from matching.vocabulary import default_vocabulary

    known = set(default_vocabulary().concepts)
    items = split("dev") + split("heldout")
    assert len(items) >= 300
    assert len(split("heldout")) >= 140
    for it in items:
        for g in it.gold:
            assert g.concept in known, (it.line, g)
            assert g.polarity in POLARITIES
            assert g.strength in (None, "hard", "soft")


@pytest.mark.parametrize("part", ["dev", "heldout"])
def test_new_reader_beats_old_on_every_polarity(part: str) -> None:
    items = split(part)
    new, old = score(items, new_reader), score(items, old_reader)
    for p in POLARITIES:
        assert (new.recall(p) or 0) > (old.recall(p) or 0), p
        assert (new.precision(p) or 0) > (old.precision(p) or 0), p


def test_development_part_at_least_095() -> None:
    s = score(split("dev"), new_reader)
    for p in POLARITIES:
        assert (s.precision(p) or 0) >= 0.95, (p, s.precision(p))
        assert (s.recall(p) or 0) >= 0.95, (p, s.recall(p))


def test_held_out_part_keeps_its_recorded_figures() -> None:
    s = score(split("heldout"), new_reader)
    for p, (fp, fr) in HELDOUT_FLOOR.items():
        assert (s.precision(p) or 0) >= fp - 1e-9, (p, s.precision(p))
        assert (s.recall(p) or 0) >= fr - 1e-9, (p, s.recall(p))
    assert s.strength_ok == s.strength_n  # hard / soft right on every limit found


def test_every_file_parses() -> None:
    from tests.unit.matching.corpus import score as sc

    for path in (sc.CORPUS, sc.SECOND, sc.THIRD, sc.FOURTH, sc.HELDOUT):
        assert load(path)
