"""Birth dates: every writing of 和暦 and 西暦, impossible dates, and the date comparator's levels."""

from __future__ import annotations

import datetime as dt

import pytest

from linkage.dates import BirthDate, DateLevel, DateParseError, birth_year_from_age, compare_dates, parse_date

TODAY = dt.date(2021, 8, 31)
D = BirthDate(1950, 3, 4)


@pytest.mark.parametrize(
    "text",
    [
        "昭和25年3月4日", "昭和２５年３月４日", "昭和25年03月04日", "昭和 25年 3月 4日", "昭和25年3月4日生",
        "昭和25年3月4日生まれ", "昭25.3.4", "昭25年3月4日", "S25.3.4", "S25.03.04", "s25/3/4", "S25-3-4",
        "Ｓ２５．３．４", "S 25 3 4", "S250304", "㍼25年3月4日", "1950/3/4", "1950/03/04", "1950-03-04",
        "1950-3-4", "1950.3.4", "1950年3月4日", "1950年03月04日", "19500304", "１９５０年３月４日",
        "1950-03-04 00:00:00", "1950-03-04T00:00:00", "1950 3 4", "3/4/1950", "昭和二十五年三月四日",
        "一九五〇年三月四日", "S.25.3.4", "昭和25.3.4", "昭和25年3月4日(75歳)", "1950/3/4（昭和25年）",
    ],
)  # fmt: skip
def test_one_date_many_writings(text: str) -> None:
    assert parse_date(text, today=TODAY) == D


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("平成元年1月8日", BirthDate(1989, 1, 8)),
        ("H1.1.8", BirthDate(1989, 1, 8)),
        ("昭和64年1月7日", BirthDate(1989, 1, 7)),
        ("令和元年5月1日", BirthDate(2019, 5, 1)),
        ("R1.5.1", BirthDate(2019, 5, 1)),
        ("R3.4.1", BirthDate(2021, 4, 1)),
        ("大正元年8月1日", BirthDate(1912, 8, 1)),
        ("T15.12.24", BirthDate(1926, 12, 24)),
        ("明治45年7月29日", BirthDate(1912, 7, 29)),
        ("M40.2.3", BirthDate(1907, 2, 3)),
        ("平成12年2月29日", BirthDate(2000, 2, 29)),
        ("昭和25年", BirthDate(1950)),
        ("昭和25年3月", BirthDate(1950, 3)),
        ("1950年", BirthDate(1950)),
        ("1950年3月", BirthDate(1950, 3)),
        ("1950", BirthDate(1950)),
        ("1950/3", BirthDate(1950, 3)),
        ("h30.12.31", BirthDate(2018, 12, 31)),
        ("平30.12.31", BirthDate(2018, 12, 31)),
    ],
)
def test_eras_and_partial_dates(text: str, expected: BirthDate) -> None:
    assert parse_date(text, today=TODAY) == expected


def test_date_objects_and_numbers() -> None:
    assert parse_date(dt.date(1950, 3, 4)) == D
    assert parse_date("18326", today=TODAY) == D  # a spreadsheet serial day number
    assert parse_date(18326, today=TODAY) == D
    assert parse_date("1950.03.04.", today=TODAY) == D
    assert parse_date(dt.datetime(1950, 3, 4, 12, 0)) == D
    assert parse_date(19500304, today=TODAY) == D


@pytest.mark.parametrize("empty", [None, "", "  ", "不明", "-", "未記入"])
def test_missing(empty: str | None) -> None:
    assert parse_date(empty) is None


@pytest.mark.parametrize(
    "bad",
    ["1950/2/30", "1950/13/1", "1950/0/1", "平成40年1月1日", "令和50年1月1日", "S0.1.1", "2099/1/1",
     "1850/1/1", "abc", "2月30日", "19501301", "1950年3月4日午後", "昭和年3月4日"],
)  # fmt: skip
def test_impossible_or_unreadable(bad: str) -> None:
    with pytest.raises(DateParseError) as e:
        parse_date(bad, today=TODAY)
    assert e.value.message_ja  # a Japanese reason for the user


def test_age_gives_a_birth_year() -> None:
    assert birth_year_from_age("82歳", TODAY) == BirthDate(1939)
    assert birth_year_from_age("８２", TODAY) == BirthDate(1939)
    assert birth_year_from_age(82, TODAY) == BirthDate(1939)
    assert birth_year_from_age("", TODAY) is None
    with pytest.raises(DateParseError):
        birth_year_from_age("八十", TODAY)
    with pytest.raises(DateParseError):
        birth_year_from_age("150", TODAY)


L = DateLevel


@pytest.mark.parametrize(
    ("a", "b", "level"),
    [
        (D, BirthDate(1950, 3, 4), L.EXACT),
        (D, BirthDate(1950, 4, 3), L.DAY_MONTH_SWAP),
        (D, BirthDate(1951, 3, 4), L.ERA_YEAR_OFF_BY_ONE),
        (D, BirthDate(1949, 3, 4), L.ERA_YEAR_OFF_BY_ONE),
        (D, BirthDate(1950, 3, 5), L.ONE_DIGIT),
        (D, BirthDate(1950, 3, 14), L.ONE_DIGIT),
        (D, BirthDate(1905, 3, 4), L.ONE_DIGIT),  # 1950 → 1905: a transposition
        (D, BirthDate(1950, 3, 24), L.ONE_DIGIT),
        (D, BirthDate(1950, 5, 6), L.DIFFERENT),
        (D, BirthDate(1975, 3, 4), L.DIFFERENT),
        (D, BirthDate(1950), L.PARTIAL_AGREE),
        (D, BirthDate(1950, 3), L.PARTIAL_AGREE),
        (D, BirthDate(1950, 4), L.PARTIAL_NEAR),
        (D, BirthDate(1951), L.PARTIAL_NEAR),
        (D, BirthDate(1953), L.DIFFERENT),
        (BirthDate(1950), BirthDate(1950), L.PARTIAL_AGREE),
        (D, None, L.MISSING),
        (None, None, L.MISSING),
    ],
)
def test_levels(a: BirthDate | None, b: BirthDate | None, level: DateLevel) -> None:
    assert compare_dates(a, b) is level
    assert compare_dates(b, a) is level


def test_era_off_by_one_from_a_real_conversion_mistake() -> None:
    """S25 converted with the 平成 offset by hand is one year off; the comparator has a level for it."""
    right = parse_date("昭和25年3月4日")
    wrong = parse_date("1951/3/4")
    assert compare_dates(right, wrong) is DateLevel.ERA_YEAR_OFF_BY_ONE


def test_iso_and_digits() -> None:
    assert D.iso() == "1950-03-04"
    assert D.digits == "19500304"
    assert BirthDate(1950).digits is None
    assert BirthDate(1950, 3).precision == "month"
