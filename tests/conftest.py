"""Session-wide fixtures: one real Neo4j 5.26 (with Graph Data Science) for the whole test session.

- ``neo4j_server``: started on first use (``tests/support/neo4j_server.py``: jars from Maven Central through
  ``tools/neo4j/``, a free loopback port, a generated password), stopped at the end of the session. Without Java
  17-21 or Maven the tests that need it skip with one line saying what to install; with ``CI=true`` that is an
  error instead.
- ``store_backend`` / ``store_backend_module``: parametrise a test (or a module's fixtures) over the two stores.
  For ``neo4j`` the environment names the session's server (``TSUNAGARI_STORE=neo4j``, ``NEO4J_URI``, …), so
  everything built by the composition root (``graphsvc.bootstrap.build()``), and every CLI run in a subprocess,
  uses it; the database is emptied first, so fixed town names are safe. Tests use it by name or with
  ``pytestmark = pytest.mark.usefixtures("store_backend")``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

from tests.support.neo4j_server import INSTALL_HINT, Neo4jServer, missing_tools, start_neo4j

IN_CI = os.environ.get("CI", "").lower() == "true"

STORE_BACKENDS = [
    pytest.param("embedded", id="embedded"),
    pytest.param("neo4j", id="neo4j", marks=pytest.mark.neo4j),
]


def _unavailable(message: str) -> None:
    if IN_CI:
        pytest.fail(f"{message} (CI=true: the Neo4j tests must run)", pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="session")
def neo4j_server(request: pytest.FixtureRequest) -> Iterator[Neo4jServer]:
    """The session's Neo4j server (started once, on first use)."""
    missing = missing_tools()
    if missing:
        _unavailable(f"Neo4j tests skipped: {' and '.join(missing)} not found. {INSTALL_HINT}")
    server = start_neo4j()
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        reporter.write_line(
            f"\n{server.agent} (Graph Data Science {server.gds_version}) on {server.uri}, "
            f"started in {server.started_in:.1f}s for this session"
        )
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def neo4j_admin(neo4j_server: Neo4jServer) -> Iterator[Any]:
    """A driver of the test session's own (emptying the database between tests)."""
    with neo4j_server.driver() as drv:
        yield drv


def empty_database(driver: Any) -> None:
    """Delete every node and relationship and drop every GDS projection (tests share the one database)."""
    with driver.session() as s:
        s.run("MATCH (n) CALL { WITH n DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS").consume()
        s.run("CALL gds.graph.list() YIELD graphName CALL gds.graph.drop(graphName, false) YIELD nodeCount "
              "RETURN count(*) AS dropped").consume()  # fmt: skip


def neo4j_environment(server: Neo4jServer) -> dict[str, str]:
    """The environment that points the composition root (and a CLI subprocess) at ``server``."""
    return {
        "TSUNAGARI_STORE": "neo4j",
        **server.env(),
        "TSUNAGARI_NEO4J_MAX_RETRY_TIME": "5",
    }


STORE_ENV = ("TSUNAGARI_STORE", "NEO4J_URI", "NEO4J_USER", "NEO4J_PASSWORD", "TSUNAGARI_NEO4J_MAX_RETRY_TIME")


def store_environment() -> dict[str, str]:
    """The store part of the current environment (what ``store_backend`` set), for a subprocess whose
    environment is otherwise cleaned of ``TSUNAGARI_*`` / ``NEO4J_*``."""
    return {k: os.environ[k] for k in STORE_ENV if k in os.environ}


def _use_backend(request: pytest.FixtureRequest, mp: pytest.MonkeyPatch, backend: str) -> str:
    if backend == "neo4j":
        server: Neo4jServer = request.getfixturevalue("neo4j_server")
        empty_database(request.getfixturevalue("neo4j_admin"))
        for key, value in neo4j_environment(server).items():
            mp.setenv(key, value)
        mp.delenv("NEO4J_DATABASE", raising=False)
    else:
        mp.delenv("TSUNAGARI_STORE", raising=False)
    return backend


@pytest.fixture(params=STORE_BACKENDS)
def store_backend(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """The test runs once per store (``embedded``, ``neo4j``); see the module docstring."""
    return _use_backend(request, monkeypatch, str(request.param))


@pytest.fixture(scope="module", params=STORE_BACKENDS)
def store_backend_module(request: pytest.FixtureRequest) -> Iterator[str]:
    """Like ``store_backend`` for a whole module (for module-scoped fixtures that build a town once)."""
    with pytest.MonkeyPatch.context() as mp:
        yield _use_backend(request, mp, str(request.param))
