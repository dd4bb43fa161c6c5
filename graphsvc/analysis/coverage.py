"""Coverage gaps: at-risk households farther than a walk from any venue or participation opportunity with room.

*At-risk* households carry a risk flag (any :class:`~graphsvc.domain.enums.HouseholdFlag`, or the ones given) or
have a member on the 要援護者台帳 (``needs_support``). *Resources* are venues and opportunities with a location
(an opportunity without one takes its host's, through HOSTED_BY; a ``remote`` opportunity is no place to walk to)
and with capacity left (``capacity_available`` > 0; a resource that states no availability counts as open, one
with ``capacity_available`` 0, or a ``capacity_max`` of 0 and no availability, as full).

Distances are great-circle (haversine, mean Earth radius). The nearest resource of every household is found with
a ``scipy.spatial.cKDTree`` over points on the unit sphere: the chord between two points grows with the arc
between them, so the nearest by chord is the nearest by haversine, exactly, at any scale (no projection error
across a long island chain); 100,000 households take well under a second.

Households without coordinates are counted and listed (``no_location``), never dropped; so are resources without
one. Results are per area (IN_AREA, else ``area_id``; households with neither are in the ``unknown`` area).

Privacy: the 地域づくり view should show ``areas`` (aggregates) only; ``far`` lists household ids for
アウトリーチ staff.

Store-side: the at-risk households of an area are a plain filter (``MATCH (h:Household)-[:IN_AREA]->(a {id: $area})
WHERE size(h.flags) > 0``; :func:`graphsvc.analysis.queries.at_risk_household_count`); in Neo4j the distance test
itself can run in Cypher with ``point.distance`` against each resource, but a KD-tree over the whole town is
faster here.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import networkx as nx
import numpy as np
from scipy.spatial import cKDTree

from graphsvc.analysis.common import UNKNOWN_AREA, Result, TownIndex, coord, index_of
from graphsvc.domain.enums import HouseholdFlag, NodeLabel, RelType
from graphsvc.domain.geometry import EARTH_RADIUS_M, haversine_m

__all__ = [
    "EARTH_RADIUS_M",
    "AreaCoverage",
    "CoverageResult",
    "FarHousehold",
    "haversine_m",
    "nearest_distance_m",
    "walking_coverage",
]

_L = NodeLabel
_R = RelType


def _unit(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    la, lo = np.radians(lat), np.radians(lon)
    c = np.cos(la)
    return np.column_stack((c * np.cos(lo), c * np.sin(lo), np.sin(la)))


def nearest_distance_m(points: np.ndarray, targets: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each (lat, lon) row of ``points``, the haversine distance to the nearest row of ``targets`` and its
    index (``inf`` and -1 when there are no targets).

    Examples
    --------
    >>> d, i = nearest_distance_m(np.array([[34.48, 136.84]]), np.array([[34.49, 136.84], [35.0, 136.0]]))
    >>> d.round().tolist(), i.tolist()
    ([1112.0], [0])
    """
    pts = np.asarray(points, dtype=float).reshape(-1, 2)
    tg = np.asarray(targets, dtype=float).reshape(-1, 2)
    if len(pts) == 0 or len(tg) == 0:
        return np.full(len(pts), np.inf), np.full(len(pts), -1, dtype=np.int64)
    tree = cKDTree(_unit(tg[:, 0], tg[:, 1]))
    _, ix = tree.query(_unit(pts[:, 0], pts[:, 1]), k=1)
    ix = np.asarray(ix, dtype=np.int64)
    d = haversine_m(pts[:, 0], pts[:, 1], tg[ix, 0], tg[ix, 1])
    return np.asarray(d, dtype=float), ix


@dataclass(frozen=True)
class FarHousehold(Result):
    """An at-risk household beyond walking distance of any open resource, with the nearest one."""

    _derived = ("reason_ja",)

    household_id: str
    area_id: str | None
    distance_m: float | None
    nearest_label: str | None
    nearest_id: str | None
    nearest_name: str | None
    flags: tuple[str, ...]
    approximate_location: bool

    @property
    def reason_ja(self) -> str:
        if self.distance_m is None:
            return "空きのある居場所・参加先がありません"
        where = self.nearest_name or self.nearest_id
        return f"最寄りの居場所・参加先 ({where}) まで約{self.distance_m:,.0f}m"


