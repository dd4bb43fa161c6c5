"""Offline evaluation of scorers on synthetic follow-up outcomes: expert weights against the learned model.

Run it (deterministic by seed; a few seconds with the defaults)::

    python -m matching.evaluate [--seed N] [--people N] [--openings N] [--json] [--ipw | --no-ipw]
    tsunagari evaluate [--seed N] [--people N] [--format table|json]

Protocol
--------
1. :func:`matching.sim.outcomes.make_outcomes` draws a town, people, coordinator-proposed placements and their
   outcomes at three months from a hidden ground truth.
2. Placements are split **by person** (:class:`~sklearn.model_selection.GroupShuffleSplit`): nobody in the
   held-out split contributed a training outcome.
3. :class:`~matching.learn.LearnedScorer` is fitted on the training placements only, given their recorded
   propensities (the probability with which the coordinator policy proposed each one); it uses them for
   inverse-propensity weighting when ``propensity_weighting`` is on (``--ipw``; see :mod:`matching.learn`).
4. On the held-out split:

   * **AUC** of 定着 among the observed placements (does the score separate placements that lasted from those
     that ended early?);
   * **Brier score** and a reliability table of the predicted probabilities. The expert score is not a
     probability, so its Brier score is that of the expert score mapped to a probability by a logistic fit on
     the training split; a constant predictor (the training base rate) is the floor to beat;
   * **nDCG@5**: for each held-out person, every feasible opening is ranked by each scorer (the order
     :func:`matching.rank` gives, up to its tie-breaks) and the gain of an opening is its ground-truth
     probability of 定着 (which no model sees);
   * **hit@1**: the top-ranked opening's ground-truth probability is within ``epsilon`` of the best feasible
     opening's.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import unicodedata
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import brier_score_loss, roc_auc_score
from sklearn.model_selection import GroupShuffleSplit

from matching.factors import FEATURES
from matching.learn import LearnedScorer
from matching.rank import Scorer
from matching.scorers import ExpertScorer
from matching.sim.outcomes import OutcomeData, PersonCandidates, make_outcomes

__all__ = [
    "EvaluationReport",
    "ScorerMetrics",
    "evaluate_scorers",
    "format_report",
    "learned_wins",
    "main",
    "ndcg_at_k",
    "ranking_metrics",
    "run",
]

DEFAULT_SEED = 0
DEFAULT_PEOPLE = 800
DEFAULT_OPENINGS = 200
DEFAULT_EPSILON = 0.02
_TEXT = FEATURES.index("text")


@dataclass(frozen=True)
class ScorerMetrics:
    """Held-out metrics of one scorer."""

    name: str
    label_ja: str
    auc: float
    brier: float
    mean_predicted: float
    ndcg_at_5: float
    hit_at_1: float
    reliability: list[dict[str, float]] = field(default_factory=list)


@dataclass(frozen=True)
class EvaluationReport:
    """Everything :func:`run` measured, with the sizes and the seed that reproduce it."""

    seed: int
    n_people: int
    n_openings: int
    n_train_people: int
    n_test_people: int
    n_train_placements: int
    n_test_placements: int
    observed_rate: float
    constant_brier: float
    epsilon: float
    scorers: list[ScorerMetrics]
    seconds: float
    propensity_weighted: bool = False
    regularization_c: float | None = None
    regularization_by: str = "fixed"  # "cv", "fixed", or "too_few" (C="cv" fell back to 1)

    def scorer(self, name: str) -> ScorerMetrics:
        for s in self.scorers:
            if s.name == name:
                return s
        raise KeyError(name)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def ndcg_at_k(order: np.ndarray, relevance: np.ndarray, k: int = 5) -> float:
    """nDCG@k of ``order`` (positions into ``relevance``, best first) with linear gains."""
    disc = 1.0 / np.log2(np.arange(2, k + 2))
    top = relevance[order[:k]]
    ideal = np.sort(relevance)[::-1][:k]
    idcg = float((ideal * disc[: len(ideal)]).sum())
    return float((top * disc[: len(top)]).sum()) / idcg if idcg > 0 else 0.0


def _order(scores: np.ndarray, pc: PersonCandidates) -> np.ndarray:
    """Best first; ties by text similarity, then catalogue order (as :func:`matching.rank`)."""
    return np.lexsort((pc.rows, -pc.X[:, _TEXT], -scores))


def ranking_metrics(
    scorer: Scorer, people: Sequence[PersonCandidates], *, k: int = 5, epsilon: float = DEFAULT_EPSILON
) -> tuple[float, float]:
    """(mean nDCG@k, hit@1 rate) of ``scorer`` over ``people`` with at least two feasible openings."""
    ndcg: list[float] = []
    hit: list[float] = []
    for pc in people:
        if len(pc.rows) < 2:
            continue
        order = _order(np.asarray(scorer.predict(pc.X), dtype=np.float64), pc)
        ndcg.append(ndcg_at_k(order, pc.p_true, k))
        hit.append(float(pc.p_true[order[0]] >= pc.p_true.max() - epsilon))
    return (float(np.mean(ndcg)) if ndcg else 0.0, float(np.mean(hit)) if hit else 0.0)


def _reliability(p: np.ndarray, y: np.ndarray, bins: int = 5) -> list[dict[str, float]]:
    edges = np.linspace(0.0, 1.0, bins + 1)
    which = np.clip(np.digitize(p, edges[1:-1]), 0, bins - 1)
    out = []
    for b in range(bins):
        m = which == b
        if m.any():
            out.append(
                {
                    "bin_low": float(edges[b]),
                    "bin_high": float(edges[b + 1]),
                    "n": int(m.sum()),
                    "mean_predicted": float(p[m].mean()),
                    "observed": float(y[m].mean()),
                }
            )
    return out


def evaluate_scorers(
    data: OutcomeData,
    *,
    test_size: float = 0.25,
    learned: LearnedScorer | None = None,
    epsilon: float = DEFAULT_EPSILON,
    seed: int | None = None,
) -> EvaluationReport:
    """Split ``data`` by person, fit the learned scorer on the training split, measure both on the held-out split.

    Parameters
    ----------
    data : OutcomeData
    test_size : float
        Share of people held out.
    learned : LearnedScorer, optional
        Unfitted estimator to fit (default ``LearnedScorer(random_state=seed)``).
    epsilon : float
        Tolerance of hit@1 in ground-truth probability.
    seed : int, optional
        Seeds the split and the learned model (default ``data.seed``).
    """
    t0 = time.perf_counter()
    seed = data.seed if seed is None else seed
    X, y, groups = data.X, data.y, data.groups
    split = GroupShuffleSplit(n_splits=1, test_size=test_size, random_state=seed)
    train, test = next(split.split(X, y, groups))
    propensities = np.array([p.propensity for p in data.placements], dtype=np.float64)
    model = learned if learned is not None else LearnedScorer(random_state=seed)
    model.fit(X[train], y[train], propensities=propensities[train])
    expert = ExpertScorer().fit()

    test_people = [data.people[i] for i in sorted(set(groups[test].tolist()))]
    base = float(y[train].mean())
    y_test = y[test]
    # the expert score as a probability, for its Brier score: a logistic map fitted on the training split
    platt = LogisticRegression().fit(expert.predict(X[train])[:, None], y[train])

    metrics: list[ScorerMetrics] = []
    for name, label, sc, prob in (
        ("expert", "専門家の重み", expert, platt.predict_proba(expert.predict(X[test])[:, None])[:, 1]),
        ("learned", "学習モデル", model, model.predict(X[test])),
    ):
        ndcg, hit = ranking_metrics(sc, test_people, epsilon=epsilon)
        metrics.append(
            ScorerMetrics(
                name=name,
                label_ja=label,
                auc=float(roc_auc_score(y_test, sc.predict(X[test]))),
                brier=float(brier_score_loss(y_test, prob)),
                mean_predicted=float(prob.mean()),
                ndcg_at_5=ndcg,
                hit_at_1=hit,
                reliability=_reliability(prob, y_test),
            )
        )
    return EvaluationReport(
        seed=seed,
        n_people=len(data.people),
        n_openings=len(data.index),
        n_train_people=len(set(groups[train].tolist())),
        n_test_people=len(test_people),
        n_train_placements=len(train),
        n_test_placements=len(test),
        observed_rate=float(y_test.mean()),
        constant_brier=float(brier_score_loss(y_test, np.full(len(test), base))),
        epsilon=epsilon,
        scorers=metrics,
        seconds=time.perf_counter() - t0,
        propensity_weighted=model.propensity_weighted_,
        regularization_c=model.C_,
        regularization_by="cv" if model.C_by_cv_ else "too_few" if model.C == "cv" else "fixed",
    )


_C_NOTES = {
    "cv": "(学習データの交差検証で選択 / chosen by cross-validation on the training split)",
    "fixed": "(指定値 / as given)",
    "too_few": "(結果が少なく交差検証できないため既定値 / default: too few outcomes to cross-validate)",
}


def run(
    seed: int = DEFAULT_SEED,
    people: int = DEFAULT_PEOPLE,
    openings: int = DEFAULT_OPENINGS,
    *,
    test_size: float = 0.25,
    epsilon: float = DEFAULT_EPSILON,
    propensity_weighting: bool | None = None,
) -> EvaluationReport:
    """Generate synthetic outcomes with ``seed`` and evaluate expert against learned (the command's body).

    ``propensity_weighting``: fit the learned scorer with inverse-propensity weights (True) or unweighted
    (False); ``None`` keeps the :class:`~matching.learn.LearnedScorer` default.
    """
    t0 = time.perf_counter()
    data = make_outcomes(people, openings, seed=seed)
    learned = (
        None
        if propensity_weighting is None
        else LearnedScorer(random_state=seed, propensity_weighting=propensity_weighting)
    )
    report = evaluate_scorers(data, test_size=test_size, learned=learned, epsilon=epsilon, seed=seed)
    return EvaluationReport(
        **{**asdict(report), "scorers": report.scorers, "seconds": time.perf_counter() - t0}
    )


def learned_wins(r: EvaluationReport) -> bool:
    """Whether the learned scorer beats the expert on AUC, nDCG@5 and hit@1 of the held-out split."""
    e, learned = r.scorer("expert"), r.scorer("learned")
    return learned.auc > e.auc and learned.ndcg_at_5 > e.ndcg_at_5 and learned.hit_at_1 > e.hit_at_1


def format_report(r: EvaluationReport) -> str:
    """A Japanese/English plain-text table."""
    e, learned = r.scorer("expert"), r.scorer("learned")
    rows = [
        ("AUC (定着の識別 / discrimination)", e.auc, learned.auc, "高いほど良い higher is better"),
        (
            "Brier (確率の誤差 / probability error)",
            e.brier,
            learned.brier,
            f"一定値 constant {r.constant_brier:.3f}",
        ),
        (
            "nDCG@5 (真の定着確率での順位 / ranking)",
            e.ndcg_at_5,
            learned.ndcg_at_5,
            "高いほど良い higher is better",
        ),
        (
            f"hit@1 (1位が最良 ±{r.epsilon:g} / top-1 is best)",
            e.hit_at_1,
            learned.hit_at_1,
            "高いほど良い higher is better",
        ),
        (
            "平均予測 (mean predicted)",
            e.mean_predicted,
            learned.mean_predicted,
            f"実測 observed {r.observed_rate:.3f}",
        ),
    ]
    w = max(_width(t) for t, *_ in rows) + 2
    lines = [
        "オフライン評価: 専門家の重み と 学習モデル (offline evaluation: expert weights vs learned model)",
        f"seed={r.seed}  人 people={r.n_people}  参加メニュー openings={r.n_openings}  ({r.seconds:.1f}秒 s)",
        f"学習 train: {r.n_train_people}人 {r.n_train_placements}件 / "
        f"評価 held-out: {r.n_test_people}人 {r.n_test_placements}件 (人単位で分割 split by person), "
        f"定着率 observed {r.observed_rate:.0%}",
        "学習の重み (training weights): "
        + (
            "傾向スコアの逆数 (inverse propensity, clipped at p95, self-normalised)"
            if r.propensity_weighted
            else "なし (unweighted)"
        ),
        *(
            [f"正則化 (regularisation) C = {r.regularization_c:.3g} " + _C_NOTES.get(r.regularization_by, "")]
            if r.regularization_c is not None
            else []
        ),
        "",
        f"{_pad('指標 (metric)', w)}{'専門家 expert':>14}{'学習 learned':>14}   備考 (note)",
    ]
    for title, a, b, note in rows:
        lines.append(f"{_pad(title, w)}{a:>14.3f}{b:>14.3f}   {note}")
    lines += [
        "",
        "専門家の Brier は訓練データでロジスティック変換した点数で計算 (expert Brier: its score mapped to a "
        "probability by a logistic fit on the training split)",
        "学習モデルの信頼度 (reliability of the learned model): 予測 predicted → 実測 observed (件数 n)",
    ]
    for rb in learned.reliability:
        lines.append(
            f"  {rb['bin_low']:.1f}–{rb['bin_high']:.1f}: {rb['mean_predicted']:.3f} → {rb['observed']:.3f} "
            f"({int(rb['n'])})"
        )
    lines.append(
        "結果: 学習モデルが AUC・nDCG@5・hit@1 のすべてで上回る (learned beats expert on all three)"
        if learned_wins(r)
        else "結果: 学習モデルはすべての指標では上回っていない (learned does not beat expert on every metric)"
    )
    return "\n".join(lines)


def _width(s: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)


def _pad(s: str, w: int) -> str:
    return s + " " * max(0, w - _width(s))


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m matching.evaluate``: print the report; exit status 1 when learned does not beat expert."""
    ap = argparse.ArgumentParser(
        prog="python -m matching.evaluate",
        description="専門家の重みと学習モデルのオフライン評価 (offline evaluation of expert vs learned scorer)",
    )
    ap.add_argument("--seed", type=int, default=DEFAULT_SEED, help="乱数の種 (seed)")
    ap.add_argument("--people", type=int, default=DEFAULT_PEOPLE, help="人数 (number of synthetic people)")
    ap.add_argument(
        "--openings", type=int, default=DEFAULT_OPENINGS, help="参加メニュー数 (number of openings)"
    )
    ap.add_argument("--json", action="store_true", help="JSON で出力 (print JSON)")
    ap.add_argument(
        "--ipw",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="傾向スコアの逆数で重み付け (inverse-propensity weighting; default: the LearnedScorer default)",
    )
    args = ap.parse_args(argv)
    report = run(args.seed, args.people, args.openings, propensity_weighting=args.ipw)
    if args.json:
        sys.stdout.write(json.dumps(report.to_dict(), ensure_ascii=False, indent=2) + "\n")
    else:
        sys.stdout.write(format_report(report) + "\n")
    return 0 if learned_wins(report) else 1


if __name__ == "__main__":
    raise SystemExit(main())
