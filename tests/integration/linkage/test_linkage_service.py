"""The linkage service over stored caselists: runs with their legal basis, linked persons in the graph that the
gap analysis reads unchanged, the review queue with decisions that are stored, audited, reversible and never
undone by a re-run, the roles, and no names in the logs."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterator

import pytest

from graphsvc.access.context import AccessContext
from graphsvc.access.principals import Principal, Role
from graphsvc.access.system import SystemDB
from graphsvc.domain.enums import NodeLabel, RelType
from graphsvc.domain.errors import AccessDenied, ConflictError, DomainValidationError, NotFound
from graphsvc.services.demo import _agency_of_list, _resource_batch
from graphsvc.services.linkage import Linkage
from graphsvc.store.embedded import EmbeddedStore
from graphsvc.store.port import GraphStore, NodeRef
from linkage.synth import REFERENCE_DATE, generate_lists

TOWN = "linktown"
ADMIN = Principal("k-admin", "管理者", Role.ADMIN)
COORD = Principal("k-coord", "コーディネーター", Role.COORDINATOR, towns=(TOWN,))


@pytest.fixture(scope="module")
def env(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[GraphStore, SystemDB, dict[str, str], list[str]]]:
    from loaders.demo import build_town, get_spec

    root = tmp_path_factory.mktemp("linkage-svc")
    demo = EmbeddedStore(root / "demo.sqlite3", "demo", synchronous="NORMAL")
    build_town(demo, get_spec("toba", 250), seed=1, households=250)
    store = EmbeddedStore(root / f"{TOWN}.sqlite3", TOWN, synchronous="NORMAL")
    store.write(_resource_batch(demo))
    system = SystemDB.open(root / "system.sqlite3")
    lists = generate_lists("toba", seed=1, households=250)
    paths = lists.write(root / "lists")
    agency_of = _agency_of_list(store, list(lists.rows))
    svc = Linkage(store, system)
    ctx = AccessContext(TOWN, ADMIN, None)
    for key, agency in agency_of.items():
        svc.load_caselist(ctx, agency, paths[key])
    names = [r["氏名"] for rows in lists.rows.values() for r in rows if r.get("氏名")]
    truth = {f"{agency_of[r['list']]}:{r['case_id']}": r["person_id"] for r in lists.truth}
    yield store, system, truth, names
    store.close()
    demo.close()
    system.close()


def _ctx(p: Principal = ADMIN) -> AccessContext:
    return AccessContext(TOWN, p, None)


@pytest.fixture(scope="module")
def first_run(env, tmp_path_factory):  # type: ignore[no-untyped-def]
    store, system, _truth, _names = env
    handler_records: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            handler_records.append(record)

    h = Keep(level=logging.DEBUG)
    root = logging.getLogger()
    old = root.level
    root.addHandler(h)
    root.setLevel(logging.DEBUG)
    try:
        summary = Linkage(store, system).run(
            _ctx(COORD), "support_meeting", "第3回支援会議 (2026-12-01)", today=REFERENCE_DATE
        )
    finally:
        root.removeHandler(h)
        root.setLevel(old)
    return summary, handler_records


def test_a_run_records_its_basis_and_who_ran_it(env, first_run) -> None:  # type: ignore[no-untyped-def]
    _store, system, _t, _n = env
    summary, _ = first_run
    runs = system.linkage.runs(TOWN)
    assert runs[0].run_id == summary.run_id
    assert (runs[0].basis, runs[0].reference, runs[0].key_id, runs[0].role) == (
        "支援会議", "第3回支援会議 (2026-12-01)", "k-coord", "coordinator",
    )  # fmt: skip
    assert runs[0].figures["records"] == summary.figures["records"] > 100
    assert [b for b in runs[0].figures["blocking"] if b[1] > 0]  # the blocking rules' comparison counts
    audit = [e for e in system.audit.query(town=TOWN) if e.action == "linkage.run"]
    assert audit and audit[-1].record_ids == [summary.run_id] and audit[-1].key_id == "k-coord"


def test_linked_clusters_are_persons_with_their_rows_and_agencies(env, first_run) -> None:  # type: ignore[no-untyped-def]
    store, system, truth, _n = env
    records = list(store.iter_nodes(NodeLabel.CASELIST_RECORD))
    ident = list(store.iter_rels(RelType.IDENTIFIED_AS))
    assert len(ident) == len(records)  # every row belongs to exactly one person
    assert Counter(r.dst.id for r in ident).most_common(1)[0][1] == 1
    persons = [n for n in store.iter_nodes(NodeLabel.PERSON)]
    assert {r.src.id for r in ident} == {p.id for p in persons}
    by_id = {n.id: n for n in records}
    sup = {(r.src.id, r.dst.id) for r in store.iter_rels(RelType.SUPPORTED_BY)}
    for r in ident:
        assert (r.src.id, str(by_id[r.dst.id].props["agency_id"])) in sup
        assert r.props.get("basis") == "支援会議"
    members = list(store.iter_rels(RelType.MEMBER_OF))
    assert len(members) == len(persons)
    # better than no linking at all, and no person merges two true persons often
    from linkage.evaluate import pair_scores

    state = system.linkage.state(TOWN)
    assert state is not None
    s = pair_scores({u: c[0] for u, c in state[1].items()}, truth)
    assert s.precision > 0.97 and s.recall > 0.6


def test_gap_analysis_runs_on_linked_data_unchanged(env, first_run) -> None:  # type: ignore[no-untyped-def]
    from graphsvc.analysis import analyse_all
    from graphsvc.analysis.missing_links import missing_links

    store, *_ = env
    G = store.projection()
    analyse_all(G)
    ml = missing_links(G)
    assert ml.pairs_sharing > 0  # agencies sharing linked households are found


def test_names_never_reach_a_log_line(env, first_run) -> None:  # type: ignore[no-untyped-def]
    _store, _system, _t, names = env
    _, records = first_run
    text = "\n".join(r.getMessage() for r in records)
    assert "linkage run" in text
    for n in names:
        assert n not in text


@pytest.mark.parametrize("role", [Role.MULTIAGENCY, Role.COMMUNITY, Role.CASE_SYSTEM])
def test_other_roles_may_not_run_or_see_the_queue(env, first_run, role: Role) -> None:  # type: ignore[no-untyped-def]
    store, system, *_ = env
    svc = Linkage(store, system)
    ctx = _ctx(Principal("k-x", "x", role, towns=(TOWN,)))
    q = system.linkage.state(TOWN)
    assert q is not None and q[2]
    a, b = q[2][0].a, q[2][0].b
    for call in (
        lambda: svc.run(ctx, "consent", "同意書", today=REFERENCE_DATE),
        lambda: svc.queue(ctx),
        lambda: svc.pair(ctx, a, b),
        lambda: svc.decide(ctx, a, b, "accept"),
        lambda: svc.runs(ctx),
    ):
        with pytest.raises(AccessDenied):
            call()


def test_a_run_needs_a_basis_and_a_reference(env) -> None:  # type: ignore[no-untyped-def]
    store, system, *_ = env
    svc = Linkage(store, system)
    with pytest.raises(DomainValidationError) as e:
        svc.run(_ctx(), "because", "x")
    assert e.value.problems[0].field == "basis"
    with pytest.raises(DomainValidationError) as e:
        svc.run(_ctx(), "同意", "  ")
    assert e.value.problems[0].field == "reference"


def _person_of(system: SystemDB, uid: str) -> str:
    state = system.linkage.state(TOWN)
    assert state is not None
    return state[1][uid][0]


def test_review_pair_shows_both_rows_and_the_models_levels(env, first_run) -> None:  # type: ignore[no-untyped-def]
    store, system, *_ = env
    svc = Linkage(store, system)
    queue = svc.queue(_ctx(COORD))
    assert queue
    p, _d = queue[0]
    v = svc.pair(_ctx(COORD), p.b, p.a)  # either order
    assert (v.a.uid, v.b.uid) == (p.a, p.b)
    assert set(v.levels) == {"name", "birth", "sex", "contact"}
    assert all(ja for _lv, ja in v.levels.values())
    assert v.a.fields and v.a.fields[0][1]  # the row as it came
    assert 0 <= v.probability <= 1 and v.reason == p.reason
    with pytest.raises(NotFound):
        svc.pair(_ctx(), p.a, "nope:1")


def test_accept_merges_undo_restores_and_a_rerun_keeps_decisions(env, first_run) -> None:  # type: ignore[no-untyped-def]
    store, system, *_ = env
    svc = Linkage(store, system)
    queue = [q for q, d in svc.queue(_ctx()) if _person_of(system, q.a) != _person_of(system, q.b)]
    assert len(queue) >= 2
    acc, rej = queue[0], queue[1]
    n_persons = len(list(store.iter_nodes(NodeLabel.PERSON)))
    svc.decide(_ctx(COORD), acc.a, acc.b, "accept", note="同じ住所と電話")
    assert _person_of(system, acc.a) == _person_of(system, acc.b)
    assert len(list(store.iter_nodes(NodeLabel.PERSON))) < n_persons
    assert (acc.a, acc.b) not in {(q.a, q.b) for q, _ in svc.queue(_ctx())}
    # unsure keeps the pair in the queue, marked
    svc.decide(_ctx(), rej.a, rej.b, "unsure")
    assert any((q.a, q.b) == (rej.a, rej.b) and d and d.decision == "unsure" for q, d in svc.queue(_ctx()))
    svc.decide(_ctx(), rej.a, rej.b, "reject")
    # a re-run honours both decisions
    svc.run(_ctx(), "支援会議", "第4回支援会議 (2026-12-15)", today=REFERENCE_DATE)
    assert _person_of(system, acc.a) == _person_of(system, acc.b)
    assert _person_of(system, rej.a) != _person_of(system, rej.b)
    queued = {(q.a, q.b) for q, _ in svc.queue(_ctx())}
    assert (acc.a, acc.b) not in queued and (rej.a, rej.b) not in queued
    # undo of the accept restores both persons
    svc.decide(_ctx(), acc.a, acc.b, "undo")
    assert _person_of(system, acc.a) != _person_of(system, acc.b)
    for uid in (acc.a, acc.b):
        pid = _person_of(system, uid)
        rels = store.relationships(
            NodeRef(NodeLabel.PERSON, pid), types=[RelType.IDENTIFIED_AS], direction="out"
        )
        assert rels
    hist = system.linkage.history(TOWN, acc.a, acc.b)
    assert [d.decision for d in hist] == ["accept", "undo"] and hist[0].note == "同じ住所と電話"
    actions = [e.action for e in system.audit.query(town=TOWN)]
    for a in (
        "linkage.decide.accept",
        "linkage.decide.reject",
        "linkage.decide.unsure",
        "linkage.decide.undo",
    ):
        assert a in actions
    with pytest.raises(ConflictError):
        svc.decide(_ctx(), acc.a, acc.b, "undo")  # nothing left to undo: the pair's state (409)
    with pytest.raises(DomainValidationError):
        svc.decide(_ctx(), acc.a, acc.b, "merge")


def test_decisions_are_append_only(env) -> None:  # type: ignore[no-untyped-def]
    import sqlite3

    _store, system, *_ = env
    conn = sqlite3.connect(system.path)
    with pytest.raises(sqlite3.DatabaseError, match="追記のみ"):
        conn.execute("UPDATE linkage_decisions SET decision = 'accept'")
    with pytest.raises(sqlite3.DatabaseError, match="追記のみ"):
        conn.execute("DELETE FROM linkage_decisions")
    conn.close()
