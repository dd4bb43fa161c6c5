"""The tie graph: who can pass a message to whom, as integer arrays (the input of the path analyses).

Households are the nodes people live in: a person who is a member of a household (MEMBER_OF) is folded into it,
so a chain counts the steps between households, and each step keeps the members who carry it. Beside households
the graph holds persons with no household, agencies (機関), supporters (formal: 民生委員・児童委員, 専門職 or
anyone attached to an agency; informal: サポーター, 見守り協力員), venues (居場所) and the hosts of participation
placements. An *arc* ``u → v`` means u can pass a message to v:

================  ======================================  ==========  =========================================
tie               relationship                            direction   trust (強い / 弱い / 不明)
================  ======================================  ==========  =========================================
支援を受ける        SUPPORTED_BY (household or member →    both ways   intensity 2–3 強い, 1 弱い, none 不明
                  agency)
相談ケース          HANDLED_BY of a case ABOUT the          both ways   open case 強い, closed 弱い
                  household or a member
訪問・見守り         VISITS (supporter → household or        both ways   per_month ≥ 1 強い, < 1 弱い, none 不明
                  member)
所属               a supporter's ``agency_id``             both ways   強い
近所               NEIGHBOUR_OF                            both ways   ``strength`` (none 不明)
親族 / 友人         KNOWS or NEIGHBOUR_OF with              both ways   ``strength``
                  ``relation`` kin / friend
知人               KNOWS (no relation, or acquaintance)     one way:    ``strength``
                                                          knower →
                                                          known
見守り (住民)       KNOWS or NEIGHBOUR_OF with              one way:    ``strength``
                  ``relation`` watch                      watcher →
                                                          watched
通いの場            ATTENDS (member → venue)                both ways   per_month as for visits
参加先              PLACED_IN (member → opportunity),       both ways   accepted, started, follow-up 強い;
                  to the opportunity's host                           proposed, contacted, ended 弱い;
                                                                      declined: no tie
================  ======================================  ==========  =========================================

A tie recorded without a strength is 不明 (unknown): never weak. An undirected input graph carries no direction,
so there every tie is taken both ways.

Bad input has a defined result, counted in :class:`TieQuality` with a Japanese note: a tie to a node that is not
in the town (ignored), a tie from a node to itself (ignored), the same tie recorded twice (counted once, with the
strongest recorded strength: 強い over 弱い over 不明), a tie between two members of one household (it reaches no
one outside the household; ignored).

Build one from a town projection with :func:`tie_graph`, or from store rows (``store.iter_nodes`` /
``store.iter_rels``, the demo generator's batches) with :class:`TieGraphBuilder`, which never makes a networkx
graph: a town of a million households fits in a few hundred megabytes.
"""

from __future__ import annotations

import math
from array import array
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np

from graphsvc.analysis._common import Result, cached, coord, index_of
from graphsvc.domain.enums import (
    CaseStage,
    CollaborationLevel,
    HouseholdFlag,
    NodeLabel,
    PlacementStatus,
    Sector,
    SupporterKind,
    TieKind,
    TieStrength,
)

__all__ = [
    "KINDS",
    "KIND_JA",
    "TIES",
    "TIE_CODE",
    "TRUST",
    "TRUST_JA",
    "TieGraph",
    "TieGraphBuilder",
    "TieQuality",
    "TieType",
    "tie_graph",
]


# ---------------------------------------------------------------- vocabularies


@dataclass(frozen=True)
class TieType:
    """A kind of tie: its code, Japanese and English names, and whether a message passes both ways."""

    code: str
    ja: str
    en: str
    both_ways: bool


TIES: tuple[TieType, ...] = (
    TieType("support", "支援を受ける", "supported by", True),
    TieType("case", "相談ケース", "case handled by", True),
    TieType("visit", "訪問・見守り", "visits", True),
    TieType("affiliation", "所属", "belongs to", True),
    TieType("neighbour", "近所", "neighbour", True),
    TieType("kin", "親族", "kin", True),
    TieType("friend", "友人", "friend", True),
    TieType("acquaintance", "知人", "acquaintance", False),
    TieType("watch", "見守り (住民)", "watches over", False),
    TieType("venue", "通いの場", "attends", True),
    TieType("placement", "参加先", "placed with", True),
)
"""Tie types in code order (the ``tie`` array holds their positions)."""
_TIE = {t.code: i for i, t in enumerate(TIES)}
TIE_CODE: dict[str, int] = dict(_TIE)
"""Tie type code → its position in :data:`TIES`."""

