"""The Splink model: one settings object for DuckDB and Spark, and the SQL levels equal the Python comparators."""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import logging
import re

import pytest
import sqlglot

from linkage.compare import COMPARISON_LABELS_JA, compare_records
from linkage.features import feature_row, record_features
from linkage.model import (
    OTHER_MEMBER_WEIGHT,
    SATURATED,
    check_weights,
    generic_settings,
    settings,
)

REF = dt.date(2021, 8, 31)


def _level_sqls(dialect: str) -> list[str]:
    s = settings().get_settings(dialect)
    out = []
    for comp in s.comparisons:
        for lv in comp.comparison_levels:
            out.append(lv.sql_condition)
    return out


def test_same_settings_object_builds_for_duckdb_and_spark() -> None:
    duck = _level_sqls("duckdb")
    spark = _level_sqls("spark")
    assert len(duck) == len(spark) > 20
    joined_duck, joined_spark = " ".join(duck), " ".join(spark)
    assert "jaro_winkler_similarity(" in joined_duck
    assert "jaro_winkler_similarity(" not in joined_spark
    assert re.search(r"\bjaro_winkler\(", joined_spark)  # Splink's Spark UDF
    for sql in spark:
        if sql.strip().upper() == "ELSE":
            continue
        sqlglot.parse_one(f"SELECT CASE WHEN {sql} THEN 1 END AS x FROM t", read="spark")
    spark_settings = settings().get_settings("spark")
    for br in spark_settings._blocking_rules_to_generate_predictions:
        sqlglot.parse_one(f"SELECT 1 FROM l JOIN r ON {br.blocking_rule_sql}", read="spark")


def test_settings_are_plain_data_for_either_backend() -> None:
    """The settings dict (what a Spark job would load) round-trips through JSON for both dialects."""
    import json

    for dialect in ("duckdb", "spark"):
        d = settings().get_settings(dialect).as_dict()
        again = json.loads(json.dumps(d))
        assert again["link_type"] == "dedupe_only"
        assert [c["output_column_name"] for c in again["comparisons"]] == ["name", "birth", "sex", "contact"]


def test_household_levels_have_fixed_weights() -> None:
    d = settings().get_settings("duckdb").as_dict()
    name = d["comparisons"][0]["comparison_levels"]
    fixed = [lv for lv in name if lv.get("fix_m_probability") and lv.get("fix_u_probability")]
    assert [lv["label_for_charts"] for lv in fixed] == ["household_other_member", "household_similar_member"]
    import math

    w = math.log2(fixed[0]["m_probability"] / fixed[0]["u_probability"])
    assert w == pytest.approx(OTHER_MEMBER_WEIGHT)


def test_generic_baseline_settings_build() -> None:
    assert len(generic_settings().get_settings("duckdb").comparisons) == 6


RECORDS = [
    {"name": "髙橋 和子", "kana": "タカハシ カズコ", "birth": "S25.3.4", "sex": "女", "address": "鳥羽市鳥羽3-4-5", "phone": "0599-25-1234"},
    {"name": "高橋和子", "birth": "1950/04/03", "sex": "2", "address": "鳥羽3丁目4番5号", "phone": "25-1234"},
    {"name": "ﾀｶﾊｼ ｶｽﾞｺ", "birth": "1951-3-4", "address": "鳥羽3-4-6"},
    {"name": "高橋 和夫", "kana": "タカハシ カズオ", "birth": "S22.1.2", "sex": "男", "address": "鳥羽市鳥羽3-4-5", "phone": "0599-25-1234"},
    {"name": "高橋 和也", "kana": "タカハシ カズヤ", "birth": "S50.5.5", "sex": "M", "address": "鳥羽市鳥羽3-4-5"},
    {"name": "田中 和子", "kana": "タナカ カズコ", "birth": "19500304", "sex": "女", "address": "鳥羽市小浜町1-2"},
    {"name": "高橋 翔太", "kana": "タカハシ ショウタ", "birth": "H20.6.1", "address": "鳥羽市鳥羽3-4-5", "phone": "090-1111-2222"},
    {"name": "高橋 颯太", "kana": "タカハシ ソウタ", "birth": "H20.6.1", "address": "鳥羽市鳥羽3-4-5", "phone": "090-1111-2222"},
    {"name": "高橋 真由実", "birth": "1950", "address": "鳥羽市鳥羽3-4-5"},
    {"name": "高橋 真由美", "kana": "タカハシ マユミ", "age": "71", "phone": "0599-25-1234"},
    {"name": "佐藤 幸子", "birth": "不明"},
    {"name": "", "kana": "", "birth": "S25.3.14", "address": "鳥羽市鳥羽9"},
    {"name": "高橋 和子（旧姓 山田）", "birth": "S25.3.4", "address": "鳥羽市鳥羽1-1-1"},
    {"name": "山田 和子", "kana": "ヤマダ カズコ", "birth": "S25.3.4", "sex": "女"},
]  # fmt: skip


