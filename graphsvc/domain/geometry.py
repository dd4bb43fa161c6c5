"""Distances on the WGS84 sphere: the one haversine and the one degrees-to-kilometres rule of the project."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

__all__ = [
    "EARTH_RADIUS_KM",
    "EARTH_RADIUS_M",
    "KM_PER_DEG_LAT",
    "haversine_km",
    "haversine_km_scalar",
    "haversine_m",
    "km_per_deg_lon",
]

EARTH_RADIUS_KM = 6371.0088
"""Mean Earth radius (IUGG), kilometres."""
EARTH_RADIUS_M = EARTH_RADIUS_KM * 1000.0
KM_PER_DEG_LAT = 110.574
"""Kilometres per degree of latitude (near 35°N, close enough anywhere in Japan)."""


def km_per_deg_lon(lat: float) -> float:
    """Kilometres per degree of longitude at a latitude (sphere approximation).

    >>> round(km_per_deg_lon(0.0), 3), round(km_per_deg_lon(60.0), 2)
    (111.32, 55.66)
    """
    return 111.320 * math.cos(math.radians(lat))


def haversine_km(lat1: Any, lon1: Any, lat2: Any, lon2: Any) -> Any:
    """Great-circle kilometres between points, vectorised over numpy arrays (broadcasting; NaN stays NaN).

    >>> round(float(haversine_km(34.48, 136.84, 34.49, 136.84)), 3)
    1.112
    >>> haversine_km(34.48, 136.84, np.array([34.48, 34.49]), np.array([136.84, 136.84])).round(3).tolist()
    [0.0, 1.112]
    """
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dphi = p2 - p1
    dl = np.radians(np.asarray(lon2, dtype=float) - np.asarray(lon1, dtype=float))
    a = np.sin(dphi / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def haversine_m(lat1: Any, lon1: Any, lat2: Any, lon2: Any) -> Any:
    """:func:`haversine_km` in metres.

    >>> round(float(haversine_m(34.0, 136.0, 35.0, 136.0)), 1)  # one degree of latitude
    111195.1
    """
    return haversine_km(lat1, lon1, lat2, lon2) * 1000.0


def haversine_km_scalar(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """:func:`haversine_km` for one pair in plain Python (no numpy overhead in per-pair loops).

    >>> round(haversine_km_scalar(34.48, 136.84, 34.49, 136.84), 3)
    1.112
    """
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dphi = p2 - p1
    dl = math.radians(lon2) - math.radians(lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(min(1.0, max(0.0, a))))