TRUST: tuple[str, ...] = ("strong", "unknown", "weak")
"""Trust codes in order (the ``trust`` array holds their positions)."""
TRUST_JA: dict[str, str] = {"strong": "強い", "unknown": "不明", "weak": "弱い"}
STRONG, UNKNOWN, WEAK = 0, 1, 2
_TRUST_PRIORITY = np.array([0, 2, 1], dtype=np.int8)
"""Which of two records of one tie wins: strong, then weak (a known value), then unknown."""

KINDS: tuple[str, ...] = ("household", "person", "agency", "formal", "informal", "venue", "host")
"""Node kinds in code order (the ``kind`` array holds their positions)."""
KIND_JA: dict[str, str] = {
    "household": "世帯",
    "person": "本人 (世帯不明)",
    "agency": "支援関係機関",
    "formal": "支援者 (民生委員・専門職など)",
    "informal": "支援者 (住民)",
    "venue": "居場所",
    "host": "参加先",
}
HOUSEHOLD, PERSON, AGENCY, FORMAL, INFORMAL, VENUE, HOST = range(len(KINDS))

_FORMAL_SUPPORTERS = {SupporterKind.MINSEI_IIN.value, SupporterKind.PROFESSIONAL.value}
_STRONG_PLACEMENT = {
    PlacementStatus.ACCEPTED.value,
    PlacementStatus.STARTED.value,
    PlacementStatus.FOLLOW_UP.value,
}
_WEAK_PLACEMENT = {
    PlacementStatus.PROPOSED.value,
    PlacementStatus.CONTACTED.value,
    PlacementStatus.ENDED.value,
}
_DECLINED = PlacementStatus.DECLINED.value
_CLOSED = CaseStage.CLOSED.value
_HH, _PE, _AG, _SU, _VE, _EM, _OP, _CA, _AR = (
    x.value
    for x in (
        NodeLabel.HOUSEHOLD,
        NodeLabel.PERSON,
        NodeLabel.AGENCY,
        NodeLabel.SUPPORTER,
        NodeLabel.VENUE,
        NodeLabel.EMPLOYER,
        NodeLabel.OPPORTUNITY,
        NodeLabel.CASE,
        NodeLabel.AREA,
    )
)
_RELATION_TIE = {
    TieKind.KIN.value: "kin",
    TieKind.FRIEND.value: "friend",
    TieKind.NEIGHBOUR.value: "neighbour",
    TieKind.ACQUAINTANCE.value: "acquaintance",
    TieKind.WATCH.value: "watch",
}


def _strength(v: object) -> int:
    if v is None:
        return UNKNOWN
    s = str(v.value if isinstance(v, TieStrength) else v)
    if s == "strong":
        return STRONG
    if s == "weak":
        return WEAK
    try:
        return STRONG if TieStrength.parse(s) is TieStrength.STRONG else WEAK
    except ValueError:
        return UNKNOWN


def _number(v: object) -> float | None:
    if v is None or isinstance(v, bool):
        return None
    try:
        x = float(v)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return x if math.isfinite(x) else None


def _intensity(v: object) -> int:
    x = _number(v)
    if x is None:
        return UNKNOWN
    return STRONG if x >= 2 else WEAK


def _frequency(v: object) -> int:
    x = _number(v)
    if x is None:
        return UNKNOWN
    return STRONG if x >= 1 else WEAK


def _relation_tie(props: Mapping[str, Any], default: str) -> str:
    rel = props.get("relation")
    if rel is None:
        return default
    code = str(rel.value if isinstance(rel, TieKind) else rel)
    if code in _RELATION_TIE:
        return _RELATION_TIE[code]
    try:
        return _RELATION_TIE[TieKind.parse(code).value]
    except ValueError:
        return default


def _flags(raw: object) -> tuple[str, ...]:
    items = [raw] if isinstance(raw, str) else list(raw) if isinstance(raw, (list, tuple)) else []
    out: list[str] = []
    for f in items:
        try:
            v = HouseholdFlag(str(f)).value
        except ValueError:
            continue
        if v not in out:
            out.append(v)
    return tuple(out)


def _sectors(raw: object) -> tuple[str, ...]:
    items = [raw] if isinstance(raw, str) else list(raw) if isinstance(raw, (list, tuple)) else []
    out: list[str] = []
    for s in items:
        try:
            v = Sector(str(s)).value
        except ValueError:
            continue
        if v not in out:
            out.append(v)
    return tuple(out)


# ---------------------------------------------------------------- quality


