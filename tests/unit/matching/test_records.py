"""Input models: validation errors name the field (Japanese first), domain conversion, files, schemas."""

from __future__ import annotations

import json

import pytest
from pydantic import ValidationError

from graphsvc.domain import (
    Capacity,
    GeoPoint,
    NodeLabel,
    Opportunity,
    OpportunityKind,
    Schedule,
    ScheduleSlot,
)
from graphsvc.domain.errors import DomainValidationError
from matching import Opening, Profile, load_openings, load_profile


def _fields(err: ValidationError) -> set[str]:
    return {".".join(str(x) for x in e["loc"]) for e in err.errors()}


def test_min_above_max_hours_names_the_field() -> None:
    with pytest.raises(ValidationError) as err:
        Profile(min_hours_per_session=4, max_hours_per_session=3)
    assert "max_hours_per_session" in _fields(err.value)
    msg = err.value.errors()[0]["msg"]
    assert "1回の最短時間" in msg and msg.index("1回") < msg.index("(min_hours")  # Japanese first


@pytest.mark.parametrize("hours", [0, -1, 25, 30.5])
def test_hours_outside_0_24_are_rejected(hours: float) -> None:
    with pytest.raises(ValidationError) as err:
        Profile(max_hours_per_session=hours)
    assert _fields(err.value) == {"max_hours_per_session"}
    with pytest.raises(ValidationError) as err2:
        Opening(id="O-1", title="x", kind="volunteer", hours_per_session=hours)
    assert _fields(err2.value) == {"hours_per_session"}


def test_time_window_outside_day_or_reversed() -> None:
    with pytest.raises(ValidationError, match="0:00〜24:00"):
        Profile.model_validate({"time_windows": [{"weekday": "mon", "opens": "09:00", "closes": "25:00"}]})
    with pytest.raises(ValidationError, match="開始時刻"):
        Profile.model_validate({"time_windows": [{"weekday": "mon", "opens": "15:00", "closes": "09:00"}]})


def test_session_longer_than_slot_and_age_range() -> None:
    with pytest.raises(ValidationError, match="最長の時間帯"):
        Opening.model_validate(
            {
                "id": "O-1",
                "title": "x",
                "kind": "volunteer",
                "hours_per_session": 5,
                "schedule": {"slots": [{"weekday": "mon", "opens": "09:00", "closes": "11:00"}]},
            }
        )
    with pytest.raises(ValidationError) as err:
        Opening.model_validate(
            {"id": "O-1", "title": "x", "kind": "volunteer", "eligibility": {"age_min": 40, "age_max": 30}}
        )
    assert "eligibility.age_max" in _fields(err.value)


def test_needs_use_the_controlled_vocabulary() -> None:
    p = Profile(needs=["住まい", "食事", "居室", "income"])
    assert p.needs == ["housing", "meals", "income"]
    with pytest.raises(ValidationError, match="語彙にありません"):
        Profile(needs=["宇宙旅行"])


def test_japanese_labels_accepted_for_enums() -> None:
    p = Profile.model_validate(
        {"travel": {"modes": ["徒歩", "送迎"]}, "consent": {"opportunity_kinds": ["プチ勤務"]}}
    )
    assert [m.value for m in p.travel.modes] == ["walk", "pickup"]
    assert p.consent.opportunity_kinds == [OpportunityKind.PETIT_WORK]


def test_from_domain() -> None:
    opp = Opportunity(
        id="OPP-1",
        title="旅館の朝食配膳 (プチ勤務)",
        kind=OpportunityKind.PETIT_WORK,
        host_id="E-1",
        host_label=NodeLabel.EMPLOYER,
        provides=["収入", "まかない", "観光の知識"],
        schedule=Schedule(slots=(ScheduleSlot(weekday="sat", opens="07:00", closes="09:00"),)),
        hours_per_session=2,
        contact_load=3,
        physical_load=2,
        skills_wanted=["配膳"],
        support=["声かけ"],
        capacity=Capacity(maximum=3, available=1),
        location=GeoPoint(lat=34.48, lon=136.84),
    )
    o = Opening.from_domain(opp)
    assert o.id == "OPP-1" and o.kind == OpportunityKind.PETIT_WORK
    assert o.provides == ["income", "meals"]
    assert "観光の知識" in (o.description or "")  # not lost
    assert o.capacity_left == 1 and o.host_label == "Employer" and o.session_hours == 2
    unknown = Opening.from_domain(opp.model_copy(update={"capacity": Capacity(maximum=3)}))
    assert unknown.capacity_left is None
    full = Opening.from_domain(opp.model_copy(update={"capacity": Capacity(maximum=0)}))
    assert full.capacity_left == 0


def test_load_files_report_position_and_duplicates(tmp_path) -> None:
    f = tmp_path / "ops.json"
    f.write_text(
        json.dumps(
            [
                {"id": "O-1", "title": "a", "kind": "volunteer"},
                {"id": "O-1", "title": "b", "kind": "volunteer"},
                {"id": "O-3", "title": "c", "kind": "volunteer", "hours_per_session": 30},
            ]
        ),
        encoding="utf-8",
    )
    with pytest.raises(DomainValidationError) as err:
        load_openings(f)
    probs = {(p.row, p.field) for p in err.value.problems}
    assert (2, "id") in probs and (3, "hours_per_session") in probs
    text = str(err.value)
    assert "IDが重複しています" in text and "以下で指定してください" in text


def test_load_openings_unknown_ids(tmp_path) -> None:
    f = tmp_path / "ops.json"
    f.write_text(json.dumps([{"id": "O-9", "title": "a", "kind": "volunteer"}]), encoding="utf-8")
    with pytest.raises(DomainValidationError, match="未知のID"):
        load_openings(f, known_ids={"O-1"})


def test_load_profile_names_file_and_field(tmp_path) -> None:
    f = tmp_path / "p.json"
    f.write_text(json.dumps({"max_physical_load": 9}), encoding="utf-8")
    with pytest.raises(DomainValidationError) as err:
        load_profile(f)
    p = err.value.problems[0]
    assert p.field == "max_physical_load" and p.file == str(f) and p.message_ja == "5以下で指定してください"


def test_json_schemas_have_japanese_descriptions_and_examples() -> None:
    s = Profile.model_json_schema()
    assert s["properties"]["max_physical_load"]["description"].startswith("身体負荷")
    assert s["examples"][0]["free_text"]
    Profile.model_validate(s["examples"][0])  # the example is valid
    o = Opening.model_json_schema()
    Opening.model_validate(o["examples"][0])
