"""Where sectors overlap (重なっている部分がこの事業のターゲット): households whose needs span more sectors than
the agencies that serve them, and the sector-pair matrix of needs.

A household's *need sectors* are the sectors (:attr:`graphsvc.domain.enums.CaseFactor.sector`) of the factors of
its open cases (cases ABOUT the household or a member; closed cases too with ``include_closed``), and, with
``include_flags``, the sectors its flags and members' attributes point to (:data:`FLAG_SECTORS`). Its *served
sectors* are the sectors of the agencies that serve it: SUPPORTED_BY from the household or a member (the
agency's sectors and the relationship's own ``sector``) and HANDLED_BY of its cases. An agency with no readable
sector serves the ``unknown`` bucket, which covers no need, and is reported.

A 多機関協働 candidate is a household whose needs span at least ``min_sectors`` sectors, one or more of them
served by no agency of the household: the *missing sectors* say whom to bring in.

Store-side: the number of households with a case is a plain count (``MATCH (c:Case)-[:ABOUT]->(h) RETURN
count(DISTINCT h)``); the sector comparison needs cases, agencies and members together and runs here.
"""

from __future__ import annotations

import contextlib
from collections import defaultdict
from dataclasses import dataclass

import networkx as nx
import numpy as np

from graphsvc.analysis.common import (
    UNKNOWN_SECTOR,
    Result,
    TownIndex,
    index_of,
    sector_en,
    sector_ja,
)
from graphsvc.domain.enums import CaseFactor, HouseholdFlag, NodeLabel, RelType, Sector

__all__ = [
    "FLAG_SECTORS",
    "OverlapCandidate",
    "OverlapResult",
    "SectorMatrix",
    "SectorNeed",
    "ServingAgency",
    "sector_overlap",
    "sector_pair_matrix",
]

_L = NodeLabel
_R = RelType
SECTORS: tuple[str, ...] = tuple(s.value for s in Sector)

FLAG_SECTORS: dict[str, tuple[Sector, ...]] = {
    HouseholdFlag.SINGLE_ELDERLY.value: (Sector.ELDERLY,),
    HouseholdFlag.ELDERLY_COUPLE.value: (Sector.ELDERLY,),
    HouseholdFlag.EIGHTY_FIFTY.value: (Sector.ELDERLY, Sector.POVERTY),
    HouseholdFlag.HIKIKOMORI_MEMBER.value: (Sector.POVERTY,),
    HouseholdFlag.HOARDING.value: (Sector.ELDERLY,),
    HouseholdFlag.SINGLE_PARENT.value: (Sector.CHILD,),
    HouseholdFlag.DISABILITY_MEMBER.value: (Sector.DISABILITY,),
    HouseholdFlag.YOUNG_CARER.value: (Sector.CHILD,),
    HouseholdFlag.PUBLIC_ASSISTANCE.value: (Sector.POVERTY,),
    "person:disability": (Sector.DISABILITY,),
    "person:hikikomori": (Sector.POVERTY,),
    "person:care_level": (Sector.ELDERLY,),
}
"""With ``include_flags``: the sectors a household flag (or a member's ``disability``, ``hikikomori`` or
``care_level``) points to; the same fields as :attr:`CaseFactor.sector` gives the matching factors."""


@dataclass(frozen=True)
class SectorNeed(Result):
    """One need sector of a household and what puts it there (factors or flags, and the cases)."""

    sector: str
    sector_ja: str
    factors: tuple[str, ...]
    factors_ja: tuple[str, ...]
    case_ids: tuple[str, ...]


@dataclass(frozen=True)
class ServingAgency(Result):
    """An agency serving a household: its sectors and how it serves (``support`` and/or ``case``)."""

    agency_id: str
    name: str | None
    sectors: tuple[str, ...]
    how: tuple[str, ...]


