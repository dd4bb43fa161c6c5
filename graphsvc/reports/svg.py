"""A static inline SVG sketch of a town for the printed report: estimated area outlines shaded by the share of
at-risk households beyond a walk, and resources as small symbols. Households do not appear."""

from __future__ import annotations

import html
import math

from graphsvc.maps.data import MapData
from graphsvc.maps.geo import KM_PER_DEG_LAT, km_per_deg_lon
from graphsvc.maps.resource_map import SECTOR_COLOURS, share_colour

__all__ = ["town_sketch_svg"]


def town_sketch_svg(data: MapData, *, width: int = 640) -> str:
    """The sketch as an ``<svg>`` element (empty string when nothing has a location)."""
    b = data.bounds()
    if b is None:
        return ""
    (s, w), (n, e) = b
    lat0 = (s + n) / 2
    kx, ky = km_per_deg_lon(lat0), KM_PER_DEG_LAT
    span_x, span_y = max((e - w) * kx, 0.5), max((n - s) * ky, 0.5)
    scale = (width - 20) / span_x
    height = int(min(span_y * scale + 20, width * 1.3))
    scale = min(scale, (height - 20) / span_y)

    def xy(lon: float, lat: float) -> tuple[float, float]:
        return 10 + (lon - w) * kx * scale, 10 + (n - lat) * ky * scale

    def path(polys: list[list[list[tuple[float, float]]]]) -> str:
        d = []
        for poly in polys:
            for ring in poly:
                pts = [xy(lon, lat) for lon, lat in ring]
                d.append("M" + " L".join(f"{x:.1f},{y:.1f}" for x, y in pts) + " Z")
        return " ".join(d)

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="sketch" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label="{html.escape(data.town_name)}の概略図">',
        f'<rect x="0" y="0" width="{width}" height="{height}" fill="#eef5fa"/>',
    ]
    if data.outline.polygons:
        out.append(
            f'<path d="{path(data.outline.polygons)}" fill="#faf7ef" stroke="#333" stroke-width="1.5" '
            'fill-rule="evenodd"/>'
        )
    labels = []
    for a in data.areas:
        col, share = share_colour(a.far_share, a.at_risk, data.min_cell_count, a.far)
        out.append(
            f'<path d="{path(a.polygons)}" fill="{col}" fill-opacity="0.75" stroke="#666" stroke-width="0.6" '
            f'fill-rule="evenodd"><title>{html.escape(a.name)}: {html.escape(share)}</title></path>'
        )
        biggest = max((poly[0] for poly in a.polygons), key=len, default=None)
        if biggest:
            pts = [xy(lon, lat) for lon, lat in biggest[:-1]]
            cx, cy = sum(p[0] for p in pts) / len(pts), sum(p[1] for p in pts) / len(pts)
            labels.append(
                f'<text x="{cx:.1f}" y="{cy:.1f}" class="lbl">{html.escape(a.name.split(" (")[0])}</text>'
            )
    for r in data.resources:
        if not (s <= r.lat <= n and w <= r.lon <= e):
            continue
        x, y = xy(r.lon, r.lat)
        col = SECTOR_COLOURS.get(r.sectors[0] if r.sectors else "unknown", "#9e9e9e")
        if r.label == "Agency":
            out.append(
                f'<rect x="{x - 3:.1f}" y="{y - 3:.1f}" width="6" height="6" fill="{col}" stroke="#222" stroke-width="0.8"/>'
            )
        elif r.label == "Venue":
            out.append(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.2" fill="{col}" stroke="#222" stroke-width="0.8"/>'
            )
        else:
            k = 3.6
            tri = " ".join(
                f"{x + k * math.cos(t):.1f},{y + k * math.sin(t):.1f}"
                for t in ((-math.pi / 2), (math.pi / 6), (5 * math.pi / 6))
            )
            out.append(f'<polygon points="{tri}" fill="{col}" stroke="#222" stroke-width="0.8"/>')
    out.extend(labels)
    out.append("</svg>")
    return "".join(out)
