"""Geography for maps: JIS 地域メッシュ cells, the estimated outline of a town and of its areas, and the
aggregation of household points into cells with small counts suppressed.

There is no municipal boundary dataset in the repository. The outline of a town is *estimated* on a grid of
4分の1地域メッシュ cells (7.5″ × 11.25″, about 230 m × 290 m): a cell belongs to the town when its centre lies
in the town's polygon of the Japan Meteorological Agency's forecast areas, which the ``reversejp`` package can
test point by point (出典：気象庁) but does not hand out as polygons; the cells are found by a flood fill from the
town's own points (resources and area centres; households only vote on the town's code). When the town has no
JMA code (a synthetic town, or ``reversejp`` missing), the outline is the convex hull of all located points,
buffered by :data:`HULL_BUFFER_KM`. Either way the result is labelled 「町域の概形 (推定)」.

Area outlines are the same cells, each given to the area of the nearest located household (else the nearest area
centre): an estimate too, good enough to shade areas by a share.

Households are only ever shown as counts per 2分の1地域メッシュ (15″ × 22.5″, about 460 m × 570 m, JIS X 0410);
cells with fewer than :data:`MIN_CELL_COUNT` households are dropped before anything is drawn.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from graphsvc.domain.geometry import KM_PER_DEG_LAT, km_per_deg_lon

__all__ = [
    "HALF_MESH",
    "HULL_BUFFER_KM",
    "MIN_CELL_COUNT",
    "QUARTER_MESH",
    "CellAggregate",
    "MeshCell",
    "Outline",
    "aggregate_cells",
    "area_outlines",
    "jma_code",
    "mesh_code",
    "rings_of_cells",
    "town_outline",
]

MIN_CELL_COUNT = 5
"""Cells (and area counts) with fewer households than this are suppressed."""
HULL_BUFFER_KM = 1.0
HULL_MAX_RADIUS_KM = 40.0  # points farther from the median point are not the town (see _hull_cells)
"""The buffer around the convex hull when no JMA polygon is known."""

# cells per degree (latitude, longitude) of the JIS meshes
HALF_MESH = (240, 160)
"""2分の1地域メッシュ: 15″ latitude × 22.5″ longitude."""
QUARTER_MESH = (480, 320)
"""4分の1地域メッシュ: 7.5″ latitude × 11.25″ longitude."""

Cell = tuple[int, int]
"""A cell as (row, column) indices: latitude × cells per degree, longitude × cells per degree, floored."""
Ring = list[tuple[float, float]]
"""A closed ring of (lon, lat) positions (GeoJSON order), first point repeated at the end."""


def cell_of(lat: float, lon: float, per_deg: tuple[int, int] = HALF_MESH) -> Cell:
    """The mesh cell containing a point."""
    return math.floor(lat * per_deg[0]), math.floor(lon * per_deg[1])


def cell_bounds(cell: Cell, per_deg: tuple[int, int] = HALF_MESH) -> tuple[float, float, float, float]:
    """(south, west, north, east) of a cell in degrees."""
    i, j = cell
    return i / per_deg[0], j / per_deg[1], (i + 1) / per_deg[0], (j + 1) / per_deg[1]


def mesh_code(lat: float, lon: float) -> str:
    """The 2分の1地域メッシュ code (JIS X 0410, 9 digits) of a point.

    Examples
    --------
    >>> mesh_code(35.6895, 139.6917)  # 東京都庁
    '533945253'
    """
    i, j = cell_of(lat, lon, HALF_MESH)
    p, r1 = divmod(i, 160)  # 1次メッシュ 40′ = 160 half cells
    q, r2 = divmod(r1, 20)  # 2次メッシュ 5′
    r, hb = divmod(r2, 2)  # 3次メッシュ 30″
    u, s1 = divmod(j, 160)  # 1° = 160 half cells
    v, s2 = divmod(s1, 20)  # 7.5′
    w, hl = divmod(s2, 2)  # 45″
    return f"{p:02d}{u - 100:02d}{q}{v}{r}{w}{1 + hl + 2 * hb}"


# ---------------------------------------------------------------- aggregation with suppression


@dataclass(frozen=True)
class MeshCell:
    """A 2分の1地域メッシュ cell with a household count (never fewer than the suppression threshold)."""

    code: str
    south: float
    west: float
    north: float
    east: float
    count: int


@dataclass(frozen=True)
class CellAggregate:
    """Households counted per cell: the cells drawn, and what was suppressed (only as totals)."""

    cells: tuple[MeshCell, ...]
    suppressed_cells: int
    suppressed_households: int
    total: int
    min_count: int

    @property
    def shown(self) -> int:
        return sum(c.count for c in self.cells)


def aggregate_cells(
    points: Iterable[tuple[float, float]], *, min_count: int = MIN_CELL_COUNT
) -> CellAggregate:
    """Count (lat, lon) points per 2分の1地域メッシュ; cells under ``min_count`` are left out.

    Examples
    --------
    >>> agg = aggregate_cells([(34.4801, 136.8401)] * 5 + [(34.52, 136.87)] * 2)
    >>> [(c.code, c.count) for c in agg.cells], agg.suppressed_cells, agg.suppressed_households
    ([('513656773', 5)], 1, 2)
    """
    counts: Counter[Cell] = Counter(cell_of(lat, lon) for lat, lon in points)
    cells: list[MeshCell] = []
    sup_c = sup_h = 0
    for cell, n in sorted(counts.items()):
        if n < min_count:
            sup_c += 1
            sup_h += n
            continue
        s, w, nn, e = cell_bounds(cell)
        cells.append(MeshCell(mesh_code(s + 1e-9, w + 1e-9), s, w, nn, e, n))
    return CellAggregate(tuple(cells), sup_c, sup_h, sum(counts.values()), min_count)


# ---------------------------------------------------------------- outlines from cells


def rings_of_cells(cells: Iterable[Cell], per_deg: tuple[int, int] = QUARTER_MESH) -> list[list[Ring]]:
    """The outline of a set of cells as GeoJSON MultiPolygon coordinates (polygons of rings, holes included).

    Examples
    --------
    >>> polys = rings_of_cells({(0, 0), (0, 1), (1, 0), (1, 1)}, per_deg=(1, 1))
    >>> len(polys), len(polys[0][0])  # one square of four cells: 4 corners + the closing point
    (1, 5)
    """
    cellset = set(cells)
    if not cellset:
        return []
    # directed boundary edges, counter-clockwise around each cell in (x = column, y = row)
    out_edges: dict[tuple[int, int], list[tuple[int, int]]] = defaultdict(list)
    for i, j in cellset:
        corners = [(j, i), (j + 1, i), (j + 1, i + 1), (j, i + 1)]
        neighbours = [(i - 1, j), (i, j + 1), (i + 1, j), (i, j - 1)]  # below, right, above, left
        for k in range(4):
            if neighbours[k] not in cellset:
                out_edges[corners[k]].append(corners[(k + 1) % 4])
    rings: list[list[tuple[int, int]]] = []
    while out_edges:
        start = next(iter(out_edges))
        ring = [start]
        prev = start
        cur = _take(out_edges, start, None)
        while cur != start:
            ring.append(cur)
            nxt = _take(out_edges, cur, (cur[0] - prev[0], cur[1] - prev[1]))
            prev, cur = cur, nxt
        rings.append(_simplify(ring))
    outers: list[list[tuple[int, int]]] = []
    holes: list[list[tuple[int, int]]] = []
    for r in rings:
        (outers if _signed_area(r) > 0 else holes).append(r)
    polys: list[list[list[tuple[int, int]]]] = [[o] for o in outers]
    for h in holes:
        for poly in sorted(polys, key=lambda p: abs(_signed_area(p[0]))):
            if _inside(h[0], poly[0]) or _inside(_mid(h), poly[0]):
                poly.append(h)
                break
    return [[_to_lonlat(r, per_deg) for r in poly] for poly in polys]


def _take(
    out_edges: dict[tuple[int, int], list[tuple[int, int]]],
    at: tuple[int, int],
    heading: tuple[int, int] | None,
) -> tuple[int, int]:
    """Pop the outgoing edge at a vertex; where two leave it (cells touching at a corner), turn left."""
    options = out_edges[at]
    pick = 0
    if heading is not None and len(options) > 1:
        hx, hy = heading
        for n, (x, y) in enumerate(options):
            dx, dy = x - at[0], y - at[1]
            if hx * dy - hy * dx > 0:  # a left turn keeps the cells of a ring together
                pick = n
                break
    nxt = options.pop(pick)
    if not options:
        del out_edges[at]
    return nxt


def _simplify(ring: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Drop vertices in the middle of straight runs."""
    n = len(ring)
    out = []
    for k in range(n):
        a, b, c = ring[k - 1], ring[k], ring[(k + 1) % n]
        if (b[0] - a[0]) * (c[1] - b[1]) - (b[1] - a[1]) * (c[0] - b[0]) != 0:
            out.append(b)
    return out or ring


