"""Text normalisation, polarity and the vocabulary (including user extension)."""

from __future__ import annotations

import json

import pytest

from graphsvc.domain.errors import DomainValidationError
from matching.text import normalize, split_polarity
from matching.vocabulary import default_vocabulary, load_vocabulary


def test_normalize_nfkc_and_casefold() -> None:
    assert normalize("ＰＣ　入力　ｶﾌｪ") == "pc 入力 カフェ"


@pytest.mark.parametrize(
    ("text", "positive", "negative"),
    [
        ("調理経験あり、長時間の立ち仕事は困難", ["調理経験あり"], ["長時間の立ち仕事は困難"]),
        ("調理経験あり長時間の立ち仕事は困難", ["調理経験あり"], ["長時間の立ち仕事は困難"]),
        ("人と話すのは苦手だけど、絵を描くのは好き", ["絵を描くのは好き"], ["人と話すのは苦手だけど"]),
        ("足が悪いので立ち仕事はできない", ["足が悪いので"], ["立ち仕事はできない"]),
        ("電話対応は不安", [], ["電話対応は不安"]),
    ],
)
def test_split_polarity(text: str, positive: list[str], negative: list[str]) -> None:
    p = split_polarity(text)
    assert list(p.positive) == positive
    assert list(p.negative) == negative


def test_opening_absence_markers() -> None:
    p = split_polarity("立ち仕事なし、座ってできる", side="opening")
    assert p.negative == ("立ち仕事なし",)
    assert split_polarity("立ちっぱなしの作業", side="opening").negative == ()


@pytest.mark.parametrize(
    ("surface", "concept"),
    [
        ("料理", "cooking"),
        ("厨房", "cooking"),
        ("キッチン", "cooking"),
        ("ホール", "serving"),
        ("配膳", "serving"),
        ("作付け", "farming"),
        ("宛名", "office"),
        ("ＰＣ", "office"),
        ("消毒", "cleaning"),
        ("挿絵", "illustration"),
        ("袋詰め", "light_work"),
    ],
)
def test_surface_forms_map_to_concepts(surface: str, concept: str) -> None:
    assert concept in default_vocabulary().find(surface)


def test_ascii_surface_needs_word_boundary() -> None:
    vocab = default_vocabulary()
    assert "it" not in vocab.find("kitchen staff")
    assert "office" in vocab.find("PC入力")


def test_fuzzy_lookup_for_unlisted_tag() -> None:
    # 「データー入力」 is not listed; rapidfuzz finds 「データ入力」.
    assert default_vocabulary().lookup("データー入力") >= {"office"}


def test_user_extension_adds_surfaces_and_concepts(tmp_path) -> None:
    extra = tmp_path / "vocab.json"
    extra.write_text(
        json.dumps(
            {
                "concepts": {
                    "cooking": {"surfaces": ["まかない作り"]},
                    "beekeeping": {
                        "ja": "養蜂",
                        "en": "beekeeping",
                        "kind": "task",
                        "surfaces": ["養蜂", "ミツバチ"],
                    },
                }
            },
            ensure_ascii=False,
        ),
        encoding="utf-8",
    )
    vocab = load_vocabulary(extra, use_env=False)
    assert vocab.find("まかない作り") == {"cooking"}
    assert vocab.find("ミツバチの世話") == {"beekeeping"}
    assert "beekeeping" not in default_vocabulary().concepts


def test_vocabulary_from_environment(tmp_path, monkeypatch) -> None:
    extra = tmp_path / "v.json"
    extra.write_text('{"concepts": {"cleaning": {"surfaces": ["窓拭き"]}}}', encoding="utf-8")
    monkeypatch.setenv("TSUNAGARI_MATCHING_VOCABULARY", str(extra))
    assert load_vocabulary().find("窓拭き") == {"cleaning"}


def test_bad_vocabulary_file_is_a_located_error(tmp_path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"concepts": {"x": {"surfaces": "not a list"}}}', encoding="utf-8")
    with pytest.raises(DomainValidationError) as err:
        load_vocabulary(bad, use_env=False)
    assert err.value.problems[0].field == "concepts.x.surfaces"
    assert err.value.problems[0].message_ja.startswith("surfaces は")
    with pytest.raises(DomainValidationError, match="見つかりません"):
        load_vocabulary(tmp_path / "missing.json", use_env=False)
