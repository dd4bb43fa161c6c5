"""Property values between the port (plain ``Props``) and Neo4j (with temporal values).

Fields that the domain records declare as ``date`` (a case's ``opened``/``closed``, a tie's ``since``, a
placement's ``start`` …) travel through the port as ISO text (``"2024-04-01"``) but are stored in Neo4j as
``date`` values, so that Cypher can compare and compute with them (``r.since < date() - duration('P1Y')``).
A text that is not exactly an ISO date stays text. On the way out every Neo4j temporal value becomes ISO text
again, so a round trip gives back what was written. The node modification time (``_modified``) is a ``datetime``
in UTC.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Mapping
from datetime import UTC, date, datetime
from functools import cache
from typing import Any

from neo4j.time import Date, DateTime

from graphsvc.domain.enums import NodeLabel, RelType
from graphsvc.domain.records import NODE_MODELS, REL_SPECS

__all__ = ["date_fields", "from_store", "modified_from_store", "to_store"]


def _is_date(annotation: Any) -> bool:
    if annotation is date:
        return True
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType, list):
        return any(_is_date(a) for a in typing.get_args(annotation))
    return False


@cache
def date_fields(kind: NodeLabel | RelType) -> frozenset[str]:
    """Names of the properties of a label's or a relationship type's record that hold dates."""
    model = (
        NODE_MODELS[kind].model_fields if isinstance(kind, NodeLabel) else REL_SPECS[kind].props.model_fields
    )
    return frozenset(name for name, f in model.items() if _is_date(f.annotation))


def _as_date(value: Any) -> Any:
    if isinstance(value, str):
        try:
            parsed = date.fromisoformat(value)
        except ValueError:
            return value
        return parsed if parsed.isoformat() == value else value
    if isinstance(value, list):
        return [_as_date(v) for v in value]
    return value


def to_store(kind: NodeLabel | RelType, props: Mapping[str, Any]) -> dict[str, Any]:
    """Port properties → Neo4j parameters: ISO dates of date fields become ``date`` values."""
    fields = date_fields(kind)
    return {k: _as_date(v) if k in fields else v for k, v in props.items()}


def from_store(value: Any) -> Any:
    """A Neo4j value → a port value: temporal values to ISO text (lists element by element)."""
    if isinstance(value, Date | date):
        return value.isoformat()
    if isinstance(value, DateTime):
        return value.to_native().isoformat()
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, list):
        return [from_store(v) for v in value]
    return value


def modified_from_store(value: Any) -> datetime | None:
    """The stored modification time → an aware UTC ``datetime`` (``None`` when unknown). Nodes written by the
    adapter before it stored a ``datetime`` hold ISO text: that is read too."""
    if isinstance(value, DateTime):
        value = value.to_native()
    if isinstance(value, datetime):
        return (value if value.tzinfo is not None else value.replace(tzinfo=UTC)).astimezone(UTC)
    if isinstance(value, str) and value:
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            return None
        return (parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)).astimezone(UTC)
    return None
