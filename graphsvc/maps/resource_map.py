"""The resource map (資源マップ) of a town for 地域づくり: resources by kind and sector, collaboration links,
coverage gaps by area, and households only as counts per 2分の1地域メッシュ (cells under 5 left out).

Two modes: *online* draws 国土地理院's 地理院タイル (標準地図) under the layers; *offline* writes one
self-contained HTML file (Leaflet and its stylesheet inlined from :mod:`graphsvc.maps.assets`, no tiles) with the
town's estimated outline as the base layer.
"""

from __future__ import annotations

import html
import math
import re
from collections import defaultdict
from pathlib import Path
from typing import cast

import folium
import networkx as nx
from branca.element import Element, Figure, MacroElement
from jinja2 import Template

from graphsvc.analysis import GapReport, analyse_all
from graphsvc.analysis.common import UNKNOWN_SECTOR, sector_ja
from graphsvc.domain.enums import CollaborationLevel, NodeLabel, Sector
from graphsvc.maps.assets import JQUERY_SHIM, leaflet_css, leaflet_js
from graphsvc.maps.data import RESOURCE_KINDS, MapData, Resource, collect_map_data
from graphsvc.maps.geo import CellAggregate, MeshCell
from graphsvc.store.port import GraphStore

__all__ = [
    "GSI_ATTRIBUTION",
    "GSI_TILES",
    "LAYER_NAMES",
    "SECTOR_COLOURS",
    "build_map",
    "build_map_from_data",
    "external_refs",
    "mesh_cell",
    "render_map",
    "write_map",
]

GSI_TILES = "https://cyberjapandata.gsi.go.jp/xyz/std/{z}/{x}/{y}.png"
GSI_ATTRIBUTION = "出典 「<a href='https://maps.gsi.go.jp/development/ichiran.html'>地理院タイル</a>」"
JMA_ATTRIBUTION = "町域の概形: 気象庁の予報区域から推定 (出典：気象庁)"

SECTOR_COLOURS: dict[str, str] = {
    Sector.ELDERLY.value: "#e6550d",
    Sector.DISABILITY.value: "#3182bd",
    Sector.CHILD.value: "#e7298a",
    Sector.POVERTY.value: "#756bb1",
    Sector.HEALTH.value: "#31a354",
    Sector.EMPLOYMENT.value: "#1f3b73",
    Sector.EDUCATION.value: "#17becf",
    Sector.HOUSING.value: "#8c564b",
    Sector.COMMUNITY.value: "#d4a017",
    UNKNOWN_SECTOR: "#9e9e9e",
}
LEVEL_COLOURS: dict[str, str] = {
    CollaborationLevel.AWARENESS.value: "#a6a6a6",
    CollaborationLevel.COOPERATION.value: "#6baed6",
    CollaborationLevel.COORDINATION.value: "#2171b5",
    CollaborationLevel.INTEGRATION.value: "#08306b",
}
MISSING_COLOUR = "#d62728"
NETWORK_MAIN = "#1f78b4"
NETWORK_CUT_OFF = "#e31a1c"
NETWORK_BRIDGE = "#e31a1c"
CELL_BREAKS = (5, 10, 20, 50, 100)
CELL_PALETTES = {
    "clusters": ("#fdae6b", "#fd8d3c", "#e6550d", "#a63603", "#7f2704"),
    "isolated": ("#fee5d9", "#fcae91", "#fb6a4a", "#de2d26", "#a50f15"),
    "outreach": ("#f2f0f7", "#cbc9e2", "#9e9ac8", "#756bb1", "#54278f"),
    "far": ("#eff3ff", "#bdd7e7", "#6baed6", "#3182bd", "#08519c"),
}
SHARE_BREAKS = ((0.1, "#edf8e9", "10%未満"), (0.25, "#fdd0a2", "10〜25%"), (0.5, "#fd8d3c", "25〜50%"))
SHARE_TOP = ("#d94701", "50%以上")
SHARE_NA = "#d9d9d9"

