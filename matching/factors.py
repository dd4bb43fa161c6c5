"""Soft factors: the feature matrix for (profile, opening) pairs.

:class:`FeatureBuilder` turns one profile and an :class:`~matching.index.OpeningIndex` into an
``(n_openings, n_features)`` float matrix, vectorised with numpy; a scorer (expert weights now, a learned model
later) maps rows to scores. Every feature lies in [0, 1]; all but ``avoid`` are "higher is better", ``avoid`` is
a penalty. :func:`pair_features` computes the same numbers for one pair in plain Python: it is the reference
the vectorised code is tested against, and the baseline of ``bench/bench_rank.py``.

Features (column order of :data:`FEATURES`):

======== ============================================================================================
skills   share of the skills an opening wants that the person has (experience, skills, positive free
         text); without wanted skills, 0.5 when the person's skills touch the opening's tasks
interests 1 − 0.5^k for k task concepts of the opening among the person's interests / preferred fields
needs    share of the person's needs (住まい, 食事 …) that the opening provides
contact  1 − (contact load − comfort)/3, clipped to [0, 1]
physical 1 below the limit − 1, 0.75 one below the limit, 0.5 at the limit (above is excluded)
readiness 1 when difficulty ≤ readiness step, −1/3 per step above
distance 1 − km / reference km (the person's limit, else 10 km); remote 1; unknown location 0.5
hours    1 − 0.5 · session hours / the person's maximum (else / 8 h); unknown 0.5
support  min(1, support items / 2) · (0.5 + 0.5 · (5 − readiness)/4): support matters more early on
fields   1 when the opening's sector, kind or a task is among the person's preferred fields
outcomes past outcomes: the person's own at this opening or host, else the catalogue's smoothed rate
text     cosine of char 2–3-gram TF-IDF between the person's positive text and the opening's text
avoid    1 − 0.5^k for k concepts of the opening the person wants to avoid or named as a limit
pickup   1 when the trip uses the host's 送迎: the person accepts a pick-up, the host offers one and the
         opening is travelled to (not remote, not a place to live, both locations known); else 0. A fact
         rather than a preference: the expert weight is 0, a learned scorer uses it (distance matters far
         less when the host drives)
======== ============================================================================================
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin

from graphsvc.domain.enums import OpportunityKind, PlacementOutcome, Sector
from matching.geo import haversine_km, haversine_km_scalar, travel_minutes
from matching.index import KINDS, SECTORS, OpeningIndex
from matching.records import Opening, Profile, TravelMode
from matching.text import normalize, split_polarity
from matching.vocabulary import Vocabulary

__all__ = [
    "FEATURES",
    "PENALTIES",
    "FeatureBuilder",
    "ProfileVector",
    "pair_features",
    "profile_vector",
]

FEATURES: tuple[str, ...] = (
    "skills",
    "interests",
    "needs",
    "contact",
    "physical",
    "readiness",
    "distance",
    "hours",
    "support",
    "fields",
    "outcomes",
    "text",
    "avoid",
    "pickup",
)
PENALTIES: frozenset[str] = frozenset({"avoid"})
DEFAULT_REFERENCE_KM = 10.0
DEFAULT_REFERENCE_HOURS = 8.0

_SKILL_CUES = (
    "経験",
    "得意",
    "資格",
    "できる",
    "できます",
    "歴",
    "元",
    "自信",
    "勤め",
    "働いていた",
    "やっていた",
)


@dataclass(frozen=True)
class ProfileVector:
    """A profile turned into concept sets and vectors aligned with an index's vocabulary."""

    profile: Profile
    skills: frozenset[str]
    interests: frozenset[str]
    avoid: frozenset[str]
    cannot: frozenset[str]
    needs: frozenset[str]
    preferred_sectors: frozenset[str]
    preferred_kinds: frozenset[str]
    preferred_concepts: frozenset[str]
    positive_text: str
    negative_text: str
    skill_vec: np.ndarray
    interest_vec: np.ndarray
    avoid_vec: np.ndarray
    cannot_vec: np.ndarray
    need_vec: np.ndarray
    sector_vec: np.ndarray
    kind_mask: np.ndarray  # over KINDS
    certificates: frozenset[str]
    past_good: frozenset[str]  # opening or host ids where the person did well
    past_bad: frozenset[str]  # … where a placement ended early


