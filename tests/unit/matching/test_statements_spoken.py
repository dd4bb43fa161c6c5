"""Constructions the first reader missed, each with sentences written for this test (not taken from any corpus):
spoken and western forms, hedged limits, note marks, trigger clauses (〜と疲れる), negated conditions
(〜さえなければ), attributions, places named after tasks, numbers that name concepts, and facts that are not
abilities. Each case is (sentence, the statements it must give as (concept, polarity)); a case fails on any
statement missing or extra."""

from __future__ import annotations

import pytest

from matching.statements import extract

CASES: list[tuple[str, set[tuple[str, str]]]] = [
    # spoken / western Japanese
    ("夜勤はもうようせえへん", {("night_work", "cannot")}),
    ("掃除はそない嫌いちゃうねん", {("cleaning", "want")}),
    ("力仕事でもかまへん", {("heavy_lifting", "can")}),
    ("夕方はあかんわ", {("evening", "cannot")}),
    ("絵を描くんは好きやで", {("illustration", "want")}),
    ("土日は出られへん", {("weekend", "cannot")}),
    # hedges: かもしれない is not a negation
    ("人混みはしんどいかもしれません", {("crowds", "avoid")}),
    ("電話番ならできるかもしれない", {("phone", "can")}),
    # note marks before items, marks apart by spaces, arrows
    ("×電話 ○清掃", {("phone", "cannot"), ("cleaning", "can")}),
    ("調理◎ 運転×", {("cooking", "can"), ("driving", "cannot")}),
    ("好き→園芸/苦手→電話", {("farming", "want"), ("phone", "avoid")}),
    # trigger clauses: the concept takes the main predicate's polarity
    ("騒がしいと頭痛がして疲れる", {("noise", "avoid")}),
    ("人が多いところにいると気分が悪くなる", {("crowds", "avoid")}),
    ("締め切りに追われると体調を崩す", {("fast_pace", "avoid")}),
    # negated conditions
    ("大勢さえいなければ買い物には行ける", {("crowds", "avoid"), ("going_out", "can")}),
    ("静かな所でなければ作業できない", {("quiet", "want")}),
    # attribution is not a statement
    ("ケースワーカーの話では、畑仕事が得意だったらしい", {("farming", "can")}),
    # places named after a task, what smells, destinations, childhood
    ("子ども食堂でボランティアをしていた", set()),
    ("揚げ物のにおいがつらい", {("smell", "avoid")}),
    ("駅前のスーパーまでは行ける", {("going_out", "can")}),
    ("子どもの頃から絵を描いていた", {("illustration", "can")}),
    # numbers that name concepts
    ("朝4時起きの仕事は無理", {("early_morning", "cannot")}),
    ("3、4人のグループなら平気", {("small_group", "can")}),
    # a different time after a time limit is its own statement
    ("週末は無理だけど、平日なら空いている", {("weekend", "cannot"), ("weekday", "can")}),
    # speaking in front of people is not conversation
    ("人前でしゃべるのは苦手", {("public_speaking", "avoid")}),
    # facts, not abilities or limits
    ("カメラは持っている", set()),
    ("料理は最近はしない", set()),
    ("相談経緯: 地域包括支援センターより紹介", set()),
    ("外に出てほしいと家族は願っている", set()),
    # polarity words added
    ("人の輪に入るのは気が重い", {("company", "avoid")}),
    ("スマホの初期設定ならお手のもの", {("it", "can")}),
    ("動物アレルギーがある", {("animals", "cannot")}),
    ("一人きりの作業は寂しい", {("solitude", "avoid")}),
    ("午後は調子がいい", {("afternoon", "can")}),
]


@pytest.mark.parametrize(("text", "expected"), CASES, ids=[c[0] for c in CASES])
def test_reads_the_construction(text: str, expected: set[tuple[str, str]]) -> None:
    got = {(s.concept, s.polarity) for s in extract(text)}
    assert got == expected


def test_spoken_sentence_is_quoted_as_written() -> None:
    """The reader rewrites spoken forms only to tokenize; the statement quotes what the coordinator wrote."""
    (st,) = extract("重いもん持つんはかまへん")
    assert st.concept == "heavy_lifting" and st.polarity == "can"
    assert st.sentence == "重いもん持つんはかまへん"


def test_hedged_limit_is_soft() -> None:
    (st,) = extract("夜は無理かもしれない")
    assert (st.concept, st.polarity, st.strength) == ("night_work", "cannot", "soft")


def test_hours_after_a_duration_limit_is_its_exception() -> None:
    (st,) = extract("長い時間はきついけど、1時間半なら")
    assert (st.concept, st.polarity) == ("long_hours", "cannot")
    assert st.condition is not None and st.condition.max_hours == 1.5


def test_contrast_begun_in_a_new_sentence_keeps_the_exception_and_quotes_what_was_written() -> None:
    (st,) = extract("外出はとても無理。ただ、近所の集会所なら行ける")
    assert (st.concept, st.polarity, st.strength) == ("going_out", "cannot", "hard")
    assert (
        st.condition is not None and "near_home" in st.condition.concepts and "集会所" in st.condition.terms
    )
    assert st.sentence == "外出はとても無理。ただ、近所の集会所なら行ける"
