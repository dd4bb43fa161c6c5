"""Stores of the town graph: the ``GraphStore`` port and its adapters."""

from graphsvc.store.port import (
    Counts,
    DeleteResult,
    GraphStore,
    NodeRef,
    NodeRow,
    RelRow,
    Subgraph,
    WriteBatch,
    WriteResult,
    node_key,
)

__all__ = [
    "Counts",
    "DeleteResult",
    "GraphStore",
    "NodeRef",
    "NodeRow",
    "RelRow",
    "Subgraph",
    "WriteBatch",
    "WriteResult",
    "node_key",
]
