"""The gap report: one printable Japanese HTML page for the 重層的支援会議, with ``gaps.json`` and CSVs beside it.

The page is for 多機関協働 staff, whose meeting is bound to confidentiality (支援会議, 社会福祉法第106条の6):
household ids appear in its lists, names never do. The map inside it is the aggregate resource map (an iframe
to ``resource-map.html`` in the same folder, when it is there) and a static SVG sketch that prints.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import jinja2
import networkx as nx

from graphsvc.analysis import GapReport, analyse_all
from graphsvc.analysis.common import sector_ja
from graphsvc.domain.enums import CollaborationLevel, HouseholdFlag
from graphsvc.maps.data import MapData, collect_map_data
from graphsvc.maps.resource_map import SECTOR_COLOURS
from graphsvc.reports.exports import write_csvs, write_gaps_json
from graphsvc.reports.network_svg import MAX_DRAWN, agency_network_svg
from graphsvc.reports.svg import town_sketch_svg
from graphsvc.store.port import GraphStore

__all__ = ["GapOutputs", "ReportFigures", "figures_of", "render_report", "write_gap_outputs"]

MAP_FILE = "resource-map.html"


@dataclass(frozen=True)
class ReportFigures:
    """The summary figures of the report, each straight from the analysis."""

    households: int
    isolated: int
    weak_only: int
    single_kind: int
    outreach: int
    overlap_candidates: int
    households_with_needs: int
    gini: float
    top_share: float
    top_agency: str | None
    hard_cases: int
    modularity: float | None
    siloed: bool | None
    at_risk: int
    far: int
    far_share: float | None
    households_without_location: int
    at_risk_without_location: int
    agencies_without_sector: tuple[str, ...]
    missing_links: int
    single_points: int
    agency_components: int = 1
    agencies_cut_off: int = 0
    articulation_points: int = 0
    network_bridges: int = 0
    reach_k: int = 3
    beyond_k: int = 0
    unreachable: int = 0
    no_tie: int = 0
    clusters: int = 0
    cluster_households: int = 0
    unknown_strength_ties: int = 0


def figures_of(report: GapReport, data: MapData) -> ReportFigures:
    iso, con, cov = report.isolation, report.concentration, report.coverage
    net, reach = report.agency_network, report.reachability
    located = cov.at_risk - len(cov.no_location)
    top = next((a for a in con.agencies if a.agency_id == con.top_agency_id), None)
    return ReportFigures(
        households=iso.households,
        isolated=len(iso.isolated),
        weak_only=len(iso.weak_only),
        single_kind=len(iso.single_kind),
        outreach=len(iso.outreach),
        overlap_candidates=len(report.overlap.candidates),
        households_with_needs=report.overlap.households_with_needs,
        gini=con.gini,
        top_share=con.top_share,
        top_agency=(top.name or top.agency_id) if top else None,
        hard_cases=con.hard_cases,
        modularity=report.silo.modularity,
        siloed=report.silo.siloed,
        at_risk=cov.at_risk,
        far=len(cov.far),
        far_share=(len(cov.far) / located) if located else None,
        households_without_location=data.households_without_location,
        at_risk_without_location=len(cov.no_location),
        agencies_without_sector=tuple(data.agencies_without_sector),
        missing_links=len(report.missing_links.links),
        single_points=len(report.fragility.single_points),
        agency_components=len(net.components),
        agencies_cut_off=len(net.cut_off),
        articulation_points=len(net.articulation_points),
        network_bridges=len(net.bridges),
        reach_k=reach.k,
        beyond_k=len(reach.beyond_k),
        unreachable=len(reach.unreachable),
        no_tie=len(reach.no_tie),
        clusters=len(reach.clusters),
        cluster_households=reach.cluster_households,
        unknown_strength_ties=reach.quality.unknown_strength,
    )


@cache
def _env() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("graphsvc.reports", "templates"),
        autoescape=jinja2.select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters["pct"] = lambda v, d=0: "—" if v is None else f"{v * 100:.{d}f}%"
    env.filters["num"] = lambda v, d=0: "—" if v is None else f"{v:,.{d}f}"
    env.filters["sector_ja"] = sector_ja
    env.filters["flag_ja"] = _flag_ja
    env.filters["level_ja"] = lambda v: CollaborationLevel(v).ja
    return env


def _flag_ja(code: str) -> str:
    try:
        return HouseholdFlag(code).ja
    except ValueError:
        return code


def _css() -> str:
    return resources.files("graphsvc.reports").joinpath("templates", "report.css").read_text("utf-8")


def _hop_rows(report: GapReport) -> list[dict[str, Any]]:
    """Households by steps to the nearest agency / formal / informal supporter (1, 2, … k, beyond k, none)."""
    from graphsvc.analysis.reachability import hop_rows

    return hop_rows(report.reachability.hops, report.reachability.k)


def _heat(count: int, top: int) -> str:
    if count <= 0 or top <= 0:
        return "#ffffff"
    a = 0.12 + 0.78 * (count / top)
    return f"rgba(203, 24, 29, {a:.2f})"


def _matrix_rows(report: GapReport) -> list[dict[str, Any]]:
    m = report.overlap.matrix
    # the diagonal (households with a need in one sector) and the pairs are shaded on their own scales
    n = len(m.counts)
    top_diag = max((m.counts[i][i] for i in range(n)), default=0)
    top_pair = max((m.counts[i][j] for i in range(n) for j in range(n) if i != j), default=0)
    return [
        {
            "label": m.sectors_ja[i],
            "cells": [
                {
                    "count": c,
                    "bg": _heat(c, top_diag if i == j else top_pair),
                    "dark": (top_diag if i == j else top_pair) > 0
                    and c / (top_diag if i == j else top_pair) > 0.55,
                    "diag": i == j,
                    "title": f"{m.sectors_ja[i]}×{m.sectors_ja[j]}: {c}世帯",
                }
                for j, c in enumerate(row)
            ],
        }
        for i, row in enumerate(m.counts)
    ]


@dataclass
class GapOutputs:
    """What :func:`write_gap_outputs` wrote."""

    report: Path
    json: Path
    csvs: list[Path] = field(default_factory=list)


def render_report(
    report: GapReport,
    data: MapData,
    *,
    top: int = 30,
    map_href: str | None = None,
    generated: datetime | None = None,
) -> str:
    """The report page as HTML text.

    Parameters
    ----------
    report, data
        The analysis and the map data of the town.
    top : int
        Rows of each long list (the CSVs have every row).
    map_href : str, optional
        The resource map to embed in an iframe (relative to the report), when it exists.
    """
    fig = figures_of(report, data)
    when = (generated or datetime.now()).strftime("%Y年%m月%d日 %H:%M")
    T = report.reachability.tie_graph
    reach = report.reachability
    far = [d for d in reach.details if d.status in ("beyond_k", "unreachable")][:top]
    ctx = {
        "findings": report.findings_ja,
        "net": report.agency_network,
        "reach": reach,
        "far_households": far,
        "hop_rows": _hop_rows(report),
        "net_svg": agency_network_svg(report.agency_network, T, SECTOR_COLOURS) if T is not None else "",
        "net_max": MAX_DRAWN,
        "tie_notes": reach.quality.notes_ja,
        "town": data.town,
        "town_name": data.town_name,
        "generated": when,
        "fig": fig,
        "r": report,
        "top": top,
        "empty": fig.households == 0 and not data.resources and not report.concentration.agencies,
        "matrix_rows": _matrix_rows(report),
        "sectors_ja": report.overlap.matrix.sectors_ja,
        "sketch": town_sketch_svg(data),
        "map_href": map_href,
        "outline_method": data.outline.method_ja,
        "min_cell": data.min_cell_count,
        "css": _css(),
        "sector_colours": SECTOR_COLOURS,
        "resources_without_location": data.resources_without_location,
        "area_names": {
            **{a.area_id: a.name for a in report.coverage.areas if a.name},
            **{a.area_id: a.name for a in data.areas},
        },
        "gap_short": {
            "isolated": "孤立",
            "cluster": "機関のいないまとまり",
            "no_chain": "機関まで届かない",
            "weak_only": "弱いつながりのみ",
            "single_kind": "一種類のみ",
        },
    }
    return _env().get_template("gap_report.html").render(**ctx)


def write_gap_outputs(
    store: GraphStore,
    out_dir: str | Path,
    *,
    analysis: GapReport | None = None,
    graph: nx.Graph | None = None,
    data: MapData | None = None,
    top: int = 30,
) -> GapOutputs:
    """Write ``gap-report.html``, ``gaps.json`` and the CSVs of a store's town into ``out_dir``."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    G = graph if graph is not None else store.projection()
    rep = analysis if analysis is not None else analyse_all(G)
    md = data if data is not None else collect_map_data(G, rep, town=store.town)
    html_text = render_report(rep, md, top=top, map_href=MAP_FILE if (out / MAP_FILE).exists() else None)
    report_path = out / "gap-report.html"
    report_path.write_text(html_text, encoding="utf-8")
    fig = figures_of(rep, md)
    json_path = write_gaps_json(
        rep,
        out / "gaps.json",
        town=store.town,
        extra={
            "data_quality": {
                "households_without_location": fig.households_without_location,
                "agencies_without_sector": list(fig.agencies_without_sector),
                "resources_without_location": [
                    {"label": lab, "id": i, "name": n} for lab, i, n in md.resources_without_location
                ],
            }
        },
    )
    return GapOutputs(report_path, json_path, write_csvs(rep, out))
