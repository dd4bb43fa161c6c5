"""The resource map: layers, markers, offline self-containment, and households only in aggregate."""

from __future__ import annotations

import json
import re
from html import escape
from pathlib import Path
from typing import Any

import pytest

from graphsvc.analysis import GapReport
from graphsvc.maps import (
    LAYER_NAMES,
    build_map,
    collect_map_data,
    external_refs,
    mesh_code,
    render_map,
    write_map,
)
from graphsvc.maps.assets import DROPPED_FOLIUM_ASSETS, INLINED_FOLIUM_ASSETS
from graphsvc.maps.resource_map import GSI_ATTRIBUTION, GSI_TILES
from graphsvc.store.embedded import EmbeddedStore
from tests.unit.maps.small_town import (
    CLUSTER_BIG,
    CLUSTER_SMALL,
    LOCATED_RESOURCES,
    household_points,
    person_names,
)


def forms(text: str) -> tuple[str, str]:
    """A text as written in HTML and as folium writes it inside JSON (non-ASCII as \\uXXXX escapes)."""
    return text, json.dumps(text)[1:-1]


def has(html: str, text: str) -> bool:
    return any(f in html for f in forms(text))


def number_in(html: str, number: str) -> bool:
    """Whether a coordinate appears as a whole number (not as the start of a longer one)."""
    return re.search(rf"(?<![\d.]){re.escape(number)}(?!\d)", html) is not None


@pytest.fixture
def offline_html(small_store: EmbeddedStore, small_analysis: GapReport) -> str:
    return render_map(build_map(small_store, offline=True, analysis=small_analysis))


@pytest.fixture
def online_html(small_store: EmbeddedStore, small_analysis: GapReport) -> str:
    return render_map(build_map(small_store, offline=False, analysis=small_analysis))


def test_layers_present_by_name(offline_html: str) -> None:
    for key in (
        "outline",
        "areas",
        "Agency",
        "Venue",
        "Employer",
        "Opportunity",
        "collab",
        "missing",
        "isolated",
        "outreach",
        "far",
    ):
        assert has(offline_html, LAYER_NAMES[key]), key
    assert has(offline_html, "L.control.layers(")
    assert has(offline_html, "町域の概形 (推定)")
    assert has(offline_html, "資源マップ") and 'lang="ja"' in offline_html


def marker_rows(page: str) -> list[list[Any]]:
    """The markers of every layer: one JSON array per layer, made into Leaflet markers in the browser."""
    arrays = re.findall(r"var size = \d+;\s*(\[.*?\])\.forEach\(function \(r\)", page, flags=re.S)
    assert arrays, "no marker layer in the page"
    return [row for array in arrays for row in json.loads(array)]


def test_marker_count_equals_resources_with_location(
    small_store: EmbeddedStore, small_analysis: GapReport, offline_html: str
) -> None:
    data = collect_map_data(small_store.projection(), small_analysis, town="small")
    assert len(data.resources) == LOCATED_RESOURCES
    assert len(marker_rows(offline_html)) == LOCATED_RESOURCES
    assert {row[6] for row in marker_rows(offline_html)} == {escape(r.name) for r in data.resources}
    # the full and the remote opportunity are left out and said so; the agency with no location is listed
    assert data.opportunities_full == 1 and data.opportunities_remote == 1
    assert [r[1] for r in data.resources_without_location] == ["AG4"]
    assert has(offline_html, "位置の分からない資源 1件")
    # the opportunity without a point of its own stands at its host's
    o1 = next(r for r in data.resources if r.id == "O1")
    e1 = next(r for r in data.resources if r.id == "E1")
    assert (o1.lat, o1.lon) == (e1.lat, e1.lon)


def test_offline_has_no_external_script_or_stylesheet(offline_html: str) -> None:
    assert external_refs(offline_html) == []
    assert not re.search(r"<script[^>]*\bsrc=", offline_html)
    assert not re.search(r"<link[^>]*stylesheet", offline_html)
    assert not has(offline_html, "L.tileLayer(")
    assert not has(offline_html, "cdn.jsdelivr") and "cdnjs" not in offline_html
    assert has(offline_html, "Leaflet 1.9.4")  # inlined
    assert not has(offline_html, "url(images/")  # the stylesheet's images are data: URIs


