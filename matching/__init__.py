"""Placement matching as a library: profiles and openings, hard constraints, soft factors, scorers, ranking.

Needs no graph and no web framework: it takes a :class:`Profile` and openings and returns a
:class:`RankResult` with scores, per-factor Japanese reasons and the reason each excluded opening was excluded.

>>> from matching import Opening, OpeningIndex, Profile, rank
"""

from matching.constraints import Reason
from matching.explain import Factor
from matching.factors import FEATURES, FeatureBuilder, profile_vector
from matching.index import OpeningIndex
from matching.learn import LearnedScorer
from matching.rank import Exclusion, RankedItem, RankResult, check_references, rank, rank_per_pair
from matching.records import (
    ConsentScope,
    Eligibility,
    Opening,
    PastPlacement,
    Profile,
    Travel,
    TravelMode,
    load_openings,
    load_profile,
)
from matching.scorers import DEFAULT_WEIGHTS, ExpertScorer
from matching.vocabulary import Vocabulary, default_vocabulary, load_vocabulary

__all__ = [
    "DEFAULT_WEIGHTS",
    "FEATURES",
    "ConsentScope",
    "Eligibility",
    "Exclusion",
    "ExpertScorer",
    "Factor",
    "FeatureBuilder",
    "LearnedScorer",
    "Opening",
    "OpeningIndex",
    "PastPlacement",
    "Profile",
    "RankResult",
    "RankedItem",
    "Reason",
    "Travel",
    "TravelMode",
    "Vocabulary",
    "check_references",
    "default_vocabulary",
    "load_openings",
    "load_profile",
    "load_vocabulary",
    "profile_vector",
    "rank",
    "rank_per_pair",
]