LAYER_NAMES: dict[str, str] = {
    "outline": "町域の概形 (推定)",
    "tiles": "地理院タイル (標準地図)",
    "areas": "地区別: 徒歩圏外の要配慮世帯の割合",
    **{k: v for k, v in RESOURCE_KINDS.items()},
    "collab": "機関の連携 (連携段階別)",
    "network": "機関の連携網 (要の機関・切り離された機関)",
    "clusters": "機関のいない孤立したまとまりの世帯数 (約500mメッシュ)",
    "missing": "未連携の機関の組 (共通の世帯あり)",
    "isolated": "孤立世帯の数 (約500mメッシュ)",
    "outreach": "アウトリーチ候補世帯の数 (約500mメッシュ)",
    "far": "徒歩圏外の要配慮世帯の数 (約500mメッシュ)",
}
"""Japanese layer names by key (resource layers keyed by node label)."""

_SHAPES = {
    NodeLabel.AGENCY.value: ("square", "■"),
    NodeLabel.VENUE.value: ("circle", "●"),
    NodeLabel.EMPLOYER.value: ("diamond", "◆"),
    NodeLabel.OPPORTUNITY.value: ("triangle", "▲"),
}
_FONT = '"Noto Sans CJK JP", "Noto Sans JP", "Hiragino Kaku Gothic ProN", "Yu Gothic", Meiryo, sans-serif'

_CSS = """
.leaflet-container { font-family: %(font)s; background: %(bg)s; }
.tg-mk { background: transparent; border: none; }
.tg-shape { width: 14px; height: 14px; box-sizing: border-box; border: 2px solid #222; }
.tg-square { border-radius: 2px; }
.tg-circle { border-radius: 50%%; }
.tg-diamond { transform: rotate(45deg) scale(.85); }
.tg-tri-wrap { filter: drop-shadow(0 0 1px #000) drop-shadow(0 0 0.5px #000); }
.tg-triangle { border: none; width: 16px; height: 15px; clip-path: polygon(50%% 0, 100%% 100%%, 0 100%%); }
.tg-approx { opacity: .65; border-style: dashed; }
.tg-legend { background: rgba(255,255,255,.94); padding: 8px 10px; border-radius: 6px; max-width: 310px;
  max-height: 62vh; overflow: auto; font-size: 12px; line-height: 1.45; box-shadow: 0 1px 5px rgba(0,0,0,.4); }
.tg-legend h3 { font-size: 14px; margin: 0 0 4px; }
.tg-legend h4 { font-size: 12px; margin: 8px 0 2px; border-bottom: 1px solid #ccc; }
.tg-legend .row { display: flex; align-items: center; gap: 6px; margin: 1px 0; }
.tg-legend .sw { display: inline-block; width: 14px; height: 12px; border: 1px solid #555; flex: none; }
.tg-legend .ln { display: inline-block; width: 26px; height: 0; border-top: 3px solid; flex: none; }
.tg-legend .note { color: #444; font-size: 11px; margin: 2px 0; }
.tg-legend label { cursor: pointer; }
.tg-legend-toggle { cursor: pointer; font-size: 11px; float: right; color: #06c; }
.tg-popup th { text-align: left; padding-right: 6px; white-space: nowrap; color: #555; font-weight: normal; }
.tg-popup td { padding: 0; }
.tg-empty { position: absolute; top: 40%%; left: 0; right: 0; text-align: center; z-index: 500;
  font-size: 18px; color: #333; pointer-events: none; }
"""

_FILTER_JS = Template(
    """
{% macro script(this, kwargs) %}
(function () {
  var map = {{ this._parent.get_name() }};
  var Legend = L.Control.extend({
    options: { position: 'bottomleft' },
    onAdd: function () {
      var div = L.DomUtil.create('div', 'tg-legend');
      div.innerHTML = {{ this.legend_html|tojson }};
      L.DomEvent.disableClickPropagation(div);
      L.DomEvent.disableScrollPropagation(div);
      return div;
    }
  });
  var legend = new Legend().addTo(map);
  var root = legend.getContainer();
  function applySectors() {
    var on = {};
    root.querySelectorAll('input[data-sector]').forEach(function (cb) { on[cb.dataset.sector] = cb.checked; });
    document.querySelectorAll('.tg-shape[data-sectors]').forEach(function (el) {
      var show = el.dataset.sectors.split(' ').some(function (s) { return on[s]; });
      var icon = el.closest('.leaflet-marker-icon');
      if (icon) { icon.style.display = show ? '' : 'none'; }
    });
  }
  root.querySelectorAll('input[data-sector]').forEach(function (cb) { cb.addEventListener('change', applySectors); });
  map.on('overlayadd zoomend moveend', applySectors);
  var body = root.querySelector('.tg-legend-body');
  var toggle = root.querySelector('.tg-legend-toggle');
  if (toggle && body) {
    toggle.addEventListener('click', function () {
      var hidden = body.style.display === 'none';
      body.style.display = hidden ? '' : 'none';
      toggle.textContent = hidden ? '閉じる' : '凡例を開く';
    });
  }
})();
{% endmacro %}
"""
)


