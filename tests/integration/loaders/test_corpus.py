"""The malformed-input corpus (tests/integration/loaders/corpus.py): every damaged file has its expected outcome.

Each case is loaded into a copy of one store that holds every example (tabular files, and the HSDS examples); a
full dump of the store is compared before and after:

* a case expected to be refused must raise a located error (file named) and leave the dump unchanged;
* a case expected to be accepted must change the dump exactly as its delta says (for most: not at all).

The run prints the figures (cases, outcomes per family, silent acceptances, stores changed by refused loads).
"""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from graphsvc.domain.enums import NodeLabel, RelType
from graphsvc.domain.errors import TsunagariError
from graphsvc.hsds import load_hsds
from graphsvc.store.embedded import EmbeddedStore
from graphsvc.store.port import GraphStore
from loaders import load_file
from tests.integration.loaders.conftest import ORDER
from tests.integration.loaders.corpus import EXAMPLES, Case, generate

TOWN = "corpus"


def dump(store: GraphStore) -> dict[str, dict[str, dict[str, Any]]]:
    nodes = {str(n.ref): dict(n.props) for label in NodeLabel for n in store.iter_nodes(label)}
    rels = {f"{r.type.value}:{r.src}>{r.dst}": dict(r.props) for t in RelType for r in store.iter_rels(t)}
    return {"nodes": nodes, "rels": rels}


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    d = tmp_path_factory.mktemp("corpus-base")
    store = EmbeddedStore(d / f"{TOWN}.sqlite3", TOWN)
    for kind, name in ORDER:
        load_file(store, kind, EXAMPLES / name)
    load_hsds(store, EXAMPLES / "hsds" / "town")
    load_hsds(store, EXAMPLES / "hsds" / "other-publisher" / "services.json")
    snapshot = dump(store)
    store.close()
    return d / f"{TOWN}.sqlite3", snapshot


def _load(store: GraphStore, case: Case, folder: Path) -> None:
    target = folder if case.folder else folder / case.target
    if case.kind == "hsds":
        load_hsds(store, target, blank=case.blank)
    else:
        load_file(store, case.kind, target, blank=case.blank)


def test_corpus_has_enough_cases_and_is_deterministic() -> None:
    a, b = generate(), generate()
    assert len(a) >= 300
    assert [(c.name, c.files, c.expect) for c in a] == [(c.name, c.files, c.expect) for c in b]
    assert {c.expect for c in a} == {"refuse", "accept"}


def test_every_damaged_file_has_its_expected_outcome(
    base: tuple[Path, dict[str, Any]], tmp_path: Path
) -> None:
    db, snapshot = base
    cases = generate()
    outcome: Counter[tuple[str, str]] = Counter()
    failures: list[str] = []
    silent = changed_by_refused = wrong_change = unlocated = 0
    for i, case in enumerate(cases):
        work = tmp_path / f"c{i}"
        work.mkdir()
        shutil.copy(db, work / db.name)
        for name, data in case.files.items():
            (work / "in").mkdir(exist_ok=True)
            (work / "in" / name).write_bytes(data)
        store = EmbeddedStore(work / db.name, TOWN)
        try:
            try:
                _load(store, case, work / "in")
                got = "accept"
                error = None
            except TsunagariError as err:
                got = "refuse"
                error = err
            after = dump(store)
        finally:
            store.close()
        outcome[(case.family, got)] += 1
        if got == "refuse":
            if after != snapshot:
                changed_by_refused += 1
                failures.append(f"{case.name}: refused but the store changed")
            if case.expect == "accept":
                failures.append(f"{case.name}: refused, expected accepted: {str(error)[:300]}")
            elif error is not None and not all(p.file for p in error.problems):
                unlocated += 1
                failures.append(f"{case.name}: a problem names no file: {error.problems[:2]}")
        else:
            if case.expect == "refuse":
                silent += 1
                failures.append(f"{case.name}: accepted, expected refused (a silent acceptance)")
            elif after != case.delta.apply(snapshot):
                wrong_change += 1
                expected = case.delta.apply(snapshot)
                diff = {
                    k: (expected["nodes"].get(k), after["nodes"].get(k))
                    for k in set(expected["nodes"]) | set(after["nodes"])
                    if expected["nodes"].get(k) != after["nodes"].get(k)
                }
                rels = set(expected["rels"].items()) ^ set((k, str(v)) for k, v in after["rels"].items())
                failures.append(
                    f"{case.name}: accepted but changed other than expected: {str(diff)[:400]} {len(rels)}"
                )
        shutil.rmtree(work)
    refused = sum(n for (_f, got), n in outcome.items() if got == "refuse")
    print(
        f"\ncorpus: {len(cases)} cases, {refused} refused, {len(cases) - refused} accepted; "
        f"silent acceptances {silent}, stores changed by refused loads {changed_by_refused}, "
        f"accepted with unexpected changes {wrong_change}, unlocated problems {unlocated}"
    )
    for (family, got), n in sorted(outcome.items()):
        print(f"  {family:22s} {got:7s} {n}")
    assert failures == [], "\n".join(failures)
