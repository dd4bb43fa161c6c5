"""プチ勤務化: cut a host's work (a :class:`~graphsvc.domain.records.Job`, a list of tasks) into short shifts that
the people waiting for 参加支援 can take.

1. **Candidates.** Every task is cut into pieces that fit its own windows: the whole task, or (when it may be
   split) every length from its smallest piece up to the job's longest shift; starts at the window's opening and
   closing and wherever a waiting person's time window opens inside it. Tasks shorter than the job's shortest
   shift are also bundled with another task done right after them on the same day. A piece of a task that two
   people do together has two places; a task done at home is remote.
2. **Scoring.** Each candidate becomes an :class:`~matching.records.Opening` and every waiting person is ranked
   against all of them with :func:`matching.waiting.score_all` (the same hard constraints and scorer as a
   coordinator's match). Among the candidates of one task, day and length, those whose feasible people are a
   subset of another's (with no better score) are dropped.
3. **Choice.** A CP-SAT model (OR-Tools) chooses the candidates: each task is done on at most its times a week,
   on distinct days, never longer than the task a day; the whole never exceeds the host's weekly need. It
   first maximises the minutes covered (up to the need), then, with that coverage fixed, the people who
   become feasible (had no feasible opening before) and well matched (score ≥ ``GOOD_SCORE``), plus the scores
   of an assignment of people to the chosen shifts (one person a shift, one shift a person) solved in the
   same model. The model is shrunk without changing its optimum (only the candidates among someone's best and
   one coverage representative per group; people with the same options as one count; copies of one shift as
   one integer), phase 1's coverage optimum is the hint, and CP-SAT runs on every core.
   Up to :data:`JOINT_LIMIT` candidates and :data:`JOINT_PAIRS` (person, candidate) pairs the people phase is
   one model over every job (status ``optimal`` when proven). Above, it is solved job by job: each job's model
   is optimal *given the jobs solved before it* (status ``job_by_job``, or ``feasible`` when a job's share of
   the time ran out first), which is not the joint optimum. How far from it, as numbers
   (:attr:`SliceResult.bounds`): a relaxation without any coverage limit bounds the people who can have a
   feasible opening, be placed, or be well matched; with CP-SAT's own objective, bound and gap
   (:attr:`SliceResult.solver`).
4. **Baseline.** :func:`naive_slices` cuts each task into fixed 2-hour blocks from its first window, on its
   first days; :func:`evaluate_slicing` measures before / naive / optimised in one run.

Every proposal explains itself in Japanese (:attr:`Proposal.why`).
"""

from __future__ import annotations

import os
import time
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from graphsvc.domain.enums import OpportunityKind, Weekday
from graphsvc.domain.records import Job, JobTask, Opportunity
from graphsvc.domain.values import GeoPoint, Schedule, ScheduleSlot
from matching.assign import assign
from matching.records import Opening, Profile
from matching.waiting import GOOD_SCORE, Scores, score_all

__all__ = [
    "NAIVE_BLOCK_MINUTES",
    "STATUS_JA",
    "Piece",
    "Proposal",
    "SliceResult",
    "candidate_pieces",
    "evaluate_slicing",
    "naive_slices",
    "slice_jobs",
]

NAIVE_BLOCK_MINUTES = 120
TOP_PER_PERSON = 30
"""In the model each person is offered their best 30 candidates (by score); every one when they have fewer."""
JOINT_LIMIT = 4000
JOINT_PAIRS = 3000
"""Up to this many candidates (after pruning) and (person, candidate) pairs, the people phase is one model over
every job with assignment variables; above either, job by job (people reached or placed by an earlier job's
shifts count no more), each job with its share of the time and the scores as candidate weights."""
_ORDER = tuple(w.value for w in Weekday)
STATUS_JA = {
    "optimal": "最適 (証明済み)",
    "feasible": "制限時間内の最良 (最適とは証明できていない)",
    "job_by_job": "仕事ごとに最適 (先に解いた仕事の案を前提に)",
    "coverage_only": "制限時間内に人の段階が解けず、受け入れ先の必要な時間だけを満たした案",
    "no_tasks": "作業がないため案はありません",
}
""":attr:`SliceResult.status` in Japanese."""
_PROVIDES = ["収入", "役割・やりがい"]


def _hhmm(m: int) -> str:
    return f"{m // 60:02d}:{m % 60:02d}"


@dataclass(frozen=True)
class Piece:
    """One candidate shift: tasks done back to back on one weekday, from ``start`` for ``minutes``."""

    job_id: str
    tasks: tuple[str, ...]
    parts: tuple[int, ...]  # minutes of each task in this shift
    weekday: str
    start: int
    minutes: int
    difficulty: int
    contact_load: int
    physical_load: int
    skills: tuple[str, ...]
    capacity: int
    remote: bool

    @property
    def end(self) -> int:
        return self.start + self.minutes

    @property
    def time_ja(self) -> str:
        return f"{Weekday(self.weekday).ja} {_hhmm(self.start)}–{_hhmm(self.end)}"

    def title(self) -> str:
        return f"{'・'.join(self.tasks)} ({self.time_ja})"

    def opening(self, job: Job, *, opening_id: str, location: GeoPoint | None = None) -> Opening:
        loads = f"難易度{self.difficulty}・対人負荷{self.contact_load}・身体負荷{self.physical_load}"
        return Opening(
            id=opening_id,
            title=f"{job.title}: {self.title()}",
            kind=OpportunityKind.PETIT_WORK,
            provides=list(_PROVIDES),
            schedule=Schedule(
                slots=(
                    ScheduleSlot(
                        weekday=Weekday(self.weekday), opens=_hhmm(self.start), closes=_hhmm(self.end)
                    ),
                )
            ),
            hours_per_session=self.minutes / 60,
            difficulty=self.difficulty,
            contact_load=self.contact_load,
            physical_load=self.physical_load,
            skills_wanted=list(self.skills),
            support=list(job.support),
            contact_person=job.contact_person,
            capacity_left=self.capacity,
            host_id=job.host_id,
            host_label=job.host_label.value,
            sectors=list(job.sectors),
            location=location if location is not None else job.location,
            remote=self.remote,
            description=f"{'、'.join(self.tasks)} ({loads})"
            + (f" {job.description}" if job.description else ""),
        )


