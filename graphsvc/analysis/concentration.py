"""Hard cases landing on one agency (C市: 「特定の支援関係機関に難しい支援事例が集まっている」).

Counts the hard cases (``Case.hard``) each agency handles (HANDLED_BY; open cases only unless ``include_closed``),
over *every* agency (those with none count as zero), and measures their spread with the Gini coefficient
(0: evenly spread, towards 1: all on one agency). An agency is flagged when its share of the hard cases is at
least ``share_threshold`` (with at least ``min_hard_cases`` of them), or when its caseload (the cases it
handles) exceeds its ``caseload_limit``. A case handled by several agencies counts for each, so shares may sum
above 1; ``lead_hard_cases`` counts the cases where the agency is 主担当.

名張市's lesson (複合的な課題はエリアディレクター任せになりがち) is what ``lift`` shows: an agency's share of
hard cases over its share of all cases; well above 1 means hard cases are routed to it.

Store-side: the per-agency counts are a plain aggregation (``MATCH (c:Case {hard: true})-[:HANDLED_BY]->(a:Agency)
RETURN a.id, count(c)``; see :func:`graphsvc.analysis.queries.hard_cases_by_agency`), and only the Gini and the
flags are computed here.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

import networkx as nx
import numpy as np

from graphsvc.analysis.common import Result, index_of, sector_ja
from graphsvc.domain.enums import NodeLabel

__all__ = ["AgencyLoad", "ConcentrationResult", "gini", "hard_case_concentration"]

_L = NodeLabel


def gini(values: Iterable[float] | np.ndarray) -> float:
    """The Gini coefficient of non-negative values (0 when empty or all zero).

    ``G = 2 Σ i·x_(i) / (n Σ x) − (n + 1) / n`` over the values sorted ascending (i = 1 … n); it lies in
    ``[0, (n − 1) / n]``.

    Parameters
    ----------
    values : iterable of float
        Non-negative values (zeros count: an agency with no hard case is part of the population).

    Returns
    -------
    float

    Raises
    ------
    ValueError
        If a value is negative or not finite.

    Examples
    --------
    >>> gini([1, 1, 1, 1])
    0.0
    >>> gini([0, 0, 0, 4])
    0.75
    >>> gini([1, 2, 3, 4])
    0.25
    >>> gini([])
    0.0
    """
    x = np.asarray(list(values) if not isinstance(values, np.ndarray) else values, dtype=float).ravel()
    if x.size == 0:
        return 0.0
    if not np.all(np.isfinite(x)) or np.any(x < 0):
        raise ValueError("gini needs finite, non-negative values")
    total = x.sum()
    if total == 0:
        return 0.0
    x = np.sort(x)
    n = x.size
    i = np.arange(1, n + 1, dtype=float)
    g = float(2.0 * np.dot(i, x) / (n * total) - (n + 1) / n)
    return min(max(g, 0.0), 1.0)


@dataclass(frozen=True)
class AgencyLoad(Result):
    """One agency's hard cases and caseload, with the reasons it is flagged (if it is)."""

    agency_id: str
    name: str | None
    sector: str
    sector_ja: str
    hard_cases: int
    lead_hard_cases: int
    hard_case_ids: tuple[str, ...]
    cases: int
    share: float
    case_share: float
    lift: float | None
    caseload_limit: int | None
    flagged: bool
    reasons_ja: tuple[str, ...]
    reasons_en: tuple[str, ...]


@dataclass(frozen=True)
class ConcentrationResult(Result):
    """How hard cases spread over agencies: per-agency loads, Gini, the top share, the flagged agencies."""

    _derived = ("summary_ja",)

    hard_cases: int
    cases: int
    agencies: tuple[AgencyLoad, ...]
    gini: float
    top_share: float
    top_agency_id: str | None
    flagged: tuple[str, ...]
    share_threshold: float
    agencies_without_sector: tuple[str, ...]

    @property
    def summary_ja(self) -> str:
        if not self.hard_cases or self.top_agency_id is None:
            return "困難事例はありません"
        top = next(a for a in self.agencies if a.agency_id == self.top_agency_id)
        return (
            f"困難事例 {self.hard_cases}件の {self.top_share:.0%} を {top.name or top.agency_id} が担当"
            f" (機関間のジニ係数 {self.gini:.2f}、要注意 {len(self.flagged)}機関)"
        )