@dataclass(frozen=True)
class TieQuality(Result):
    """What the builder set aside or merged, with the first examples of each (Japanese notes for the report)."""

    _derived = ("notes_ja",)

    ties: int
    unknown_endpoint: int
    self_loops: int
    inside_household: int
    duplicates: int
    conflicting: int
    unknown_strength: int
    weak: int
    strong: int
    examples: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def notes_ja(self) -> tuple[str, ...]:
        """One Japanese sentence per kind of problem found (empty when the ties are clean)."""
        out: list[str] = []
        ex = self.examples

        def eg(key: str) -> str:
            items = ex.get(key, ())
            return f" (例: {'、'.join(items)})" if items else ""

        if self.unknown_endpoint:
            out.append(
                f"登録のない相手とのつながり {self.unknown_endpoint}件は使っていません{eg('unknown_endpoint')}"
            )
        if self.self_loops:
            out.append(f"自分自身へのつながり {self.self_loops}件は使っていません{eg('self_loops')}")
        if self.duplicates:
            conflict = (
                f"、うち強さが食い違うもの {self.conflicting}組は「強い」を採用しました"
                if self.conflicting
                else ""
            )
            out.append(
                f"同じつながりの重複 {self.duplicates}組は1本として数えました{conflict}{eg('conflicting')}"
            )
        if self.unknown_strength:
            out.append(
                f"強さの記録がないつながり {self.unknown_strength}件は「不明」として数えています "
                "(「弱い」とはしていません)"
            )
        return tuple(out)


# ---------------------------------------------------------------- the graph


