"""The GraphStore contract: every adapter must behave the same (see ``conftest.py`` for the backends)."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest

from graphsvc.bootstrap import Container
from graphsvc.domain import (
    Agency,
    DomainValidationError,
    EndpointMissingError,
    GeoPoint,
    NodeHasRelationshipsError,
    NodeLabel,
    Opportunity,
    RelType,
    node_from_props,
    to_props,
)
from graphsvc.store.port import GraphStore, NodeRef, NodeRow, RelRow, WriteBatch, node_key

from .conftest import new_town

H, P, A, V, C = NodeLabel.HOUSEHOLD, NodeLabel.PERSON, NodeLabel.AGENCY, NodeLabel.VENUE, NodeLabel.CASE


def ref(label: NodeLabel, id_: str) -> NodeRef:
    return NodeRef(label, id_)


def seed_small(store: GraphStore) -> None:
    """Two households, three people, two agencies, one venue, one case; a chain H1-A1-H2 and more."""
    store.write(
        WriteBatch(
            nodes=[
                NodeRow(H, "H1", {"id": "H1", "size": 2, "flags": ["single_elderly", "remote"]}),
                NodeRow(H, "H2", {"id": "H2", "size": 1}),
                NodeRow(P, "P1", {"id": "P1", "name": "山田 花子", "birth_year": 1940, "hikikomori": False}),
                NodeRow(P, "P2", {"id": "P2", "name": "山田 太郎", "birth_year": 1972, "hikikomori": True}),
                NodeRow(P, "P3", {"id": "P3", "name": "佐藤 一郎", "birth_year": 1950}),
                NodeRow(
                    A, "A1", {"id": "A1", "name": "地域包括支援センター", "sectors": ["elderly", "health"]}
                ),
                NodeRow(A, "A2", {"id": "A2", "name": "自立相談支援機関", "sectors": ["poverty"]}),
                NodeRow(V, "V1", {"id": "V1", "name": "ふれあいサロン", "kind": "home_salon"}),
                NodeRow(C, "C1", {"id": "C1", "factors": ["dementia", "hikikomori"], "hard": True}),
            ],
            rels=[
                RelRow(RelType.MEMBER_OF, ref(P, "P1"), ref(H, "H1"), {"role": "本人"}),
                RelRow(RelType.MEMBER_OF, ref(P, "P2"), ref(H, "H1")),
                RelRow(RelType.MEMBER_OF, ref(P, "P3"), ref(H, "H2")),
                RelRow(
                    RelType.SUPPORTED_BY, ref(H, "H1"), ref(A, "A1"), {"sector": "elderly", "intensity": 2}
                ),
                RelRow(RelType.SUPPORTED_BY, ref(H, "H2"), ref(A, "A1"), {"sector": "elderly"}),
                RelRow(RelType.SUPPORTED_BY, ref(P, "P2"), ref(A, "A2"), {"sector": "poverty"}),
                RelRow(RelType.ATTENDS, ref(P, "P3"), ref(V, "V1"), {"per_month": 4.0}),
                RelRow(RelType.ABOUT, ref(C, "C1"), ref(H, "H1")),
                RelRow(RelType.HANDLED_BY, ref(C, "C1"), ref(A, "A1"), {"lead": True}),
            ],
        )
    )


# ---------------------------------------------------------------- upserts


def test_upsert_is_idempotent(store: GraphStore) -> None:
    rows = [{"id": "H1", "size": 2}, {"id": "H2", "size": 3, "flags": ["eighty_fifty"]}]
    first = store.upsert_nodes(H, rows)
    assert (first.nodes_created, first.nodes_updated) == (2, 0)
    before = [n.props for n in store.find_nodes(H)]
    second = store.upsert_nodes(H, rows)
    assert (second.nodes_created, second.nodes_updated) == (0, 0)
    assert [n.props for n in store.find_nodes(H)] == before
    assert store.counts().nodes == {"Household": 2}


def test_upsert_replaces_properties(store: GraphStore) -> None:
    store.upsert_nodes(H, [{"id": "H1", "size": 2, "address": "鳥羽市鳥羽1丁目"}])
    res = store.upsert_nodes(H, [{"id": "H1", "size": 4}])
    assert (res.nodes_created, res.nodes_updated) == (0, 1)
    node = store.get_node(ref(H, "H1"))
    assert node is not None
    assert node.props == {"id": "H1", "size": 4}


def test_same_id_different_labels_are_different_nodes(store: GraphStore) -> None:
    store.upsert_nodes(H, [{"id": "X1"}])
    store.upsert_nodes(P, [{"id": "X1"}])
    assert store.counts().nodes == {"Household": 1, "Person": 1}


def test_duplicate_id_in_one_batch_is_rejected(store: GraphStore) -> None:
    with pytest.raises(DomainValidationError) as err:
        store.upsert_nodes(H, [{"id": "H1"}, {"id": "H1", "size": 2}])
    assert "H1" in str(err.value)
    assert store.counts().total_nodes == 0


def test_values_round_trip(store: GraphStore) -> None:
    props = {
        "id": "P1",
        "name": "鈴木 みどり",
        "birth_year": 1948,
        "needs_support": True,
        "disability": False,
        "notes": "朝は調子が悪い。週2回の声かけ",
    }
    store.upsert_nodes(P, [props])
    node = store.get_node(ref(P, "P1"))
    assert node is not None and node.props == props


def test_domain_records_round_trip(store: GraphStore) -> None:
    opp = Opportunity(
        id="O-1",
        title="旅館の朝食配膳",
        kind="petit_work",
        host_id="E-1",
        host_label="Employer",
        schedule={"slots": [{"weekday": "mon", "opens": "07:00", "closes": "09:00"}]},
        hours_per_session=2,
        difficulty=2,
        contact_load=3,
        skills_wanted=["配膳", "接客"],
        capacity={"maximum": 3, "available": 1},
        location=GeoPoint(lat=34.481512, lon=136.843201),
    )
    agency = Agency(
        id="A-1", name="保健福祉センターひだまり", kind="one_stop_center", sectors=["elderly", "poverty"]
    )
    store.upsert_nodes(NodeLabel.OPPORTUNITY, [to_props(opp)])
    store.upsert_nodes(A, [to_props(agency)])
    got = store.get_node(ref(NodeLabel.OPPORTUNITY, "O-1"))
    assert got is not None and node_from_props(NodeLabel.OPPORTUNITY, got.props) == opp
    got_a = store.get_node(ref(A, "A-1"))
    assert got_a is not None and node_from_props(A, got_a.props) == agency


def test_large_batch(store: GraphStore) -> None:
    rows = [{"id": f"P{i:04d}", "name": f"住民{i}", "birth_year": 1930 + i % 80} for i in range(600)]
    res = store.upsert_nodes(P, rows)
    assert res.nodes_created == 600
    store.upsert_rels(RelRow(RelType.KNOWS, ref(P, f"P{i:04d}"), ref(P, f"P{i + 1:04d}")) for i in range(599))
    assert store.counts().rels == {"KNOWS": 599}
    assert [n.id for n in store.find_nodes(P, limit=3, offset=10)] == ["P0010", "P0011", "P0012"]


# ---------------------------------------------------------------- reads


def test_get_nodes_keeps_order_and_skips_missing(store: GraphStore) -> None:
    seed_small(store)
    assert [n.id for n in store.get_nodes(P, ["P3", "NOPE", "P1"])] == ["P3", "P1"]
    assert store.get_node(ref(P, "NOPE")) is None


def test_find_nodes_filters(store: GraphStore) -> None:
    seed_small(store)
    assert [n.id for n in store.find_nodes(A, {"sectors": "elderly"})] == ["A1"]
    assert [n.id for n in store.find_nodes(A, {"sectors": "poverty"})] == ["A2"]
    assert [n.id for n in store.find_nodes(P, {"hikikomori": True})] == ["P2"]
    assert [n.id for n in store.find_nodes(P, {"birth_year": 1950})] == ["P3"]
    assert [n.id for n in store.find_nodes(H, {"flags": "remote"})] == ["H1"]
    assert store.find_nodes(P, {"name": "いない人"}) == []
    assert [n.id for n in store.find_nodes(P)] == ["P1", "P2", "P3"]
    assert [n.id for n in store.find_nodes(P, limit=2, offset=1)] == ["P2", "P3"]


def test_iterators(store: GraphStore) -> None:
    seed_small(store)
    assert [n.id for n in store.iter_nodes(P)] == ["P1", "P2", "P3"]
    members = {(r.src.id, r.dst.id) for r in store.iter_rels(RelType.MEMBER_OF)}
    assert members == {("P1", "H1"), ("P2", "H1"), ("P3", "H2")}


def test_counts(store: GraphStore) -> None:
    seed_small(store)
    c = store.counts()
    assert c.nodes == {"Agency": 2, "Case": 1, "Household": 2, "Person": 3, "Venue": 1}
    assert c.rels == {"ABOUT": 1, "ATTENDS": 1, "HANDLED_BY": 1, "MEMBER_OF": 3, "SUPPORTED_BY": 3}
    assert c.total_nodes == 9 and c.total_rels == 9


# ---------------------------------------------------------------- relationships


def test_relationships_directions_and_types(store: GraphStore) -> None:
    seed_small(store)
    a1 = ref(A, "A1")
    incoming = store.relationships(a1, direction="in")
    assert {(r.type, r.src.id) for r in incoming} == {
        (RelType.SUPPORTED_BY, "H1"),
        (RelType.SUPPORTED_BY, "H2"),
        (RelType.HANDLED_BY, "C1"),
    }
    assert store.relationships(a1, direction="out") == []
    only = store.relationships(a1, types=[RelType.HANDLED_BY])
    assert len(only) == 1 and only[0].props == {"lead": True}
    h1 = store.relationships(ref(H, "H1"))
    assert {r.type for r in h1} == {RelType.MEMBER_OF, RelType.SUPPORTED_BY, RelType.ABOUT}


def test_relationship_upsert_is_idempotent_and_replaces_props(store: GraphStore) -> None:
    seed_small(store)
    row = RelRow(RelType.SUPPORTED_BY, ref(H, "H1"), ref(A, "A1"), {"sector": "elderly", "intensity": 2})
    res = store.upsert_rels([row])
    assert (res.rels_created, res.rels_updated) == (0, 0)
    res = store.upsert_rels([RelRow(row.type, row.src, row.dst, {"intensity": 3})])
    assert (res.rels_created, res.rels_updated) == (0, 1)
    [rel] = [r for r in store.relationships(ref(H, "H1"), types=[RelType.SUPPORTED_BY])]
    assert rel.props == {"intensity": 3}
    assert store.counts().rels["SUPPORTED_BY"] == 3


def test_relationship_to_missing_endpoint_writes_nothing(store: GraphStore) -> None:
    seed_small(store)
    before = store.counts()
    batch = WriteBatch(
        nodes=[NodeRow(H, "H9", {"id": "H9"})],
        rels=[
            RelRow(RelType.SUPPORTED_BY, ref(H, "H9"), ref(A, "A1")),
            RelRow(RelType.SUPPORTED_BY, ref(H, "H2"), ref(A, "NO-SUCH-AGENCY")),
        ],
    )
    with pytest.raises(EndpointMissingError) as err:
        store.write(batch)
    assert "NO-SUCH-AGENCY" in str(err.value)
    assert err.value.problems[0].row == 2
    assert store.get_node(ref(H, "H9")) is None
    assert store.counts() == before


def test_relationship_endpoints_may_come_in_the_same_batch(store: GraphStore) -> None:
    res = store.write(
        WriteBatch(
            nodes=[NodeRow(P, "P1", {"id": "P1"}), NodeRow(H, "H1", {"id": "H1"})],
            rels=[RelRow(RelType.MEMBER_OF, ref(P, "P1"), ref(H, "H1"))],
        )
    )
    assert (res.nodes_created, res.rels_created) == (2, 1)


def test_relationship_between_wrong_labels_is_rejected(store: GraphStore) -> None:
    seed_small(store)
    with pytest.raises(DomainValidationError) as err:
        store.upsert_rels([RelRow(RelType.MEMBER_OF, ref(A, "A1"), ref(H, "H1"))])
    assert "MEMBER_OF" in str(err.value)


def test_batch_failing_half_way_writes_nothing(store: GraphStore) -> None:
    """Nodes are written first; the relationship statement then fails inside the same transaction
    (an integer no store can hold), so the nodes must be rolled back too."""
    batch = WriteBatch(
        nodes=[NodeRow(P, "P1", {"id": "P1"}), NodeRow(H, "H1", {"id": "H1"})],
        rels=[RelRow(RelType.MEMBER_OF, ref(P, "P1"), ref(H, "H1"), {"role": "本人", "since_epoch": 2**70})],
    )
    with pytest.raises(Exception):  # noqa: B017 - the store's own overflow error
        store.write(batch)
    assert store.counts().total_nodes == 0
    assert store.counts().total_rels == 0


# ---------------------------------------------------------------- deletes


def test_delete_relationship(store: GraphStore) -> None:
    seed_small(store)
    assert store.delete_rel(RelType.ATTENDS, ref(P, "P3"), ref(V, "V1")) is True
    assert store.delete_rel(RelType.ATTENDS, ref(P, "P3"), ref(V, "V1")) is False
    assert "ATTENDS" not in store.counts().rels
    assert store.get_node(ref(V, "V1")) is not None


def test_plain_delete_of_connected_node_fails_and_keeps_it(store: GraphStore) -> None:
    seed_small(store)
    before = store.counts()
    with pytest.raises(NodeHasRelationshipsError):
        store.delete_node(ref(A, "A1"))
    assert store.counts() == before


def test_detach_delete_removes_node_and_its_relationships(store: GraphStore) -> None:
    seed_small(store)
    res = store.delete_node(ref(A, "A1"), detach=True)
    assert (res.nodes, res.rels) == (1, 3)
    assert store.get_node(ref(A, "A1")) is None
    assert store.counts().rels == {"ABOUT": 1, "ATTENDS": 1, "MEMBER_OF": 3, "SUPPORTED_BY": 1}


def test_delete_of_unconnected_and_of_missing_node(store: GraphStore) -> None:
    store.upsert_nodes(V, [{"id": "V1", "name": "サロン"}])
    assert store.delete_node(ref(V, "V1")).nodes == 1
    assert store.delete_node(ref(V, "V1")).nodes == 0


def test_clear(store: GraphStore) -> None:
    seed_small(store)
    store.clear()
    assert store.counts().total_nodes == 0 and store.counts().total_rels == 0


# ---------------------------------------------------------------- neighbourhood and projection


def test_neighbourhood(store: GraphStore) -> None:
    seed_small(store)
    one = store.neighbourhood(ref(H, "H1"), depth=1)
    assert {str(n.ref) for n in one.nodes} == {
        "Household:H1",
        "Person:P1",
        "Person:P2",
        "Agency:A1",
        "Case:C1",
    }
    # relationships among those nodes only, including C1-A1 which closes a triangle
    assert {(r.type.value, r.src.id, r.dst.id) for r in one.rels} == {
        ("MEMBER_OF", "P1", "H1"),
        ("MEMBER_OF", "P2", "H1"),
        ("SUPPORTED_BY", "H1", "A1"),
        ("ABOUT", "C1", "H1"),
        ("HANDLED_BY", "C1", "A1"),
    }
    two = store.neighbourhood(ref(H, "H1"), depth=2)
    assert {str(n.ref) for n in two.nodes} == {
        "Household:H1",
        "Person:P1",
        "Person:P2",
        "Agency:A1",
        "Case:C1",
        "Household:H2",
        "Agency:A2",
    }
    typed = store.neighbourhood(ref(H, "H1"), depth=2, types=[RelType.MEMBER_OF])
    assert {str(n.ref) for n in typed.nodes} == {"Household:H1", "Person:P1", "Person:P2"}
    assert store.neighbourhood(ref(H, "NOPE")).nodes == []


def test_projection(store: GraphStore) -> None:
    seed_small(store)
    g = store.projection()
    assert g.number_of_nodes() == 9 and g.number_of_edges() == 9
    h1 = g.nodes[node_key(H, "H1")]
    assert h1["label"] == "Household" and h1["id"] == "H1" and h1["size"] == 2
    edge = g.get_edge_data(node_key(H, "H1"), node_key(A, "A1"))
    assert edge is not None and edge["SUPPORTED_BY"]["intensity"] == 2
    sub = store.projection(labels=[H, A], rel_types=[RelType.SUPPORTED_BY])
    assert set(sub.nodes) == {"Household:H1", "Household:H2", "Agency:A1", "Agency:A2"}
    assert sub.number_of_edges() == 2


# ---------------------------------------------------------------- modification times


def _modified(store: GraphStore, r: NodeRef) -> datetime:
    node = store.get_node(r)
    assert node is not None and node.modified is not None
    return node.modified


def _tick() -> None:
    """Let the clock move on, so that a later write cannot share an earlier one's microsecond."""
    time.sleep(0.002)


