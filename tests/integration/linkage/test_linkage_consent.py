"""A run under 本人同意 links only the rows whose list says the person agreed to sharing (a consent column such
as 「情報共有の同意」: 有/無); the others stay out of the linked graph, counted per agency in the run's figures, also
after a reviewer's decision re-clusters. Lists with no consent column cannot be linked under consent (409), and
under 支援会議 (art. 106-6) every row is linked."""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path

import pytest

from graphsvc.access.context import AccessContext
from graphsvc.access.principals import Principal, Role
from graphsvc.access.system import SystemDB
from graphsvc.domain.enums import NodeLabel, RelType
from graphsvc.domain.errors import ConflictError
from graphsvc.services.demo import _agency_of_list, _resource_batch
from graphsvc.services.linkage import Linkage, consent_column, consented
from graphsvc.store.embedded import EmbeddedStore
from graphsvc.store.port import GraphStore, NodeRef, NodeRow
from linkage.synth import REFERENCE_DATE, generate_lists

TOWN = "consenttown"
ADMIN = Principal("k-admin", "管理者", Role.ADMIN)
# how each list writes its consent column (some lists have none)
CONSENT_COLUMNS = {0: ("情報共有の同意", "有", "無"), 1: ("同意の有無", "○", "×"), 2: ("本人同意", "済", "")}


@pytest.fixture(scope="module")
def env(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[GraphStore, SystemDB, dict[str, str], Path]]:
    from loaders.demo import build_town, get_spec

    root = tmp_path_factory.mktemp("linkage-consent")
    demo = EmbeddedStore(root / "demo.sqlite3", "demo", synchronous="NORMAL")
    build_town(demo, get_spec("toba", 250), seed=2, households=250)
    store = EmbeddedStore(root / f"{TOWN}.sqlite3", TOWN, synchronous="NORMAL")
    store.write(_resource_batch(demo))
    system = SystemDB.open(root / "system.sqlite3")
    lists = generate_lists("toba", seed=2, households=250)
    rng = random.Random(7)
    expected: dict[str, str] = {}  # record id → "yes" / "no" / "none" (no column)
    keys = sorted(lists.rows)
    agency_of = _agency_of_list(store, keys)
    for i, key in enumerate(keys):
        col = CONSENT_COLUMNS.get(i)
        for row in lists.rows[key]:
            uid = f"{agency_of[key]}:{row[next(iter(row))]}" if key in agency_of else ""
            if col is None:
                expected[uid] = "none"
                continue
            yes = rng.random() < 0.8
            row[col[0]] = col[1] if yes else col[2]
            expected[uid] = "yes" if yes else "no"
    paths = lists.write(root / "lists")
    svc = Linkage(store, system)
    for key, agency in agency_of.items():
        svc.load_caselist(AccessContext(TOWN, ADMIN, None), agency, paths[key])
    yield store, system, expected, root
    store.close()
    demo.close()
    system.close()


def _linked_rows(store: GraphStore) -> set[str]:
    """The caselist rows some linked person is IDENTIFIED_AS."""
    out = set()
    for r in store.iter_rels(RelType.IDENTIFIED_AS):
        row = store.get_node(r.dst)
        assert row is not None
        out.add(f"{row.props['agency_id']}:{str(row.props['case_id']).strip()}")
    return out


def test_consent_cells_are_read_as_a_coordinator_writes_them() -> None:
    def row(headers: list[str], cells: list[str]) -> NodeRow:
        return NodeRow(NodeLabel.CASELIST_RECORD, "x", {"headers": headers, "cells": cells})

    assert consent_column(["氏名", "情報共有 の同意"]) == 1 and consent_column(["ＣＯＮＳＥＮＴ"]) == 0
    assert consent_column(["氏名", "住所"]) is None
    for yes in ("有", "あり", "済", "同意済み", "○", "〇", "はい", "1", "１", "Yes", " 有 "):
        assert consented(row(["同意"], [yes])) is True, yes
    for no in ("無", "なし", "未", "拒否", "×", "0", "", "不明", "同意しない"):
        assert consented(row(["同意"], [no])) is False, no
    assert consented(row(["同意", "氏名"], ["有"])) is True  # a short row keeps its cells
    assert consented(row(["氏名", "同意"], ["山田"])) is False  # the consent cell is missing: no
    assert consented(row(["氏名"], ["山田"])) is None


def test_under_consent_only_the_rows_that_agreed_are_linked(env) -> None:  # type: ignore[no-untyped-def]
    store, system, expected, _root = env
    summary = Linkage(store, system).run(
        AccessContext(TOWN, ADMIN, None), "consent", "同意書 2026-101〜", today=REFERENCE_DATE
    )
    linked = _linked_rows(store)
    agreed = {u for u, v in expected.items() if v == "yes"}
    assert linked == agreed
    withheld = summary.figures["withheld_no_consent"]
    assert sum(withheld.values()) == sum(1 for v in expected.values() if v != "yes")
    assert summary.figures["records"] == len(agreed)
    # a decision re-clusters with the same rows: none of the withheld comes back
    two = next(
        rows
        for n in store.iter_nodes(NodeLabel.PERSON)
        if len(rows := [r.dst.id for r in store.relationships(n.ref, types=[RelType.IDENTIFIED_AS])]) >= 2
    )
    a, b = (f"{store.get_node(r).props['agency_id']}:{store.get_node(r).props['case_id']}" for r in [  # type: ignore[union-attr]
        NodeRef(NodeLabel.CASELIST_RECORD, two[0]), NodeRef(NodeLabel.CASELIST_RECORD, two[1])
    ])  # fmt: skip
    Linkage(store, system).decide(AccessContext(TOWN, ADMIN, None), a, b, "reject")
    assert _linked_rows(store) == agreed


def test_under_the_support_meeting_every_row_is_linked(env) -> None:  # type: ignore[no-untyped-def]
    store, system, expected, _root = env
    summary = Linkage(store, system).run(
        AccessContext(TOWN, ADMIN, None), "支援会議", "第5回支援会議", today=REFERENCE_DATE
    )
    assert _linked_rows(store) == set(expected)
    assert "withheld_no_consent" not in summary.figures


def test_lists_without_a_consent_column_cannot_be_linked_under_consent(tmp_path: Path) -> None:
    from loaders.demo import build_town, get_spec

    demo = EmbeddedStore(tmp_path / "demo.sqlite3", "demo", synchronous="NORMAL")
    build_town(demo, get_spec("toba", 60), seed=4, households=60)
    store = EmbeddedStore(tmp_path / "t.sqlite3", "t", synchronous="NORMAL")
    store.write(_resource_batch(demo))
    system = SystemDB.open(tmp_path / "system.sqlite3")
    try:
        lists = generate_lists("toba", seed=4, households=60)
        paths = lists.write(tmp_path / "lists")
        svc = Linkage(store, system)
        ctx = AccessContext("t", ADMIN, None)
        for key, agency in _agency_of_list(store, list(lists.rows)).items():
            svc.load_caselist(ctx, agency, paths[key])
        before = store.counts()
        with pytest.raises(ConflictError) as e:
            svc.run(ctx, "同意", "同意書", today=REFERENCE_DATE)
        p = e.value.problems[0]
        assert p.field == "basis" and "同意の列" in p.message_ja
        assert store.counts() == before and system.linkage.runs("t") == []
    finally:
        store.close()
        demo.close()
        system.close()
