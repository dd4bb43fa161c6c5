"""プチ勤務化 (matching.slicing): constructed towns whose best slicing is known, properties, bad input."""

from __future__ import annotations

import random

import pytest
from pydantic import ValidationError

from graphsvc.domain.records import Job
from matching.records import Opening, Profile
from matching.slicing import naive_slices, slice_jobs
from matching.waiting import score_all

ALL = {"all_hosts": True}


def tue_hour(pid: str, **kw: object) -> Profile:
    return Profile(
        id=pid,
        time_windows=[{"weekday": "tue", "opens": "10:00", "closes": "11:00"}],
        max_hours_per_session=1,
        consent=ALL,
        **kw,
    )


def job(tasks: list[dict[str, object]], **kw: object) -> Job:
    return Job(
        id=kw.pop("id", "J1"), title="旅館の仕事", host_id="E-1", host_label="Employer", tasks=tasks, **kw
    )  # type: ignore[arg-type]


WEEKDAYS_9_15 = [{"weekday": d, "opens": "09:00", "closes": "15:00"} for d in ("tue", "thu")]


def test_three_people_tuesday_hour_get_the_job_cut_for_them_exactly() -> None:
    people = [tue_hour(f"P{i}") for i in range(3)]
    j = job([{"name": "リネンたたみ", "minutes": 180, "splittable": True, "min_piece_minutes": 60,
              "windows": WEEKDAYS_9_15}])  # fmt: skip
    r = slice_jobs([j], people)
    assert r.status == "optimal"
    assert [(p.piece.weekday, p.piece.start, p.piece.minutes, p.copies) for p in r.proposals] == [
        ("tue", 600, 60, 3)
    ]
    (p,) = r.proposals
    assert sorted(p.fits) == ["P0", "P1", "P2"] and sorted(p.assigned) == ["P0", "P1", "P2"]
    assert p.opening.capacity_left == 3
    assert r.covered == {"J1": 180}
    assert r.metrics["before"]["feasible_share"] == 0.0
    assert r.metrics["optimised"]["feasible_share"] == 1.0
    assert r.metrics["optimised"]["placed"] == 3
    # the naive 2-hour blocks from 9:00 fit nobody (an hour at most, and only 10–11)
    assert r.metrics["naive"]["feasible_share"] == 0.0
    assert any("火曜の午前 10:00–11:00 に来られる人が3人" in w for w in p.why)


def test_unsplittable_task_goes_to_the_day_people_come() -> None:
    people = [
        Profile(
            id=f"P{i}", time_windows=[{"weekday": "thu", "opens": "13:00", "closes": "16:00"}], consent=ALL
        )
        for i in range(2)
    ]
    j = job([{"name": "洗い場", "minutes": 120, "per_week": 1,
              "windows": [{"weekday": d, "opens": "09:00", "closes": "17:00"} for d in ("mon", "tue", "thu")]}])  # fmt: skip
    r = slice_jobs([j], people)
    (p,) = r.proposals
    assert (p.piece.weekday, p.piece.start, p.piece.minutes) == ("thu", 13 * 60, 120)
    assert len(p.fits) == 2 and len(p.assigned) == 1
    # naive puts it on the first allowed day at the window's start: Monday 9:00, nobody
    assert r.metrics["naive"]["feasible_share"] == 0.0
    assert r.metrics["optimised"]["feasible_share"] == 1.0


def test_short_task_is_bundled_with_the_next_one() -> None:
    people = [
        Profile(id="P0", time_windows=[{"weekday": "wed", "opens": "08:00", "closes": "09:00"}], consent=ALL)
    ]
    j = job(
        [
            {
                "name": "ゴミ出し",
                "minutes": 15,
                "windows": [{"weekday": "wed", "opens": "08:00", "closes": "10:00"}],
            },
            {
                "name": "玄関掃除",
                "minutes": 45,
                "windows": [{"weekday": "wed", "opens": "08:00", "closes": "10:00"}],
            },
        ],
        min_shift_minutes=60,
    )
    r = slice_jobs([j], [*people])
    assert [(p.piece.tasks, p.piece.start, p.piece.minutes) for p in r.proposals] == [
        (("ゴミ出し", "玄関掃除"), 8 * 60, 60)
    ]
    assert r.proposals[0].fits == ["P0"]
    assert any("まとめた" in w for w in r.proposals[0].why)


