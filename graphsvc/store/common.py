"""What every adapter shares: batch checks against the relationship specs, and the networkx projection."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import networkx as nx

from graphsvc.domain.codec import Props
from graphsvc.domain.enums import NodeLabel, RelType
from graphsvc.domain.errors import DomainValidationError, NodeHasRelationshipsError, Problem
from graphsvc.domain.records import REL_SPECS
from graphsvc.store.port import DeleteResult, NodeRef, NodeRow, RelRow, WriteBatch, WriteResult, node_key

__all__ = [
    "MODIFIED_PROP",
    "StoreMixin",
    "build_projection",
    "check_batch",
    "format_modified",
    "has_rels_error",
    "is_valid_prop",
    "nodes_of",
    "parse_modified",
    "within_hops",
]

MODIFIED_PROP = "_modified"
"""The reserved property under which a graph database adapter keeps a node's modification time (no record field
starts with ``_``; a batch naming it is rejected), stripped from ``props`` on the way out."""


def format_modified(when: datetime) -> str:
    """A modification time as stored: ISO 8601 in UTC with microseconds, fixed width so that text order is time
    order (``2025-04-01T00:00:00.000000+00:00``)."""
    return when.astimezone(UTC).isoformat(timespec="microseconds")


def parse_modified(text: object) -> datetime | None:
    """A stored modification time back to an aware UTC datetime; ``None`` for a missing or unreadable one."""
    if not isinstance(text, str) or not text:
        return None
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        return None
    return (when if when.tzinfo is not None else when.replace(tzinfo=UTC)).astimezone(UTC)


_SCALARS = (str, int, float, bool)


def is_valid_prop(value: object) -> bool:
    if type(value) in _SCALARS:
        return True
    if isinstance(value, list) and value:
        kinds = {type(v) for v in value}
        return len(kinds) == 1 and next(iter(kinds)) in (str, int, float, bool)
    return False


def check_batch(batch: WriteBatch) -> None:
    """Reject what no store may hold: a relationship between labels its type does not join, a property that
    is not a primitive or a list of one primitive type, a duplicate key inside the batch."""
    problems: list[Problem] = []
    seen: set[tuple[str, str]] = set()
    for i, n in enumerate(batch.nodes):
        key = (n.label.value, n.id)
        if key in seen:
            problems.append(
                Problem(
                    f"IDが重複しています: {n.id}", f"duplicate id in batch: {n.id}", field="id", row=i + 1
                )
            )
        seen.add(key)
        if n.props.get("id") not in (None, n.id):
            problems.append(
                Problem("IDが一致しません", "id property differs from key", field="id", row=i + 1)
            )
        for k, v in n.props.items():
            if type(v) not in _SCALARS and not is_valid_prop(v):
                problems.append(
                    Problem(
                        f"保存できない値です: {k}", f"unsupported property value: {k}", field=k, row=i + 1
                    )
                )
        if MODIFIED_PROP in n.props:
            problems.append(
                Problem(
                    f"{MODIFIED_PROP} は予約された名前です (更新日時は保存先が記録します)",
                    f"{MODIFIED_PROP} is reserved: the store records the modification time itself",
                    field=MODIFIED_PROP,
                    row=i + 1,
                )
            )
    for i, r in enumerate(batch.rels):
        spec = REL_SPECS[r.type]
        if r.src.label not in spec.sources or r.dst.label not in spec.targets:
            problems.append(
                Problem(
                    f"{r.type.value} は {r.src.label.value} → {r.dst.label.value} を結べません",
                    f"{r.type.value} cannot join {r.src.label.value} to {r.dst.label.value}",
                    field="type",
                    row=i + 1,
                )
            )
        for k, v in r.props.items():
            if type(v) not in _SCALARS and not is_valid_prop(v):
                problems.append(
                    Problem(
                        f"保存できない値です: {k}", f"unsupported property value: {k}", field=k, row=i + 1
                    )
                )
    if problems:
        raise DomainValidationError(problems)


def within_hops(
    ref: NodeRef, depth: int, incident: Callable[[Sequence[NodeRef]], list[RelRow]]
) -> tuple[set[NodeRef], list[RelRow]]:
    """Breadth-first: every node within ``depth`` hops of ``ref`` (either direction) and the relationships among
    them. ``incident(refs)`` returns the relationships touching any of ``refs`` (an adapter's one query)."""
    seen: set[NodeRef] = {ref}
    frontier = [ref]
    for _ in range(depth):
        nxt: list[NodeRef] = []
        for rel in incident(frontier):
            for end in (rel.src, rel.dst):
                if end not in seen:
                    seen.add(end)
                    nxt.append(end)
        frontier = nxt
        if not frontier:
            break
    rels = [r for r in incident(sorted(seen)) if r.src in seen and r.dst in seen]
    return seen, rels


def nodes_of(
    refs: Iterable[NodeRef], get_nodes: Callable[[NodeLabel, Sequence[str]], list[NodeRow]]
) -> list[NodeRow]:
    """The rows of ``refs``, fetched one label at a time with the adapter's ``get_nodes``."""
    by_label: dict[NodeLabel, list[str]] = {}
    for r in sorted(refs):
        by_label.setdefault(r.label, []).append(r.id)
    return [row for label, ids in by_label.items() for row in get_nodes(label, ids)]


def missing_end_problems(rels: Sequence[RelRow], exists: Callable[[NodeRef], bool]) -> list[Problem]:
    """One located problem per missing source or target of ``rels`` (rows 1-based), at most about 50: what every
    store answers when a relationship's end does not exist."""
    problems: list[Problem] = []
    for i, r in enumerate(rels):
        for end, ref in (("source", r.src), ("target", r.dst)):
            if not exists(ref):
                problems.append(
                    Problem(
                        f"関係 {r.type.value} の{'始点' if end == 'source' else '終点'} {ref} が存在しません",
                        f"{r.type.value} {end} {ref} does not exist",
                        field=end,
                        row=i + 1,
                        value=ref.id,
                    )
                )
        if len(problems) >= 50:
            break
    return problems


def has_rels_error(refs: Sequence[NodeRef]) -> NodeHasRelationshipsError:
    shown = ", ".join(str(r) for r in refs[:5])
    return NodeHasRelationshipsError(
        [
            Problem(
                f"関係が残っているため削除できません (関係ごと削除するには detach を指定): {shown}",
                f"node still has relationships; use a detach delete: {shown}",
                field="id",
            )
        ]
    )


def build_projection(
    nodes: Iterable[tuple[str, str, Mapping[str, Any]]],
    rels: Iterable[tuple[str, str, str, str, str, Mapping[str, Any]]],
) -> nx.MultiDiGraph:
    """Rows → ``MultiDiGraph``. ``nodes`` yields (label, id, props); ``rels`` yields
    (type, src_label, src_id, dst_label, dst_id, props)."""
    g = nx.MultiDiGraph()
    # node_key without an enum lookup per end (this runs for every node and relationship of a town)
    values: dict[str, str] = {x.value: x.value for x in NodeLabel}

    def key(lbl: str, id_: str) -> str:
        value = values.get(lbl)
        return f"{value}:{id_}" if value is not None else node_key(lbl, id_)

    node_list = [(key(lbl, i), {**p, "label": lbl, "id": i}) for lbl, i, p in nodes]
    present = {k for k, _ in node_list}
    g.add_nodes_from(node_list)
    edges: list[tuple[str, str, str, dict[str, Any]]] = []
    for t, sl, si, dl, di, p in rels:
        u, v = key(sl, si), key(dl, di)
        if u in present and v in present:
            edges.append((u, v, t, {**p, "type": t}))
    g.add_edges_from(edges)
    return g


class StoreMixin:
    """Convenience writes every adapter gets from its ``write``."""

    def write(self, batch: WriteBatch) -> WriteResult:  # pragma: no cover - provided by the adapter
        raise NotImplementedError

    def upsert_nodes(self, label: NodeLabel, rows: Iterable[Props]) -> WriteResult:
        label = NodeLabel(label)
        return self.write(WriteBatch(nodes=[NodeRow(label, str(r["id"]), dict(r)) for r in rows]))

    def upsert_rels(self, rows: Iterable[RelRow]) -> WriteResult:
        return self.write(WriteBatch(rels=list(rows)))

    def delete_node(self, ref: NodeRef, *, detach: bool = False) -> DeleteResult:
        res = self.write(WriteBatch(delete_nodes=[ref], detach=detach))
        return DeleteResult(nodes=res.nodes_deleted, rels=res.rels_deleted)

    def delete_rel(self, rel_type: RelType, src: NodeRef, dst: NodeRef) -> bool:
        return self.write(WriteBatch(delete_rels=[(RelType(rel_type), src, dst)])).rels_deleted > 0