def _concepts_of(vocab: Vocabulary, items: Sequence[str], *, structured: bool) -> tuple[set[str], set[str]]:
    """(positive, negative) concepts of a list of texts; a structured tag also gets a fuzzy lookup."""
    pos: set[str] = set()
    neg: set[str] = set()
    for item in items:
        pol = split_polarity(item)
        for c in pol.positive:
            pos |= vocab.lookup(c) if structured else vocab.find(c)
        for c in pol.negative:
            neg |= vocab.find(c)
    return pos, neg


def profile_vector(profile: Profile, index: OpeningIndex) -> ProfileVector:
    """Turn a profile into concept sets and vectors aligned with ``index``.

    Free text is split by polarity: clauses with a limit marker (困難, 苦手, できない …) feed ``avoid``, never
    ``skills`` or ``interests``; positive clauses with a skill cue (経験, 得意, 資格 …) feed ``skills``, the others
    ``interests``.
    """
    vocab = index.vocabulary
    skills, neg1 = _concepts_of(vocab, [*profile.experience, *profile.skills], structured=True)
    interests, neg2 = _concepts_of(vocab, profile.interests, structured=True)
    pol = split_polarity(profile.free_text)
    for clause in pol.positive:
        found = vocab.find(clause)
        (skills if any(normalize(c) in clause for c in _SKILL_CUES) else interests).update(found)
    neg_text: set[str] = set()
    for clause in pol.negative:
        neg_text |= vocab.find(clause)
    # 「もうお店で調理はできない」 from someone who lists 調理 as experience limits a setting, not the skill:
    # a task the structured fields list as experience or a skill is not made a limit by free text.
    declared = set(vocab.lookup_all([*profile.experience, *profile.skills]))
    neg_text -= {c for c in declared if vocab.concepts[c].kind == "task"}
    avoid = set(vocab.lookup_all(profile.avoid)) | neg1 | neg2 | neg_text
    cannot = set(vocab.lookup_all(profile.cannot_do))
    # A concept the person names as a limit is never also a skill or an interest.
    skills -= avoid | cannot
    interests -= avoid | cannot
    interests -= skills

    pref_sectors: set[str] = set()
    pref_kinds: set[str] = set()
    pref_concepts: set[str] = set()
    for f in profile.preferred_fields:
        for enum, target in ((Sector, pref_sectors), (OpportunityKind, pref_kinds)):
            with contextlib.suppress(ValueError):
                target.add(enum.parse(f).value)
        pref_concepts |= vocab.lookup(f)
    cids = index.concept_ids

    def vec(ids: set[str] | frozenset[str], order: list[str]) -> np.ndarray:
        return np.array([1.0 if c in ids else 0.0 for c in order], dtype=np.float32)

    positive_text = "。".join(
        [*profile.experience, *profile.skills, *profile.interests, *(c for c in pol.positive)]
    )
    positive_text = "。".join(split_polarity(positive_text).positive)
    past_good: set[str] = set()
    past_bad: set[str] = set()
    for p in profile.past_placements:
        target = past_bad if p.outcome == PlacementOutcome.ENDED_EARLY else past_good
        target |= {x for x in (p.opening_id, p.host_id) if x}
    return ProfileVector(
        profile=profile,
        skills=frozenset(skills),
        interests=frozenset(interests),
        avoid=frozenset(avoid),
        cannot=frozenset(cannot),
        needs=frozenset(profile.needs),
        preferred_sectors=frozenset(pref_sectors),
        preferred_kinds=frozenset(pref_kinds),
        preferred_concepts=frozenset(pref_concepts),
        positive_text=positive_text,
        negative_text=pol.negative_text,
        skill_vec=vec(skills, cids),
        interest_vec=vec(interests | pref_concepts, cids),
        avoid_vec=vec(avoid, cids),
        cannot_vec=vec(cannot, cids),
        need_vec=vec(set(profile.needs), index.need_ids),
        sector_vec=vec(pref_sectors, SECTORS),
        kind_mask=np.array([k in pref_kinds for k in KINDS], dtype=bool),
        certificates=frozenset(normalize(c) for c in profile.certificates),
        past_good=frozenset(past_good),
        past_bad=frozenset(past_bad),
    )


# ---------------------------------------------------------------- travel (shared with constraints)