@dataclass(frozen=True)
class AreaCoverage(Result):
    """Counts of one area: at-risk households, those beyond walking distance, those without a location."""

    area_id: str
    name: str | None
    at_risk: int
    near: int
    far: int
    no_location: int
    approximate_location: int
    far_share: float | None


@dataclass(frozen=True)
class CoverageResult(Result):
    """Walking coverage of at-risk households, per area, with households without coordinates reported."""

    _derived = ("summary_ja",)

    walking_distance_m: float
    at_risk: int
    near: int
    far: tuple[FarHousehold, ...]
    no_location: tuple[str, ...]
    approximate_location: int
    areas: tuple[AreaCoverage, ...]
    resources: int
    resources_full: tuple[str, ...]
    resources_without_location: tuple[str, ...]

    @property
    def summary_ja(self) -> str:
        return (
            f"要配慮世帯 {self.at_risk}のうち、{self.walking_distance_m:,.0f}m圏内に空きのある居場所・参加先がない"
            f"世帯 {len(self.far)}、位置不明 {len(self.no_location)}"
        )


def _open(attrs: Any) -> bool:
    avail = attrs.get("capacity_available")
    if isinstance(avail, (int, float)) and not isinstance(avail, bool):
        return avail > 0
    mx = attrs.get("capacity_max")
    return not (isinstance(mx, (int, float)) and not isinstance(mx, bool) and mx <= 0)


def _resources(
    idx: TownIndex, labels: Iterable[str], require_capacity: bool
) -> tuple[list[str], list[tuple[float, float]], list[str], list[str]]:
    host_of: dict[str, str] = {}
    for o, h, _ in idx.edges[_R.HOSTED_BY.value]:
        host_of.setdefault(o, h)
    keys: list[str] = []
    pts: list[tuple[float, float]] = []
    full: list[str] = []
    nowhere: list[str] = []
    for label in labels:
        for r in idx.by_label.get(label, ()):
            a = idx.attrs[r]
            if label == _L.OPPORTUNITY.value and bool(a.get("remote")):
                continue
            if require_capacity and not _open(a):
                full.append(r)
                continue
            p = coord(a)
            if p is None and r in host_of:
                p = coord(idx.attrs[host_of[r]])
            if p is None:
                nowhere.append(r)
                continue
            keys.append(r)
            pts.append(p)
    return keys, pts, full, nowhere


