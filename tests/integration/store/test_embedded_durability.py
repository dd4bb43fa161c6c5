"""The embedded store keeps every acknowledged write through a SIGKILL, and serves several processes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from graphsvc.domain import NodeLabel
from graphsvc.store.embedded import EmbeddedStore

WRITER = textwrap.dedent(
    """
    import sys, time
    from graphsvc.store.embedded import EmbeddedStore
    from graphsvc.domain import NodeLabel
    store = EmbeddedStore(sys.argv[1], "durable")
    i = 0
    while True:
        store.upsert_nodes(NodeLabel.PERSON, [{"id": f"P{i:06d}", "name": "住民"}, {"id": f"Q{i:06d}"}])
        print(i, flush=True)   # acknowledged: the commit returned
        i += 1
    """
)


def test_acknowledged_writes_survive_sigkill(tmp_path: Path) -> None:
    db = tmp_path / "durable.sqlite3"
    proc = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(db)], stdout=subprocess.PIPE, text=True, cwd=os.getcwd()
    )
    assert proc.stdout is not None
    acknowledged = -1
    deadline = time.monotonic() + 30
    while acknowledged < 200 and time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        acknowledged = int(line)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert acknowledged >= 200, "the writer did not get going"
    store = EmbeddedStore(db, "durable")
    ids = {n.id for n in store.iter_nodes(NodeLabel.PERSON)}
    for i in range(acknowledged + 1):
        assert f"P{i:06d}" in ids and f"Q{i:06d}" in ids, f"acknowledged write {i} was lost"
    # every batch is whole: never a P without its Q
    assert len([x for x in ids if x.startswith("P")]) == len([x for x in ids if x.startswith("Q")])
    store.close()


READER = textwrap.dedent(
    """
    import sys
    from graphsvc.store.embedded import EmbeddedStore
    store = EmbeddedStore(sys.argv[1], "shared")
    print(store.counts().nodes.get("Household", 0))
    """
)


def test_other_processes_can_read_while_open(tmp_path: Path) -> None:
    db = tmp_path / "shared.sqlite3"
    store = EmbeddedStore(db, "shared")
    store.upsert_nodes(NodeLabel.HOUSEHOLD, [{"id": f"H{i}"} for i in range(25)])
    outs = [
        subprocess.run(
            [sys.executable, "-c", READER, str(db)], capture_output=True, text=True, check=True
        ).stdout
        for _ in range(2)
    ]
    assert [o.strip() for o in outs] == ["25", "25"]
    store.close()


def test_closed_store_reports_unavailable(tmp_path: Path) -> None:
    from graphsvc.domain import StoreUnavailableError

    store = EmbeddedStore(tmp_path / "x.sqlite3", "x")
    store.close()
    try:
        store.ping()
    except StoreUnavailableError as err:
        assert "閉じられています" in str(err)
    else:  # pragma: no cover
        raise AssertionError("ping on a closed store must fail")
