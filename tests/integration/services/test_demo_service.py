"""The demo as a service: an explicit, ordered list of steps, each writing its files for a town."""

from __future__ import annotations

import csv
import importlib
import json
from pathlib import Path

import pytest

from graphsvc.domain.enums import NodeLabel
from graphsvc.domain.errors import DomainValidationError
from graphsvc.services import demo as demo_service
from graphsvc.services.demo import MATCHES_HEADER, STEPS, DemoTown, run_demo, step_names, write_matches
from graphsvc.store.embedded import EmbeddedStore
from graphsvc.store.port import NodeRef, NodeRow

EVERY_FILE = {
    "summary.json",
    "summary.md",
    "matches.csv",
    "resource-map.html",
    "resource-map-online.html",
    "gap-report.html",
    "gaps.json",
    "caselists",
    "linkage.json",
    "linkage.md",
}


def test_the_steps_are_one_fixed_ordered_list() -> None:
    assert step_names() == ["build", "summary", "matches", "map", "gaps", "linkage", "shigen"]
    assert isinstance(STEPS, tuple)  # nothing can append to it
    assert not hasattr(demo_service, "register_step")
    # Importing every command module (as the CLI does) leaves the list as it was.
    import graphsvc.cli

    importlib.reload(graphsvc.cli.gaps)
    assert step_names() == ["build", "summary", "matches", "map", "gaps", "linkage", "shigen"]
    assert all(s.label_ja and callable(s.run) for s in STEPS)


@pytest.fixture(scope="module")
def built(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[DemoTown, list[tuple[str, str, int, int | None]]]:
    root = tmp_path_factory.mktemp("demo-svc")
    stores: dict[str, EmbeddedStore] = {}
    events: list[tuple[str, str, int, int | None]] = []

    def store_of(town: str) -> EmbeddedStore:
        stores[town] = EmbeddedStore(root / f"{town}.sqlite3", town, synchronous="NORMAL")
        return stores[town]

    (town,) = run_demo(
        ["takasu"],
        store_of,
        root / "out",
        seed=3,
        households=300,
        progress=lambda *e: events.append(e),
    )
    yield town, events
    for st in stores.values():
        st.close()


def test_every_step_writes_its_files(built) -> None:
    town, _ = built
    assert town.out_dir.name == "takasu"
    written = {p.name for p in town.written}
    assert written >= EVERY_FILE
    assert all(p.exists() and p.stat().st_size > 0 for p in town.written)
    assert {p.name for p in town.out_dir.iterdir()} == written
    summary = json.loads((town.out_dir / "summary.json").read_text(encoding="utf-8"))
    assert summary["nodes"]["Household"] == 300 and summary["seed"] == 3
    # the gap report links the map the step before wrote beside it
    assert 'src="resource-map.html"' in (town.out_dir / "gap-report.html").read_text(encoding="utf-8")
    rows = list(csv.reader((town.out_dir / "matches.csv").open(encoding="utf-8")))
    assert tuple(rows[0]) == MATCHES_HEADER
    assert any(r[2] == "1" and r[3] for r in rows[1:])


def test_the_linkage_step_links_the_towns_agency_lists(built) -> None:
    """The lists as agencies keep them, loaded as caselists into <town>-linked, linked, and compared with the
    truth: precision of person links, the review queue and the missing-agency-link finding both ways."""
    town, _ = built
    lists = sorted(p.name for p in (town.out_dir / "caselists").iterdir())
    assert "truth.csv" in lists and len(lists) >= 6
    f = json.loads((town.out_dir / "linkage.json").read_text(encoding="utf-8"))
    assert f == town.linkage and f["town"] == "takasu-linked" and f["basis"] == "支援会議"
    assert f["records"] == sum(v["rows"] for v in f["lists"].values() if v["agency"])
    assert f["person_pairs"]["precision"] > 0.97 and f["person_pairs"]["recall"] > 0.5
    assert f["review_queue"] >= 0 and 0 <= f["review_share"] < 0.2
    ml = f["missing_links"]
    assert ml["truth"] > 0 and ml["agree"] <= min(ml["linked"], ml["truth"])
    md = (town.out_dir / "linkage.md").read_text(encoding="utf-8")
    assert "確認待ち" in md and "連携のない機関の組" in md and "適合率" in md


def test_progress_is_reported_per_town_and_step(built) -> None:
    _, events = built
    keys = list(dict.fromkeys(e[0] for e in events))
    assert keys == [f"takasu/{name}" for name in step_names()]
    build = [e for e in events if e[0] == "takasu/build"]
    assert build[0][2] == 0 and build[-1][2] == build[-1][3] == 300
    for name in step_names()[1:]:
        assert [(e[2], e[3]) for e in events if e[0] == f"takasu/{name}"] == [(0, 1), (1, 1)]


def test_matches_csv_cells_are_safe_in_a_spreadsheet(built) -> None:
    """A title a spreadsheet would run as a formula is written as text (the safe CSV writer)."""
    town, _ = built
    rows = list(csv.reader((town.out_dir / "matches.csv").open(encoding="utf-8")))
    first = next(r for r in rows[1:] if r[3])
    ref = NodeRef(NodeLabel.OPPORTUNITY, first[3])
    row = town.store.get_node(ref)
    assert row is not None
    original = dict(row.props)
    try:
        town.store.upsert_nodes(NodeLabel.OPPORTUNITY, [{**row.props, "title": '=HYPERLINK("http://x","y")'}])
        write_matches(town)
        again = list(csv.reader((town.out_dir / "matches.csv").open(encoding="utf-8")))
        titles = [r[4] for r in again[1:] if r[3] == first[3]]
        assert titles and all(t == '\'=HYPERLINK("http://x","y")' for t in titles)
    finally:
        town.store.upsert_nodes(NodeLabel.OPPORTUNITY, [original])
        assert town.store.get_node(ref) == NodeRow(NodeLabel.OPPORTUNITY, first[3], original)


def test_a_subset_of_steps_and_a_step_that_needs_the_build(tmp_path: Path) -> None:
    with EmbeddedStore(tmp_path / "takasu.sqlite3", "takasu", synchronous="NORMAL") as st:
        (t,) = run_demo(["takasu"], lambda _town: st, tmp_path / "out", households=120, steps=STEPS[:2])
        assert sorted(p.name for p in t.written) == ["summary.json", "summary.md"]
        assert sorted(p.name for p in (tmp_path / "out" / "takasu").iterdir()) == [
            "summary.json",
            "summary.md",
        ]
        with pytest.raises(RuntimeError, match="build step has not run"):
            run_demo(["takasu"], lambda _town: st, tmp_path / "out2", steps=STEPS[1:2])


def test_an_unknown_town_is_refused_before_anything_is_written(tmp_path: Path) -> None:
    opened: list[str] = []

    def store_of(town: str) -> EmbeddedStore:
        opened.append(town)
        raise AssertionError("no store may be opened")

    with pytest.raises(DomainValidationError) as err:
        run_demo(["takasu", "atlantis"], store_of, tmp_path / "out")
    (problem,) = err.value.problems
    assert "atlantis" in problem.message_ja and problem.field == "--town"
    assert "toba" in problem.message_ja and "synthetic" in problem.message_en
    assert opened == [] and not (tmp_path / "out").exists()
