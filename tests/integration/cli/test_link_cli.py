"""``tsunagari link run|runs|queue``: the caselists loaded with ``tsunagari load caselist`` are linked from the
command line under a recorded legal basis, as the operator at the server; runs and the queue print row ids and
figures, never a name; bad options are refused before anything is written."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from graphsvc.bootstrap import build
from graphsvc.cli import app
from graphsvc.domain.enums import NodeLabel, RelType
from graphsvc.services.demo import _agency_of_list, _resource_batch
from linkage.synth import REFERENCE_DATE, generate_lists

TOWN = "linkcli"


@dataclass
class Env:
    runner: CliRunner
    data: Path
    names: list[str]

    def run(self, *args: str) -> tuple[int, str]:
        res = self.runner.invoke(app, list(args))
        return res.exit_code, res.output


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Env]:
    from loaders.demo import build_town, get_spec

    root = tmp_path_factory.mktemp("link-cli")
    data = root / "data"
    mp = pytest.MonkeyPatch()
    mp.setenv("TSUNAGARI_DATA_DIR", str(data))
    with build(data_dir=data) as c:
        demo = c.store("linkdemo")
        build_town(demo, get_spec("toba", 200), seed=3, households=200)
        c.store(TOWN).write(_resource_batch(demo))
        lists = generate_lists("toba", seed=3, households=200)
        paths = lists.write(root / "lists")
        agency_of = _agency_of_list(c.store(TOWN), list(lists.rows))
    runner = CliRunner()
    for key, agency in agency_of.items():
        res = runner.invoke(app, ["load", "caselist", "--agency", agency, str(paths[key]), "-t", TOWN])
        assert res.exit_code == 0, res.output
    names = [r["氏名"] for rows in lists.rows.values() for r in rows if r.get("氏名")]
    yield Env(runner, data, names)
    mp.undo()


def test_bad_options_are_refused_before_anything_is_written(env: Env) -> None:
    code, out = env.run("link", "run", "-t", TOWN, "--basis", "なんとなく", "--reference", "x")
    assert code == 2
    assert "法的根拠は 支援会議 (support_meeting) か 同意 (consent) です" in out
    code, out = env.run(
        "link", "run", "-t", TOWN, "--basis", "consent", "--reference", "同意書",
        "--reference-date", "2026/11/30",
    )  # fmt: skip
    assert code == 2 and "YYYY-MM-DD" in out and "reference_date" in out
    code, out = env.run("link", "run", "-t", TOWN, "--basis", "consent", "--reference", "   ")
    assert code == 2 and "根拠の記録" in out
    code, out = env.run("link", "run", "-t", "notown", "--basis", "consent", "--reference", "x")
    assert code == 2 and "町「notown」のデータがありません" in out
    assert not (env.data / "notown.sqlite3").exists()
    with build(data_dir=env.data) as c:
        assert c.system().linkage.runs(TOWN) == []
        assert not list(c.store(TOWN).iter_nodes(NodeLabel.PERSON))


def test_a_run_links_the_lists_and_is_listed_with_its_basis(env: Env) -> None:
    code, out = env.run(
        "link", "run", "-t", TOWN, "--basis", "支援会議", "--reference", "第4回支援会議 (2026-12-01)",
        "--reference-date", REFERENCE_DATE.isoformat(),
    )  # fmt: skip
    assert code == 0, out
    assert "支援会議 (社会福祉法第106条の6)「第4回支援会議 (2026-12-01)」" in out
    assert "人 (persons):" in out and "確認待ち (to review):" in out
    with build(data_dir=env.data) as c:
        runs = c.system().linkage.runs(TOWN)
        assert len(runs) == 1 and runs[0].basis == "支援会議" and runs[0].key_id == "cli"
        store = c.store(TOWN)
        persons = [n for n in store.iter_nodes(NodeLabel.PERSON) if n.id.startswith("L-")]
        assert persons and f"人 (persons): {len(persons)}" in out
        assert any(True for _ in store.iter_rels(RelType.IDENTIFIED_AS))
        assert [e.action for e in c.system().audit.query(action="linkage.run")] == ["linkage.run"]

    code, out = env.run("link", "runs", "-t", TOWN)
    assert code == 0 and runs[0].run_id in out and "第4回支援会議" in out
    code, out = env.run("link", "queue", "-t", TOWN, "--top", "3")
    assert code == 0 and "pairs to review" in out
    assert not any(name in out for name in env.names)  # row ids and figures only
