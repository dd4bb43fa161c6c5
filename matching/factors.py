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
avoid    1 − 0.5^k for k concepts of the opening the person wants to avoid or named as a soft limit (苦手,
         不安, 避けたい, 難しい), unless the opening meets the exception the person stated
pickup   1 when the trip uses the host's 送迎: the person accepts a pick-up, the host offers one and the
         opening is travelled to (not remote, not a place to live, both locations known); else 0. A fact
         rather than a preference: the expert weight is 0, a learned scorer uses it (distance matters far
         less when the host drives)
limits   1 − 0.5^k for k hard limits written in words (無理, できない, 禁忌: 「夕方は介護があるので無理」) that
         the opening runs into and whose exception it does not meet (a penalty; structured 「できないこと」
         excludes instead)
conditions 1 − 0.5^k for k things the person's words ask for that the opening offers: a quiet or small
         place, working alone or in company, near home, at home, a time of day, and exceptions met
         (「近所の公民館なら行ける」 for an opening at a 公民館 near home)
======== ============================================================================================

Person-dependent facts: 外出 (every opening not done at home), 在宅 (remote), 自宅の近く (≤ :data:`NEAR_KM`
or remote), 遠く (> :data:`FAR_KM`), 長時間 (a session over :data:`DEFAULT_LONG_HOURS` or over the number the
person gave); time-of-day and weekday facts come from the opening's schedule.
"""

from __future__ import annotations

import contextlib
import math
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin

from graphsvc.domain.enums import OpportunityKind, PlacementOutcome, Sector
from matching.geo import haversine_km, haversine_km_scalar, travel_minutes
from matching.index import KINDS, SECTORS, OpeningIndex
from matching.records import Opening, Profile, TravelMode
from matching.statements import Condition, Statement, condition_of, extract_many
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
    "limits",
    "conditions",
)
PENALTIES: frozenset[str] = frozenset({"avoid", "limits"})
NEAR_KM = 1.5
"""An opening this close to home (or remote) is 「自宅の近く」 for a condition the person stated."""
FAR_KM = 3.0
"""An opening farther than this is 「遠く」 for a limit the person stated."""
DEFAULT_LONG_HOURS = 3.0
"""Sessions longer than this are 「長時間」 unless the person's words give a number."""
HOURS_TOLERANCE = 1.25
"""「1時間くらいなら」 accepts sessions up to 1.25 h."""
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
    statements: tuple[Statement, ...] = ()
    soft_limits: tuple[Statement, ...] = ()  # avoid / soft cannot, from text and 避けたいこと
    hard_limits: tuple[Statement, ...] = ()  # hard limits written in words
    wishes: tuple[Statement, ...] = ()  # wants / cans about the setting, and conditional ones
    hard_structured: tuple[tuple[str, Condition], ...] = ()  # 制約の一覧: hard limits with an exception


_FIELDS: tuple[tuple[str, str], ...] = (
    ("experience", "experience"),
    ("skills", "skills"),
    ("interests", "interests"),
    ("avoid", "avoid"),
    ("free_text", "free_text"),
)


def read_statements(profile: Profile, vocab: Vocabulary) -> tuple[Statement, ...]:
    """Every statement of a profile's text fields (経験, できること, 興味, 避けたいこと, 自由記述).

    Each field gives a default polarity to a bare mention (経験 → can, 興味 → want, 避けたいこと → avoid) that
    the words themselves override (「子どもは苦手ではない」 in 興味 is still an ability). ``cannot_do`` is a hard
    constraint and is read by :mod:`matching.constraints`.
    """
    out: list[Statement] = []
    for attr, source in _FIELDS:
        value = getattr(profile, attr)
        items = [value] if isinstance(value, str) else list(value or ())
        out.extend(extract_many(items, source=source, vocabulary=vocab))
    return tuple(out)


