"""A household seen from the gap report: why it is listed (its flags), who is in it, the agencies and supporters
around it, its cases. For the roles that read households (purpose required; address withheld from multiagency
without consent); audited."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from graphsvc.access.context import AccessContext
from graphsvc.access.kinds import KINDS
from graphsvc.domain.codec import node_from_props, to_props, validate_node
from graphsvc.domain.enums import HouseholdFlag, NodeLabel, RelType
from graphsvc.domain.errors import AccessDenied, DomainValidationError, NotFound, Problem
from graphsvc.services.base import UseCase
from graphsvc.store.port import NodeRef, NodeRow, WriteBatch

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

    def may_edit_flags(self, ctx: AccessContext) -> bool:
        """Whether the caller may change a household's situation flags (the writers: admin, case systems)."""
        try:
            self.policy.check_write(ctx)
        except AccessDenied:  # the form is simply not offered
            return False
        return True

    def set_flags(self, ctx: AccessContext, household_id: str, flags: list[str]) -> list[str]:
        """Replace a household's situation flags (ダブルケア, ヤングケアラー, 8050, 社会的孤立 …) and keep every
        other field as stored; a case system only on households it owns. An unknown flag is refused naming it,
        and nothing is written. Audited as an upsert of the household. Returns the flags stored, in enum order.
        """
        self.policy.check_write(ctx)
        known = {f.value for f in HouseholdFlag}
        bad = [f for f in flags if f not in known]
        if bad:
            raise DomainValidationError(
                [
                    Problem(
                        f"世帯の状況「{f}」はありません (使える値: "
                        + "、".join(x.ja for x in HouseholdFlag)
                        + ")",
                        f"unknown household flag {f!r}",
                        field="flags",
                        value=f,
                    )
                    for f in bad
                ]
            )
        ref = NodeRef(NodeLabel.HOUSEHOLD, household_id)
        row = self.store.get_node(ref)
        if row is None:
            raise NotFound(
                [Problem(f"世帯「{household_id}」が見つかりません", "no such Household", field="id")]
            )
        chosen = set(flags)
        ordered: list[str] = [f.value for f in HouseholdFlag if f.value in chosen]
        data = node_from_props(NodeLabel.HOUSEHOLD, row.props).model_dump(mode="json", exclude_none=True)
        data["flags"] = ordered
        rec = validate_node(NodeLabel.HOUSEHOLD, data)
        self.policy.check_write_owned(ctx, HOUSEHOLDS.path, [household_id], {household_id})
        self.store.write(WriteBatch(nodes=[NodeRow(NodeLabel.HOUSEHOLD, household_id, to_props(rec))]))
        self.audit(ctx, "upsert", HOUSEHOLDS.path, [household_id])
        return ordered