def _signed_area(ring: Sequence[tuple[float, float]]) -> float:
    return 0.5 * sum(
        ring[k][0] * ring[(k + 1) % len(ring)][1] - ring[(k + 1) % len(ring)][0] * ring[k][1]
        for k in range(len(ring))
    )


def _mid(ring: Sequence[tuple[float, float]]) -> tuple[float, float]:
    return (ring[0][0] + ring[1][0]) / 2, (ring[0][1] + ring[1][1]) / 2


def _inside(pt: tuple[float, float], ring: Sequence[tuple[float, float]]) -> bool:
    x, y = pt[0] + 0.25, pt[1] + 0.25  # off the grid lines, so no point lies on an edge
    inside = False
    n = len(ring)
    for k in range(n):
        (x1, y1), (x2, y2) = ring[k], ring[(k + 1) % n]
        if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
            inside = not inside
    return inside


def _to_lonlat(ring: list[tuple[int, int]], per_deg: tuple[int, int]) -> Ring:
    pts = [(round(x / per_deg[1], 6), round(y / per_deg[0], 6)) for x, y in ring]
    return [*pts, pts[0]]


# ---------------------------------------------------------------- the town outline


@dataclass(frozen=True)
class Outline:
    """The estimated outline of a town: its cells, their polygons, and how it was made (in Japanese)."""

    cells: frozenset[Cell]
    polygons: list[list[Ring]]
    method: str
    method_ja: str
    jma_code: str | None

    @property
    def geojson(self) -> dict[str, object]:
        return {
            "type": "FeatureCollection",
            "features": [
                {
                    "type": "Feature",
                    "properties": {"name": "町域の概形 (推定)", "method": self.method_ja},
                    "geometry": {"type": "MultiPolygon", "coordinates": self.polygons},
                }
            ]
            if self.polygons
            else [],
        }


