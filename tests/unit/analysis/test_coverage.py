"""Walking coverage of at-risk households: distances by hand, capacity, areas, households without coordinates."""

from __future__ import annotations

import math
import time

import networkx as nx
import numpy as np
import pytest

from graphsvc.analysis.coverage import EARTH_RADIUS_M, haversine_m, nearest_distance_m, walking_coverage
from graphsvc.domain.enums import RelType
from graphsvc.domain.values import Capacity, GeoPoint
from graphsvc.store.common import build_projection

R = RelType
M_PER_DEG = EARTH_RADIUS_M * math.pi / 180  # one degree of latitude, 111,195.08 m


def _pt(lat: float, lon: float, approximate: bool = False) -> GeoPoint:
    return GeoPoint(lat=lat, lon=lon, approximate=approximate)


def test_one_far_one_near_distances_by_hand(town) -> None:
    town.venue(
        "V1", name="拠点型サロン", location=_pt(34.4810, 136.8400), capacity=Capacity(maximum=10, available=3)
    )
    town.household("H-near", flags=["single_elderly"], location=_pt(34.4800, 136.8400))
    town.household("H-far", flags=["single_elderly"], location=_pt(34.5000, 136.8400))
    town.household("H-ok", location=_pt(34.6, 136.9))  # not at risk: not counted
    r = walking_coverage(town.graph())
    assert r.at_risk == 2 and r.near == 1 and r.no_location == ()
    (far,) = r.far
    assert far.household_id == "H-far"
    # same meridian: the distance is the latitude difference in degrees × R·π/180
    assert far.distance_m == pytest.approx(0.0190 * M_PER_DEG, abs=0.1)  # 2112.7 m
    assert (far.nearest_label, far.nearest_id, far.nearest_name) == ("Venue", "V1", "拠点型サロン")
    assert far.reason_ja == "最寄りの居場所・参加先 (拠点型サロン) まで約2,113m"
    # the near one is 0.001° = 111.2 m away; within a 100 m walk it would be far too
    tight = walking_coverage(town.graph(), walking_distance_m=100)
    assert [f.household_id for f in tight.far] == ["H-far", "H-near"]
    assert tight.far[1].distance_m == pytest.approx(0.001 * M_PER_DEG, abs=0.1)


def test_haversine_east_west_by_hand() -> None:
    # along a parallel, for small distances: Δλ · cos φ · R (within a millimetre at 1 km)
    d = float(haversine_m(34.48, 136.84, 34.48, 136.85))
    assert d == pytest.approx(0.01 * M_PER_DEG * math.cos(math.radians(34.48)), abs=0.01)
    assert float(haversine_m(0.0, 0.0, 0.0, 180.0)) == pytest.approx(math.pi * EARTH_RADIUS_M)


def test_capacity_hosts_and_remote_opportunities(town) -> None:
    town.household("H1", flags=["hoarding"], location=_pt(34.4800, 136.8400))
    town.venue("V-full", location=_pt(34.4801, 136.8400), capacity=Capacity(maximum=5, available=0))
    town.opportunity("O-remote", remote=True, location=_pt(34.4800, 136.8401))
    G = town.graph()
    r = walking_coverage(G)
    assert [f.household_id for f in r.far] == ["H1"] and r.far[0].distance_m is None
    assert r.far[0].reason_ja == "空きのある居場所・参加先がありません"
    assert r.resources == 0 and r.resources_full == ("V-full",)
    assert walking_coverage(G, require_capacity=False).near == 1  # the full venue is next door
    # an opportunity with no location of its own takes its host's
    hosted = town.opportunity("O-hosted", capacity=Capacity(maximum=2, available=1))
    host = town.venue("V-host", location=_pt(34.4805, 136.8400), capacity=Capacity(maximum=0))  # full itself
    town.rel(R.HOSTED_BY, hosted, host)
    r2 = walking_coverage(town.graph())
    assert r2.near == 1 and r2.resources == 1
    assert set(r2.resources_full) == {"V-full", "V-host"}


