"""Households no one reaches: no tie, no chain to any agency, only weak ties, or ties of one kind only, ranked
for アウトリーチ.

A household's ties are those of the household and of its members (MEMBER_OF), formal and informal together as a
支え合いマップ draws them. Each tie is 強い (strong), 弱い (weak) or 不明 (unknown: nothing recorded):

=============  ======================================================  ============================  ===============
kind           relationships                                           weak when                     unknown when
=============  ======================================================  ============================  ===============
agency 機関     SUPPORTED_BY (household or member → agency);            intensity 1 (情報提供のみ);      no intensity
               HANDLED_BY of a case ABOUT the household or a member    the case is closed (終結)
supporter 支援者 VISITS (supporter → household or member)               per_month < 1                 no per_month
venue 居場所     ATTENDS (member → venue)                                per_month < 1                 no per_month
neighbour 近所   NEIGHBOUR_OF, KNOWS with someone outside the household  strength ``weak``              no strength
placement 参加先 PLACED_IN (member → opportunity); a declined one is    status proposed, contacted or  no status
               no tie                                                  ended
=============  ======================================================  ============================  ===============

A tie of unknown strength is never counted as weak: it is shown as 不明 and counted apart
(``unknown_strength``: households whose ties would all be weak if the unknown ones were).

Beyond a household's own ties, the chains of :mod:`graphsvc.analysis.reachability` decide the gap: a household is
*isolated* (孤立) with no tie at all; in an *isolated cluster* (``cluster``: its group of neighbours, kin and friends
has no agency in it); *no_chain* when it has ties but no chain to an agency within ``k`` steps; *weak_only*
(弱いつながりのみ) when every tie is known to be weak; *single_kind* (一種類のつながりのみ) when all its ties are of
one kind (only neighbours, only one agency …). The outreach list holds them all, ranked by ``score`` = the weight
of its first gap in that order (:data:`GAP_WEIGHTS`; later gaps are shown with weight 0) + the risk weights of the
household (:data:`RISK_WEIGHTS`, :data:`AGE_ALONE_WEIGHT`, :data:`NEEDS_SUPPORT_WEIGHT`); each candidate carries
its chain to the nearest agency (who would carry the message).

Store-side: the households of one flag, or the count of households with a flag, are a plain filter
(:func:`graphsvc.analysis.queries.households_with_flag`); in Neo4j
``MATCH (h:Household) WHERE NOT (h)--() AND NOT (:Person)-[:MEMBER_OF]->(h)`` finds households with no
relationship at all. The tie rules above (members' ties, weakness) are the reason the analysis itself runs over
the projection.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import networkx as nx

from graphsvc.analysis.common import PERSON, Result, TownIndex, index_of
from graphsvc.analysis.reachability import DEFAULT_K, ReachabilityResult, shared_reachability
from graphsvc.domain.enums import HouseholdFlag, NodeLabel, PlacementStatus, RelType, TieStrength

__all__ = [
    "AGE_ALONE_WEIGHT",
    "GAP_WEIGHTS",
    "NEEDS_SUPPORT_WEIGHT",
    "RISK_WEIGHTS",
    "TIE_KINDS",
    "IsolationResult",
    "OutreachCandidate",
    "Reason",
    "Tie",
    "household_ties",
    "isolated_households",
    "outreach_list",
]

_L = NodeLabel
_R = RelType

TIE_KINDS: dict[str, tuple[str, str]] = {
    "agency": ("機関", "agency"),
    "supporter": ("支援者", "supporter"),
    "venue": ("居場所", "venue"),
    "neighbour": ("近所・知人", "neighbour or acquaintance"),
    "placement": ("参加先", "placement"),
}
"""Kinds of tie: code → (Japanese, English)."""

GAPS: dict[str, tuple[str, str]] = {
    "isolated": (
        "孤立: 機関・支援者・居場所・近所とのつながりがない",
        "isolated: no tie to any agency, supporter, venue or neighbour",
    ),
    "cluster": (
        "機関のいない孤立したまとまりの中にいる",
        "in a connected group with no agency in it",
    ),
    "no_chain": ("つながりはあるが機関まで届く経路がない", "ties, but no chain to any agency within k steps"),
    "weak_only": ("弱いつながりのみ", "only weak ties"),
    "single_kind": ("一種類のつながりのみ", "ties of one kind only"),
}

GAP_WEIGHTS: dict[str, float] = {
    "isolated": 4.0,
    "cluster": 3.5,
    "no_chain": 3.0,
    "weak_only": 2.0,
    "single_kind": 1.0,
}
"""Weight of each kind of gap in the outreach score."""

RISK_WEIGHTS: dict[HouseholdFlag, float] = {
    HouseholdFlag.SINGLE_ELDERLY: 3.0,
    HouseholdFlag.EIGHTY_FIFTY: 3.0,
    HouseholdFlag.HIKIKOMORI_MEMBER: 3.0,
    HouseholdFlag.SOCIAL_ISOLATION: 3.0,
    HouseholdFlag.HOARDING: 2.0,
    HouseholdFlag.YOUNG_CARER: 2.0,
    HouseholdFlag.DOUBLE_CARE: 2.0,
    HouseholdFlag.REMOTE: 1.0,
    HouseholdFlag.DISABILITY_MEMBER: 1.0,
    HouseholdFlag.SINGLE_PARENT: 1.0,
    HouseholdFlag.PUBLIC_ASSISTANCE: 1.0,
    HouseholdFlag.ELDERLY_COUPLE: 1.0,
}
"""Risk weight of each household flag. ``hikikomori_member`` also counts when a member has ``hikikomori``
set, and ``remote`` when the household's area is ``remote`` (each once)."""

