"""The seed deck's 支援例①–④: the placement the deck describes ranks first, for the right reasons."""

from __future__ import annotations

import pytest

from matching import rank
from tests.support.seed_examples import SCENARIOS


@pytest.mark.parametrize("key", list(SCENARIOS))
def test_expected_placement_ranks_first(key: str) -> None:
    s = SCENARIOS[key]
    result = rank(s.profile, list(s.openings))
    assert result.ranked[0].opening_id == s.expected_first, [(r.opening_id, r.score) for r in result.ranked]
    assert result.ranked[0].score > result.ranked[1].score
    text = " ".join(result.ranked[0].reasons)
    for word in s.reason_keywords:
        assert word in text, (word, text)


def test_former_cook_reasons_and_the_standing_job() -> None:
    s = SCENARIOS["former_cook"]
    r = rank(s.profile, list(s.openings))
    first = r.ranked[0]
    assert "調理の経験が募集内容『男性の料理教室の講師』と合致" in first.factor("skills").reason
    assert first.factor("hours").reason == "1回2時間で、希望する上限3時間以内"
    assert first.factor("avoid").contribution == 0  # 「立ち仕事なし」: the limit does not apply
    assert first.factor("limits").contribution == 0
    kitchen = next(x for x in r.ranked if x.opening_id == "S1-restaurant")
    # 「長時間の立ち仕事は困難」 is a hard limit written in words: the limits penalty, quoting the sentence
    assert kitchen.factor("limits").contribution < 0 and "立ち仕事" in kitchen.factor("limits").reason
    # 「もうお店で調理はできない」 limits a setting; the declared cooking skill is still a skill
    assert "cooking" in r.pv.skills and "cooking" not in r.pv.avoid


def test_young_illustrator_contact_is_what_separates() -> None:
    s = SCENARIOS["young_illustrator"]
    r = rank(s.profile, list(s.openings))
    poster = next(x for x in r.ranked if x.opening_id == "S2-poster-workshop")
    assert poster.factor("skills").value == 1.0  # same skill fit as the winner …
    assert poster.factor("avoid").contribution < 0  # … but it means talking with many people
    assert "人と話す" in poster.factor("avoid").reason
    assert r.ranked[0].factor("distance").reason.startswith("在宅")


def test_eighty_fifty_needs_housing_and_meals() -> None:
    s = SCENARIOS["eighty_fifty_housing"]
    r = rank(s.profile, list(s.openings))
    first = r.ranked[0]
    assert first.factor("needs").value == 1.0
    assert "住まい・食事" in first.factor("needs").reason
    apartment = next(x for x in r.ranked if x.opening_id == "S3-apartment")
    assert "食事" in apartment.factor("needs").reason and "得られない" in apartment.factor("needs").reason


def test_type_b_spare_place_and_the_exclusions() -> None:
    s = SCENARIOS["type_b_spare_place"]
    r = rank(s.profile, list(s.openings))
    reasons = {e.opening_id: [x.code for x in e.reasons] for e in r.exclusions}
    assert reasons == {
        "S4-type-b-regular": ["eligibility"],  # not eligible for disability services
        "S4-call": ["cannot_do"],  # telephone work
        "S4-envelopes": ["capacity"],
    }
    regular = next(e for e in r.exclusions if e.opening_id == "S4-type-b-regular")
    assert regular.reasons[0].message == "対象要件を満たさない"
    assert "障害福祉サービス受給者証" in regular.reasons[0].detail
    first = r.ranked[0]
    assert "声かけ・見守り" in first.factor("support").reason
    office = next(x for x in r.ranked if x.opening_id == "S4-office")
    assert "難易度4が参加の段階2より高い" in office.factor("readiness").reason
