"""Cell parsers, header matching, decoding and offline geography of the loaders."""

from __future__ import annotations

from pathlib import Path

import pytest

from graphsvc.domain.enums import CaseFactor, HouseholdFlag, Sector, Weekday
from graphsvc.domain.errors import DomainValidationError
from loaders import geo
from loaders.common import (
    CellError,
    Column,
    match_columns,
    parse_bool,
    parse_date,
    parse_days,
    parse_enum_list,
    parse_int,
    parse_list,
    parse_schedule,
    parse_time_ranges,
)
from loaders.tabular import RawTable, decode_bytes, read_table

W = Weekday


@pytest.mark.parametrize(
    ("text", "days"),
    [
        ("月・水・金", [W.MON, W.WED, W.FRI]),
        ("月〜金", [W.MON, W.TUE, W.WED, W.THU, W.FRI]),
        ("月～金", [W.MON, W.TUE, W.WED, W.THU, W.FRI]),
        ("月火水", [W.MON, W.TUE, W.WED]),
        ("月,火,水,木,金", [W.MON, W.TUE, W.WED, W.THU, W.FRI]),
        ("平日", [W.MON, W.TUE, W.WED, W.THU, W.FRI]),
        ("土日", [W.SAT, W.SUN]),
        ("金〜月", [W.MON, W.FRI, W.SAT, W.SUN]),
        ("Mon-Wed", [W.MON, W.TUE, W.WED]),
        ("火曜日、木曜日", [W.TUE, W.THU]),
    ],
)
def test_parse_days(text: str, days: list[Weekday]) -> None:
    assert parse_days(text)[0] == days


def test_parse_days_holidays_become_a_note() -> None:
    days, note = parse_days("月〜金・祝日休み")
    assert days == [W.MON, W.TUE, W.WED, W.THU, W.FRI]
    assert note == "祝日休み"


def test_parse_days_rejects_nonsense() -> None:
    with pytest.raises(CellError, match="曜日"):
        parse_days("ときどき")


def test_parse_time_ranges() -> None:
    assert parse_time_ranges("9:00〜11:00") == [("09:00", "11:00")]
    assert parse_time_ranges("９：００－１１：３０") == [("09:00", "11:30")]
    assert parse_time_ranges("9時〜11時半、13:00-15:00") == [("09:00", "11:30"), ("13:00", "15:00")]
    with pytest.raises(CellError):
        parse_time_ranges("朝")


def test_parse_schedule_builds_one_slot_per_day_and_range() -> None:
    s = parse_schedule("月・水", "9:00〜11:00、13:00〜14:00", note="雨天中止")
    assert s is not None
    assert len(s.slots) == 4
    assert {x.weekday for x in s.slots} == {W.MON, W.WED}
    assert s.note == "雨天中止"
    s2 = parse_schedule("月〜金", opens="8:30", closes="17:15")
    assert s2 is not None and s2.slots[0].opens == "08:30" and s2.slots[0].closes == "17:15"
    with pytest.raises(CellError, match="時間帯"):
        parse_schedule("月", None)
    with pytest.raises(CellError, match="開始時刻"):
        parse_schedule("月", "11:00〜9:00")
    assert parse_schedule(None) is None


def test_parse_enum_list_handles_labels_containing_separators() -> None:
    assert parse_enum_list(Sector, "高齢、障害") == [Sector.ELDERLY, Sector.DISABILITY]
    assert parse_enum_list(Sector, "子ども・子育て・生活困窮") == [Sector.CHILD, Sector.POVERTY]
    assert parse_enum_list(Sector, "elderly; community") == [Sector.ELDERLY, Sector.COMMUNITY]
    assert parse_enum_list(CaseFactor, "セルフネグレクト・ごみ屋敷、認知症") == [
        CaseFactor.SELF_NEGLECT,
        CaseFactor.DEMENTIA,
    ]
    assert parse_enum_list(HouseholdFlag, "8050世帯") == [HouseholdFlag.EIGHTY_FIFTY]
    with pytest.raises(CellError, match="宇宙"):
        parse_enum_list(Sector, "高齢、宇宙")