AGE_ALONE_WEIGHT = 2.0
"""Added for a household of one person aged 75 or more (from ``birth_year``), on top of ``single_elderly``."""
AGE_ALONE_MIN = 75
NEEDS_SUPPORT_WEIGHT = 1.0
"""Added once when a member is on the 要援護者台帳 (``needs_support``)."""

_WEAK_PLACEMENT = {
    PlacementStatus.PROPOSED.value,
    PlacementStatus.CONTACTED.value,
    PlacementStatus.ENDED.value,
}


TRUST_JA = {"strong": "強い", "weak": "弱い", "unknown": "不明"}
"""A tie's strength in Japanese: unknown stays 不明."""


@dataclass(frozen=True)
class Tie(Result):
    """One tie of a household: to whom, through which relationship, by which member, and how strong it is
    (``trust``: strong, weak or unknown; ``weak`` is True only for a tie known to be weak)."""

    kind: str
    kind_ja: str
    rel_type: str
    target_label: str
    target_id: str
    weak: bool
    via_member: str | None = None
    case_id: str | None = None
    trust: str = "strong"
    trust_ja: str = "強い"


@dataclass(frozen=True)
class Reason(Result):
    """A reason on the outreach list, in Japanese and English, with its weight in the score."""

    code: str
    ja: str
    en: str
    weight: float


@dataclass(frozen=True)
class OutreachCandidate(Result):
    """A household on the アウトリーチ list with the evidence: its ties, flags and the reasons of its rank."""

    _derived = ("reasons_ja",)

    household_id: str
    gap: str
    gap_ja: str
    score: float
    risk: float
    reasons: tuple[Reason, ...]
    ties: tuple[Tie, ...]
    flags: tuple[str, ...]
    members: int
    area_id: str | None
    agency_hops: int | None = None
    chain_ja: str | None = None
    cluster_id: str | None = None

    @property
    def reasons_ja(self) -> str:
        """The reasons as one Japanese line."""
        return "、".join(r.ja for r in self.reasons)


@dataclass(frozen=True)
class IsolationResult(Result):
    """Households without ties, with weak ties only or ties of one kind, and the ranked outreach list."""

    _derived = ("summary_ja",)

    households: int
    isolated: tuple[str, ...]
    weak_only: tuple[str, ...]
    single_kind: tuple[str, ...]
    outreach: tuple[OutreachCandidate, ...]
    reference_year: int
    weights: Mapping[str, float] = field(default_factory=dict)
    cluster: tuple[str, ...] = ()
    no_chain: tuple[str, ...] = ()
    unknown_strength: tuple[str, ...] = ()
    unknown_ties: int = 0
    k: int = 3

    @property
    def summary_ja(self) -> str:
        unknown = (
            f"。強さ不明のつながりのみの世帯 {len(self.unknown_strength)} (弱いとは数えていません)"
            if self.unknown_strength
            else ""
        )
        return (
            f"{self.households}世帯のうち、つながりのない世帯 {len(self.isolated)}、"
            f"機関のいないまとまりの世帯 {len(self.cluster)}、{self.k}歩以内に機関へ届かない世帯 {len(self.no_chain)}、"
            f"弱いつながりのみ {len(self.weak_only)}、一種類のつながりのみ {len(self.single_kind)}{unknown}"
        )