class _Legend(MacroElement):
    """The Japanese legend as a Leaflet control, with the sector filter."""

    _template = _FILTER_JS

    def __init__(self, legend_html: str):
        super().__init__()
        self._name = "TsunagariLegend"
        self.legend_html = legend_html


class _FitBounds(MacroElement):
    """Fit the view to the town once the map has a size (a map in a hidden iframe has none yet: Leaflet's
    ``fitBounds`` would give NaN there), leaving room for the layer control and the legend when it can."""

    _template = Template(
        """
{% macro script(this, kwargs) %}
(function () {
  var map = {{ this._parent.get_name() }};
  var b = L.latLngBounds({{ this.bounds|tojson }});
  var done = false;
  function fit() {
    var size = map.getSize();
    if (done || size.x <= 0 || size.y <= 0) { return; }
    var wide = size.x > 900;
    map.fitBounds(b, wide ? { paddingTopLeft: [320, 10], paddingBottomRight: [330, 10] } : { padding: [10, 10] });
    done = true;
  }
  fit();
  map.on('resize', fit);
})();
{% endmacro %}
"""
    )

    def __init__(self, bounds: list[list[float]]):
        super().__init__()
        self._name = "FitBounds"
        self.bounds = bounds


_MARKER_SIZE = 16


class _Markers(MacroElement):
    """All markers of one layer from one JSON array, made by Leaflet in the browser: a town with thousands of
    venues and openings renders in milliseconds (one folium element per marker took seconds per thousand), and
    the page stays self-contained offline. Each row is ``[lat, lon, icon html, class, anchor x, anchor y,
    tooltip html, popup html]``; text in them is escaped by :func:`_e` and the JSON by ``tojson``."""

    _template = Template(
        """
{% macro script(this, kwargs) %}
(function () {
  var layer = {{ this._parent.get_name() }};
  var size = {{ this.size }};
  {{ this.rows|tojson }}.forEach(function (r) {
    L.marker([r[0], r[1]], {
      icon: L.divIcon({ html: r[2], className: r[3], iconSize: [size, size], iconAnchor: [r[4], r[5]] })
    }).bindTooltip(r[6], { sticky: true }).bindPopup(r[7], { maxWidth: 320 }).addTo(layer);
  });
})();
{% endmacro %}
"""
    )

    def __init__(self, rows: list[list[object]]):
        super().__init__()
        self._name = "TsunagariMarkers"
        self.rows = rows
        self.size = _MARKER_SIZE


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _shape_html(r: Resource) -> str:
    shape, _ = _SHAPES[r.label]
    sectors = r.sectors or (UNKNOWN_SECTOR,)
    cols = [SECTOR_COLOURS.get(s, SECTOR_COLOURS[UNKNOWN_SECTOR]) for s in sectors]
    if len(cols) == 1:
        bg = cols[0]
    else:
        step = 100 / len(cols)
        bg = (
            "conic-gradient("
            + ", ".join(f"{c} {i * step:.1f}% {(i + 1) * step:.1f}%" for i, c in enumerate(cols))
            + ")"
        )
    cls = f"tg-shape tg-{shape}" + (" tg-approx" if r.approximate else "")
    inner = f'<div class="{cls}" data-sectors="{_e(" ".join(sectors))}" style="background:{bg}"></div>'
    return f'<div class="tg-tri-wrap">{inner}</div>' if shape == "triangle" else inner


def _popup_html(r: Resource) -> str:
    rows = [("種別", r.kind_ja), ("分野", r.sectors_ja)]
    if r.area_name:
        rows.append(("地区", r.area_name))
    if r.host_name and r.label == NodeLabel.OPPORTUNITY.value:
        rows.append(("受け入れ先", r.host_name))
    if r.capacity_ja:
        rows.append(("定員・空き", r.capacity_ja))
    if r.approximate:
        rows.append(("位置", "概略 (地区の中心など)"))
    body = "".join(f"<tr><th>{_e(k)}</th><td>{_e(v)}</td></tr>" for k, v in rows)
    return f'<div class="tg-popup"><b>{_e(r.name)}</b><table>{body}</table></div>'