def _lengths(task: JobTask, job: Job) -> list[int]:
    if not task.splittable:
        return [task.minutes]
    step = 30 if task.min_piece_minutes % 30 == 0 else 15
    top = min(task.minutes, max(job.max_shift_minutes, task.min_piece_minutes))
    out = list(range(task.min_piece_minutes, top + 1, step))
    if task.minutes <= job.max_shift_minutes and task.minutes not in out:
        out.append(task.minutes)
    return sorted(set(out))


def _starts(a: int, b: int, length: int, person_starts: Iterable[int]) -> list[int]:
    if b - a < length:
        return []
    out = {a, b - length}
    for s in person_starts:
        if a <= s <= b - length:
            out.add(s)
    return sorted(out)


def candidate_pieces(job: Job, profiles: Sequence[Profile] = ()) -> list[Piece]:
    """Every candidate shift of a job (see the module docstring, step 1)."""
    by_day: dict[str, set[int]] = defaultdict(set)
    for p in profiles:
        for w in p.time_windows:
            by_day[w.weekday.value].add(w.minutes[0])
    out: list[Piece] = []
    for t in job.tasks:
        cap = 2 if t.two_person else 1
        for w in t.windows:
            a, b = w.minutes
            for length in _lengths(t, job):
                for s in _starts(a, b, length, by_day[w.weekday.value]):
                    out.append(
                        Piece(job.id, (t.name,), (length,), w.weekday.value, s, length, t.difficulty,
                              t.contact_load, t.physical_load, tuple(t.skills), cap, t.at_home)
                    )  # fmt: skip
    # bundles: a short task followed by another on the same day (both whole)
    short = [t for t in job.tasks if t.minutes < job.min_shift_minutes and not t.at_home]
    for t1 in short:
        for t2 in job.tasks:
            if t2.name == t1.name or t2.at_home or t1.minutes + t2.minutes > job.max_shift_minutes:
                continue
            for w1 in t1.windows:
                for w2 in t2.windows:
                    if w1.weekday != w2.weekday:
                        continue
                    a1, b1 = w1.minutes
                    a2, b2 = w2.minutes
                    lo = max(a1, a2 - t1.minutes)
                    hi = min(b1 - t1.minutes, b2 - t1.minutes - t2.minutes)
                    for s in _starts(lo, hi + t1.minutes + t2.minutes, t1.minutes + t2.minutes,
                                     by_day[w1.weekday.value]):  # fmt: skip
                        out.append(
                            Piece(job.id, (t1.name, t2.name), (t1.minutes, t2.minutes), w1.weekday.value, s,
                                  t1.minutes + t2.minutes, max(t1.difficulty, t2.difficulty),
                                  max(t1.contact_load, t2.contact_load), max(t1.physical_load, t2.physical_load),
                                  tuple(dict.fromkeys([*t1.skills, *t2.skills])),
                                  2 if (t1.two_person and t2.two_person) else 1, False)
                        )  # fmt: skip
    return list(dict.fromkeys(out))


def naive_slices(job: Job) -> list[Piece]:
    """The baseline: each task in fixed 2-hour blocks (the last one shorter) from the start of its first window
    on each of its first ``per_week`` days, up to the host's weekly need."""
    out: list[Piece] = []
    left = job.need_minutes
    for t in job.tasks:
        days = t.days[: t.per_week]
        for d in days:
            w = min((x for x in t.windows if x.weekday.value == d), key=lambda x: x.minutes[0])
            a, b = w.minutes
            done = 0
            block = NAIVE_BLOCK_MINUTES if t.splittable else t.minutes
            while done < t.minutes and left > 0:
                length = min(block, t.minutes - done, left)
                if a + length > b:
                    break
                out.append(
                    Piece(job.id, (t.name,), (length,), d, a, length, t.difficulty, t.contact_load,
                          t.physical_load, tuple(t.skills), 2 if t.two_person else 1, t.at_home)
                )  # fmt: skip
                a += length
                done += length
                left -= length
    return out


@dataclass
class Proposal:
    """A chosen shift, as an opening ready to create, with its explanation and the people it fits."""

    piece: Piece
    opening: Opening
    fits: list[str]
    newly_feasible: list[str]
    assigned: list[str]
    why: list[str]
    copies: int = 1
    """People doing this shift side by side (a split task shared out): the opening has that many places
    (times two for a two-person task)."""

    @property
    def minutes_covered(self) -> int:
        return self.piece.minutes * self.copies

    def to_dict(self, *, people: bool = True) -> dict[str, Any]:
        p = self.piece
        out: dict[str, Any] = {
            "job_id": p.job_id,
            "opening_id": self.opening.id,
            "title": self.opening.title,
            "tasks": list(p.tasks),
            "weekday": p.weekday,
            "opens": _hhmm(p.start),
            "closes": _hhmm(p.end),
            "minutes": p.minutes,
            "difficulty": p.difficulty,
            "contact_load": p.contact_load,
            "physical_load": p.physical_load,
            "capacity": p.capacity * self.copies,
            "copies": self.copies,
            "remote": p.remote,
            "fits": len(self.fits),
            "newly_feasible": len(self.newly_feasible),
            "why": list(self.why),
        }
        if people:
            out |= {
                "fits_ids": self.fits,
                "newly_feasible_ids": self.newly_feasible,
                "assigned_ids": self.assigned,
            }
        return out