def _kind(k: str) -> str:
    return TIE_KINDS[k][0]


RawTie = tuple[str, str, str, str, str | None, str | None]
"""(kind, relationship type, target key, trust, via member key, case key): ties before they become :class:`Tie`."""

_SUPPORTED_BY, _HANDLED_BY, _VISITS, _ATTENDS, _PLACED_IN, _KNOWS, _NEIGHBOUR_OF = (
    str(t.value)
    for t in (_R.SUPPORTED_BY, _R.HANDLED_BY, _R.VISITS, _R.ATTENDS, _R.PLACED_IN, _R.KNOWS, _R.NEIGHBOUR_OF)
)
_DECLINED = str(PlacementStatus.DECLINED.value)


def _collect_ties(idx: TownIndex) -> dict[str, list[RawTie]]:
    households = set(idx.nodes(_L.HOUSEHOLD))
    ties: dict[str, list[RawTie]] = defaultdict(list)
    label_of = idx.label_of
    hh_of = idx.household_keys_of

    def member(x: str) -> str | None:
        return x if label_of[x] == PERSON else None

    for x, a, d in idx.edges[_SUPPORTED_BY]:
        h = hh_of(x)
        if h in households:
            ties[h].append(
                ("agency", _SUPPORTED_BY, a, _intensity_trust(d.get("intensity")), member(x), None)
            )
    for c, hs in idx.case_households.items():
        closed = not idx.case_open(c)
        for a, _ in idx.handlers.get(c, ()):
            for h in hs:
                if h in households:
                    ties[h].append(("agency", _HANDLED_BY, a, "weak" if closed else "strong", None, c))
    for s, x, d in idx.edges[_VISITS]:
        h = hh_of(x)
        if h in households and s != x:
            ties[h].append(("supporter", _VISITS, s, _frequency_trust(d.get("per_month")), member(x), None))
    for p, v, d in idx.edges[_ATTENDS]:
        h = idx.household_of.get(p)
        if h in households:
            ties[h].append(("venue", _ATTENDS, v, _frequency_trust(d.get("per_month")), p, None))
    for p, o, d in idx.edges[_PLACED_IN]:
        h = idx.household_of.get(p)
        status = d.get("status")
        if h in households and status != _DECLINED:
            trust = "unknown" if status is None else "weak" if status in _WEAK_PLACEMENT else "strong"
            ties[h].append(("placement", _PLACED_IN, o, trust, p, None))
    for t in (_KNOWS, _NEIGHBOUR_OF):
        for x, y, d in idx.edges[t]:
            hx, hy = hh_of(x), hh_of(y)
            if x == y or (hx is not None and hx == hy):
                continue  # a tie inside the household (or to itself) reaches no one outside it
            trust = _strength_trust(d.get("strength"))
            if hx in households:
                ties[hx].append(("neighbour", t, y, trust, member(x), None))
            if hy in households:
                ties[hy].append(("neighbour", t, x, trust, member(y), None))
    return ties


def _strength_trust(v: Any) -> str:
    if v is None:
        return "unknown"
    try:
        return TieStrength(str(v)).value
    except ValueError:
        return "unknown"


def _intensity_trust(v: Any) -> str:
    if v is None or isinstance(v, bool):
        return "unknown"
    try:
        return "strong" if float(v) >= 2 else "weak"
    except (TypeError, ValueError):
        return "unknown"


def _frequency_trust(v: Any) -> str:
    if v is None or isinstance(v, bool):
        return "unknown"
    try:
        return "strong" if float(v) >= 1 else "weak"
    except (TypeError, ValueError):
        return "unknown"


_KIND_ORDER = {k: i for i, k in enumerate(TIE_KINDS)}


def _ties_sorted(idx: TownIndex, raw: list[RawTie]) -> tuple[Tie, ...]:
    """Ties in a stable order (kind, relationship, target, member, case), whatever the graph's edge order."""
    ties = [_tie(idx, t) for t in raw]
    ties.sort(
        key=lambda t: (_KIND_ORDER[t.kind], t.rel_type, t.target_id, t.via_member or "", t.case_id or "")
    )
    return tuple(ties)


