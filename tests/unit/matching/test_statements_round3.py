"""Mechanisms added so that the reader generalises to text written by other people (issue 11, round 3). Every
sentence here was written for this test (none is taken from a corpus or a blind set): 〜やすい/〜にくい,
hedging adverbs, a noun negated inside a relative clause, words for a concept's opposite end, marks under a
header of wishes, a bare exception after a limit, a wish to rest at a time, △ as a partial ability, days of the
week, a second example for similarity, and statements that are someone else's or a symptom.
Each case is (sentence, the statements it must give as (concept, polarity)); a case fails on any statement
missing or extra."""

from __future__ import annotations

import pytest

from matching.statements import extract

CASES: list[tuple[str, set[tuple[str, str]]]] = [
    # 〜やすい / 〜にくい / 〜づらい carry the polarity; 〜になりやすい and 疲れやすい keep the word before
    ("週末は家を出やすい", {("weekend", "can")}),
    ("ざわざわした所だと作業しにくい", {("noise", "avoid")}),
    ("電話は受けづらい", {("phone", "avoid")}),
    ("せかされると頭が真っ白になりやすい", {("fast_pace", "avoid")}),
    # a noun negated inside a relative clause: the wish is for its absence
    ("納期のない作業がいい", {("fast_pace", "avoid")}),
    ("騒音のない職場を希望", {("noise", "avoid")}),
    # words for the opposite end of a concept
    ("時短で働きたい", {("long_hours", "avoid")}),
    ("短い時間だけなら手伝える", {("long_hours", "avoid")}),
    ("自分のペースで進められる作業がいい", {("fast_pace", "avoid")}),
    # a mark under a header of wishes says what is liked
    ("【やりたいこと】○陶芸 ○写真", {("crafts", "want"), ("photo_video", "want")}),
    # a bare condition after a limit is its exception (no statement of its own) …
    ("大人数の場はしんどいが、4人程度までなら", {("crowds", "avoid")}),
    ("騒々しい所は苦手だけど、ヘッドホンをしていれば", {("noise", "avoid")}),
    # … unless it is another time or task
    ("夕方は出られない、午前なら", {("evening", "cannot"), ("morning", "can")}),
    # a time wanted free (rest, family, home) is avoided
    ("土日は家でのんびりしたい", {("weekend", "avoid")}),
    ("夜は家族といたい", {("night_work", "avoid")}),
    # △ grades an ability
    ("清掃○ 調理△", {("cleaning", "can"), ("cooking", "cannot")}),
    # days of the week
    ("月曜と金曜なら通える", {("weekday", "can")}),
    # vocabulary reach: stems with suffixes, katakana proper nouns, words added to thin concepts
    ("保育園で働いていた", {("childcare", "can")}),
    ("ユーチューブに動画を上げている", {("photo_video", "can")}),
    ("階段の上り下りがつらい", {("stairs", "avoid")}),
    ("フォークリフトの免許がある", {("driving", "can")}),
    ("通勤ラッシュの電車は無理", {("crowds", "cannot")}),
    # potential verbs listed as words of their own, and 〜て then a potential negative
    ("三味線はもう弾けない", {("music", "cannot")}),
    ("人が多い所は息が詰まって行けない", {("crowds", "cannot")}),
    ("電話は緊張して出られない", {("phone", "cannot")}),
    # reaction words after a trigger
    ("急がされると手が震える", {("fast_pace", "avoid")}),
    ("大声を出されると体が固まってしまう", {("noise", "avoid")}),
    # XよりY, 少ない in a relative clause, only X (しか)
    ("接客より裏方の仕事がいい", {("serving", "avoid")}),
    ("大勢より少人数でやる方が好き", {("crowds", "avoid"), ("small_group", "want")}),
    ("人と話す機会の少ない仕事を希望", {("conversation", "avoid")}),
    ("午前中しか動けない", {("morning", "can")}),
    # さえ … なければ with a verb
    ("締め切りに追われさえしなければ続けられる", {("fast_pace", "avoid")}),
    # a limit after a comma keeps the topic; a reaction after it does not repeat it
    ("運転はまったくしない、できない", {("driving", "avoid"), ("driving", "cannot")}),
    ("香水のにおいは無理、頭痛がする", {("smell", "cannot")}),
    # travel time is distance
    ("電車で４０分以上かかる所は通えない", {("far", "cannot")}),
    # wishes: 探す, 助かる, 〜たいと思う, 〜ないでほしい, keeping a time free, 楽しく + verb
    ("週末だけのボランティアを探している", {("weekend", "want")}),
    ("午前の時間帯だと助かる", {("morning", "want")}),
    ("いずれは畑仕事をしたいと思っている", {("farming", "want")}),
    ("夕方はできるだけ入れないでほしい", {("evening", "avoid")}),
    ("日曜はなるべく空けておきたい", {("weekend", "avoid")}),
    ("大勢の職場でも楽しく働ける", {("crowds", "can")}),
    # a workplace named after its task
    ("調理室で働いていた", {("cooking", "can")}),
    # a feeling joined by して to a verb says how it is done; the absence of a concept in a condition asks
    # for its opposite
    ("少人数のチームなら安心して働ける", {("small_group", "can")}),
    ("騒がしくない部屋だったら集中できる", {("quiet", "can")}),
    # a task word naming what another task works on is its object (not for teaching, nor a setting)
    ("農作物の袋詰めをしていた", {("light_work", "can")}),
    ("着付けを教えていた", {("beauty", "can"), ("teaching", "can")}),
    # a liking, then doing it
    ("パン作りが好きで、よく友人に焼いてあげている", {("cooking", "want"), ("cooking", "can")}),
    # a header per part of one line
    ("【得意】裁縫 【苦手】電話", {("crafts", "can"), ("phone", "avoid")}),
    # reasons written as 〜があって and 〜ため before the predicate
    ("日曜は孫の習い事の付き添いがあって出られない", {("weekend", "cannot")}),
    ("夕方は犬の散歩があるため難しい", {("evening", "cannot")}),
    ("雑音があっても気にならない", {("noise", "can")}),
    # not the person's statement, or a symptom
    ("夕方は無理かも、妻が心配するので", {("evening", "cannot")}),
    ("買い物は父がしている", set()),
    ("夜はなかなか寝付けない", set()),
    # looking after an elder is care work, a child childcare
    ("孫の面倒をよく見ている", {("childcare", "can")}),
    ("義母の身の回りの世話をしている", {("care_work", "can")}),
    # the concepts of an example (〜ような) describe the next one
    ("チラシを折るような軽作業なら得意", {("light_work", "can")}),
]