def walking_coverage(
    G: nx.Graph,
    *,
    walking_distance_m: float = 800.0,
    flags: Iterable[HouseholdFlag | str] | None = None,
    include_needs_support: bool = True,
    resource_labels: Iterable[NodeLabel | str] = (NodeLabel.VENUE, NodeLabel.OPPORTUNITY),
    require_capacity: bool = True,
) -> CoverageResult:
    """At-risk households farther than ``walking_distance_m`` from any venue or opportunity with room, per area.

    Parameters
    ----------
    G : networkx graph
        A town projection.
    walking_distance_m : float
        The walking distance in metres (default 800 m, about 10 minutes at an older person's pace).
    flags : iterable of HouseholdFlag, optional
        The flags that make a household at risk (default: any flag).
    include_needs_support : bool
        A member on the 要援護者台帳 (``needs_support``) also makes the household at risk.
    resource_labels : iterable of NodeLabel
        What counts as a place to go (default venues and opportunities).
    require_capacity : bool
        Leave out resources with no capacity left.

    Returns
    -------
    CoverageResult
        ``far`` households (farthest first) with the distance to the nearest resource; ``no_location`` ids;
        ``areas`` with the counts of each area (most far households first).

    Examples
    --------
    >>> from graphsvc.store.common import build_projection
    >>> G = build_projection(
    ...     [("Household", "H1", {"flags": ["single_elderly"], "lat": 34.4800, "lon": 136.8400}),
    ...      ("Household", "H2", {"flags": ["single_elderly"], "lat": 34.5000, "lon": 136.8400}),
    ...      ("Household", "H3", {"flags": ["hoarding"]}),
    ...      ("Venue", "V1", {"name": "サロン", "lat": 34.4810, "lon": 136.8400, "capacity_max": 10})],
    ...     [],
    ... )
    >>> r = walking_coverage(G)
    >>> [(f.household_id, round(f.distance_m)) for f in r.far], r.no_location, r.near
    ([('H2', 2113)], ('H3',), 1)
    >>> r.far[0].reason_ja
    '最寄りの居場所・参加先 (サロン) まで約2,113m'
    """
    idx = index_of(G)
    wanted: set[str] | None = None if flags is None else {HouseholdFlag(f).value for f in flags}
    labels = [NodeLabel(x).value for x in resource_labels]
    keys, pts, full, nowhere = _resources(idx, labels, require_capacity)

    at_risk: list[str] = []
    for h in idx.nodes(_L.HOUSEHOLD):
        a = idx.attrs[h]
        hf = a.get("flags") or []
        hf = [hf] if isinstance(hf, str) else hf
        risky = bool(hf) if wanted is None else any(str(f) in wanted for f in hf)
        if not risky and include_needs_support:
            risky = any(bool(idx.attrs[m].get("needs_support")) for m in idx.members.get(h, ()))
        if risky:
            at_risk.append(h)

    located: list[str] = []
    coords: list[tuple[float, float]] = []
    no_loc: list[str] = []
    for h in at_risk:
        p = coord(idx.attrs[h])
        if p is None:
            no_loc.append(h)
        else:
            located.append(h)
            coords.append(p)
    dist, near_ix = nearest_distance_m(
        np.array(coords, dtype=float).reshape(-1, 2), np.array(pts, dtype=float).reshape(-1, 2)
    )
    is_far = dist > walking_distance_m

    area_key: dict[str, str] = {}
    area_name: dict[str, str | None] = {}
    for h in at_risk:
        ak = idx.area_of(h)
        aid = idx.area_id_of(h) or UNKNOWN_AREA
        area_key[h] = aid
        if aid not in area_name:
            area_name[aid] = idx.name(ak) if ak is not None else ("地区不明" if aid == UNKNOWN_AREA else None)

    counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for h in at_risk:
        counts[area_key[h]]["at_risk"] += 1
    for h in no_loc:
        counts[area_key[h]]["no_location"] += 1
    far: list[FarHousehold] = []
    approx = 0
    for i, h in enumerate(located):
        a = idx.attrs[h]
        ap = bool(a.get("location_approximate", False))
        approx += ap
        c = counts[area_key[h]]
        c["approximate_location"] += ap
        if not is_far[i]:
            c["near"] += 1
            continue
        c["far"] += 1
        d = float(dist[i])
        r = keys[int(near_ix[i])] if near_ix[i] >= 0 else None
        hf = a.get("flags") or []
        far.append(
            FarHousehold(
                household_id=idx.ext_id(h),
                area_id=None if area_key[h] == UNKNOWN_AREA else area_key[h],
                distance_m=round(d, 1) if math.isfinite(d) else None,
                nearest_label=idx.label_of[r] if r else None,
                nearest_id=idx.ext_id(r) if r else None,
                nearest_name=idx.name(r) if r else None,
                flags=tuple(str(f) for f in ([hf] if isinstance(hf, str) else hf)),
                approximate_location=ap,
            )
        )
    far.sort(key=lambda f: (-(f.distance_m if f.distance_m is not None else math.inf), f.household_id))
    areas = [
        AreaCoverage(
            area_id=aid,
            name=area_name.get(aid),
            at_risk=c["at_risk"],
            near=c["near"],
            far=c["far"],
            no_location=c["no_location"],
            approximate_location=c["approximate_location"],
            far_share=round(c["far"] / (c["far"] + c["near"]), 6) if c["far"] + c["near"] else None,
        )
        for aid, c in counts.items()
    ]
    areas.sort(key=lambda x: (-x.far, -x.no_location, x.area_id))
    return CoverageResult(
        walking_distance_m=float(walking_distance_m),
        at_risk=len(at_risk),
        near=int((~is_far).sum()),
        far=tuple(far),
        no_location=tuple(sorted(idx.ext_id(h) for h in no_loc)),
        approximate_location=int(approx),
        areas=tuple(areas),
        resources=len(keys),
        resources_full=tuple(sorted(idx.ext_id(r) for r in full)),
        resources_without_location=tuple(sorted(idx.ext_id(r) for r in nowhere)),
    )