def _tie(idx: TownIndex, raw: RawTie) -> Tie:
    kind, t, target, trust, via, case = raw
    return Tie(
        kind=kind,
        kind_ja=_kind(kind),
        rel_type=t,
        target_label=idx.label_of[target],
        target_id=idx.ext_id(target),
        weak=trust == "weak",
        via_member=None if via is None else idx.ext_id(via),
        case_id=None if case is None else idx.ext_id(case),
        trust=trust,
        trust_ja=TRUST_JA[trust],
    )


def _int(v: Any, default: int) -> int:
    try:
        return int(v) if v is not None else default
    except (TypeError, ValueError):
        return default


def _float(v: Any, default: float) -> float:
    try:
        return float(v) if v is not None else default
    except (TypeError, ValueError):
        return default


def household_ties(G: nx.Graph) -> dict[str, tuple[Tie, ...]]:
    """The ties of every household (its own and its members'), by household id.

    Parameters
    ----------
    G : networkx graph
        A town projection (nodes ``"Label:id"`` with ``label``/``id``; edges with ``type``).

    Returns
    -------
    dict
        Household id → its ties (empty tuple for a household with none).

    Examples
    --------
    >>> from graphsvc.store.common import build_projection
    >>> G = build_projection(
    ...     [("Household", "H1", {}), ("Person", "P1", {}), ("Venue", "V1", {"name": "サロン"})],
    ...     [("MEMBER_OF", "Person", "P1", "Household", "H1", {}),
    ...      ("ATTENDS", "Person", "P1", "Venue", "V1", {"per_month": 4.0})],
    ... )
    >>> [(t.kind, t.target_id, t.via_member, t.weak) for t in household_ties(G)["H1"]]
    [('venue', 'V1', 'P1', False)]
    """
    idx = index_of(G)
    ties = _collect_ties(idx)
    return {idx.ext_id(h): _ties_sorted(idx, ties.get(h, [])) for h in idx.nodes(_L.HOUSEHOLD)}


def isolated_households(G: nx.Graph) -> list[str]:
    """Ids of the households with no tie to any agency, supporter, venue, neighbour or placement.

    Parameters
    ----------
    G : networkx graph
        A town projection.

    Returns
    -------
    list of str
        Household ids, sorted.

    Examples
    --------
    >>> from graphsvc.store.common import build_projection
    >>> G = build_projection(
    ...     [("Household", "H1", {}), ("Household", "H2", {}), ("Agency", "A1", {"name": "包括"})],
    ...     [("SUPPORTED_BY", "Household", "H2", "Agency", "A1", {"intensity": 2})],
    ... )
    >>> isolated_households(G)
    ['H1']
    """
    return sorted(h for h, t in household_ties(G).items() if not t)


def _flags(raw: object) -> list[HouseholdFlag]:
    items = [raw] if isinstance(raw, str) else list(raw) if isinstance(raw, (list, tuple)) else []
    out: list[HouseholdFlag] = []
    for f in items:
        try:
            flag = HouseholdFlag(str(f))
        except ValueError:
            continue
        if flag not in out:
            out.append(flag)
    return out


def _risk_reasons(idx: TownIndex, h: str, year: int) -> tuple[list[Reason], list[HouseholdFlag]]:
    attrs = idx.attrs[h]
    flags = _flags(attrs.get("flags"))
    members = idx.members.get(h, [])
    mattrs = [idx.attrs[m] for m in members]
    reasons: list[Reason] = []
    present = set(flags)
    if any(bool(m.get("hikikomori")) for m in mattrs):
        present.add(HouseholdFlag.HIKIKOMORI_MEMBER)
    area = idx.area_of(h)
    if area is not None and bool(idx.attrs[area].get("remote")):
        present.add(HouseholdFlag.REMOTE)
    for flag, w in RISK_WEIGHTS.items():
        if flag in present:
            reasons.append(Reason(flag.value, flag.ja, flag.en, w))
    size = attrs.get("size")
    alone = (_int(size, 0) == 1) if size is not None else len(members) == 1
    if alone and members:
        years = [_int(m.get("birth_year"), 0) for m in mattrs]
        years = [y for y in years if y > 0]
        if years:
            age = year - min(years)
            if age >= AGE_ALONE_MIN:
                reasons.append(
                    Reason(
                        "age75_alone",
                        f"{AGE_ALONE_MIN}歳以上の一人暮らし ({age}歳)",
                        f"living alone aged {AGE_ALONE_MIN}+ ({age})",
                        AGE_ALONE_WEIGHT,
                    )
                )
    needy = sum(1 for m in mattrs if bool(m.get("needs_support")))
    if needy:
        reasons.append(
            Reason(
                "needs_support",
                f"要援護者台帳に登載の世帯員 {needy}人",
                f"{needy} member(s) on the register of people needing support",
                NEEDS_SUPPORT_WEIGHT,
            )
        )
    return reasons, flags


