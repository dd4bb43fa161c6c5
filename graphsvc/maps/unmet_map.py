"""The map layer of 足りない参加メニュー: where the people waiting for 参加支援 live (counts per 2分の1地域メッシュ,
cells under :data:`~graphsvc.maps.geo.MIN_CELL_COUNT` left out, as on the resource map) against where the
published openings are. One self-contained HTML file (Leaflet inlined, no tiles when offline)."""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import cast

import folium
from branca.element import Element, Figure

from graphsvc.maps.assets import JQUERY_SHIM, leaflet_css, leaflet_js
from graphsvc.maps.geo import MIN_CELL_COUNT, aggregate_cells
from graphsvc.maps.resource_map import GSI_ATTRIBUTION, GSI_TILES, mesh_cell

__all__ = ["unmet_map_html"]

_PALETTE = ("#fee5d9", "#fcae91", "#fb6a4a", "#cb181d")


def _colour(n: int, top: int) -> str:
    if top <= 0:
        return _PALETTE[0]
    k = min(len(_PALETTE) - 1, int((n / top) * len(_PALETTE)))
    return _PALETTE[max(0, k)]


def unmet_map_html(
    town_name: str,
    waiting: Sequence[tuple[float, float]],
    unmet: Sequence[tuple[float, float]],
    openings: Sequence[tuple[float, float, str]],
    *,
    offline: bool = True,
    min_count: int = MIN_CELL_COUNT,
) -> str:
    """``waiting``/``unmet``: homes (lat, lon) of the people waiting / of those without a good opening;
    ``openings``: (lat, lon, title) of the published openings. People appear only as cell counts."""
    pts = [*waiting, *[(a, b) for a, b, _ in openings]]
    centre = [sum(p[0] for p in pts) / len(pts), sum(p[1] for p in pts) / len(pts)] if pts else [36.2, 138.25]
    m = folium.Map(location=centre, zoom_start=13 if pts else 5, tiles=None, control_scale=True)
    m.default_js = []
    m.default_css = []
    root = cast(Figure, m.get_root())
    root.header.add_child(Element(f"<style>{leaflet_css()}</style>"), name="leaflet_css_inline")
    root.header.add_child(Element(f"<script>{leaflet_js()}</script>"), name="leaflet_js_inline")
    root.header.add_child(Element(f"<script>{JQUERY_SHIM}</script>"), name="jquery_shim")
    root.header.add_child(
        Element(f"<title>{html.escape(town_name)} 足りない参加メニュー 地図</title>"), name="tg_title"
    )
    if not offline:
        folium.TileLayer(GSI_TILES, attr=GSI_ATTRIBUTION, name="地理院タイル").add_to(m)
    notes = []
    for _key, label, points, show in (
        ("waiting", "参加支援を待っている人 (メッシュ集計)", waiting, False),
        ("unmet", "よく合うメニューがない人 (メッシュ集計)", unmet, True),
    ):
        agg = aggregate_cells(points, min_count=min_count)
        fg = folium.FeatureGroup(name=label, show=show)
        top = max((c.count for c in agg.cells), default=0)
        for c in agg.cells:
            mesh_cell(
                c,
                fill=_colour(c.count, top),
                opacity=0.65,
                tooltip=f"{label.split(' ')[0]} {c.count}人 (メッシュ {c.code})",
            ).add_to(fg)
        fg.add_to(m)
        notes.append(
            f"{label}: {agg.shown}人を表示、{min_count}人未満のメッシュ{agg.suppressed_cells}個"
            f" ({agg.suppressed_households}人) は非表示"
        )
    fo = folium.FeatureGroup(name="参加メニュー (公開中)", show=True)
    for lat, lon, title in openings:
        folium.CircleMarker(
            [lat, lon], radius=5, color="#1f3b73", fill=True, fill_opacity=0.9, tooltip=html.escape(title)
        ).add_to(fo)
    fo.add_to(m)
    folium.LayerControl(collapsed=False).add_to(m)
    legend = "<br>".join(html.escape(n) for n in notes)
    root.html.add_child(
        Element(
            '<div style="position:fixed;bottom:12px;left:12px;z-index:999;background:#fff;padding:6px 10px;'
            f'font:12px sans-serif;border:1px solid #999">{legend}<br>● 参加メニュー (公開中)</div>'
        )
    )
    if pts:
        lats = [p[0] for p in pts]
        lons = [p[1] for p in pts]
        m.fit_bounds([[min(lats) - 0.004, min(lons) - 0.004], [max(lats) + 0.004, max(lons) + 0.004]])
    out = m.get_root().render().replace("<html>", '<html lang="ja">', 1)
    return str(out)
