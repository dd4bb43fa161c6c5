"""``tsunagari load`` and ``tsunagari export hsds`` through Typer's test runner."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from graphsvc.bootstrap import build
from graphsvc.cli import app
from graphsvc.domain.enums import NodeLabel
from graphsvc.store.port import NodeRef

pytestmark = pytest.mark.usefixtures("store_backend")  # embedded and the real Neo4j (tests/conftest.py)

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"


@pytest.fixture
def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("TSUNAGARI_DATA_DIR", str(tmp_path / "data"))
    return CliRunner()


def _counts(tmp_path: Path) -> dict[str, int]:
    with build(data_dir=tmp_path / "data") as c:
        return c.store("testtown").counts().nodes


def test_load_prints_a_japanese_report_and_second_load_changes_nothing(
    runner: CliRunner, tmp_path: Path
) -> None:
    res = runner.invoke(app, ["load", "areas", str(EXAMPLES / "areas.csv"), "--town", "testtown"])
    assert res.exit_code == 0, res.output
    assert "読み込み結果" in res.output and "4 / 0" in res.output
    res = runner.invoke(app, ["load", "agencies", str(EXAMPLES / "agencies.csv"), "--town", "testtown"])
    assert res.exit_code == 0, res.output
    assert "概略の位置" in res.output and "area_centre: 2" in res.output
    res = runner.invoke(app, ["load", "areas", str(EXAMPLES / "areas.csv"), "--town", "testtown"])
    assert res.exit_code == 0 and "0 / 0" in res.output
    assert _counts(tmp_path) == {"Area": 4, "Agency": 6}


def test_load_xlsx_with_sheet(runner: CliRunner, tmp_path: Path) -> None:
    for kind, name in [("areas", "areas.csv"), ("agencies", "agencies.csv"), ("venues", "venues.csv"),
                       ("employers", "employers.csv")]:  # fmt: skip
        assert runner.invoke(app, ["load", kind, str(EXAMPLES / name), "-t", "testtown"]).exit_code == 0
    res = runner.invoke(
        app,
        [
            "load",
            "opportunities",
            str(EXAMPLES / "opportunities.xlsx"),
            "-t",
            "testtown",
            "--sheet",
            "プチ勤務カタログ",
        ],
    )
    assert res.exit_code == 0, res.output
    assert _counts(tmp_path)["Opportunity"] == 6


def test_load_error_exits_2_and_names_file_row_column(runner: CliRunner, tmp_path: Path) -> None:
    bad = tmp_path / "v.csv"
    bad.write_text("居場所ID,名称,定員\nV1,a,-1\n", encoding="utf-8")
    res = runner.invoke(app, ["load", "venues", str(bad), "-t", "testtown"])
    assert res.exit_code == 2
    assert "v.csv 2行目 列「定員」" in res.output and "何も書き込んでいません" in res.output
    assert _counts(tmp_path) == {}


def test_dry_run_writes_nothing(runner: CliRunner, tmp_path: Path) -> None:
    res = runner.invoke(app, ["load", "areas", str(EXAMPLES / "areas.csv"), "-t", "testtown", "--dry-run"])
    assert res.exit_code == 0 and "dry run" in res.output
    assert _counts(tmp_path) == {}


def test_unknown_kind(runner: CliRunner) -> None:
    res = runner.invoke(app, ["load", "cats", str(EXAMPLES / "areas.csv"), "-t", "testtown"])
    assert res.exit_code == 2 and "cats" in res.output


def test_hsds_round_trip_commands_are_wired(runner: CliRunner, tmp_path: Path) -> None:
    for kind, name in [("areas", "areas.csv"), ("agencies", "agencies.csv")]:
        res = runner.invoke(app, ["load", kind, str(EXAMPLES / name), "-t", "testtown"])
        assert res.exit_code == 0, res.output
    out = tmp_path / "hsds"
    res = runner.invoke(app, ["export", "hsds", str(out), "-t", "testtown"])
    assert res.exit_code == 0, res.output
    assert any(out.iterdir())


def test_dry_run_prints_changes_field_by_field_and_writes_nothing(runner: CliRunner, tmp_path: Path) -> None:
    for kind, name in [("areas", "areas.csv"), ("persons", "persons.csv")]:
        assert runner.invoke(app, ["load", kind, str(EXAMPLES / name), "-t", "testtown"]).exit_code == 0
    fix = tmp_path / "fix.csv"
    fix.write_text("個人ID,氏名,備考\nP-0001,海野 ハナコ (架空),#消去\nP-0002,,\n", encoding="utf-8")
    res = runner.invoke(app, ["load", "persons", str(fix), "-t", "testtown", "--dry-run"])
    assert res.exit_code == 0, res.output
    out = " ".join(res.output.split())
    assert "変更 (changed) Person:P-0001 (2行目)" in out and "海野 ハナコ" in out
    assert "消去する項目 (fields cleared): Person:P-0001 備考 (notes)" in out
    assert "変更なし 1" in out
    with build(data_dir=tmp_path / "data") as c:
        p = c.store("testtown").get_node(NodeRef(NodeLabel.PERSON, "P-0001"))
        assert p is not None and p.props["name"] == "海野 ハナ (架空)" and p.props["notes"] == "日中独居"


def test_bad_blank_option_and_missing_file(runner: CliRunner, tmp_path: Path) -> None:
    res = runner.invoke(
        app, ["load", "areas", str(EXAMPLES / "areas.csv"), "-t", "testtown", "--blank", "maybe"]
    )
    assert res.exit_code == 2 and "--blank" in res.output
    res = runner.invoke(app, ["load", "areas", str(tmp_path / "nothing.csv"), "-t", "testtown"])
    assert res.exit_code == 2 and "ファイルがありません" in res.output
    assert not (tmp_path / "data" / "testtown.sqlite3").exists()