def test_modified_is_set_on_create_in_utc_one_time_per_batch(store: GraphStore) -> None:
    t0 = datetime.now(UTC)
    store.upsert_nodes(H, [{"id": "H1", "size": 2}, {"id": "H2", "size": 1}])
    t1 = datetime.now(UTC)
    when = _modified(store, ref(H, "H1"))
    assert when.tzinfo is not None and when.utcoffset() == timedelta(0)
    assert t0 <= when <= t1
    assert _modified(store, ref(H, "H2")) == when  # one batch, one time


def test_modified_never_appears_in_props(store: GraphStore) -> None:
    seed_small(store)
    h1 = ref(H, "H1")
    expected = {"id": "H1", "size": 2, "flags": ["single_elderly", "remote"]}
    when = _modified(store, h1)
    rows = [
        store.get_node(h1),
        *store.get_nodes(H, ["H1"]),
        *store.find_nodes(H, {"size": 2}),
        *[n for n in store.iter_nodes(H) if n.id == "H1"],
        *[n for n in store.neighbourhood(h1).nodes if n.ref == h1],
    ]
    assert len(rows) == 5
    for row in rows:
        assert row is not None and row.props == expected and row.modified == when
    for _, attrs in store.projection().nodes(data=True):
        assert not any("modified" in k for k in attrs)
    assert store.find_nodes(H, {"_modified": when.isoformat()}) == []


