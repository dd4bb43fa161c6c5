"""Property tests: every writing the lists use reads back to the same value, for any value."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from linkage.address import normalise_address
from linkage.dates import BirthDate, DateLevel, compare_dates, parse_date
from linkage.phone import normalise_phone
from linkage.synth import _write_date, _write_numbers
from linkage.text import kana_key, to_katakana

DATE_STYLES = ["wareki_full", "wareki_abbr", "wareki_kanji1", "era_compact", "slash", "dash", "digits8",
               "kanji_west", "fullwidth"]  # fmt: skip
NUMBER_STYLES = ["hyphen", "long", "banchi", "kanji_chome", "kansuji"]


@settings(max_examples=300, deadline=None)
@given(st.dates(dt.date(1900, 1, 1), dt.date(2021, 8, 31)), st.sampled_from(DATE_STYLES))
def test_every_date_style_reads_back(d: dt.date, style: str) -> None:
    text = _write_date(style, d.year, d.month, d.day, 0)
    assert parse_date(text, today=dt.date(2021, 8, 31)) == BirthDate(d.year, d.month, d.day)


@settings(max_examples=200, deadline=None)
@given(st.dates(dt.date(1900, 1, 1), dt.date(2021, 8, 31)))
def test_a_date_always_equals_itself_and_missing_is_missing(d: dt.date) -> None:
    b = BirthDate(d.year, d.month, d.day)
    assert compare_dates(b, b) is DateLevel.EXACT
    assert compare_dates(b, None) is DateLevel.MISSING


@settings(max_examples=300, deadline=None)
@given(
    st.tuples(st.integers(1, 9), st.integers(1, 40), st.integers(1, 30)) | st.tuples(st.integers(1, 2000)),
    st.sampled_from(NUMBER_STYLES),
    st.sampled_from(["", "三重県", "鳥羽市"]),
)
def test_every_house_number_style_reads_back(nums: tuple[int, ...], style: str, prefix: str) -> None:
    text = (
        prefix
        + ("鳥羽" if prefix == "鳥羽市" else "鳥羽市鳥羽" if prefix else "鳥羽")
        + _write_numbers(style, nums)
    )
    a = normalise_address(text, default_city="三重県鳥羽市")
    assert a.numbers == nums, text
    assert a.town == "鳥羽"


@settings(max_examples=200, deadline=None)
@given(
    st.integers(10, 99), st.integers(0, 9999), st.sampled_from(["{a}-{b}-{c}", "({a}){b}-{c}", "{a}{b}{c}"])
)
def test_phone_writings(mid: int, tail: int, fmt: str) -> None:
    text = fmt.format(a="0599", b=f"{mid:02d}", c=f"{tail:04d}")
    assert normalise_phone(text).digits == f"0599{mid:02d}{tail:04d}"
    assert normalise_phone(text.translate(str.maketrans("0123456789-", "０１２３４５６７８９－"))).digits == (
        f"0599{mid:02d}{tail:04d}"
    )


@given(st.text(alphabet=st.characters(min_codepoint=0x3041, max_codepoint=0x3096), max_size=12))
def test_hiragana_and_katakana_give_one_key(s: str) -> None:
    assert kana_key(s) == kana_key(to_katakana(s))