@dataclass
class SliceResult:
    """The proposals of every job, the naive baseline's, the figures, and what could not be done and why."""

    proposals: list[Proposal]
    naive: list[Proposal]
    covered: dict[str, int]  # job id -> minutes a week covered by the proposals
    need: dict[str, int]
    notes: dict[str, list[str]]  # job id -> Japanese notes (no tasks, need not coverable …)
    status: str
    solve_seconds: float
    candidates: int
    metrics: dict[str, dict[str, float]] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    """Seconds spent: ``candidates`` (cutting), ``scoring`` (ranking every person against every candidate),
    ``solver`` (CP-SAT, both phases), ``metrics`` (before / naive / optimised with exact assignment)."""
    solver: dict[str, float] = field(default_factory=dict)
    """CP-SAT's figures: ``joint`` (1 when one model over every job, 0 job by job), ``models``,
    ``model_candidates`` and ``model_variables`` (after shrinking), ``cp_sat_objective`` and ``cp_sat_bound``
    (summed over the models), ``cp_sat_gap`` (their relative gap: 0 when every model was solved to optimality;
    job by job, each model is optimal *given the jobs before it*), ``cp_sat_worst_gap``, ``workers``."""
    bounds: dict[str, float] = field(default_factory=dict)
    """How far the proposals can be from the **joint** optimum over every job, whatever way they were solved:
    upper bounds of a relaxation that drops every coverage limit (each task's minutes, days and the host's
    need, i.e. every candidate chosen at once) against what the proposals reach. ``feasible`` /
    ``feasible_bound`` (people with a feasible opening), ``placed`` / ``placed_bound`` (people an exact
    assignment places: at most those with a feasible opening, and at most the places there are: the town's
    openings' and the most each job's shifts can offer within its own limits, which are kept for this one),
    ``good_model`` / ``good_model_bound`` (people with
    a well-matched opening, by the model's scores, i.e. without the time-of-day factors), and the relative
    ``*_gap`` of each: 0 means the joint optimum of that measure is reached."""

    def quality_ja(self) -> list[str]:
        """How good the proposals are, in Japanese: the solver's status and gap, and the joint bounds."""
        out = [f"最適化の結果: {STATUS_JA.get(self.status, self.status)}"]
        if self.solver:
            gap = self.solver.get("cp_sat_gap", 0.0)
            how = (
                "全部の仕事を1つのモデルで"
                if self.solver.get("joint")
                else f"仕事ごとに{int(self.solver['models'])}回"
            )
            out.append(f"CP-SAT ({how}) の目的関数と上界の相対ギャップ {100 * gap:.1f}%")
        b = self.bounds
        if b:
            out.append(
                "全部の仕事を同時に最適化しても超えられない上限 (作業の時間・回数と必要な時間の制約を外した場合): "
                f"条件に合う人 {int(b['feasible'])}/{int(b['feasible_bound'])}人、"
                f"割り当てできる人 {int(b['placed'])}/{int(b['placed_bound'])}人、"
                f"よく合う人 {int(b['good_model'])}/{int(b['good_model_bound'])}人 (最適化のスコアで)"
            )
        return out

    def to_dict(self, *, people: bool = True) -> dict[str, Any]:
        return {
            "status": self.status,
            "status_ja": STATUS_JA.get(self.status, self.status),
            "quality_ja": self.quality_ja(),
            "solve_seconds": round(self.solve_seconds, 3),
            "timings": {k: round(v, 3) for k, v in self.timings.items()},
            "candidates": self.candidates,
            "proposals": [p.to_dict(people=people) for p in self.proposals],
            "naive": [p.to_dict(people=people) for p in self.naive],
            "covered_minutes": self.covered,
            "need_minutes": self.need,
            "notes": self.notes,
            "metrics": self.metrics,
            "solver": self.solver,
            "bounds": self.bounds,
        }


def _prune_fit(
    pieces: list[Piece], proto_idx: np.ndarray, PF: np.ndarray, profiles: Sequence[Profile]
) -> tuple[list[int], dict[int, np.ndarray]]:
    """Each candidate's feasible people (its prototype's, where a time window of the person holds the shift
    whole: the ranker's schedule test for a one-slot opening), and the candidates kept: among those of the same
    tasks, weekday and length, one whose people are a subset of another's is dropped (the same prototype, so the
    same scores; equal sets keep the first). At least one per group is kept, so coverage never depends on it."""
    import scipy.sparse as sp

    P = len(profiles)
    free = np.array([not p.time_windows for p in profiles], dtype=bool)
    by_day: dict[str, tuple[Any, np.ndarray, np.ndarray]] = {}
    for d in _ORDER:
        rows: list[int] = []
        w_lo: list[int] = []
        w_hi: list[int] = []
        for i, p in enumerate(profiles):
            for w in p.time_windows:
                if w.weekday.value == d:
                    rows.append(i)
                    w_lo.append(w.minutes[0])
                    w_hi.append(w.minutes[1])
        inc = sp.csr_array(
            (np.ones(len(rows), dtype=np.int32), (rows, np.arange(len(rows)))), shape=(P, len(rows))
        )
        by_day[d] = (inc, np.array(w_lo), np.array(w_hi))
    groups: dict[tuple[Any, ...], list[int]] = defaultdict(list)
    for k, pc in enumerate(pieces):
        groups[(pc.job_id, pc.tasks, pc.parts, pc.weekday, pc.minutes)].append(k)
    keep: list[int] = []
    feas: dict[int, np.ndarray] = {}
    for (_, _, _, day, length), members in groups.items():
        starts = np.array([pieces[k].start for k in members])
        inc, lo, hi = by_day[day]
        if len(lo):
            cond = ((lo[:, None] <= starts[None, :]) & (starts[None, :] + length <= hi[:, None])).astype(
                np.int32
            )
            fit = np.asarray(inc @ cond) > 0
        else:
            fit = np.zeros((P, len(members)), dtype=bool)
        fit |= free[:, None]
        G = fit & PF[:, proto_idx[members[0]]][:, None] if P else fit
        if len(members) > 1 and P:
            gi = G.astype(np.int32)
            A = gi.T @ (1 - gi)  # A[a, b] > 0: a has someone b does not
            m = len(members)
            earlier = np.tri(m, m, -1, dtype=bool)  # earlier[a, b]: b < a
            dominated = (A == 0) & ((A.T > 0) | earlier)  # a's people are within b's (strictly, or b first)
            np.fill_diagonal(dominated, False)
            alive = np.flatnonzero(~dominated.any(axis=1)).tolist()
        else:
            alive = list(range(len(members)))
        for a in alive or [0]:
            keep.append(members[a])
            feas[members[a]] = np.flatnonzero(G[:, a]) if P else np.zeros(0, dtype=np.int64)
    return sorted(keep), feas