def jma_code(municipality_code: str | None) -> str | None:
    """The 7-digit JMA code of a 全国地方公共団体コード (5 digits, or 6 with the check digit).

    >>> jma_code("242110"), jma_code("24211"), jma_code(None)
    ('2421100', '2421100', None)
    """
    if not municipality_code:
        return None
    digits = "".join(ch for ch in str(municipality_code) if ch.isdigit())
    return digits[:5] + "00" if len(digits) in (5, 6) else None


def _codes_at(lat: float, lon: float) -> set[str]:
    try:
        import reversejp
    except ImportError:  # pragma: no cover - reversejp is a dependency
        return set()
    return {str(p.code) for p in reversejp.find_properties(lon, lat) if len(str(p.code)) == 7}


def _vote_code(points: Sequence[tuple[float, float]], sample: int = 200) -> str | None:
    if not points:
        return None
    step = max(1, len(points) // sample)
    votes: Counter[str] = Counter()
    n = 0
    for lat, lon in points[::step]:
        n += 1
        votes.update(_codes_at(lat, lon))
    if not votes:
        return None
    code, k = votes.most_common(1)[0]
    return code if k * 2 > n else None


def town_outline(
    *,
    seeds: Sequence[tuple[float, float]],
    voters: Sequence[tuple[float, float]] = (),
    municipality_code: str | None = None,
    max_cells: int = 60_000,
) -> Outline:
    """Estimate a town's outline on 4分の1地域メッシュ cells.

    Parameters
    ----------
    seeds : sequence of (lat, lon)
        Points inside the town the flood fill starts from (resources, area centres).
    voters : sequence of (lat, lon)
        Points that vote on the JMA code when ``municipality_code`` is not given; with no JMA code they make
        the convex hull (with the seeds).
    municipality_code : str, optional
        The 全国地方公共団体コード of the town (the municipality Area's ``code``).
    max_cells : int
        Give up the flood fill beyond this many cells tested (and fall back to the hull).
    """
    code = jma_code(municipality_code) or _vote_code([*voters, *seeds])
    if code is not None and seeds:
        cells = _flood(code, seeds, max_cells)
        if cells:
            return Outline(
                frozenset(cells),
                rings_of_cells(cells),
                "jma",
                "気象庁の予報区域 (市町村) を4分の1地域メッシュ (約250m) で近似",
                code,
            )
    pts = [*seeds, *voters]
    if not pts:
        return Outline(frozenset(), [], "none", "位置の分かるデータがありません", None)
    cells = _hull_cells(pts)
    return Outline(
        frozenset(cells),
        rings_of_cells(cells),
        "hull",
        f"世帯・資源の位置の凸包を{HULL_BUFFER_KM:g}km広げた範囲 (境界データなし)",
        None,
    )


def _flood(code: str, seeds: Sequence[tuple[float, float]], max_cells: int) -> set[Cell]:
    per = QUARTER_MESH
    seen: dict[Cell, bool] = {}
    queue: list[Cell] = []

    def member(c: Cell) -> bool:
        if c not in seen:
            s, w, n, e = cell_bounds(c, per)
            seen[c] = code in _codes_at((s + n) / 2, (w + e) / 2)
            if seen[c]:
                queue.append(c)
        return seen[c]

    for lat, lon in seeds:
        member(cell_of(lat, lon, per))
    while queue and len(seen) < max_cells:
        i, j = queue.pop()
        for c in ((i + 1, j), (i - 1, j), (i, j + 1), (i, j - 1)):
            member(c)
    return {c for c, inside in seen.items() if inside}


def _hull_cells(pts: Sequence[tuple[float, float]]) -> set[Cell]:
    """Quarter-mesh cells within :data:`HULL_BUFFER_KM` of the convex hull of the points, leaving out points
    farther than :data:`HULL_MAX_RADIUS_KM` from their median (a prefectural centre in the capital, a mistyped
    coordinate): one such point would otherwise stretch the outline across the country and the grid to
    millions of cells. Cell centres are tested all at once (numpy)."""
    lats = np.array([p[0] for p in pts], dtype=float)
    lons = np.array([p[1] for p in pts], dtype=float)
    lat_m, lon_m = float(np.median(lats)), float(np.median(lons))
    kx, ky = km_per_deg_lon(lat_m), KM_PER_DEG_LAT
    near = np.hypot((lats - lat_m) * ky, (lons - lon_m) * kx) <= HULL_MAX_RADIUS_KM
    xy = np.column_stack([lons[near] * kx, lats[near] * ky])
    hull = _convex_hull(xy)
    buf = HULL_BUFFER_KM
    per = QUARTER_MESH
    s, w = cell_of(xy[:, 1].min() / ky - buf / ky, xy[:, 0].min() / kx - buf / kx, per)
    n, e = cell_of(xy[:, 1].max() / ky + buf / ky, xy[:, 0].max() / kx + buf / kx, per)
    grid_i, grid_j = np.meshgrid(np.arange(s, n + 1), np.arange(w, e + 1), indexing="ij")
    ii, jj = grid_i.ravel(), grid_j.ravel()
    # cell centres as cell_bounds gives them, for every cell at once
    px = (jj + 0.5) / per[1] * kx
    py = (ii + 0.5) / per[0] * ky
    keep = _dist_to_hull(px, py, hull) <= buf
    return {(int(i), int(j)) for i, j in zip(ii[keep], jj[keep], strict=True)}


def _convex_hull(xy: np.ndarray) -> list[tuple[float, float]]:
    """Andrew's monotone chain (counter-clockwise), tolerant of one or two points."""
    pts = sorted({(float(x), float(y)) for x, y in xy})
    if len(pts) <= 2:
        return pts

    def cross(o: tuple[float, float], a: tuple[float, float], b: tuple[float, float]) -> float:
        return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])

    lower: list[tuple[float, float]] = []
    for p in pts:
        while len(lower) >= 2 and cross(lower[-2], lower[-1], p) <= 0:
            lower.pop()
        lower.append(p)
    upper: list[tuple[float, float]] = []
    for p in reversed(pts):
        while len(upper) >= 2 and cross(upper[-2], upper[-1], p) <= 0:
            upper.pop()
        upper.append(p)
    return lower[:-1] + upper[:-1]