def _offsets(resources: list[Resource]) -> dict[int, tuple[float, float]]:
    """Pixel offsets for markers at the same point (a host and its opportunities): a small ring around it."""
    groups: dict[tuple[float, float], list[int]] = defaultdict(list)
    for i, r in enumerate(resources):
        groups[(round(r.lat, 5), round(r.lon, 5))].append(i)
    out: dict[int, tuple[float, float]] = {}
    for members in groups.values():
        if len(members) == 1:
            out[members[0]] = (0.0, 0.0)
            continue
        radius = 9 + 2 * len(members)
        for k, i in enumerate(members):
            t = 2 * math.pi * k / len(members) - math.pi / 2
            out[i] = (radius * math.cos(t), radius * math.sin(t))
    return out


def _cell_colour(count: int, palette: tuple[str, ...]) -> str:
    k = 0
    for n, b in enumerate(CELL_BREAKS):
        if count >= b:
            k = n
    return palette[k]


def share_colour(
    share: float | None, at_risk: int, min_count: int, far: int | None = None
) -> tuple[str, str]:
    """Colour and label of an area's far share. The share is withheld when the area has fewer than
    ``min_count`` at-risk households, and also when either part (far, or near = at_risk − far) is a small
    count of 1 to ``min_count`` − 1: with the total shown, the share would give that hidden count away."""
    if share is None or at_risk < min_count:
        return SHARE_NA, f"要配慮世帯が{min_count}世帯未満のため表示しません"
    if far is not None and (0 < far < min_count or 0 < at_risk - far < min_count):
        return SHARE_NA, f"{min_count}世帯未満の区分があるため割合は表示しません"
    for b, col, _ in SHARE_BREAKS:
        if share < b:
            return col, f"{share:.0%}"
    return SHARE_TOP[0], f"{share:.0%}"


def count_ja(n: int, min_count: int) -> str:
    """A count for display: 1 to ``min_count`` − 1 is shown as 「5未満」 (the map's and notebooks' one rule)."""
    return f"{min_count}未満" if 0 < n < min_count else f"{n:,}"


def mesh_cell(c: MeshCell, *, fill: str, opacity: float, tooltip: str) -> folium.Rectangle:
    """One mesh cell of an aggregated layer, drawn the same way on every map (thin grey outline, filled)."""
    return folium.Rectangle(
        bounds=[[c.south, c.west], [c.north, c.east]],
        color="#555",
        weight=0.5,
        fill=True,
        fill_color=fill,
        fill_opacity=opacity,
        tooltip=tooltip,
    )


def _add_cells(m: folium.Map, agg: CellAggregate, key: str, what: str, *, show: bool) -> None:
    fg = folium.FeatureGroup(name=LAYER_NAMES[key], show=show)
    pal = CELL_PALETTES[key]
    for c in agg.cells:
        mesh_cell(
            c,
            fill=_cell_colour(c.count, pal),
            opacity=0.6,
            tooltip=f"{what} {c.count}世帯 (メッシュ {c.code})",
        ).add_to(fg)
    fg.add_to(m)