class _People:
    """The waiting people's figures that every proposal's explanation counts, as arrays (computed once)."""

    def __init__(self, profiles: Sequence[Profile]) -> None:
        self.windows: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
        for d in _ORDER:
            rows = [(i, w.minutes[0], w.minutes[1]) for i, p in enumerate(profiles) for w in p.time_windows
                    if w.weekday.value == d]  # fmt: skip
            arr = np.array(rows, dtype=np.int64).reshape(-1, 3)
            self.windows[d] = (arr[:, 0], arr[:, 1], arr[:, 2])
        self.short = sum(
            1 for p in profiles if p.max_hours_per_session is not None and p.max_hours_per_session * 60 < 120
        )
        self.contact = np.array([p.contact_comfort for p in profiles], dtype=np.int64)
        self.light = sum(1 for p in profiles if p.max_physical_load <= 2)
        self.home = sum(1 for p in profiles if p.home_only)

    def come(self, day: str, start: int, end: int) -> int:
        """People with a time window on ``day`` that holds ``start``–``end`` whole."""
        who, lo, hi = self.windows[day]
        return len(np.unique(who[(lo <= start) & (hi >= end)]))


def _why(piece: Piece, people: _People, fits: list[int], newly: list[int]) -> list[str]:
    out = []
    if len(piece.tasks) > 1:
        out.append(f"短い作業「{'」「'.join(piece.tasks)}」を続けて1回の勤務にまとめた")
    d = Weekday(piece.weekday)
    come = people.come(piece.weekday, piece.start, piece.end)
    band = "午前" if piece.start < 12 * 60 else ("午後" if piece.start < 17 * 60 else "夕方")
    if come:
        out.append(f"{d.ja}曜の{band} {_hhmm(piece.start)}–{_hhmm(piece.end)} に来られる人が{come}人")
    if piece.minutes <= 60 and people.short:
        out.append(f"1回{piece.minutes}分: 1回2時間未満しか続けられない人が{people.short}人")
    low_contact = int((people.contact <= piece.contact_load).sum())
    if piece.contact_load <= 2 and low_contact:
        out.append(
            f"対人負荷{piece.contact_load}: 人との関わりが苦手な人 (耐性{piece.contact_load}以下) が{low_contact}人"
        )
    if piece.physical_load <= 2 and people.light:
        out.append(f"身体負荷{piece.physical_load}: 軽い作業しかできない人が{people.light}人")
    if piece.remote:
        out.append("在宅でできる" + (f": 在宅のみの人が{people.home}人" if people.home else ""))
    if piece.capacity > 1:
        out.append("2人1組で行える (2人まで)")
    out.append(
        f"待っている人のうち{len(fits)}人の条件に合う"
        + (f" (うち{len(newly)}人は今は条件に合うメニューがない)" if newly else "")
    )
    return out


def _workers() -> int:
    """CP-SAT's workers: the cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def _group_key(p: Piece) -> tuple[Any, ...]:
    """Candidates of one group differ only in their start: the same coverage, so one represents them all."""
    return (p.job_id, p.tasks, p.parts, p.weekday, p.minutes)


@dataclass
class _Phase:
    chosen: dict[int, int]
    assigned: dict[int, list[int]]
    optimal: bool
    objective: float
    bound: float
    variables: int


def _solve(
    pieces: list[Piece],
    keep: list[int],
    feas: Mapping[int, np.ndarray],
    proto_idx: np.ndarray,
    PS: np.ndarray,
    jobs: Sequence[Job],
    before_feasible: np.ndarray,
    before_good: np.ndarray,
    *,
    time_limit: float,
    good_score: float,
    per_person: int = TOP_PER_PERSON,
    compact: bool = True,
    joint: bool | None = None,
) -> tuple[dict[int, int], dict[int, list[int]], str, dict[str, float]]:
    """Both phases (see the module docstring, step 3); returns the chosen copies, the people assigned to each
    chosen candidate, the status and the solver's figures (``solver_info``: CP-SAT's objective and best bound,
    the relative gap, model sizes)."""
    from ortools.sat.python import cp_model

    workers = _workers()
    task_of = {(j.id, t.name): t for j in jobs for t in j.tasks}
    need = {j.id: j.need_minutes for j in jobs}
    # phase 1, job by job (coverage is a job's own): the most of the need its windows allow. Only the time of
    # day differs within a group of candidates (same tasks, weekday, length), so one of each group is enough.
    best: dict[str, int] = {}
    by_job: dict[str, dict[tuple[Any, ...], int]] = defaultdict(dict)
    for k in keep:
        by_job[pieces[k].job_id].setdefault(_group_key(pieces[k]), k)
    phase1 = "optimal"
    hint: dict[int, int] = {}
    deadline = time.perf_counter() + time_limit
    for n_done, (jid, reps) in enumerate(by_job.items()):
        m1 = cp_model.CpModel()
        x1, tot1 = _coverage(m1, pieces, list(reps.values()), task_of, need)
        m1.maximize(sum(tot1[jid]))
        s1 = cp_model.CpSolver()
        share = 0.3 * (deadline - time.perf_counter()) / max(1, len(by_job) - n_done)
        s1.parameters.max_time_in_seconds = max(0.2, share)
        s1.parameters.num_workers = workers
        st1 = s1.solve(m1)
        if st1 not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            phase1 = "feasible"  # no solution in time: this job gets no lower bound on its coverage
            continue
        if st1 != cp_model.OPTIMAL:
            phase1 = "feasible"
        best[jid] = round(s1.objective_value)
        hint.update({k: int(s1.value(v)) for k, v in x1.items()})
    rep_of = {k: by_job[pieces[k].job_id][_group_key(pieces[k])] for k in keep}
    # the most places (people side by side) each job's shifts can offer within its coverage limits: with the
    # waiting people's reach, a bound on how many the shifts can place (CP-SAT's bound: valid if stopped early)
    places_bound = 0.0
    for reps in by_job.values():
        m3 = cp_model.CpModel()
        x3, _ = _coverage(m3, pieces, list(reps.values()), task_of, need)
        m3.maximize(sum(pieces[k].capacity * v for k, v in x3.items()))
        s3 = cp_model.CpSolver()
        s3.parameters.max_time_in_seconds = max(0.1, 0.05 * time_limit / max(1, len(by_job)))
        s3.parameters.num_workers = workers
        st3 = s3.solve(m3)
        places_bound += (
            s3.best_objective_bound
            if st3 in (cp_model.OPTIMAL, cp_model.FEASIBLE)
            else sum(pieces[k].capacity * _copies(pieces[k], task_of) for k in reps.values())
        )
    options = _options(keep, feas, proto_idx, PS, per_person)
    pairs = sum(len(v) for v in options.values())
    in_options = {k for opts in options.values() for _, k in opts}
    model_ks = sorted(in_options | set(rep_of.values()))
    if joint is None:
        joint = len(model_ks) <= JOINT_LIMIT and pairs <= JOINT_PAIRS
    groups = [keep] if joint else [
        [k for k in keep if pieces[k].job_id == jid] for jid in dict.fromkeys(pieces[k].job_id for k in keep)
    ]  # fmt: skip
    reached = before_feasible.copy()
    reached_good = before_good.copy()
    taken: set[int] = set()
    chosen: dict[int, int] = {}
    assigned: dict[int, list[int]] = defaultdict(list)
    status = phase1
    objective = bound = 0.0
    worst_gap = 0.0
    variables = 0
    for n_done, ks in enumerate(groups):
        budget = max(0.5, (deadline - time.perf_counter()) / max(1, len(groups) - n_done))
        got = _people_phase(
            cp_model, pieces, ks, feas, proto_idx, PS, task_of, need, best, hint, reached, reached_good,
            taken, rep_of, per_person=per_person, good_score=good_score, time_limit=budget,
            assignment=len(groups) == 1, workers=workers if compact else 2, compact=compact,
        )  # fmt: skip
        if got is None:  # no solution in time: phase 1's coverage for these jobs, without the people's terms
            chosen.update({k: hint[k] for k in ks if hint.get(k)})
            status = "coverage_only"
            continue
        chosen.update(got.chosen)
        objective += got.objective
        bound += got.bound
        variables += got.variables
        worst_gap = max(worst_gap, _rel_gap(got.objective, got.bound))
        for k, people in got.assigned.items():
            assigned[k].extend(people)
            taken.update(people)
        for k in got.chosen:
            reached[feas[k]] = True
            reached_good[feas[k][PS[feas[k], proto_idx[k]] >= good_score - 1e-12]] = True
        if not got.optimal and status == "optimal":
            status = "feasible"
    if len(groups) > 1 and status == "optimal":
        status = "job_by_job"
    info = {
        "joint": float(len(groups) == 1),
        "models": float(len(groups)),
        "model_candidates": float(len(model_ks)),
        "model_variables": float(variables),
        "pairs": float(pairs),
        "cp_sat_objective": objective,
        "cp_sat_bound": bound,
        "cp_sat_gap": _rel_gap(objective, bound),
        "cp_sat_worst_gap": worst_gap,
        "workers": float(workers),
        "places_bound": float(places_bound),
    }
    return chosen, dict(assigned), status, info


def _opts_of(key: tuple[Any, ...]) -> list[tuple[float, int]]:
    """The options of a people group's key (without the person marker of an uncompacted model)."""
    return [o for o in key if isinstance(o, tuple)]


