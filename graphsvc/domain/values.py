"""Value objects: coordinates inside Japan, weekly schedules, capacity with a unit, external ids."""

from __future__ import annotations

import contextlib
import re
from typing import Annotated, Self

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from graphsvc.domain.enums import CapacityUnit, Weekday
from graphsvc.domain.ids import RECORD_ID_PATTERN

__all__ = [
    "JAPAN_BOXES",
    "JAPAN_LAT",
    "JAPAN_LON",
    "Capacity",
    "ExternalId",
    "GeoPoint",
    "Schedule",
    "ScheduleSlot",
    "in_japan",
    "parse_hhmm",
]

# Japan's extreme points: 沖ノ鳥島 20.42N (south), 択捉島 45.56N (north), 与那国島 122.93E (west),
# 南鳥島 153.99E (east). A small margin keeps coastal points of those islands inside.
JAPAN_LAT = (20.0, 45.8)
JAPAN_LON = (122.5, 154.2)

_ID_RE = re.compile(RECORD_ID_PATTERN)


def check_external_id(value: str) -> str:
    if not _ID_RE.match(value):
        raise ValueError(
            "IDは英数字で始まり、英数字と _ . : - のみ、128文字以内で指定してください "
            "(an id is 1-128 characters: letters, digits, _ . : -, starting with a letter or digit)"
        )
    return value


ExternalId = Annotated[str, AfterValidator(check_external_id)]
"""The stable external key a case system sends; every write is an upsert by it."""


# Regional boxes (lat_min, lat_max, lon_min, lon_max) that together cover Japan's land and islands and leave out
# the neighbouring coasts (Korea, Taiwan, Sakhalin, the Russian and Chinese mainland). Coarse by design: a
# check that a coordinate is plausibly in Japan, not a coastline.
JAPAN_BOXES: tuple[tuple[float, float, float, float], ...] = (
    (41.3, 45.6, 139.3, 149.0),  # 北海道・北方領土
    (37.0, 41.6, 139.0, 142.2),  # 東北
    (33.4, 38.6, 135.8, 141.2),  # 関東・中部・近畿東部
    (32.6, 36.4, 130.8, 136.0),  # 近畿西部・中国・四国
    (30.9, 34.3, 128.5, 132.2),  # 九州・五島
    (34.0, 34.75, 129.1, 129.55),  # 対馬
    (24.0, 34.9, 138.9, 142.4),  # 伊豆・小笠原諸島
    (24.0, 30.9, 122.9, 131.4),  # 南西諸島・大東諸島
    (20.3, 20.6, 135.9, 136.2),  # 沖ノ鳥島
    (24.2, 24.4, 153.9, 154.1),  # 南鳥島
)


def in_japan(lat: float, lon: float) -> bool:
    """Whether a WGS84 point lies in one of the regional boxes that cover Japan (:data:`JAPAN_BOXES`)."""
    return any(a <= lat <= b and c <= lon <= d for a, b, c, d in JAPAN_BOXES)


class _Value(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, use_enum_values=False)


class GeoPoint(_Value):
    """A WGS84 point inside Japan. ``approximate`` marks a district or municipality centre used in place of an
    address point; ``source`` says where it came from (file, 気象庁 polygons, municipality office point …)."""

    lat: float = Field(ge=-90, le=90, description="緯度 (WGS84)")
    lon: float = Field(ge=-180, le=180, description="経度 (WGS84)")
    approximate: bool = False
    source: str | None = None

    @model_validator(mode="after")
    def _inside_japan(self) -> Self:
        if not in_japan(self.lat, self.lon):
            raise ValueError(
                f"座標 ({self.lat}, {self.lon}) が日本の範囲外です "
                f"(coordinates ({self.lat}, {self.lon}) are outside Japan)"
            )
        return self