@dataclass(frozen=True)
class OverlapCandidate(Result):
    """A 多機関協働 candidate: needs across sectors, the sectors served, and the sectors no agency covers."""

    _derived = ("reason_ja", "reason_en")

    household_id: str
    need_sectors: tuple[str, ...]
    served_sectors: tuple[str, ...]
    missing_sectors: tuple[str, ...]
    missing_sectors_ja: tuple[str, ...]
    needs: tuple[SectorNeed, ...]
    agencies: tuple[ServingAgency, ...]
    hard_case_ids: tuple[str, ...]
    area_id: str | None

    @property
    def reason_ja(self) -> str:
        # sector labels hold 「・」 themselves (子ども・子育て), so lists are joined with 「、」
        need = "、".join(sector_ja(s) for s in self.need_sectors)
        served = "、".join(sector_ja(s) for s in self.served_sectors if s != UNKNOWN_SECTOR) or "なし"
        return (
            f"課題が{len(self.need_sectors)}分野 ({need}) にまたがるが、支援機関の分野は {served}。"
            f"不足: {'、'.join(self.missing_sectors_ja)}"
        )

    @property
    def reason_en(self) -> str:
        need = ", ".join(sector_en(s) for s in self.need_sectors)
        served = ", ".join(sector_en(s) for s in self.served_sectors if s != UNKNOWN_SECTOR) or "none"
        missing = ", ".join(sector_en(s) for s in self.missing_sectors)
        return f"needs span {len(self.need_sectors)} sectors ({need}); agencies cover {served}; missing: {missing}"


@dataclass(frozen=True)
class SectorMatrix(Result):
    """A symmetric sector × sector count of households (the diagonal: households with a need in the sector)."""

    _derived = ("top_pairs",)

    sectors: tuple[str, ...]
    sectors_ja: tuple[str, ...]
    counts: tuple[tuple[int, ...], ...]

    def as_array(self) -> np.ndarray:
        """The counts as a 2-D integer array, rows and columns in ``sectors`` order."""
        return np.array(self.counts, dtype=np.int64).reshape(len(self.sectors), len(self.sectors))

    def get(self, a: Sector | str, b: Sector | str) -> int:
        """The count of households whose needs span both sectors."""
        i, j = self.sectors.index(Sector(a).value), self.sectors.index(Sector(b).value)
        return self.counts[i][j]

    @property
    def top_pairs(self) -> tuple[tuple[str, int], ...]:
        """Off-diagonal pairs with a count, highest first, labelled in Japanese (``"高齢(介護)×障害"``)."""
        out = [
            (f"{self.sectors_ja[i]}×{self.sectors_ja[j]}", self.counts[i][j])
            for i in range(len(self.sectors))
            for j in range(i + 1, len(self.sectors))
            if self.counts[i][j]
        ]
        out.sort(key=lambda p: -p[1])
        return tuple(out)


@dataclass(frozen=True)
class OverlapResult(Result):
    """多機関協働 candidates, the sector-pair matrices, and the agencies put in the ``unknown`` sector."""

    _derived = ("summary_ja",)

    households_with_needs: int
    candidates: tuple[OverlapCandidate, ...]
    matrix: SectorMatrix
    unmet_matrix: SectorMatrix
    agencies_without_sector: tuple[str, ...]
    min_sectors: int

    @property
    def summary_ja(self) -> str:
        return (
            f"課題のある{self.households_with_needs}世帯のうち、{self.min_sectors}分野以上にまたがり"
            f"担当分野が不足する世帯 {len(self.candidates)}"
        )


def _needs(
    idx: TownIndex, *, include_closed: bool, include_flags: bool
) -> dict[str, dict[str, tuple[list[str], list[str]]]]:
    """household → sector → (factor or flag codes, case keys)."""
    out: dict[str, dict[str, tuple[list[str], list[str]]]] = defaultdict(dict)

    def add(h: str, sector: str, why: str, case: str | None) -> None:
        facs, cases = out[h].setdefault(sector, ([], []))
        if why not in facs:
            facs.append(why)
        if case is not None and case not in cases:
            cases.append(case)

    for c, hs in idx.case_households.items():
        if not include_closed and not idx.case_open(c):
            continue
        for f in idx.case_factors(c):
            for h in hs:
                add(h, f.sector.value, f.value, c)
    if include_flags:
        for h in idx.nodes(_L.HOUSEHOLD):
            raw = idx.attrs[h].get("flags") or []
            for flag in [raw] if isinstance(raw, str) else raw:
                for s in FLAG_SECTORS.get(str(flag), ()):
                    add(h, s.value, str(flag), None)
            for m in idx.members.get(h, ()):
                ma = idx.attrs[m]
                for attr in ("disability", "hikikomori", "care_level"):
                    if ma.get(attr):
                        for s in FLAG_SECTORS[f"person:{attr}"]:
                            add(h, s.value, f"person:{attr}", None)
    return out


