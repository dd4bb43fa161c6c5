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
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from itertools import repeat
from typing import Any

import numpy as np

from graphsvc.analysis.common import Result, cached, index_of
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
from graphsvc.domain.records import REL_SPECS

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


_FLAG_VALUES = {f.value: f.value for f in HouseholdFlag}


def _flags(raw: object) -> tuple[str, ...]:
    items = [raw] if isinstance(raw, str) else list(raw) if isinstance(raw, (list, tuple)) else []
    out: list[str] = []
    for f in items:
        v = _FLAG_VALUES.get(f) if isinstance(f, str) else None
        if v is None:
            try:
                v = HouseholdFlag(str(f)).value
            except ValueError:
                continue
        if v not in out:
            out.append(v)
    return tuple(out)


def _supporter_kind_ja(raw: object) -> str:
    try:
        return SupporterKind(str(raw)).ja if raw is not None else "支援者"
    except ValueError:
        return "支援者"


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
    supporter_kind: dict[int, str] = field(default_factory=dict)
    """Supporter node → its kind in Japanese (民生委員・児童委員, サポーター …): supporters are shown by kind and
    id, never by name."""
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

    @cached_property
    def display_ja(self) -> list[str]:
        """How each node is named in a chain: its name (agencies, supporters, venues, hosts), 世帯<id> for a
        household, else its kind and id."""
        out: list[str] = []
        names, ids, skind = self.names, self.ids, self.supporter_kind
        for v, k in enumerate(self.kind.tolist()):
            name = names.get(v)
            if name:
                out.append(name)
            elif k == HOUSEHOLD:
                out.append(f"世帯{ids[v]}")
            else:
                out.append(f"{skind.get(v) or KIND_JA[KINDS[k]]} {ids[v]}")
        return out


_NODE_FIELDS: dict[str, tuple[str, ...]] = {
    _HH: ("flags", "area_id", "lat", "lon"),
    _AG: ("name", "sectors", "kind", "lat", "lon"),
    _SU: ("name", "kind", "agency_id"),
    _VE: ("name",),
    _EM: ("name",),
    _OP: ("title", "name"),
    _CA: ("stage",),
}
"""The node fields the builder keeps, by label (everything else a row carries is dropped on arrival)."""

_REL_FIELDS: dict[str, tuple[str, ...]] = {
    "SUPPORTED_BY": ("intensity",),
    "VISITS": ("per_month",),
    "ATTENDS": ("per_month",),
    "NEIGHBOUR_OF": ("strength", "relation"),
    "KNOWS": ("strength", "relation"),
    "PLACED_IN": ("status",),
    "COLLABORATES_WITH": ("level",),
}
"""The relationship fields the builder keeps, by type."""

_SPEC_ENDS: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    t.value: (frozenset(x.value for x in s.sources), frozenset(x.value for x in s.targets))
    for t, s in REL_SPECS.items()
}

Column = list[Any]


_PLAIN_NUMBERS = {int, float, type(None)}


def _floats(col: Column) -> np.ndarray:
    """Numbers of a column as floats, NaN where missing or not a number (booleans are not numbers)."""
    if set(map(type, col)) <= _PLAIN_NUMBERS:
        try:
            return np.asarray(col, dtype=float).reshape(len(col))
        except (TypeError, ValueError):
            pass
    return np.array([math.nan if (x := _number(v)) is None else x for v in col], dtype=float).reshape(
        len(col)
    )


def _threshold_trust(col: Column, strong_from: float) -> np.ndarray:
    x = _floats(col)
    with np.errstate(invalid="ignore"):
        return np.where(np.isnan(x), UNKNOWN, np.where(x >= strong_from, STRONG, WEAK)).astype(np.int8)


_STRENGTH_CODE: dict[Any, int] = {"strong": STRONG, "weak": WEAK, None: UNKNOWN}


def _strengths(col: Column) -> np.ndarray:
    m = _STRENGTH_CODE
    try:
        out = [m[x] if x in m else _strength(x) for x in col]
    except TypeError:  # an unhashable value
        out = [_strength(x) for x in col]
    return np.asarray(out, dtype=np.int8).reshape(len(col))


