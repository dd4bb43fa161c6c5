"""Records (persons, households, cases, supporters and the resources): list, read, upsert, bulk upsert, delete,
each with the role, consent and ownership checks and its audit entry. The API's ``/v1/towns/{town}/{kind}`` and
the staff pages (persons, resources, the profile form) both call these."""

from __future__ import annotations

import builtins
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, get_args

from graphsvc.access.context import AccessContext
from graphsvc.access.kinds import KINDS, RecordKind
from graphsvc.access.principals import Role
from graphsvc.domain.codec import Prop, node_from_props, to_props, validate_node
from graphsvc.domain.consent import Purpose
from graphsvc.domain.enums import NodeLabel, RelType
from graphsvc.domain.errors import ConsentRequired, DomainValidationError, NotFound, Problem
from graphsvc.domain.records import Person
from graphsvc.services.base import Listing, UseCase
from graphsvc.store.port import NodeRef, NodeRow, WriteBatch

__all__ = [
    "FILTER_VALUE_PATTERNS",
    "NOT_FILTERABLE",
    "BulkOutcome",
    "DeleteOutcome",
    "RecordService",
    "UpsertOutcome",
    "filter_fields",
    "parse_filters",
]

NOT_FILTERABLE = ("location", "capacity", "schedule", "participation_profile", "centre")
PERSONS = KINDS["persons"]
KINDS_BY_LABEL = {k.label: k for k in KINDS.values()}


@dataclass(frozen=True)
class UpsertOutcome:
    id: str
    kind: str
    created: bool


@dataclass(frozen=True)
class BulkOutcome:
    kind: str
    rows: int
    created: int
    updated: int


@dataclass(frozen=True)
class DeleteOutcome:
    id: str
    kind: str
    nodes: int
    relationships: int
    removed_relationships: list[dict[str, str]] = field(default_factory=list)


def filter_fields(kind: RecordKind) -> dict[str, str]:
    """The fields of a kind a list may be filtered on, each with how its value is read: ``bool`` (``true``,
    ``false``, ``1``, ``0``), ``int`` (decimal digits, an optional minus), ``number`` (a decimal) or ``text``
    (compared as it is; a list field matches when it holds the value)."""
    out: dict[str, str] = {}
    for name, f in kind.record.model_fields.items():
        if name in NOT_FILTERABLE:
            continue
        args = set(get_args(f.annotation)) | {f.annotation}
        out[name] = (
            "bool" if bool in args else "int" if int in args else "number" if float in args else "text"
        )
    return out


FILTER_VALUE_PATTERNS = {
    "bool": r"true|false|1|0",
    "int": r"-?[0-9]{1,18}",
    "number": r"-?[0-9]{1,15}(?:\.[0-9]{1,15})?",
}
"""What a filter value of each kind of field looks like (the API states them in its OpenAPI)."""
_FILTER_VALUES = {k: re.compile(v) for k, v in FILTER_VALUE_PATTERNS.items()}


def parse_filters(kind: RecordKind, raw: Sequence[str] | None) -> dict[str, Prop]:
    """``field=value`` filters on a kind's fields (:func:`filter_fields`), typed as the field is; 422 naming the
    filter otherwise."""
    fields = filter_fields(kind)
    where: dict[str, Prop] = {}
    for item in raw or []:
        key, sep, value = item.partition("=")
        how = fields.get(key)
        if not sep or how is None:
            raise DomainValidationError(
                [
                    Problem(
                        f"絞り込みは 項目=値 の形で、{kind.ja}の項目を指定してください ({', '.join(fields)})",
                        f"filter must be field=value with a field of {kind.path}: {', '.join(fields)}",
                        field="filter",
                        value=item[:80],
                    )
                ]
            )
        parsed: Prop
        if how != "text" and not _FILTER_VALUES[how].fullmatch(value):
            ja, en = {
                "bool": ("true か false で指定してください", "expected true or false"),
                "int": ("整数で指定してください", "expected an integer"),
                "number": ("数値で指定してください", "expected a number"),
            }[how]
            raise DomainValidationError.one(ja, en, field=f"filter.{key}", value=value[:80])
        if how == "bool":
            parsed = value in ("true", "1")
        elif how == "int":
            parsed = int(value)
        elif how == "number":
            parsed = float(value)
        else:
            parsed = value
        where[key] = parsed
    return where