def profile_vector(profile: Profile, index: OpeningIndex) -> ProfileVector:
    """Turn a profile into statements, concept sets and vectors aligned with ``index``.

    Text is read as statements (:mod:`matching.statements`): abilities (can) of tasks feed ``skills``, wishes
    (want) ``interests`` (an interest that is also a skill stays an interest), soft limits the ``avoid`` penalty,
    hard limits written in words the ``limits`` penalty, and wishes about the setting (静か, 少人数, 一人で,
    近所, 午前 …) the ``conditions`` factor.
    """
    vocab = index.vocabulary
    statements = read_statements(profile, vocab)
    tasks = {c for c, k in ((c.id, c.kind) for c in vocab.concepts.values()) if k == "task"}
    skills = {st.concept for st in statements if st.polarity == "can" and st.concept in tasks}
    interests = {st.concept for st in statements if st.polarity == "want" and st.concept in tasks}
    cannot = set(vocab.lookup_all(profile.cannot_do))
    # 「もうお店では調理はできない」 from someone who lists 調理 as experience limits a setting, not the skill
    declared = {
        st.concept for st in statements if st.source in ("experience", "skills") and st.polarity == "can"
    }
    soft: list[Statement] = []
    hard: list[Statement] = []
    for st in statements:
        if not st.is_limit or (st.concept in declared and st.concept in tasks and st.source == "free_text"):
            continue
        (hard if st.strength == "hard" and st.source != "avoid" else soft).append(st)
    # 制約の一覧 (limits): soft ones are soft limits; hard ones exclude (see matching.constraints)
    hard_structured: list[tuple[str, Condition]] = []
    for k, lim in enumerate(profile.limits):
        ids = vocab.lookup(lim.what)
        cond = condition_of(lim.unless, vocabulary=vocab)
        for c in sorted(ids):
            if lim.strength == "hard":
                if cond is None:
                    cannot.add(c)
                else:
                    hard_structured.append((c, cond))
            else:
                soft.append(
                    Statement(
                        c,
                        "avoid",
                        "soft",
                        cond,
                        sentence=lim.what + (f" (例外: {lim.unless})" if lim.unless else ""),
                        evidence=lim.what,
                        source=f"limits.{k}",
                    )
                )
    # 連絡の方法: a refused channel is a soft limit, a preferred remote channel a wish the host can meet
    ch = profile.contact_channels
    if "phone" in ch.refused:
        soft.append(
            Statement(
                "phone",
                "avoid",
                "soft",
                sentence="電話不可 (連絡の方法)",
                evidence="電話",
                source="contact_channels",
            )
        )
    channel_wishes: list[Statement] = []
    if {"email", "line"} & set(ch.preferred) or "phone" in ch.refused:
        channel_wishes.append(
            Statement(
                "remote_contact",
                "want",
                "soft",
                sentence="メール等での連絡を希望 (連絡の方法)",
                evidence="メール",
                source="contact_channels",
            )
        )
    avoid = {st.concept for st in soft if st.condition is None}
    limited = {st.concept for st in soft} | {st.concept for st in hard} | cannot
    skills -= limited
    interests -= limited
    wishes = tuple(
        st
        for st in statements
        if st.polarity in ("want", "can")
        and (st.concept not in tasks or st.condition is not None)
        and st.concept not in limited
    ) + tuple(channel_wishes)

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

    pol = split_polarity(profile.free_text)
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
        statements=statements,
        soft_limits=tuple(soft),
        hard_limits=tuple(hard),
        wishes=wishes,
        hard_structured=tuple(hard_structured),
    )


# ---------------------------------------------------------------- facts of an opening for a statement


def presence(
    concept: str,
    pv: ProfileVector,
    index: OpeningIndex,
    sel: slice | np.ndarray,
    km: np.ndarray,
    *,
    hours: float | None = None,
) -> np.ndarray:
    """Whether each opening of ``sel`` involves ``concept`` (person-dependent facts computed here)."""
    remote = index.remote[sel]
    away = ~remote & ~index.relocation[sel]
    if concept == "going_out":
        return away
    if concept == "home":
        return remote.copy()
    if concept == "near_home":
        return remote | (np.nan_to_num(km, nan=np.inf) <= NEAR_KM)
    if concept == "far":
        return away & (np.nan_to_num(km, nan=0.0) > FAR_KM)
    if concept == "long_hours":
        limit = DEFAULT_LONG_HOURS if hours is None else hours * HOURS_TOLERANCE
        return np.nan_to_num(index.session_hours[sel], nan=0.0) > limit + 1e-9
    col = index.concept_pos.get(concept)
    if col is None:
        scol = index.support_pos.get(concept)
        if scol is not None:  # what the host offers (メール等で連絡可 …)
            return index.support[sel, scol] > 0
        return np.zeros(len(remote), dtype=bool)
    return index.concepts[sel, col] > 0


def meets(
    cond: Condition, pv: ProfileVector, index: OpeningIndex, sel: slice | np.ndarray, km: np.ndarray
) -> np.ndarray:
    """Whether each opening of ``sel`` meets a condition (all its concepts, words and its longest session)."""
    n = len(index.remote[sel])
    if cond.unresolved:
        return np.zeros(n, dtype=bool)  # an exception no field can check: the limit keeps applying
    ok = np.ones(n, dtype=bool)
    for c in cond.concepts:
        ok &= presence(c, pv, index, sel, km)
    for t in cond.terms:
        ok &= index.term_mask(t)[sel]
    if cond.max_hours is not None:
        h = index.session_hours[sel]
        ok &= ~np.isnan(h) & (np.nan_to_num(h, nan=np.inf) <= cond.max_hours * HOURS_TOLERANCE + 1e-9)
    return ok


