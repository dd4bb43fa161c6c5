"""What only the Neo4j adapter has, against a real Neo4j 5.26: batches, schema, temporal values, and faults.

Faults: a server that cannot be reached, a wrong password, a database that does not exist, a server restarted in
the middle of a session, and a server killed (SIGKILL of the Java process) in the middle of an import: each gives
one Japanese message naming the URI (never the password), and nothing is half-written. The destructive ones run
against a second server of this module's own, so that the session's server is never disturbed.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from graphsvc.bootstrap import build
from graphsvc.domain.enums import NodeLabel, RelType
from graphsvc.domain.errors import ConflictError, StoreUnavailableError
from graphsvc.store.neo4j import Neo4jStore, list_towns
from graphsvc.store.neo4j import adapter as adapter_module
from graphsvc.store.port import NodeRef, NodeRow, RelRow, WriteBatch
from tests.support.neo4j_server import Neo4jServer, free_port, start_neo4j

pytestmark = pytest.mark.neo4j

P, H, AREA, CASE = NodeLabel.PERSON, NodeLabel.HOUSEHOLD, NodeLabel.AREA, NodeLabel.CASE


def town() -> str:
    return "n" + uuid.uuid4().hex[:10]


@pytest.fixture(scope="module")
def driver(neo4j_server: Neo4jServer) -> Iterator[Any]:
    with neo4j_server.driver() as drv:
        yield drv


@pytest.fixture
def sent() -> list[tuple[str, str, dict[str, Any]]]:
    return []


@pytest.fixture
def store(
    driver: Any, neo4j_server: Neo4jServer, sent: list[tuple[str, str, dict[str, Any]]]
) -> Iterator[Neo4jStore]:
    st = Neo4jStore(
        driver,
        town(),
        uri=neo4j_server.uri,
        batch_rows=50,
        recorder=lambda n, q, p: sent.append((n, q, dict(p))),
    )
    try:
        yield st
    finally:
        st.clear()


def _assert_no_secret(err: BaseException, server: Neo4jServer) -> None:
    assert server.password not in str(err) and server.password not in repr(err.__dict__)


# ---------------------------------------------------------------- batches, values, schema


def test_writes_go_in_unwind_batches_of_batch_rows(store: Neo4jStore, sent: list[Any]) -> None:
    people = [{"id": f"P-{i:04d}", "name": f"住民 {i}", "tags": ["a", "b"]} for i in range(400)]
    assert store.upsert_nodes(P, people).nodes_created == 400
    store.upsert_nodes(H, [{"id": f"H-{i:03d}"} for i in range(100)])
    res = store.upsert_rels(
        RelRow(RelType.MEMBER_OF, NodeRef(P, p["id"]), NodeRef(H, f"H-{i % 100:03d}"))
        for i, p in enumerate(people)
    )
    assert res.rels_created == 400
    sizes = [len(p["rows"]) for n, _, p in sent if n.startswith("upsert_nodes:Person")]
    assert sizes == [50] * 8
    assert [len(p["rows"]) for n, _, p in sent if n.startswith("upsert_rels:")] == [50] * 8
    assert store.counts().nodes == {"Household": 100, "Person": 400}
    assert store.counts().rels == {"MEMBER_OF": 400}
    small_pages = Neo4jStore(store.driver, store.town, page_size=7)
    assert [n.id for n in small_pages.iter_nodes(P)] == [p["id"] for p in people]
    assert len(list(small_pages.iter_rels(RelType.MEMBER_OF))) == 400


def test_updated_counts_only_changed_properties(store: Neo4jStore) -> None:
    assert store.upsert_nodes(P, [{"id": "P-1", "age": 70}]).nodes_created == 1
    same = store.upsert_nodes(P, [{"id": "P-1", "age": 70}])
    assert (same.nodes_created, same.nodes_updated) == (0, 0)
    changed = store.upsert_nodes(P, [{"id": "P-1", "age": 71}])
    assert (changed.nodes_created, changed.nodes_updated) == (0, 1)


def test_dates_are_neo4j_dates_and_the_modification_time_a_datetime(store: Neo4jStore, driver: Any) -> None:
    store.upsert_nodes(CASE, [{"id": "C-1", "opened": "2024-04-01", "summary": "2024-04-01 受付"}])
    store.upsert_nodes(P, [{"id": "P-1"}])
    store.upsert_nodes(AREA, [{"id": "AR-1"}])
    store.upsert_rels([RelRow(RelType.ABOUT, NodeRef(CASE, "C-1"), NodeRef(P, "P-1"))])
    store.upsert_nodes(H, [{"id": "H-1"}])
    store.upsert_rels(
        [
            RelRow(RelType.KNOWS, NodeRef(P, "P-1"), NodeRef(P, "P-1"), {"since": "2020-01-15"}),
            RelRow(RelType.NEIGHBOUR_OF, NodeRef(P, "P-1"), NodeRef(H, "H-1"), {"since": "昭和の頃"}),
        ]
    )
    rec = driver.execute_query(
        "MATCH (c:Case {town: $t, id: 'C-1'}) MATCH (p:Person {town: $t})-[k:KNOWS]->() "
        "MATCH (p)-[n:NEIGHBOUR_OF]->() "
        "RETURN valueType(c.opened) AS opened, valueType(c.summary) AS summary, valueType(c._modified) AS modified, "
        "valueType(k.since) AS since, valueType(n.since) AS text_since, c.opened < date('2025-01-01') AS earlier",
        t=store.town,
    ).records[0]
    assert rec["opened"].startswith("DATE") and rec["modified"].startswith("ZONED DATETIME")
    assert rec["since"].startswith("DATE") and rec["earlier"] is True
    assert rec["summary"].startswith("STRING") and rec["text_since"].startswith("STRING")  # not a date: text
    row = store.get_node(NodeRef(CASE, "C-1"))
    assert row is not None and row.props["opened"] == "2024-04-01" and row.modified is not None
    assert [n.id for n in store.find_nodes(CASE, {"opened": "2024-04-01"})] == ["C-1"]
    rels = {r.type: r.props for r in store.relationships(NodeRef(P, "P-1"), direction="out")}
    assert rels[RelType.KNOWS] == {"since": "2020-01-15"}
    assert rels[RelType.NEIGHBOUR_OF] == {"since": "昭和の頃"}


def test_schema_is_created_on_open_and_enforces_uniqueness(neo4j_server: Neo4jServer, driver: Any) -> None:
    with build(store="neo4j", **_settings(neo4j_server)) as c:
        c.store(town())
    names = {r["name"] for r in driver.execute_query("SHOW CONSTRAINTS YIELD name RETURN name").records} | {
        r["name"] for r in driver.execute_query("SHOW INDEXES YIELD name RETURN name").records
    }
    for lbl in NodeLabel:
        assert f"tsunagari_{lbl.value.lower()}_key" in names
    t = town()
    driver.execute_query("CREATE (:Person {town: $t, id: 'X'})", t=t)
    with pytest.raises(Exception, match="already exists"):
        driver.execute_query("CREATE (:Person {town: $t, id: 'X'})", t=t)
    driver.execute_query("MATCH (n:Person {town: $t}) DELETE n", t=t)


def test_list_towns(store: Neo4jStore, driver: Any) -> None:
    store.upsert_nodes(AREA, [{"id": "AR-1", "name": "北地区"}])
    assert store.town in list_towns(driver)
    store.clear()
    assert store.town not in list_towns(driver)


# ---------------------------------------------------------------- faults that leave the server alone


def _settings(server: Neo4jServer, **over: Any) -> dict[str, Any]:
    return {
        "neo4j_uri": server.uri,
        "neo4j_user": server.user,
        "neo4j_password": server.password,
        "neo4j_max_retry_time": 1.0,
        "neo4j_acquisition_timeout": 5.0,
        **over,
    }


def test_unreachable_server_is_one_japanese_message_naming_the_uri(neo4j_server: Neo4jServer) -> None:
    uri = f"bolt://127.0.0.1:{free_port()}"  # nothing listens there
    with build(store="neo4j", **_settings(neo4j_server, neo4j_uri=uri)) as c:
        with pytest.raises(StoreUnavailableError) as err:
            c.store("toba")
        assert f"グラフデータベース {uri} に接続できません" in str(err.value)
        _assert_no_secret(err.value, neo4j_server)
        with pytest.raises(StoreUnavailableError):
            c.towns()


def test_wrong_password_is_one_japanese_message_without_the_password(neo4j_server: Neo4jServer) -> None:
    wrong = "wrong-" + uuid.uuid4().hex
    with (
        build(store="neo4j", **_settings(neo4j_server, neo4j_password=wrong)) as c,
        pytest.raises(StoreUnavailableError) as err,
    ):
        c.store("toba")
    text = str(err.value)
    assert f"グラフデータベース {neo4j_server.uri} にログインできません" in text and "パスワード" in text
    assert wrong not in text
    _assert_no_secret(err.value, neo4j_server)


def test_missing_database_is_one_japanese_message(neo4j_server: Neo4jServer) -> None:
    with (
        build(store="neo4j", **_settings(neo4j_server, neo4j_database="nosuchdb")) as c,
        pytest.raises(StoreUnavailableError) as err,
    ):
        c.store("toba")
    assert f"グラフデータベース {neo4j_server.uri} にデータベース「nosuchdb」がありません" in str(err.value)
    _assert_no_secret(err.value, neo4j_server)


# ---------------------------------------------------------------- faults on a server of this module's own


@pytest.fixture(scope="module")
def own_server(neo4j_server: Neo4jServer) -> Iterator[Neo4jServer]:
    """A second server, to be killed and restarted (after the session's one, so the jars are resolved)."""
    server = start_neo4j(heap="384m", pagecache="64m")
    try:
        yield server
    finally:
        server.stop()


def _base_town(store: Neo4jStore) -> None:
    store.write(
        WriteBatch(
            nodes=[NodeRow(H, f"H-{i}", {"id": f"H-{i}", "note": "before"}) for i in range(30)]
            + [NodeRow(P, f"P-{i}", {"id": f"P-{i}"}) for i in range(30)],
            rels=[RelRow(RelType.MEMBER_OF, NodeRef(P, f"P-{i}"), NodeRef(H, f"H-{i}")) for i in range(30)],
        )
    )


def test_killing_the_server_mid_import_leaves_the_town_as_it_was(own_server: Neo4jServer) -> None:
    killed: list[str] = []

    def kill_at_sixth_batch(name: str, query: str, params: Any) -> None:
        if name.startswith("upsert_nodes:Person") and not killed:
            seen.append(name)
            if len(seen) == 6:  # five batches written (uncommitted) in this transaction already
                killed.append(name)
                own_server.kill()

    seen: list[str] = []
    t = town()
    with own_server.driver(max_transaction_retry_time=1.0, connection_timeout=2.0) as drv:
        base = Neo4jStore(drv, t, uri=own_server.uri)
        _base_town(base)
        before = base.counts()
        big = WriteBatch(
            nodes=[NodeRow(H, f"H-{i}", {"id": f"H-{i}", "note": "after"}) for i in range(30)]
            + [NodeRow(P, f"Q-{i:05d}", {"id": f"Q-{i:05d}", "name": f"新住民 {i}"}) for i in range(6_000)],
            rels=[
                RelRow(RelType.MEMBER_OF, NodeRef(P, f"Q-{i:05d}"), NodeRef(H, "H-0")) for i in range(6_000)
            ],
        )
        importer = Neo4jStore(drv, t, uri=own_server.uri, batch_rows=500, recorder=kill_at_sixth_batch)
        with pytest.raises(StoreUnavailableError) as err:
            importer.write(big)
    assert killed, "the server was killed in the middle of the import"
    assert f"グラフデータベース {own_server.uri} に接続できません" in str(err.value)
    assert "保存されていません" in str(err.value)
    _assert_no_secret(err.value, own_server)
    own_server.start()  # recovery from the transaction log
    with own_server.driver() as drv:
        after = Neo4jStore(drv, t, uri=own_server.uri)
        assert after.counts() == before
        assert {n.props["note"] for n in after.iter_nodes(H)} == {"before"}
        assert after.get_node(NodeRef(P, "Q-00000")) is None
        after.clear()


def test_a_server_restarted_mid_session_is_reported_then_used_again(own_server: Neo4jServer) -> None:
    t = town()
    with build(store="neo4j", **_settings(own_server)) as c:
        st = c.store(t)
        _base_town(st)  # type: ignore[arg-type]
        before = st.counts()
        own_server.terminate()
        with pytest.raises(StoreUnavailableError) as err:
            st.upsert_nodes(H, [{"id": "H-new"}])
        assert f"グラフデータベース {own_server.uri} に接続できません" in str(err.value)
        _assert_no_secret(err.value, own_server)
        own_server.start()
        assert st.counts() == before  # the same store and driver work again, nothing half-written
        assert st.upsert_nodes(H, [{"id": "H-new"}]).nodes_created == 1
        st.clear()


def test_a_town_made_before_the_constraints_gets_them_or_a_message_about_its_duplicates(
    own_server: Neo4jServer,
) -> None:
    t = town()
    with own_server.driver() as drv:
        drv.execute_query("DROP CONSTRAINT tsunagari_person_key IF EXISTS")
        drv.execute_query(
            "CREATE (:Person {town: $t, id: 'P-1'}), (:Person {town: $t, id: 'P-1'}), (:Person {town: $t, id: 'P-2'})",
            t=t,
        )
    adapter_module._SCHEMA_READY.clear()  # as in a new process
    with build(store="neo4j", **_settings(own_server)) as c:
        with pytest.raises(ConflictError) as err:
            c.store(t)
        assert "Person に同じ id のノードが複数ある" in str(err.value) and f"町 {t} の P-1 (2件)" in str(
            err.value
        )
    with own_server.driver() as drv:
        drv.execute_query("MATCH (p:Person {town: $t, id: 'P-1'}) WITH p LIMIT 1 DELETE p", t=t)
    with build(store="neo4j", **_settings(own_server)) as c:
        st = c.store(t)  # now the constraint can be created
        assert st.counts().nodes == {"Person": 2}
        st.clear()
    with own_server.driver() as drv:
        names = [r["name"] for r in drv.execute_query("SHOW CONSTRAINTS YIELD name RETURN name").records]
    assert "tsunagari_person_key" in names