def _add_network(m: folium.Map, data: MapData) -> None:
    """The agency network as its own layer: agencies as points (blue in the main network, red when cut off, a red
    ring when their loss splits it), collaborations as lines (red and thick when their loss splits it)."""
    fg = folium.FeatureGroup(name=LAYER_NAMES["network"], show=True)
    for line in data.network_lines:
        tip = f"{_e(line.a.name)} ⇄ {_e(line.b.name)}: 「{_e(line.level_ja)}」"
        if line.reason_ja:
            tip += f"<br><b>{_e(line.reason_ja)}</b>"
        folium.PolyLine(
            [[line.a.lat, line.a.lon], [line.b.lat, line.b.lon]],
            color=NETWORK_BRIDGE if line.bridge else "#555",
            weight=5 if line.bridge else 2,
            opacity=0.85,
            dash_array=None if line.bridge else "2 4",
            tooltip=tip,
            class_name="tg-net-bridge" if line.bridge else "tg-net-line",
        ).add_to(fg)
    for a in data.network_agencies:
        r = a.resource
        where = "主な連携網" if a.main else "切り離されている"
        tip = f"<b>{_e(r.name)}</b><br>連携網 {a.component_id} ({where})"
        if a.cut_reason_ja:
            tip += f"<br><b>{_e(a.cut_reason_ja)}</b>"
        if a.articulation:
            folium.CircleMarker(
                [r.lat, r.lon],
                radius=13,
                color=NETWORK_BRIDGE,
                weight=3.5,
                fill=False,
                tooltip=tip,
                class_name="tg-net-cut",
            ).add_to(fg)
        # a halo under the agency's own marker: blue in the main network, red when cut off
        folium.CircleMarker(
            [r.lat, r.lon],
            radius=12,
            color="#222",
            weight=1,
            fill=True,
            fill_color=NETWORK_MAIN if a.main else NETWORK_CUT_OFF,
            fill_opacity=0.95,
            tooltip=tip,
            class_name="tg-net-agency" if a.main else "tg-net-agency tg-net-cutoff",
        ).add_to(fg)
    fg.add_to(m)


