"""From list rows to model features: headers, sex codes, problems reported and never guessed."""

from __future__ import annotations

import datetime as dt

import pytest

from linkage.evaluate import pair_scores
from linkage.features import FEATURE_COLUMNS, feature_row, map_headers, normalise_sex, record_features

REF = dt.date(2021, 8, 31)


def test_headers_of_every_list() -> None:
    m = map_headers(["受給者証番号", "氏名", "ふりがな", "生年月日", "性別", "住所", "連絡先", "障害種別"])
    assert m == {
        "case_id": "受給者証番号", "name": "氏名", "kana": "ふりがな", "birth": "生年月日", "sex": "性別",
        "address": "住所", "phone": "連絡先",
    }  # fmt: skip
    assert map_headers(["相談No", "相談者氏名", "年齢"]) == {
        "case_id": "相談No",
        "name": "相談者氏名",
        "age": "年齢",
    }
    assert map_headers(["ｹｰｽ番号", "氏名（カナ）", "電話 番号", "世帯主"]) == {
        "case_id": "ｹｰｽ番号",
        "kana": "氏名（カナ）",
        "phone": "電話 番号",
        "head": "世帯主",
    }
    assert map_headers(["列1", "備考"]) == {}


@pytest.mark.parametrize(
    ("v", "s"),
    [("男", "m"), ("男性", "m"), ("M", "m"), ("m", "m"), ("1", "m"), ("１", "m"), ("女", "f"), ("女性", "f"),
     ("F", "f"), ("2", "f"), ("２", "f"), ("", None), ("9", None), ("不明", None), (None, None)],
)  # fmt: skip
def test_sex_codes(v: str | None, s: str | None) -> None:
    assert normalise_sex(v) == s


def test_unreadable_values_are_reported_not_guessed() -> None:
    f = record_features({"name": "佐藤 清", "birth": "昭和99年1月1日", "age": "八十"}, reference=REF)
    assert f.birth is None
    assert any("生年月日" in p for p in f.problems) and any("年齢" in p for p in f.problems)


def test_age_used_when_no_birth_date() -> None:
    f = record_features({"name": "佐藤 清", "age": "82歳"}, reference=REF)
    assert f.birth is not None and f.birth.year == 1939 and f.birth.month is None


def test_feature_row_has_every_column() -> None:
    f = record_features(
        {"name": "髙橋 和子", "kana": "ﾀｶﾊｼ ｶｽﾞｺ", "birth": "S25.3.4", "sex": "女", "address": "鳥羽市鳥羽3-4-5 コーポ101",
         "phone": "25-1234"},
        reference=REF,
        default_city="三重県鳥羽市",
    )  # fmt: skip
    row = feature_row("x:1", "x", f)
    assert tuple(row) == FEATURE_COLUMNS
    assert row["nm_full"] == "高橋和子" and row["dob"] == "19500304" and row["ad_dwelling"].endswith("#101")
    assert row["ph_is_local"] is True and row["sex"] == "f"


def test_pair_scores() -> None:
    pred = {"a": "1", "b": "1", "c": "1", "d": "2"}
    truth = {"a": "x", "b": "x", "c": "y", "d": "y"}
    s = pair_scores(pred, truth)
    assert (s.true_positive, s.predicted, s.actual) == (1, 3, 2)
    assert s.precision == pytest.approx(1 / 3) and s.recall == 0.5
    empty = pair_scores({}, {})
    assert (empty.precision, empty.recall, empty.f1) == (1.0, 1.0, 1.0)