def _matches(item: dict[str, Any], where: dict[str, Prop]) -> bool:
    for k, v in where.items():
        got = item.get(k)
        if isinstance(got, list):
            if v not in got:
                return False
        elif got != v:
            return False
    return True


def _not_found(kind: RecordKind, record_id: str) -> NotFound:
    return NotFound(
        [
            Problem(
                f"{kind.ja}「{record_id}」が見つかりません",
                f"no {kind.label.value} {record_id!r}",
                field="id",
            )
        ]
    )


class RecordService(UseCase):
    """Node records of every kind, as each role may see and change them."""

    # ------------------------------------------------------------ reads

    def public(self, kind: RecordKind, row: NodeRow) -> dict[str, Any]:
        """A stored row as the record's JSON (before redaction)."""
        return node_from_props(kind.label, row.props).model_dump(mode="json")

    def list(
        self, ctx: AccessContext, kind: RecordKind, filters: Sequence[str] | None = None
    ) -> Listing[dict[str, Any]]:
        """What the caller may list of a kind, filtered (only on fields the role may see), redacted; the page
        fetched is audited for personal kinds."""
        self.policy.check_read(ctx, kind.path, kind.personal)
        where = parse_filters(kind, filters)
        self.policy.check_filter(ctx, kind, where)
        ids = self.policy.restricted_ids(ctx, kind)

        def shown(items: list[dict[str, Any]]) -> None:
            if kind.personal:
                self.audit(ctx, "list", kind.path, [str(i["id"]) for i in items])

        def redacted(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
            return [self.policy.redact(ctx, kind.path, i) for i in items]

        if ids is not None:
            rows = self.store.get_nodes(kind.label, ids) if ids else []
            items = [self.public(kind, r) for r in sorted(rows, key=lambda r: r.id)]
            items = [i for i in items if _matches(i, where)]
            return Listing(len(items), lambda o, n: redacted(items[o : o + n]), shown)
        if where:
            found = self.store.find_nodes(kind.label, where)
            return Listing(
                len(found), lambda o, n: redacted([self.public(kind, r) for r in found[o : o + n]]), shown
            )
        total = self.store.counts().nodes.get(kind.label.value, 0)

        def fetch(offset: int, limit: int) -> list[dict[str, Any]]:
            rows = self.store.find_nodes(kind.label, None, limit=limit, offset=offset)
            return redacted([self.public(kind, r) for r in rows])

        return Listing(total, fetch, shown)

    def get(self, ctx: AccessContext, kind: RecordKind, record_id: str) -> dict[str, Any]:
        """One record, redacted for the role; personal reads are audited (a read refused for want of consent
        too, with status 403)."""
        self.policy.check_read(ctx, kind.path, kind.personal)
        try:
            self.policy.check_visible(ctx, kind, record_id)
        except ConsentRequired:
            self.audit(ctx, "read", kind.path, [record_id], status=403)
            raise
        row = self.store.get_node(NodeRef(kind.label, record_id))
        if row is None:
            raise _not_found(kind, record_id)
        item = self.policy.redact(ctx, kind.path, self.public(kind, row))
        if kind.personal:
            self.audit(ctx, "read", kind.path, [record_id])
        return item

    def find_persons(self, ctx: AccessContext, q: str) -> tuple[Listing[dict[str, Any]], bool]:
        """The persons search of the staff pages: the caller's persons (a coordinator's, a case system's), or
        for the other readers those whose id contains ``q`` (names match only where the caller sees them).
        Returns the listing and whether a query is needed before anything is listed."""
        self.policy.check_read(ctx, PERSONS.path, True)
        q = q.strip()[:100]
        ids = self.policy.restricted_ids(ctx, PERSONS)
        rows: list[NodeRow] = []
        if ids is not None:
            rows = self.store.get_nodes(NodeLabel.PERSON, ids) if ids else []
        elif q:
            rows = self.store.find_nodes(NodeLabel.PERSON, {"id": q}) or [
                r for r in self.store.iter_nodes(NodeLabel.PERSON) if q in r.id
            ]
        items = [self.policy.redact(ctx, PERSONS.path, self.public(PERSONS, r)) for r in rows]
        if q:
            items = [i for i in items if q in i["id"] or (i.get("name") and q in str(i["name"]))]
        items.sort(key=lambda i: i["id"])
        listing = Listing.of(
            items, lambda shown: self.audit(ctx, "list", "persons", [i["id"] for i in shown])
        )
        return listing, ids is None and not q

    def titles(self, ids: Sequence[str]) -> dict[str, str]:
        """Opportunity titles by id (resources, for labels next to placements)."""
        rows = self.store.get_nodes(NodeLabel.OPPORTUNITY, list(dict.fromkeys(ids))) if ids else []
        return {r.id: str(r.props.get("title", r.id)) for r in rows}

    def choices(self, *labels: NodeLabel) -> builtins.list[tuple[str, str]]:
        """Resources to pick from in a form: ``(Label:id, "種類: 名前")`` (or ``(id, 名前)`` for one label)."""
        out: builtins.list[tuple[str, str]] = []
        for label in labels:
            if KINDS_BY_LABEL[label].personal:
                continue  # never offered as a choice
            for r in self.store.iter_nodes(label):
                name = str(r.props.get("name", r.id))
                out.append(
                    (f"{label.value}:{r.id}", f"{label.ja}: {name}") if len(labels) > 1 else (r.id, name)
                )
        return out

    def references(
        self, ctx: AccessContext, kind: RecordKind, record_id: str
    ) -> builtins.list[dict[str, Any]]:
        """What still points at (or from) a record the caller may delete, by relationship type: the count, and
        the ids of the other ends that are not personal records (a person or household is only counted)."""
        self.deletable(ctx, kind, record_id)
        ref = NodeRef(kind.label, record_id)
        groups: dict[RelType, builtins.list[NodeRef]] = {}
        for r in self.store.relationships(ref):
            groups.setdefault(r.type, []).append(r.src if r.dst == ref else r.dst)
        return [
            {
                "type": t.value,
                "ja": t.ja,
                "count": len(others),
                "ids": sorted(o.id for o in others if o.label not in (NodeLabel.PERSON, NodeLabel.HOUSEHOLD)),
            }
            for t, others in sorted(groups.items(), key=lambda kv: kv[0].value)
        ]

    # ------------------------------------------------------------ writes

    def _write(
        self, ctx: AccessContext, kind: RecordKind, records: builtins.list[NodeRow], existing: set[str]
    ) -> None:
        ids = [r.id for r in records]
        self.policy.check_write_owned(ctx, kind.path, ids, existing)
        if records:
            self.store.write(WriteBatch(nodes=records))
        self.policy.claim(ctx, kind.path, ids)

    def upsert(
        self, ctx: AccessContext, kind: RecordKind, record_id: str, data: dict[str, Any]
    ) -> UpsertOutcome:
        """Create or replace one record (validated whole); a case system only its own or new ones."""
        self.policy.check_write(ctx)
        rec = validate_node(kind.label, {**data, "id": record_id})
        existing = self.store.get_node(NodeRef(kind.label, record_id)) is not None
        self._write(
            ctx, kind, [NodeRow(kind.label, record_id, to_props(rec))], {record_id} if existing else set()
        )
        self.audit(ctx, "upsert", kind.path, [record_id])
        return UpsertOutcome(record_id, kind.path, created=not existing)

    def bulk_upsert(self, ctx: AccessContext, kind: RecordKind, rows: Sequence[Any]) -> BulkOutcome:
        """Every row validated first (problems name the row); then one atomic write, or nothing."""
        self.policy.check_write(ctx)
        problems: list[Problem] = []
        records: dict[str, NodeRow] = {}
        for n, row in enumerate(rows, start=1):
            if not isinstance(row, dict):
                problems.append(
                    Problem("オブジェクトで指定してください", "each row must be an object", row=n)
                )
                continue
            try:
                rec = validate_node(kind.label, row, row=n)
            except DomainValidationError as err:
                problems.extend(err.problems)
                continue
            records[rec.id] = NodeRow(kind.label, rec.id, to_props(rec))
        if problems:
            raise DomainValidationError(problems)
        ids = list(records)
        existing = {r.id for r in self.store.get_nodes(kind.label, ids)} if ids else set()
        self._write(ctx, kind, list(records.values()), existing)
        self.audit(ctx, "bulk_upsert", kind.path, ids)
        return BulkOutcome(kind.path, rows=len(rows), created=len(set(ids) - existing), updated=len(existing))

    def deletable(self, ctx: AccessContext, kind: RecordKind, record_id: str) -> NodeRow:
        """The checks before a delete: a writer, the record exists, a case system owns it."""
        self.policy.check_write(ctx)
        row = self.store.get_node(NodeRef(kind.label, record_id))
        if row is None:
            raise _not_found(kind, record_id)
        self.policy.check_write_owned(ctx, kind.path, [record_id], {record_id})
        return row

    def delete(
        self, ctx: AccessContext, kind: RecordKind, record_id: str, *, detach: bool = False
    ) -> DeleteOutcome:
        """Delete one record; without ``detach`` refused (:class:`NodeHasRelationshipsError`, 409) while
        relationships remain. Admin is told which relationships went with it."""
        self.deletable(ctx, kind, record_id)
        ref = NodeRef(kind.label, record_id)
        rels = self.store.relationships(ref) if detach else []
        res = self.store.delete_node(ref, detach=detach)
        self.system.ownership.release(ctx.town, kind.path, [record_id])
        self.audit(ctx, "delete", kind.path, [record_id])
        removed = (
            [{"type": r.type, "src": str(r.src), "dst": str(r.dst)} for r in rels]
            if ctx.role is Role.ADMIN
            else []
        )
        return DeleteOutcome(record_id, kind.path, res.nodes, res.rels, removed)

    # ------------------------------------------------------------ the participation profile (staff pages)

    def may_edit_profile(self, ctx: AccessContext, person_id: str) -> bool:
        """Admin; and the person's own coordinator under 参加支援 (assigned, consent covering it): the matching
        needs what the coordinator learns in the assessment. Case systems write whole records instead."""
        if ctx.role is Role.ADMIN:
            return True
        return (
            ctx.role is Role.COORDINATOR
            and ctx.purpose is Purpose.PARTICIPATION
            and self.policy.may_access_person(ctx, person_id, Purpose.PARTICIPATION)
        )

    def profile_target(self, ctx: AccessContext, person_id: str) -> Person:
        """The person whose profile the caller is about to change (403/404 when it may not)."""
        if not self.may_edit_profile(ctx, person_id):
            if ctx.role is Role.COORDINATOR:
                self.policy.require_person_access(ctx, person_id, self.policy.matching_purpose(ctx))
            self.policy.check_write(ctx)
        row = self.store.get_node(NodeRef(NodeLabel.PERSON, person_id))
        if row is None:
            raise _not_found(PERSONS, person_id)
        rec = node_from_props(NodeLabel.PERSON, row.props)
        assert isinstance(rec, Person)
        return rec

    def save_profile(
        self, ctx: AccessContext, person_id: str, build: Callable[[Person], dict[str, Any] | None]
    ) -> dict[str, Any] | None:
        """Replace the person's participation profile with ``build(person)`` (None: the form had errors and
        nothing is written); audited as an upsert of the person."""
        rec = self.profile_target(ctx, person_id)
        profile = build(rec)
        if profile is None:
            return None
        data = rec.model_dump(mode="json", exclude_none=True)
        data["participation_profile"] = profile
        new = validate_node(NodeLabel.PERSON, data)
        self._write(ctx, PERSONS, [NodeRow(NodeLabel.PERSON, person_id, to_props(new))], {person_id})
        self.audit(ctx, "upsert", "persons", [person_id])
        return profile
