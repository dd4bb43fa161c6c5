"""Each construction of Japanese free text decides a ranking that the structured fields leave even.

For every construction: one person whose structured fields are neutral (or identical for every opening) and
4–5 openings with equal structured loads (difficulty, contact, physical load, hours, support, distance where it
is not the point). The opening the text points to must rank first by a margin, and a reason must quote the
sentence that decided it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from matching import Opening, Profile, rank

MARGIN = 0.03
HOME = {"lat": 34.4800, "lon": 136.8400}


def _at(km_north: float) -> dict[str, float]:
    return {"lat": HOME["lat"] + km_north / 111.0, "lon": HOME["lon"]}


def opening(oid: str, title: str, description: str = "", **kw: Any) -> Opening:
    base: dict[str, Any] = {
        "id": oid,
        "title": title,
        "kind": "volunteer",
        "description": description or None,
        "difficulty": 2,
        "contact_load": 2,
        "physical_load": 2,
        "hours_per_session": 2,
        "location": _at(1.0),
        "schedule": {"slots": [{"weekday": "tue", "opens": "10:00", "closes": "12:00"}]},
    }
    base.update(kw)
    return Opening.model_validate(base)


@dataclass
class Case:
    name: str
    text: str
    openings: list[Opening]
    first: str
    quote: str  # a part of the sentence the reasons must quote
    quote_in: str = "first"  # which opening's reasons quote it: first | others
    profile: dict[str, Any] = field(default_factory=dict)


CASES = [
    Case(
        "double negative 苦手ではない (ability)",
        "子どもは苦手ではない",
        [
            opening("O-clean", "公民館の清掃"),
            opening("O-kids", "子ども食堂での見守り"),
            opening("O-office", "商工会の書類整理"),
            opening("O-farm", "農園の草取り"),
        ],
        "O-kids",
        "子どもは苦手ではない",
        profile={"interests": []},
    ),
    Case(
        "double negative 嫌いじゃない (wish)",
        "人前で話すのは嫌いじゃない",
        [
            opening("O-sort", "倉庫の仕分け"),
            opening("O-speech", "地域の集まりでの司会・発表"),
            opening("O-clean", "公民館の清掃"),
            opening("O-label", "封筒のシール貼り"),
        ],
        "O-speech",
        "人前で話すのは嫌いじゃない",
    ),
    Case(
        "limit with an exception the opening meets (外出は無理だが、近所の公民館なら行ける)",
        "外出は無理だが、近所の公民館なら行ける",
        [
            opening("O-far-hall", "北地区公民館の受付補助", location=_at(4.0)),
            opening("O-cafe", "駅前カフェの受付補助", location=_at(0.8)),
            opening("O-hall", "公民館の受付補助", location=_at(0.8)),
            opening("O-shop", "商店街の受付補助", location=_at(0.9)),
        ],
        "O-hall",
        "外出は無理だが、近所の公民館なら行ける",
    ),
    Case(
        "limit with an exception in hours (長時間は無理だけど、1時間くらいなら平気)",
        "長時間は無理だけど、1時間くらいなら平気",
        [
            opening(
                "O-4h",
                "図書室の本の整理",
                hours_per_session=4,
                schedule={"slots": [{"weekday": "tue", "opens": "09:00", "closes": "13:00"}]},
            ),
            opening("O-1h", "図書室の本の整理", hours_per_session=1),
            opening(
                "O-3h",
                "図書室の本の整理",
                hours_per_session=3,
                schedule={"slots": [{"weekday": "tue", "opens": "09:00", "closes": "12:00"}]},
            ),
            opening("O-2h", "図書室の本の整理", hours_per_session=2),
        ],
        "O-1h",
        "長時間は無理だけど、1時間くらいなら平気",
        quote_in="others",
    ),
    Case(
        "a skill only in the experience text (元美容師)",
        "元美容師。ここ数年は家にいることが多い",
        [
            opening("O-clean", "公民館の清掃"),
            opening("O-cut", "高齢者サロンでの散髪ボランティア"),
            opening("O-office", "商工会の書類整理"),
            opening("O-farm", "農園の草取り"),
        ],
        "O-cut",
        "元美容師",
    ),
    Case(
        "a word outside the vocabulary, by vector similarity (自転車をいじるのが好き)",
        "自転車をいじるのが好き",
        [
            opening("O-clean", "公民館の清掃"),
            opening("O-office", "商工会の書類整理"),
            opening("O-repair", "放置自転車の修理・整備"),
            opening("O-farm", "農園の草取り"),
        ],
        "O-repair",
        "近いと判断",
    ),
    Case(
        "a time limit in words (夕方は家族の介護があるので無理)",
        "夕方は家族の介護があるので無理",
        [
            opening(
                "O-16",
                "図書室の本の整理",
                schedule={"slots": [{"weekday": "tue", "opens": "16:00", "closes": "18:00"}]},
            ),
            opening(
                "O-17",
                "図書室の本の整理",
                schedule={"slots": [{"weekday": "tue", "opens": "17:00", "closes": "19:00"}]},
            ),
            opening("O-10", "図書室の本の整理"),
            opening(
                "O-15",
                "図書室の本の整理",
                schedule={"slots": [{"weekday": "tue", "opens": "15:00", "closes": "17:00"}]},
            ),
        ],
        "O-10",
        "夕方は家族の介護があるので無理",
        quote_in="others",
    ),
    Case(
        "working alone (一人で黙々とやる作業が向いている)",
        "一人で黙々とやる作業が向いている",
        [
            opening("O-group", "みんなでわいわいする袋詰め"),
            opening("O-alone", "一人で黙々とできる袋詰め"),
            opening("O-plain", "袋詰め"),
            opening("O-team", "仲間と一緒にする袋詰め"),
        ],
        "O-alone",
        "一人で黙々とやる作業が向いている",
    ),
    Case(
        "company (にぎやかな所が好き)",
        "にぎやかな所が好き",
        [
            opening("O-quiet", "静かな図書室での作業"),
            opening("O-plain", "公民館での作業"),
            opening("O-lively", "にぎやかなサロンでの作業"),
            opening("O-alone", "一人でする作業"),
        ],
        "O-lively",
        "にぎやかな所が好き",
    ),
    Case(
        "a sensory limit and a wish (大きな音が苦手で、静かな所がいい)",
        "大きな音が苦手で、静かな所がいい",
        [
            opening("O-factory", "部品の検品", "機械音の大きい工場内"),
            opening("O-quiet", "部品の検品", "静かな作業室"),
            opening("O-plain", "部品の検品"),
            opening("O-noisy", "部品の検品", "騒がしい倉庫の一角"),
        ],
        "O-quiet",
        "静かな所がいい",
    ),
    Case(
        "a soft limit with an exception (人混みはしんどいけど、少人数なら大丈夫)",
        "人混みはしんどいけど、少人数なら大丈夫",
        [
            opening("O-crowd", "売り場の品出し", "混雑する売り場"),
            opening("O-small", "売り場の品出し", "少人数の落ち着いた作業場"),
            opening("O-plain", "売り場の品出し"),
            opening("O-event", "売り場の品出し", "大勢が集まるイベント会場"),
        ],
        "O-small",
        "少人数なら大丈夫",
    ),
    Case(
        "contrast: a wish and a hard limit in one sentence (料理は好きだが、立ち仕事は無理)",
        "料理は好きだが、立ち仕事は無理",
        [
            opening("O-stand", "厨房の仕込み", "立ち仕事が中心"),
            opening("O-seat", "厨房の仕込み", "座ってできる作業"),
            opening("O-clean", "公民館の清掃"),
            opening("O-office", "商工会の書類整理"),
        ],
        "O-seat",
        "料理は好きだが、立ち仕事は無理",
        quote_in="others",
    ),
    Case(
        "note style with marks (接客×、PC○)",
        "接客×、PC○",
        [
            opening("O-shop", "売店の接客"),
            opening("O-pc", "パソコンでの名簿入力"),
            opening("O-clean", "公民館の清掃"),
            opening("O-farm", "農園の草取り"),
        ],
        "O-pc",
        "接客×、pc○",
        quote_in="others",
    ),
    Case(
        "casual speech with a polite refusal (本人「夜はちょっとね…」)",
        "本人「夜はちょっとね…」",
        [
            opening(
                "O-night",
                "図書室の本の整理",
                schedule={"slots": [{"weekday": "tue", "opens": "19:00", "closes": "21:00"}]},
            ),
            opening("O-day", "図書室の本の整理"),
            opening(
                "O-night2",
                "図書室の本の整理",
                schedule={"slots": [{"weekday": "wed", "opens": "20:00", "closes": "22:00"}]},
            ),
            opening(
                "O-late",
                "図書室の本の整理",
                schedule={"slots": [{"weekday": "thu", "opens": "19:30", "closes": "21:30"}]},
            ),
        ],
        "O-day",
        "夜はちょっとね",
        quote_in="others",
    ),
    Case(
        "full-width digits in a soft time limit (１回２時間までなら大丈夫)",
        "１回２時間までなら大丈夫",
        [
            opening(
                "O-4h",
                "図書室の本の整理",
                hours_per_session=4,
                schedule={"slots": [{"weekday": "tue", "opens": "09:00", "closes": "13:00"}]},
            ),
            opening(
                "O-3h",
                "図書室の本の整理",
                hours_per_session=3,
                schedule={"slots": [{"weekday": "tue", "opens": "09:00", "closes": "12:00"}]},
            ),
            opening("O-2h", "図書室の本の整理", hours_per_session=2),
            opening(
                "O-35h",
                "図書室の本の整理",
                hours_per_session=3.5,
                schedule={"slots": [{"weekday": "tue", "opens": "09:00", "closes": "12:30"}]},
            ),
        ],
        "O-2h",
        "2時間までなら大丈夫",
    ),
    Case(
        "half-width kana and a hard limit (ﾊﾟｿｺﾝは得意。電話番は無理)",
        "ﾊﾟｿｺﾝは得意。電話番は無理",
        [
            opening("O-phone", "事務所の電話番"),
            opening("O-pc", "事務所のパソコン入力"),
            opening("O-clean", "事務所の清掃"),
            opening("O-garden", "事務所の花壇の水やり"),
        ],
        "O-pc",
        "パソコンは得意",
    ),
]


def _profile(case: Case) -> Profile:
    data: dict[str, Any] = {
        "free_text": case.text,
        "consent": {"all_hosts": True},
        "home": HOME,
        "travel": {"modes": ["walk", "bus"], "max_km": 10},
    }
    data.update(case.profile)
    return Profile.model_validate(data)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_construction_decides_the_ranking(case: Case) -> None:
    result = rank(_profile(case), case.openings, explain=10)
    ranked = result.ranked
    assert len(ranked) == len(case.openings), result.message
    order = [(r.opening_id, round(r.score, 3)) for r in ranked]
    assert ranked[0].opening_id == case.first, order
    assert ranked[0].score - ranked[1].score >= MARGIN, order
    holders = [ranked[0]] if case.quote_in == "first" else ranked[1:]
    reasons = [f.reason for r in holders for f in r.factors]
    assert any(case.quote.casefold() in r.casefold() for r in reasons), reasons


def test_without_the_text_the_openings_tie() -> None:
    """The premise: the structured fields alone leave these openings even (or ordered otherwise)."""
    case = CASES[0]
    p = Profile.model_validate({"consent": {"all_hosts": True}, "home": HOME})
    scores = {r.opening_id: r.score for r in rank(p, case.openings).ranked}
    assert max(scores.values()) - min(scores.values()) < 1e-9


def test_interest_that_is_also_a_skill_still_counts_as_interest() -> None:
    p = Profile.model_validate(
        {"skills": ["絵"], "interests": ["絵を描く"], "consent": {"all_hosts": True}, "home": HOME}
    )
    o = opening("O-draw", "広報紙のイラストを描く")
    item = rank(p, [o]).ranked[0]
    assert item.factor("interests").value > 0
    assert "興味のある" in item.factor("interests").reason


def test_defaults_are_not_presented_as_facts() -> None:
    p = Profile.model_validate({"consent": {"all_hosts": True}})
    item = rank(p, [opening("O-a", "公民館の清掃")]).ranked[0]
    assert "段階は未入力 (既定3で計算)" in item.factor("readiness").reason
    assert "未入力" in item.factor("contact").reason
    given = Profile.model_validate({"consent": {"all_hosts": True}, "readiness": 3, "contact_comfort": 3})
    item = rank(given, [opening("O-a", "公民館の清掃")]).ranked[0]
    assert "参加の段階3に合う" in item.factor("readiness").reason
    assert "未入力" not in item.factor("contact").reason
