"""Mesh codes, outlines from cells, the town outline and the suppression of small cells."""

from __future__ import annotations

from graphsvc.maps.geo import (
    MIN_CELL_COUNT,
    aggregate_cells,
    jma_code,
    mesh_code,
    rings_of_cells,
    town_outline,
)


def test_mesh_code_of_a_known_point() -> None:
    # 東京都庁: 3次メッシュ 53394525, north-west quarter → 2分の1地域メッシュ 533945253
    assert mesh_code(35.6895, 139.6917) == "533945253"


def test_rings_of_cells_keeps_holes_and_islands() -> None:
    ring = {(i, j) for i in range(3) for j in range(3)} - {(1, 1)}
    polys = rings_of_cells(ring | {(10, 10)}, per_deg=(1, 1))
    assert len(polys) == 2
    holed = next(p for p in polys if len(p) == 2)
    assert len(holed[0]) == 5 and len(holed[1]) == 5  # outer square and the hole


def test_aggregate_suppresses_small_cells() -> None:
    pts = [(34.4801, 136.8401)] * MIN_CELL_COUNT + [(34.52, 136.87)] * (MIN_CELL_COUNT - 1)
    agg = aggregate_cells(pts)
    assert [c.count for c in agg.cells] == [MIN_CELL_COUNT]
    assert agg.suppressed_cells == 1 and agg.suppressed_households == MIN_CELL_COUNT - 1
    assert agg.total == 2 * MIN_CELL_COUNT - 1


def test_town_outline_from_jma_polygons() -> None:
    o = town_outline(seeds=[(34.483, 136.842)], municipality_code="242110")
    assert o.method == "jma" and o.jma_code == jma_code("242110") == "2421100"
    assert 500 < len(o.cells) < 5000  # 鳥羽市 is about 107 km², a cell about 0.066 km²


def test_town_outline_falls_back_to_the_hull() -> None:
    # points in the open Pacific: no JMA area, so the buffered hull
    o = town_outline(seeds=[(30.0, 145.0), (30.01, 145.02)], voters=[(30.02, 145.0)])
    assert o.method == "hull" and o.cells and o.polygons
    assert "推定" in o.geojson["features"][0]["properties"]["name"]  # type: ignore[index]


def test_town_outline_with_nothing() -> None:
    o = town_outline(seeds=[])
    assert o.method == "none" and not o.polygons


def test_hull_outline_leaves_out_points_far_from_the_town() -> None:
    # a town in the open Pacific (no JMA area) with one point typed in Tokyo and one in Okinawa: the outline is
    # the town's own hull (a grid across the country would be tens of millions of cells and never finish)
    town = [(30.0 + 0.01 * (k % 5), 145.0 + 0.01 * (k // 5)) for k in range(25)]
    alone = town_outline(seeds=town)
    stray = town_outline(seeds=[*town, (35.68, 139.69), (26.2, 127.7)])
    assert stray.method == alone.method == "hull"
    assert stray.cells == alone.cells and 100 < len(alone.cells) < 2_000


def test_hull_outline_is_the_buffered_hull() -> None:
    # a 2 km × 2 km square of points: every cell centre within 1 km of the square is in, no other
    from graphsvc.domain.geometry import KM_PER_DEG_LAT, km_per_deg_lon
    from graphsvc.maps.geo import HULL_BUFFER_KM, QUARTER_MESH, cell_bounds

    lat0, lon0 = 30.0, 145.0
    kx = km_per_deg_lon(lat0 + 1 / KM_PER_DEG_LAT)
    corners = [(lat0, lon0), (lat0 + 2 / KM_PER_DEG_LAT, lon0), (lat0, lon0 + 2 / kx)]
    corners.append((lat0 + 2 / KM_PER_DEG_LAT, lon0 + 2 / kx))
    o = town_outline(seeds=corners)
    for cell in o.cells:
        s, w, n, e = cell_bounds(cell, QUARTER_MESH)
        x = ((w + e) / 2 - lon0) * kx
        y = ((s + n) / 2 - lat0) * KM_PER_DEG_LAT
        dx, dy = max(0.0, -x, x - 2), max(0.0, -y, y - 2)
        assert (dx * dx + dy * dy) ** 0.5 <= HULL_BUFFER_KM + 0.01
    assert 120 < len(o.cells) < 400  # about 15.1 km² of 0.066 km² cells (the square, its sides, its corners)
