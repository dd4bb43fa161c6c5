"""The gap report as each role may see it (the rule written once, in :meth:`Policy.gap_view`): community and
coordinators the aggregate (numbers only), admin the full report, multiagency the full report with the names of
persons and households withheld. The API's ``/gaps`` and the staff pages (report, printable report, agency
pair) all call these; a full view is audited."""

from __future__ import annotations

import threading
import weakref
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from graphsvc.access.context import AccessContext
from graphsvc.access.policy import aggregate_report, redact_names
from graphsvc.domain.errors import AccessDenied, DomainValidationError, NotFound, Problem
from graphsvc.services.base import UseCase

if TYPE_CHECKING:
    import networkx as nx

    from graphsvc.analysis import GapReport, ReachabilityResult
    from graphsvc.store.port import GraphStore

__all__ = ["GapService", "GapView"]

# The analysis of a town, kept while its store's revision is unchanged (every page of the report, the agency
# pairs and each household's chains read the same analysis; a write to the town changes the revision).
_ANALYSES: weakref.WeakKeyDictionary[GraphStore, tuple[int, nx.Graph, GapReport]] = (
    weakref.WeakKeyDictionary()
)
_REACH: weakref.WeakKeyDictionary[GraphStore, tuple[int, ReachabilityResult]] = weakref.WeakKeyDictionary()
_CACHE_LOCK = threading.Lock()


@dataclass(frozen=True)
class GapView:
    """The report a caller sees: ``view`` is ``aggregate`` or ``full``; ``report`` its JSON (redacted as the
    role needs); ``analysis`` and ``graph`` the full results behind it (None for the aggregate), for renderers
    that draw from them (the printable meeting report shows household ids, never names)."""

    view: Literal["aggregate", "full"]
    report: dict[str, Any]
    analysis: GapReport | None = None
    graph: nx.Graph | None = None


class GapService(UseCase):
    def _analyse(self) -> tuple[nx.Graph, GapReport]:
        """The town's projection and its analysis, cached while the store's revision is unchanged (callers read
        them, never change them)."""
        from graphsvc.analysis import analyse_all
        from graphsvc.store.network import NetworkxNetwork, network_of

        rev = self.store.revision()
        if rev is not None:
            with _CACHE_LOCK:
                hit = _ANALYSES.get(self.store)
            if hit is not None and hit[0] == rev:
                return hit[1], hit[2]
        G = self.store.projection()
        # where the store answers the network questions itself (Neo4j with GDS), the agency network's components,
        # bridges and articulation points are asked of it; otherwise they are computed from the projection
        net = network_of(self.store)
        rep = analyse_all(G, network=None if isinstance(net, NetworkxNetwork) else net)
        if rev is not None:
            with _CACHE_LOCK:
                _ANALYSES[self.store] = (rev, G, rep)
        return G, rep

    def _reachability(self) -> ReachabilityResult:
        """The households' chains (cached as :meth:`_analyse`; the full analysis holds them too)."""
        from graphsvc.analysis import reachability

        rev = self.store.revision()
        if rev is not None:
            with _CACHE_LOCK:
                hit = _REACH.get(self.store)
                full = _ANALYSES.get(self.store)
            if hit is not None and hit[0] == rev:
                return hit[1]
            if full is not None and full[0] == rev:
                return full[2].reachability
        rep = reachability(self.store.projection())
        if rev is not None:
            with _CACHE_LOCK:
                _REACH[self.store] = (rev, rep)
        return rep

    def view(self, ctx: AccessContext, *, full_only: bool = False) -> GapView:
        """The report the role may see (``full_only``: refuse the roles that see only the aggregate)."""
        kind = self.policy.gap_view(ctx, full_only=full_only)
        G, rep = self._analyse()
        if kind == "aggregate":
            return GapView("aggregate", aggregate_report(rep.to_dict()))
        data = rep.to_dict()
        if kind == "full_redacted":
            data = redact_names(data)
        self.audit(ctx, "gaps", "gap_report", [])
        return GapView("full", data, rep, G)

    def agency_pair(self, ctx: AccessContext, agency_a: str, agency_b: str) -> dict[str, Any]:
        """Why two agencies are listed as a missing link: the households both support, and their tie level
        (full view only; audited with those household ids)."""
        kind = self.policy.gap_view(ctx, full_only=True)
        _, rep = self._analyse()
        data = rep.to_dict()
        if kind == "full_redacted":
            data = redact_names(data)
        link = next(
            (
                x
                for x in data["missing_links"]["links"]
                if {x["agency_a"]["agency_id"], x["agency_b"]["agency_id"]} == {agency_a, agency_b}
            ),
            None,
        )
        if link is None:
            raise NotFound(
                [Problem("この機関の組はギャップレポートにありません", "no such pair", field="agency")]
            )
        self.audit(ctx, "gaps", "gap_report", list(link.get("household_ids", [])))
        return dict(link)

    def household_reach(self, ctx: AccessContext, household_id: str) -> dict[str, Any] | None:
        """A household's chains to the nearest agency, formal and informal supporter (who would carry the
        message), its isolated cluster and its steps: for the roles that see the full report (names withheld
        from multiagency as there); None for the others, or when the household is not in the town. Audited with
        the household's id."""
        try:
            kind = self.policy.gap_view(ctx, full_only=True)
        except (AccessDenied, DomainValidationError):
            return None  # a role or purpose that sees only the aggregate: the page shows no chains
        rep = self._reachability()
        where = rep.household(household_id)
        if where is None:
            return None
        cluster, hops = where
        chains = {t: rep.chain_of(household_id, t) for t in ("agency", "formal", "informal")}
        data: dict[str, Any] = {
            "household_id": household_id,
            "k": rep.k,
            "cluster_id": cluster,
            "agency_hops": hops,
            "chains": {t: (c.to_dict() if c is not None else None) for t, c in chains.items()},
        }
        if kind == "full_redacted":
            data = redact_names(data)
        self.audit(ctx, "gaps", "gap_report", [household_id])
        return data
