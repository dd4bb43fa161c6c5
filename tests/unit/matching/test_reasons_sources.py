"""Reasons name where each limit came from and show an exception that an opening meets as such: a hard limit
from 制約の一覧 or できないこと is named in the exclusion, a limit whose exception is met says so (not
「当たらない」), and a soft limit from 制約の一覧 is quoted as 制約の一覧, not as the person's free text."""

from __future__ import annotations

from typing import Any

from matching import Opening, Profile, rank

HOME = {"lat": 34.48, "lon": 136.84}
NEAR = {"lat": 34.481, "lon": 136.841}


def _profile(**kw: Any) -> Profile:
    return Profile.model_validate({"consent": {"all_hosts": True}, "home": HOME, **kw})


def _factor(res: Any, opening_id: str, name: str) -> str:
    row = next(r for r in res.to_dict()["ranked"] if r["opening_id"] == opening_id)
    return str(next(f for f in row["factors"] if f["name"] == name)["reason"])


def test_exclusion_names_the_limit_it_came_from() -> None:
    prof = _profile(limits=[{"what": "電話", "strength": "hard"}], cannot_do=["重い物を運ぶ"])
    ops = [
        Opening(id="O-tel", title="電話受付", kind="petit_work", location=NEAR),
        Opening(id="O-move", title="倉庫の重量物の運搬", kind="petit_work", location=NEAR),
        Opening(id="O-ok", title="公民館の清掃", kind="petit_work", location=NEAR),
    ]
    res = rank(prof, ops).to_dict()
    details = {e["opening_id"]: e["reasons"][0]["detail"] for e in res["exclusions"]}
    assert "制約「電話」: できない" in details["O-tel"]
    assert "できないこと「重い物を運ぶ」" in details["O-move"]


def test_met_exception_of_a_hard_limit_is_shown_as_such() -> None:
    prof = _profile(free_text="外出はとても無理。ただ、近所の集会所なら行ける")
    ops = [
        Opening(id="O-hall", title="集会所のお茶会の準備", kind="volunteer", location=NEAR),
        Opening(
            id="O-far", title="市役所の書類整理", kind="petit_work", location={"lat": 34.55, "lon": 136.90}
        ),
    ]
    res = rank(prof, ops, explain=5)
    hall = _factor(res, "O-hall", "limits")
    assert (
        "「外出・通うこと」はできないとしているが" in hall
        and "の例外 (自宅の近く・「集会所」) を満たす" in hall
    )
    far = _factor(res, "O-far", "limits")
    assert "「外出・通うこと」はできない (強い制約)に当たる" in far


def test_soft_limit_from_the_limits_list_is_quoted_as_the_list() -> None:
    prof = _profile(limits=[{"what": "人前で話す", "strength": "soft", "unless": "少人数なら"}])
    ops = [
        Opening(
            id="O-talk",
            title="少人数の発表会の手伝い",
            kind="volunteer",
            location=NEAR,
            description="人前で話す",
        ),
        Opening(id="O-stage", title="大ホールでの司会", kind="volunteer", location=NEAR),
    ]
    res = rank(prof, ops, explain=5)
    talk = _factor(res, "O-talk", "avoid")
    assert "制約の一覧『人前で話す (例外: 少人数なら)』の条件 (少人数) を満たす" in talk
    stage = _factor(res, "O-stage", "avoid")
    assert "制約の一覧『人前で話す (例外: 少人数なら)』" in stage and "本人の記述" not in stage
