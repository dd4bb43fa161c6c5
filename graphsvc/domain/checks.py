"""Checks a record must pass beyond its own model, registered by the composition root.

The domain cannot import the packages that know more (``matching`` knows what a participation profile is), so
they are wired in here: :mod:`graphsvc.bootstrap` registers ``matching``'s profile check for persons, and every
path that writes a record (the records service, the loaders' contract, the HSDS import) asks
:func:`problems` before writing. A check returns located problems (Japanese first); none means the record passes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from graphsvc.domain.enums import NodeLabel
from graphsvc.domain.errors import Problem
from graphsvc.domain.records import NodeRecord

__all__ = ["RecordCheck", "problems", "register"]

RecordCheck = Callable[..., list[Problem]]
"""``check(record, **where) -> problems``; ``where`` holds file, row and columns when the record came from one."""

_CHECKS: dict[NodeLabel, list[RecordCheck]] = {}


def register(label: NodeLabel, check: RecordCheck) -> None:
    """Add a check for records of ``label`` (registering the same check twice keeps one)."""
    checks = _CHECKS.setdefault(label, [])
    if check not in checks:
        checks.append(check)


def problems(record: NodeRecord, **where: Any) -> list[Problem]:
    """Every registered check's problems for ``record`` (empty when it passes or nothing is registered)."""
    out: list[Problem] = []
    for check in _CHECKS.get(NodeLabel(record.label), []):
        out.extend(check(record, **where))
    return out
