"""Names: normalisation of 氏名 and ふりがな, and the name comparator's levels."""

from __future__ import annotations

import pytest

from linkage.names import NameLevel, compare_names, normalise_name


def test_split_on_any_space_and_fold() -> None:
    for raw in ("髙橋 和子", "髙橋　和子", " 髙橋\t和子 ", "髙橋  和子"):
        n = normalise_name(raw)
        assert (n.full, n.surname, n.given) == ("高橋和子", "高橋", "和子")


def test_split_without_space_uses_the_dictionary() -> None:
    n = normalise_name("長谷川颯太", "ハセガワ ソウタ")
    assert (n.surname, n.given) == ("長谷川", "颯太")
    assert (n.surname_kana, n.given_kana) == ("ハセガワ", "ソタ")
    assert n.kana_source == "furigana"


def test_reading_guessed_when_no_furigana() -> None:
    n = normalise_name("佐藤 裕子")
    assert n.kana == "サトユコ"
    assert n.kana_source == "dictionary"
    assert normalise_name("佐藤 裕子", guess_reading=False).kana is None


def test_kana_only_name_is_its_own_reading() -> None:
    n = normalise_name("ｻﾄｳ ﾕｳｺ")
    assert n.full is None
    assert n.kana == "サトユコ"
    assert (n.surname_kana, n.given_kana) == ("サト", "ユコ")
    assert n.kana_source == "name"


def test_hiragana_furigana_and_unsplit_kana() -> None:
    n = normalise_name("佐藤 裕子", "さとうゆうこ")
    assert n.kana == "サトユコ"
    assert (n.surname_kana, n.given_kana) == ("サト", "ユコ")  # split after the dictionary's surname


def test_reading_in_parentheses() -> None:
    n = normalise_name("髙橋 和子（たかはし かずこ）")
    assert (n.full, n.kana, n.kana_source) == ("高橋和子", "タカハシカズコ", "furigana")


def test_honorifics_and_former_surname() -> None:
    n = normalise_name("田中 花子 様（旧姓：山田）")
    assert (n.full, n.former_surname) == ("田中花子", "山田")
    assert normalise_name("田中花子殿").full == "田中花子"
    assert normalise_name("田中 花子(本人)").full == "田中花子"


@pytest.mark.parametrize("empty", [None, "", "   ", "\u3000"])
def test_missing_names(empty: str | None) -> None:
    assert normalise_name(empty).missing
    assert compare_names(normalise_name(empty), normalise_name("佐藤 裕子")) is NameLevel.MISSING


L = NameLevel


@pytest.mark.parametrize(
    ("a", "b", "household", "level"),
    [
        (("髙橋 和子", None), ("高橋和子", None), False, L.EXACT),
        (("齋藤 裕子", None), ("斉藤 裕子", None), False, L.EXACT),
        (("渡邉 健一", "わたなべ けんいち"), ("ﾜﾀﾅﾍﾞ ｹﾝｲﾁ", None), False, L.READING),
        (("佐藤 博", "サトウ ヒロシ"), ("佐藤 弘", "サトウ ヒロシ"), False, L.READING),  # homophones
        (("田中 裕子", "タナカ ユウコ"), ("山田 裕子", "ヤマダ ユウコ"), False, L.SURNAME_CHANGE),
        (("田中 裕子", "タナカ ユウコ"), ("山田 裕子", "ヤマダ ユウコ"), True, L.SURNAME_CHANGE),
        (("田中 翔太", "タナカ ショウタ"), ("田中 颯太", "タナカ ソウタ"), True, L.OTHER_MEMBER),  # twins
        (("田中 和夫", "タナカ カズオ"), ("田中 和子", "タナカ カズコ"), True, L.OTHER_MEMBER),  # spouses
        (("田中 和夫", "タナカ カズオ"), ("田中 和也", "タナカ カズヤ"), True, L.OTHER_MEMBER),  # father/son
        (("田中 ゆうこ", "タナカ ユウコ"), ("田中 ゆう子", "タナカ ユーコ"), True, L.READING),
        (("田中 真由美", "タナカ マユミ"), ("田中 真由実", "タナカ マユミ"), True, L.READING),
        (("田中 真由美", "タナカ マユミ"), ("田中 真由実", None), True, L.READING),  # dictionary reading
        (("田中 真由美", "タナカ マユミ"), ("田中 真由実", "タナカ マユミコ"), True, L.SIMILAR_MEMBER),
        (("田中 真由美", "タナカ マユミ"), ("田中 真由実", "タナカ マユミコ"), False, L.FUZZY),
        (("高橋 和子", "タカハシ カズコ"), ("高橋 幸子", "タカハシ サチコ"), False, L.SURNAME_ONLY),
        (("高橋 和子", "タカハシ カズコ"), ("佐藤 幸子", "サトウ サチコ"), False, L.DIFFERENT),
    ],
)
def test_levels(
    a: tuple[str, str | None], b: tuple[str, str | None], household: bool, level: NameLevel
) -> None:
    na, nb = normalise_name(*a), normalise_name(*b)
    assert compare_names(na, nb, same_household=household) is level
    assert compare_names(nb, na, same_household=household) is level  # symmetric


def test_kanji_edit_without_readings() -> None:
    a = normalise_name("田中 真由美", guess_reading=False)
    b = normalise_name("田中 真由実", guess_reading=False)
    assert a.kana is None
    assert compare_names(a, b) is NameLevel.FUZZY
    assert compare_names(a, b, same_household=True) is NameLevel.SIMILAR_MEMBER
    c = normalise_name("田中 花", guess_reading=False)
    d = normalise_name("田中 菜", guess_reading=False)
    assert compare_names(c, d, same_household=True) is NameLevel.OTHER_MEMBER  # 2-char given: no edit


def test_household_members_are_never_fuzzy_matches() -> None:
    """Spouses share surname, address and phone: their given names decide, and they differ."""
    h, w = normalise_name("鈴木 茂"), normalise_name("鈴木 節子")
    assert compare_names(h, w, same_household=True) is NameLevel.OTHER_MEMBER
    assert compare_names(h, w, same_household=False) is NameLevel.SURNAME_ONLY
