"""kill -9 in the middle of an import leaves the store either as it was or fully loaded, never half-written:
a municipal CSV load and an HSDS import (JSON and tabular), each killed at spread-out moments of its run."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from graphsvc.domain.enums import NodeLabel, RelType
from graphsvc.hsds import export_hsds
from graphsvc.store.embedded import EmbeddedStore
from graphsvc.store.port import GraphStore
from loaders import load_file

ROOT = Path(__file__).resolve().parents[3]
EXAMPLES = ROOT / "examples"
TOWN = "crash"
KILLS = 6


def _import(db: str, kind: str, path: str, say: Callable[[str], None]) -> None:
    """What the child process runs: open the store, announce the write window, import."""
    from graphsvc.hsds import load_hsds

    store = EmbeddedStore(db, TOWN)
    write = store.write

    def announced(batch: Any) -> Any:
        say("writing")
        result = write(batch)
        say("written")
        return result

    store.write = announced  # type: ignore[method-assign]
    say("start")
    if kind == "hsds":
        load_hsds(store, path)
    else:
        load_file(store, kind, path)
    say("done")


def _child_main() -> None:
    """Entry of the child process: ``python -c … db kind path``; its lines go to stdout."""
    import sys

    def say(line: str) -> None:
        sys.stdout.write(line + "\n")
        sys.stdout.flush()

    _import(sys.argv[1], sys.argv[2], sys.argv[3], say)


class _Child:
    """The import in a fresh interpreter (never a fork of the test process: a fork inherits the threads of
    DuckDB, the Neo4j driver and the analysers the session has started, and its garbage collector can crash on
    their state), whose lines ("start", "writing", "written", "done") the parent reads; SIGKILL is a real
    kill -9."""

    def __init__(self, db: Path, kind: str, path: Path):
        code = "from tests.integration.loaders.test_crash import _child_main; _child_main()"
        self.proc = subprocess.Popen(
            [sys.executable, "-c", code, str(db), kind, str(path)],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            text=True,
            encoding="utf-8",
        )
        assert self.proc.stdout is not None
        self.out = self.proc.stdout

    def line(self) -> str:
        return self.out.readline().strip()

    def kill(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.proc.pid, signal.SIGKILL)
        self.wait()

    def wait(self) -> None:
        self.proc.wait()
        self.out.close()


def dump(store: GraphStore) -> dict[str, Any]:
    nodes = {str(n.ref): n.props for label in NodeLabel for n in store.iter_nodes(label)}
    rels = {f"{r.type.value}:{r.src}>{r.dst}": r.props for t in RelType for r in store.iter_rels(t)}
    return {"nodes": nodes, "rels": rels}


def _copy(db: Path, to: Path) -> Path:
    to.mkdir(parents=True, exist_ok=True)
    shutil.copy(db, to / db.name)
    return to / db.name


def _run_to_end(db: Path, kind: str, path: Path) -> float:
    """Run the import to its end; the time the store took to write the batch."""
    child = _Child(db, kind, path)
    assert child.line() == "start"
    assert child.line() == "writing"
    t0 = time.monotonic()
    assert child.line() == "written"
    elapsed = time.monotonic() - t0
    assert child.line() == "done"
    child.wait()
    return elapsed


def _kill_at(db: Path, kind: str, path: Path, delay: float | None) -> None:
    """Start the import and SIGKILL it ``delay`` seconds into the write (``None``: while it still checks)."""
    child = _Child(db, kind, path)
    assert child.line() == "start"
    if delay is not None:
        assert child.line() == "writing"
        time.sleep(delay)
    else:
        time.sleep(0.05)
    child.kill()


def _crash_series(tmp_path: Path, base_db: Path, kind: str, path: Path) -> list[str]:
    with_before = EmbeddedStore(_copy(base_db, tmp_path / "before"), TOWN)
    before = dump(with_before)
    with_before.close()
    full = _copy(base_db, tmp_path / "after")
    duration = _run_to_end(full, kind, path)
    after_store = EmbeddedStore(full, TOWN)
    after = dump(after_store)
    after_store.close()
    assert after != before, "the import must change the store for the test to mean anything"
    seen = []
    delays: list[float | None] = [None, *(duration * i / (KILLS - 1) for i in range(KILLS - 1))]
    for i, delay in enumerate(delays):
        db = _copy(base_db, tmp_path / f"kill{i}")
        _kill_at(db, kind, path, delay)
        store = EmbeddedStore(db, TOWN)
        state = dump(store)
        store.close()
        when = (
            "while checking"
            if delay is None
            else f"{delay * 1000:.0f} ms into a {duration * 1000:.0f} ms write"
        )
        assert state in (before, after), f"kill {when} left a half-written store"
        seen.append(f"{when}: {'before' if state == before else 'after'}")
    return seen


@pytest.fixture
def base_db(tmp_path: Path) -> Path:
    d = tmp_path / "base"
    d.mkdir()
    store = EmbeddedStore(d / f"{TOWN}.sqlite3", TOWN)
    for kind, name in [("areas", "areas.csv"), ("agencies", "agencies.csv"), ("employers", "employers.csv"),
                       ("venues", "venues.csv")]:  # fmt: skip
        load_file(store, kind, EXAMPLES / name)
    store.close()
    return d / f"{TOWN}.sqlite3"


@pytest.mark.slow
def test_kill_during_a_persons_load(tmp_path: Path, base_db: Path) -> None:
    rows = "".join(
        f"P-{i:06d},住民{i} (架空),H-{i // 2:06d},{1930 + i % 80},{'女性' if i % 2 else '男性'},"
        f"A-{'CHUO' if i % 3 else 'KAMO'},34.48{i % 10},136.84{i % 7},メモ{i}\n"
        for i in range(3_000)
    )
    f = tmp_path / "persons.csv"
    f.write_text("個人ID,氏名,世帯ID,生年,性別,地区ID,緯度,経度,備考\n" + rows, encoding="utf-8")
    seen = _crash_series(tmp_path, base_db, "persons", f)
    print(f"\npersons load, {KILLS} kills: {seen}")


@pytest.mark.slow
@pytest.mark.parametrize("form", ["json", "tabular"])
def test_kill_during_an_hsds_import(tmp_path: Path, base_db: Path, form: str) -> None:
    src = tmp_path / "src"
    src.mkdir()
    store = EmbeddedStore(src / "src.sqlite3", TOWN)
    for kind, name in [("areas", "areas.csv"), ("agencies", "agencies.csv"), ("employers", "employers.csv"),
                       ("venues", "venues.csv")]:  # fmt: skip
        load_file(store, kind, EXAMPLES / name)
    many = tmp_path / "opps.csv"
    many.write_text(
        "メニューID,名称,種類,受け入れ先ID,受け入れ先種別,曜日,時間帯,難易度,定員,空き\n"
        + "".join(
            f"O-{i:05d},作業{i},プチ勤務,{'E-RYOKAN' if i % 2 else 'V-CAFE'},{'企業' if i % 2 else '居場所'},"
            f"月・水,9:00〜11:00,{1 + i % 5},{3 + i % 4},{i % 3}\n"
            for i in range(600)
        ),
        encoding="utf-8",
    )
    load_file(store, "opportunities", many)
    export_hsds(store, tmp_path / "hsds")
    store.close()
    path = tmp_path / "hsds" if form == "json" else tmp_path / "hsds" / "tabular"
    seen = _crash_series(tmp_path, base_db, "hsds", path)
    print(f"\nHSDS {form} import, {KILLS} kills: {seen}")