def _rel_gap(objective: float, bound: float) -> float:
    """CP-SAT's relative optimality gap of a maximisation: (bound − objective) / bound; 0 when proven."""
    return max(0.0, bound - objective) / max(1.0, abs(bound))


def _people_phase(
    cp_model: Any,
    pieces: list[Piece],
    keep: list[int],
    feas: Mapping[int, np.ndarray],
    proto_idx: np.ndarray,
    PS: np.ndarray,
    task_of: Mapping[tuple[str, str], JobTask],
    need: Mapping[str, int],
    best: Mapping[str, int],
    hint: Mapping[int, int],
    before_feasible: np.ndarray,
    before_good: np.ndarray,
    taken: set[int],
    rep_of: Mapping[int, int],
    *,
    per_person: int,
    good_score: float,
    time_limit: float,
    assignment: bool = True,
    workers: int = 1,
    compact: bool = True,
) -> _Phase | None:
    """Phase 2 over candidates ``keep``: phase 1's coverage kept, maximise the people who become feasible and
    well matched (each person's best ``per_person`` candidates) and the scores of an assignment (``taken``:
    people already placed on an earlier job's shifts). Without ``assignment`` (job by job, at scale) the scores
    enter as each candidate's weight (the scores of the people who count it among their best) instead of
    assignment variables. None when no solution is found in time.

    The model is shrunk without changing its optimum: a candidate in nobody's options only adds coverage, which
    its group's representative (``rep_of``: the same tasks, weekday and length) adds as well, so only the
    candidates in someone's options and the representatives enter; people with the same options (and the same
    scores) are one count, not one variable each. ``compact=False`` builds the model without these reductions
    (the same optimum; the benchmark's before)."""
    options = _options(keep, feas, proto_idx, PS, per_person)
    ks = (
        sorted({k for opts in options.values() for _, k in opts} | {rep_of[k] for k in keep})
        if compact
        else keep
    )
    model = cp_model.CpModel()
    x, total_by_job = _coverage(model, pieces, ks, task_of, need)
    for jid, terms in total_by_job.items():
        if jid in best:
            model.add(sum(terms) >= best[jid])
    for k, v in x.items():
        model.add_hint(v, hint.get(k, 0))
    people_terms: list[Any] = []
    # candidates -> people newly feasible (well matched) through them; options -> people
    reach: dict[tuple[Any, ...], int] = defaultdict(int)
    reach_good: dict[tuple[Any, ...], int] = defaultdict(int)
    same: dict[tuple[Any, ...], list[int]] = defaultdict(list)
    weight: dict[int, int] = defaultdict(int)
    for i, opts in options.items():
        alone = () if compact else (-1 - i,)  # not compact: one variable a person, as before the shrinking
        if not before_feasible[i]:
            reach[(*alone, *sorted(k for _, k in opts))] += 1
        good_ks = tuple(sorted(k for sc_, k in opts if sc_ >= good_score - 1e-12))
        if good_ks and not before_good[i]:
            reach_good[(*alone, *good_ks)] += 1
        if i in taken:
            continue
        if assignment:
            same[(*alone, *opts)].append(i)
        else:
            for sc_, k in opts:
                weight[k] += round(10 * sc_)
    for n, (group, count) in enumerate([*reach.items(), *reach_good.items()]):
        z = model.new_bool_var(f"z{n}")
        model.add(z <= sum(x[k] for k in group if k >= 0))
        people_terms.append(1000 * count * z)
    y: dict[tuple[int, int], Any] = {}  # (people group, candidate) -> how many of them it takes
    by_col: dict[int, list[Any]] = defaultdict(list)
    people_groups = list(same.items())
    for g, (key, members) in enumerate(people_groups):
        vs = []
        for sc_, k in _opts_of(key):
            v = model.new_int_var(0, min(len(members), pieces[k].capacity * _copies(pieces[k], task_of)),
                                  f"y{g}_{k}")  # fmt: skip
            y[(g, k)] = v
            vs.append(v)
            by_col[k].append(v)
            people_terms.append(round(100 * sc_) * v)
        model.add(sum(vs) <= len(members))
    for c, vs in by_col.items():
        model.add(sum(vs) <= pieces[c].capacity * x[c])
    people_terms.extend(min(w, 1000) * x[k] for k, w in weight.items() if w)
    # a tie-break towards fewer, longer shifts (less for the host to organise)
    people_terms.append(-1 * sum(x.values()))
    model.maximize(sum(people_terms))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = time_limit
    solver.parameters.num_workers = workers
    st = solver.solve(model)
    if st not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    chosen = {k: int(solver.value(x[k])) for k in ks if solver.value(x[k])}
    assigned: dict[int, list[int]] = defaultdict(list)
    for g, (key, members) in enumerate(people_groups):
        left = list(members)
        for _, k in _opts_of(key):
            n_take = int(solver.value(y[(g, k)]))
            assigned[k].extend(left[:n_take])
            left = left[n_take:]
    return _Phase(
        chosen, {k: v for k, v in assigned.items() if v}, st == cp_model.OPTIMAL, float(solver.objective_value),
        float(solver.best_objective_bound), len(model.proto.variables),
    )  # fmt: skip