def test_no_location_areas_and_needs_support(town) -> None:
    north = town.area("AR-N", name="北地区")
    south = town.area("AR-S", name="南地区")
    town.venue("V1", location=_pt(34.4800, 136.8400))  # no capacity stated: counted as open
    town.venue("V-nowhere")
    h1 = town.household("H1", flags=["eighty_fifty"])  # no coordinates
    town.rel(R.IN_AREA, h1, north)
    h2 = town.household("H2", location=_pt(34.4802, 136.8400, approximate=True))
    town.person("P2", h2, needs_support=True)  # at risk through a member
    town.rel(R.IN_AREA, h2, north)
    h3 = town.household(
        "H3", flags=["remote"], location=_pt(34.40, 136.90), area_id="AR-S"
    )  # area by property
    h4 = town.household("H4", flags=["single_parent"], location=_pt(34.41, 136.90))  # no area
    del h3, h4, south
    G = town.graph()
    r = walking_coverage(G)
    assert r.at_risk == 4 and r.no_location == ("H1",) and r.approximate_location == 1
    assert {f.household_id for f in r.far} == {"H3", "H4"}
    by_area = {a.area_id: a for a in r.areas}
    n = by_area["AR-N"]
    assert (n.name, n.at_risk, n.near, n.far, n.no_location, n.approximate_location) == (
        "北地区",
        2,
        1,
        0,
        1,
        1,
    )
    assert n.far_share == 0.0
    assert (by_area["AR-S"].name, by_area["AR-S"].far, by_area["AR-S"].far_share) == ("南地区", 1, 1.0)
    assert (by_area["unknown"].name, by_area["unknown"].far) == ("地区不明", 1)
    assert r.resources_without_location == ("V-nowhere",)
    assert r.summary_ja == "要配慮世帯 4のうち、800m圏内に空きのある居場所・参加先がない世帯 2、位置不明 1"
    only = walking_coverage(G, flags=["single_parent"], include_needs_support=False)
    assert only.at_risk == 1 and only.far[0].household_id == "H4"


def test_empty_graph() -> None:
    r = walking_coverage(nx.MultiDiGraph())
    assert (r.at_risk, r.far, r.no_location, r.areas, r.resources) == (0, (), (), (), 0)


@pytest.mark.parametrize("seed", range(5))
def test_kdtree_nearest_equals_brute_force_haversine(seed: int) -> None:
    rng = np.random.default_rng(seed)
    # points across the whole country: the unit-sphere tree has no projection error
    pts = np.column_stack((rng.uniform(24, 45, 500), rng.uniform(123, 146, 500)))
    tg = np.column_stack((rng.uniform(24, 45, 40), rng.uniform(123, 146, 40)))
    d, ix = nearest_distance_m(pts, tg)
    full = haversine_m(pts[:, None, 0], pts[:, None, 1], tg[None, :, 0], tg[None, :, 1])
    assert np.array_equal(ix, full.argmin(axis=1))
    assert np.allclose(d, full.min(axis=1))
    d0, i0 = nearest_distance_m(pts, np.empty((0, 2)))
    assert np.isinf(d0).all() and (i0 == -1).all()


def test_hundred_thousand_households_take_well_under_a_few_seconds() -> None:
    rng = np.random.default_rng(0)
    n, v = 100_000, 400
    lat = 34.48 + rng.normal(0, 0.05, n)
    lon = 136.84 + rng.normal(0, 0.05, n)
    nodes = [
        ("Household", f"H{i}", {"flags": ["single_elderly"], "lat": float(lat[i]), "lon": float(lon[i])})
        for i in range(n)
    ]
    nodes += [
        (
            "Venue",
            f"V{j}",
            {"lat": float(34.48 + rng.normal(0, 0.05)), "lon": float(136.84 + rng.normal(0, 0.05))},
        )
        for j in range(v)
    ]
    G = build_projection(nodes, [])
    t0 = time.perf_counter()
    r = walking_coverage(G)
    elapsed = time.perf_counter() - t0
    assert r.at_risk == n and r.near + len(r.far) == n
    print(f"\nwalking_coverage on {n:,} households, {v} venues: {elapsed:.2f} s")
    assert elapsed < 3.0