def test_scalars() -> None:
    assert parse_int("１２人") == 12
    assert parse_int("1,200") == 1200
    assert parse_int("-3") == -3
    with pytest.raises(CellError):
        parse_int("たくさん")
    assert parse_bool("○") is True and parse_bool("いいえ") is False and parse_bool("TRUE") is True
    with pytest.raises(CellError):
        parse_bool("たぶん")
    assert parse_list("A、B・C/A") == ["A", "B", "C"]
    assert parse_date("2024/4/1").isoformat() == "2024-04-01"
    assert parse_date("令和6年4月1日").isoformat() == "2024-04-01"
    with pytest.raises(CellError):
        parse_date("2024-02-30")


COLS = (
    Column("id", ("機関ID", "ID", "agency_id"), required=True),
    Column("name", ("機関名", "名称", "name"), required=True),
    Column("capacity", ("定員", "capacity")),
)


def _raw(header: list[str]) -> RawTable:
    return RawTable(file="x.csv", header=header, header_row=1)


def test_match_columns_japanese_english_and_width_variants() -> None:
    t = match_columns(_raw(["ＩＤ", " name ", "定員（人）"]), COLS)
    assert t.columns == {"id": (0, "ＩＤ"), "name": (1, " name "), "capacity": (2, "定員（人）")}
    assert t.unknown == []


def test_match_columns_unknown_header_is_an_error_with_the_nearest_name() -> None:
    with pytest.raises(DomainValidationError) as ei:
        match_columns(_raw(["ＩＤ", "名稱", "定員（人）", "\u5b9a\u54e1x"]), COLS)
    got = {p.column: p for p in ei.value.problems}
    assert set(got) >= {"名稱", "定員x"}
    assert "名称" in got["名稱"].message_ja and "定員" in got["定員x"].message_ja
    assert all(p.row == 1 and p.file == "x.csv" for p in got.values())


def test_match_columns_missing_required_names_column_and_aliases() -> None:
    with pytest.raises(DomainValidationError) as ei:
        match_columns(_raw(["機関ID", "定員"]), COLS)
    (p,) = ei.value.problems
    assert p.column == "機関名" and p.file == "x.csv" and p.row == 1
    assert "名称" in p.message_ja and "name" in p.message_en


def test_match_columns_same_field_twice_is_an_error() -> None:
    with pytest.raises(DomainValidationError, match="同じ項目"):
        match_columns(_raw(["機関ID", "名称", "name"]), COLS)


def test_decode_utf8_bom_and_cp932() -> None:
    assert decode_bytes("\ufeff名称".encode(), "f")[0] == "名称"
    assert decode_bytes("名称".encode("cp932"), "f") == ("名称", "cp932")
    with pytest.raises(DomainValidationError) as ei:
        decode_bytes(b"id,name\n1,\x82\xa0\x81", "bad.csv")  # a CP932 lead byte cut off at the end
    p = ei.value.problems[0]
    assert p.file == "bad.csv"
    assert "UTF-8 では 10 バイト目" in p.message_ja and "CP932 (Shift_JIS) では 12 バイト目" in p.message_ja
    assert "byte offset 10" in p.message_en


def test_read_table_skips_a_title_row(tmp_path: Path) -> None:
    f = tmp_path / "t.csv"
    f.write_text("みなと市 機関一覧\n機関ID,機関名\nA,あ\n\nB,い\n", encoding="utf-8")
    raw = read_table(f, known_headers=["機関ID"])
    assert raw.header == ["機関ID", "機関名"] and raw.header_row == 2
    assert raw.rows == [(3, ["A", "あ"]), (5, ["B", "い"])]


def test_geo_offline_sources() -> None:
    m = geo.municipality_of(34.4811, 136.8433)
    assert m is not None and (m.prefecture, m.name, m.code) == ("三重県", "鳥羽市", "24211")
    assert geo.municipality_of(35.0, 100.0) is None
    p = geo.municipality_centre("三重県", "鳥羽市")
    assert p is not None and p.approximate and p.source == geo.SOURCE_MUNICIPALITY
    assert abs(p.lat - 34.48) < 0.05
    assert geo.municipality_centre(None, "府中市") is None  # ambiguous without a prefecture
    assert geo.postcode_place("〒517-0011") == ("三重県", "鳥羽市", "鳥羽")
    assert geo.split_address("三重県鳥羽市答志町1") == ("三重県", "鳥羽市")
    r = geo.resolve_location(postcode="517-0011")
    assert r.approximate and r.point is not None and r.point.source == geo.SOURCE_MUNICIPALITY
    exact = geo.resolve_location(34.5, 136.9)
    assert exact.point is not None and not exact.approximate
    with pytest.raises(ValueError, match="日本の範囲外"):
        geo.resolve_location(10.0, 10.0)
