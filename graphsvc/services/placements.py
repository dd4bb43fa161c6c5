"""The referral lifecycle of a placement (PLACED_IN), with host notes, outcomes and a change history.

proposed 提案 → contacted 打診済み → accepted 受入決定 / declined 見送り → started 参加開始 → follow_up 定着支援中 →
ended 終了. A declined or ended placement may be proposed again. Accepting reserves one place of the
opportunity's capacity (``capacity_available`` − 1) and ending or declining after that releases it, in the same
atomic write as the status change, so capacity left is always what the placements say. Outcomes (定着 at three
months: continued, ended_early, ended_well) feed :func:`graphsvc.services.learning.outcome_rows`, which the learned scorer is refitted on.

:class:`PlacementService` is the lifecycle over a store; :class:`Placements` is the use case the front doors
call (admin and coordinators; the person in scope with consent covering 参加支援, a proposal's consent covering
the host; every call audited).
"""

from __future__ import annotations

import builtins
from dataclasses import dataclass
from datetime import UTC, date, datetime

from graphsvc.access.context import AccessContext
from graphsvc.access.policy import PLACEMENT_ROLES, require_role
from graphsvc.domain import (
    ConflictError,
    NodeLabel,
    NotFoundError,
    Opportunity,
    PlacementOutcome,
    PlacementProps,
    PlacementStatus,
    Problem,
    RelType,
    node_from_props,
    rel_props_from_store,
    rel_props_to_store,
)
from graphsvc.domain.consent import Purpose
from graphsvc.domain.records import PlacementEvent
from graphsvc.services.base import Listing, UseCase
from graphsvc.store.port import GraphStore, NodeRef, NodeRow, RelRow, WriteBatch

__all__ = ["TRANSITIONS", "Placement", "PlacementOption", "PlacementService", "Placements"]

S = PlacementStatus
TRANSITIONS: dict[PlacementStatus, frozenset[PlacementStatus]] = {
    S.PROPOSED: frozenset({S.CONTACTED, S.DECLINED}),
    S.CONTACTED: frozenset({S.ACCEPTED, S.DECLINED}),
    S.ACCEPTED: frozenset({S.STARTED, S.DECLINED}),
    S.DECLINED: frozenset({S.PROPOSED}),
    S.STARTED: frozenset({S.FOLLOW_UP, S.ENDED}),
    S.FOLLOW_UP: frozenset({S.ENDED}),
    S.ENDED: frozenset({S.PROPOSED}),
}
_RESERVING = frozenset({S.ACCEPTED, S.STARTED, S.FOLLOW_UP})


@dataclass(frozen=True)
class Placement:
    person_id: str
    opportunity_id: str
    props: PlacementProps


def _now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()