def _why_ja(code: str) -> str:
    try:
        return CaseFactor(code).ja
    except ValueError:
        pass
    try:
        return HouseholdFlag(code).ja
    except ValueError:
        pass
    return {
        "person:disability": "障害のある世帯員",
        "person:hikikomori": "ひきこもりの世帯員",
        "person:care_level": "要介護認定",
    }.get(code, code)


_RANK = {s: i for i, s in enumerate((*SECTORS, UNKNOWN_SECTOR))}
_WHY_RANK = {
    code: i
    for i, code in enumerate(
        [
            *(f.value for f in CaseFactor),
            *(f.value for f in HouseholdFlag),
            *(k for k in FLAG_SECTORS if ":" in k),
        ]
    )
}


def _why_rank(code: str) -> tuple[int, str]:
    return _WHY_RANK.get(code, len(_WHY_RANK)), code


def _ordered(sectors: set[str]) -> tuple[str, ...]:
    return tuple(sorted(sectors, key=lambda s: _RANK.get(s, len(_RANK))))


def _matrix(sets: list[set[str]]) -> SectorMatrix:
    n = len(SECTORS)
    pos = {s: i for i, s in enumerate(SECTORS)}
    m = np.zeros((n, n), dtype=np.int64)
    for ss in sets:
        ix = sorted(pos[s] for s in ss if s in pos)
        if ix:
            m[np.ix_(ix, ix)] += 1
    return SectorMatrix(
        sectors=SECTORS,
        sectors_ja=tuple(sector_ja(s) for s in SECTORS),
        counts=tuple(tuple(int(x) for x in row) for row in m),
    )


def sector_pair_matrix(
    G: nx.Graph, *, include_closed: bool = False, include_flags: bool = False
) -> SectorMatrix:
    """Count of households whose needs span each pair of sectors (高齢×障害, 子ども×生活困窮 …).

    Parameters
    ----------
    G : networkx graph
        A town projection.
    include_closed : bool
        Count the factors of closed cases too.
    include_flags : bool
        Count the needs household flags and member attributes point to (:data:`FLAG_SECTORS`).

    Returns
    -------
    SectorMatrix
        Symmetric counts in :class:`~graphsvc.domain.enums.Sector` order; ``as_array()`` gives a numpy array.

    Examples
    --------
    >>> from graphsvc.store.common import build_projection
    >>> G = build_projection(
    ...     [("Household", "H1", {}), ("Case", "C1", {"factors": ["dementia", "disability", "debt"]})],
    ...     [("ABOUT", "Case", "C1", "Household", "H1", {})],
    ... )
    >>> m = sector_pair_matrix(G)
    >>> m.get("elderly", "disability"), m.get("elderly", "child")
    (1, 0)
    >>> m.top_pairs[0]
    ('高齢(介護)×障害', 1)
    """
    idx = index_of(G)
    needs = _needs(idx, include_closed=include_closed, include_flags=include_flags)
    return _matrix([set(v) for v in needs.values()])


