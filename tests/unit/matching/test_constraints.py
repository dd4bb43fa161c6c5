"""Hard constraints: each reason code with its Japanese message, and the empty answer with counts."""

from __future__ import annotations

from typing import Any

import pytest

from matching import Opening, Profile, rank
from matching.constraints import Reason

HOME = {"lat": 34.4811, "lon": 136.8433}


def _o(**kw: Any) -> Opening:
    base: dict[str, Any] = {
        "id": "O-1",
        "title": "公民館の清掃",
        "kind": "petit_work",
        "host_id": "H-1",
        "host_label": "Venue",
    }
    base.update(kw)
    return Opening.model_validate(base)


def _p(**kw: Any) -> Profile:
    base: dict[str, Any] = {"consent": {"all_hosts": True}, "home": HOME}
    base.update(kw)
    return Profile.model_validate(base)


CASES: list[tuple[str, dict[str, Any], dict[str, Any], str]] = [
    ("capacity", {}, {"capacity_left": 0}, "空きが0"),
    ("consent", {"consent": {"host_ids": ["H-9"]}}, {}, "同意の範囲に含まれていません"),
    ("eligibility", {"age": 30}, {"eligibility": {"age_min": 65}}, "65歳以上"),
    ("eligibility", {}, {"eligibility": {"requires": ["障害者手帳"]}}, "障害者手帳"),
    ("cannot_do", {"cannot_do": ["電話"]}, {"description": "電話番あり"}, "電話対応"),
    ("physical_load", {"max_physical_load": 2}, {"physical_load": 4}, "身体負荷4が上限2"),
    ("session_hours", {"max_hours_per_session": 2}, {"hours_per_session": 3}, "1回3時間が上限2時間"),
    ("session_too_short", {"min_hours_per_session": 3}, {"hours_per_session": 1}, "最短3時間"),
    (
        "weekly_hours",
        {"max_hours_per_week": 4},
        {"hours_per_session": 3, "sessions_per_week_min": 2},
        "週6時間",
    ),
    ("days_per_week", {"max_days_per_week": 1}, {"sessions_per_week_min": 3}, "週3日"),
    (
        "schedule",
        {"time_windows": [{"weekday": "mon", "opens": "09:00", "closes": "12:00"}]},
        {"schedule": {"slots": [{"weekday": "mon", "opens": "13:00", "closes": "15:00"}]}},
        "月13:00-15:00",
    ),
    (
        "distance",
        {"travel": {"modes": ["walk"], "max_km": 1}},
        {"location": {"lat": 34.50, "lon": 136.8433}},
        "上限1km",
    ),
    (
        "travel_time",
        {"travel": {"modes": ["walk"], "max_minutes": 20}},
        {"location": {"lat": 34.50, "lon": 136.8433}},
        "上限20分",
    ),
]


@pytest.mark.parametrize(("code", "profile", "opening", "detail"), CASES)
def test_each_constraint_excludes_with_code_and_message(
    code: str, profile: dict, opening: dict, detail: str
) -> None:
    result = rank(_p(**profile), [_o(**opening)])
    assert result.empty
    (exc,) = result.exclusions
    codes = [r.code for r in exc.reasons]
    assert code in codes
    r = exc.reasons[codes.index(code)]
    assert r.message == Reason(code).ja
    assert detail in r.detail, r.detail
    assert result.exclusion_counts[code] == 1


def test_schedule_fits_inside_a_longer_slot() -> None:
    # open 9-17, a 2-hour session fits in the person's 13-15 window
    o = _o(hours_per_session=2, schedule={"slots": [{"weekday": "tue", "opens": "09:00", "closes": "17:00"}]})
    p = _p(time_windows=[{"weekday": "tue", "opens": "13:00", "closes": "15:00"}])
    assert not rank(p, [o]).empty
    p2 = _p(time_windows=[{"weekday": "tue", "opens": "13:00", "closes": "14:30"}])
    assert rank(p2, [o]).exclusion_counts == {"schedule": 1}


def test_pickup_lifts_the_distance_limit_but_not_the_time_limit() -> None:
    far = {"lat": 34.53, "lon": 136.8433}  # about 5.4 km
    o = _o(location=far, support=["送迎"])
    assert rank(_p(travel={"modes": ["walk"], "max_km": 2}), [o]).exclusion_counts == {"distance": 1}
    assert not rank(_p(travel={"modes": ["walk", "pickup"], "max_km": 2}), [o]).empty
    r = rank(_p(travel={"modes": ["walk", "pickup"], "max_km": 2, "max_minutes": 5}), [o])
    assert r.exclusion_counts == {"travel_time": 1}


def test_remote_and_housing_skip_travel_limits() -> None:
    far = {"lat": 34.60, "lon": 136.8433}
    p = _p(travel={"modes": ["walk"], "max_km": 1})
    assert not rank(p, [_o(kind="remote_task", remote=True, location=far)]).empty
    assert not rank(p, [_o(kind="temporary_housing", location=far)]).empty


def test_default_consent_is_none() -> None:
    r = rank(Profile(), [_o(), _o(id="O-2")])
    assert r.empty and r.exclusion_counts == {"consent": 2}


def test_consent_by_kind_and_by_host_kind() -> None:
    ops = [_o(), _o(id="O-2", kind="volunteer", host_label="Employer", host_id="E-1")]
    r = rank(_p(consent={"opportunity_kinds": ["ボランティア"]}), ops)
    assert [x.opening_id for x in r.ranked] == ["O-2"]
    r = rank(_p(consent={"host_kinds": ["Venue"]}), ops)
    assert [x.opening_id for x in r.ranked] == ["O-1"]


def test_empty_answer_says_which_constraint_removed_how_many() -> None:
    ops = [
        _o(id="O-1", capacity_left=0),
        _o(id="O-2", capacity_left=0, physical_load=5),
        _o(id="O-3", physical_load=5),
        _o(id="O-4", hours_per_session=6),
    ]
    r = rank(_p(max_physical_load=3, max_hours_per_session=4), ops)
    assert r.empty and r.ranked == []
    assert r.exclusion_counts == {"capacity": 2, "physical_load": 2, "session_hours": 1}
    assert "定員に空きがない 2件" in r.message and "身体負荷が上限を超える 2件" in r.message
    assert "1回の時間が上限を超える 1件" in r.message
    d = r.to_dict()
    assert d["empty"] is True and d["exclusion_counts"]["capacity"] == 2
    assert len(d["exclusions"]) == 4


def test_no_candidates_at_all() -> None:
    r = rank(_p(), [])
    assert r.empty and r.n_candidates == 0 and "候補の参加メニューがありません" in r.message