def _legend_html(data: MapData, analysis: GapReport, *, offline: bool) -> str:
    parts: list[str] = [
        '<span class="tg-legend-toggle">閉じる</span>',
        f"<h3>{_e(data.town_name)} 資源マップ</h3>",
        '<div class="tg-legend-body">',
    ]
    if data.empty:
        parts.append(
            '<p class="note"><b>表示できるデータがありません</b> (この町にはまだ何も登録されていません)</p>'
        )
    parts.append("<h4>資源の種類 (形)</h4>")
    counts: dict[str, int] = defaultdict(int)
    for r in data.resources:
        counts[r.label] += 1
    for label, name in RESOURCE_KINDS.items():
        _, sym = _SHAPES[label]
        parts.append(f'<div class="row"><span>{sym}</span>{_e(name)} {counts[label]}件</div>')
    parts.append("<h4>分野 (色) ― チェックで絞り込み</h4>")
    present = {s for r in data.resources for s in (r.sectors or (UNKNOWN_SECTOR,))}
    for s, col in SECTOR_COLOURS.items():
        if s not in present and s != UNKNOWN_SECTOR:
            continue
        if s == UNKNOWN_SECTOR and s not in present:
            continue
        parts.append(
            f'<div class="row"><label><input type="checkbox" checked data-sector="{s}"> '
            f'<span class="sw" style="background:{col}"></span> {_e(sector_ja(s))}</label></div>'
        )
    parts.append('<p class="note">複数分野の資源は色を分けて塗っています。破線の枠は位置が概略のもの。</p>')
    parts.append("<h4>機関の連携 (線)</h4>")
    for lv in CollaborationLevel:
        parts.append(
            f'<div class="row"><span class="ln" style="border-color:{LEVEL_COLOURS[lv.value]};'
            f'border-top-width:{1 + lv.rank}px"></span>連携段階「{_e(lv.ja)}」</div>'
        )
    parts.append(
        f'<div class="row"><span class="ln" style="border-color:{MISSING_COLOUR};border-top-style:dashed">'
        f"</span>未連携 ({analysis.missing_links.k}世帯以上を共に支援、"
        f"「{_e(CollaborationLevel(analysis.missing_links.min_level).ja)}」未満)</div>"
    )
    net = analysis.agency_network
    parts.append("<h4>機関の連携網 (レイヤー「機関の連携網」)</h4>")
    parts.append(
        f'<div class="row"><span class="sw" style="background:{NETWORK_MAIN};border-radius:50%"></span>'
        "主な連携網の機関</div>"
        f'<div class="row"><span class="sw" style="background:{NETWORK_CUT_OFF};border-radius:50%"></span>'
        "切り離されている機関</div>"
        '<div class="row"><span class="sw" style="background:#fff;border:3px solid #e31a1c;border-radius:50%">'
        "</span>欠けると網が分かれる機関</div>"
        f'<div class="row"><span class="ln" style="border-color:{NETWORK_BRIDGE};border-top-width:4px"></span>'
        "途切れると網が分かれる連携</div>"
    )
    parts.append(f'<p class="note">{_e(net.summary_ja)}</p>')
    if net.cut_off:
        # the agencies cut off are the first finding: name them, and say when the map cannot show them (an agency
        # outside the town, such as a prefectural centre, does not widen the view; one with no location is not drawn)
        bounds = data.bounds()
        where = {a.resource.id: a.resource for a in data.network_agencies}

        def _place(agency_id: str) -> str:
            r = where.get(agency_id)
            if r is None:
                return " (位置不明のため地図になし)"
            if bounds is not None:
                (south, west), (north, east) = bounds
                if not (south <= r.lat <= north and west <= r.lon <= east):
                    return " (町外: 地図の表示範囲外)"
            return ""

        names = "、".join(_e(a.name) + _place(a.agency_id) for a in net.cut_off[:12])
        more = f" ほか{len(net.cut_off) - 12}機関" if len(net.cut_off) > 12 else ""
        parts.append(f'<p class="note tg-net-cutoff-names"><b>切り離されている機関</b>: {names}{more}</p>')
    if data.network_unlocated:
        parts.append(f'<p class="note">位置の分からない機関 {data.network_unlocated} は描いていません。</p>')
    parts.append("<h4>世帯 (約500mメッシュの世帯数)</h4>")
    for key, label in (
        ("clusters", "機関のいない孤立したまとまりの世帯"),
        ("isolated", "孤立世帯"),
        ("outreach", "アウトリーチ候補"),
        ("far", "徒歩圏外の要配慮世帯"),
    ):
        sw = "".join(f'<span class="sw" style="background:{c}"></span>' for c in CELL_PALETTES[key])
        parts.append(f'<div class="row">{sw} {label}</div>')
    parts.append(
        f'<p class="note">区切り: {"・".join(str(b) for b in CELL_BREAKS)}世帯以上。'
        f"<b>{data.min_cell_count}世帯未満のメッシュは表示しません</b> (個人が特定されないよう、世帯の位置・ID・氏名は地図に含めていません)。</p>"
    )
    for agg, label in (
        (data.cluster_cells, f"孤立したまとまり ({data.clusters}組) の世帯"),
        (data.isolated_cells, "孤立世帯"),
        (data.outreach_cells, "アウトリーチ候補"),
        (data.far_cells, "徒歩圏外の要配慮世帯"),
    ):
        parts.append(
            f'<p class="note">{label}: 表示 {agg.shown:,}世帯 / 非表示 {agg.suppressed_households:,}世帯'
            f" ({agg.suppressed_cells}メッシュ)</p>"
        )
    parts.append(
        f"<h4>地区別: 徒歩圏外 ({analysis.coverage.walking_distance_m:,.0f}m超) の要配慮世帯の割合</h4>"
    )
    for _, col, label in SHARE_BREAKS:
        parts.append(f'<div class="row"><span class="sw" style="background:{col}"></span>{label}</div>')
    parts.append(
        f'<div class="row"><span class="sw" style="background:{SHARE_TOP[0]}"></span>{SHARE_TOP[1]}</div>'
    )
    parts.append(
        f'<div class="row"><span class="sw" style="background:{SHARE_NA}"></span>'
        f"要配慮世帯{data.min_cell_count}未満 (非表示)</div>"
    )
    parts.append("<h4>町域・地区の境界</h4>")
    parts.append(
        f'<div class="row"><span class="sw" style="background:#faf7ef;border:2px solid #333"></span>'
        f'町域の概形 (推定)</div><p class="note">{_e(data.outline.method_ja)}。地区の境界は最寄りの世帯の地区から推定。</p>'
    )
    notes: list[str] = []
    if data.households_without_location:
        notes.append(f"位置の分からない世帯 {data.households_without_location:,} (メッシュに含まれません)")
    if data.resources_without_location:
        names = "、".join(n for _, _, n in data.resources_without_location[:5])
        more = " ほか" if len(data.resources_without_location) > 5 else ""
        notes.append(f"位置の分からない資源 {len(data.resources_without_location)}件 ({_e(names)}{more})")
    if data.opportunities_full:
        notes.append(f"空きのない参加メニュー {data.opportunities_full}件 (非表示)")
    if data.opportunities_remote:
        notes.append(f"在宅・遠隔の参加メニュー {data.opportunities_remote}件 (地図には表示しません)")
    if data.agencies_without_sector:
        notes.append(
            f"分野の登録がない機関 {len(data.agencies_without_sector)}件: "
            f"{_e('、'.join(data.agencies_without_sector[:5]))}"
        )
    if notes:
        parts.append("<h4>表示していないもの</h4>")
        parts.extend(f'<p class="note">{n}</p>' for n in notes)
    src = "背景なし (オフライン版)" if offline else "背景: 地理院タイル (標準地図)"
    parts.append(f'<p class="note">{src}。世帯 {data.households:,}、資源 {len(data.resources)}件。</p>')
    parts.append("</div>")
    return "".join(parts)