def hard_case_concentration(
    G: nx.Graph,
    *,
    share_threshold: float = 0.25,
    min_hard_cases: int = 2,
    include_closed: bool = False,
) -> ConcentrationResult:
    """Agencies holding a disproportionate share of hard cases, and the Gini coefficient over agencies.

    Parameters
    ----------
    G : networkx graph
        A town projection.
    share_threshold : float
        Flag an agency handling at least this share of the hard cases (default 0.25) …
    min_hard_cases : int
        … and at least this many of them (default 2).
    include_closed : bool
        Count closed cases too (default: open cases are the current load).

    Returns
    -------
    ConcentrationResult
        ``agencies`` (every agency, most hard cases first) with their share, lift and flags; ``gini`` over all
        agencies; ``top_share``; ``flagged`` agency ids.

    Examples
    --------
    >>> from graphsvc.store.common import build_projection
    >>> G = build_projection(
    ...     [("Agency", "A1", {"name": "包括", "sectors": ["elderly"], "caseload_limit": 2}),
    ...      ("Agency", "A2", {"name": "基幹", "sectors": ["disability"]})]
    ...     + [("Case", f"C{i}", {"hard": True}) for i in range(3)],
    ...     [("HANDLED_BY", "Case", f"C{i}", "Agency", "A1", {"lead": True}) for i in range(3)],
    ... )
    >>> r = hard_case_concentration(G)
    >>> r.gini, r.top_share, r.flagged
    (0.5, 1.0, ('A1',))
    >>> r.agencies[0].reasons_ja
    ('困難事例の100%を担当 (3件)', '担当ケース 3件が目安 2件を超過')
    """
    idx = index_of(G)
    hard_of: dict[str, list[str]] = defaultdict(list)
    lead_of: dict[str, int] = defaultdict(int)
    cases_of: dict[str, int] = defaultdict(int)
    hard_total: set[str] = set()
    case_total: set[str] = set()
    for c, handlers in idx.handlers.items():
        if not include_closed and not idx.case_open(c):
            continue
        case_total.add(c)
        hard = idx.case_hard(c)
        if hard:
            hard_total.add(c)
        for a in {a for a, _ in handlers}:
            cases_of[a] += 1
            if hard:
                hard_of[a].append(c)
        if hard:
            for a in {a for a, lead in handlers if lead}:
                lead_of[a] += 1
    n_hard, n_cases = len(hard_total), len(case_total)
    loads: list[AgencyLoad] = []
    for a in idx.nodes(_L.AGENCY):
        h = len(hard_of.get(a, ()))
        share = h / n_hard if n_hard else 0.0
        case_share = cases_of.get(a, 0) / n_cases if n_cases else 0.0
        lift = share / case_share if case_share > 0 else None
        raw_limit = idx.attrs[a].get("caseload_limit")
        limit = (
            int(raw_limit)
            if isinstance(raw_limit, (int, float)) and not isinstance(raw_limit, bool)
            else None
        )
        rj: list[str] = []
        re: list[str] = []
        if n_hard and share >= share_threshold and h >= min_hard_cases:
            rj.append(f"困難事例の{share:.0%}を担当 ({h}件)")
            re.append(f"handles {share:.0%} of hard cases ({h})")
        if limit is not None and cases_of.get(a, 0) > limit:
            rj.append(f"担当ケース {cases_of[a]}件が目安 {limit}件を超過")
            re.append(f"caseload {cases_of[a]} exceeds the limit of {limit}")
        s = idx.primary_sector(a)
        loads.append(
            AgencyLoad(
                agency_id=idx.ext_id(a),
                name=idx.name(a),
                sector=s,
                sector_ja=sector_ja(s),
                hard_cases=h,
                lead_hard_cases=lead_of.get(a, 0),
                hard_case_ids=tuple(sorted(idx.ext_id(c) for c in hard_of.get(a, ()))),
                cases=cases_of.get(a, 0),
                share=round(share, 6),
                case_share=round(case_share, 6),
                lift=None if lift is None else round(lift, 6),
                caseload_limit=limit,
                flagged=bool(rj),
                reasons_ja=tuple(rj),
                reasons_en=tuple(re),
            )
        )
    loads.sort(key=lambda x: (-x.hard_cases, -x.cases, x.agency_id))
    top = loads[0] if loads and loads[0].hard_cases else None
    return ConcentrationResult(
        hard_cases=n_hard,
        cases=n_cases,
        agencies=tuple(loads),
        gini=round(gini([x.hard_cases for x in loads]), 6),
        top_share=top.share if top else 0.0,
        top_agency_id=top.agency_id if top else None,
        flagged=tuple(x.agency_id for x in loads if x.flagged),
        share_threshold=share_threshold,
        agencies_without_sector=tuple(sorted(idx.ext_id(a) for a, s in idx.agency_sectors.items() if not s)),
    )
