"""Mechanisms of round 4 of issue 11, found by grouping the residual errors of blind sets A, C and E by kind.
Every sentence here was written for this test (none is taken from a corpus or a blind set): a verb of going
whose condition names a place or a time, how often the person goes out now, words written apart, a bare clause
judged after a comma, a need
(〜でないと) before an inability or a feeling, reactions to a trigger, a verb of capacity negated, willingness,
someone else's sentence that names the person apart, no licence, and a time of day named with how it is spent.
Each case is (sentence, the statements it must give as (concept, polarity)); a case fails on any statement
missing or extra."""

from __future__ import annotations

import pytest

from matching.statements import extract

CASES: list[tuple[str, set[tuple[str, str]]]] = [
    # a verb of going with a place or a time in its condition states the place or the time, not going out
    ("自宅の近所なら歩いて通える", {("near_home", "can")}),
    ("家から近ければ電車でも通える", {("near_home", "can")}),
    ("水曜と土曜なら来られる", {("weekday", "can"), ("weekend", "can")}),
    ("夕方からなら出てこられる", {("evening", "can")}),
    # … after a limit on distance it is that limit's exception; a word for going out keeps going out
    ("遠方は無理だけど、隣の駅くらいまでなら通える", {("far", "cannot")}),
    ("外出はまだ怖いが、近所の図書館までなら行ける", {("going_out", "avoid")}),
    # … also when the going-out word is the predicate itself (通所できる)
    ("家から歩いて行ける範囲なら通所できる", {("near_home", "can")}),
    # an ability under a condition, with no limit in the sentence, states the condition too
    ("静かな部屋なら一日中でも作業できる", {("long_hours", "can"), ("quiet", "can")}),
    ("少人数の班なら接客もできる", {("serving", "can"), ("small_group", "can")}),
    # how often the person goes out now is a fact, not an ability
    ("外出は週に一回の買い物程度", set()),
    # words written apart are read as one sentence
    ("わたし は 料理 が すき", {("cooking", "want")}),
    ("大きい 音、にがて", {("noise", "avoid")}),
    # a bare clause, a comma, then only the word that judges it: the judgement is the clause's polarity
    ("重い もの もつ、できない", {("heavy_lifting", "cannot")}),
    ("人 おおい ところ、こわい", {("crowds", "avoid")}),
    ("みんな と 話す、もっと したい", {("company", "want"), ("conversation", "want")}),
    # a need (〜でないと / 〜でなければ): before an inability the person can under it, before a feeling wants it
    ("静かな部屋でないと作業に集中できない", {("quiet", "can")}),
    ("静かな場所でないと落ち着かない", {("quiet", "want")}),
    # reactions to a trigger are soft limits
    ("せかされると混乱する", {("fast_pace", "avoid")}),
    ("人混みに出るとぐったりしてしまう", {("crowds", "avoid")}),
    ("夜になると気分が沈む", {("night_work", "avoid")}),
    # a verb of capacity negated is an inability
    ("エクセルは全然わからない", {("office", "cannot")}),
    ("立ち仕事は腰がもたない", {("standing_work", "cannot")}),
    ("電話の声が聞こえない", {("phone", "cannot")}),
    # … but not having something is a fact
    ("パソコンは持っていない", set()),
    # willingness before a plain verb is a wish
    ("犬の散歩なら喜んでやります", {("animals", "want")}),
    ("掃除ならいくらでもやる", {("cleaning", "want")}),
    # a wish put as gratitude or as what is desirable
    ("在宅の仕事があるとありがたい", {("home", "want")}),
    ("静かな作業場が望ましい", {("quiet", "want")}),
    # 〜のほうが before an ability is an ability, before a feeling a preference
    ("一人のほうが集中できる", {("solitude", "can")}),
    ("一人のほうが落ち着く", {("solitude", "want")}),
    # a morning clock time before seven, in kanji numerals too, is early morning
    ("朝の五時に起きるのは平気", {("early_morning", "can")}),
    ("朝九時からなら行ける", {("morning", "can")}),
    # a dialect form of 〜たい
    ("一度でいいから畑をやりてえ", {("farming", "want")}),
    # someone else's sentence that names the person apart: only the person's clause is theirs
    ("兄は料理人だが、本人は台所に立ったことがない", set()),
    ("姉は運転が得意だと本人", set()),
    ("父は本人が畑を手伝うことを望んでいる", set()),
    ("母は接客が得意だが、本人は人前が苦手", {("public_speaking", "avoid")}),
    # no licence is a fact
    ("免許は持っていない", set()),
    ("車の免許は去年返納した", set()),
    # a time of day named with how the person spends it is not an ability to work then
    ("夜遅くまでゲームをして過ごしている", set()),
    ("毎晩九時には寝ている", set()),
    ("夜勤は平気", {("night_work", "can")}),
]


@pytest.mark.parametrize(("text", "expected"), CASES, ids=[c[0] for c in CASES])
def test_reads_the_construction(text: str, expected: set[tuple[str, str]]) -> None:
    got = {(s.concept, s.polarity) for s in extract(text)}
    assert got == expected


def test_exception_of_a_distance_limit_is_kept_as_its_condition() -> None:
    (st,) = extract("遠くは通えないが、自転車で行ける範囲なら大丈夫")
    assert (st.concept, st.polarity, st.strength) == ("far", "cannot", "hard")
    assert st.condition is not None


def test_a_limit_after_the_place_keeps_both() -> None:
    got = {(s.concept, s.polarity) for s in extract("近所なら通えるけど、遠い所は無理")}
    assert got == {("near_home", "can"), ("far", "cannot")}


def test_written_apart_with_note_marks_keeps_its_items() -> None:
    got = {(s.concept, s.polarity) for s in extract("電話× パソコン○")}
    assert got == {("phone", "cannot"), ("office", "can")}


def test_capacity_negated_is_hard_and_quotes_the_sentence() -> None:
    (st,) = extract("機械のことはさっぱり分からない")
    assert (st.concept, st.polarity, st.strength) == ("repair", "cannot", "hard")
    assert st.sentence == "機械のことはさっぱり分からない"
