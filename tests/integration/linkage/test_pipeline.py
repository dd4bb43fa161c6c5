"""The linkage pipeline end to end: generated lists with known truth, and hand-made hazards with exact answers."""

from __future__ import annotations

import datetime as dt

import pytest

from linkage.evaluate import pair_scores
from linkage.pipeline import LinkConfig, LinkResult, SourceList, household_clusters, link, prepare
from linkage.synth import generate_lists

REF = dt.date(2021, 8, 31)


HAZARD_LISTS = ("a", "b", "c")


@pytest.fixture(scope="module")
def town() -> tuple[object, object, LinkResult]:
    """A generated town's lists, plus three small hand-made lists of hazards (linked in the same run, as a
    town links all its lists at once)."""
    s = generate_lists("toba", seed=3, households=700)
    lists = [SourceList(k, rows, default_city=s.prefix) for k, rows in s.rows.items()]
    lists += [
        SourceList("a", A, default_city="三重県鳥羽市"),
        SourceList("b", B, default_city="三重県鳥羽市"),
        SourceList("c", C, default_city="三重県鳥羽市"),
    ]
    prep = prepare(lists, reference=REF)
    res = link(prep, config=LinkConfig(seed=3, threads=2))
    return s, prep, res


def test_generated_town_is_linked_well(town: tuple) -> None:
    s, prep, res = town
    truth = {f"{t['list']}:{t['case_id']}": t["person_id"] for t in s.truth}
    sc = pair_scores(res.clustering.cluster_of, truth)
    assert sc.actual > 300
    assert sc.precision >= 0.99
    assert sc.recall >= 0.93
    assert len(res.review) / len(prep) <= 0.03
    assert all(c.ok for c in res.checks), [c for c in res.checks if not c.ok]
    truth_h = {f"{t['list']}:{t['case_id']}": t["household_id"] for t in s.truth}
    hh = household_clusters(res.clustering.cluster_of, prep.dwelling(), prep.phones())
    sh = pair_scores(hh, truth_h)
    assert sh.precision >= 0.95 and sh.recall >= 0.9


def test_learned_weights_make_sense(town: tuple) -> None:
    _, _, res = town
    w = res.weights
    assert w["name"]["exact"] > 5 and w["birth"]["exact"] > 8
    assert w["birth"]["day_month_swap"] > 0 and w["birth"]["year_off_by_one"] > 0
    assert w["birth"]["different"] < -3 and w["contact"]["different"] < 0
    assert w["name"]["household_other_member"] == pytest.approx(-30.0)


def test_blocking_counts_are_reported(town: tuple) -> None:
    _, _prep, res = town
    assert [name for name, _ in res.blocking_counts][:2] == ["nm_full & dob_y", "kn_full & dob_y"]
    assert all(n >= 0 for _, n in res.blocking_counts)
    assert 0 < res.n_pairs_scored <= sum(n for _, n in res.blocking_counts)


# ------------------------------------------------------------------ hazards with exact answers

