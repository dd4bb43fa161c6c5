"""Opening a town for a caller: the town line checked, the :class:`AccessContext` built, and the town's use
cases at hand (``t.records.upsert(t.ctx, …)``). Both front doors open towns here."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

from graphsvc.access.context import AccessContext
from graphsvc.access.policy import check_town
from graphsvc.access.principals import Principal
from graphsvc.access.system import SystemDB
from graphsvc.domain.consent import Purpose
from graphsvc.domain.errors import DomainValidationError, NotFound, Problem
from graphsvc.store.port import GraphStore

if TYPE_CHECKING:
    from graphsvc.bootstrap import Container
    from graphsvc.services.consent import ConsentService
    from graphsvc.services.development import ResourceDevelopment
    from graphsvc.services.gaps import GapService
    from graphsvc.services.households import HouseholdService
    from graphsvc.services.linkage import Linkage
    from graphsvc.services.maps import MapService
    from graphsvc.services.matching import Matching
    from graphsvc.services.placements import Placements
    from graphsvc.services.records import RecordService
    from graphsvc.services.ties import TieService

__all__ = ["Town", "open_town"]


@dataclass(frozen=True)
class Town:
    """A caller in one town: the access context, the town's store, the system database, the use cases."""

    ctx: AccessContext
    store: GraphStore
    system: SystemDB

    @cached_property
    def records(self) -> RecordService:
        from graphsvc.services.records import RecordService

        return RecordService(self.store, self.system)

    @cached_property
    def ties(self) -> TieService:
        from graphsvc.services.ties import TieService

        return TieService(self.store, self.system)

    @cached_property
    def consent(self) -> ConsentService:
        from graphsvc.services.consent import ConsentService

        return ConsentService(self.store, self.system)

    @cached_property
    def gaps(self) -> GapService:
        from graphsvc.services.gaps import GapService

        return GapService(self.store, self.system)

    @cached_property
    def households(self) -> HouseholdService:
        from graphsvc.services.households import HouseholdService

        return HouseholdService(self.store, self.system)

    @cached_property
    def matching(self) -> Matching:
        from graphsvc.services.matching import Matching

        return Matching(self.store, self.system)

    @cached_property
    def placements(self) -> Placements:
        from graphsvc.services.placements import Placements

        return Placements(self.store, self.system)

    @cached_property
    def development(self) -> ResourceDevelopment:
        from graphsvc.services.development import ResourceDevelopment

        return ResourceDevelopment(self.store, self.system)

    @cached_property
    def maps(self) -> MapService:
        from graphsvc.services.maps import MapService

        return MapService(self.store, self.system)

    @cached_property
    def linkage(self) -> Linkage:
        from graphsvc.services.linkage import Linkage

        return Linkage(self.store, self.system)


def open_town(container: Container, principal: Principal, purpose: Purpose | None, town: str) -> Town:
    """The caller's view of a town: 403 when the key is not scoped to it, 404 when the embedded store has no
    such town (nothing is created for an unknown town)."""
    check_town(principal, town)
    try:
        known = container.towns()
    except DomainValidationError:  # pragma: no cover - misconfigured neo4j
        known = []
    if container.settings.store == "embedded" and town not in known:
        raise NotFound([Problem(f"町「{town}」はありません", f"no town {town!r}", field="town")])
    return Town(AccessContext(town, principal, purpose), container.store(town), container.system())
