"""Domain records: validation names the field; enums carry Japanese labels; the props codec round-trips."""

from __future__ import annotations

import pytest

from graphsvc.domain import (
    REL_SPECS,
    Capacity,
    Case,
    CaseFactor,
    CaseStage,
    CollaborationLevel,
    DomainValidationError,
    GeoPoint,
    Household,
    LabeledEnum,
    NodeLabel,
    Opportunity,
    RelType,
    Schedule,
    ScheduleSlot,
    Sector,
    Weekday,
    node_from_props,
    to_props,
    validate_node,
    validate_rel_props,
)
from graphsvc.domain import enums as enums_module
from graphsvc.domain.records import NODE_MODELS


def all_enums() -> list[type[LabeledEnum]]:
    return [
        obj
        for obj in vars(enums_module).values()
        if isinstance(obj, type) and issubclass(obj, LabeledEnum) and obj is not LabeledEnum
    ]


@pytest.mark.parametrize("enum", all_enums(), ids=lambda e: e.__name__)
def test_every_enum_member_has_japanese_and_english_labels(enum: type[LabeledEnum]) -> None:
    for member in enum:
        assert member.ja and member.en
        assert enum.parse(member.ja) is member
        assert enum.parse(member.value) is member


def test_enum_parse_accepts_aliases_and_full_width() -> None:
    assert Sector.parse("高齢") is Sector.ELDERLY
    assert Sector.parse("障がい") is Sector.DISABILITY
    assert Sector.parse(" ＰＯＶＥＲＴＹ ") is Sector.POVERTY
    assert Weekday.parse("水") is Weekday.WED
    with pytest.raises(ValueError):
        Sector.parse("宇宙")


def test_case_stages_are_ordered_and_factors_map_to_sectors() -> None:
    assert [s.ja for s in CaseStage] == ["受付", "アセスメント", "プラン", "支援", "終結"]
    assert CaseStage.SUPPORT.order > CaseStage.INTAKE.order
    assert CollaborationLevel.COORDINATION.rank > CollaborationLevel.COOPERATION.rank
    assert CaseFactor.DEMENTIA.sector is Sector.ELDERLY
    assert CaseFactor.FINANCIAL_HARDSHIP.sector is Sector.POVERTY
    assert {f.ja for f in CaseFactor} >= {
        "家族関係",
        "認知症",
        "拒否・気質",
        "精神疾患",
        "経済的困窮",
        "住まい",
        "支援者不在",
    }


def test_coordinates_must_be_inside_japan() -> None:
    inside = {
        "鳥羽": (34.48, 136.84),
        "答志島": (34.52, 136.88),
        "鷹栖": (43.84, 142.35),
        "稚内": (45.41, 141.67),
        "那覇": (26.21, 127.68),
        "与那国": (24.47, 123.0),
        "父島": (27.09, 142.19),
        "対馬": (34.2, 129.29),
        "佐渡": (38.02, 138.37),
        "沖ノ鳥島": (20.42, 136.08),
        "南鳥島": (24.28, 153.98),
    }
    for lat, lon in inside.values():
        GeoPoint(lat=lat, lon=lon)
    outside = {
        "ソウル": (37.57, 126.98),
        "釜山": (35.1, 129.04),
        "台北": (25.03, 121.56),
        "ウラジオストク": (43.12, 131.89),
        "ユジノサハリンスク": (46.96, 142.73),
        "上海": (31.23, 121.47),
        "London": (51.5, -0.12),
        "null island": (0, 0),
    }
    for lat, lon in outside.values():
        with pytest.raises(ValueError, match="日本の範囲外"):
            GeoPoint(lat=lat, lon=lon)


def test_schedule_slots_validate_and_map_to_hsds() -> None:
    slot = ScheduleSlot(weekday="月", opens="９:00", closes="11:30")
    assert slot.weekday is Weekday.MON and slot.opens == "09:00" and slot.hours == 2.5
    with pytest.raises(ValueError, match="より後"):
        ScheduleSlot(weekday="mon", opens="12:00", closes="11:00")
    with pytest.raises(ValueError, match="範囲外"):
        ScheduleSlot(weekday="mon", opens="09:00", closes="25:00")
    sched = Schedule(slots=(slot,), note="祝日休み")
    [h] = sched.to_hsds(service_id="s1", id_prefix="sch")
    assert h == {
        "id": "sch-0",
        "freq": "WEEKLY",
        "byday": "MO",
        "opens_at": "09:00:00",
        "closes_at": "11:30:00",
        "wkst": "MO",
        "attending_type": "in_person",
        "notes": "祝日休み",
        "service_id": "s1",
    }