class PlacementService:
    def __init__(self, store: GraphStore):
        self.store = store

    def get(self, person_id: str, opportunity_id: str) -> Placement | None:
        for r in self.store.relationships(
            NodeRef(NodeLabel.PERSON, person_id), types=[RelType.PLACED_IN], direction="out"
        ):
            if r.dst.id == opportunity_id:
                props = rel_props_from_store(RelType.PLACED_IN, r.props)
                assert isinstance(props, PlacementProps)
                return Placement(person_id, opportunity_id, props)
        return None

    def find(self, *, person_id: str | None = None, status: PlacementStatus | None = None) -> list[Placement]:
        rels = (
            self.store.relationships(
                NodeRef(NodeLabel.PERSON, person_id), types=[RelType.PLACED_IN], direction="out"
            )
            if person_id
            else list(self.store.iter_rels(RelType.PLACED_IN))
        )
        out = []
        for r in rels:
            props = rel_props_from_store(RelType.PLACED_IN, r.props)
            assert isinstance(props, PlacementProps)
            if status is None or props.status is status:
                out.append(Placement(r.src.id, r.dst.id, props))
        return out

    def propose(self, person_id: str, opportunity_id: str, *, by: str, note: str | None = None) -> Placement:
        """Record a proposal (提案). Re-proposing after 見送り or 終了 starts a new round; history is kept."""
        self._require(NodeLabel.PERSON, person_id)
        self._require(NodeLabel.OPPORTUNITY, opportunity_id)
        current = self.get(person_id, opportunity_id)
        if current is not None and S.PROPOSED not in TRANSITIONS[current.props.status]:
            raise self._bad_transition(current.props.status, S.PROPOSED)
        history = list(current.props.history) if current else []
        return self._write(person_id, opportunity_id, current, S.PROPOSED, by=by, note=note, history=history)

    def transition(
        self,
        person_id: str,
        opportunity_id: str,
        status: PlacementStatus,
        *,
        by: str,
        note: str | None = None,
        host_notes: str | None = None,
        outcome: PlacementOutcome | None = None,
        start: date | None = None,
    ) -> Placement:
        current = self.get(person_id, opportunity_id)
        if current is None:
            raise NotFoundError(
                [
                    Problem(
                        f"本人「{person_id}」と参加メニュー「{opportunity_id}」の提案がありません",
                        f"no placement of {person_id!r} in {opportunity_id!r}",
                        field="opportunity_id",
                    )
                ]
            )
        status = PlacementStatus(status)
        if status is not current.props.status and status not in TRANSITIONS[current.props.status]:
            raise self._bad_transition(current.props.status, status)
        return self._write(
            person_id,
            opportunity_id,
            current,
            status,
            by=by,
            note=note,
            history=list(current.props.history),
            host_notes=host_notes,
            outcome=outcome,
            start=start,
        )

    # ---------------------------------------------------------------- internals

    def _require(self, label: NodeLabel, id_: str) -> NodeRow:
        row = self.store.get_node(NodeRef(label, id_))
        if row is None:
            raise NotFoundError(
                [
                    Problem(
                        f"{label.ja}「{id_}」が見つかりません",
                        f"no {label.value} {id_!r}",
                        field="id",
                        value=id_,
                    )
                ]
            )
        return row

    @staticmethod
    def _bad_transition(src: PlacementStatus, dst: PlacementStatus) -> ConflictError:
        allowed = "、".join(s.ja for s in sorted(TRANSITIONS[src], key=list(PlacementStatus).index)) or "なし"
        return ConflictError(
            [
                Problem(
                    f"「{src.ja}」から「{dst.ja}」には進めません (次に進める段階: {allowed})",
                    f"cannot go from {src.value} to {dst.value}",
                    field="status",
                    value=dst.value,
                )
            ]
        )

    def _write(
        self,
        person_id: str,
        opportunity_id: str,
        current: Placement | None,
        status: PlacementStatus,
        *,
        by: str,
        note: str | None,
        history: list[PlacementEvent],
        host_notes: str | None = None,
        outcome: PlacementOutcome | None = None,
        start: date | None = None,
    ) -> Placement:
        now = _now()
        base = current.props if current is not None else PlacementProps()
        # accepted, started and follow-up hold one place of the opportunity's capacity
        held_before = current is not None and current.props.status in _RESERVING
        held_after = status in _RESERVING
        if status is S.PROPOSED:  # a new round keeps only the history
            base = PlacementProps()
        nodes: list[NodeRow] = []
        if held_before != held_after:
            nodes.append(self._capacity_change(opportunity_id, -1 if held_after else +1))
        history.append(PlacementEvent(at=now, by=by, status=status, outcome=outcome, note=note))
        props = base.model_copy(
            update={
                "status": status,
                "updated_at": now,
                "updated_by": by,
                "history": history,
                "host_notes": host_notes if host_notes is not None else base.host_notes,
                "outcome": outcome if outcome is not None else base.outcome,
                "start": start or base.start or (date.today() if status is S.STARTED else None),
            }
        )
        props = PlacementProps.model_validate(props.model_dump())
        rel = RelRow(
            RelType.PLACED_IN,
            NodeRef(NodeLabel.PERSON, person_id),
            NodeRef(NodeLabel.OPPORTUNITY, opportunity_id),
            rel_props_to_store(RelType.PLACED_IN, props),
        )
        self.store.write(WriteBatch(nodes=nodes, rels=[rel]))
        return Placement(person_id, opportunity_id, props)

    def _capacity_change(self, opportunity_id: str, delta: int) -> NodeRow:
        row = self._require(NodeLabel.OPPORTUNITY, opportunity_id)
        opp = node_from_props(NodeLabel.OPPORTUNITY, row.props)
        assert isinstance(opp, Opportunity)
        props = dict(row.props)
        cap = opp.capacity
        if cap is None:
            return NodeRow(NodeLabel.OPPORTUNITY, opportunity_id, props)
        available = cap.available if cap.available is not None else cap.maximum
        new = available + delta
        if new < 0:
            raise ConflictError(
                [
                    Problem(
                        f"「{opp.title}」の定員に空きがありません (定員 {cap.maximum}{cap.unit.ja})",
                        f"{opportunity_id} has no capacity left",
                        field="capacity",
                    )
                ]
            )
        props["capacity_available"] = min(new, cap.maximum)
        return NodeRow(NodeLabel.OPPORTUNITY, opportunity_id, props)


@dataclass(frozen=True)
class PlacementOption:
    """A ranked opening as a proposal sees it: its host, whether the person's consent covers the host, the
    current placement status, and whether a proposal is possible now."""

    host_id: str
    consented: bool
    status: PlacementStatus | None
    may_propose: bool