def test_online_uses_gsi_tiles_with_attribution(online_html: str) -> None:
    assert GSI_TILES in online_html
    assert has(online_html, "地理院タイル")
    assert has(online_html, "maps.gsi.go.jp/development/ichiran.html")
    assert has(online_html, GSI_ATTRIBUTION.split("「")[0])
    assert external_refs(online_html) == []  # Leaflet is inlined in both modes; only tiles come from the net


def test_every_folium_default_asset_is_inlined_or_dropped() -> None:
    import folium

    names = {n for n, _ in folium.Map.default_js} | {n for n, _ in folium.Map.default_css}
    assert names == set(INLINED_FOLIUM_ASSETS) | set(DROPPED_FOLIUM_ASSETS)


def test_cells_under_five_are_suppressed(small_analysis: GapReport, offline_html: str) -> None:
    assert len(small_analysis.isolation.isolated) >= 10
    big, small = mesh_code(*CLUSTER_BIG), mesh_code(*CLUSTER_SMALL)
    assert has(offline_html, f"孤立世帯 7世帯 (メッシュ {big})")
    assert not has(offline_html, small)
    assert not has(offline_html, "孤立世帯 3世帯")
    assert has(offline_html, "5世帯未満のメッシュは表示しません")


def test_no_household_id_point_or_name_in_map(
    small_store: EmbeddedStore, offline_html: str, online_html: str
) -> None:
    points = household_points(small_store)
    assert len(points) == 15
    for html in (offline_html, online_html):
        for hid, lat, lon in points:
            assert not has(html, hid)
            if lat is not None and lon is not None:
                assert not number_in(html, lat), (hid, lat)
                assert not number_in(html, lon), (hid, lon)
        for name in person_names(small_store):
            assert not has(html, name)


def test_agency_without_sector_and_household_without_location_are_reported(offline_html: str) -> None:
    assert has(offline_html, "分野の登録がない機関 1件: 分野なし相談所")
    assert has(offline_html, "位置の分からない世帯 1")
    assert has(offline_html, 'data-sectors="unknown"')


def test_collaboration_and_missing_links(offline_html: str, small_analysis: GapReport) -> None:
    assert has(offline_html, "包括支援センター ⇄ 自立相談支援機関: 連携段階「協力」")
    assert small_analysis.missing_links.links  # they share 2 households below coordination
    assert has(offline_html, small_analysis.missing_links.links[0].reason_ja)
    assert '"dashArray": "6 6"' in offline_html


def test_empty_town_still_writes_a_map(empty_store: EmbeddedStore, tmp_path: Path) -> None:
    p = write_map(empty_store, tmp_path / "out" / "resource-map.html", offline=True)
    html = p.read_text(encoding="utf-8")
    assert has(html, "表示できるデータがありません")
    assert external_refs(html) == []
    assert html.count("L.marker(") == 0


def test_demo_town_map_has_no_household_id_point_or_name(tmp_path: Path) -> None:
    """The same check on a generated demo town (鳥羽, 300 households): every id, coordinate and name."""
    from loaders.demo import build_town, get_spec

    store = EmbeddedStore(tmp_path / "toba.sqlite3", "toba")
    try:
        build_town(store, get_spec("toba", 300), seed=1, households=300)
        html = render_map(build_map(store, offline=True))
        points = household_points(store)
        assert len(points) == 300
        for hid, lat, lon in points:
            assert not has(html, hid)
            if lat is not None and lon is not None:
                assert not number_in(html, lat), (hid, lat)
                assert not number_in(html, lon), (hid, lon)
        for name in person_names(store):
            assert not has(html, name)
        assert external_refs(html) == []
    finally:
        store.close()


def test_area_share_is_withheld_when_it_would_reveal_a_small_count() -> None:
    from graphsvc.maps.resource_map import share_colour

    assert share_colour(0.5, 20, 5, far=10)[1] == "50%"
    # 3 far households among 20: the share (15%) with the total would give the hidden 3 away
    assert "割合は表示しません" in share_colour(0.15, 20, 5, far=3)[1]
    # 18 of 20 far: the 2 near households would be given away
    assert "割合は表示しません" in share_colour(0.9, 20, 5, far=18)[1]
    assert share_colour(0.0, 20, 5, far=0)[1] == "0%"
    assert "未満のため" in share_colour(0.5, 4, 5, far=2)[1]