def _relations(col: Column, default: str) -> np.ndarray:
    d = _TIE[default]
    m: dict[Any, int] = {None: d, **{k: _TIE[v] for k, v in _RELATION_TIE.items()}}
    try:
        out = [m[x] if x in m else _TIE[_relation_tie({"relation": x}, default)] for x in col]
    except TypeError:
        out = [_TIE[_relation_tie({"relation": x}, default)] for x in col]
    return np.asarray(out, dtype=np.int8).reshape(len(col))


class TieGraphBuilder:
    """Gathers a town's nodes and relationships into a :class:`TieGraph`, in columns.

    Rows one at a time — ``add_node(label, id, props)`` and ``add_rel(type, src_label, src_id, dst_label,
    dst_id, props)`` (the shape of :func:`graphsvc.store.common.build_projection`'s rows), or store rows with
    :meth:`add_rows` — only append to a buffer; whole columns — :meth:`add_nodes` and :meth:`add_rels`, what a
    store reads per label or type — skip even that. Everything is resolved in bulk by :meth:`build`, in any
    order of arrival (a node given twice: the last one counts, as an upsert).
    """

    def __init__(self, *, directed: bool = True, examples: int = 5) -> None:
        self.directed = directed
        self._examples = examples
        self._node_rows: dict[str, tuple[list[str], list[Mapping[str, Any] | None]]] = {}
        self._rel_rows: dict[
            tuple[str, str, str], tuple[list[str], list[str], list[Mapping[str, Any] | None]]
        ] = {}
        self._node_cols: dict[str, list[tuple[Column, dict[str, Column]]]] = defaultdict(list)
        self._rel_cols: dict[tuple[str, str, str], list[tuple[Column, Column, dict[str, Column]]]] = (
            defaultdict(list)
        )

    # -- input

    def add_node(self, label: str, id_: str, props: Mapping[str, Any] | None = None) -> None:
        """Add (or update) one node."""
        buf = self._node_rows.get(label)
        if buf is None:
            buf = self._node_rows[label] = ([], [])
        buf[0].append(id_)
        buf[1].append(props)

    def add_rel(
        self,
        rel_type: str,
        src_label: str,
        src_id: str,
        dst_label: str,
        dst_id: str,
        props: Mapping[str, Any] | None = None,
    ) -> None:
        """Add one relationship."""
        key = (rel_type, src_label, dst_label)
        buf = self._rel_rows.get(key)
        if buf is None:
            buf = self._rel_rows[key] = ([], [], [])
        buf[0].append(src_id)
        buf[1].append(dst_id)
        buf[2].append(props)

    def add_nodes(self, label: str, ids: Iterable[str], **columns: Iterable[Any]) -> None:
        """Add nodes of one label as columns: ``ids`` and any of the fields the analyses read (households:
        ``flags``, ``area_id``, ``lat``, ``lon``; agencies: ``name``, ``sectors``, ``kind``, ``lat``, ``lon``;
        supporters: ``name``, ``kind``, ``agency_id``; venues and employers: ``name``; opportunities:
        ``title``; cases: ``stage``), each as long as ``ids``."""
        idl = list(ids)
        cols = {k: list(v) for k, v in columns.items()}
        for k, v in cols.items():
            if len(v) != len(idl):
                raise ValueError(f"column {k!r} has {len(v)} values for {len(idl)} ids")
        self._node_cols[str(label)].append((idl, cols))

    def add_rels(
        self,
        rel_type: str,
        src_label: str,
        src_ids: Iterable[str],
        dst_label: str,
        dst_ids: Iterable[str],
        **columns: Iterable[Any],
    ) -> None:
        """Add relationships of one type and pair of labels as columns (``strength``, ``relation``,
        ``intensity``, ``per_month``, ``status``, ``level``, as the type has them)."""
        s, d = list(src_ids), list(dst_ids)
        cols = {k: list(v) for k, v in columns.items()}
        if len(s) != len(d) or any(len(v) != len(s) for v in cols.values()):
            raise ValueError("every column of add_rels must be as long as src_ids")
        self._rel_cols[(str(rel_type), str(src_label), str(dst_label))].append((s, d, cols))

    def add_rows(self, nodes: Iterable[Any] = (), rels: Iterable[Any] = ()) -> None:
        """Add store rows (:class:`~graphsvc.store.port.NodeRow`, :class:`~graphsvc.store.port.RelRow`)."""
        add_node = self.add_node
        for r in nodes:
            add_node(r.label, r.id, r.props)
        add_rel = self.add_rel
        for r in rels:
            add_rel(r.type, r.src.label, r.src.id, r.dst.label, r.dst.id, r.props)

    def _flush(self) -> None:
        """Row buffers → columns (only the fields kept)."""
        for label, (ids, props) in self._node_rows.items():
            lab = str(label)
            cols = {f: [None if p is None else p.get(f) for p in props] for f in _NODE_FIELDS.get(lab, ())}
            self._node_cols[lab].append((ids, cols))
        self._node_rows = {}
        for (t, sl, dl), (s, d, props) in self._rel_rows.items():
            tt = str(t)
            cols = {f: [None if p is None else p.get(f) for p in props] for f in _REL_FIELDS.get(tt, ())}
            self._rel_cols[(tt, str(sl), str(dl))].append((s, d, cols))
        self._rel_rows = {}

    # -- build

    def build(self) -> TieGraph:
        """Resolve every node and relationship into a :class:`TieGraph` (the builder can be fed more and built
        again)."""
        self._flush()
        ex: dict[str, list[str]] = defaultdict(list)

        def example(key: str, text: str) -> None:
            if len(ex[key]) < self._examples:
                ex[key].append(text)

        # ---- nodes: raw numbers by label, ids sorted (canonical: nothing depends on the order rows came in)
        raw_label: list[str] = []
        raw_id: list[str] = []
        index: dict[str, dict[str, int]] = {}
        field: dict[str, dict[str, Column]] = {}
        start: dict[str, int] = {}
        for label in sorted(self._node_cols):
            ids: Column = []
            cols: dict[str, Column] = defaultdict(list)
            wanted = _NODE_FIELDS.get(label, ())
            for cids, ccols in self._node_cols[label]:
                ids.extend(map(str, cids))
                for f in wanted:
                    got = ccols.get(f)
                    cols[f].extend(got if got is not None else [None] * len(cids))
            last = dict(zip(ids, range(len(ids)), strict=True))  # an id given twice: the last row counts
            uniq = sorted(last)
            base = len(raw_id)
            start[label] = base
            index[label] = dict(zip(uniq, range(base, base + len(uniq)), strict=True))
            raw_id.extend(uniq)
            raw_label.extend([label] * len(uniq))
            picks = list(map(last.__getitem__, uniq))
            field[label] = {f: list(map(cols[f].__getitem__, picks)) for f in wanted}
        n_raw = len(raw_id)
        empty: dict[str, int] = {}

        def span(label: str) -> range:
            b = start.get(label)
            return range(0) if b is None else range(b, b + len(index[label]))

        # ---- relationships: resolve ends per chunk, set aside unknown ends and self-loops
        per_type: dict[str, list[tuple[np.ndarray, np.ndarray, dict[str, Column], str, str]]] = defaultdict(
            list
        )
        unknown_endpoint = self_loops = collab_ignored = 0
        for (t, sl, dl), chunks in self._rel_cols.items():
            if t not in _TIE_RELS and t != "IN_AREA":
                continue
            ends = _SPEC_ENDS.get(t)
            if ends is None or sl not in ends[0] or dl not in ends[1]:
                continue  # a type or pair of labels the town graph does not have: not a tie
            si, di = index.get(sl, empty), index.get(dl, empty)
            for s_ids, d_ids, cols in chunks:
                # dict.get(id, -1) over the column in C (map with a repeated default)
                a = np.asarray(list(map(si.get, s_ids, repeat(-1, len(s_ids)))), dtype=np.int64)
                b = np.asarray(list(map(di.get, d_ids, repeat(-1, len(d_ids)))), dtype=np.int64)
                bad = (a < 0) | (b < 0)
                if bad.any() and t != "IN_AREA":
                    unknown_endpoint += int(bad.sum())
                    for k in np.flatnonzero(bad)[: self._examples].tolist():
                        example("unknown_endpoint", f"{t} {sl}:{s_ids[k]} → {dl}:{d_ids[k]}")
                loop = (a == b) & ~bad
                if loop.any():
                    if t == "COLLABORATES_WITH":
                        collab_ignored += int(loop.sum())
                    elif t != "IN_AREA":
                        self_loops += int(loop.sum())
                        for k in np.flatnonzero(loop)[: self._examples].tolist():
                            example("self_loops", f"{t} {sl}:{s_ids[k]}")
                ok = ~(bad | loop)
                if not ok.all():
                    keep = np.flatnonzero(ok)
                    kl = keep.tolist()
                    cols = {f: [v[k] for k in kl] for f, v in cols.items()}
                    a, b = a[keep], b[keep]
                per_type[t].append((a, b, cols, sl, dl))

        def cat(t: str) -> tuple[np.ndarray, np.ndarray, dict[str, Column]]:
            parts = per_type.get(t, [])
            if not parts:
                return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), defaultdict(list)
            a = np.concatenate([p[0] for p in parts])
            b = np.concatenate([p[1] for p in parts])
            cols: dict[str, Column] = defaultdict(list)
            for p in parts:
                n = len(p[0])
                for f in _REL_FIELDS.get(t, ()):
                    cols[f].extend(p[2].get(f) or [None] * n)
            return a, b, cols

        def first_wins(a: np.ndarray, b: np.ndarray) -> np.ndarray:
            out = np.full(n_raw, -1, dtype=np.int64)
            if len(a) and int(np.bincount(a, minlength=1).max()) > 1:
                u, first = np.unique(a, return_index=True)
                out[u] = b[first]
            else:
                out[a] = b
            return out

        is_label = {lab: np.zeros(n_raw, dtype=bool) for lab in (_HH, _PE, _AG, _SU, _VE, _EM, _OP, _AR)}
        for lab, arr in is_label.items():
            r = span(lab)
            arr[r.start : r.stop] = True

        a, b, _ = cat("MEMBER_OF")
        member_of = first_wins(a, b)
        a, b, _ = cat("IN_AREA")
        in_area = first_wins(a, b)
        a, b, _ = cat("HOSTED_BY")
        hosted = first_wins(a, b)

        ts_parts: list[np.ndarray] = []
        td_parts: list[np.ndarray] = []
        tt_parts: list[np.ndarray] = []
        tr_parts: list[np.ndarray] = []
        rec_parts: list[np.ndarray] = []

        def ties(
            a: np.ndarray, b: np.ndarray, tie: np.ndarray | int, trust: np.ndarray | int, rec: int
        ) -> None:
            n = len(a)
            ts_parts.append(a)
            td_parts.append(b)
            tt_parts.append(np.broadcast_to(np.asarray(tie, dtype=np.int8), (n,)).copy())
            tr_parts.append(np.broadcast_to(np.asarray(trust, dtype=np.int8), (n,)).copy())
            rec_parts.append(np.full(n, rec, dtype=np.int8))

        a, b, c = cat("SUPPORTED_BY")
        ties(a, b, _TIE["support"], _threshold_trust(c["intensity"], 2), 1)
        a, b, c = cat("VISITS")
        ties(a, b, _TIE["visit"], _threshold_trust(c["per_month"], 1), 1)
        a, b, c = cat("ATTENDS")
        ties(a, b, _TIE["venue"], _threshold_trust(c["per_month"], 1), 1)
        a, b, c = cat("NEIGHBOUR_OF")
        ties(a, b, _relations(c["relation"], "neighbour"), _strengths(c["strength"]), 1)
        a, b, c = cat("KNOWS")
        ties(a, b, _relations(c["relation"], "acquaintance"), _strengths(c["strength"]), 1)

        # ---- node numbers: households (by id), then agencies, supporters, venues (by id); members fold into
        # their household; cases and areas are not nodes
        node_of = np.full(n_raw, -1, dtype=np.int64)
        kinds: list[int] = []
        ids_out: list[str] = []
        labels_out: list[str] = []
        names: dict[int, str] = {}

        def new(raw: int, kind: int) -> int:
            k = len(ids_out)
            node_of[raw] = k
            kinds.append(kind)
            ids_out.append(raw_id[raw])
            labels_out.append(raw_label[raw])
            return k

        hh = span(_HH)
        hf = field.get(_HH, {})
        household_flags: dict[int, tuple[str, ...]] = {}
        household_area: dict[int, str] = {}
        n_hh = len(hh)
        node_of[hh.start : hh.stop] = np.arange(n_hh)
        kinds.extend([HOUSEHOLD] * n_hh)
        ids_out.extend(raw_id[hh.start : hh.stop])
        labels_out.extend([_HH] * n_hh)
        seen_flags: dict[Any, tuple[str, ...]] = {}  # few distinct lists of flags: parse each once
        for k, fl in enumerate(hf.get("flags", [])):
            if fl:
                key = tuple(fl) if isinstance(fl, list) else fl
                try:
                    parsed = seen_flags[key]
                except KeyError:
                    parsed = seen_flags[key] = _flags(fl)
                except TypeError:  # unhashable
                    parsed = _flags(fl)
                if parsed:
                    household_flags[k] = parsed
        # the area: IN_AREA to a known area, else the household's area_id
        ar = in_area[hh.start : hh.stop]
        by_rel = (ar >= 0) & is_label[_AR][np.maximum(ar, 0)]
        area_col = hf.get("area_id", [None] * n_hh)
        household_area.update(
            (k, aid if isinstance(aid, str) else str(aid))
            for k, aid in enumerate(area_col)
            if aid is not None
        )
        rel_k = np.flatnonzero(by_rel)
        household_area.update(zip(rel_k.tolist(), (raw_id[x] for x in ar[rel_k].tolist()), strict=True))
        lat = _floats(hf.get("lat", [None] * n_hh))
        lon = _floats(hf.get("lon", [None] * n_hh))
        bad_pt = ~(np.isfinite(lat) & np.isfinite(lon) & (np.abs(lat) <= 90) & (np.abs(lon) <= 180))
        lat[bad_pt] = math.nan
        lon[bad_pt] = math.nan

        persons = list(raw_id[span(_PE).start : span(_PE).stop])
        person_index = np.full(n_raw, -1, dtype=np.int64)
        pe = span(_PE)
        person_index[pe.start : pe.stop] = np.arange(len(pe))
        if len(pe):
            hs = member_of[pe.start : pe.stop]
            folded = (hs >= 0) & is_label[_HH][np.maximum(hs, 0)]
            node_of[pe.start : pe.stop] = np.where(folded, node_of[np.maximum(hs, 0)], -1)

        agency_sectors: dict[int, tuple[str, ...]] = {}
        agency_kind: dict[int, str] = {}
        af = field.get(_AG, {})
        for j, raw in enumerate(span(_AG)):
            k = new(raw, AGENCY)
            names[k] = str(af["name"][j] or raw_id[raw])
            agency_sectors[k] = _sectors(af["sectors"][j])
            if af["kind"][j] is not None:
                agency_kind[k] = str(af["kind"][j])
        sf = field.get(_SU, {})
        ag_index = index.get(_AG, empty)
        affiliated: list[tuple[int, int]] = []
        supporter_kind: dict[int, str] = {}
        for j, raw in enumerate(span(_SU)):
            aid = sf["agency_id"][j]
            agency = ag_index.get(str(aid), -1) if aid is not None else -1
            formal = str(sf["kind"][j] or "") in _FORMAL_SUPPORTERS or agency >= 0
            k = new(raw, FORMAL if formal else INFORMAL)
            # a supporter is a person: shown by kind and id, never by name (the role rules withhold supporters'
            # names from multi-agency staff)
            supporter_kind[k] = _supporter_kind_ja(sf["kind"][j])
            if agency >= 0:
                affiliated.append((raw, agency))
        vf = field.get(_VE, {})
        for j, raw in enumerate(span(_VE)):
            k = new(raw, VENUE)
            names[k] = str(vf["name"][j] or raw_id[raw])
        if affiliated:
            arr = np.asarray(affiliated, dtype=np.int64)
            ties(arr[:, 0], arr[:, 1], _TIE["affiliation"], STRONG, 0)

        # cases: what each is about ↔ each agency that handles it (open: strong, closed: weak)
        ca = span(_CA)
        stages = field.get(_CA, {}).get("stage", [])
        a_about, b_about, _ = cat("ABOUT")
        a_hand, b_hand, _ = cat("HANDLED_BY")
        if len(a_about) and len(a_hand):
            handlers: dict[int, list[int]] = defaultdict(list)
            for c_, ag in zip(a_hand.tolist(), b_hand.tolist(), strict=True):
                handlers[c_].append(ag)
            xs: list[int] = []
            ags: list[int] = []
            trs: list[int] = []
            for c_, x in zip(a_about.tolist(), b_about.tolist(), strict=True):
                hs_ = handlers.get(c_)
                if not hs_:
                    continue
                open_ = stages[c_ - ca.start] != _CLOSED if c_ in ca else True
                for ag in hs_:
                    xs.append(x)
                    ags.append(ag)
                    trs.append(STRONG if open_ else WEAK)
            ties(
                np.asarray(xs, dtype=np.int64),
                np.asarray(ags, dtype=np.int64),
                _TIE["case"],
                np.asarray(trs, dtype=np.int8),
                0,
            )

        # placements: the member ↔ the opportunity's host (the opportunity itself when it names none)
        a, b, c = cat("PLACED_IN")
        if len(a):
            status = [None if x is None else str(getattr(x, "value", x)) for x in c["status"]]
            kept = [k for k, st in enumerate(status) if st != _DECLINED]
            p_tr = np.array(
                [
                    STRONG
                    if status[k] in _STRONG_PLACEMENT
                    else WEAK
                    if status[k] in _WEAK_PLACEMENT
                    else UNKNOWN
                    for k in kept
                ],
                dtype=np.int8,
            )
            a, b = a[kept], b[kept]
            host = np.where(hosted[b] >= 0, hosted[b], b)
            op_f, em_f = field.get(_OP, {}), field.get(_EM, {})
            for h in sorted(set(host.tolist()), key=raw_id.__getitem__):
                if node_of[h] >= 0:
                    continue
                lab = raw_label[h]
                kind = AGENCY if lab == _AG else VENUE if lab == _VE else HOST
                k = new(h, kind)
                j = h - start[lab]
                if lab == _OP:
                    nm = op_f["title"][j] or op_f["name"][j]
                elif lab == _EM:
                    nm = em_f["name"][j]
                else:
                    nm = None
                names[k] = str(nm or raw_id[h])
            ties(a, host, _TIE["placement"], p_tr, 0)

        # collaborations between agencies: the highest level of each pair
        a, b, c = cat("COLLABORATES_WITH")
        collab: dict[tuple[int, int], int] = {}
        for x, y, lv in zip(a.tolist(), b.tolist(), c["level"], strict=True):
            try:
                rank = CollaborationLevel(str(getattr(lv, "value", lv))).rank if lv is not None else 0
            except ValueError:
                rank = 0
            key = (x, y) if x < y else (y, x)
            if rank > collab.get(key, -1):
                collab[key] = rank

        ts = np.concatenate(ts_parts) if ts_parts else np.zeros(0, dtype=np.int64)
        td = np.concatenate(td_parts) if td_parts else np.zeros(0, dtype=np.int64)
        tt = np.concatenate(tt_parts) if tt_parts else np.zeros(0, dtype=np.int8)
        tr = np.concatenate(tr_parts) if tr_parts else np.zeros(0, dtype=np.int8)
        rec = np.concatenate(rec_parts) if rec_parts else np.zeros(0, dtype=np.int8)
        # persons without a household become nodes of their own (only those that take part in a tie)
        if len(ts):
            is_end = np.zeros(n_raw, dtype=bool)
            is_end[ts] = True
            is_end[td] = True
            for raw in np.flatnonzero(is_end & (node_of < 0) & (person_index >= 0)).tolist():
                new(raw, PERSON)
        ok = (node_of[ts] >= 0) & (node_of[td] >= 0) if len(ts) else np.zeros(0, dtype=bool)
        ts, td, tt, tr, rec = ts[ok], td[ok], tt[ok], tr[ok], rec[ok]
        return self._finish(
            ts=ts,
            td=td,
            tt=tt,
            tr=tr,
            rec=rec,
            node_of=node_of,
            person_index=person_index,
            raw_label=raw_label,
            raw_id=raw_id,
            kinds=kinds,
            ids_out=ids_out,
            labels_out=labels_out,
            names=names,
            persons=persons,
            household_flags=household_flags,
            household_area=household_area,
            lat=lat,
            lon=lon,
            agency_sectors=agency_sectors,
            agency_kind=agency_kind,
            supporter_kind=supporter_kind,
            collab=collab,
            collab_ignored=collab_ignored,
            unknown_endpoint=unknown_endpoint,
            self_loops=self_loops,
            ex=ex,
        )

    def _finish(
        self,
        *,
        ts: np.ndarray,
        td: np.ndarray,
        tt: np.ndarray,
        tr: np.ndarray,
        rec: np.ndarray,
        node_of: np.ndarray,
        person_index: np.ndarray,
        raw_label: list[str],
        raw_id: list[str],
        kinds: list[int],
        ids_out: list[str],
        labels_out: list[str],
        names: dict[int, str],
        persons: list[str],
        household_flags: dict[int, tuple[str, ...]],
        household_area: dict[int, str],
        lat: np.ndarray,
        lon: np.ndarray,
        agency_sectors: dict[int, tuple[str, ...]],
        agency_kind: dict[int, str],
        supporter_kind: dict[int, str],
        collab: dict[tuple[int, int], int],
        collab_ignored: int,
        unknown_endpoint: int,
        self_loops: int,
        ex: dict[str, list[str]],
    ) -> TieGraph:
        labels = raw_label
        # recorded duplicates (same two ends and type, before folding): counted once, strongest strength wins
        both = np.array([t.both_ways for t in TIES], dtype=bool)[tt] | (not self.directed)
        ka = np.where(both, np.minimum(ts, td), ts)
        kb = np.where(both, np.maximum(ts, td), td)
        dup_groups = conflicting = 0
        conflict_examples: list[str] = []
        if len(ts):
            # one integer key per tie (type, ends), the strongest record first within it
            m = np.int64(len(raw_id) + 1)
            group_key = (tt.astype(np.int64) * m + ka) * m + kb
            order = np.argsort(group_key * 4 + _TRUST_PRIORITY[tr], kind="stable")
            gk = group_key[order]
            same = gk[1:] == gk[:-1]
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
                        f"{TIES[int(tt[j])].ja} {labels[ts[j]]}:{raw_id[ts[j]]} – {labels[td[j]]}:{raw_id[td[j]]}"
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
            n_nodes = np.int64(len(ids_out) + 1)
            pair = src * n_nodes + dst
            rank = pair * 64 + trust.astype(np.int64) * 16 + tie
            via = (vs + 1) * np.int64(len(persons) + 2) + (vd + 1)
            order = np.lexsort((via, rank))
            pair_o = pair[order]
            first = np.r_[True, pair_o[1:] != pair_o[:-1]]
            sel = order[first]
            src, dst, tie, trust, vs, vd = src[sel], dst[sel], tie[sel], trust[sel], vs[sel], vd[sel]

        # agencies' collaborations and co-served households
        collabs: list[tuple[int, int, int]] = []
        for (a, b), rank in sorted(collab.items()):
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

        examples = {k: tuple(v) for k, v in ex.items()}
        if conflict_examples:
            examples["conflicting"] = tuple(conflict_examples)
        quality = TieQuality(
            ties=n_ties,
            unknown_endpoint=unknown_endpoint,
            self_loops=self_loops,
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
            ids=ids_out,
            labels=labels_out,
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
            supporter_kind=supporter_kind,
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
