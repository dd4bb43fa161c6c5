"""``tsunagari gaps`` and ``tsunagari map``: outputs, and a town that does not exist."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from graphsvc.cli import app
from graphsvc.maps import external_refs
from graphsvc.reports import CSV_FILES
from tests.unit.maps.small_town import build_small_town


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    data, out = tmp_path / "data", tmp_path / "out"
    build_small_town(data).close()
    monkeypatch.setenv("TSUNAGARI_DATA_DIR", str(data))
    monkeypatch.setenv("TSUNAGARI_OUT_DIR", str(out))
    return out


def test_gaps_writes_report_json_and_csvs(env: Path) -> None:
    res = CliRunner().invoke(app, ["gaps", "--town", "small"])
    assert res.exit_code == 0, res.output
    for name in ("gap-report.html", "gaps.json", *CSV_FILES):
        assert (env / "small" / name).exists(), name


def test_map_offline_and_online(env: Path) -> None:
    res = CliRunner().invoke(app, ["map", "--town", "small", "--offline"])
    assert res.exit_code == 0, res.output
    html = (env / "small" / "resource-map.html").read_text(encoding="utf-8")
    assert external_refs(html) == [] and "L.tileLayer(" not in html
    res = CliRunner().invoke(app, ["map", "--town", "small", "--out", str(env / "online.html")])
    assert res.exit_code == 0, res.output
    assert "cyberjapandata.gsi.go.jp" in (env / "online.html").read_text(encoding="utf-8")


def test_report_embeds_the_map_when_it_is_there(env: Path) -> None:
    CliRunner().invoke(app, ["map", "--town", "small", "--offline"])
    CliRunner().invoke(app, ["gaps", "--town", "small"])
    html = (env / "small" / "gap-report.html").read_text(encoding="utf-8")
    assert '<iframe src="resource-map.html"' in html


@pytest.mark.parametrize("command", ["gaps", "map"])
def test_unknown_town_is_a_clear_error(env: Path, command: str, tmp_path: Path) -> None:
    res = CliRunner().invoke(app, [command, "--town", "nowhere"])
    assert res.exit_code == 2
    assert "町「nowhere」のデータがありません" in res.output
    assert "利用できる町: small" in res.output
    assert not (tmp_path / "data" / "nowhere.sqlite3").exists()  # no empty database made
    assert not (env / "nowhere").exists()