@dataclass
class TieGraph:
    """The tie graph as arrays (see the module docstring). Node numbers run ``0 … n-1``.

    Attributes
    ----------
    kind : ndarray of int8
        Node kind (index into :data:`KINDS`).
    ids, labels : list of str
        External id and store label of each node.
    names : dict
        Node → name, for agencies, supporters, venues and hosts only (households and persons have none here).
    src, dst, tie, trust : ndarray
        The arcs ``src → dst`` (one per ordered pair, the most trusted tie), their tie type (index into
        :data:`TIES`) and trust (index into :data:`TRUST`).
    src_via, dst_via : ndarray of int
        The member (index into ``persons``) at each end of an arc, -1 when the end is not a member.
    """

    kind: np.ndarray
    ids: list[str]
    labels: list[str]
    names: dict[int, str]
    src: np.ndarray
    dst: np.ndarray
    tie: np.ndarray
    trust: np.ndarray
    src_via: np.ndarray
    dst_via: np.ndarray
    persons: list[str]
    quality: TieQuality
    household_flags: dict[int, tuple[str, ...]] = field(default_factory=dict)
    household_area: dict[int, str] = field(default_factory=dict)
    lat: np.ndarray = field(default_factory=lambda: np.zeros(0))
    lon: np.ndarray = field(default_factory=lambda: np.zeros(0))
    agency_sectors: dict[int, tuple[str, ...]] = field(default_factory=dict)
    agency_kind: dict[int, str] = field(default_factory=dict)
    collaborations: list[tuple[int, int, int]] = field(default_factory=list)
    """Agency pairs (node numbers, smaller first) with the highest recorded level (rank on PARTNER's ladder);
    self-collaborations and collaborations with unknown agencies are left out (counted in ``collab_ignored``)."""
    collab_ignored: int = 0
    coserved: dict[tuple[int, int], int] = field(default_factory=dict)
    """Agency pairs (smaller first) → households both serve (support or an open case)."""
    directed: bool = True

    @property
    def n(self) -> int:
        return len(self.ids)

    def nodes_of(self, *kinds: int) -> np.ndarray:
        """Node numbers of the given kinds, ascending."""
        return np.flatnonzero(np.isin(self.kind, np.asarray(kinds, dtype=np.int8)))

    @cached_property
    def households(self) -> np.ndarray:
        """Node numbers of the households (they come first: ``0 … households-1``)."""
        return self.nodes_of(HOUSEHOLD)

    def degree(self) -> np.ndarray:
        """Arcs in and out of each node (a household with 0 has no tie)."""
        deg = np.bincount(self.src, minlength=self.n) + np.bincount(self.dst, minlength=self.n)
        return deg.astype(np.int64)

    def filtered(self, ties: str = "all") -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Arc indices, sources and targets usable under a trust rule: ``all``, ``not_weak`` (drop known-weak
        ties, keep unknown ones) or ``strong`` (known-strong ties only)."""
        if ties == "all":
            keep = np.arange(len(self.src))
        elif ties == "not_weak":
            keep = np.flatnonzero(self.trust != WEAK)
        elif ties == "strong":
            keep = np.flatnonzero(self.trust == STRONG)
        else:
            raise ValueError(f"unknown trust rule {ties!r} (all, not_weak, strong)")
        return keep, self.src[keep], self.dst[keep]

    def describe(self, node: int) -> tuple[str, str, str | None, str]:
        """(label, id, name or None, kind code) of a node."""
        return self.labels[node], self.ids[node], self.names.get(node), KINDS[int(self.kind[node])]


class TieGraphBuilder:
    """Gathers a town's nodes and relationships, row by row, into a :class:`TieGraph`.

    Feed it ``add_node(label, id, props)`` and ``add_rel(type, src_label, src_id, dst_label, dst_id, props)``
    (the shape of :func:`graphsvc.store.common.build_projection`'s rows) in any order, or store rows with
    :meth:`add_rows`; then :meth:`build`.
    """

    def __init__(self, *, directed: bool = True, examples: int = 5) -> None:
        self.directed = directed
        self._examples = examples
        self._index: dict[str, dict[str, int]] = defaultdict(dict)
        self._label: list[str] = []
        self._id: list[str] = []
        self._info: dict[int, tuple[Any, ...]] = {}
        self._lat = array("d")
        self._lon = array("d")
        self._hh_flags: dict[int, tuple[str, ...]] = {}
        self._hh_area: dict[int, str] = {}
        self._intern: dict[str, str] = {}
        self._member_of: dict[int, int] = {}
        # ties before folding: raw endpoints, tie type, trust
        self._ts = array("q")
        self._td = array("q")
        self._tt = array("b")
        self._tr = array("b")
        self._recorded = array("b")  # 1: a recorded tie (duplicates counted), 0: derived (cases, placements)
        self._case_about: dict[int, list[int]] = defaultdict(list)
        self._case_agency: dict[int, list[int]] = defaultdict(list)
        self._placed: list[tuple[int, int, int]] = []
        self._hosted: dict[int, int] = {}
        self._in_area: dict[int, int] = {}
        self._collab: dict[tuple[int, int], int] = {}
        self.collab_ignored = 0
        self.unknown_endpoint = 0
        self.self_loops = 0
        self._ex: dict[str, list[str]] = defaultdict(list)

    # -- nodes

    def add_node(self, label: str, id_: str, props: Mapping[str, Any] | None = None) -> None:
        """Add (or update) a node; only the fields the analyses read are kept."""
        label = str(label)
        id_ = str(id_)
        p = props or {}
        by_id = self._index[label]
        i = by_id.get(id_)
        if i is None:
            i = len(self._id)
            by_id[id_] = i
            self._label.append(label)
            self._id.append(id_)
            self._lat.append(math.nan)
            self._lon.append(math.nan)
        if label == _HH:
            c = coord(p)
            if c is not None:
                self._lat[i], self._lon[i] = c
            fl = _flags(p.get("flags"))
            if fl:
                self._hh_flags[i] = fl
            else:
                self._hh_flags.pop(i, None)
            aid = p.get("area_id")
            if aid is not None:
                self._hh_area[i] = self._intern.setdefault(str(aid), str(aid))
        elif label == _AG:
            self._info[i] = (
                str(p.get("name") or id_),
                _sectors(p.get("sectors")),
                None if p.get("kind") is None else str(p.get("kind")),
            )
            c = coord(p)
            if c is not None:
                self._lat[i], self._lon[i] = c
        elif label == _SU:
            aid = p.get("agency_id")
            self._info[i] = (
                str(p.get("name") or id_),
                str(p.get("kind") or ""),
                None if aid is None else str(aid),
            )
        elif label in (_VE, _EM, _OP):
            self._info[i] = (str(p.get("name") or p.get("title") or id_),)
        elif label == _CA:
            self._info[i] = (p.get("stage") != _CLOSED,)

    def _node(self, label: str, id_: str) -> int:
        return self._index[label].get(id_, -1) if label in self._index else -1

    def _example(self, key: str, text: str) -> None:
        lst = self._ex[key]
        if len(lst) < self._examples:
            lst.append(text)

    # -- relationships

    def _tie(self, a: int, b: int, tie: str, trust: int, recorded: bool = True) -> None:
        self._ts.append(a)
        self._td.append(b)
        self._tt.append(_TIE[tie])
        self._tr.append(trust)
        self._recorded.append(1 if recorded else 0)

    def add_rel(
        self,
        rel_type: str,
        src_label: str,
        src_id: str,
        dst_label: str,
        dst_id: str,
        props: Mapping[str, Any] | None = None,
    ) -> None:
        t = str(rel_type)
        a = self._node(str(src_label), str(src_id))
        b = self._node(str(dst_label), str(dst_id))
        d = props or {}
        if t == "IN_AREA":
            if a >= 0 and b >= 0:
                self._in_area.setdefault(a, b)
            return
        if t not in _TIE_RELS:
            return
        if a < 0 or b < 0:
            self.unknown_endpoint += 1
            self._example("unknown_endpoint", f"{t} {src_label}:{src_id} → {dst_label}:{dst_id}")
            return
        if a == b:
            if t != "COLLABORATES_WITH":
                self.self_loops += 1
                self._example("self_loops", f"{t} {src_label}:{src_id}")
            else:
                self.collab_ignored += 1
            return
        if t == "MEMBER_OF":
            self._member_of.setdefault(a, b)
        elif t == "SUPPORTED_BY":
            self._tie(a, b, "support", _intensity(d.get("intensity")))
        elif t == "VISITS":
            self._tie(a, b, "visit", _frequency(d.get("per_month")))
        elif t == "ATTENDS":
            self._tie(a, b, "venue", _frequency(d.get("per_month")))
        elif t == "NEIGHBOUR_OF":
            self._tie(a, b, _relation_tie(d, "neighbour"), _strength(d.get("strength")))
        elif t == "KNOWS":
            self._tie(a, b, _relation_tie(d, "acquaintance"), _strength(d.get("strength")))
        elif t == "ABOUT":
            self._case_about[a].append(b)
        elif t == "HANDLED_BY":
            self._case_agency[a].append(b)
        elif t == "HOSTED_BY":
            self._hosted.setdefault(a, b)
        elif t == "PLACED_IN":
            status = d.get("status")
            status = None if status is None else str(getattr(status, "value", status))
            if status == _DECLINED:
                return
            trust = STRONG if status in _STRONG_PLACEMENT else WEAK if status in _WEAK_PLACEMENT else UNKNOWN
            self._placed.append((a, b, trust))
        elif t == "COLLABORATES_WITH":
            lv = d.get("level")
            try:
                rank = CollaborationLevel(str(getattr(lv, "value", lv))).rank if lv is not None else 0
            except ValueError:
                rank = 0
            key = (a, b) if a < b else (b, a)
            if rank > self._collab.get(key, -1):
                self._collab[key] = rank

    def add_rows(self, nodes: Iterable[Any] = (), rels: Iterable[Any] = ()) -> None:
        """Add store rows (:class:`~graphsvc.store.port.NodeRow`, :class:`~graphsvc.store.port.RelRow`)."""
        add_node = self.add_node
        for r in nodes:
            add_node(r.label.value, r.id, r.props)
        add_rel = self.add_rel
        for r in rels:
            add_rel(r.type.value, r.src.label.value, r.src.id, r.dst.label.value, r.dst.id, r.props)

    # -- build

    def build(self) -> TieGraph:
        n_raw = len(self._id)
        labels = self._label
        # node numbers: households, then the others that take part (persons without a household, agencies,
        # supporters, venues, hosts); members fold into their household; cases and areas are not nodes
        node_of = np.full(n_raw, -1, dtype=np.int64)
        kinds: list[int] = []
        ids: list[str] = []
        out_labels: list[str] = []
        names: dict[int, str] = {}
        household_flags: dict[int, tuple[str, ...]] = {}
        household_area: dict[int, str] = {}
        agency_sectors: dict[int, tuple[str, ...]] = {}
        agency_kind: dict[int, str] = {}

        def new(raw: int, kind: int) -> int:
            k = len(ids)
            node_of[raw] = k
            kinds.append(kind)
            ids.append(self._id[raw])
            out_labels.append(labels[raw])
            return k

        # canonical numbering (by label, then id): the chains and the tie-breaks do not depend on the order the
        # rows came in
        by_label: dict[str, list[int]] = defaultdict(list)
        for i, lab in enumerate(labels):
            by_label[lab].append(i)
        ident = self._id
        for lst in by_label.values():
            lst.sort(key=ident.__getitem__)
        hh_raw = by_label.get(_HH, [])
        for i in hh_raw:
            k = new(i, HOUSEHOLD)
            fl = self._hh_flags.get(i)
            if fl:
                household_flags[k] = fl
            ar = self._in_area.get(i)
            aid = self._id[ar] if ar is not None and labels[ar] == _AR else None
            if aid is None:
                aid = self._hh_area.get(i)
            if aid is not None:
                household_area[k] = aid
        raw_lat = np.frombuffer(self._lat, dtype=float) if n_raw else np.zeros(0)
        raw_lon = np.frombuffer(self._lon, dtype=float) if n_raw else np.zeros(0)
        hh_arr = np.asarray(hh_raw, dtype=np.int64)
        lat = raw_lat[hh_arr].copy()
        lon = raw_lon[hh_arr].copy()
        person_index = np.full(n_raw, -1, dtype=np.int64)
        persons: list[str] = []
        for i in by_label.get(_PE, []):
            person_index[i] = len(persons)
            persons.append(self._id[i])
            h = self._member_of.get(i)
            if h is not None and labels[h] == _HH:
                node_of[i] = node_of[h]
        for i in [*by_label.get(_AG, []), *by_label.get(_SU, []), *by_label.get(_VE, [])]:
            lab = labels[i]
            if lab == _AG:
                k = new(i, AGENCY)
                name, sectors, akind = self._info.get(i, (self._id[i], (), None))
                names[k] = name
                agency_sectors[k] = sectors
                if akind is not None:
                    agency_kind[k] = akind
            elif lab == _SU:
                name, skind, aid = self._info.get(i, (self._id[i], "", None))
                formal = skind in _FORMAL_SUPPORTERS or (aid is not None and self._node(_AG, aid) >= 0)
                k = new(i, FORMAL if formal else INFORMAL)
                names[k] = name
            elif lab == _VE:
                k = new(i, VENUE)
                names[k] = self._info.get(i, (self._id[i],))[0]
        # persons without a household become nodes of their own (only those that take part in a tie)
        ts = np.frombuffer(self._ts, dtype=np.int64) if len(self._ts) else np.zeros(0, dtype=np.int64)
        td = np.frombuffer(self._td, dtype=np.int64) if len(self._td) else np.zeros(0, dtype=np.int64)
        tt = np.frombuffer(self._tt, dtype=np.int8) if len(self._tt) else np.zeros(0, dtype=np.int8)
        tr = np.frombuffer(self._tr, dtype=np.int8) if len(self._tr) else np.zeros(0, dtype=np.int8)
        rec = (
            np.frombuffer(self._recorded, dtype=np.int8)
            if len(self._recorded)
            else np.zeros(0, dtype=np.int8)
        )
        extra_s: list[int] = []
        extra_d: list[int] = []
        extra_t: list[int] = []
        extra_r: list[int] = []
        # supporters' agencies
        for i in by_label.get(_SU, []):
            if labels[i] == _SU:
                aid = self._info.get(i, ("", "", None))[2]
                if aid is not None:
                    a = self._node(_AG, str(aid))
                    if a >= 0:
                        extra_s.append(i)
                        extra_d.append(a)
                        extra_t.append(_TIE["affiliation"])
                        extra_r.append(STRONG)
        # cases: what each is about ↔ each agency that handles it
        for c, about in self._case_about.items():
            handlers = self._case_agency.get(c)
            if not handlers:
                continue
            open_ = bool(self._info.get(c, (True,))[0])
            for x in about:
                for a in handlers:
                    if labels[a] == _AG and labels[x] in (_HH, _PE):
                        extra_s.append(x)
                        extra_d.append(a)
                        extra_t.append(_TIE["case"])
                        extra_r.append(STRONG if open_ else WEAK)
        # placements: the member ↔ the opportunity's host (the opportunity itself when it names none)
        for p, o, ptrust in sorted(
            self._placed, key=lambda x: (ident[self._hosted.get(x[1], x[1])], ident[x[0]])
        ):
            host = self._hosted.get(o, o)
            if node_of[host] < 0:
                kind = AGENCY if labels[host] == _AG else VENUE if labels[host] == _VE else HOST
                k = new(host, kind)
                names[k] = str(self._info.get(host, (self._id[host],))[0])
            extra_s.append(p)
            extra_d.append(host)
            extra_t.append(_TIE["placement"])
            extra_r.append(ptrust)
        if extra_s:
            ts = np.concatenate([ts, np.asarray(extra_s, dtype=np.int64)])
            td = np.concatenate([td, np.asarray(extra_d, dtype=np.int64)])
            tt = np.concatenate([tt, np.asarray(extra_t, dtype=np.int8)])
            tr = np.concatenate([tr, np.asarray(extra_r, dtype=np.int8)])
            rec = np.concatenate([rec, np.zeros(len(extra_s), dtype=np.int8)])
        # every endpoint must be a node now: orphan persons get one; anything else is not a tie end
        if len(ts):
            ends = np.unique(np.concatenate([ts, td]))
            orphans = ends[(node_of[ends] < 0) & (person_index[ends] >= 0)].tolist()
            for raw in sorted(orphans, key=ident.__getitem__):
                new(raw, PERSON)
        ok = (node_of[ts] >= 0) & (node_of[td] >= 0) if len(ts) else np.zeros(0, dtype=bool)
        ts, td, tt, tr, rec = ts[ok], td[ok], tt[ok], tr[ok], rec[ok]

        # recorded duplicates (same two ends and type, before folding): counted once, strongest strength wins
        both = np.array([t.both_ways for t in TIES], dtype=bool)[tt] | (not self.directed)
        ka = np.where(both, np.minimum(ts, td), ts)
        kb = np.where(both, np.maximum(ts, td), td)
        dup_groups = conflicting = 0
        conflict_examples: list[str] = []
        if len(ts):
            order = np.lexsort((td, ts, _TRUST_PRIORITY[tr], kb, ka, tt))
            same = (
                (tt[order][1:] == tt[order][:-1])
                & (ka[order][1:] == ka[order][:-1])
                & (kb[order][1:] == kb[order][:-1])
            )
            first = np.r_[True, ~same]
            rec_o = rec[order]
            group = np.cumsum(first) - 1
            size = np.bincount(group)
            rec_any = np.bincount(group, weights=rec_o) > 0
            dup_groups = int(((size > 1) & rec_any).sum())
            if dup_groups:
                tr_o = tr[order]
                has_s = np.bincount(group, weights=(tr_o == STRONG)) > 0
                has_w = np.bincount(group, weights=(tr_o == WEAK)) > 0
                conf = (size > 1) & rec_any & has_s & has_w
                conflicting = int(conf.sum())
                for g in np.flatnonzero(conf)[: self._examples].tolist():
                    j = order[np.flatnonzero(first)[g]]
                    conflict_examples.append(
                        f"{TIES[int(tt[j])].ja} {labels[ts[j]]}:{self._id[ts[j]]} – {labels[td[j]]}:{self._id[td[j]]}"
                    )
            keep = order[first]
            ts, td, tt, tr = ts[keep], td[keep], tt[keep], tr[keep]
        # fold members into households; a tie inside one household reaches no one outside it
        u, v = node_of[ts], node_of[td]
        inside = u == v
        n_inside = int(inside.sum())
        via_s = person_index[ts]
        via_d = person_index[td]
        keep = ~inside
        u, v, tt, tr, via_s, via_d = u[keep], v[keep], tt[keep], tr[keep], via_s[keep], via_d[keep]
        both = np.array([t.both_ways for t in TIES], dtype=bool)[tt] | (not self.directed)
        n_strong = int((tr == STRONG).sum())
        n_weak = int((tr == WEAK).sum())
        n_unknown = int((tr == UNKNOWN).sum())
        n_ties = len(tt)
        # arcs: each tie forward, and backward when a message passes both ways
        bi = np.flatnonzero(both)
        src = np.concatenate([u, v[bi]])
        dst = np.concatenate([v, u[bi]])
        tie = np.concatenate([tt, tt[bi]])
        trust = np.concatenate([tr, tr[bi]])
        vs = np.concatenate([via_s, via_d[bi]])
        vd = np.concatenate([via_d, via_s[bi]])
        # one arc per ordered pair: the most trusted (then the lowest tie code)
        if len(src):
            order = np.lexsort((vd, vs, tie, trust, dst, src))
            first = np.r_[True, (src[order][1:] != src[order][:-1]) | (dst[order][1:] != dst[order][:-1])]
            sel = order[first]
            src, dst, tie, trust, vs, vd = src[sel], dst[sel], tie[sel], trust[sel], vs[sel], vd[sel]

        # agencies' collaborations and co-served households
        collabs: list[tuple[int, int, int]] = []
        collab_ignored = self.collab_ignored
        for (a, b), rank in sorted(self._collab.items()):
            na, nb = int(node_of[a]), int(node_of[b])
            if labels[a] != _AG or labels[b] != _AG or na < 0 or nb < 0:
                collab_ignored += 1
                continue
            collabs.append((min(na, nb), max(na, nb), rank))
        coserved: dict[tuple[int, int], int] = defaultdict(int)
        kind_arr = np.asarray(kinds, dtype=np.int8)
        serve = np.flatnonzero(
            ((tie == _TIE["support"]) | ((tie == _TIE["case"]) & (trust == STRONG)))
            & (kind_arr[src] == AGENCY)
            & (kind_arr[dst] == HOUSEHOLD)
        )
        if len(serve):
            by_hh = np.lexsort((src[serve], dst[serve]))
            hh_s, ag_s = dst[serve][by_hh], src[serve][by_hh]
            cuts = np.flatnonzero(np.r_[True, hh_s[1:] != hh_s[:-1], True])
            for s0, s1 in zip(cuts[:-1].tolist(), cuts[1:].tolist(), strict=True):
                if s1 - s0 < 2:
                    continue
                serving_agencies = sorted(set(ag_s[s0:s1].tolist()))
                for x in range(len(serving_agencies)):
                    for y in range(x + 1, len(serving_agencies)):
                        coserved[(serving_agencies[x], serving_agencies[y])] += 1

        examples = {k: tuple(v) for k, v in self._ex.items()}
        if conflict_examples:
            examples["conflicting"] = tuple(conflict_examples)
        quality = TieQuality(
            ties=n_ties,
            unknown_endpoint=self.unknown_endpoint,
            self_loops=self.self_loops,
            inside_household=n_inside,
            duplicates=dup_groups,
            conflicting=conflicting,
            unknown_strength=n_unknown,
            weak=n_weak,
            strong=n_strong,
            examples=examples,
        )
        return TieGraph(
            kind=kind_arr,
            ids=ids,
            labels=out_labels,
            names=names,
            src=src.astype(np.int64),
            dst=dst.astype(np.int64),
            tie=tie.astype(np.int8),
            trust=trust.astype(np.int8),
            src_via=vs.astype(np.int64),
            dst_via=vd.astype(np.int64),
            persons=persons,
            quality=quality,
            household_flags=household_flags,
            household_area=household_area,
            lat=lat,
            lon=lon,
            agency_sectors=agency_sectors,
            agency_kind=agency_kind,
            collaborations=collabs,
            collab_ignored=collab_ignored,
            coserved=dict(coserved),
            directed=self.directed,
        )


_TIE_RELS = frozenset(
    {
        "MEMBER_OF",
        "SUPPORTED_BY",
        "VISITS",
        "ATTENDS",
        "NEIGHBOUR_OF",
        "KNOWS",
        "ABOUT",
        "HANDLED_BY",
        "HOSTED_BY",
        "PLACED_IN",
        "COLLABORATES_WITH",
    }
)


def tie_graph(G: Any) -> TieGraph:
    """The tie graph of a town projection (a :class:`TieGraph` is returned as it is).

    Relationships are read in the direction :data:`graphsvc.domain.records.REL_SPECS` gives them; an undirected
    graph carries no direction, so every tie is taken both ways. A node with no ``label`` or ``id`` attribute
    (one networkx made up for an edge to an unknown key) is not in the town: ties to it are counted as
    ``unknown_endpoint``.

    Examples
    --------
    >>> from graphsvc.store.common import build_projection
    >>> G = build_projection(
    ...     [("Household", "H1", {}), ("Household", "H2", {}), ("Person", "P1", {}), ("Person", "P2", {}),
    ...      ("Agency", "A1", {"name": "包括"})],
    ...     [("MEMBER_OF", "Person", "P1", "Household", "H1", {}),
    ...      ("MEMBER_OF", "Person", "P2", "Household", "H2", {}),
    ...      ("SUPPORTED_BY", "Person", "P1", "Agency", "A1", {"intensity": 2}),
    ...      ("KNOWS", "Person", "P1", "Person", "P2", {})],
    ... )
    >>> T = tie_graph(G)
    >>> T.ids
    ['H1', 'H2', 'A1']
    >>> [(T.ids[u], T.ids[v], TIES[t].code, TRUST[r]) for u, v, t, r in zip(T.src, T.dst, T.tie, T.trust)]
    [('H1', 'H2', 'acquaintance', 'unknown'), ('H1', 'A1', 'support', 'strong'), ('A1', 'H1', 'support', 'strong')]
    """
    if isinstance(G, TieGraph):
        return G
    return cached(G, "tie_graph", lambda: _from_projection(G))


def _from_projection(G: Any) -> TieGraph:
    idx = index_of(G)
    b = TieGraphBuilder(directed=G.is_directed())
    attrs = idx.attrs
    for key, lab in idx.label_of.items():
        a = attrs[key]
        if "label" not in a and "id" not in a:
            continue  # made up by networkx for an edge: not in the town
        b.add_node(lab, idx.ext_id(key), a)
    ext = idx.ext_id
    lab_of = idx.label_of
    for t, rows in idx.edges.items():
        for u, v, d in rows:
            b.add_rel(t, lab_of[u], ext(u), lab_of[v], ext(v), d)
    # edges TownIndex could not place (a type or ends outside REL_SPECS) are not ties; unknown ends are counted
    return b.build()