def travel_arrays(pv: ProfileVector, index: OpeningIndex) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(km, minutes, uses_pickup) per opening; NaN where either location is missing."""
    n = len(index)
    home = pv.profile.home
    if home is None:
        nan = np.full(n, np.nan)
        return nan, nan.copy(), np.zeros(n, dtype=bool)
    km = haversine_km(home.lat, home.lon, index.lat, index.lon)
    own = [m for m in pv.profile.travel.modes if m != TravelMode.PICKUP]
    minutes = np.full(n, np.inf)
    for m in own:
        minutes = np.minimum(minutes, travel_minutes(km, m.kmh, m.overhead_min))
    uses_pickup = np.zeros(n, dtype=bool)
    if TravelMode.PICKUP in pv.profile.travel.modes:
        pm = travel_minutes(km, TravelMode.PICKUP.kmh, TravelMode.PICKUP.overhead_min)
        better = index.pickup & (pm < minutes)
        uses_pickup = index.pickup.copy()
        minutes = np.where(better, pm, minutes)
    minutes = np.where(np.isnan(km), np.nan, minutes)
    return km, minutes, uses_pickup


def travel_scalar(pv: ProfileVector, o: Opening, pickup: bool) -> tuple[float, float, bool]:
    """:func:`travel_arrays` for one opening, in plain Python."""
    home = pv.profile.home
    if home is None or o.location is None:
        return math.nan, math.nan, False
    km = haversine_km_scalar(home.lat, home.lon, o.location.lat, o.location.lon)
    minutes = math.inf
    for m in pv.profile.travel.modes:
        if m != TravelMode.PICKUP:
            minutes = min(minutes, travel_minutes(km, m.kmh, m.overhead_min))
    uses = False
    if TravelMode.PICKUP in pv.profile.travel.modes and pickup:
        uses = True
        pm = travel_minutes(km, TravelMode.PICKUP.kmh, TravelMode.PICKUP.overhead_min)
        minutes = min(minutes, pm)
    return km, minutes, uses


def reference_km(profile: Profile) -> float:
    """The distance at which the distance factor reaches 0: the person's limit, else what the time limit
    allows at the fastest own mode, else 10 km."""
    t = profile.travel
    if t.max_km is not None and t.max_km > 0:
        return t.max_km
    if t.max_minutes is not None and t.max_minutes > 0:
        own: list[TravelMode] = [m for m in t.modes if m != TravelMode.PICKUP] or [TravelMode.PICKUP]
        fastest = max(m.kmh for m in own)
        return max(0.5, t.max_minutes / 60.0 * fastest / 1.3)
    return DEFAULT_REFERENCE_KM


# ---------------------------------------------------------------- the builder


class FeatureBuilder(TransformerMixin, BaseEstimator):
    """Features of (profile, opening) pairs as a numeric matrix (columns: :data:`FEATURES`).

    Follows scikit-learn conventions: no logic in ``__init__``; :meth:`fit` learns nothing and returns ``self``
    (it records ``feature_names_out_`` and ``n_features_out_``). :meth:`transform` takes a profile and an
    :class:`OpeningIndex`; :meth:`transform_pairs` takes a list of (profile, opening-row) pairs, for training a
    learned scorer on past placements.

    Parameters
    ----------
    reference_km : float or None
        Distance at which the distance factor reaches 0 when the person gives no limit (default 10 km).
    reference_hours : float
        Session length at which the hours factor reaches 0.5 when the person gives no maximum.
    """

    def __init__(
        self, reference_km: float | None = None, reference_hours: float = DEFAULT_REFERENCE_HOURS
    ) -> None:
        self.reference_km = reference_km
        self.reference_hours = reference_hours

    def fit(self, X: object = None, y: object = None) -> FeatureBuilder:
        self.feature_names_out_ = np.array(FEATURES, dtype=object)
        self.n_features_out_ = len(FEATURES)
        return self

    def get_feature_names_out(self, input_features: object = None) -> np.ndarray:
        return np.array(FEATURES, dtype=object)

    def _ref_km(self, profile: Profile) -> float:
        if profile.travel.max_km is None and profile.travel.max_minutes is None and self.reference_km:
            return self.reference_km
        return reference_km(profile)

    def transform(
        self,
        pv: ProfileVector,
        index: OpeningIndex,
        rows: np.ndarray | None = None,
        *,
        travel: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None,
    ) -> np.ndarray:
        """The ``(len(rows), n_features)`` matrix for one profile over ``rows`` of ``index`` (all by default)."""
        p = pv.profile
        sel = slice(None) if rows is None else rows
        n = len(index) if rows is None else len(rows)
        X = np.empty((n, len(FEATURES)), dtype=np.float64)

        # skills: coverage of wanted skills; else 0.5 when skills touch the opening's tasks
        wanted = index.wanted[sel]
        task = index.task[sel]
        n_wanted = wanted.sum(axis=1)
        have_wanted = wanted @ pv.skill_vec
        touch = (task @ pv.skill_vec) > 0
        X[:, 0] = np.where(n_wanted > 0, have_wanted / np.maximum(n_wanted, 1), 0.5 * touch)
        # interests
        k = task @ pv.interest_vec
        X[:, 1] = 1.0 - np.power(0.5, k)
        # needs
        n_needs = float(pv.need_vec.sum())
        X[:, 2] = (index.provides[sel] @ pv.need_vec) / n_needs if n_needs else 0.0
        # contact, physical, readiness
        X[:, 3] = 1.0 - np.clip((index.contact_load[sel] - p.contact_comfort) / 3.0, 0.0, 1.0)
        X[:, 4] = 1.0 - 0.5 * np.clip((index.physical_load[sel] - (p.max_physical_load - 2)) / 2.0, 0.0, 1.0)
        X[:, 5] = 1.0 - np.clip((index.difficulty[sel] - p.readiness) / 3.0, 0.0, 1.0)
        # distance
        tr = travel if travel is not None else travel_arrays(pv, index)
        km = tr[0][sel]
        dist = np.where(np.isnan(km), 0.5, 1.0 - np.clip(np.nan_to_num(km) / self._ref_km(p), 0.0, 1.0))
        X[:, 6] = np.where(index.remote[sel], 1.0, dist)
        # hours
        h = index.session_hours[sel]
        ref_h = p.max_hours_per_session or self.reference_hours
        X[:, 7] = np.where(np.isnan(h), 0.5, 1.0 - 0.5 * np.clip(np.nan_to_num(h) / ref_h, 0.0, 1.0))
        # support
        need_for_support = 0.5 + 0.5 * (5 - p.readiness) / 4.0
        X[:, 8] = np.minimum(1.0, index.n_support[sel] / 2.0) * need_for_support
        # fields
        fields = (
            ((index.sectors[sel] @ pv.sector_vec) > 0)
            | pv.kind_mask[index.kind_code[sel]]
            | ((task @ _vec_of(pv.preferred_concepts, index)) > 0)
        )
        X[:, 9] = fields.astype(np.float64)
        # outcomes
        out = index.outcome_prior[sel].copy()
        if pv.past_good or pv.past_bad:
            ids = index.id_array[sel]
            hosts = index.host_ids[sel]
            good = np.isin(ids, list(pv.past_good)) | np.isin(hosts, list(pv.past_good - {""}))
            bad = np.isin(ids, list(pv.past_bad)) | np.isin(hosts, list(pv.past_bad - {""}))
            out = np.where(bad, 0.0, np.where(good, 1.0, out))
        X[:, 10] = out
        # text
        X[:, 11] = _text_similarity(pv, index)[sel]
        # avoid (penalty)
        a = index.concepts[sel] @ pv.avoid_vec
        X[:, 12] = 1.0 - np.power(0.5, a)
        # pickup: the trip uses the host's 送迎 (only where there is a trip)
        travels = ~index.remote[sel] & ~index.relocation[sel] & ~np.isnan(km)
        X[:, 13] = (np.asarray(tr[2], dtype=bool)[sel] & travels).astype(np.float64)
        return X

    def transform_pairs(self, pairs: Sequence[tuple[ProfileVector, OpeningIndex, int]]) -> np.ndarray:
        """Rows for arbitrary (profile, index, row) pairs, grouped by profile and vectorised within a group."""
        X = np.empty((len(pairs), len(FEATURES)))
        groups: dict[tuple[int, int], list[int]] = {}
        for k, (pv, idx, _) in enumerate(pairs):
            groups.setdefault((id(pv), id(idx)), []).append(k)
        for members in groups.values():
            pv, idx, _ = pairs[members[0]]
            rows = np.array([pairs[k][2] for k in members], dtype=np.int64)
            X[members] = self.transform(pv, idx, rows)
        return X


_VEC_CACHE: dict[tuple[int, frozenset[str]], np.ndarray] = {}


def _vec_of(ids: frozenset[str], index: OpeningIndex) -> np.ndarray:
    key = (id(index), ids)
    v = _VEC_CACHE.get(key)
    if v is None:
        v = np.array([1.0 if c in ids else 0.0 for c in index.concept_ids], dtype=np.float32)
        if len(_VEC_CACHE) > 4096:
            _VEC_CACHE.clear()
        _VEC_CACHE[key] = v
    return v


def _query(pv: ProfileVector, index: OpeningIndex) -> dict[int, float]:
    if not pv.positive_text:
        return {}
    q = index.vectorizer.transform([normalize(pv.positive_text)])
    return dict(zip(q.indices.tolist(), q.data.tolist(), strict=True))


def _text_similarity(pv: ProfileVector, index: OpeningIndex) -> np.ndarray:
    if not pv.positive_text or index.text_matrix.shape[1] == 0:
        return np.zeros(len(index))
    q = index.vectorizer.transform([normalize(pv.positive_text)])
    per_text = np.asarray((index.text_matrix @ q.T).todense()).ravel()
    return per_text[index.text_id].astype(np.float64)


# ---------------------------------------------------------------- reference: one pair in plain Python


def pair_features(
    pv: ProfileVector,
    index: OpeningIndex,
    i: int,
    *,
    query: dict[int, float] | None = None,
    reference_hours: float = DEFAULT_REFERENCE_HOURS,
) -> list[float]:
    """The features of one (profile, opening) pair computed in plain Python from the opening record and the
    index's per-opening sets (the per-pair baseline; equal to a row of :meth:`FeatureBuilder.transform`)."""
    o = index.openings[i]
    p = pv.profile
    vocab = index.vocabulary
    tasks = index.task_sets[i]
    wanted = {c for c in vocab.lookup_all(o.skills_wanted) if vocab.concepts[c].kind == "task"}
    skills = len(wanted & pv.skills) / len(wanted) if wanted else (0.5 if tasks & pv.skills else 0.0)
    interests = 1.0 - 0.5 ** len(tasks & (pv.interests | pv.preferred_concepts))
    needs = len(set(o.provides) & pv.needs) / len(pv.needs) if pv.needs else 0.0
    contact = 1.0 - min(1.0, max(0.0, (o.contact_load - p.contact_comfort) / 3.0))
    physical = 1.0 - 0.5 * min(1.0, max(0.0, (o.physical_load - (p.max_physical_load - 2)) / 2.0))
    readiness = 1.0 - min(1.0, max(0.0, (o.difficulty - p.readiness) / 3.0))
    pickup = 0.0
    if o.remote:
        distance = 1.0
    else:
        km, _, uses = travel_scalar(pv, o, "pickup" in index.support_sets[i])
        distance = 0.5 if math.isnan(km) else 1.0 - min(1.0, max(0.0, km / reference_km(p)))
        if uses and not math.isnan(km) and o.kind != OpportunityKind.TEMPORARY_HOUSING:
            pickup = 1.0
    h = o.session_hours
    ref_h = p.max_hours_per_session or reference_hours
    hours = 0.5 if h is None else 1.0 - 0.5 * min(1.0, max(0.0, h / ref_h))
    n_support = len(index.support_sets[i] - {"pickup", "barrier_free"}) + (1 if o.contact_person else 0)
    support = min(1.0, n_support / 2.0) * (0.5 + 0.5 * (5 - p.readiness) / 4.0)
    fields = float(
        bool({s.value for s in o.sectors} & pv.preferred_sectors)
        or o.kind.value in pv.preferred_kinds
        or bool(tasks & pv.preferred_concepts)
    )
    if o.id in pv.past_bad or (o.host_id and o.host_id in pv.past_bad):
        outcomes = 0.0
    elif o.id in pv.past_good or (o.host_id and o.host_id in pv.past_good):
        outcomes = 1.0
    else:
        outcomes = float(index.outcome_prior[i])
    q = query if query is not None else _query(pv, index)
    row = index.text_rows[int(index.text_id[i])]
    text = sum(v * row.get(k, 0.0) for k, v in q.items())
    avoid = 1.0 - 0.5 ** len(index.concept_sets[i] & pv.avoid)
    return [
        skills,
        interests,
        needs,
        contact,
        physical,
        readiness,
        distance,
        hours,
        support,
        fields,
        outcomes,
        text,
        avoid,
        pickup,
    ]