@dataclass(frozen=True)
class _Reach:
    """What the chains say of one household."""

    in_cluster: str | None
    hops: int | None


def _gap_reasons(ties: list[RawTie], reach: _Reach | None, k: int) -> tuple[str | None, list[Reason]]:
    """(first gap or None, the gap reasons with their weights; ``unknown_strength`` with weight 0 when every tie is
    weak or unknown and at least one is unknown)."""
    if not ties:
        ja, en = GAPS["isolated"]
        return "isolated", [Reason("isolated", ja, en, GAP_WEIGHTS["isolated"])]
    reasons: list[Reason] = []
    gap: str | None = None

    def add(code: str, ja: str, en: str) -> None:
        nonlocal gap
        reasons.append(Reason(code, ja, en, 0.0 if gap else GAP_WEIGHTS[code]))
        gap = gap or code

    if reach is not None and reach.in_cluster is not None:
        add(
            "cluster",
            f"機関のいない孤立したまとまり ({reach.in_cluster}) の中にいる",
            f"in isolated cluster {reach.in_cluster} (no agency in it)",
        )
    elif reach is not None and (reach.hops is None or reach.hops > k):
        far = "機関への経路が全くない" if reach.hops is None else f"最も近い機関まで{reach.hops}歩"
        add(
            "no_chain",
            f"つながりはあるが{k}歩以内に機関へ届かない ({far})",
            f"ties, but no agency within {k} steps"
            + (" (no chain at all)" if reach.hops is None else f" (nearest {reach.hops} steps away)"),
        )
    kinds: dict[str, int] = defaultdict(int)
    for t in ties:
        kinds[t[0]] += 1
    listing_ja = "、".join(f"{TIE_KINDS[k][0]} {n}件" for k, n in kinds.items())
    listing_en = ", ".join(f"{TIE_KINDS[k][1]} ×{n}" for k, n in kinds.items())
    trusts = {t[3] for t in ties}
    if trusts == {"weak"}:
        add("weak_only", f"つながりは弱いもののみ ({listing_ja})", f"only weak ties ({listing_en})")
    if len(kinds) == 1:
        (kk,) = kinds
        add(
            "single_kind",
            f"つながりは{TIE_KINDS[kk][0]}のみ ({listing_ja})",
            f"ties to {TIE_KINDS[kk][1]} only ({listing_en})",
        )
    if "unknown" in trusts and "strong" not in trusts:
        reasons.append(
            Reason(
                "unknown_strength",
                "つながりの強さは不明 (記録なし: 弱いとは数えていません)",
                "tie strength not recorded (not counted as weak)",
                0.0,
            )
        )
    return gap, reasons


