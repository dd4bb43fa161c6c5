"""A static SVG of the agency collaboration network for the printed report: each connected group drawn apart
(the main one large, the cut-off ones beside it), agencies coloured by sector, the agencies whose loss splits the
network ringed in red, the collaborations whose loss splits it drawn red and thick. Names are the agencies' own."""

from __future__ import annotations

import html
import math

import networkx as nx

from graphsvc.analysis.agency_network import AgencyNetworkResult
from graphsvc.analysis.tiegraph import TieGraph
from graphsvc.domain.enums import CollaborationLevel

__all__ = ["MAX_DRAWN", "agency_network_svg"]

MAX_DRAWN = 160
"""Networks with more agencies than this are not drawn (the tables and CSVs list them)."""

_CUT = "#c62828"


def _short(name: str, n: int = 11) -> str:
    return name if len(name) <= n else name[: n - 1] + "…"


def _layout(
    members: list[str], edges: list[tuple[str, str]], seed: int = 7
) -> dict[str, tuple[float, float]]:
    """Positions in [0, 1]² (deterministic)."""
    if len(members) == 1:
        return {members[0]: (0.5, 0.5)}
    g = nx.Graph()
    g.add_nodes_from(members)
    g.add_edges_from(edges)
    if len(members) <= 2:
        pos = {m: (0.2 + 0.6 * i, 0.5) for i, m in enumerate(members)}
        return pos
    raw = nx.kamada_kawai_layout(g) if len(members) <= 60 else nx.spring_layout(g, seed=seed)
    xs = [p[0] for p in raw.values()]
    ys = [p[1] for p in raw.values()]
    x0, x1, y0, y1 = min(xs), max(xs), min(ys), max(ys)
    sx, sy = (x1 - x0) or 1.0, (y1 - y0) or 1.0
    return {m: ((float(p[0]) - x0) / sx, (float(p[1]) - y0) / sy) for m, p in raw.items()}


def agency_network_svg(
    net: AgencyNetworkResult, graph: TieGraph, colours: dict[str, str], *, width: int = 680
) -> str:
    """The network as an ``<svg>`` element; an empty string when there is nothing to draw (no agency) or too much
    (more than :data:`MAX_DRAWN` agencies)."""
    if net.agencies == 0 or net.agencies > MAX_DRAWN:
        return ""
    floor = CollaborationLevel(net.min_level).rank
    edges_all = [(graph.ids[a], graph.ids[b]) for a, b, rank in graph.collaborations if rank >= floor]
    bridges = {frozenset((b.a.agency_id, b.b.agency_id)) for b in net.bridges}
    cuts = {c.agency.agency_id for c in net.articulation_points}
    comps = list(net.components)
    main = comps[0]
    rest = comps[1:]
    main_h = 360 if main.size > 1 else 120
    cols = 4
    cell_w = (width - 20) / cols
    cell_h = 150
    rows = math.ceil(len(rest) / cols) if rest else 0
    height = int(main_h + 30 + rows * cell_h + (24 if rest else 0))
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="netsketch" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" role="img" aria-label="支援関係機関の連携網">',
        f'<rect x="0" y="0" width="{width}" height="{height}" fill="#fbfbf8"/>',
    ]
    labels: list[str] = []

    def draw(
        members: list[tuple[str, str, str]], box: tuple[float, float, float, float], caption: str
    ) -> None:
        x0, y0, w, h = box
        names = [m[0] for m in members]
        inside = set(names)
        edges = [(a, b) for a, b in edges_all if a in inside and b in inside]
        pos = _layout(names, edges)
        pad_x = min(70.0, w / 3)
        pad_y = 30.0

        def xy(n: str) -> tuple[float, float]:
            px, py = pos[n]
            return x0 + pad_x + px * (w - 2 * pad_x), y0 + 22 + py * (h - 22 - pad_y)

        out.append(
            f'<rect x="{x0:.1f}" y="{y0:.1f}" width="{w:.1f}" height="{h:.1f}" fill="none" stroke="#ccc" '
            'stroke-dasharray="3 3"/>'
        )
        out.append(f'<text x="{x0 + 6:.1f}" y="{y0 + 13:.1f}" class="cap">{html.escape(caption)}</text>')
        for a, b in edges:
            (ax, ay), (bx, by) = xy(a), xy(b)
            is_bridge = frozenset((a, b)) in bridges
            out.append(
                f'<line x1="{ax:.1f}" y1="{ay:.1f}" x2="{bx:.1f}" y2="{by:.1f}" '
                f'stroke="{_CUT if is_bridge else "#888"}" stroke-width="{3 if is_bridge else 1.2}"/>'
            )
        for aid, name, sector in members:
            x, y = xy(aid)
            col = colours.get(sector, "#9e9e9e")
            ring = (
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="10" fill="none" stroke="{_CUT}" stroke-width="2.5"/>'
                if aid in cuts
                else ""
            )
            out.append(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="6" fill="{col}" stroke="#222" stroke-width="0.8">'
                f"<title>{html.escape(name)}</title></circle>{ring}"
            )
            labels.append(
                f'<text x="{x:.1f}" y="{y + 17:.1f}" class="nlbl" text-anchor="middle">{html.escape(_short(name))}</text>'
            )

    draw(
        [(a.agency_id, a.name, a.sector) for a in main.agencies],
        (10, 8, width - 20, main_h),
        f"主な連携網 ({main.size}機関)" if net.split else f"連携網 ({main.size}機関)",
    )
    if rest:
        out.append(
            f'<text x="10" y="{main_h + 28:.1f}" class="cap cut">切り離されている機関 ({sum(c.size for c in rest)})</text>'
        )
    for i, c in enumerate(rest):
        r, k = divmod(i, cols)
        draw(
            [(a.agency_id, a.name, a.sector) for a in c.agencies],
            (10 + k * cell_w, main_h + 34 + r * cell_h, cell_w - 6, cell_h - 8),
            f"{c.component_id} ({c.size}機関)",
        )
    out.extend(labels)
    out.append("</svg>")
    return "".join(out)
