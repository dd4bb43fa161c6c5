"""The ``GraphStore`` port: what the services need from wherever the town graph lives.

A store holds one town. Nodes are keyed by (label, external id); a relationship by (type, source, target), so
every write is an upsert and loading the same rows twice changes nothing. :meth:`GraphStore.write` applies a
:class:`WriteBatch` atomically: a batch that fails half-way writes nothing.

Adapters: :mod:`graphsvc.store.embedded` (SQLite, the default) and :mod:`graphsvc.store.neo4j` (Bolt).
Both are proved by the contract suite in ``tests/integration/store/test_contract.py``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal, Protocol, runtime_checkable

import networkx as nx

from graphsvc.domain.codec import Prop, Props
from graphsvc.domain.enums import NodeLabel, RelType

__all__ = [
    "Counts",
    "DeleteResult",
    "Direction",
    "GraphStore",
    "NodeRef",
    "NodeRow",
    "RelRow",
    "Subgraph",
    "WriteBatch",
    "WriteResult",
    "node_key",
]

Direction = Literal["out", "in", "both"]


@dataclass(frozen=True, order=True)
class NodeRef:
    label: NodeLabel
    id: str

    def __str__(self) -> str:
        return node_key(self.label, self.id)


def node_key(label: NodeLabel | str, id_: str) -> str:
    """The key of a node in projections: ``"Household:H-0001"``."""
    return f"{NodeLabel(label).value}:{id_}"


@dataclass(frozen=True)
class NodeRow:
    """A node: its key and its properties (exactly the record's fields).

    ``modified`` is when the store last saw the node's properties change (timezone-aware UTC): set by the store
    when the node is created and by every upsert that changes ``props``, never by one that leaves them equal.
    ``None`` when unknown (a node written before the store kept times) and on rows built for writing: a store
    ignores it on the way in. It is not a property and takes no part in equality (two rows with the same key
    and properties are equal whatever their times).
    """

    label: NodeLabel
    id: str
    props: Props
    modified: datetime | None = field(default=None, compare=False)

    @property
    def ref(self) -> NodeRef:
        return NodeRef(self.label, self.id)


@dataclass(frozen=True)
class RelRow:
    type: RelType
    src: NodeRef
    dst: NodeRef
    props: Props = field(default_factory=dict)


@dataclass
class WriteBatch:
    """Writes applied together, in this order: node upserts, relationship upserts, relationship deletes,
    node deletes (``detach`` removes a node's relationships too)."""

    nodes: list[NodeRow] = field(default_factory=list)
    rels: list[RelRow] = field(default_factory=list)
    delete_rels: list[tuple[RelType, NodeRef, NodeRef]] = field(default_factory=list)
    delete_nodes: list[NodeRef] = field(default_factory=list)
    detach: bool = False

    def __len__(self) -> int:
        return len(self.nodes) + len(self.rels) + len(self.delete_rels) + len(self.delete_nodes)


@dataclass
class WriteResult:
    nodes_created: int = 0
    nodes_updated: int = 0
    rels_created: int = 0
    rels_updated: int = 0
    nodes_deleted: int = 0
    rels_deleted: int = 0

    def __iadd__(self, other: WriteResult) -> WriteResult:
        for k in self.__dataclass_fields__:
            setattr(self, k, getattr(self, k) + getattr(other, k))
        return self


@dataclass(frozen=True)
class DeleteResult:
    nodes: int
    rels: int


@dataclass
class Counts:
    nodes: dict[str, int]
    rels: dict[str, int]

    @property
    def total_nodes(self) -> int:
        return sum(self.nodes.values())

    @property
    def total_rels(self) -> int:
        return sum(self.rels.values())


@dataclass
class Subgraph:
    nodes: list[NodeRow]
    rels: list[RelRow]


@runtime_checkable
class GraphStore(Protocol):
    """One town's graph. Implementations must be safe to call from several threads."""

    town: str

    # -- writes
    def write(self, batch: WriteBatch) -> WriteResult:
        """Apply the batch atomically. Raises ``EndpointMissingError`` if a relationship names a node that is
        neither stored nor in the batch, ``NodeHasRelationshipsError`` on a plain delete of a connected node;
        in both cases nothing is written."""
        ...

    def upsert_nodes(self, label: NodeLabel, rows: Iterable[Props]) -> WriteResult: ...

    def upsert_rels(self, rows: Iterable[RelRow]) -> WriteResult: ...

    def delete_node(self, ref: NodeRef, *, detach: bool = False) -> DeleteResult: ...

    def delete_rel(self, rel_type: RelType, src: NodeRef, dst: NodeRef) -> bool: ...

    def clear(self) -> None:
        """Remove every node and relationship of this town."""
        ...

    # -- reads
    def get_node(self, ref: NodeRef) -> NodeRow | None: ...

    def get_nodes(self, label: NodeLabel, ids: Sequence[str]) -> list[NodeRow]: ...

    def find_nodes(
        self,
        label: NodeLabel,
        where: Mapping[str, Prop] | None = None,
        *,
        limit: int | None = None,
        offset: int = 0,
    ) -> list[NodeRow]:
        """Nodes of a label whose properties equal ``where`` (scalars; a list property matches if it contains
        the value), ordered by id."""
        ...

    def iter_nodes(self, label: NodeLabel) -> Iterator[NodeRow]: ...

    def iter_rels(self, rel_type: RelType) -> Iterator[RelRow]: ...

    def relationships(
        self, ref: NodeRef, *, types: Sequence[RelType] | None = None, direction: Direction = "both"
    ) -> list[RelRow]: ...

    def neighbourhood(
        self, ref: NodeRef, *, depth: int = 1, types: Sequence[RelType] | None = None
    ) -> Subgraph:
        """The node, every node within ``depth`` hops (either direction), and the relationships among them."""
        ...

    def counts(self) -> Counts: ...

    def projection(
        self, labels: Sequence[NodeLabel] | None = None, rel_types: Sequence[RelType] | None = None
    ) -> nx.MultiDiGraph:
        """The town as a networkx graph: nodes keyed ``"Label:id"`` with ``label``, ``id`` and the properties
        as attributes; edges keyed by relationship type with ``type`` and the properties."""
        ...

    def ping(self) -> None:
        """Raise ``StoreUnavailableError`` when the store cannot be reached."""
        ...

    def revision(self) -> int | None:
        """A number that changes whenever this town's data changes (any process), for caches of derived data;
        ``None`` when the store cannot tell (then callers must not cache)."""
        ...

    def close(self) -> None: ...