def _options(
    keep: list[int], feas: Mapping[int, np.ndarray], proto_idx: np.ndarray, PS: np.ndarray, per_person: int
) -> dict[int, list[tuple[float, int]]]:
    """Each person's best ``per_person`` candidates among ``keep``: (score, candidate), best first."""
    if not keep:
        return {}
    rows = np.concatenate([feas[k] for k in keep]).astype(np.int64)
    cols = np.concatenate([np.full(len(feas[k]), n, dtype=np.int64) for n, k in enumerate(keep)])
    kk = np.asarray(keep, dtype=np.int64)
    scores = PS[rows, proto_idx[kk[cols]]] if len(rows) else np.zeros(0)
    order = np.lexsort((kk[cols], -scores, rows))
    out: dict[int, list[tuple[float, int]]] = {}
    rows_o, cols_o, sc_o = rows[order], cols[order], scores[order]
    starts = (
        np.flatnonzero(np.r_[True, rows_o[1:] != rows_o[:-1]]) if len(rows_o) else np.zeros(0, dtype=np.int64)
    )
    ends = np.r_[starts[1:], len(rows_o)] if len(rows_o) else np.zeros(0, dtype=np.int64)
    for a, b in zip(starts.tolist(), ends.tolist(), strict=True):
        b = min(b, a + per_person)
        out[int(rows_o[a])] = [(float(sc_o[j]), int(kk[cols_o[j]])) for j in range(a, b)]
    return out


def _coverage(
    model: Any,
    pieces: list[Piece],
    ks: list[int],
    task_of: Mapping[tuple[str, str], JobTask],
    need: Mapping[str, int],
) -> tuple[dict[int, Any], dict[str, list[Any]]]:
    """The coverage constraints over candidates ``ks``: copies of each, at most the task's minutes a day on at
    most its times a week, at most the host's weekly need; returns the variables and each job's minutes terms."""
    x = {k: model.new_int_var(0, _copies(pieces[k], task_of), f"x{k}") for k in ks}
    cov: dict[tuple[str, str, str], list[Any]] = defaultdict(list)
    total_by_job: dict[str, list[Any]] = defaultdict(list)
    for k in ks:
        p = pieces[k]
        for name, mins in zip(p.tasks, p.parts, strict=True):
            cov[(p.job_id, name, p.weekday)].append(mins * x[k])
        total_by_job[p.job_id].append(p.minutes * x[k])
    days_used: dict[tuple[str, str], list[Any]] = defaultdict(list)
    for (jid, name, day), terms in cov.items():
        t = task_of[(jid, name)]
        u = model.new_bool_var(f"u_{jid}_{name}_{day}")
        model.add(sum(terms) <= t.minutes * u)
        days_used[(jid, name)].append(u)
    for (jid, name), us in days_used.items():
        model.add(sum(us) <= task_of[(jid, name)].per_week)
    for jid, terms in total_by_job.items():
        model.add(sum(terms) <= need[jid])
    return x, total_by_job