class Placements(UseCase):
    """The referral lifecycle as a use case."""

    def lifecycle(self) -> PlacementService:
        return PlacementService(self.store)

    def check_person(self, ctx: AccessContext, person_id: str) -> Purpose:
        """Admin or coordinator, the purpose 参加支援 (coordinators), the person in scope with consent."""
        require_role(ctx.principal, *PLACEMENT_ROLES)
        purpose = self.policy.matching_purpose(ctx)
        self.policy.require_person_access(ctx, person_id, purpose)
        return purpose

    def opportunity_host(self, opportunity_id: str) -> str:
        """The recipient a proposal's consent must cover: the host, else the opportunity itself; 404 if none."""
        row = self.store.get_node(NodeRef(NodeLabel.OPPORTUNITY, opportunity_id))
        if row is None:
            raise NotFoundError(
                [
                    Problem(
                        f"参加メニュー「{opportunity_id}」が見つかりません",
                        "no such opportunity",
                        field="opportunity_id",
                    )
                ]
            )
        opp = node_from_props(NodeLabel.OPPORTUNITY, row.props)
        assert isinstance(opp, Opportunity)
        return opp.host_id or opp.id

    def list(
        self,
        ctx: AccessContext,
        *,
        person_id: str | None = None,
        status: PlacementStatus | None = None,
        recent_first: bool = False,
    ) -> Listing[Placement]:
        """The placements the caller may see (a coordinator: its consenting persons'), by person and opportunity
        id or the latest change first; the page shown is audited."""
        require_role(ctx.principal, *PLACEMENT_ROLES)
        purpose = self.policy.matching_purpose(ctx)
        if person_id is not None:
            self.policy.require_person_access(ctx, person_id, purpose)
        found = self.lifecycle().find(person_id=person_id, status=status)
        allowed = self.policy.coordinator_persons(ctx, purpose)
        if allowed is not None:
            found = [p for p in found if p.person_id in allowed]
        found.sort(key=lambda p: (p.person_id, p.opportunity_id))
        if recent_first:
            found.sort(key=lambda p: p.props.updated_at or "", reverse=True)

        return Listing.of(
            found, lambda page: self.audit(ctx, "list", "placements", sorted({p.person_id for p in page}))
        )

    def current(self, ctx: AccessContext, person_id: str, opportunity_id: str) -> Placement:
        """The placement, checked, not audited (before a change)."""
        self.check_person(ctx, person_id)
        p = self.lifecycle().get(person_id, opportunity_id)
        if p is None:
            raise NotFoundError(
                [Problem("その参加支援はありません", "no such placement", field="opportunity_id")]
            )
        return p

    def get(self, ctx: AccessContext, person_id: str, opportunity_id: str) -> Placement:
        p = self.current(ctx, person_id, opportunity_id)
        self.audit(ctx, "read", "placements", [person_id])
        return p

    def options(
        self, ctx: AccessContext, person_id: str, opening_ids: builtins.list[str]
    ) -> dict[str, PlacementOption]:
        """For ranked openings: whether a proposal may be made now (consent covering the host, as
        :meth:`propose` requires, and a status the lifecycle lets go back to 提案)."""
        purpose = self.check_person(ctx, person_id)
        current = {p.opportunity_id: p.props.status for p in self.lifecycle().find(person_id=person_id)}
        out: dict[str, PlacementOption] = {}
        for oid in opening_ids:
            host = self.opportunity_host(oid)
            consented = self.system.consents.covers(ctx.town, person_id, purpose, host)
            st = current.get(oid)
            out[oid] = PlacementOption(
                host, consented, st, consented and (st is None or S.PROPOSED in TRANSITIONS[st])
            )
        return out

    def propose(
        self, ctx: AccessContext, person_id: str, opportunity_id: str, *, note: str | None = None
    ) -> Placement:
        """Propose a placement: the person's consent must cover the opportunity's host."""
        require_role(ctx.principal, *PLACEMENT_ROLES)
        purpose = self.policy.matching_purpose(ctx)
        host = self.opportunity_host(opportunity_id)
        self.policy.require_person_access(ctx, person_id, purpose, recipient=host)
        p = self.lifecycle().propose(person_id, opportunity_id, by=ctx.who(), note=note)
        self.audit(ctx, "propose", "placements", [person_id])
        return p

    def transition(
        self,
        ctx: AccessContext,
        person_id: str,
        opportunity_id: str,
        status: PlacementStatus | None,
        *,
        note: str | None = None,
        host_notes: str | None = None,
        outcome: PlacementOutcome | None = None,
        start: date | None = None,
    ) -> Placement:
        """Move a placement on (None: keep its status, e.g. to add host notes); 409 when the lifecycle does not
        allow the step or no capacity is left."""
        self.check_person(ctx, person_id)
        engine = self.lifecycle()
        if status is None:
            cur = engine.get(person_id, opportunity_id)  # none: the lifecycle's own 404 below
            status = cur.props.status if cur is not None else S.PROPOSED
        p = engine.transition(
            person_id,
            opportunity_id,
            status,
            by=ctx.who(),
            note=note,
            host_notes=host_notes,
            outcome=outcome,
            start=start,
        )
        self.audit(ctx, "transition", "placements", [person_id])
        return p
