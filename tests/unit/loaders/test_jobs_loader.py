"""Jobs as task lists from CSV (loaders.jobs): the demo files read whole; bad rows located by file, row and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from graphsvc.domain.errors import DomainValidationError
from loaders.jobs import load_jobs

ROOT = Path(__file__).resolve().parents[3]
HEADER = (
    "仕事ID,仕事名,受け入れ先ID,受け入れ先の種類,週の必要時間,作業名,時間(分),週の回数,曜日,時間帯,分割可\n"
)


def test_demo_job_files_read_whole() -> None:
    toba = {j.id: j for j in load_jobs(ROOT / "loaders/demo/jobs/toba.csv")}
    assert set(toba) == {"J-ryokan", "J-gyokyo", "J-kaki", "J-kankou"}
    ryokan = toba["J-ryokan"]
    assert [t.name for t in ryokan.tasks] == ["朝食配膳", "客室清掃", "布団敷き", "洗い場", "リネンたたみ"]
    assert ryokan.need_minutes == 1200 and ryokan.host_label.value == "Employer"
    linen = ryokan.tasks[4]
    assert linen.splittable and linen.min_piece_minutes == 30 and linen.days == ["tue", "thu", "sat"]
    assert toba["J-kankou"].host_label.value == "Agency"
    assert {j.id for j in load_jobs(ROOT / "loaders/demo/jobs/takasu.csv")} == {"J-cafe", "J-farm"}


def _write(tmp_path: Path, rows: str) -> Path:
    p = tmp_path / "jobs.csv"
    p.write_text(HEADER + rows, encoding="utf-8")
    return p


def test_task_longer_than_its_window_names_the_row(tmp_path: Path) -> None:
    p = _write(
        tmp_path,
        "J1,旅館,E-1,企業,,洗い場,60,1,火,10:00〜12:00,いいえ\n"
        "J1,旅館,E-1,企業,,客室清掃,240,1,火,10:00〜12:00,いいえ\n",
    )
    with pytest.raises(DomainValidationError) as e:
        load_jobs(p)
    (prob,) = e.value.problems
    assert prob.row == 3 and "収まりません" in prob.message_ja and prob.file == "jobs.csv"


def test_bad_cells_and_hours_the_tasks_cannot_cover(tmp_path: Path) -> None:
    p = _write(
        tmp_path,
        "J1,旅館,E-1,企業,10,洗い場,六十,1,火,10:00〜12:00,いいえ\n"
        "J2,漁協,E-2,漁船,,網,60,1,火,10:00〜12:00,いいえ\n"
        "J3,加工場,E-3,企業,9,干物,60,1,火,10:00〜12:00,いいえ\n"
        "J4,観光,E-4,企業,,案内,60,1,,,いいえ\n",
    )
    with pytest.raises(DomainValidationError) as e:
        load_jobs(p)
    where = {(pr.row, pr.field) for pr in e.value.problems}
    assert (2, "minutes") in where  # 六十 is not a number
    assert (3, "host_label") in where  # 漁船 is no host kind
    assert any(pr.row == 4 and "満たせません" in pr.message_ja for pr in e.value.problems)
    assert (5, "days") in where  # no days and times


def test_a_host_with_no_tasks_is_kept(tmp_path: Path) -> None:
    p = _write(tmp_path, "J1,旅館,E-1,企業,,,,,,,\n")
    (j,) = load_jobs(p)
    assert j.tasks == [] and j.need_minutes == 0
