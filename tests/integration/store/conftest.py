"""The ``store`` fixture: one fresh town per test, on every adapter.

- ``embedded``: a SQLite file under tmp_path.
- ``neo4j``: the Neo4j adapter over Bolt (the official driver) against the real Neo4j 5.26 the test session
  starts (``tests/conftest.py``), each test in a town of its own.

Stores are built by the composition root (``graphsvc.bootstrap.build``), as in production.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from graphsvc.bootstrap import Container, build
from graphsvc.store.port import GraphStore
from tests.conftest import STORE_BACKENDS
from tests.support.neo4j_server import Neo4jServer


@pytest.fixture(scope="session")
def neo4j_container(neo4j_server: Neo4jServer) -> Iterator[Container]:
    c = build(
        store="neo4j",
        neo4j_uri=neo4j_server.uri,
        neo4j_user=neo4j_server.user,
        neo4j_password=neo4j_server.password,
        neo4j_database=None,
        neo4j_max_retry_time=5.0,
    )
    try:
        yield c
    finally:
        c.close()


@pytest.fixture(params=STORE_BACKENDS)
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