def test_weekly_need_below_the_tasks_is_respected_and_chosen_for_people() -> None:
    people = [tue_hour(f"P{i}") for i in range(2)]
    j = job(
        [
            {"name": "布団敷き", "minutes": 60, "per_week": 2, "windows": WEEKDAYS_9_15},
            {
                "name": "干物加工",
                "minutes": 60,
                "windows": [{"weekday": "tue", "opens": "10:00", "closes": "11:00"}],
            },
        ],
        weekly_hours=2,
    )
    r = slice_jobs([j], people)
    assert sum(p.minutes_covered for p in r.proposals) == 120
    assert r.metrics["optimised"]["placed"] == 2


@pytest.mark.parametrize("seed", range(6))
def test_properties_never_exceed_windows_task_or_need_and_keep_everyone_feasible(seed: int) -> None:
    rng = random.Random(seed)
    days = ["mon", "tue", "wed", "thu", "fri"]
    people = []
    for i in range(25):
        d = rng.choice(days)
        a = rng.choice([8, 9, 10, 13, 14])
        people.append(
            Profile(
                id=f"P{i}",
                time_windows=[
                    {"weekday": d, "opens": f"{a:02d}:00", "closes": f"{a + rng.choice([1, 2, 3]):02d}:00"}
                ],
                max_hours_per_session=rng.choice([None, 1, 2]),
                max_physical_load=rng.choice([1, 2, 5]),
                consent=ALL,
            )
        )
    tasks = []
    for t in range(4):
        ws = rng.sample(days, 3)
        a = rng.choice([8, 9, 10])
        tasks.append(
            {
                "name": f"作業{t}",
                "minutes": rng.choice([30, 60, 90, 120, 180]),
                "per_week": rng.choice([1, 2]),
                "splittable": rng.random() < 0.5,
                "min_piece_minutes": 30,
                "physical_load": rng.choice([1, 2, 3]),
                "windows": [{"weekday": d, "opens": f"{a:02d}:00", "closes": f"{a + 5:02d}:00"} for d in ws],
            }
        )
    j = job(tasks, weekly_hours=rng.choice([None, 3, 5]))
    existing = [
        Opening(id="O-x", title="既存の袋詰め", kind="petit_work", hours_per_session=1, capacity_left=2)
    ]
    r = slice_jobs([j], people, existing)
    by_name = {t.name: t for t in j.tasks}
    per_task_day: dict[tuple[str, str], int] = {}
    for p in r.proposals:
        for name, mins in zip(p.piece.tasks, p.piece.parts, strict=True):
            t = by_name[name]
            # inside one of the task's windows on that day
            assert any(
                w.weekday.value == p.piece.weekday
                and w.minutes[0] <= p.piece.start
                and p.piece.end <= w.minutes[1]
                for w in t.windows
            )
            per_task_day[(name, p.piece.weekday)] = (
                per_task_day.get((name, p.piece.weekday), 0) + mins * p.copies
            )
    for (name, _), mins in per_task_day.items():
        assert mins <= by_name[name].minutes
    for name, t in by_name.items():
        assert len({d for (n, d) in per_task_day if n == name}) <= t.per_week
    assert sum(p.minutes_covered for p in r.proposals) <= j.need_minutes
    # accepting never makes a feasible person infeasible, and the optimum beats or equals the baseline's reach
    before = score_all(people, existing).any_feasible()
    after = score_all(people, [*existing, *(p.opening for p in r.proposals)]).any_feasible()
    assert not (before & ~after).any()
    m = r.metrics
    assert m["optimised"]["feasible_share"] >= m["before"]["feasible_share"]


