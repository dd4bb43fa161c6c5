"""The referral lifecycle of a placement (PLACED_IN), with host notes, outcomes and a change history.

proposed 提案 → contacted 打診済み → accepted 受入決定 / declined 見送り → started 参加開始 → follow_up 定着支援中 →
ended 終了. A declined or ended placement may be proposed again. Accepting reserves one place of the
opportunity's capacity (``capacity_available`` − 1) and ending or declining after that releases it, in the same
atomic write as the status change, so capacity left is always what the placements say. Outcomes (定着 at three
months: continued, ended_early, ended_well) feed :func:`graphsvc.services.learning.outcome_rows`, which the learned scorer is refitted on.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

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
from graphsvc.domain.records import PlacementEvent
from graphsvc.store.port import GraphStore, NodeRef, NodeRow, RelRow, WriteBatch

__all__ = ["TRANSITIONS", "Placement", "PlacementService"]

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
