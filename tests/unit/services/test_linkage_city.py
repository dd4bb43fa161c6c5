"""The municipality a list omits: from an agency's address, else the one most of the lists' addresses name."""

from __future__ import annotations

import pytest

from graphsvc.services.linkage import _city_of, common_city


@pytest.mark.parametrize(
    ("address", "city"),
    [
        ("三重県鳥羽市鳥羽3丁目4番6号", "三重県鳥羽市"),
        ("鳥羽市高丘町4丁目2番1号", "鳥羽市"),
        ("高丘町4番地の2の1", None),  # 町字 only: names no municipality
        ("安楽島町123", None),
        ("北海道上川郡鷹栖町北野西1条", "北海道上川郡鷹栖町"),
        ("東京都新宿区西新宿2-8-1", "東京都新宿区"),
        ("大阪府大阪市北区梅田1", "大阪府大阪市北区"),
        ("", None),
    ],
)
def test_city_of(address: str, city: str | None) -> None:
    assert _city_of(address) == city


def test_common_city_takes_the_most_named_with_its_prefecture() -> None:
    assert common_city(
        ["高丘町1", "鳥羽市高丘町4丁目", "三重県鳥羽市鳥羽3", "鳥羽市安楽島町", "志摩市阿児町1"]
    ) == ("三重県鳥羽市")
    assert common_city(["高丘町1", ""]) is None
