"""The opening-side catalogue: every per-opening quantity that ranking needs, precomputed once as numpy arrays.

Build an :class:`OpeningIndex` once per catalogue (a town's openings) and reuse it for every person: ranking a
person then costs a handful of vectorised operations over these arrays. Texts are deduplicated (catalogues
repeat titles such as 「旅館の客室清掃 (プチ勤務)」), so concept extraction and the TF-IDF matrix are per unique text.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer

from graphsvc.domain.enums import OpportunityKind, PlacementOutcome, Sector
from graphsvc.domain.records import Opportunity
from matching.records import Opening
from matching.statements import extract
from matching.text import normalize, split_polarity
from matching.vocabulary import Vocabulary, default_vocabulary

__all__ = ["HOST_KINDS", "KINDS", "SECTORS", "OpeningIndex", "OutcomeHistory", "opening_text"]

KINDS: list[str] = [k.value for k in OpportunityKind]
SECTORS: list[str] = [s.value for s in Sector]
HOST_KINDS: list[str] = ["Employer", "Venue", "Agency"]

CONTACT_IMPLIES_CONVERSATION = 4
"""An opening whose contact load is at least this involves talking with people (concept ``conversation``)."""

OutcomeHistory = Mapping[str, Sequence[PlacementOutcome]]
"""Past outcomes per opening id or host id (the hook for 過去の結果): a Beta(1, 1)-smoothed rate of placements
that did not end early."""


def opening_text(o: Opening) -> str:
    """The text of an opening that concepts and TF-IDF read: title, skills wanted, description."""
    return "。".join(t for t in (o.title, "、".join(o.skills_wanted), o.description or "") if t)


def opening_facts(text: str, vocab: Vocabulary) -> tuple[frozenset[str], frozenset[str]]:
    """(present, absent) concepts of an opening's text, read with the same analyser as a person's text:
    「少人数の落ち着いた作業場」 → small group, quiet; 「立ち仕事なし」「電話対応はありません」 → absent."""
    present: set[str] = set()
    absent: set[str] = set()
    for st in extract(text, side="opening", source="opening", vocabulary=vocab):
        (present if st.polarity in ("can", "want") else absent).add(st.concept)
    return frozenset(present - absent), frozenset(absent)


_TIME_FACETS = (  # concept, first minute, last minute (a slot overlapping the range involves the concept)
    ("early_morning", 0, 8 * 60),
    ("morning", 0, 12 * 60),
    ("afternoon", 12 * 60, 17 * 60),
    ("evening", 16 * 60, 19 * 60),
    ("night_work", 19 * 60, 24 * 60),
)


def _schedule_facets(o: Opening, cpos: Mapping[str, int]) -> set[str]:
    """Time-of-day and weekday facts of an opening from its schedule (夕方, 土日 …)."""
    out: set[str] = set()
    if o.schedule is None:
        return out
    for slot in o.schedule.slots:
        a, b = slot.minutes
        for name, lo, hi in _TIME_FACETS:
            if a < hi and b > lo and name in cpos:
                out.add(name)
        day = slot.weekday.value
        out.add("weekend" if day in ("sat", "sun") else "weekday")
    return {c for c in out if c in cpos}


def _outcome_rate(outcomes: Sequence[PlacementOutcome]) -> float:
    good = sum(1 for x in outcomes if x != PlacementOutcome.ENDED_EARLY)
    return (good + 1.0) / (len(outcomes) + 2.0)


@dataclass
class OpeningIndex:
    """Precomputed arrays over a list of openings. Build with :meth:`build`."""

    openings: list[Opening]
    vocabulary: Vocabulary
    concept_ids: list[str]
    need_ids: list[str]
    support_ids: list[str]
    # scalars per opening
    capacity_left: np.ndarray  # float, inf when unknown
    session_hours: np.ndarray  # float, nan when unknown
    sessions_min: np.ndarray
    difficulty: np.ndarray
    contact_load: np.ndarray
    physical_load: np.ndarray
    lat: np.ndarray
    lon: np.ndarray
    remote: np.ndarray  # bool
    relocation: np.ndarray  # bool: a place to live (travel limits do not apply)
    pickup: np.ndarray  # bool: the host offers 送迎
    n_support: np.ndarray  # distinct support items + a named contact
    kind_code: np.ndarray
    host_label_code: np.ndarray  # -1 when none
    host_ids: np.ndarray  # object
    age_min: np.ndarray
    age_max: np.ndarray
    outcome_prior: np.ndarray
    # slots, flattened
    has_slots: np.ndarray
    slot_owner: np.ndarray
    slot_day: np.ndarray
    slot_start: np.ndarray
    slot_end: np.ndarray
    # matrices (n × vocabulary), float32 0/1
    task: np.ndarray  # task concepts involved (positive text)
    concepts: np.ndarray  # every concept involved (tasks and conditions), for avoid / cannot-do
    wanted: np.ndarray
    provides: np.ndarray
    support: np.ndarray
    sectors: np.ndarray
    requires: np.ndarray  # n × requirement strings (bool)
    requirement_names: list[str]
    # text
    text_id: np.ndarray
    text_matrix: sp.csr_matrix
    vectorizer: TfidfVectorizer
    # python-side views, for the per-pair baseline and for explanations
    task_sets: list[frozenset[str]] = field(default_factory=list)
    concept_sets: list[frozenset[str]] = field(default_factory=list)
    support_sets: list[frozenset[str]] = field(default_factory=list)
    text_rows: list[dict[int, float]] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)  # normalised unique texts (text_id indexes them)

    def __len__(self) -> int:
        return len(self.openings)

    @property
    def ids(self) -> list[str]:
        return [o.id for o in self.openings]

    @cached_property
    def id_array(self) -> np.ndarray:
        return np.array(self.ids, dtype=object)

    @cached_property
    def host_id_set(self) -> frozenset[str]:
        return frozenset(o.host_id for o in self.openings if o.host_id)

    def term_mask(self, term: str) -> np.ndarray:
        """Openings whose text names ``term`` (a word of a condition: 「公民館」; 「送迎」 also by the host's
        support), cached per term."""
        cache = self.__dict__.setdefault("_term_masks", {})
        got = cache.get(term)
        if got is not None:
            return got
        key = normalize(term)
        hit = np.array([key in t for t in self.texts], dtype=bool)
        out = hit[self.text_id] if len(self.text_id) else np.zeros(0, dtype=bool)
        for sid in self.vocabulary.find(term, "support"):
            col = self.support_pos.get(sid)
            if col is not None:
                out = out | (self.support[:, col] > 0)
        cache[term] = out
        return out

    @cached_property
    def n_wanted(self) -> np.ndarray:
        """Number of wanted skills per opening."""
        return np.asarray(self.wanted.sum(axis=1))

    @cached_property
    def support_pos(self) -> dict[str, int]:
        """Column of each support concept in :attr:`support`."""
        return {c: k for k, c in enumerate(self.support_ids)}

    @cached_property
    def concept_pos(self) -> dict[str, int]:
        """Column of each concept in :attr:`concepts`."""
        return {c: k for k, c in enumerate(self.concept_ids)}

    @cached_property
    def position(self) -> dict[str, int]:
        """Row of each opening id."""
        return {o.id: i for i, o in enumerate(self.openings)}

    @classmethod
    def build(
        cls,
        openings: Iterable[Opening | Opportunity],
        *,
        vocabulary: Vocabulary | None = None,
        history: OutcomeHistory | None = None,
    ) -> OpeningIndex:
        """Build the index. Domain :class:`Opportunity` records are converted with :meth:`Opening.from_domain`."""
        vocab = vocabulary or default_vocabulary()
        ops = [o if isinstance(o, Opening) else Opening.from_domain(o) for o in openings]
        n = len(ops)
        cids, nids, sids = vocab.ids("concepts"), vocab.ids("needs"), vocab.ids("support")
        cpos = {c: i for i, c in enumerate(cids)}
        task_kind = np.array([vocab.concepts[c].kind == "task" for c in cids], dtype=bool)

        # ---- unique texts → concepts and TF-IDF rows
        texts: dict[str, int] = {}
        text_id = np.empty(n, dtype=np.int64)
        for i, o in enumerate(ops):
            text_id[i] = texts.setdefault(opening_text(o), len(texts))
        uniq = list(texts)
        uniq_concepts: list[frozenset[str]] = []
        uniq_absent: list[frozenset[str]] = []
        uniq_positive: list[str] = []
        for t in uniq:
            present, gone = opening_facts(t, vocab)
            uniq_concepts.append(present)
            uniq_absent.append(gone)
            uniq_positive.append(split_polarity(t, side="opening").positive_text)
        vectorizer = TfidfVectorizer(
            analyzer="char_wb", ngram_range=(2, 3), sublinear_tf=True, dtype=np.float32
        )
        docs = [normalize(t) for t in uniq_positive]
        if any(docs):
            text_matrix = sp.csr_matrix(vectorizer.fit_transform(docs))
        else:  # no text at all: an empty vocabulary
            vectorizer.fit(["__"])
            text_matrix = sp.csr_matrix((len(uniq), len(vectorizer.vocabulary_)), dtype=np.float32)
        text_rows = [
            dict(zip(text_matrix.indices[a:b].tolist(), text_matrix.data[a:b].tolist(), strict=True))
            for a, b in zip(text_matrix.indptr[:-1], text_matrix.indptr[1:], strict=True)
        ]

        task = np.zeros((n, len(cids)), dtype=np.float32)
        concepts = np.zeros((n, len(cids)), dtype=np.float32)
        wanted = np.zeros((n, len(cids)), dtype=np.float32)
        provides = np.zeros((n, len(nids)), dtype=np.float32)
        support = np.zeros((n, len(sids)), dtype=np.float32)
        sectors = np.zeros((n, len(SECTORS)), dtype=np.float32)
        req_names: dict[str, int] = {}
        req_pairs: list[tuple[int, int]] = []
        task_sets: list[frozenset[str]] = []
        concept_sets: list[frozenset[str]] = []
        support_sets: list[frozenset[str]] = []
        slots: list[tuple[int, int, int, int]] = []
        has_slots = np.zeros(n, dtype=bool)
        npos = {c: i for i, c in enumerate(nids)}
        spos = {c: i for i, c in enumerate(sids)}
        sector_pos = {s: i for i, s in enumerate(SECTORS)}
        day_pos = {d: i for i, d in enumerate(("mon", "tue", "wed", "thu", "fri", "sat", "sun"))}
        conv = cpos.get("conversation")
        for i, o in enumerate(ops):
            cs = set(uniq_concepts[text_id[i]])
            absent: set[str] = set(uniq_absent[text_id[i]])
            for a in o.accessibility:  # 「立ち仕事なし」 removes a condition the text may mention
                _present_a, absent_a = opening_facts(a, vocab)
                absent |= absent_a
            if conv is not None and o.contact_load >= CONTACT_IMPLIES_CONVERSATION:
                cs.add("conversation")
            if o.contact_load >= 5 and "crowds" in cpos:
                cs.add("crowds")
            if o.physical_load >= 4 and "heavy_lifting" in cpos:
                cs.add("heavy_lifting")
            cs |= _schedule_facets(o, cpos)
            for c in list(cs):
                cs |= set(vocab.implies.get(c, ()))
            cs -= absent
            for c in list(cs):
                opp = vocab.opposites.get(c)
                if opp is not None and opp not in ("going_out", "far", "near_home", "home"):
                    absent.add(opp)
            cs -= absent
            ts = frozenset(c for c in cs if vocab.concepts[c].kind == "task")
            task_sets.append(ts)
            concept_sets.append(frozenset(cs))
            for c in cs:
                concepts[i, cpos[c]] = 1.0
            for c in ts:
                task[i, cpos[c]] = 1.0
            for c in vocab.lookup_all(o.skills_wanted):
                if task_kind[cpos[c]]:
                    wanted[i, cpos[c]] = 1.0
            for p in o.provides:
                if p in npos:
                    provides[i, npos[p]] = 1.0
            ss = set(vocab.lookup_all([*o.support, *o.accessibility], "support"))
            support_sets.append(frozenset(ss))
            for s in ss:
                support[i, spos[s]] = 1.0
            for sector in o.sectors:
                sectors[i, sector_pos[sector.value]] = 1.0
            for r in o.eligibility.requires:
                req_pairs.append((i, req_names.setdefault(normalize(r), len(req_names))))
            if o.schedule is not None and o.schedule.slots:
                has_slots[i] = True
                for slot in o.schedule.slots:
                    start, end = slot.minutes
                    slots.append((i, day_pos[slot.weekday.value], start, end))
        requires = np.zeros((n, len(req_names)), dtype=bool)
        for i, j in req_pairs:
            requires[i, j] = True
        slot_arr = np.array(slots, dtype=np.int64).reshape(-1, 4)

        def arr(values: Iterable[float | None], default: float) -> np.ndarray:
            return np.array([default if v is None else v for v in values], dtype=np.float64)

        prior = np.full(n, 0.5)
        if history:
            for i, o in enumerate(ops):
                past = list(history.get(o.id, ()))
                if not past and o.host_id is not None:
                    past = list(history.get(o.host_id, ()))
                if past:
                    prior[i] = _outcome_rate(past)
        return cls(
            openings=ops,
            vocabulary=vocab,
            concept_ids=cids,
            need_ids=nids,
            support_ids=sids,
            capacity_left=arr((o.capacity_left for o in ops), np.inf),
            session_hours=arr((o.session_hours for o in ops), np.nan),
            sessions_min=arr((o.sessions_per_week_min for o in ops), 1),
            difficulty=arr((o.difficulty for o in ops), 1),
            contact_load=arr((o.contact_load for o in ops), 1),
            physical_load=arr((o.physical_load for o in ops), 1),
            lat=arr((o.location.lat if o.location else None for o in ops), np.nan),
            lon=arr((o.location.lon if o.location else None for o in ops), np.nan),
            remote=np.array([o.remote for o in ops], dtype=bool),
            relocation=np.array([o.kind == OpportunityKind.TEMPORARY_HOUSING for o in ops], dtype=bool),
            pickup=np.array(["pickup" in s for s in support_sets], dtype=bool),
            n_support=np.array(
                [
                    len(s - {"pickup", "barrier_free"}) + (1 if o.contact_person else 0)
                    for s, o in zip(support_sets, ops, strict=True)
                ],
                dtype=np.float64,
            ),
            kind_code=np.array([KINDS.index(o.kind.value) for o in ops], dtype=np.int64),
            host_label_code=np.array(
                [HOST_KINDS.index(o.host_label) if o.host_label else -1 for o in ops], dtype=np.int64
            ),
            host_ids=np.array([o.host_id or "" for o in ops], dtype=object),
            age_min=arr((o.eligibility.age_min for o in ops), -np.inf),
            age_max=arr((o.eligibility.age_max for o in ops), np.inf),
            outcome_prior=prior,
            has_slots=has_slots,
            slot_owner=slot_arr[:, 0].copy(),
            slot_day=slot_arr[:, 1].copy(),
            slot_start=slot_arr[:, 2].copy(),
            slot_end=slot_arr[:, 3].copy(),
            task=task,
            concepts=concepts,
            wanted=wanted,
            provides=provides,
            support=support,
            sectors=sectors,
            requires=requires,
            requirement_names=list(req_names),
            text_id=text_id,
            text_matrix=text_matrix,
            vectorizer=vectorizer,
            task_sets=task_sets,
            concept_sets=concept_sets,
            support_sets=support_sets,
            text_rows=text_rows,
            texts=[normalize(t) for t in uniq],
        )