def sector_overlap(
    G: nx.Graph,
    *,
    min_sectors: int = 2,
    include_closed: bool = False,
    include_flags: bool = False,
) -> OverlapResult:
    """Households whose needs span more sectors than their agencies cover: 多機関協働 candidates.

    Parameters
    ----------
    G : networkx graph
        A town projection.
    min_sectors : int
        A candidate's needs span at least this many sectors (default 2: an overlap of fields).
    include_closed : bool
        Count closed cases (their factors and their agencies) too.
    include_flags : bool
        Add the needs household flags and member attributes point to (:data:`FLAG_SECTORS`).

    Returns
    -------
    OverlapResult
        ``candidates`` ranked by the number of missing sectors, then of need sectors, then of hard cases; each
        with its need sectors and their factors and cases, the agencies that serve it and the missing sectors.
        ``matrix`` counts households by pair of need sectors; ``unmet_matrix`` the same restricted to pairs with
        at least one of the two sectors unserved.

    Examples
    --------
    >>> from graphsvc.store.common import build_projection
    >>> G = build_projection(
    ...     [("Household", "H1", {}), ("Agency", "A1", {"name": "包括", "sectors": ["elderly"]}),
    ...      ("Case", "C1", {"factors": ["dementia", "debt"], "hard": True})],
    ...     [("ABOUT", "Case", "C1", "Household", "H1", {}),
    ...      ("HANDLED_BY", "Case", "C1", "Agency", "A1", {"lead": True})],
    ... )
    >>> r = sector_overlap(G)
    >>> c = r.candidates[0]
    >>> c.household_id, c.need_sectors, c.missing_sectors
    ('H1', ('elderly', 'poverty'), ('poverty',))
    >>> c.reason_ja
    '課題が2分野 (高齢(介護)、生活困窮) にまたがるが、支援機関の分野は 高齢(介護)。不足: 生活困窮'
    """
    idx = index_of(G)
    needs = _needs(idx, include_closed=include_closed, include_flags=include_flags)
    served = idx.served_by(include_closed=include_closed)
    edge_sectors: dict[tuple[str, str], set[str]] = defaultdict(set)
    for x, a, d in idx.edges[_R.SUPPORTED_BY.value]:
        h = idx.household_keys_of(x)
        s = d.get("sector")
        if h is not None and s is not None:
            with contextlib.suppress(ValueError):
                edge_sectors[(h, a)].add(Sector(str(s)).value)

    cands: list[OverlapCandidate] = []
    for h, by_sector in needs.items():
        need = set(by_sector)
        cover: set[str] = set()
        agencies: list[ServingAgency] = []
        for a, how in sorted(served.get(h, {}).items()):
            secs = set(idx.agency_sectors.get(a, ())) | edge_sectors.get((h, a), set())
            cover |= secs or {UNKNOWN_SECTOR}
            agencies.append(
                ServingAgency(
                    idx.ext_id(a), idx.name(a), _ordered(secs or {UNKNOWN_SECTOR}), tuple(sorted(how))
                )
            )
        missing = need - cover
        if len(need) < min_sectors or not missing:
            continue
        hard = sorted({idx.ext_id(c) for _, cs in by_sector.values() for c in cs if idx.case_hard(c)})
        need_items = tuple(
            SectorNeed(
                sector=s,
                sector_ja=sector_ja(s),
                factors=tuple(sorted(by_sector[s][0], key=_why_rank)),
                factors_ja=tuple(_why_ja(f) for f in sorted(by_sector[s][0], key=_why_rank)),
                case_ids=tuple(sorted(idx.ext_id(c) for c in by_sector[s][1])),
            )
            for s in _ordered(need)
        )
        miss = _ordered(missing)
        cands.append(
            OverlapCandidate(
                household_id=idx.ext_id(h),
                need_sectors=_ordered(need),
                served_sectors=_ordered(cover),
                missing_sectors=miss,
                missing_sectors_ja=tuple(sector_ja(s) for s in miss),
                needs=need_items,
                agencies=tuple(agencies),
                hard_case_ids=tuple(hard),
                area_id=idx.area_id_of(h),
            )
        )
    cands.sort(
        key=lambda c: (-len(c.missing_sectors), -len(c.need_sectors), -len(c.hard_case_ids), c.household_id)
    )
    return OverlapResult(
        households_with_needs=len(needs),
        candidates=tuple(cands),
        matrix=_matrix([set(v) for v in needs.values()]),
        unmet_matrix=_unmet_matrix(needs, served, idx, edge_sectors),
        agencies_without_sector=tuple(sorted(idx.ext_id(a) for a, s in idx.agency_sectors.items() if not s)),
        min_sectors=min_sectors,
    )


def _unmet_matrix(
    needs: dict[str, dict[str, tuple[list[str], list[str]]]],
    served: dict[str, dict[str, set[str]]],
    idx: TownIndex,
    edge_sectors: dict[tuple[str, str], set[str]],
) -> SectorMatrix:
    n = len(SECTORS)
    pos = {s: i for i, s in enumerate(SECTORS)}
    m = np.zeros((n, n), dtype=np.int64)
    for h, by_sector in needs.items():
        cover: set[str] = set()
        for a in served.get(h, {}):
            cover |= set(idx.agency_sectors.get(a, ())) | edge_sectors.get((h, a), set())
        ix = sorted(pos[s] for s in by_sector if s in pos)
        unmet = np.array([SECTORS[i] not in cover for i in ix], dtype=bool)
        if not unmet.any():
            continue
        sub = unmet[:, None] | unmet[None, :]
        m[np.ix_(ix, ix)] += sub.astype(np.int64)
    return SectorMatrix(
        sectors=SECTORS,
        sectors_ja=tuple(sector_ja(s) for s in SECTORS),
        counts=tuple(tuple(int(x) for x in row) for row in m),
    )
