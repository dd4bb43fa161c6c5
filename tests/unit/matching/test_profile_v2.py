"""Profile schema version 2: 在宅のみ, 今は時間がない, 連絡の方法, 制約の一覧 (hard/soft, 例外); bad text."""

from __future__ import annotations

import json
import random

import pytest
from pydantic import ValidationError

from graphsvc.domain.errors import DomainValidationError
from matching import Opening, Profile, load_profile, rank
from matching.analyser import MAX_TEXT_BYTES
from matching.records import PROFILE_SCHEMA_VERSION
from matching.statements import extract

HOME = {"lat": 34.48, "lon": 136.84}


def _o(oid: str, title: str, **kw: object) -> Opening:
    return Opening.model_validate(
        {"id": oid, "title": title, "kind": "volunteer", "location": {"lat": 34.481, "lon": 136.84}, **kw}
    )


OPENINGS = [
    _o("O-hall", "公民館の受付補助"),
    _o("O-far", "駅前の受付補助", location={"lat": 34.53, "lon": 136.84}),
    _o("O-home", "在宅でのデータ入力", remote=True, location=None),
    _o("O-phone", "事務所の電話番"),
    _o("O-mail", "事務所の書類整理", support=["メールで連絡可"]),
]


def _p(**kw: object) -> Profile:
    return Profile.model_validate({"consent": {"all_hosts": True}, "home": HOME, **kw})


def test_a_version_1_profile_still_validates_with_defaults() -> None:
    v1 = {"id": "P-1", "skills": ["調理"], "free_text": "料理が好き", "consent": {"all_hosts": True}}
    p = Profile.model_validate(v1)
    assert p.schema_version == PROFILE_SCHEMA_VERSION
    assert not p.home_only and not p.no_time_now and p.limits == [] and p.contact_channels.refused == []
    with pytest.raises(ValidationError, match="schema_version"):
        Profile.model_validate({**v1, "schema_version": 3})


def test_home_only_excludes_what_needs_travel_with_a_reason() -> None:
    r = rank(_p(home_only=True), OPENINGS)
    assert [x.opening_id for x in r.ranked] == ["O-home"]
    reasons = {e.opening_id: e.reasons[0] for e in r.exclusions}
    assert reasons["O-hall"].message == "在宅のみの参加を希望 (移動を伴う)"


def test_no_time_now_is_not_no_restriction() -> None:
    none_now = rank(_p(no_time_now=True), OPENINGS)
    assert none_now.empty and "今は参加できる時間がない" in none_now.message
    unrestricted = rank(_p(), OPENINGS)
    assert unrestricted.n_feasible == len(OPENINGS)
    with pytest.raises(ValidationError, match="no_time_now"):
        _p(no_time_now=True, time_windows=[{"weekday": "mon", "opens": "09:00", "closes": "12:00"}])


def test_hard_limit_with_an_exception_excludes_all_but_what_meets_it() -> None:
    p = _p(limits=[{"what": "外出", "strength": "hard", "unless": "近所の公民館なら"}])
    r = rank(p, OPENINGS)
    ids = {x.opening_id for x in r.ranked}
    assert "O-hall" in ids and "O-home" in ids and "O-far" not in ids
    far = next(e for e in r.exclusions if e.opening_id == "O-far")
    assert far.reasons[0].code == "cannot_do" and "近所の公民館なら" in far.reasons[0].detail


def test_soft_limit_is_a_penalty_not_an_exclusion() -> None:
    r = rank(_p(limits=[{"what": "電話対応", "strength": "soft"}]), OPENINGS)
    phone = next(x for x in r.ranked if x.opening_id == "O-phone")
    assert phone.factor("avoid").contribution < 0
    assert r.ranked[-1].opening_id == "O-phone"


def test_contact_channels_phone_refused_and_mail_preferred() -> None:
    p = _p(contact_channels={"preferred": ["メール"], "refused": ["電話"]})
    assert p.contact_channels.preferred == ["email"] and p.contact_channels.refused == ["phone"]
    r = rank(p, OPENINGS)
    by = {x.opening_id: x for x in r.ranked}
    assert by["O-phone"].factor("avoid").contribution < 0
    assert by["O-mail"].factor("conditions").contribution > 0
    assert "メール" in by["O-mail"].factor("conditions").reason
    with pytest.raises(ValidationError, match="希望と不可の両方"):
        _p(contact_channels={"preferred": ["phone"], "refused": ["電話"]})


def test_json_schema_has_the_new_fields() -> None:
    schema = Profile.model_json_schema()
    for f in ("schema_version", "home_only", "no_time_now", "contact_channels", "limits"):
        assert f in schema["properties"]


# ---------------------------------------------------------------- bad input


def test_binary_text_is_refused_in_japanese_naming_the_field(tmp_path) -> None:
    f = tmp_path / "p.json"
    f.write_text(json.dumps({"free_text": "調理\u0000\u0001経験"}), encoding="utf-8")
    with pytest.raises(DomainValidationError) as err:
        load_profile(f)
    prob = err.value.problems[0]
    assert prob.field == "free_text" and "制御文字" in prob.message_ja


def test_huge_text_is_refused_and_below_the_limit_is_read() -> None:
    with pytest.raises(ValidationError, match="長すぎます"):
        Profile.model_validate({"free_text": "あ" * (MAX_TEXT_BYTES // 3 + 10)})
    big = ("調理経験あり。長時間の立ち仕事は困難。" * 2000)[: MAX_TEXT_BYTES // 3 - 10]
    p = Profile.model_validate({"free_text": big, "consent": {"all_hosts": True}})
    st = {(s.concept, s.polarity) for s in extract(p.free_text)}
    assert ("cooking", "can") in st and ("standing_work", "cannot") in st


def test_opening_with_binary_description_is_refused() -> None:
    with pytest.raises(ValidationError, match="制御文字"):
        Opening.model_validate({"id": "O-x", "title": "清掃", "kind": "volunteer", "description": "\x07"})


@pytest.mark.parametrize(
    "text",
    [
        "",
        " ",
        "。。。、、、",
        "ＰＣ ok 👍 Привет 你好 مرحبا 청소",
        "料理\u200b好き",
        "a" * 5000,
        "・\n・\n【】:：",
        "「」『』（）",
        "1234567890",
        "ないないないないない",
        "苦手ではなくはないことはない",
    ],
)
def test_any_text_is_read_without_crashing(text: str) -> None:
    extract(text)
    r = rank(_p(free_text=text or None), OPENINGS)
    assert r.n_feasible == len(OPENINGS)


def test_random_unicode_never_crashes() -> None:
    rng = random.Random(11)
    alphabet = "あいうえおかきくけこ漢字無理苦手好きないではじゃ、。！？ｶﾀｶﾅABCabc０１２ 🙂\n「」：・"
    for _ in range(200):
        s = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 80)))
        extract(s)
        extract(s, side="opening", source="opening")


def test_the_analyser_loads_lazily_never_at_import() -> None:
    """Importing matching (as the CLI does) loads neither SudachiPy nor spaCy; reading text loads SudachiPy only."""
    import subprocess
    import sys

    code = (
        "import sys, matching, matching.rank, matching.records, matching.statements\n"
        "assert 'sudachipy' not in sys.modules and 'spacy' not in sys.modules, 'loaded at import'\n"
        "from matching.statements import extract\n"
        "extract('子どもは苦手ではない')\n"
        "assert 'sudachipy' in sys.modules and 'spacy' not in sys.modules\n"
    )
    subprocess.run(
        [sys.executable, "-c", code], check=True, cwd=str(__import__("pathlib").Path(__file__).parents[3])
    )