@pytest.mark.parametrize(("text", "expected"), CASES, ids=[c[0] for c in CASES])
def test_reads_the_construction(text: str, expected: set[tuple[str, str]]) -> None:
    got = {(s.concept, s.polarity) for s in extract(text)}
    assert got == expected


def test_hedging_adverb_makes_a_limit_soft() -> None:
    (st,) = extract("おそらく夜勤はできない")
    assert (st.concept, st.polarity, st.strength) == ("night_work", "cannot", "soft")


def test_triangle_is_a_soft_inability() -> None:
    (st,) = extract("運転△")
    assert (st.concept, st.polarity, st.strength) == ("driving", "cannot", "soft")


def test_bare_exception_is_kept_as_the_limits_condition() -> None:
    (st,) = extract("人の多い所は無理だけど、2人か3人までなら")
    assert (st.concept, st.polarity, st.strength) == ("crowds", "cannot", "hard")
    assert st.condition is not None and "small_group" in st.condition.concepts


def test_opposite_word_is_a_soft_limit_quoting_its_words() -> None:
    got = {(s.concept, s.polarity, s.strength, s.evidence) for s in extract("マイペースでできる内職を希望")}
    assert got == {("fast_pace", "avoid", "soft", "マイペース"), ("light_work", "want", "soft", "内職")}


def test_header_of_wishes_by_a_verb_form() -> None:
    got = {(s.concept, s.polarity) for s in extract("【してみたいこと】畑仕事、写真")}
    assert got == {("farming", "want"), ("photo_video", "want")}
