"""Text normalisation: NFKC, 異体字 folding, kana keys, kanji numerals."""

from __future__ import annotations

import pytest

from linkage.text import fold_kanji, is_kana, kana_key, kanji_to_int, nfkc, register_variants, to_katakana


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("髙橋", "高橋"),
        ("齋藤", "斎藤"),
        ("齊藤", "斎藤"),
        ("斉藤", "斎藤"),
        ("渡邊", "渡辺"),
        ("渡邉", "渡辺"),
        ("山﨑", "山崎"),
        ("濵口", "浜口"),
        ("濱口", "浜口"),
        ("𠮷田", "吉田"),
        ("櫻井", "桜井"),
        ("國男", "国男"),
        ("佐々木", "佐佐木"),
        ("ｻｲﾄｳ", "サイトウ"),
        ("Ａ１", "A1"),
        ("関ヶ原", "関ケ原"),
        ("\ufa10", "塚"),  # CJK compatibility ideograph, NFKC
        ("山\ufa11", "山崎"),  # 﨑 is a unified ideograph in the compatibility block: the table
        ("\u9ad9橋", "高橋"),  # 髙
    ],
)
def test_variants_fold_to_one_form(a: str, b: str) -> None:
    assert fold_kanji(a) == fold_kanji(b)


@pytest.mark.parametrize(("a", "b"), [("高橋", "髙田"), ("斎藤", "佐藤"), ("四日市市", "四日市")])
def test_different_names_stay_different(a: str, b: str) -> None:
    assert fold_kanji(a) != fold_kanji(b)


def test_iteration_mark_kept_apart_from_real_repeats() -> None:
    assert fold_kanji("四日市市") == "四日市市"  # not 四日市々


def test_table_is_extendable() -> None:
    assert fold_kanji("辻") != fold_kanji("辶")
    register_variants("辻", "辶")
    assert fold_kanji("辶") == "辻"
    with pytest.raises(ValueError):
        register_variants("辻辻", "x")


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("サトウ", "サトー"),
        ("サトウ", "さとう"),
        ("サトウ", "ｻﾄｳ"),
        ("サトウ", "サトオ"),
        ("ユウコ", "ユーコ"),
        ("ショウタ", "シヨウタ"),
        ("ケイコ", "ケーコ"),
        ("ヂ", "ジ"),
        ("ヅ", "ズ"),
        ("ヴ", "ブ"),
        ("キョウコ", "ｷｮｳｺ"),
        ("ササキ カズコ", "ササキカズコ"),
        ("ハセガワ・カズコ", "ハセガワカズコ"),
        ("ｶﾞｯｺｳ", "ガツコウ"),
    ],
)
def test_kana_keys_agree_across_writings(a: str, b: str) -> None:
    assert kana_key(a) == kana_key(b)


@pytest.mark.parametrize(("a", "b"), [("ユウコ", "ユキコ"), ("サトウ", "サイトウ"), ("ショウタ", "ソウタ")])
def test_kana_keys_keep_different_names_apart(a: str, b: str) -> None:
    assert kana_key(a) != kana_key(b)


def test_katakana_and_kana_detection() -> None:
    assert to_katakana("さとう　ゆうこ") == "サトウ ユウコ"
    assert is_kana("ｻﾄｳ ﾕｳｺ")
    assert is_kana("さとう・ゆうこ")
    assert not is_kana("佐藤 ゆうこ")
    assert not is_kana("   ")


@pytest.mark.parametrize(
    ("text", "n"),
    [("一", 1), ("十", 10), ("十二", 12), ("二十", 20), ("二十三", 23), ("百", 100), ("百五", 105),
     ("三百二", 302), ("千二百三十四", 1234), ("一〇一", 101), ("二〇二", 202), ("12", 12), ("１２", 12),
     ("壱", 1), ("参拾", 30)],
)  # fmt: skip
def test_kanji_numerals(text: str, n: int) -> None:
    assert kanji_to_int(text) == n


@pytest.mark.parametrize("bad", ["", "十a", "abc"])
def test_not_numerals(bad: str) -> None:
    with pytest.raises(ValueError):
        kanji_to_int(bad)


def test_nfkc_collapses_every_space() -> None:
    assert nfkc(" 高橋\u3000\t和子 ") == "高橋 和子"