def build_map_from_data(data: MapData, analysis: GapReport, *, offline: bool) -> folium.Map:
    """Draw a :class:`MapData` (see :func:`build_map`)."""
    bounds = data.bounds()
    m = folium.Map(
        location=[36.2, 138.25]
        if bounds is None
        else [(bounds[0][0] + bounds[1][0]) / 2, (bounds[0][1] + bounds[1][1]) / 2],
        zoom_start=5 if bounds is None else 11,
        tiles=None,
        control_scale=True,
        prefer_canvas=False,
    )
    # folium's default CDN links: inline Leaflet, drop the rest (see graphsvc.maps.assets)
    m.default_js = []
    m.default_css = []
    root = cast(Figure, m.get_root())
    root.header.add_child(Element(f"<style>{leaflet_css()}</style>"), name="leaflet_css_inline")
    root.header.add_child(Element(f"<script>{leaflet_js()}</script>"), name="leaflet_js_inline")
    root.header.add_child(Element(f"<script>{JQUERY_SHIM}</script>"), name="jquery_shim")
    bg = "#dcebf5" if offline else "#ffffff"
    root.header.add_child(Element(f"<style>{_CSS % {'font': _FONT, 'bg': bg}}</style>"), name="tg_css")
    root.header.add_child(Element(f"<title>{_e(data.town_name)} 資源マップ</title>"), name="tg_title")

    outline_gj = data.outline.geojson
    if offline:
        folium.GeoJson(
            outline_gj,
            name=LAYER_NAMES["outline"],
            overlay=False,
            control=True,
            style_function=lambda _f: {
                "color": "#333",
                "weight": 2,
                "fillColor": "#faf7ef",
                "fillOpacity": 1,
            },
            tooltip=f"{data.town_name} 町域の概形 (推定)",
            attr=JMA_ATTRIBUTION if data.outline.method == "jma" else None,
        ).add_to(m)
    else:
        folium.TileLayer(
            tiles=GSI_TILES,
            attr=GSI_ATTRIBUTION,
            name=LAYER_NAMES["tiles"],
            max_zoom=18,
            min_zoom=5,
            overlay=False,
            control=True,
        ).add_to(m)
        folium.GeoJson(
            outline_gj,
            name=LAYER_NAMES["outline"],
            style_function=lambda _f: {"color": "#333", "weight": 2, "fill": False, "dashArray": "4 4"},
        ).add_to(m)

    areas = folium.FeatureGroup(name=LAYER_NAMES["areas"], show=True)
    for a in data.areas:
        col, share = share_colour(a.far_share, a.at_risk, data.min_cell_count, a.far)
        tip = (
            f"<b>{_e(a.name)}</b><br>要配慮世帯 {count_ja(a.at_risk, data.min_cell_count)}"
            f" / 徒歩圏外 {count_ja(a.far, data.min_cell_count)} ({_e(share)})"
        )
        folium.GeoJson(
            {
                "type": "Feature",
                "properties": {},
                "geometry": {"type": "MultiPolygon", "coordinates": a.polygons},
            },
            style_function=lambda _f, col=col: {
                "color": "#666",
                "weight": 1,
                "fillColor": col,
                "fillOpacity": 0.45,
            },
            tooltip=folium.Tooltip(tip),
        ).add_to(areas)
    areas.add_to(m)

    _add_cells(m, data.cluster_cells, "clusters", "機関のいない孤立したまとまりの世帯", show=True)
    _add_cells(m, data.isolated_cells, "isolated", "孤立世帯", show=True)
    _add_cells(m, data.outreach_cells, "outreach", "アウトリーチ候補世帯", show=False)
    _add_cells(m, data.far_cells, "far", "徒歩圏外の要配慮世帯", show=False)

    collab = folium.FeatureGroup(name=LAYER_NAMES["collab"], show=True)
    for c in data.collab:
        folium.PolyLine(
            [[c.a.lat, c.a.lon], [c.b.lat, c.b.lon]],
            color=LEVEL_COLOURS[c.level],
            weight=1.5 + c.rank,
            opacity=0.85,
            tooltip=f"{_e(c.a.name)} ⇄ {_e(c.b.name)}: 連携段階「{_e(c.level_ja)}」",
        ).add_to(collab)
    collab.add_to(m)

    _add_network(m, data)

    located = {(r.label, r.id): r for r in data.resources}
    missing = folium.FeatureGroup(name=LAYER_NAMES["missing"], show=False)
    for link in analysis.missing_links.links[:200]:
        ra = located.get((NodeLabel.AGENCY.value, link.agency_a.agency_id))
        rb = located.get((NodeLabel.AGENCY.value, link.agency_b.agency_id))
        if ra is None or rb is None:
            continue
        folium.PolyLine(
            [[ra.lat, ra.lon], [rb.lat, rb.lon]],
            color=MISSING_COLOUR,
            weight=1.5 + min(4.0, math.log2(1 + link.shared_households) / 2),
            opacity=0.8,
            dash_array="6 6",
            tooltip=_e(link.reason_ja),
        ).add_to(missing)
    missing.add_to(m)

    offsets = _offsets(data.resources)
    groups = {label: folium.FeatureGroup(name=LAYER_NAMES[label], show=True) for label in RESOURCE_KINDS}
    rows: dict[str, list[list[object]]] = {label: [] for label in RESOURCE_KINDS}
    for i, r in enumerate(data.resources):
        dx, dy = offsets[i]
        rows[r.label].append(
            [
                r.lat,
                r.lon,
                _shape_html(r),
                f"tg-mk tg-{r.label.lower()}",
                round(_MARKER_SIZE / 2 - dx),
                round(_MARKER_SIZE / 2 - dy),
                _e(r.name),
                _popup_html(r),
            ]
        )
    for label, group in groups.items():
        if rows[label]:
            group.add_child(_Markers(rows[label]))
    for g in groups.values():
        g.add_to(m)

    folium.LayerControl(collapsed=False, position="topright").add_to(m)
    m.add_child(_Legend(_legend_html(data, analysis, offline=offline)))
    if data.empty:
        root.html.add_child(
            Element('<div class="tg-empty">表示できるデータがありません (no data for this town)</div>')
        )
    if bounds is not None:
        (s, w), (n, e) = bounds
        pad = 0.005
        m.add_child(_FitBounds([[s - pad, w - pad], [n + pad, e + pad]]))
    return m