def test_reserved_property_name_is_rejected(store: GraphStore) -> None:
    with pytest.raises(DomainValidationError) as err:
        store.upsert_nodes(H, [{"id": "H1", "_modified": "2025-04-01T00:00:00+00:00"}])
    assert "_modified" in str(err.value)
    assert store.counts().total_nodes == 0


def test_unchanged_upsert_keeps_modified(store: GraphStore) -> None:
    seed_small(store)
    before = {n.ref: n.modified for lbl in (H, P, A) for n in store.iter_nodes(lbl)}
    _tick()
    res = store.upsert_nodes(H, [{"id": "H2", "size": 1}])
    assert (res.nodes_created, res.nodes_updated) == (0, 0)
    seed_small(store)  # the same rows and relationships again
    store.upsert_rels([RelRow(RelType.MEMBER_OF, ref(P, "P3"), ref(H, "H1"))])  # a new relationship only
    after = {n.ref: n.modified for lbl in (H, P, A) for n in store.iter_nodes(lbl)}
    assert after == before


def test_changed_upsert_advances_modified_of_that_node_only(store: GraphStore) -> None:
    seed_small(store)
    created = _modified(store, ref(H, "H1"))
    _tick()
    t0 = datetime.now(UTC)
    res = store.write(
        WriteBatch(
            nodes=[
                NodeRow(H, "H1", {"id": "H1", "size": 3, "flags": ["single_elderly", "remote"]}),  # changed
                NodeRow(H, "H2", {"id": "H2", "size": 1}),  # unchanged
                NodeRow(P, "P1", {"id": "P1", "name": "山田 花子", "birth_year": 1940}),  # a key removed
                NodeRow(P, "P9", {"id": "P9"}),  # created
            ]
        )
    )
    t1 = datetime.now(UTC)
    assert (res.nodes_created, res.nodes_updated) == (1, 2)
    h1 = _modified(store, ref(H, "H1"))
    assert h1 > created and t0 <= h1 <= t1
    assert _modified(store, ref(H, "H2")) == created
    assert _modified(store, ref(P, "P1")) == h1 == _modified(store, ref(P, "P9"))  # one batch, one time
    _tick()
    store.upsert_nodes(H, [{"id": "H1", "size": 3, "flags": ["remote", "single_elderly"]}])  # list order
    assert _modified(store, ref(H, "H1")) > h1


