"""Distances and travel minutes: haversine on WGS84, minutes by mode speed.

Minutes use the straight-line distance times :data:`DETOUR` (roads are not straight) divided by the mode's
door-to-door speed, plus a fixed overhead per trip (waiting for a bus). Limits in km compare with the
straight-line distance, which is what a coordinator reads on a map.
"""

from __future__ import annotations

from graphsvc.domain.geometry import EARTH_RADIUS_KM, haversine_km, haversine_km_scalar

__all__ = ["DETOUR", "EARTH_RADIUS_KM", "haversine_km", "haversine_km_scalar", "travel_minutes"]

DETOUR = 1.3


def travel_minutes(km: float, kmh: float, overhead_min: float = 0.0) -> float:
    """One-way minutes for a straight-line distance at a door-to-door speed."""
    return km * DETOUR / kmh * 60.0 + overhead_min
