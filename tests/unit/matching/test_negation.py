"""Mentioning a limit never counts as a match; the negated concept counts against openings that need it."""

from __future__ import annotations

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from matching import Opening, Profile, rank

TEXT = "調理経験あり、長時間の立ち仕事は困難"

OPENINGS = [
    Opening(id="O-stand", title="長時間の立ち仕事", kind="petit_work", description="倉庫での仕分け"),
    Opening(id="O-cook", title="料理教室のお手伝い", kind="volunteer", skills_wanted=["料理"]),
    Opening(id="O-clean", title="公民館の清掃", kind="petit_work"),
]


def _profile(**kw: object) -> Profile:
    return Profile.model_validate({"free_text": TEXT, "consent": {"all_hosts": True}, **kw})


def test_plain_similarity_would_put_the_limit_first() -> None:
    """The premise: plain char n-gram similarity over the whole text rewards the mention of the limit."""
    docs = [o.title + " " + (o.description or "") + " " + " ".join(o.skills_wanted) for o in OPENINGS]
    vec = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 3)).fit([*docs, TEXT])
    sims = (vec.transform(docs) @ vec.transform([TEXT]).T).toarray().ravel()
    assert OPENINGS[int(np.argmax(sims))].id == "O-stand"


def test_rank_does_not_reward_the_limit() -> None:
    result = rank(_profile(), OPENINGS)
    order = [r.opening_id for r in result.ranked]
    assert order[0] == "O-cook"
    assert order[-1] == "O-stand"
    stand = next(r for r in result.ranked if r.opening_id == "O-stand")
    # the limit (困難: a hard limit written in words) shows as a negative contribution, named with its sentence
    assert stand.factor("limits").contribution < 0
    assert "立ち仕事" in stand.factor("limits").reason
    assert "『調理経験あり、長時間の立ち仕事は困難』" in stand.factor("limits").reason
    # and the text factor sees only the positive clause
    assert stand.factor("text").value == 0  # the limit's words earn no text similarity


def test_negated_concept_counts_against_openings_that_need_it() -> None:
    needs_standing = Opening(
        id="O-a", title="厨房の仕込み", kind="petit_work", description="立ちっぱなしの作業"
    )
    seated = Opening(id="O-b", title="厨房の仕込み", kind="petit_work", description="座ってできる作業")
    without = rank(
        Profile.model_validate({"free_text": "調理経験あり", "consent": {"all_hosts": True}}),
        [needs_standing, seated],
    )
    with_limit = rank(_profile(), [needs_standing, seated])
    s0 = {r.opening_id: r.score for r in without.ranked}
    s1 = {r.opening_id: r.score for r in with_limit.ranked}
    assert abs(s0["O-a"] - s0["O-b"]) < 1e-9  # same without the limit
    assert s1["O-a"] < s1["O-b"] - 0.1  # the limit costs the standing job
    assert with_limit.ranked[0].opening_id == "O-b"


def test_opening_saying_no_standing_is_not_penalised() -> None:
    o = Opening(
        id="O-c",
        title="料理教室の講師",
        kind="volunteer",
        accessibility=["立ち仕事なし"],
        description="立ち仕事なし",
    )
    item = rank(_profile(), [o]).ranked[0]
    assert item.factor("avoid").contribution == 0
    assert item.factor("limits").contribution == 0
    assert "調理" in item.factor("skills").reason or "調理" in item.factor("interests").reason