def _copies(piece: Piece, task_of: Mapping[tuple[str, str], JobTask]) -> int:
    if len(piece.tasks) > 1:
        return 1
    t = task_of[(piece.job_id, piece.tasks[0])]
    return max(1, t.minutes // piece.minutes) if t.splittable else 1


def _job_notes(job: Job) -> list[str]:
    notes = []
    if not job.tasks:
        notes.append("作業が登録されていないため、プチ勤務の案は作れません。作業を1つ以上加えてください。")
    return notes


def _opening_id(prefix: str, job_id: str, tag: str) -> str:
    """An opening's id from its job's: ``OP-<job>-<tag>``, within the 128 characters an id may have (a long job
    id is shortened and a hash of it keeps openings of different jobs apart)."""
    full = f"{prefix}{job_id}-{tag}"
    if len(full) <= 128:
        return full
    import hashlib

    digest = hashlib.sha256(job_id.encode("utf-8")).hexdigest()[:12]
    keep = 128 - len(prefix) - len(tag) - len(digest) - 2
    return f"{prefix}{job_id[:keep]}{digest}-{tag}"


def slice_jobs(
    jobs: Sequence[Job],
    profiles: Sequence[Profile],
    existing: Sequence[Opening | Opportunity] = (),
    *,
    locations: Mapping[str, GeoPoint] | None = None,
    scorer: Any = None,
    good_score: float = GOOD_SCORE,
    time_limit: float = 30.0,
    id_prefix: str = "OP-",
    compact: bool = True,
    joint: bool | None = None,
) -> SliceResult:
    """Propose プチ勤務 for ``jobs`` that fit the waiting ``profiles`` best (see the module docstring).

    ``existing`` are the openings already on offer (who is feasible or well matched before); ``locations`` the
    place of a job whose own ``location`` is not given (usually the host's), by job id. ``compact=False``
    solves the unreduced model (see :func:`_people_phase`; for the benchmark's before/after). ``joint``: one
    model over every job (True), job by job (False), or by size (None: up to :data:`JOINT_LIMIT` and
    :data:`JOINT_PAIRS`)."""
    locations = locations or {}
    started = time.perf_counter()
    notes = {j.id: _job_notes(j) for j in jobs}
    pieces: list[Piece] = []
    naive: list[Piece] = []
    for j in jobs:
        pieces += candidate_pieces(j, profiles)
        naive += naive_slices(j)
    job_of = {j.id: j for j in jobs}
    t_cut = time.perf_counter()

    def openings_of(ps: Sequence[Piece], tag: str) -> list[Opening]:
        return [
            p.opening(job_of[p.job_id], opening_id=_opening_id(id_prefix, p.job_id, f"{tag}{k + 1}"),
                      location=locations.get(p.job_id))
            for k, p in enumerate(ps)
        ]  # fmt: skip

    base = list(existing)
    naive_open = openings_of(naive, "N")
    # Each candidate is its prototype (the same tasks and length, without a schedule: every constraint and
    # factor but the time of day, through the matching ranker) and its exact time-window fit.
    proto_of: dict[tuple[Any, ...], int] = {}
    proto_idx = np.zeros(len(pieces), dtype=np.int64)
    protos: list[Opening] = []
    for k, pc in enumerate(pieces):
        key = (pc.job_id, pc.tasks, pc.parts, pc.minutes, pc.capacity, pc.remote)
        if key not in proto_of:
            proto_of[key] = len(protos)
            op = pc.opening(
                job_of[pc.job_id], opening_id=f"proto-{len(protos)}", location=locations.get(pc.job_id)
            )
            protos.append(op.model_copy(update={"schedule": None}))
        proto_idx[k] = proto_of[key]
    nb, nn = len(base), len(naive_open)
    P = len(profiles)
    allc = [*base, *naive_open, *protos]
    sc0 = score_all(profiles, allc, scorer=scorer) if P and allc else None
    if sc0 is not None:
        before_feasible = np.asarray(sc0.feasible[:, :nb].any(axis=1)) if nb else np.zeros(P, dtype=bool)
        before_good = np.asarray(sc0.good(good_score)[:, :nb].any(axis=1)) if nb else np.zeros(P, dtype=bool)
        PF = sc0.feasible[:, nb + nn :]
        PS = np.nan_to_num(sc0.score[:, nb + nn :], nan=0.0)
    else:
        before_feasible = before_good = np.zeros(P, dtype=bool)
        PF = np.zeros((P, len(protos)), dtype=bool)
        PS = np.zeros((P, len(protos)))
    keep, feas = _prune_fit(pieces, proto_idx, PF, profiles)
    t_score = time.perf_counter()
    if pieces:
        chosen, assigned, status, solver_info = _solve(
            pieces, keep, feas, proto_idx, PS, jobs, before_feasible, before_good,
            time_limit=time_limit, good_score=good_score, compact=compact, joint=joint,
        )  # fmt: skip
    else:
        chosen, assigned, status, solver_info = {}, {}, "no_tasks", {}
    t_solve = time.perf_counter()
    # exact figures: the chosen shifts as real openings, ranked with the naive ones and the town's
    chosen_keys = list(chosen)
    chosen_open = [
        pieces[k].opening(job_of[pieces[k].job_id], opening_id=_opening_id(id_prefix, pieces[k].job_id, f"P{n + 1}"),
                          location=locations.get(pieces[k].job_id)).model_copy(
            update={"capacity_left": pieces[k].capacity * chosen[k]})
        for n, k in enumerate(chosen_keys)
    ]  # fmt: skip
    exact = [*base, *naive_open, *chosen_open]
    sc = (
        score_all(profiles, exact, scorer=scorer)
        if P and exact
        else Scores(list(profiles), _empty_index(), np.zeros((P, len(exact)), dtype=bool),
                    np.full((P, len(exact)), np.nan))
    )  # fmt: skip
    ids = [p.id or f"#{i + 1}" for i, p in enumerate(profiles)]
    people_facts = _People(profiles)

    def proposals(ps: Sequence[int], copies_of: Mapping[int, int], offset: int, opens: Sequence[Opening],
                  src: Sequence[Piece], asg: Mapping[int, list[int]], tag: str) -> list[Proposal]:  # fmt: skip
        out = []
        for n, k in enumerate(ps):
            col = offset + n
            copies = copies_of.get(k, 1)
            fits = np.flatnonzero(sc.feasible[:, col]).tolist() if sc.feasible.shape[1] else []
            newly = [i for i in fits if not before_feasible[i]]
            piece = src[k]
            op = opens[n].model_copy(
                update={
                    "id": _opening_id(id_prefix, piece.job_id, f"{tag}{n + 1}"),
                    "capacity_left": piece.capacity * copies,
                }
            )
            why = _why(piece, people_facts, fits, newly)
            if copies > 1:
                why.insert(0, f"分割できる作業を{copies}人で同じ時間に分担 (1人{piece.minutes}分)")
            out.append(Proposal(piece, op, [ids[i] for i in fits], [ids[i] for i in newly],
                                [ids[i] for i in asg.get(k, [])], why, copies))  # fmt: skip
        out.sort(key=lambda p: (p.piece.job_id, _ORDER.index(p.piece.weekday), p.piece.start, p.piece.tasks))
        return out

    chosen_props = proposals(chosen_keys, chosen, nb + nn, chosen_open, pieces, assigned, "P")
    naive_props = proposals(list(range(len(naive))), {}, nb, naive_open, naive, {}, "N")
    covered: dict[str, int] = defaultdict(int)
    for p in chosen_props:
        covered[p.piece.job_id] += p.minutes_covered
    for j in jobs:
        got = covered.get(j.id, 0)
        if j.tasks and got < j.need_minutes:
            notes[j.id].append(
                f"週に必要な{j.need_minutes}分のうち{got}分しか切り出せません (作業の曜日・時間帯と回数の制約)。"
            )
    result = SliceResult(
        proposals=chosen_props,
        naive=naive_props,
        covered={j.id: covered.get(j.id, 0) for j in jobs},
        need={j.id: j.need_minutes for j in jobs},
        notes=notes,
        status=status,
        solve_seconds=time.perf_counter() - started,
        candidates=len(pieces),
    )
    result.metrics = _metrics(sc, nb, list(range(nb + nn, nb + nn + len(chosen_keys))), list(range(nb, nb + nn)),
                              good_score, [pieces[k].capacity * chosen[k] for k in chosen_keys],
                              [p.capacity for p in naive], base)  # fmt: skip
    result.solver = solver_info
    cap = sc.index.capacity_left[:nb] if nb else np.zeros(0)
    base_places = sum(1 if not np.isfinite(c) else int(c) for c in cap)  # as the metrics' assignment counts
    result.bounds = _bounds(keep, feas, proto_idx, PS, before_feasible, before_good, chosen, good_score,
                            result.metrics["optimised"], base_places + solver_info.get("places_bound", 0.0))  # fmt: skip
    result.timings = {
        "candidates": t_cut - started,
        "scoring": t_score - t_cut,
        "solver": t_solve - t_score,
        "metrics": time.perf_counter() - t_solve,
    }
    return result


def _bounds(
    keep: list[int],
    feas: Mapping[int, np.ndarray],
    proto_idx: np.ndarray,
    PS: np.ndarray,
    before_feasible: np.ndarray,
    before_good: np.ndarray,
    chosen: Mapping[int, int],
    good_score: float,
    optimised: Mapping[str, float],
    places: float,
) -> dict[str, float]:
    """See :attr:`SliceResult.bounds`; ``places``: the town's places and the most the jobs' shifts can offer."""
    P = len(before_feasible)

    def reached(ks: Sequence[int], base: np.ndarray, good: bool) -> np.ndarray:
        out = base.copy()
        if not ks:
            return out
        rows = np.concatenate([feas[k] for k in ks]).astype(np.int64)
        cols = np.concatenate([np.full(len(feas[k]), proto_idx[k], dtype=np.int64) for k in ks])
        if good:
            rows = rows[PS[rows, cols] >= good_score - 1e-12]
        out[rows] = True
        return out

    chosen_ks = [k for k in chosen if k in feas]
    fb = int(reached(keep, before_feasible, False).sum())
    gb = int(reached(keep, before_good, True).sum())
    got = {
        "feasible": float(round(optimised.get("feasible_share", 0.0) * P)),
        "placed": float(optimised.get("placed", 0.0)),
        "good_model": float(reached(chosen_ks, before_good, True).sum()),
    }
    bound = {"feasible": float(fb), "placed": float(min(fb, int(places))), "good_model": float(gb)}
    out: dict[str, float] = {}
    for k in ("feasible", "placed", "good_model"):
        out[k] = got[k]
        out[f"{k}_bound"] = bound[k]
        out[f"{k}_gap"] = max(0.0, bound[k] - got[k]) / max(1.0, bound[k])
    return out


def _empty_index() -> Any:
    from matching.index import OpeningIndex

    return OpeningIndex.build([])


def _assigned(sc: Scores, cols: list[int], caps: list[int], good_score: float) -> tuple[int, int]:
    """Exact assignment of the waiting people to ``cols`` (one each): placed, and placed well."""
    if not cols or sc.feasible.shape[0] == 0:
        return 0, 0
    F = sc.feasible[:, cols]
    r, c = np.nonzero(F)
    if not len(r):
        return 0, 0
    v = np.nan_to_num(sc.score[:, cols], nan=0.0)[r, c] + 1e-6
    res = assign((r, c, v), person_capacity=1, opening_capacity=np.array(caps, dtype=np.int64),
                 method="exact", shape=F.shape)  # fmt: skip
    placed = len(res.pairs)
    well = int((res.pair_scores >= good_score - 1e-6).sum())
    return placed, well


def _metrics(
    sc: Scores,
    nb: int,
    chosen_cols: list[int],
    naive_cols: list[int],
    good_score: float,
    chosen_caps: list[int],
    naive_caps: list[int],
    base: Sequence[Opening | Opportunity],
) -> dict[str, dict[str, float]]:
    n = sc.feasible.shape[0]
    base_cols = list(range(nb))
    cap = sc.index.capacity_left[:nb] if nb else np.zeros(0)
    base_caps = [1 if not np.isfinite(c) else int(c) for c in cap]
    out: dict[str, dict[str, float]] = {}
    for name, cols, caps in (
        ("before", base_cols, base_caps),
        ("naive", base_cols + naive_cols, base_caps + naive_caps),
        ("optimised", base_cols + chosen_cols, base_caps + chosen_caps),
    ):
        arr = np.array(cols, dtype=np.int64)
        feas = sc.any_feasible(arr) if n else np.zeros(0, dtype=bool)
        good = sc.good(good_score)[:, arr].any(axis=1) if (n and len(arr)) else np.zeros(n, dtype=bool)
        best = sc.best_score(arr) if n else np.zeros(0)
        placed, well = _assigned(sc, cols, caps, good_score)
        out[name] = {
            "waiting": float(n),
            "openings": float(len(cols)),
            "feasible_share": float(feas.mean()) if n else 0.0,
            "good_share": float(good.mean()) if n else 0.0,
            "mean_best_score": float(best.mean()) if n else 0.0,
            "placed": float(placed),
            "placed_well": float(well),
        }
    return out


def evaluate_slicing(result: SliceResult) -> dict[str, dict[str, float]]:
    """Before / naive / optimised figures of one run (computed by :func:`slice_jobs`)."""
    return result.metrics
