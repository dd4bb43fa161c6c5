"""足りない参加メニュー (matching.unmet): binding constraints and aggregates known by construction."""

from __future__ import annotations

from matching.records import Opening, Profile
from matching.unmet import counts_only, report_rows, unmet_need

ALL = {"all_hosts": True}
TUE_AM = [{"weekday": "tue", "opens": "09:00", "closes": "12:00"}]


def opening(oid: str, **kw: object) -> Opening:
    base: dict[str, object] = {"id": oid, "title": "袋詰め", "kind": "petit_work", "provides": ["収入"]}
    return Opening(**(base | kw))  # type: ignore[arg-type]


def test_binding_constraint_is_the_single_limit() -> None:
    # O-long fails only on session length for P-short; O-far-heavy fails on two limits (never binding)
    openings = [
        opening("O-long", hours_per_session=3, schedule={"slots": [{"weekday": "tue", "opens": "09:00", "closes": "12:00"}]}),
        opening("O-heavy", hours_per_session=3, physical_load=5, schedule={"slots": [{"weekday": "sat", "opens": "09:00", "closes": "12:00"}]}),
    ]  # fmt: skip
    people = [
        Profile(id="P-short", time_windows=TUE_AM, max_hours_per_session=1, consent=ALL),
        Profile(id="P-ok", time_windows=TUE_AM, consent=ALL, skills=["袋詰め"], needs=["収入"]),
    ]
    r = unmet_need(people, openings)
    assert r.no_feasible_ids == ["P-short"]
    assert r.binding["session_hours"]["people"] == 1 and r.binding["session_hours"]["pairs"] == 1
    assert "physical_load" not in r.binding  # O-heavy also fails on schedule: not binding
    assert r.availability["tue"]["morning"] >= 1
    assert r.session["1時間以内"] == 1
    assert r.missing and r.missing[0]["weekday"] == "tue" and r.missing[0]["band"] == "morning"
    assert r.missing[0]["hours"] == 1.0
    assert "火曜の午前に1時間" in r.missing[0]["sentence"]


def test_seven_people_tuesday_thursday_morning_one_hour_light() -> None:
    people = [
        Profile(
            id=f"P{i}",
            time_windows=[{"weekday": d, "opens": "09:00", "closes": "10:30"} for d in ("tue", "thu")],
            max_hours_per_session=1,
            max_physical_load=2,
            contact_comfort=1,
            consent=ALL,
        )
        for i in range(7)
    ]
    r = unmet_need(people, [opening("O-1", hours_per_session=2, physical_load=3)])
    assert len(r.no_feasible_ids) == 7
    assert r.binding == {}  # two limits fail for everyone: nothing alone excludes
    assert r.availability["tue"]["morning"] == 7 and r.availability["thu"]["morning"] == 7
    assert r.availability["mon"]["morning"] == 0
    assert {(m["weekday"], m["band"], m["hours"], m["people"]) for m in r.missing[:2]} == {
        ("tue", "morning", 1.0, 7),
        ("thu", "morning", 1.0, 7),
    }
    assert r.missing[0]["contact_load"] == 1 and r.missing[0]["physical_load"] == 2
    assert r.physical == {"2": 7} and r.contact == {"1": 7}


def test_unused_skills_and_interests() -> None:
    people = [
        Profile(id="P1", skills=["パソコン入力"], interests=["農作業"], consent=ALL, max_hours_per_session=1),
    ]
    r = unmet_need(
        people, [opening("O-1", hours_per_session=2, title="畑の草取り", skills_wanted=["農作業"])]
    )
    assert r.unused_skills == {"事務・PC作業": 1}
    assert not any("農" in k for k in r.unused_interests)


def test_counts_only_withholds_small_cells_and_ids() -> None:
    people = [
        Profile(id=f"P{i}", time_windows=TUE_AM, max_hours_per_session=1, consent=ALL) for i in range(6)
    ]
    people.append(
        Profile(
            id="P-sat",
            time_windows=[{"weekday": "sat", "opens": "09:00", "closes": "12:00"}],
            consent=ALL,
            max_hours_per_session=1,
        )
    )
    d = unmet_need(people, [opening("O-1", hours_per_session=2)]).to_dict()
    c = counts_only(d)
    assert "people" not in c and "no_feasible_ids" not in c
    assert c["availability"]["tue"]["morning"] == 6
    assert c["availability"]["sat"]["morning"] is None  # 1 person: withheld
    assert all(m["people"] >= 5 for m in c["missing"])
    assert "P-sat" not in str(c) and "P0" not in str(c)
    assert c["areas"] == {"地区不明": 7} and c["areas_withheld"] == 0
    rows = report_rows(c)
    sat = next(r for r in rows if r["key"] == "sat-morning")
    assert sat["count"] == ""


def test_empty_waiting_list_and_no_openings() -> None:
    r = unmet_need([], [opening("O-1")])
    assert r.n_waiting == 0 and r.missing == [] and "いません" in r.summary_ja
    r = unmet_need([Profile(id="P1", consent=ALL)], [])
    assert r.no_feasible_ids == ["P1"] and r.n_openings == 0
