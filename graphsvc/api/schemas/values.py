"""The API's forms of the domain value objects and of the matching profile: strict (:mod:`.strict`), and with the
rules JSON Schema can state written into their schemas (a time is ``HH:MM``, a point lies in one of the boxes that
cover Japan, a need is a vocabulary term), so a client (or a fuzzer) that follows the schema is not refused."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic.fields import FieldInfo

from graphsvc.api.schemas.strict import SPACE_CHARS, strict_model
from graphsvc.domain.values import JAPAN_BOXES, Capacity, GeoPoint, Schedule, ScheduleSlot
from matching.records import Limit, Profile
from matching.vocabulary import default_vocabulary

__all__ = [
    "HHMM_PATTERN",
    "READABLE_TEXT_PATTERN",
    "REPLACE",
    "CapacityIn",
    "GeoPointIn",
    "LimitIn",
    "ProfileIn",
    "ScheduleIn",
    "ScheduleSlotIn",
]

HHMM_PATTERN = r"^(?:(?:[01][0-9]|2[0-3]):[0-5][0-9]|24:00)$"
Hhmm = Annotated[str, Field(pattern=HHMM_PATTERN)]
_UNREADABLE = r"\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffd\ufffe\uffff"
READABLE_TEXT_PATTERN = rf"^[^{_UNREADABLE}]*$"
"""Text the matcher reads (:func:`matching.analyser.check_text`): no control character (tab, LF and CR allowed),
no replacement character or non-character, no unpaired surrogate."""
ReadableText = Annotated[str, Field(pattern=READABLE_TEXT_PATTERN)]
NonBlankReadableText = Annotated[
    str, Field(pattern=rf"^[^{_UNREADABLE}]*[^{SPACE_CHARS}{_UNREADABLE}][^{_UNREADABLE}]*$")
]


def _field(model: type[BaseModel], name: str, **update: Any) -> FieldInfo:
    f = model.model_fields[name]
    return FieldInfo.merge_field_infos(f, **update)


def _in_japan_schema() -> Any:
    """``anyOf`` the regional boxes of :data:`JAPAN_BOXES` (the rule ``GeoPoint`` checks)."""
    return [
        {
            "properties": {
                "lat": {"minimum": lat_min, "maximum": lat_max},
                "lon": {"minimum": lon_min, "maximum": lon_max},
            }
        }
        for lat_min, lat_max, lon_min, lon_max in JAPAN_BOXES
    ]


ScheduleSlotIn = strict_model(
    ScheduleSlot,
    overrides={
        "opens": (Hhmm, _field(ScheduleSlot, "opens", description="開始時刻 HH:MM (00:00〜23:59)")),
        "closes": (Hhmm, _field(ScheduleSlot, "closes", description="終了時刻 HH:MM (24:00 可、開始より後)")),
    },
    doc="曜日と時間帯 (weekday code, HH:MM opens before HH:MM closes)",
)
ScheduleIn = strict_model(Schedule, replace={ScheduleSlot: ScheduleSlotIn})
GeoPointIn = strict_model(
    GeoPoint,
    config=ConfigDict(json_schema_extra={"anyOf": _in_japan_schema()}),
    doc="日本国内の地点 (WGS84; a point inside one of the boxes that cover Japan)",
)
CapacityIn = strict_model(Capacity, doc="定員と空き (available ≤ maximum)")
REPLACE: dict[type[BaseModel], type[BaseModel]] = {
    ScheduleSlot: ScheduleSlotIn,
    Schedule: ScheduleIn,
    GeoPoint: GeoPointIn,
    Capacity: CapacityIn,
}


def _needs_terms() -> tuple[str, ...]:
    vocab = default_vocabulary()
    return tuple(dict.fromkeys([*vocab.needs, *(c.ja for c in vocab.needs.values())]))


NeedsTerm = Literal[_needs_terms()]  # type: ignore[valid-type]
LimitIn = strict_model(
    Limit,
    overrides={
        "what": (NonBlankReadableText, _field(Limit, "what")),
        "unless": (ReadableText | None, _field(Limit, "unless")),
    },
)
_PROFILE_TEXT_LISTS = ("experience", "skills", "interests", "cannot_do", "avoid", "preferred_fields")
ProfileIn = strict_model(
    Profile,
    overrides={
        **{name: (list[ReadableText], _field(Profile, name)) for name in _PROFILE_TEXT_LISTS},
        "free_text": (ReadableText | None, _field(Profile, "free_text")),
        "needs": (
            list[NeedsTerm],  # type: ignore[valid-type]
            _field(
                Profile,
                "needs",
                description="参加先に求めるもの: 語彙 needs の id か日本語名 (a needs term: its id or Japanese name)",
            ),
        ),
    },
    replace={**REPLACE, Limit: LimitIn},
    doc="参加支援のプロフィール (matching.Profile; `tsunagari schema profile`)",
)
"""The participation profile as the API takes it: every field of :class:`matching.records.Profile`, strict; the
needs only as vocabulary terms (the loaders and the staff pages also match near spellings)."""