@pytest.fixture(scope="module")
def scored() -> tuple[list, dict]:
    from splink import DuckDBAPI, Linker

    feats = [record_features(r, reference=REF, default_city="三重県鳥羽市") for r in RECORDS]
    rows = [feature_row(f"r{i}", "t", f) for i, f in enumerate(feats)]
    import pyarrow as pa

    db = DuckDBAPI()
    sdf = db.register(pa.Table.from_pylist(rows), table_name="recs")
    linker = Linker(sdf, settings(), log_level=logging.ERROR)
    out = linker.inference.score_pairs(rows, rows).as_record_list()
    return feats, {(r["unique_id_l"], r["unique_id_r"]): r for r in out}


@functools.cache
def _labels(comp: str) -> list[str]:
    s = settings().get_settings("duckdb")
    c = next(c for c in s.comparisons if c.output_column_name == comp)
    return [lv.label_for_charts for lv in c.comparison_levels if not lv.is_null_level]


def test_sql_levels_equal_python_levels_on_every_pair(scored: tuple[list, dict]) -> None:
    feats, pairs = scored
    checked = 0
    for i, j in itertools.permutations(range(len(RECORDS)), 2):
        row = pairs[(f"r{i}", f"r{j}")]
        py = compare_records(feats[i], feats[j])
        for comp in ("name", "birth", "sex", "contact"):
            labels = _labels(comp)
            g = row[f"gamma_{comp}"]
            sql_label = "missing" if g == -1 else labels[len(labels) - 1 - g]
            assert sql_label == py[comp], (comp, RECORDS[i], RECORDS[j], sql_label, py[comp])
            checked += 1
    assert checked == len(RECORDS) * (len(RECORDS) - 1) * 4


def test_every_level_has_a_japanese_label() -> None:
    for comp in ("name", "birth", "sex", "contact"):
        assert set(_labels(comp)) | {"missing"} == set(COMPARISON_LABELS_JA[comp])


def test_weight_checks() -> None:
    good = {
        "name": {"exact": 10, "reading": 9, "fuzzy": 2, "surname_change": 1, "different": -8},
        "birth": {"exact": 12, "day_month_swap": 7, "one_digit": 3, "year_off_by_one": 6, "partial_agree": 5,
                  "different": -9},
        "contact": {"house_and_phone": 13, "house": 11, "phone": 10, "town": 1, "different": -5},
        "sex": {"same": 1, "different": -6},
    }  # fmt: skip
    assert all(c.ok for c in check_weights(good))
    bad = {k: dict(v) for k, v in good.items()}
    bad["birth"]["different"] = 8.0  # a disagreement that counts for a match: nonsense
    failed = [c.rule for c in check_weights(bad) if not c.ok]
    assert "birth: different negative" in failed
    assert "birth: year_off_by_one > different" in failed
    sat = {k: dict(v) for k, v in good.items()}
    sat["name"]["fuzzy"], sat["name"]["different"] = SATURATED - 5, SATURATED - 2
    assert all(c.ok for c in check_weights(sat))