def outreach_list(
    G: nx.Graph,
    *,
    reference_year: int | None = None,
    min_risk: float = 0.0,
    limit: int | None = None,
    k: int = DEFAULT_K,
    reach: ReachabilityResult | None = None,
) -> IsolationResult:
    """The アウトリーチ list: households without ties, without a chain to an agency, with weak ties only or of one
    kind only, by risk.

    Parameters
    ----------
    G : networkx graph
        A town projection.
    reference_year : int, optional
        The year ages are computed in (default: this year).
    k : int
        A household whose nearest agency is more than ``k`` steps away is a ``no_chain`` gap (default 3).
    reach : ReachabilityResult, optional
        The town's :func:`~graphsvc.analysis.reachability.reachability` (computed with ``k`` when None).
    min_risk : float
        Leave out of ``outreach`` the households whose risk weights sum below this (the three id lists keep
        every household).
    limit : int, optional
        Keep the first ``limit`` candidates of the ranked list.

    Returns
    -------
    IsolationResult
        ``isolated``, ``weak_only``, ``single_kind`` (household ids, sorted) and ``outreach``: candidates sorted
        by ``score`` (gap weight + risk weights), highest first, each with its reasons in Japanese and English and
        its ties as evidence.

    Examples
    --------
    >>> from graphsvc.store.common import build_projection
    >>> G = build_projection(
    ...     [("Household", "H1", {"flags": ["single_elderly"], "size": 1}),
    ...      ("Person", "P1", {"birth_year": 1940}),
    ...      ("Household", "H2", {}), ("Household", "H3", {}),
    ...      ("Agency", "A1", {"name": "包括"})],
    ...     [("MEMBER_OF", "Person", "P1", "Household", "H1", {}),
    ...      ("NEIGHBOUR_OF", "Household", "H2", "Household", "H3", {"strength": "strong"}),
    ...      ("SUPPORTED_BY", "Household", "H3", "Agency", "A1", {"intensity": 2})],
    ... )
    >>> r = outreach_list(G, reference_year=2024)
    >>> r.isolated, r.single_kind, r.no_chain
    (('H1',), ('H2',), ())
    >>> top = r.outreach[0]
    >>> top.household_id, top.score
    ('H1', 9.0)
    >>> top.reasons_ja
    '孤立: 機関・支援者・居場所・近所とのつながりがない、高齢単身、75歳以上の一人暮らし (84歳)'
    """
    idx = index_of(G)
    year = reference_year if reference_year is not None else date.today().year
    if reach is None:
        reach = shared_reachability(G, k=k)
    k = reach.k
    ties = _collect_ties(idx)
    lists: dict[str, list[str]] = {g: [] for g in (*GAPS, "unknown_strength")}
    cands: list[OutreachCandidate] = []
    for h in idx.nodes(_L.HOUSEHOLD):
        ht = ties.get(h, [])
        hid = idx.ext_id(h)
        info = reach.household(hid)
        r = None if info is None else _Reach(info[0], info[1])
        gap, gap_reasons = _gap_reasons(ht, r, k)
        codes = {x.code for x in gap_reasons}
        for code in codes:
            if code == "single_kind" and "weak_only" in codes:
                continue  # listed as weak_only (its first tie-based gap), as before
            lists[code].append(hid)
        if gap is None:
            continue
        risk_reasons, flags = _risk_reasons(idx, h, year)
        risk = sum(x.weight for x in risk_reasons)
        if risk < min_risk:
            continue
        chain = reach.chain_of(hid)
        cands.append(
            OutreachCandidate(
                household_id=hid,
                gap=gap,
                gap_ja=GAPS[gap][0],
                score=sum(x.weight for x in gap_reasons) + risk,
                risk=risk,
                reasons=tuple(gap_reasons + risk_reasons),
                ties=_ties_sorted(idx, ht),
                flags=tuple(f.value for f in flags),
                members=len(idx.members.get(h, ())),
                area_id=idx.area_id_of(h),
                agency_hops=None if chain is None else chain.hops,
                chain_ja=None if chain is None else chain.text_ja,
                cluster_id=None if r is None else r.in_cluster,
            )
        )
    order = {g: i for i, g in enumerate(GAPS)}
    cands.sort(key=lambda c: (-c.score, order[c.gap], c.household_id))
    if limit is not None:
        cands = cands[:limit]
    weights: dict[str, float] = {f"gap:{g}": v for g, v in GAP_WEIGHTS.items()}
    weights.update({f"flag:{f.value}": v for f, v in RISK_WEIGHTS.items()})
    weights["age75_alone"] = AGE_ALONE_WEIGHT
    weights["needs_support"] = NEEDS_SUPPORT_WEIGHT
    return IsolationResult(
        households=len(idx.nodes(_L.HOUSEHOLD)),
        isolated=tuple(sorted(lists["isolated"])),
        weak_only=tuple(sorted(lists["weak_only"])),
        single_kind=tuple(sorted(lists["single_kind"])),
        outreach=tuple(cands),
        reference_year=year,
        weights=weights,
        cluster=tuple(sorted(lists["cluster"])),
        no_chain=tuple(sorted(lists["no_chain"])),
        unknown_strength=tuple(sorted(lists["unknown_strength"])),
        unknown_ties=sum(1 for ts in ties.values() for t in ts if t[3] == "unknown"),
        k=k,
    )
