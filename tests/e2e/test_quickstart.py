"""A new user's path through the real ``tsunagari`` command, each step a separate process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
pytestmark = pytest.mark.e2e


def run(args: list[str], env: dict[str, str], *, ok: bool = True) -> subprocess.CompletedProcess[str]:
    res = subprocess.run(
        [sys.executable, "-m", "graphsvc", *args],
        cwd=env["HOME_DIR"],
        env=env,
        capture_output=True,
        text=True,
    )
    if ok:
        assert res.returncode == 0, f"{args}: {res.returncode}\n{res.stdout}\n{res.stderr}"
    return res


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    e = {k: v for k, v in os.environ.items() if not k.startswith(("TSUNAGARI_", "NEO4J_"))}
    e |= {
        "TSUNAGARI_DATA_DIR": str(tmp_path / "data"),
        "TSUNAGARI_OUT_DIR": str(tmp_path / "out"),
        "HOME_DIR": str(tmp_path),
        "COLUMNS": "200",
    }
    return e


def test_load_files_match_and_export(env: dict[str, str], tmp_path: Path) -> None:
    town = ["--town", "sample"]
    for kind, name in [
        ("areas", "areas.csv"),
        ("agencies", "agencies.csv"),
        ("venues", "venues.csv"),
        ("employers", "employers.csv"),
        ("supporters", "supporters.csv"),
        ("households", "households.csv"),
        ("persons", "persons.csv"),
        ("opportunities", "opportunities.xlsx"),
        ("cases", "cases.csv"),
        ("ties", "ties.csv"),
        ("kaigo-opendata", "kaigo_opendata.csv"),
    ]:
        run(["load", kind, str(EXAMPLES / name), *town], env)
    # loading again changes nothing
    again = run(["load", "persons", str(EXAMPLES / "persons.csv"), *town], env)
    assert "作成" in again.stdout or "created" in again.stdout
    info = run(["info", *town], env).stdout
    assert "本人 (Person)" in info and "参加メニュー (Opportunity)" in info
    # a broken file: a clear located error, exit 2, nothing written
    bad = tmp_path / "bad.csv"
    bad.write_text("個人ID,生年\nP-x,千九百\n", encoding="utf-8")
    res = run(["load", "persons", str(bad), *town], env, ok=False)
    assert res.returncode == 2 and "bad.csv" in res.stderr and "2行目" in res.stderr
    assert run(["info", *town], env).stdout == info
    # HSDS export validates and re-imports into another town with the same resources
    out = tmp_path / "hsds"
    run(["export", "hsds", str(out), *town], env)
    assert json.loads((out / "services.json").read_text(encoding="utf-8"))
    run(["load", "hsds", str(out), "--town", "copy"], env)
    copy_info = run(["info", "--town", "copy"], env).stdout
    assert "参加メニュー (Opportunity)" in copy_info
    # what-if matching touches no store
    res = run(
        [
            "match",
            "--profile",
            str(EXAMPLES / "matching" / "profile.json"),
            "--opportunities",
            str(EXAMPLES / "matching" / "opportunities.json"),
            "--format",
            "json",
        ],
        env,
    )
    answer = json.loads(res.stdout)
    assert answer["ranked"][0]["factors"] and answer["exclusions"]


def test_demo_then_match_a_demo_person(env: dict[str, str], tmp_path: Path) -> None:
    run(["demo", "--town", "takasu"], env)
    summary = json.loads((tmp_path / "out" / "takasu" / "summary.json").read_text(encoding="utf-8"))
    assert summary
    matches = (tmp_path / "out" / "takasu" / "matches.csv").read_text(encoding="utf-8").splitlines()
    assert matches[0].startswith("group,person_id,rank") and len(matches) > 3
    person = next(line.split(",")[1] for line in matches[1:] if line.split(",")[2] == "1")
    res = run(["match", "--person", person, "--town", "takasu", "--top", "3", "--explain"], env)
    assert "参加メニューの候補" in res.stdout
    # 資源開発: the unmet-need report and the catalogue with the proposals, which reach more people than 2-hour blocks
    out = tmp_path / "out" / "takasu"
    assert "足りない参加メニュー" in (out / "unmet-need.html").read_text(encoding="utf-8")
    catalogue = (out / "petit-catalogue.html").read_text(encoding="utf-8")
    assert "プチ勤務カタログ" in catalogue and "提案" in catalogue
    m = json.loads((out / "unmet-need.json").read_text(encoding="utf-8"))["slicing_metrics"]
    assert m["optimised"]["placed"] > m["naive"]["placed"]
    assert m["optimised"]["good_share"] >= m["naive"]["good_share"]
    assert (out / "unmet-need.csv").read_text(encoding="utf-8-sig").startswith("section,key,label,count")
