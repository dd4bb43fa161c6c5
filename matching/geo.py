"""Distances and travel minutes: haversine on WGS84, minutes by mode speed.

Minutes use the straight-line distance times :data:`DETOUR` (roads are not straight) divided by the mode's
door-to-door speed, plus a fixed overhead per trip (waiting for a bus). Limits in km compare with the
straight-line distance, which is what a coordinator reads on a map.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["DETOUR", "EARTH_RADIUS_KM", "haversine_km", "haversine_km_scalar", "travel_minutes"]

EARTH_RADIUS_KM = 6371.0088
DETOUR = 1.3


def haversine_km(lat: float, lon: float, lats: np.ndarray, lons: np.ndarray) -> np.ndarray:
    """Great-circle km from one point to many (NaN where a coordinate is missing).

    >>> round(float(haversine_km(34.48, 136.84, np.array([34.49]), np.array([136.84]))[0]), 3)
    1.112
    """
    p1 = math.radians(lat)
    p2 = np.radians(lats)
    dphi = p2 - p1
    dl = np.radians(lons) - math.radians(lon)
    a = np.sin(dphi / 2) ** 2 + math.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def haversine_km_scalar(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """The same as :func:`haversine_km` for one pair, in plain Python (used by the per-pair baseline)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dphi = p2 - p1
    dl = math.radians(lon2) - math.radians(lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(min(1.0, max(0.0, a))))


def travel_minutes(km: float, kmh: float, overhead_min: float = 0.0) -> float:
    """One-way minutes for a straight-line distance at a door-to-door speed."""
    return km * DETOUR / kmh * 60.0 + overhead_min
