"""Maps of a town for 地域づくり (community developers): resources by kind and sector, collaboration links,
coverage gaps, and households only in aggregate (counts per ~500 m mesh cell, cells under 5 suppressed).

- :func:`build_map` / :func:`write_map`: the folium resource map, online (地理院タイル) or offline (one
  self-contained HTML file, Leaflet inlined, the town's estimated outline as the base);
- :mod:`graphsvc.maps.geo`: JIS mesh cells, the estimated town and area outlines, suppression;
- :mod:`graphsvc.maps.data`: what the map and the report draw, read once from a projection;
- :mod:`graphsvc.maps.assets`: the vendored front-end files and what folium's defaults become.
"""

from __future__ import annotations

from graphsvc.maps.data import MapData, Resource, collect_map_data
from graphsvc.maps.geo import MIN_CELL_COUNT, aggregate_cells, mesh_code, town_outline
from graphsvc.maps.resource_map import (
    GSI_ATTRIBUTION,
    GSI_TILES,
    LAYER_NAMES,
    build_map,
    build_map_from_data,
    external_refs,
    render_map,
    write_map,
)

__all__ = [
    "GSI_ATTRIBUTION",
    "GSI_TILES",
    "LAYER_NAMES",
    "MIN_CELL_COUNT",
    "MapData",
    "Resource",
    "aggregate_cells",
    "build_map",
    "build_map_from_data",
    "collect_map_data",
    "external_refs",
    "mesh_code",
    "render_map",
    "town_outline",
    "write_map",
]