A = [  # 地域包括: 和暦, フリガナ, 電話 with 市外局番
    {"ケース番号": "A1", "氏名": "髙橋 和子", "フリガナ": "タカハシ カズコ", "生年月日": "昭和25年3月4日", "性別": "女", "住所": "鳥羽市鳥羽3丁目4番5号", "電話番号": "0599-25-1234"},
    {"ケース番号": "A2", "氏名": "高橋 和夫", "フリガナ": "タカハシ カズオ", "生年月日": "昭和22年1月2日", "性別": "男", "住所": "鳥羽市鳥羽3丁目4番5号", "電話番号": "0599-25-1234"},
    {"ケース番号": "A3", "氏名": "山本 翔太", "フリガナ": "ヤマモト ショウタ", "生年月日": "平成20年6月1日", "性別": "男", "住所": "鳥羽市小浜町2-7", "電話番号": "0599-26-0001"},
    {"ケース番号": "A4", "氏名": "田中 裕子", "フリガナ": "タナカ ユウコ", "生年月日": "昭和30年5月6日", "性別": "女", "住所": "鳥羽市答志町55", "電話番号": "0599-37-5555"},
    {"ケース番号": "A5", "氏名": "佐藤 清", "フリガナ": "サトウ キヨシ", "生年月日": "昭和8年7月9日", "性別": "男", "住所": "鳥羽市安楽島町10", "電話番号": ""},
]  # fmt: skip
B = [  # 障害福祉: 西暦, ひらがな, 携帯
    {"受給者証番号": "2400000001", "氏名": "高橋和子", "ふりがな": "たかはし かずこ", "生年月日": "1950/04/03", "性別": "2", "住所": "三重県鳥羽市鳥羽3-4-5", "連絡先": "090-1234-0000"},
    {"受給者証番号": "2400000002", "氏名": "高橋 和也", "ふりがな": "たかはし かずや", "生年月日": "1975/05/05", "性別": "1", "住所": "三重県鳥羽市鳥羽3-4-5", "連絡先": "0599-25-1234"},
    {"受給者証番号": "2400000003", "氏名": "山本 颯太", "ふりがな": "やまもと そうた", "生年月日": "2008/06/01", "性別": "1", "住所": "三重県鳥羽市小浜町2-7", "連絡先": "0599-26-0001"},
    {"受給者証番号": "2400000004", "氏名": "鈴木 裕子", "ふりがな": "すずき ゆうこ", "生年月日": "1955/05/06", "性別": "2", "住所": "三重県鳥羽市答志町55", "連絡先": "0599-37-5555"},
    {"受給者証番号": "2400000005", "氏名": "佐藤 清", "ふりがな": "さとう きよし", "生年月日": "1961/02/03", "性別": "1", "住所": "三重県鳥羽市桃取町8", "連絡先": ""},
]  # fmt: skip
C = [  # 見守り台帳: ｶﾅ only, 年齢, 市外局番なし
    {"台帳番号": "M1", "氏名": "ﾀｶﾊｼ ｶｽﾞｺ", "生年月日": "", "年齢": "71", "住所": "鳥羽三丁目四番地の五", "電話": "25-1234"},
    {"台帳番号": "M2", "氏名": "山本 翔太", "生年月日": "H20.6.1", "年齢": "", "住所": "小浜町2-7", "電話": "26-0001"},
    {"台帳番号": "M3", "氏名": "佐藤 清", "生年月日": "S8.9.7", "年齢": "", "住所": "安楽島町10番地", "電話": ""},
]  # fmt: skip

EXPECTED = [
    {"a:A1", "b:2400000001", "c:M1"},  # 髙橋/高橋, 和暦/西暦 with day and month swapped, ｶﾅ only + age
    {"a:A2"},  # her husband: same house, phone, surname
    {"b:2400000002"},  # their son 和也, named after his father 和夫
    {"a:A3", "c:M2"},  # 翔太 ...
    {"b:2400000003"},  # ... and his twin 颯太: same birth date, house, phone, surname
    {"a:A4", "b:2400000004"},  # 田中 → 鈴木 裕子: surname changed, all else agrees
    {"a:A5", "c:M3"},  # 佐藤 清, day and month swapped
    {"b:2400000005"},  # a namesake born 1961 elsewhere
]


def test_hazards_have_exact_answers(town: tuple) -> None:
    _, _, res = town
    hazard = [
        frozenset(v)
        for v in res.clustering.clusters().values()
        if any(u.split(":")[0] in HAZARD_LISTS for u in v)
    ]
    expected = {frozenset(e) for e in EXPECTED}
    if set(hazard) != expected:
        # The surname change (田中 → 鈴木 裕子, all else agreeing) is the one hazard a model trained on other
        # lists may score just under the upper threshold: then it must wait in the review queue (a person
        # decides), never be split silently. Everything else is exact either way.
        maiden = frozenset({"a:A4", "b:2400000004"})
        assert any({r.a, r.b} == maiden for r in res.review), [sorted(h) for h in hazard]
        expected = (expected - {maiden}) | {frozenset({"a:A4"}), frozenset({"b:2400000004"})}
    assert set(hazard) == expected, [sorted(h) for h in hazard]


def test_reviewer_decisions_survive_a_rerun(town: tuple) -> None:
    _, _, res = town
    lists = [SourceList("a", A, default_city="三重県鳥羽市"), SourceList("b", B, default_city="三重県鳥羽市")]
    prep = prepare(lists, reference=REF)  # a small batch scored with the town's trained model
    decisions = {("a:A4", "b:2400000004"): "reject", ("a:A5", "b:2400000005"): "accept"}
    got = link(prep, model=res.model_json, decisions=decisions, config=LinkConfig(threads=2))
    c = got.clustering.cluster_of
    assert c["a:A4"] != c["b:2400000004"]
    assert c["a:A5"] == c["b:2400000005"]
    assert not any({r.a, r.b} in ({"a:A4", "b:2400000004"}, {"a:A5", "b:2400000005"}) for r in got.review)


def test_same_seed_same_clusters() -> None:
    def run() -> dict[str, str]:
        s = generate_lists("takasu", seed=5, households=150)
        lists = [SourceList(k, rows, default_city=s.prefix) for k, rows in s.rows.items()]
        r = link(prepare(lists, reference=REF), config=LinkConfig(seed=5, threads=1))
        return {u: min(v) for v in r.clustering.clusters().values() for u in v}

    assert run() == run()
