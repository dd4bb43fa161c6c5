"""The embedded store's modification times: the ``nodes.modified`` column, its text form, and the migration of
a schema-1 file (made here with the old ``CREATE TABLE`` statements) to schema 2."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from graphsvc.domain.enums import NodeLabel, RelType
from graphsvc.domain.errors import EndpointMissingError, StoreUnavailableError
from graphsvc.store.common import format_modified, parse_modified
from graphsvc.store.embedded import SCHEMA_VERSION, EmbeddedStore
from graphsvc.store.port import NodeRef, NodeRow, RelRow, WriteBatch

H, P = NodeLabel.HOUSEHOLD, NodeLabel.PERSON

# The schema of version 1, verbatim (before nodes had a modified column).
_SCHEMA_V1 = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS nodes (
    label TEXT NOT NULL,
    id    TEXT NOT NULL,
    props TEXT NOT NULL,
    PRIMARY KEY (label, id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS rels (
    type      TEXT NOT NULL,
    src_label TEXT NOT NULL,
    src_id    TEXT NOT NULL,
    dst_label TEXT NOT NULL,
    dst_id    TEXT NOT NULL,
    props     TEXT NOT NULL,
    PRIMARY KEY (type, src_label, src_id, dst_label, dst_id),
    FOREIGN KEY (src_label, src_id) REFERENCES nodes (label, id),
    FOREIGN KEY (dst_label, dst_id) REFERENCES nodes (label, id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS rels_by_src ON rels (src_label, src_id, type);
CREATE INDEX IF NOT EXISTS rels_by_dst ON rels (dst_label, dst_id, type);
"""


def _v1_file(path: Path) -> None:
    conn = sqlite3.connect(path)
    with conn:
        conn.executescript(_SCHEMA_V1)
        conn.executemany(
            "INSERT INTO meta VALUES (?, ?)", [("schema_version", "1"), ("town", "old"), ("revision", "7")]
        )
        conn.executemany(
            "INSERT INTO nodes VALUES (?, ?, ?)",
            [
                ("Household", "H1", '{"id":"H1","size":2}'),
                ("Person", "P1", '{"id":"P1","name":"山田 花子"}'),
                ("Person", "P2", '{"id":"P2","name":"山田 太郎"}'),
            ],
        )
        conn.execute(
            "INSERT INTO rels VALUES ('MEMBER_OF', 'Person', 'P1', 'Household', 'H1', '{\"role\":\"本人\"}')"
        )
    conn.close()


def _meta(path: Path) -> dict[str, str]:
    conn = sqlite3.connect(path)
    try:
        return dict(conn.execute("SELECT key, value FROM meta").fetchall())
    finally:
        conn.close()


def _columns(path: Path) -> list[str]:
    conn = sqlite3.connect(path)
    try:
        return [r[1] for r in conn.execute("PRAGMA table_info(nodes)")]
    finally:
        conn.close()


def test_new_file_is_schema_2_with_a_modified_column(tmp_path: Path) -> None:
    path = tmp_path / "new.sqlite"
    EmbeddedStore(path, "new").close()
    assert SCHEMA_VERSION == "2"
    assert _meta(path)["schema_version"] == "2"
    assert _columns(path) == ["label", "id", "props", "modified"]


def test_version_1_file_migrates_keeping_every_row(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite"
    _v1_file(path)
    assert "modified" not in _columns(path)
    with EmbeddedStore(path, "old") as store:
        assert _columns(path) == ["label", "id", "props", "modified"]
        assert _meta(path) == {"schema_version": "2", "town": "old", "revision": "7"}
        assert store.counts().nodes == {"Household": 1, "Person": 2}
        h1 = store.get_node(NodeRef(H, "H1"))
        assert h1 is not None and h1.props == {"id": "H1", "size": 2} and h1.modified is None
        assert all(n.modified is None for n in store.iter_nodes(P))
        assert [(r.src.id, r.dst.id, r.props) for r in store.iter_rels(RelType.MEMBER_OF)] == [
            ("P1", "H1", {"role": "本人"})
        ]

        # an unchanged upsert leaves the time unknown; a change or a new node gets one
        store.upsert_nodes(H, [{"id": "H1", "size": 2}])
        assert store.get_node(NodeRef(H, "H1")).modified is None  # type: ignore[union-attr]
        t0 = datetime.now(UTC)
        res = store.upsert_nodes(P, [{"id": "P1", "name": "山田 花子", "birth_year": 1940}, {"id": "P3"}])
        assert (res.nodes_created, res.nodes_updated) == (1, 1)
        p1, p2, p3 = store.get_nodes(P, ["P1", "P2", "P3"])
        assert p1.modified is not None and p1.modified >= t0 and p3.modified == p1.modified
        assert p2.modified is None
    # opening again changes nothing more
    with EmbeddedStore(path, "old") as store:
        assert _meta(path)["schema_version"] == "2"
        assert store.get_node(NodeRef(P, "P2")).modified is None  # type: ignore[union-attr]
        assert store.get_node(NodeRef(P, "P1")).modified == p1.modified  # type: ignore[union-attr]


def test_modified_is_stored_as_fixed_width_utc_text(tmp_path: Path) -> None:
    path = tmp_path / "t.sqlite"
    with EmbeddedStore(path, "t") as store:
        store.upsert_nodes(H, [{"id": "H1"}, {"id": "H2"}])
        conn = sqlite3.connect(path)
        try:
            texts = [r[0] for r in conn.execute("SELECT modified FROM nodes ORDER BY id")]
        finally:
            conn.close()
        assert len(set(texts)) == 1  # one batch, one time
        text = texts[0]
        assert len(text) == len("2025-04-01T00:00:00.000000+00:00") and text.endswith("+00:00")
        assert parse_modified(text) == store.get_node(NodeRef(H, "H1")).modified  # type: ignore[union-attr]


def test_failed_batch_leaves_times_alone(tmp_path: Path) -> None:
    with EmbeddedStore(tmp_path / "t.sqlite", "t") as store:
        store.upsert_nodes(H, [{"id": "H1", "size": 1}])
        before = store.get_node(NodeRef(H, "H1"))
        with pytest.raises(EndpointMissingError):  # the source is missing: nothing is written
            store.write(
                WriteBatch(
                    nodes=[NodeRow(H, "H1", {"id": "H1", "size": 2})],
                    rels=[RelRow(RelType.MEMBER_OF, NodeRef(P, "NOPE"), NodeRef(H, "H1"))],
                )
            )
        after = store.get_node(NodeRef(H, "H1"))
        assert after is not None and before is not None
        assert (after.props, after.modified) == (before.props, before.modified)


def test_format_and_parse() -> None:
    when = datetime(2025, 3, 31, 23, 59, 59, 5, tzinfo=UTC)
    assert format_modified(when) == "2025-03-31T23:59:59.000005+00:00"
    assert parse_modified(format_modified(when)) == when
    assert parse_modified(None) is None and parse_modified("") is None and parse_modified("yesterday") is None
    assert parse_modified("2025-04-01T09:00:00+09:00") == datetime(2025, 4, 1, tzinfo=UTC)


def test_a_file_from_a_newer_version_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "t.sqlite"
    EmbeddedStore(path, "t").close()
    with sqlite3.connect(path) as raw:
        raw.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    raw.close()
    with pytest.raises(StoreUnavailableError, match="newer tsunagari"):
        EmbeddedStore(path, "t")
    with sqlite3.connect(path) as raw:
        assert raw.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone() == ("99",)
    raw.close()