def test_bad_input_messages() -> None:
    with pytest.raises(ValidationError, match="収まりません"):
        job(
            [
                {
                    "name": "客室清掃",
                    "minutes": 180,
                    "windows": [{"weekday": "mon", "opens": "10:00", "closes": "12:00"}],
                }
            ]
        )
    with pytest.raises(ValidationError, match="満たせません"):
        job([{"name": "洗い場", "minutes": 60, "windows": WEEKDAYS_9_15}], weekly_hours=5)
    with pytest.raises(ValidationError, match="重なっています"):
        job([{"name": "洗い場", "minutes": 60, "windows": [
            {"weekday": "mon", "opens": "09:00", "closes": "12:00"},
            {"weekday": "mon", "opens": "11:00", "closes": "13:00"}]}])  # fmt: skip
    with pytest.raises(ValidationError, match="終了時刻"):
        job(
            [
                {
                    "name": "洗い場",
                    "minutes": 60,
                    "windows": [{"weekday": "mon", "opens": "12:00", "closes": "09:00"}],
                }
            ]
        )
    with pytest.raises(ValidationError, match="週3回"):
        job([{"name": "洗い場", "minutes": 60, "per_week": 3, "windows": WEEKDAYS_9_15}])
    with pytest.raises(ValidationError, match="作業が登録されていません"):
        job([], weekly_hours=2)


def test_host_with_no_tasks_and_empty_waiting_list_are_explained() -> None:
    r = slice_jobs([job([])], [tue_hour("P0")])
    assert r.proposals == [] and r.status == "no_tasks"
    assert "作業が登録されていない" in r.notes["J1"][0]
    j = job([{"name": "洗い場", "minutes": 60, "windows": WEEKDAYS_9_15}])
    r = slice_jobs([j], [])
    assert r.covered == {"J1": 60} and len(r.proposals) == 1
    assert r.metrics["optimised"]["waiting"] == 0
    assert r.proposals[0].fits == []


def test_naive_blocks_are_two_hours_from_the_first_window() -> None:
    j = job([{"name": "網の手入れ", "minutes": 300, "splittable": True, "windows": WEEKDAYS_9_15}])
    assert [(p.weekday, p.start, p.minutes) for p in naive_slices(j)] == [
        ("tue", 540, 120), ("tue", 660, 120), ("tue", 780, 60)
    ]  # fmt: skip


def test_opening_ids_stay_valid_for_long_job_ids() -> None:
    from graphsvc.domain.ids import check_record_id
    from matching.slicing import _opening_id

    long_a, long_b = "J" + "a" * 127, "J" + "a" * 126 + "b"
    ids = {_opening_id("OP-", j, "N3") for j in (long_a, long_b)}
    assert len(ids) == 2 and all(len(i) <= 128 and check_record_id(i) == i for i in ids)
    assert _opening_id("OP-", "J-1", "N3") == "OP-J-1-N3"


