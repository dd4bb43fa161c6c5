"""Addresses: the 都道府県/市区町村/町字/番地 split, every writing of a house number, 方書き, and the levels."""

from __future__ import annotations

import pytest

from linkage.address import AddressLevel, compare_addresses, normalise_address

HOUSE = "鳥羽市|鳥羽|3-4-5"


@pytest.mark.parametrize(
    "text",
    [
        "三重県鳥羽市鳥羽3丁目4番5号", "三重県鳥羽市鳥羽三丁目四番五号", "三重県鳥羽市鳥羽3-4-5",
        "三重県鳥羽市鳥羽３－４－５", "三重県鳥羽市鳥羽3ー4ー5", "三重県鳥羽市鳥羽3‐4‐5", "三重県鳥羽市鳥羽3−4−5",
        "三重県鳥羽市鳥羽3丁目4-5", "三重県鳥羽市鳥羽3丁目4番地5", "三重県鳥羽市鳥羽3丁目4番地の5",
        "三重県鳥羽市鳥羽3の4の5", "鳥羽市鳥羽3-4-5", "〒517-0011 三重県鳥羽市鳥羽3-4-5", "517-0011鳥羽市鳥羽3-4-5",
        "三重県 鳥羽市 鳥羽 3-4-5", "三重県鳥羽市鳥羽3-4-5 コーポ鳥羽101", "三重県鳥羽市鳥羽3-4-5コーポ鳥羽101号室",
        "三重県鳥羽市鳥羽3-4-5-101", "三重県鳥羽市鳥羽3丁目4番5号 ハイツ海 2F", "三重県鳥羽市鳥羽三丁目四番地の五",
        "鳥羽市鳥羽3丁目4番の5", "鳥羽市鳥羽3-4-5号", "鳥羽市鳥羽3丁目4番地5号", "鳥羽市鳥羽3丁目4番5号(高橋様方)",
        "鳥羽市鳥羽3-4-5 高橋方", "鳥羽市鳥羽3丁目4-5-101号室",
    ],
)  # fmt: skip
def test_one_house_many_writings(text: str) -> None:
    assert normalise_address(text).house_key == HOUSE


@pytest.mark.parametrize(
    "text", ["鳥羽3-4-5", "鳥羽三丁目四番五号", "鳥羽市鳥羽3-4-5", "三重県鳥羽市鳥羽3-4-5"]
)
def test_municipal_lists_without_the_city(text: str) -> None:
    assert normalise_address(text, default_city="三重県鳥羽市").house_key == HOUSE


def test_split_parts() -> None:
    a = normalise_address("〒517-0011 三重県鳥羽市鳥羽三丁目4番5号 コーポ鳥羽101号室")
    assert (a.prefecture, a.city, a.town, a.numbers) == ("三重県", "鳥羽市", "鳥羽", (3, 4, 5))
    assert (a.building, a.room, a.postcode) == ("コーポ鳥羽", "101", "5170011")
    assert a.dwelling_key == HOUSE + "#101"


def test_room_numbers() -> None:
    for text in ("鳥羽市鳥羽3丁目4-5-101号室", "鳥羽市鳥羽3-4-5-101室", "鳥羽市鳥羽3-4-5 コーポ101号室"):
        a = normalise_address(text)
        assert a.room == "101", text
    assert normalise_address("鳥羽市鳥羽3-4-5-101号室").building is None


def test_flats_share_a_house_not_a_dwelling() -> None:
    a = normalise_address("鳥羽市鳥羽3-4-5 コーポ鳥羽101")
    b = normalise_address("鳥羽市鳥羽3-4-5 コーポ鳥羽202")
    assert a.house_key == b.house_key
    assert a.dwelling_key != b.dwelling_key


@pytest.mark.parametrize(
    ("text", "pref", "city", "town", "numbers"),
    [
        ("北海道札幌市中央区旭ヶ丘1丁目2-3", "北海道", "札幌市中央区", "旭ケ丘", (1, 2, 3)),
        ("札幌市中央区旭ケ丘1-2-3", "北海道", "札幌市中央区", "旭ケ丘", (1, 2, 3)),
        ("大阪市北区梅田1丁目1番1号", "大阪府", "大阪市北区", "梅田", (1, 1, 1)),
        ("東京都千代田区千代田1-1", "東京都", "千代田区", "千代田", (1, 1)),
        ("三重県度会郡南伊勢町五ヶ所浦123", "三重県", "度会郡南伊勢町", "五ケ所浦", (123,)),
        ("三重県南伊勢町五ケ所浦123", "三重県", "南伊勢町", "五ケ所浦", (123,)),
        ("四日市市四日市町1-2", "三重県", "四日市市", "四日市町", (1, 2)),
        ("三重県鳥羽市安楽島町字松ケ崎1075", "三重県", "鳥羽市", "安楽島町松ケ崎", (1075,)),
        ("三重県鳥羽市答志町123番地", "三重県", "鳥羽市", "答志町", (123,)),
        ("三重県鳥羽市答志町百二十三番地", "三重県", "鳥羽市", "答志町", (123,)),
        ("合成市第1地区 北3丁目4-5", None, "合成市", "第1地区北", (3, 4, 5)),
        ("合成市第1地区北12番地", None, "合成市", "第1地区北", (12,)),
    ],
)
def test_places_across_japan(
    text: str, pref: str | None, city: str, town: str, numbers: tuple[int, ...]
) -> None:
    a = normalise_address(text)
    assert (a.prefecture, a.city, a.town, a.numbers) == (pref, city, town, numbers)


def test_kanji_numerals_in_place_names_are_kept() -> None:
    a = normalise_address("三重県四日市市四日市町一番地")
    assert a.town == "四日市町"
    assert a.numbers == (1,)


def test_a_town_named_like_another_prefecture_city_stays_in_the_list_town() -> None:
    """河内町 is a town in 茨城県 and a 町字 of 鳥羽市: a 鳥羽市 list means the latter."""
    a = normalise_address("河内町3-4-1", default_city="三重県鳥羽市")
    assert (a.city, a.town) == ("鳥羽市", "河内町")


@pytest.mark.parametrize("empty", [None, "", "   "])
def test_missing(empty: str | None) -> None:
    assert normalise_address(empty).missing


L = AddressLevel


@pytest.mark.parametrize(
    ("a", "b", "level"),
    [
        ("鳥羽市鳥羽3-4-5", "三重県鳥羽市鳥羽三丁目四番五号 コーポ101", L.SAME_HOUSE),
        ("鳥羽市鳥羽3-4-5", "鳥羽市鳥羽3-4-6", L.SAME_BLOCK),
        ("鳥羽市鳥羽3-4-5", "鳥羽市鳥羽2-1-1", L.SAME_TOWN),
        ("鳥羽市鳥羽3-4-5", "鳥羽市小浜町3-4-5", L.DIFFERENT),
        ("鳥羽市鳥羽3-4-5", "志摩市鳥羽3-4-5", L.DIFFERENT),
        ("鳥羽市鳥羽3-4-5", "", L.MISSING),
    ],
)
def test_levels(a: str, b: str, level: AddressLevel) -> None:
    na, nb = normalise_address(a), normalise_address(b)
    assert compare_addresses(na, nb) is level
    assert compare_addresses(nb, na) is level
