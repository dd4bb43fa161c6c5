"""Refit the learned scorer on the outcomes recorded in the town graph (the follow-up loop).

Every PLACED_IN with an outcome (定着 at three months: continued / ended_well = 定着, ended_early = not) becomes a
training row: the person's profile as the graph completes it, the opportunity as matching sees it, the outcome.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from graphsvc.domain import DomainValidationError, NodeLabel, Opportunity, PlacementOutcome, Problem, RelType
from graphsvc.domain.codec import node_from_props
from graphsvc.services.matching import MatchingService
from graphsvc.store.port import GraphStore
from matching import LearnedScorer, Opening, Profile

__all__ = ["MIN_PER_CLASS", "RefitReport", "load_learned_scorer", "outcome_rows", "refit", "scorer_path"]

MIN_PER_CLASS = 10
"""Fewer recorded outcomes of either kind than this and a fit would say more about noise than about placements."""


def scorer_path(data_dir: Path, town: str) -> Path:
    """Where a town's learned scorer lives: next to its data, written by :func:`refit` (``tsunagari learn``)."""
    return Path(data_dir) / f"{town}.scorer.joblib"


def load_learned_scorer(data_dir: Path, town: str) -> LearnedScorer:
    """The town's learned scorer; a town that has none is a bilingual error naming the path and the remedy."""
    path = scorer_path(data_dir, town)
    if not path.exists():
        raise DomainValidationError(
            [
                Problem(
                    f"学習済みモデルがありません ({path})。先に `tsunagari learn --town …` を実行してください",
                    f"no learned scorer at {path}; run `tsunagari learn` first",
                    field="--scorer",
                )
            ]
        )
    return LearnedScorer.load(path)


@dataclass(frozen=True)
class RefitReport:
    rows: int
    settled: int
    ended_early: int
    path: Path

    def __str__(self) -> str:
        return (
            f"{self.rows}件の結果で学習しました (定着 {self.settled}件・早期終了 {self.ended_early}件) → {self.path} "
            f"(fitted on {self.rows} outcomes)"
        )


def outcome_rows(store: GraphStore) -> list[tuple[Profile, Opening, PlacementOutcome]]:
    """(profile, opening, outcome) for every placement with a recorded outcome and a participation profile."""
    svc = MatchingService(store)
    openings: dict[str, Opening] = {}
    for row in store.iter_nodes(NodeLabel.OPPORTUNITY):
        rec = node_from_props(NodeLabel.OPPORTUNITY, row.props)
        assert isinstance(rec, Opportunity)
        openings[rec.id] = Opening.from_domain(rec)
    out = []
    for rel in store.iter_rels(RelType.PLACED_IN):
        outcome = rel.props.get("outcome")
        if not outcome or rel.dst.id not in openings:
            continue
        person = store.get_node(rel.src)
        if person is None or "participation_profile_json" not in person.props:
            continue
        out.append((svc.profile(rel.src.id), openings[rel.dst.id], PlacementOutcome(str(outcome))))
    return out


def refit(store: GraphStore, path: Path, *, random_state: int = 0) -> RefitReport:
    """Fit a :class:`~matching.LearnedScorer` on the town's recorded outcomes and save it to ``path``."""
    rows = outcome_rows(store)
    counts = Counter(o is not PlacementOutcome.ENDED_EARLY for _, _, o in rows)
    settled, early = counts[True], counts[False]
    if settled < MIN_PER_CLASS or early < MIN_PER_CLASS:
        raise DomainValidationError(
            [
                Problem(
                    f"学習に使える結果が足りません: 定着 {settled}件・早期終了 {early}件 "
                    f"(それぞれ{MIN_PER_CLASS}件以上必要です)。参加の結果を記録してください",
                    f"not enough recorded outcomes: {settled} settled, {early} ended early "
                    f"(need {MIN_PER_CLASS} of each)",
                    field="outcome",
                )
            ]
        )
    scorer = LearnedScorer(random_state=random_state).fit_outcomes(rows)
    saved = scorer.save(path)
    return RefitReport(rows=len(rows), settled=settled, ended_early=early, path=saved)