def limit_hits(
    st: Statement, pv: ProfileVector, index: OpeningIndex, sel: slice | np.ndarray, km: np.ndarray
) -> np.ndarray:
    hours = st.condition.max_hours if (st.condition is not None and st.concept == "long_hours") else None
    hit = presence(st.concept, pv, index, sel, km, hours=hours)
    if st.condition is not None and not st.condition.empty:
        hit &= ~meets(st.condition, pv, index, sel, km)
    return hit


def wish_hits(
    st: Statement, pv: ProfileVector, index: OpeningIndex, sel: slice | np.ndarray, km: np.ndarray
) -> np.ndarray:
    hit = presence(st.concept, pv, index, sel, km)
    if st.condition is not None and not st.condition.empty:
        hit &= meets(st.condition, pv, index, sel, km)
    return hit


def statement_counts(
    pv: ProfileVector, index: OpeningIndex, sel: slice | np.ndarray, km: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(soft limits hit, hard limits hit, wishes met) per opening of ``sel``."""
    n = len(index.remote[sel])
    soft = np.zeros(n)
    hard = np.zeros(n)
    good = np.zeros(n)
    seen_soft: set[str] = set()
    for st in pv.soft_limits:
        if st.concept in seen_soft:
            continue
        seen_soft.add(st.concept)
        soft += limit_hits(st, pv, index, sel, km)
    seen_hard: set[str] = set()
    for st in pv.hard_limits:
        if st.concept in seen_hard:
            continue
        seen_hard.add(st.concept)
        hard += limit_hits(st, pv, index, sel, km)
    for st in (*pv.hard_limits, *pv.soft_limits):
        if st.condition is not None and not st.condition.empty:
            # the exception the person named is what they said they can do: 「近所の公民館なら行ける」
            good += meets(st.condition, pv, index, sel, km)
    seen_w: set[str] = set()
    for st in pv.wishes:
        if st.concept in seen_w:
            continue
        seen_w.add(st.concept)
        good += wish_hits(st, pv, index, sel, km)
    return soft, hard, good


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
        n_wanted = index.n_wanted[sel]
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
        # avoid (soft limits), limits (hard limits in words), conditions (wishes and exceptions met)
        soft, hard, good = statement_counts(pv, index, sel, km)
        X[:, 12] = 1.0 - np.power(0.5, soft)
        X[:, 14] = 1.0 - np.power(0.5, hard)
        X[:, 15] = 1.0 - np.power(0.5, good)
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


def opening_query(pv: ProfileVector, index: OpeningIndex) -> dict[int, float]:
    if not pv.positive_text:
        return {}
    q = index.vectorizer.transform([normalize(pv.positive_text)])
    return dict(zip(q.indices.tolist(), q.data.tolist(), strict=True))


_SIM_CACHE: OrderedDict[tuple[int, str], np.ndarray] = OrderedDict()


def _text_similarity(pv: ProfileVector, index: OpeningIndex) -> np.ndarray:
    """Cosine of the person's positive text with each opening's text (cached per index and text)."""
    if not pv.positive_text or index.text_matrix.shape[1] == 0:
        return np.zeros(len(index))
    key = (id(index), pv.positive_text)
    hit = _SIM_CACHE.get(key)
    if hit is not None and len(hit) == len(index):
        _SIM_CACHE.move_to_end(key)
        return hit
    q = index.vectorizer.transform([normalize(pv.positive_text)])
    per_text = np.asarray((index.text_matrix @ q.T).todense()).ravel()
    out = per_text[index.text_id].astype(np.float64)
    _SIM_CACHE[key] = out
    if len(_SIM_CACHE) > 64:
        _SIM_CACHE.popitem(last=False)
    return out


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
    q = query if query is not None else opening_query(pv, index)
    row = index.text_rows[int(index.text_id[i])]
    text = sum(v * row.get(k, 0.0) for k, v in q.items())
    one = np.array([i])
    km1 = np.array([travel_scalar(pv, o, "pickup" in index.support_sets[i])[0]])
    soft, hard, good = (float(x[0]) for x in statement_counts(pv, index, one, km1))
    avoid = 1.0 - 0.5**soft
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
        1.0 - 0.5**hard,
        1.0 - 0.5**good,
    ]