def _dist_to_hull(px: np.ndarray, py: np.ndarray, hull: list[tuple[float, float]]) -> np.ndarray:
    """Distance of each point (px, py) to a counter-clockwise convex polygon (0 inside), vectorised."""
    if len(hull) == 1:
        return np.hypot(px - hull[0][0], py - hull[0][1])
    edges = list(zip(hull, hull[1:] + hull[:1], strict=True)) if len(hull) >= 3 else [(hull[0], hull[1])]
    inside = np.full(px.shape, len(hull) >= 3)
    best = np.full(px.shape, np.inf)
    for (ax, ay), (bx, by) in edges:
        dx, dy = bx - ax, by - ay
        if len(hull) >= 3:
            inside &= dx * (py - ay) - dy * (px - ax) >= 0
        L = dx * dx + dy * dy
        t = np.zeros(px.shape) if L == 0 else np.clip(((px - ax) * dx + (py - ay) * dy) / L, 0.0, 1.0)
        best = np.minimum(best, np.hypot(px - (ax + t * dx), py - (ay + t * dy)))
    return np.where(inside, 0.0, best)


def area_outlines(
    outline: Outline,
    *,
    household_areas: Sequence[tuple[float, float, str]],
    area_centres: Sequence[tuple[float, float, str]],
) -> dict[str, list[list[Ring]]]:
    """Split the town's cells among its areas: each cell goes to the area of the nearest located household
    (``(lat, lon, area_id)``), else of the nearest area centre. Returns area id → MultiPolygon coordinates."""
    from scipy.spatial import cKDTree

    refs = list(household_areas) or list(area_centres)
    if not refs or not outline.cells:
        return {}
    lat0 = refs[0][0]
    kx, ky = km_per_deg_lon(lat0), KM_PER_DEG_LAT
    tree = cKDTree(np.array([(lon * kx, lat * ky) for lat, lon, _ in refs]))
    cells = sorted(outline.cells)
    centres = []
    for c in cells:
        s, w, n, e = cell_bounds(c, QUARTER_MESH)
        centres.append(((w + e) / 2 * kx, (s + n) / 2 * ky))
    _, ix = tree.query(np.array(centres), k=1)
    by_area: dict[str, set[Cell]] = defaultdict(set)
    for c, k in zip(cells, np.asarray(ix).tolist(), strict=True):
        by_area[refs[int(k)][2]].add(c)
    return {a: rings_of_cells(cs) for a, cs in sorted(by_area.items())}
