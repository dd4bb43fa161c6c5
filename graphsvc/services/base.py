"""What every use case shares: the town's store, the system database, the policy and the audit log."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from graphsvc.access.context import AccessContext
from graphsvc.access.policy import Policy
from graphsvc.access.system import SystemDB
from graphsvc.store.port import GraphStore

__all__ = ["Listing", "UseCase"]

T = TypeVar("T")


class UseCase:
    """A group of use cases over one town's store; every method takes the caller's :class:`AccessContext`,
    checks the policy itself and writes its own audit entries."""

    def __init__(self, store: GraphStore, system: SystemDB):
        self.store = store
        self.system = system
        self.policy = Policy(system.consents, system.ownership)

    def audit(
        self, ctx: AccessContext, action: str, kind: str | None, ids: Sequence[str], *, status: int = 200
    ) -> None:
        self.system.audit.record(ctx, action, kind, ids, status=status)


@dataclass
class Listing(Generic[T]):
    """Everything a caller may see of a list, counted; :meth:`page` fetches one window and audits exactly what
    it returns (so a front door pages as it likes and the audit still says what was shown)."""

    total: int
    _fetch: Callable[[int, int], list[T]]
    _shown: Callable[[list[T]], None]

    def page(self, offset: int, limit: int) -> list[T]:
        items = self._fetch(offset, limit)
        self._shown(items)
        return items

    @classmethod
    def of(cls, items: list[T], shown: Callable[[list[T]], None]) -> Listing[T]:
        """A listing of items already in hand, in order."""
        return cls(len(items), lambda offset, limit: items[offset : offset + limit], shown)
