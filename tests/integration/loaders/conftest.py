"""What the loader tests share: the example files in load order, a fresh town store (on the backend the test
runs on: embedded, or the real Neo4j with ``store_backend``), the town with every example loaded, and a snapshot
of a store to compare before and after a load."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from graphsvc.bootstrap import build
from graphsvc.domain.enums import NodeLabel, RelType
from graphsvc.store.port import GraphStore
from loaders import load_file

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"
ORDER = [
    ("areas", "areas.csv"),
    ("agencies", "agencies.csv"),
    ("venues", "venues.csv"),
    ("employers", "employers.csv"),
    ("supporters", "supporters.csv"),
    ("persons", "persons.csv"),
    ("households", "households.csv"),
    ("opportunities", "opportunities.xlsx"),
    ("cases", "cases.csv"),
    ("ties", "ties.csv"),
    ("kaigo-opendata", "kaigo_opendata.csv"),
]
"""Every example file with its kind, in the order a town loads them (areas and agencies before what names them)."""


@pytest.fixture
def store(tmp_path: Path) -> Iterator[GraphStore]:
    c = build(data_dir=tmp_path / "data")
    yield c.store("testtown")
    c.close()


@pytest.fixture
def town(store: GraphStore) -> GraphStore:
    """A store holding every example file."""
    for kind, name in ORDER:
        load_file(store, kind, EXAMPLES / name)
    return store


def snapshot(store: GraphStore) -> dict[str, object]:
    """Every node's and relationship's properties, keyed by what identifies them."""
    nodes = {str(n.ref): n.props for label in NodeLabel for n in store.iter_nodes(label)}
    rels = {f"{r.type}:{r.src}>{r.dst}": r.props for t in RelType for r in store.iter_rels(t)}
    return {"nodes": nodes, "rels": rels}
