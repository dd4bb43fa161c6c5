"""仕事の切り出し (jobs as task lists) from a CSV or Excel file: one row per task, the job's columns repeated.

The file is read whole and checked by :func:`loaders.tabular.read_table` (encoding, shape, damaged cells); the
header is matched by :func:`loaders.common.match_columns` (Japanese names or English aliases, an unknown column
is an error naming the nearest known ones). Every problem names the file, row and column; nothing is returned
unless every row is good (a job is never half read).

==================  ==========================================================================
column              meaning
==================  ==========================================================================
仕事ID job_id        required; rows with the same id are the tasks of one job
仕事名 job_title     the job's title (first row of the job)
受け入れ先ID host_id  required; 受け入れ先の種類 host_label: Employer / Venue / Agency (企業, 居場所, 機関)
週の必要時間          weekly_hours: hours a week the host needs covered (default: all tasks)
作業名 task           required: the task's name (empty: a job with no tasks, kept with a note)
時間(分) minutes      minutes a time; 週の回数 per_week
曜日 days, 時間帯 times  e.g. 「火・木」「10:00〜15:00」 (the windows the task may be done in)
難易度, 対人負荷, 身体負荷  1–5
技能 skills           「清掃、調理」
分割可 splittable, 最小単位(分) min_piece_minutes, 2人で可 two_person, 在宅可 at_home
支援 support, 担当者 contact_person, 1回の最短(分) min_shift_minutes, 1回の最長(分) max_shift_minutes
==================  ==========================================================================
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from graphsvc.domain.codec import problems_from_validation
from graphsvc.domain.errors import DomainValidationError, Problem
from graphsvc.domain.records import Job, JobTask
from loaders.common import (
    CellError,
    Column,
    match_columns,
    parse_bool,
    parse_float,
    parse_int,
    parse_list,
    parse_schedule,
)
from loaders.tabular import read_table

__all__ = ["JOB_COLUMNS", "load_jobs", "parse_job_rows"]

JOB_COLUMNS: tuple[Column, ...] = (
    Column("job_id", ("仕事ID", "job_id", "job"), required=True),
    Column("title", ("仕事名", "job_title", "title")),
    Column("host_id", ("受け入れ先ID", "host_id", "host"), required=True),
    Column("host_label", ("受け入れ先の種類", "host_label", "host_kind")),
    Column("weekly_hours", ("週の必要時間", "weekly_hours", "週の時間")),
    Column("task", ("作業名", "task", "task_name")),
    Column("minutes", ("時間(分)", "minutes", "作業時間", "分")),
    Column("per_week", ("週の回数", "per_week", "回数")),
    Column("days", ("曜日", "days", "weekdays")),
    Column("times", ("時間帯", "times", "hours")),
    Column("difficulty", ("難易度", "difficulty")),
    Column("contact_load", ("対人負荷", "contact_load")),
    Column("physical_load", ("身体負荷", "physical_load")),
    Column("skills", ("技能", "skills")),
    Column("splittable", ("分割可", "splittable")),
    Column("min_piece_minutes", ("最小単位(分)", "min_piece_minutes")),
    Column("two_person", ("2人で可", "two_person", "pair")),
    Column("at_home", ("在宅可", "at_home", "home")),
    Column("support", ("支援", "support")),
    Column("contact_person", ("担当者", "contact_person")),
    Column("min_shift_minutes", ("1回の最短(分)", "min_shift_minutes")),
    Column("max_shift_minutes", ("1回の最長(分)", "max_shift_minutes")),
    Column("note", ("補足", "note")),
)

_HOST = {"企業": "Employer", "事業所": "Employer", "居場所": "Venue", "機関": "Agency"}
_JOB_FIELDS = ("title", "host_id", "host_label", "weekly_hours", "support", "contact_person",
               "min_shift_minutes", "max_shift_minutes")  # fmt: skip


def _host_label(text: str) -> str:
    t = text.strip()
    for k in ("Employer", "Venue", "Agency"):
        if t.casefold() == k.casefold():
            return k
    if t in _HOST:
        return _HOST[t]
    raise CellError(
        f"「{text}」は受け入れ先の種類 (企業 Employer・居場所 Venue・機関 Agency) で指定してください",
        f"{text!r} must be Employer, Venue or Agency",
    )


_PARSERS: dict[str, Callable[[str], Any]] = {
    "weekly_hours": parse_float,
    "minutes": parse_int,
    "per_week": parse_int,
    "difficulty": parse_int,
    "contact_load": parse_int,
    "physical_load": parse_int,
    "skills": parse_list,
    "splittable": parse_bool,
    "min_piece_minutes": parse_int,
    "two_person": parse_bool,
    "at_home": parse_bool,
    "support": parse_list,
    "min_shift_minutes": parse_int,
    "max_shift_minutes": parse_int,
    "host_label": _host_label,
}


def parse_job_rows(rows: list[tuple[int, dict[str, str]]], file: str) -> list[Job]:
    """Rows (number, field → cell text) → validated jobs; every problem located (file, row, column)."""
    problems: list[Problem] = []
    jobs: dict[str, dict[str, Any]] = {}
    first_row: dict[str, int] = {}
    task_rows: dict[str, list[int]] = {}
    for n, cells in rows:
        vals: dict[str, Any] = {}
        bad = False
        for f, text in cells.items():
            if not text.strip():
                continue
            try:
                vals[f] = _PARSERS.get(f, str.strip)(text)
            except CellError as err:
                problems.append(
                    Problem(err.message_ja, err.message_en, field=f, file=file, row=n, value=text)
                )
                bad = True
        jid = vals.get("job_id")
        if not jid:
            problems.append(
                Problem("仕事IDがありません", "job_id is empty", field="job_id", file=file, row=n)
            )
            continue
        if bad:
            continue
        job = jobs.setdefault(jid, {"id": jid, "tasks": []})
        first_row.setdefault(jid, n)
        for f in _JOB_FIELDS:
            if f in vals:
                if f in job and job[f] != vals[f]:
                    problems.append(
                        Problem(
                            f"同じ仕事 ({jid}) の行で「{f}」が食い違っています ({first_row[jid]}行目と異なる)",
                            f"job {jid}: {f} differs from row {first_row[jid]}",
                            field=f,
                            file=file,
                            row=n,
                            value=str(vals[f]),
                        )
                    )
                job[f] = vals[f]
        if "task" not in vals:
            continue
        try:
            sched = parse_schedule(cells.get("days") or None, cells.get("times") or None)
        except CellError as err:
            problems.append(Problem(err.message_ja, err.message_en, field="days", file=file, row=n))
            continue
        task: dict[str, Any] = {
            "name": vals["task"],
            "windows": [s.model_dump(mode="json") for s in sched.slots] if sched else [],
        }
        for f in ("minutes", "per_week", "difficulty", "contact_load", "physical_load", "skills", "splittable",
                  "min_piece_minutes", "two_person", "at_home", "note"):  # fmt: skip
            if f in vals:
                task[f] = vals[f]
        if not task["windows"]:
            problems.append(
                Problem(
                    "作業の曜日と時間帯を指定してください",
                    "give the task's days and times",
                    field="days",
                    file=file,
                    row=n,
                )
            )
            continue
        try:
            JobTask.model_validate(task)  # a task's problem names the task's own row
        except ValidationError as err:
            problems += problems_from_validation(err, file=file, row=n)
            continue
        job["tasks"].append(task)
        task_rows.setdefault(jid, []).append(n)
    out: list[Job] = []
    for jid, data in jobs.items():
        data.setdefault("title", jid)
        data.setdefault("host_label", "Employer")
        try:
            out.append(Job.model_validate(data))
        except ValidationError as err:
            for p in problems_from_validation(err, file=file, row=first_row[jid]):
                # a task's problem names the task's own row
                loc = p.field or ""
                if loc.startswith("tasks.") and jid in task_rows:
                    k = int(loc.split(".")[1]) if loc.split(".")[1].isdigit() else 0
                    if k < len(task_rows[jid]):
                        p = Problem(
                            p.message_ja, p.message_en, field=p.field, file=file, row=task_rows[jid][k]
                        )
                problems.append(p)
    if problems:
        raise DomainValidationError(problems)
    return out


def load_jobs(path: str | Path, *, sheet: str | None = None) -> list[Job]:
    """Read a jobs CSV or Excel file (see the module docstring)."""
    raw = read_table(path, sheet=sheet, known_headers=[n for c in JOB_COLUMNS for n in c.names])
    table = match_columns(raw, JOB_COLUMNS)
    rows = [(n, {f: cells[i] for f, (i, _) in table.columns.items()}) for n, cells in raw.rows]
    return parse_job_rows(rows, table.file)