def build_map(
    store: GraphStore,
    *,
    offline: bool,
    analysis: GapReport | None = None,
    graph: nx.Graph | None = None,
) -> folium.Map:
    """The resource map of a store's town.

    Parameters
    ----------
    store : GraphStore
        The town.
    offline : bool
        One self-contained file with no tiles (the town's estimated outline as the base) when True; 地理院タイル
        under the layers when False. Leaflet is inlined in both, so only the tiles need the network.
    analysis : GapReport, optional
        The town's analysis (computed when None).
    graph : networkx graph, optional
        The town's projection, if the caller has it already.
    """
    G = graph if graph is not None else store.projection()
    rep = analysis if analysis is not None else analyse_all(G)
    return build_map_from_data(collect_map_data(G, rep, town=store.town), rep, offline=offline)


def render_map(m: folium.Map) -> str:
    """The map as one HTML document (``lang="ja"``)."""
    out = m.get_root().render()
    out = out.replace("<html>", '<html lang="ja">', 1)
    return str(out)


def write_map(
    store: GraphStore,
    path: str | Path,
    *,
    offline: bool,
    analysis: GapReport | None = None,
    graph: nx.Graph | None = None,
) -> Path:
    """Build the resource map (see :func:`build_map`) and write it to ``path``; returns the path."""
    m = build_map(store, offline=offline, analysis=analysis, graph=graph)
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(render_map(m), encoding="utf-8")
    return p


def external_refs(text: str) -> list[str]:
    """``<script src>`` and ``<link href>`` tags of an HTML text that point at http(s) (none in a good offline
    map)."""
    bad = re.findall(r"<script[^>]+src=[\"']?https?:[^>]*>", text, flags=re.I)
    bad += re.findall(r"<link[^>]+href=[\"']?https?:[^>]*>", text, flags=re.I)
    return bad
