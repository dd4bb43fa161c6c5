"""Relationships (ties) between nodes: upsert, bulk upsert, list, delete. Ties touch persons and households, so
they are personal data: admin, multiagency (read) and case systems (their own) only."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from graphsvc.access.context import AccessContext
from graphsvc.access.kinds import TIE_KIND
from graphsvc.access.principals import Role
from graphsvc.domain.codec import rel_props_to_store, validate_rel_props
from graphsvc.domain.enums import NodeLabel, RelType
from graphsvc.domain.errors import DomainValidationError, NotFound, Problem
from graphsvc.domain.records import REL_SPECS
from graphsvc.services.base import Listing, UseCase
from graphsvc.services.records import BulkOutcome, UpsertOutcome
from graphsvc.store.port import NodeRef, RelRow, WriteBatch

__all__ = ["TieService", "tie_key", "tie_row"]


def tie_key(t: RelType, src: NodeRef, dst: NodeRef) -> str:
    """The id of a tie in ownership and write results: ``TYPE|Label:src|Label:dst``."""
    return f"{t.value}|{src}|{dst}"


def tie_row(
    rel_type: RelType, src: NodeRef, dst: NodeRef, props: dict[str, Any], *, row: int | None = None
) -> RelRow:
    """A validated relationship: the end labels the type joins, and its properties (problems name the row)."""
    spec = REL_SPECS[rel_type]
    where: dict[str, Any] = {"row": row} if row is not None else {}
    if src.label not in spec.sources or dst.label not in spec.targets:
        raise DomainValidationError(
            [
                Problem(
                    f"{rel_type.value} は {'・'.join(sorted(s.value for s in spec.sources))} → "
                    f"{'・'.join(sorted(s.value for s in spec.targets))} の関係です",
                    f"{rel_type.value} joins {sorted(s.value for s in spec.sources)} to "
                    f"{sorted(s.value for s in spec.targets)}",
                    field="type",
                    **where,
                )
            ]
        )
    validated = validate_rel_props(rel_type, props, **where)
    return RelRow(rel_type, src, dst, rel_props_to_store(rel_type, validated))


@dataclass(frozen=True)
class TieDeleteOutcome:
    deleted: bool
    type: str
    src: str
    dst: str


class TieService(UseCase):
    def _existing(self, rels: Sequence[RelRow]) -> set[str]:
        return {
            tie_key(x.type, x.src, x.dst)
            for r in rels
            for x in self.store.relationships(r.src, types=[r.type], direction="out")
            if x.dst == r.dst
        }

    def upsert(self, ctx: AccessContext, rel: RelRow) -> UpsertOutcome:
        self.policy.check_write(ctx)
        key = tie_key(rel.type, rel.src, rel.dst)
        existing = self._existing([rel])
        self.policy.check_write_owned(ctx, TIE_KIND, [key], existing)
        self.store.write(WriteBatch(rels=[rel]))
        self.policy.claim(ctx, TIE_KIND, [key])
        self.audit(ctx, "upsert", TIE_KIND, [rel.src.id, rel.dst.id])
        return UpsertOutcome(key, TIE_KIND, created=not existing)

    def bulk_upsert(self, ctx: AccessContext, rels: Sequence[RelRow], *, rows: int) -> BulkOutcome:
        """Validated ties in one atomic write (a case system only its own or new ones)."""
        self.policy.check_write(ctx)
        keys = [tie_key(r.type, r.src, r.dst) for r in rels]
        existing = self._existing(rels)
        self.policy.check_write_owned(ctx, TIE_KIND, keys, existing)
        if rels:
            self.store.write(WriteBatch(rels=list(rels)))
        self.policy.claim(ctx, TIE_KIND, keys)
        self.audit(ctx, "bulk_upsert", TIE_KIND, sorted({i for r in rels for i in (r.src.id, r.dst.id)}))
        return BulkOutcome(TIE_KIND, rows=rows, created=len(set(keys) - existing), updated=len(existing))

    def list(
        self,
        ctx: AccessContext,
        *,
        rel_type: RelType | None = None,
        node: NodeRef | None = None,
        label: NodeLabel | None = None,
        node_id: str | None = None,
    ) -> Listing[RelRow]:
        """The ties the caller may see (a case system: its own), by type and by an end: ``node``, or an end's
        ``label`` and/or ``node_id`` (both: that node); the page shown is audited."""
        self.policy.check_read(ctx, TIE_KIND, True)
        if node is None and label is not None and node_id is not None:
            node = NodeRef(label, node_id)
        types = [rel_type] if rel_type else None
        if node is not None:
            rels = self.store.relationships(node, types=types)
        else:
            rels = [r for t in (types or list(RelType)) for r in self.store.iter_rels(t)]
            if label is not None:
                rels = [r for r in rels if label in (r.src.label, r.dst.label)]
            if node_id is not None:
                rels = [r for r in rels if node_id in (r.src.id, r.dst.id)]
        if ctx.role is Role.CASE_SYSTEM:
            own = set(self.system.ownership.owned(ctx.town, TIE_KIND, ctx.principal.owner_id))
            rels = [r for r in rels if tie_key(r.type, r.src, r.dst) in own]
        rels.sort(key=lambda r: (r.type.value, str(r.src), str(r.dst)))
        return Listing.of(
            rels,
            lambda page: self.audit(
                ctx, "list", TIE_KIND, sorted({i for r in page for i in (r.src.id, r.dst.id)})
            ),
        )

    def delete(self, ctx: AccessContext, rel_type: RelType, src: NodeRef, dst: NodeRef) -> TieDeleteOutcome:
        self.policy.check_write(ctx)
        key = tie_key(rel_type, src, dst)
        self.policy.check_write_owned(ctx, TIE_KIND, [key], {key})
        if not self.store.delete_rel(rel_type, src, dst):
            raise NotFound([Problem("その関係はありません", "no such tie", field="type")])
        self.system.ownership.release(ctx.town, TIE_KIND, [key])
        self.audit(ctx, "delete", TIE_KIND, [src.id, dst.id])
        return TieDeleteOutcome(True, rel_type.value, str(src), str(dst))