def _random_town(seed: int, *, disjoint: bool = False) -> tuple[list[Job], list[Profile]]:
    """Three jobs and 30 people; ``disjoint``: job n works on Monday+n only, so no person is reached by two jobs
    (job by job, the sum of the jobs' optima is then one number, whatever ties each job's optimum breaks)."""
    rng = random.Random(seed)
    days = ["mon", "tue", "wed", "thu", "fri"]
    people = []
    for i in range(30):
        d = rng.choice(days)
        a = rng.choice([8, 9, 10, 13])
        people.append(
            Profile(
                id=f"P{i}",
                time_windows=[
                    {"weekday": d, "opens": f"{a:02d}:00", "closes": f"{a + rng.choice([1, 2]):02d}:00"}
                ],
                max_hours_per_session=rng.choice([None, 1, 2]),
                contact_comfort=rng.choice([1, 3, 5]),
                consent=ALL,
            )
        )
    jobs = []
    for n in range(3):
        tasks = [
            {
                "name": f"作業{t}",
                "minutes": rng.choice([60, 90, 120]),
                "per_week": 1 if disjoint else rng.choice([1, 2]),
                "splittable": rng.random() < 0.6,
                "min_piece_minutes": 30,
                "contact_load": rng.choice([1, 2, 4]),
                "windows": [{"weekday": d, "opens": "08:00", "closes": "15:00"} for d in rng.sample(days, 2)],
            }
            for t in range(3)
        ]
        jobs.append(job(tasks, id=f"J{n}", weekly_hours=rng.choice([None, 2])))
    return jobs, people


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("joint", [True, False])
def test_shrunk_model_has_the_same_optimum_as_the_full_one(
    seed: int, joint: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    import matching.slicing as slicing

    if not joint:  # job by job, as at scale
        monkeypatch.setattr(slicing, "JOINT_LIMIT", 0)
    jobs, people = _random_town(seed, disjoint=not joint)
    full = slice_jobs(jobs, people, compact=False)
    small = slice_jobs(jobs, people)
    assert full.status == small.status == ("optimal" if joint else "job_by_job")
    assert small.solver["joint"] == float(joint)
    # the same optimum, proven (gap 0), with a model no larger than the full one
    assert small.solver["cp_sat_objective"] == full.solver["cp_sat_objective"]
    assert small.solver["cp_sat_gap"] == full.solver["cp_sat_gap"] == 0.0
    assert small.solver["model_variables"] <= full.solver["model_variables"]
    for res in (full, small):  # the joint bounds hold
        b = res.bounds
        for k in ("feasible", "placed", "good_model"):
            assert b[k] <= b[f"{k}_bound"]
            assert b[f"{k}_gap"] == pytest.approx((b[f"{k}_bound"] - b[k]) / max(1.0, b[f"{k}_bound"]))


def test_bounds_show_what_coverage_keeps_out_of_reach() -> None:
    # two people, on Tuesday and on Thursday 10–11; the host needs one hour a week, once: one of them only
    people = [
        tue_hour("P-tue"),
        Profile(
            id="P-thu", time_windows=[{"weekday": "thu", "opens": "10:00", "closes": "11:00"}], consent=ALL
        ),
    ]
    j = job([{"name": "リネンたたみ", "minutes": 60, "per_week": 1, "windows": WEEKDAYS_9_15}])
    r = slice_jobs([j], people)
    assert r.status == "optimal" and r.solver["cp_sat_gap"] == 0.0
    assert r.bounds["feasible"] == 1 and r.bounds["feasible_bound"] == 2 and r.bounds["feasible_gap"] == 0.5
    # one hour once a week, one place: nobody else can be placed, whatever the slicing (the places bound)
    assert r.bounds["placed"] == 1 and r.bounds["placed_bound"] == 1 and r.bounds["placed_gap"] == 0
    three = slice_jobs([job([{"name": "リネンたたみ", "minutes": 180, "splittable": True, "min_piece_minutes": 60,
                              "windows": WEEKDAYS_9_15}])], [tue_hour(f"P{i}") for i in range(3)])  # fmt: skip
    assert (
        three.bounds["feasible"] == three.bounds["feasible_bound"] == 3 and three.bounds["feasible_gap"] == 0
    )
    d = three.to_dict()
    assert d["bounds"]["placed_gap"] == 0 and d["solver"]["cp_sat_gap"] == 0


def test_quality_is_explained_in_japanese() -> None:
    r = slice_jobs(
        [job([{"name": "リネンたたみ", "minutes": 60, "per_week": 1, "windows": WEEKDAYS_9_15}])],
        [tue_hour("P-tue"), Profile(id="P-thu", time_windows=[{"weekday": "thu", "opens": "10:00", "closes": "11:00"}],
                                    consent=ALL)],
    )  # fmt: skip
    q = r.to_dict()["quality_ja"]
    assert q[0] == "最適化の結果: 最適 (証明済み)"
    assert "相対ギャップ 0.0%" in q[1]
    assert "条件に合う人 1/2人" in q[2] and "割り当てできる人 1/1人" in q[2]
    assert slice_jobs([job([])], []).to_dict()["status_ja"] == "作業がないため案はありません"
