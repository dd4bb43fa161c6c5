"""What the resource map and the report draw, read once from a town projection and its :class:`GapReport`.

Households leave this module only as counts per mesh cell (cells under the suppression threshold dropped) and
per area: no household id or point is kept on :class:`MapData`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import networkx as nx

from graphsvc.analysis import GapReport
from graphsvc.analysis.common import TownIndex, coord, index_of, sector_ja
from graphsvc.analysis.missing_links import collaboration_levels
from graphsvc.domain.enums import (
    AgencyKind,
    AreaKind,
    CollaborationLevel,
    NodeLabel,
    OpportunityKind,
    RelType,
    Sector,
    VenueKind,
)
from graphsvc.maps.geo import (
    MIN_CELL_COUNT,
    CellAggregate,
    Outline,
    Ring,
    aggregate_cells,
    area_outlines,
    town_outline,
)

__all__ = [
    "RESOURCE_KINDS",
    "AreaShape",
    "CollabLine",
    "MapData",
    "NetworkAgency",
    "NetworkLine",
    "Resource",
    "collect_map_data",
    "coord",
]

RESOURCE_KINDS: dict[str, str] = {
    NodeLabel.AGENCY.value: "支援関係機関",
    NodeLabel.VENUE.value: "居場所・通いの場",
    NodeLabel.EMPLOYER.value: "企業・事業所",
    NodeLabel.OPPORTUNITY.value: "参加メニュー (空きあり)",
}
"""Resource labels drawn on the map, in layer order, with their Japanese layer names."""


@dataclass(frozen=True)
class Resource:
    """A place on the map: an agency, venue, employer or opportunity with a location."""

    label: str
    id: str
    name: str
    kind_ja: str
    sectors: tuple[str, ...]
    lat: float
    lon: float
    area_name: str | None
    capacity_ja: str | None
    approximate: bool
    host_name: str | None = None

    @property
    def sectors_ja(self) -> str:
        return "、".join(sector_ja(s) for s in self.sectors) if self.sectors else "分野不明"


@dataclass(frozen=True)
class CollabLine:
    """A COLLABORATES_WITH pair (highest level either way) between two located agencies."""

    a: Resource
    b: Resource
    level: str
    level_ja: str
    rank: int


@dataclass(frozen=True)
class NetworkAgency:
    """A located agency as the agency-network layer draws it."""

    resource: Resource
    component_id: str
    main: bool
    articulation: bool
    cut_reason_ja: str | None


@dataclass(frozen=True)
class NetworkLine:
    """A collaboration between two located agencies, and whether its loss splits the network (a bridge)."""

    a: Resource
    b: Resource
    level_ja: str
    bridge: bool
    reason_ja: str | None


@dataclass(frozen=True)
class AreaShape:
    """An area with its estimated outline and coverage counts (counts under the threshold hidden)."""

    area_id: str
    name: str
    polygons: list[list[Ring]]
    at_risk: int
    far: int
    far_share: float | None
    remote: bool


@dataclass
class MapData:
    """Everything the map draws, households only in aggregate."""

    town: str
    town_name: str
    resources: list[Resource]
    resources_without_location: list[tuple[str, str, str]]
    opportunities_full: int
    opportunities_remote: int
    collab: list[CollabLine]
    outline: Outline
    areas: list[AreaShape]
    households: int
    households_without_location: int
    isolated_cells: CellAggregate
    outreach_cells: CellAggregate
    far_cells: CellAggregate
    agencies_without_sector: list[str]
    min_cell_count: int = MIN_CELL_COUNT
    notes: list[str] = field(default_factory=list)
    cluster_cells: CellAggregate = field(default_factory=lambda: aggregate_cells([]))
    network_agencies: list[NetworkAgency] = field(default_factory=list)
    network_lines: list[NetworkLine] = field(default_factory=list)
    network_unlocated: int = 0
    clusters: int = 0

    @property
    def empty(self) -> bool:
        return not self.resources and not self.households and not self.areas

    def bounds(self) -> tuple[tuple[float, float], tuple[float, float]] | None:
        """((south, west), (north, east)) of the town's outline (of the resources when there is none), or None
        with nothing located. Resources outside the town (a prefectural centre) do not widen the view."""
        lats: list[float] = []
        lons: list[float] = []
        for poly in self.outline.polygons:
            for lon, lat in poly[0]:
                lats.append(lat)
                lons.append(lon)
        if not lats:
            lats = [r.lat for r in self.resources]
            lons = [r.lon for r in self.resources]
        if not lats:
            return None
        return (min(lats), min(lons)), (max(lats), max(lons))


def _kind_ja(label: str, attrs: Mapping[str, Any]) -> str:
    kind = attrs.get("kind")
    enum: Any = {
        NodeLabel.AGENCY.value: AgencyKind,
        NodeLabel.VENUE.value: VenueKind,
        NodeLabel.OPPORTUNITY.value: OpportunityKind,
    }.get(label)
    if enum is not None and kind is not None:
        try:
            return str(enum(str(kind)).ja)
        except ValueError:
            return str(kind)
    if label == NodeLabel.EMPLOYER.value:
        ind = attrs.get("industry")
        return f"企業・事業所 ({ind})" if ind else "企業・事業所"
    return NodeLabel(label).ja


def _sectors(raw: object) -> tuple[str, ...]:
    items = [raw] if isinstance(raw, str) else list(raw) if isinstance(raw, (list, tuple)) else []
    out: list[str] = []
    for it in items:
        try:
            s = Sector(str(it)).value
        except ValueError:
            continue
        if s not in out:
            out.append(s)
    return tuple(out)


def _capacity_ja(attrs: Mapping[str, Any]) -> str | None:
    mx, av = attrs.get("capacity_max"), attrs.get("capacity_available")
    if mx is None and av is None:
        return None
    parts = []
    if isinstance(mx, int):
        parts.append(f"定員 {mx}")
    if isinstance(av, int):
        parts.append(f"空き {av}")
    return "・".join(parts) or None


def _open(attrs: Mapping[str, Any]) -> bool:
    av = attrs.get("capacity_available")
    if isinstance(av, (int, float)) and not isinstance(av, bool):
        return av > 0
    mx = attrs.get("capacity_max")
    return not (isinstance(mx, (int, float)) and not isinstance(mx, bool) and mx <= 0)


def _centre(attrs: Mapping[str, Any]) -> tuple[float, float] | None:
    raw = attrs.get("centre_json")
    if isinstance(raw, str):
        try:
            c = json.loads(raw)
        except ValueError:
            return None
        if isinstance(c, dict):
            return coord(c)
    return coord(attrs)


def _hh_points(idx: TownIndex, ids: Any) -> list[tuple[float, float]]:
    pts = []
    for hid in ids:
        p = coord(idx.attrs.get(f"{NodeLabel.HOUSEHOLD.value}:{hid}", {}))
        if p is not None:
            pts.append(p)
    return pts


def collect_map_data(G: nx.Graph, analysis: GapReport, *, town: str) -> MapData:
    """Read the resources, the outline, the areas and the household aggregates of a town projection."""
    idx = index_of(G)
    areas_attrs = {k: idx.attrs[k] for k in idx.nodes(NodeLabel.AREA)}
    municipality = next(
        (a for a in areas_attrs.values() if a.get("kind") == AreaKind.MUNICIPALITY.value and a.get("name")),
        None,
    )
    town_name = str(municipality["name"]) if municipality else town
    area_name = {
        str(a.get("id", k.split(":", 1)[1])): str(a.get("name") or "") for k, a in areas_attrs.items()
    }

    host_of: dict[str, str] = {}
    for o, h, _ in idx.edges[RelType.HOSTED_BY.value]:
        host_of.setdefault(o, h)

    resources: list[Resource] = []
    by_key: dict[str, Resource] = {}
    nowhere: list[tuple[str, str, str]] = []
    full = remote = 0
    for label in RESOURCE_KINDS:
        for key in idx.by_label.get(label, ()):
            a = idx.attrs[key]
            name = idx.name(key) or idx.ext_id(key)
            host = host_of.get(key)
            if label == NodeLabel.OPPORTUNITY.value:
                if bool(a.get("remote")):
                    remote += 1
                    continue
                if not _open(a):
                    full += 1
                    continue
            p = coord(a)
            approx = bool(a.get("location_approximate", False))
            if p is None and host is not None:
                p = coord(idx.attrs[host])
                approx = approx or bool(idx.attrs[host].get("location_approximate", False))
            if p is None:
                nowhere.append((label, idx.ext_id(key), name))
                continue
            aid = a.get("area_id")
            r = Resource(
                label=label,
                id=idx.ext_id(key),
                name=name,
                kind_ja=_kind_ja(label, a),
                sectors=idx.agency_sectors.get(key, ())
                if label == NodeLabel.AGENCY.value
                else _sectors(a.get("sectors")),
                lat=p[0],
                lon=p[1],
                area_name=area_name.get(str(aid)) if aid is not None else None,
                capacity_ja=_capacity_ja(a),
                approximate=approx,
                host_name=(idx.name(host) if host is not None else None),
            )
            resources.append(r)
            by_key[r.label + ":" + r.id] = r

    collab: list[CollabLine] = []
    for (id_a, id_b), lv in sorted(collaboration_levels(G).items()):
        ra = by_key.get(f"{NodeLabel.AGENCY.value}:{id_a}")
        rb = by_key.get(f"{NodeLabel.AGENCY.value}:{id_b}")
        if ra is not None and rb is not None:
            collab.append(CollabLine(ra, rb, lv.value, lv.ja, lv.rank))

    # the outline: seeded by resources and area centres; households only vote on the JMA code
    centres = [(c, k) for k, a in areas_attrs.items() if (c := _centre(a)) is not None]
    hh_keys = idx.nodes(NodeLabel.HOUSEHOLD)
    hh_pts: list[tuple[float, float]] = []
    hh_area: list[tuple[float, float, str]] = []
    no_loc = 0
    for h in hh_keys:
        p = coord(idx.attrs[h])
        if p is None:
            no_loc += 1
            continue
        hh_pts.append(p)
        aid = idx.area_id_of(h)
        if aid is not None:
            hh_area.append((p[0], p[1], aid))
    seeds = [(r.lat, r.lon) for r in resources] + [
        c for c, k in centres if areas_attrs[k].get("kind") != AreaKind.MUNICIPALITY.value
    ]
    if not seeds:
        seeds = [c for c, _ in centres]
    outline = town_outline(
        seeds=seeds,
        voters=hh_pts,
        municipality_code=str(municipality["code"]) if municipality and municipality.get("code") else None,
    )
    shapes = area_outlines(
        outline,
        household_areas=hh_area,
        area_centres=[
            (c[0], c[1], idx.ext_id(k))
            for c, k in centres
            if areas_attrs[k].get("kind") != AreaKind.MUNICIPALITY.value
        ],
    )
    cov = {ac.area_id: ac for ac in analysis.coverage.areas}
    areas: list[AreaShape] = []
    for aid, polys in shapes.items():
        ac = cov.get(aid)
        k = f"{NodeLabel.AREA.value}:{aid}"
        areas.append(
            AreaShape(
                area_id=aid,
                name=area_name.get(aid) or aid,
                polygons=polys,
                at_risk=ac.at_risk if ac else 0,
                far=ac.far if ac else 0,
                far_share=ac.far_share if ac else None,
                remote=bool(idx.attrs[k].get("remote")) if k in idx.attrs else False,
            )
        )

    net = analysis.agency_network
    cuts = {c.agency.agency_id: c.reason_ja for c in net.articulation_points}
    bridges = {frozenset((b.a.agency_id, b.b.agency_id)): b.reason_ja for b in net.bridges}
    network_agencies: list[NetworkAgency] = []
    unlocated = 0
    for comp in net.components:
        for ag in comp.agencies:
            res = by_key.get(f"{NodeLabel.AGENCY.value}:{ag.agency_id}")
            if res is None:
                unlocated += 1
                continue
            network_agencies.append(
                NetworkAgency(res, comp.component_id, comp.main, ag.agency_id in cuts, cuts.get(ag.agency_id))
            )
    floor = CollaborationLevel(net.min_level).rank
    network_lines: list[NetworkLine] = []
    for (id_a, id_b), lv in sorted(collaboration_levels(G).items()):
        ra = by_key.get(f"{NodeLabel.AGENCY.value}:{id_a}")
        rb = by_key.get(f"{NodeLabel.AGENCY.value}:{id_b}")
        if ra is None or rb is None or lv.rank < floor:
            continue
        pair = frozenset((id_a, id_b))
        network_lines.append(NetworkLine(ra, rb, lv.ja, pair in bridges, bridges.get(pair)))
    cluster_ids = [h for c in analysis.reachability.clusters for h in c.household_ids]

    iso = analysis.isolation
    return MapData(
        town=town,
        town_name=town_name,
        resources=resources,
        resources_without_location=nowhere,
        opportunities_full=full,
        opportunities_remote=remote,
        collab=collab,
        outline=outline,
        areas=areas,
        households=len(hh_keys),
        households_without_location=no_loc,
        isolated_cells=aggregate_cells(_hh_points(idx, iso.isolated)),
        outreach_cells=aggregate_cells(_hh_points(idx, (c.household_id for c in iso.outreach))),
        far_cells=aggregate_cells(_hh_points(idx, (f.household_id for f in analysis.coverage.far))),
        agencies_without_sector=[
            idx.name(a) or idx.ext_id(a) for a, s in idx.agency_sectors.items() if not s
        ],
        cluster_cells=aggregate_cells(_hh_points(idx, cluster_ids)),
        network_agencies=network_agencies,
        network_lines=network_lines,
        network_unlocated=unlocated,
        clusters=len(analysis.reachability.clusters),
    )
