"""A learned contribution that runs against what a factor's value means is said so in the sentence."""

from __future__ import annotations

import numpy as np

from matching import FEATURES, rank
from matching.factors import PENALTIES
from tests.support.seed_examples import SCENARIOS


class _Scorer:
    """A stand-in learned scorer: the score is the mean factor value, but the penalties ('avoid', 'limits') are
    learned with the wrong sign (a limit the person named raises the predicted 定着), as selection bias can make a real model do."""

    def __init__(self, reference: np.ndarray) -> None:
        self.reference_ = reference
        self.factor_weights_ = np.full(len(FEATURES), 1.0 / len(FEATURES))

    def predict(self, X: np.ndarray) -> np.ndarray:
        return np.asarray(X, dtype=float).mean(axis=1)

    def contributions(self, X: np.ndarray) -> np.ndarray:
        # every factor pushes the score with its distance from the reference; 'avoid' too (the wrong way)
        return (np.asarray(X, dtype=float) - self.reference_) / len(FEATURES)


def test_sentence_notes_a_learned_contribution_against_the_factor_meaning() -> None:
    cook = SCENARIOS["former_cook"]
    reference = np.full(len(FEATURES), 0.2)
    for name in PENALTIES:
        reference[FEATURES.index(name)] = 0.0
    res = rank(cook.profile, list(cook.openings), scorer=_Scorer(reference), explain=10)
    noted = [
        (item.title, f)
        for item in res.ranked
        for f in item.factors
        if "※過去の結果から学んだモデル" in f.reason
    ]
    avoid = [f for _, f in noted if f.name in PENALTIES]
    assert avoid, "an opening involving a named limit must carry the note when the model raises it"
    assert all(f.contribution > 0 and "上げています" in f.reason for f in avoid)
    # factors whose learned contribution agrees with their meaning carry no note
    for item in res.ranked:
        for f in item.factors:
            if f.name not in PENALTIES and f.contribution > 0 and f.value > 0.2:
                assert "※" not in f.reason


def test_expert_explanations_carry_no_note() -> None:
    for sc in SCENARIOS.values():
        res = rank(sc.profile, list(sc.openings), explain=10)
        assert all("※" not in f.reason for item in res.ranked for f in item.factors)
