"""What only the Neo4j adapter has: the byte budget of its UNWIND batches, its schema, its dialects, its
errors when the server is gone. Runs against a FalkorDB this module starts (``falkordb`` dialect)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from graphsvc.domain.enums import NodeLabel, RelType
from graphsvc.domain.errors import DomainValidationError, StoreUnavailableError
from graphsvc.store.cypher_dialect import get_dialect
from graphsvc.store.neo4j import Neo4jStore, _split, list_towns, param_bytes
from graphsvc.store.port import NodeRef, RelRow

P, H, AREA = NodeLabel.PERSON, NodeLabel.HOUSEHOLD, NodeLabel.AREA
BUDGET = 3000


# ---------------------------------------------------------------- no server needed


def test_split_respects_the_budget_and_keeps_order() -> None:
    rows = [{"id": f"P-{i}", "props": {"name": "名前" * (i % 7)}} for i in range(500)]
    chunks = _split(rows, {"town": "t"}, "rows", 1000, "row")
    assert len(chunks) > 1
    assert all(param_bytes(c) <= 1000 for c in chunks)
    assert [r for c in chunks for r in c["rows"]] == rows


def test_split_rejects_a_row_larger_than_the_budget() -> None:
    rows = [{"id": "ok"}, {"id": "big", "text": "x" * 2000}]
    with pytest.raises(DomainValidationError) as err:
        _split(rows, {"town": "t"}, "rows", 1000, "row")
    assert err.value.problems[0].row == 2
    assert "大きすぎます" in str(err.value)


def test_dialects() -> None:
    neo, falkor = get_dialect("neo4j"), get_dialect("falkordb")
    assert "REQUIRE (n.town, n.id) IS UNIQUE" in neo.schema_statements(P)[0][1]
    assert all("CONSTRAINT" not in q for _, q in falkor.schema_statements(P))
    assert neo.passes_database and not falkor.passes_database
    with pytest.raises(ValueError):
        get_dialect("memgraph")


def test_database_name_is_never_passed_to_falkordb() -> None:
    store = Neo4jStore(object(), "t", database="neo4j", dialect="falkordb")  # type: ignore[arg-type]
    assert store.database is None
    assert Neo4jStore(object(), "t", database="tsunagari").database == "tsunagari"  # type: ignore[arg-type]


# ---------------------------------------------------------------- against FalkorDB


@pytest.fixture(scope="module")
def server() -> Iterator[Any]:
    from tests.support.falkordb import start_falkordb

    srv = start_falkordb()
    try:
        yield srv
    finally:
        srv.stop()


@pytest.fixture(scope="module")
def driver(server: Any) -> Iterator[Any]:
    with server.driver() as drv:
        yield drv


@pytest.fixture
def sent() -> list[tuple[str, str, dict[str, Any]]]:
    return []


@pytest.fixture
def store(driver: Any, sent: list[tuple[str, str, dict[str, Any]]]) -> Iterator[Neo4jStore]:
    st = Neo4jStore(
        driver,
        "s" + uuid.uuid4().hex[:10],
        dialect="falkordb",
        batch_bytes=BUDGET,
        recorder=lambda n, q, p: sent.append((n, q, dict(p))),
    )
    try:
        yield st
    finally:
        st.clear()


@pytest.mark.bolt
def test_large_writes_are_cut_to_the_byte_budget(store: Neo4jStore, sent: list[Any]) -> None:
    people = [{"id": f"P-{i:04d}", "name": f"住民 {i}", "tags": ["a", "b"]} for i in range(400)]
    res = store.upsert_nodes(P, people)
    assert res.nodes_created == 400
    store.upsert_nodes(H, [{"id": f"H-{i:03d}"} for i in range(100)])
    res = store.upsert_rels(
        [
            RelRow(RelType.MEMBER_OF, NodeRef(P, p["id"]), NodeRef(H, f"H-{i % 100:03d}"))
            for i, p in enumerate(people)
        ]
    )
    assert res.rels_created == 400
    upserts = [(n, p) for n, _, p in sent if n.startswith("upsert_")]
    assert len([n for n, _ in upserts if n.startswith("upsert_nodes:Person")]) > 1
    assert len([n for n, _ in upserts if n.startswith("upsert_rels:")]) > 1
    assert all(param_bytes(p) <= BUDGET for _, _, p in sent)
    assert store.counts().nodes == {"Household": 100, "Person": 400}
    assert store.counts().rels == {"MEMBER_OF": 400}
    assert len(list(store.iter_nodes(P))) == 400  # several pages? only with a smaller page size
    small_pages = Neo4jStore(store.driver, store.town, dialect="falkordb", batch_bytes=BUDGET, page_size=7)
    assert [n.id for n in small_pages.iter_nodes(P)] == [p["id"] for p in people]
    assert len(list(small_pages.iter_rels(RelType.MEMBER_OF))) == 400


@pytest.mark.bolt
def test_an_oversized_row_is_refused_before_anything_is_sent(store: Neo4jStore, server: Any) -> None:
    rows = [{"id": "P-1"}, {"id": "P-2", "note": "長い" * 2000}]
    with pytest.raises(DomainValidationError):
        store.upsert_nodes(P, rows)
    assert server.running, "the server must survive: nothing over the budget was sent"
    assert store.get_node(NodeRef(P, "P-1")) is None


@pytest.mark.bolt
def test_updated_counts_only_changed_properties(store: Neo4jStore) -> None:
    assert store.upsert_nodes(P, [{"id": "P-1", "age": 70}]).nodes_created == 1
    same = store.upsert_nodes(P, [{"id": "P-1", "age": 70}])
    assert (same.nodes_created, same.nodes_updated) == (0, 0)
    changed = store.upsert_nodes(P, [{"id": "P-1", "age": 71}])
    assert (changed.nodes_created, changed.nodes_updated) == (0, 1)


@pytest.mark.bolt
def test_schema_is_created_once_and_tolerates_a_second_store(driver: Any) -> None:
    a = Neo4jStore(driver, "schema-a", dialect="falkordb", batch_bytes=BUDGET)
    b = Neo4jStore(driver, "schema-b", dialect="falkordb", batch_bytes=BUDGET)
    a.ensure_schema()
    b.ensure_schema()  # indexes exist already: must not fail
    b.ensure_schema()


@pytest.mark.bolt
def test_list_towns(driver: Any) -> None:
    town = "lt" + uuid.uuid4().hex[:8]
    st = Neo4jStore(driver, town, dialect="falkordb", batch_bytes=BUDGET)
    try:
        st.upsert_nodes(AREA, [{"id": "AR-1", "name": "北地区"}])
        assert town in list_towns(driver, dialect="falkordb")
    finally:
        st.clear()
    assert town not in list_towns(driver, dialect="falkordb")


@pytest.mark.bolt
def test_a_stopped_server_is_reported_as_unavailable() -> None:
    from tests.support.falkordb import start_falkordb

    srv = start_falkordb()
    try:
        with srv.driver(max_transaction_retry_time=1.0, connection_acquisition_timeout=1.0) as drv:
            st = Neo4jStore(drv, "gone", dialect="falkordb", batch_bytes=BUDGET)
            st.ping()
            srv.kill()
            with pytest.raises(StoreUnavailableError) as err:
                st.ping()
            assert "接続できません" in str(err.value)
            with pytest.raises(StoreUnavailableError):
                st.upsert_nodes(P, [{"id": "P-1"}])
            srv.restart()
            st.ping()  # comes back on the same port (empty)
            assert st.get_node(NodeRef(P, "P-1")) is None
    finally:
        srv.stop()
