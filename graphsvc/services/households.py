"""A household seen from the gap report: why it is listed (its flags), who is in it, the agencies and supporters
around it, its cases. For the roles that read households (purpose required; address withheld from multiagency
without consent); audited."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from graphsvc.access.context import AccessContext
from graphsvc.access.kinds import KINDS
from graphsvc.domain.codec import node_from_props
from graphsvc.domain.enums import NodeLabel, RelType
from graphsvc.domain.errors import NotFound, Problem
from graphsvc.services.base import UseCase
from graphsvc.store.port import NodeRef

__all__ = ["HouseholdService", "HouseholdView"]

HOUSEHOLDS = KINDS["households"]


@dataclass(frozen=True)
class HouseholdView:
    household: dict[str, Any]
    members: list[str]
    agencies: list[tuple[str, str, dict[str, Any]]]  # (agency id, name, SUPPORTED_BY properties)
    supporters: list[str]
    cases: list[dict[str, Any]]
    neighbour_ties: int


class HouseholdService(UseCase):
    def explain(self, ctx: AccessContext, household_id: str) -> HouseholdView:
        self.policy.check_read(ctx, HOUSEHOLDS.path, True)
        ref = NodeRef(NodeLabel.HOUSEHOLD, household_id)
        row = self.store.get_node(ref)
        if row is None:
            raise NotFound(
                [Problem(f"世帯「{household_id}」が見つかりません", "no such Household", field="id")]
            )
        hh = self.policy.redact(
            ctx, HOUSEHOLDS.path, node_from_props(NodeLabel.HOUSEHOLD, row.props).model_dump(mode="json")
        )
        members, supporters, cases, ties = [], [], [], 0
        agencies: list[tuple[str, dict[str, Any]]] = []
        for r in self.store.relationships(ref):
            other = r.src if r.dst == ref else r.dst
            if r.type is RelType.MEMBER_OF:
                members.append(other.id)
            elif r.type is RelType.SUPPORTED_BY:
                agencies.append((other.id, dict(r.props)))
            elif r.type is RelType.VISITS:
                supporters.append(other.id)
            elif r.type is RelType.ABOUT:
                cases.append(other.id)
            elif r.type is RelType.NEIGHBOUR_OF:
                ties += 1
        names = {
            a.id: str(a.props.get("name", a.id))
            for a in self.store.get_nodes(NodeLabel.AGENCY, [a for a, _ in agencies])
        }
        case_rows = [
            node_from_props(NodeLabel.CASE, c.props).model_dump(mode="json")
            for c in self.store.get_nodes(NodeLabel.CASE, cases)
        ]
        self.audit(ctx, "read", "households", [household_id])
        return HouseholdView(
            household=hh,
            members=sorted(members),
            agencies=[(a, names.get(a, a), p) for a, p in agencies],
            supporters=sorted(supporters),
            cases=case_rows,
            neighbour_ties=ties,
        )