def parse_hhmm(text: str) -> int:
    """'09:30' → 570 minutes after midnight; '24:00' is allowed as an end. Full-width digits are accepted."""
    import unicodedata

    t = unicodedata.normalize("NFKC", str(text)).strip()
    m = re.fullmatch(r"(\d{1,2})[:時](\d{2})分?", t) or re.fullmatch(r"(\d{1,2})()時?", t)
    if not m:
        raise ValueError(f"時刻「{text}」は HH:MM で指定してください (time '{text}' must be HH:MM)")
    h, mnt = int(m.group(1)), int(m.group(2) or 0)
    if not (0 <= h <= 24 and 0 <= mnt < 60) or (h == 24 and mnt != 0):
        raise ValueError(f"時刻「{text}」は0:00〜24:00の範囲外です (time '{text}' is outside 0:00-24:00)")
    return h * 60 + mnt


def _fmt(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


class ScheduleSlot(_Value):
    """One weekly slot: a weekday and a time range (opens < closes, within 0:00-24:00)."""

    weekday: Weekday
    opens: str = Field(description="開始時刻 HH:MM", examples=["09:00"])
    closes: str = Field(description="終了時刻 HH:MM (24:00 可)", examples=["11:00"])

    @model_validator(mode="before")
    @classmethod
    def _normalise(cls, data: object) -> object:
        if isinstance(data, dict):
            data = dict(data)
            for key in ("opens", "closes"):
                if key in data and data[key] is not None:
                    data[key] = _fmt(parse_hhmm(str(data[key])))
            wd = data.get("weekday")
            if isinstance(wd, str) and wd not in {w.value for w in Weekday}:
                with contextlib.suppress(ValueError):
                    data["weekday"] = Weekday.parse(wd)
        return data

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if parse_hhmm(self.opens) >= parse_hhmm(self.closes):
            raise ValueError(
                f"開始時刻 {self.opens} が終了時刻 {self.closes} より後です "
                f"(opens {self.opens} is not before closes {self.closes})"
            )
        return self

    @property
    def minutes(self) -> tuple[int, int]:
        return parse_hhmm(self.opens), parse_hhmm(self.closes)

    @property
    def hours(self) -> float:
        a, b = self.minutes
        return (b - a) / 60


class Schedule(_Value):
    """Weekly slots (maps to HSDS ``schedule`` objects: freq WEEKLY, byday, opens_at, closes_at)."""

    slots: tuple[ScheduleSlot, ...] = ()
    note: str | None = Field(default=None, description="特記事項 (祝日休み など)")

    @property
    def weekdays(self) -> set[Weekday]:
        return {s.weekday for s in self.slots}

    def to_hsds(
        self, *, service_id: str | None = None, location_id: str | None = None, id_prefix: str
    ) -> list[dict[str, object]]:
        out: list[dict[str, object]] = []
        for i, s in enumerate(self.slots):
            item: dict[str, object] = {
                "id": f"{id_prefix}-{i}",
                "freq": "WEEKLY",
                "byday": s.weekday.hsds,
                "opens_at": s.opens + (":00" if len(s.opens) == 5 else ""),
                "closes_at": s.closes + (":00" if len(s.closes) == 5 else ""),
                "wkst": "MO",
                "attending_type": "in_person",
            }
            if self.note:
                item["notes"] = self.note
            if service_id:
                item["service_id"] = service_id
            if location_id:
                item["location_id"] = location_id
            out.append(item)
        return out


class Capacity(_Value):
    """A capacity with a unit, and optionally how much of it is free now (``available`` ≤ ``maximum``)."""

    maximum: int = Field(ge=0, description="定員")
    unit: CapacityUnit = CapacityUnit.PERSONS
    available: int | None = Field(default=None, ge=0, description="空き")

    @model_validator(mode="after")
    def _available_le_maximum(self) -> Self:
        if self.available is not None and self.available > self.maximum:
            raise ValueError(
                f"空き({self.available})が定員({self.maximum})を超えています "
                f"(available {self.available} exceeds maximum {self.maximum})"
            )
        return self