def test_capacity_with_unit() -> None:
    assert Capacity(maximum=3, available=1).unit.ja == "人"
    with pytest.raises(ValueError):
        Capacity(maximum=-1)
    with pytest.raises(ValueError, match="超えています"):
        Capacity(maximum=2, available=3)


def test_invalid_values_name_the_field_in_japanese() -> None:
    with pytest.raises(DomainValidationError) as err:
        validate_node(
            "Opportunity",
            {"id": "bad id", "title": "", "kind": "宇宙旅行", "difficulty": 9, "capacity": {"maximum": -2}},
            file="catalogue.csv",
            row=7,
        )
    text = str(err.value)
    fields = {p.field for p in err.value.problems}
    assert fields == {"id", "title", "kind", "difficulty", "capacity.maximum"}
    assert all(p.file == "catalogue.csv" and p.row == 7 for p in err.value.problems)
    assert "catalogue.csv 7行目" in text and "5以下で指定してください" in text and "0以上" in text


def test_unknown_field_is_rejected() -> None:
    with pytest.raises(DomainValidationError) as err:
        validate_node("Household", {"id": "H1", "colour": "red"})
    assert err.value.problems[0].field == "colour"


def test_opportunity_host_must_be_a_host_kind() -> None:
    with pytest.raises(DomainValidationError, match="host_label"):
        validate_node(
            "Opportunity",
            {"id": "O1", "title": "x", "kind": "volunteer", "host_id": "H1", "host_label": "Household"},
        )
    with pytest.raises(DomainValidationError, match="両方"):
        validate_node("Opportunity", {"id": "O1", "title": "x", "kind": "volunteer", "host_id": "E1"})


def test_case_dates_ordered() -> None:
    with pytest.raises(DomainValidationError, match="終結日"):
        validate_node("Case", {"id": "C1", "opened": "2024-05-01", "closed": "2024-04-01"})
    case = Case(id="C1", opened="2024-04-01", factors=["認知症", "経済的困窮"], stage="支援")  # type: ignore[arg-type, list-item]
    assert (
        case.factors == [CaseFactor.DEMENTIA, CaseFactor.FINANCIAL_HARDSHIP]
        and case.stage is CaseStage.SUPPORT
    )


def test_rel_props_validate() -> None:
    assert (
        validate_rel_props(RelType.COLLABORATES_WITH, {"level": "coordination"}).level
        is CollaborationLevel.COORDINATION
    )  # type: ignore[attr-defined]
    with pytest.raises(DomainValidationError) as err:
        validate_rel_props(RelType.SUPPORTED_BY, {"intensity": 7})
    assert err.value.problems[0].field == "intensity"


def test_every_label_and_relationship_has_a_record() -> None:
    assert set(NODE_MODELS) == set(NodeLabel)
    assert set(REL_SPECS) == set(RelType)


def test_props_codec_round_trip_and_flat_values() -> None:
    h = Household(
        id="H1",
        size=2,
        flags=["single_elderly"],
        location=GeoPoint(lat=34.5, lon=136.9, approximate=True, source="地区中心"),
    )  # type: ignore[list-item]
    props = to_props(h)
    assert props["lat"] == 34.5 and props["location_approximate"] is True
    assert all(isinstance(v, (str, int, float, bool, list)) for v in props.values())
    assert node_from_props(NodeLabel.HOUSEHOLD, props) == h
    opp = Opportunity(
        id="O1",
        title="畑作業",
        kind="intermediate_work",
        capacity=Capacity(maximum=4, available=2),
        schedule=Schedule(slots=(ScheduleSlot(weekday="tue", opens="09:00", closes="12:00"),)),
    )  # type: ignore[arg-type]
    p = to_props(opp)
    assert p["capacity_max"] == 4 and p["capacity_available"] == 2 and "schedule_json" in p
    assert node_from_props("Opportunity", p) == opp


def test_bilingual_messages_keep_parentheses_inside_the_japanese() -> None:
    from graphsvc.domain.codec import split_bilingual

    ja, en = split_bilingual(
        "座標 (10.0, 136.8) が日本の範囲外です (coordinates (10.0, 136.8) are outside Japan)"
    )
    assert ja == "座標 (10.0, 136.8) が日本の範囲外です"
    assert en == "coordinates (10.0, 136.8) are outside Japan"
    with pytest.raises(DomainValidationError) as err:
        validate_node("Household", {"id": "H1", "location": {"lat": 10.0, "lon": 136.8}})
    assert err.value.problems[0].message_ja == "座標 (10.0, 136.8) が日本の範囲外です"
