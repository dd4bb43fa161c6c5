"""Land shapes of the demo towns' settlements, and sampling of household points inside them.

A settlement is an axis-aligned ellipse of land (semi-axes in km) around a point on land. Households are drawn
uniformly inside it, so a point is never farther from the centre than the shape allows: with radii kept inside
the village (and, on the islands, inside the island) no household stands in the sea. Centres are the
municipality office points of JpGeocode and hand-placed village points; ``tests/unit/demo`` checks each shape
against the JMA municipal polygons that ``reversejp`` ships (出典：気象庁).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from graphsvc.domain.geometry import KM_PER_DEG_LAT, km_per_deg_lon

__all__ = ["KM_PER_DEG_LAT", "LandShape", "km_per_deg_lon", "municipality_code_at"]


@dataclass(frozen=True)
class LandShape:
    """An ellipse of land: centre ``(lat, lon)`` and semi-axes ``rx_km`` (east–west), ``ry_km`` (north–south)."""

    lat: float
    lon: float
    rx_km: float
    ry_km: float

    def sample(self, rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
        """``n`` points uniform in the ellipse, rounded to 6 decimals (about 0.1 m), as (lat, lon) arrays."""
        r = np.sqrt(rng.random(n)) * 0.999
        t = rng.random(n) * 2 * math.pi
        dx = r * np.cos(t) * self.rx_km
        dy = r * np.sin(t) * self.ry_km
        lat = np.round(self.lat + dy / KM_PER_DEG_LAT, 6)
        lon = np.round(self.lon + dx / km_per_deg_lon(self.lat), 6)
        return lat, lon

    def contains(self, lat: float, lon: float) -> bool:
        """Whether the point lies in the ellipse (with a 1 m tolerance for rounding)."""
        dx = (lon - self.lon) * km_per_deg_lon(self.lat)
        dy = (lat - self.lat) * KM_PER_DEG_LAT
        return (dx / (self.rx_km + 0.001)) ** 2 + (dy / (self.ry_km + 0.001)) ** 2 <= 1.0

    def outline(self, n: int = 16) -> list[tuple[float, float]]:
        """``n`` points on the boundary plus the centre, (lat, lon): what a land check samples."""
        pts = [(self.lat, self.lon)]
        for k in range(n):
            t = 2 * math.pi * k / n
            pts.append(
                (
                    self.lat + math.sin(t) * self.ry_km / KM_PER_DEG_LAT,
                    self.lon + math.cos(t) * self.rx_km / km_per_deg_lon(self.lat),
                )
            )
        return pts

    @property
    def area_km2(self) -> float:
        return math.pi * self.rx_km * self.ry_km


def municipality_code_at(lat: float, lon: float) -> str | None:
    """The 7-digit JMA code of the municipality containing the point (``reversejp``, 出典：気象庁), or None.

    Returns None also when ``reversejp`` is not installed. The JMA polygons are simplified: they tell one
    municipality from another, and open sea from land, but not a narrow strait from the shore.
    """
    try:
        import reversejp
    except ImportError:  # pragma: no cover - reversejp is a dependency
        return None
    for prop in reversejp.find_properties(lon, lat):
        if len(prop.code) == 7:
            return str(prop.code)
    return None