def test_modified_of_a_row_written_is_ignored(store: GraphStore) -> None:
    """``NodeRow.modified`` is the store's: a value given on the way in neither sets it nor counts as a change."""
    long_ago = datetime(2001, 1, 1, tzinfo=UTC)
    t0 = datetime.now(UTC)
    store.write(WriteBatch(nodes=[NodeRow(H, "H1", {"id": "H1"}, modified=long_ago)]))
    when = _modified(store, ref(H, "H1"))
    assert when >= t0
    res = store.write(WriteBatch(nodes=[NodeRow(H, "H1", {"id": "H1"}, modified=long_ago)]))
    assert res.nodes_updated == 0 and _modified(store, ref(H, "H1")) == when
    assert store.get_node(ref(H, "H1")) == NodeRow(H, "H1", {"id": "H1"})  # times take no part in equality


# ---------------------------------------------------------------- towns


def test_towns_are_isolated(container: Container, store: GraphStore) -> None:
    other = container.store(new_town())
    try:
        seed_small(store)
        other.upsert_nodes(H, [{"id": "H1", "size": 9}])
        assert other.counts().total_nodes == 1
        node = store.get_node(ref(H, "H1"))
        assert node is not None and node.props["size"] == 2
        other.clear()
        assert store.counts().total_nodes == 9
    finally:
        other.clear()


def test_revision_changes_with_every_write_or_is_unknown(store: GraphStore) -> None:
    r0 = store.revision()
    if r0 is None:  # the store cannot tell: callers must not cache
        seed_small(store)
        assert store.revision() is None
        return
    store.get_node(ref(H, "H1"))
    store.counts()
    assert store.revision() == r0  # reads change nothing
    seed_small(store)
    r1 = store.revision()
    assert r1 is not None and r1 > r0
    store.upsert_nodes(H, [{"id": "H1", "size": 5}])
    r2 = store.revision()
    assert r2 is not None and r2 > r1
    store.clear()
    r3 = store.revision()
    assert r3 is not None and r3 > r2
