"""The ingestion contract every loader keeps (municipal CSV/Excel, 介護 open data, HSDS, agency caselists).

1. **Read and check the whole input before writing anything.** The readers (:mod:`loaders.tabular`,
   :mod:`graphsvc.hsds.read`) refuse damaged files; the loaders collect every problem of every row; one problem
   means nothing is written, and the error names file, row and column in Japanese and English.
2. **Updates never erase by accident.** A loader turns each row into a :class:`NodeDraft`: the record fields
   the row *gives*, and the fields it *clears*. :func:`finalize` lays the given fields over the record already
   stored, so an empty cell or a missing column keeps the stored value. Clearing is explicit: the marker
   :data:`CLEAR_MARKERS` (``#消去`` or ``#clear``) in a cell, or ``--blank clear`` (every empty cell of a column the
   file has clears that field). A field with a default goes back to it when cleared; a required field cannot be
   cleared. A location the row did not give itself (a district centre, a municipality office, the host's point)
   never replaces a stored exact point unless the row moved the record (another address or area).
3. **Natural keys match.** A row upserts the record with its id; loaders that know a natural key (事業所番号, an
   HSDS id) look the existing record up by it first, so a re-load never makes a duplicate.
4. **Relationships follow their fields.** ``area_id`` → ``IN_AREA``, ``household_id`` → ``MEMBER_OF`` (persons)
   or ``ABOUT`` (cases), ``host_id`` → ``HOSTED_BY``, an area's ``parent_id`` → ``IN_AREA``: when the field changes,
   the relationship to the old target is deleted in the same write (:data:`DERIVED_RELS`).
5. **Show before writing.** :func:`finalize` returns the :class:`ChangeSet`: what the write creates, changes
   (field by field), clears, deletes and leaves alone. ``--dry-run`` prints it and writes nothing; a real load
   prints it and then writes exactly that batch, in one atomic ``store.write``.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ValidationError

from graphsvc.domain.codec import (
    Prop,
    Props,
    node_from_props,
    problems_from_validation,
    rel_props_from_store,
    to_props,
)
from graphsvc.domain.enums import NodeLabel, RelType
from graphsvc.domain.errors import Problem
from graphsvc.domain.records import NODE_MODELS, REL_SPECS
from graphsvc.store.port import GraphStore, NodeRef, NodeRow, RelRow, WriteBatch

__all__ = [
    "CLEAR_MARKERS",
    "DERIVED_RELS",
    "Blank",
    "ChangeSet",
    "FieldChange",
    "NodeChange",
    "NodeDraft",
    "Origin",
    "RelDraft",
    "event_date_range",
    "finalize",
    "is_clear_marker",
    "visible_props",
]

CLEAR_MARKERS = frozenset({"#消去", "#clear"})
"""A cell holding one of these (after NFKC, case-insensitive) clears its field; ``＃消去`` works too."""


class Blank(StrEnum):
    """What an empty cell in a column the file has means."""

    KEEP = "keep"
    """Keep the stored value (the default: an empty cell never erases)."""
    CLEAR = "clear"
    """Clear the field (an explicit choice: ``--blank clear``)."""


def is_clear_marker(text: str | None) -> bool:
    if not text or text.lstrip()[:1] not in ("#", "＃", "﹟"):
        return False
    return unicodedata.normalize("NFKC", text).strip().casefold() in CLEAR_MARKERS


def event_date_range(today: date | None = None) -> tuple[date, date]:
    """The plausible range of a birth or event date: 1900-01-01 to a year after today."""
    t = today or date.today()
    try:
        last = t.replace(year=t.year + 1)
    except ValueError:  # 29 February
        last = t.replace(year=t.year + 1, day=28)
    return date(1900, 1, 1), last


# ---------------------------------------------------------------- drafts


@dataclass
class Origin:
    """Where a draft came from, for located errors: the file, its row (or a JSON pointer) and the columns
    (record field → column as written)."""

    file: str | None = None
    row: int | None = None
    columns: dict[str, str] = field(default_factory=dict)
    pointer: str | None = None
    label_prefix: bool = False  # prefix messages with the record (HSDS: no row per record)


@dataclass
class NodeDraft:
    """A record as an input gives it: the fields given, the fields cleared, where it came from."""

    ref: NodeRef
    given: dict[str, Any] = field(default_factory=dict)
    cleared: set[str] = field(default_factory=set)
    defaults: dict[str, Any] = field(default_factory=dict)
    """Fields filled only when the record ends up without them (new records, or ones that never had them)."""
    derived_location: bool = False
    """``given["location"]`` was not read from the input but derived (district centre, office, host)."""
    rel_props: dict[RelType, dict[str, Any]] = field(default_factory=dict)
    """Properties given for the relationships that follow this record's fields (MEMBER_OF's role …)."""
    merge_dicts: set[str] = field(default_factory=lambda: {"capacity", "schedule"})
    """Fields whose given dict is laid over the stored dict (capacity's maximum/available/unit; a schedule's slots
    and note, so a blank 特記事項 keeps the stored note)."""
    origin: Origin = field(default_factory=Origin)


@dataclass
class RelDraft:
    """A relationship as an input gives it (its given and cleared properties)."""

    type: RelType
    src: NodeRef
    dst: NodeRef
    given: dict[str, Any] = field(default_factory=dict)
    cleared: set[str] = field(default_factory=set)
    origin: Origin = field(default_factory=Origin)

    @property
    def key(self) -> tuple[RelType, NodeRef, NodeRef]:
        return (self.type, self.src, self.dst)


# Relationships that follow a record field: label → (field, relationship type, target label or the field naming
# it). A record whose field changes loses the relationship to the old target in the same write.
DERIVED_RELS: dict[NodeLabel, tuple[tuple[str, RelType, NodeLabel | str], ...]] = {
    NodeLabel.AREA: (("parent_id", RelType.IN_AREA, NodeLabel.AREA),),
    NodeLabel.HOUSEHOLD: (("area_id", RelType.IN_AREA, NodeLabel.AREA),),
    NodeLabel.PERSON: (("household_id", RelType.MEMBER_OF, NodeLabel.HOUSEHOLD),),
    NodeLabel.AGENCY: (("area_id", RelType.IN_AREA, NodeLabel.AREA),),
    NodeLabel.VENUE: (("area_id", RelType.IN_AREA, NodeLabel.AREA),),
    NodeLabel.EMPLOYER: (("area_id", RelType.IN_AREA, NodeLabel.AREA),),
    NodeLabel.OPPORTUNITY: (
        ("area_id", RelType.IN_AREA, NodeLabel.AREA),
        ("host_id", RelType.HOSTED_BY, "host_label"),
    ),
    NodeLabel.SUPPORTER: (("area_id", RelType.IN_AREA, NodeLabel.AREA),),
    NodeLabel.CASE: (("household_id", RelType.ABOUT, NodeLabel.HOUSEHOLD),),
}


def visible_props(props: Mapping[str, Any]) -> Props:
    """A node's properties without what the store adds (``town``, ``_``-prefixed bookkeeping)."""
    return {k: v for k, v in props.items() if k != "town" and not k.startswith("_")}


# ---------------------------------------------------------------- change set


@dataclass(frozen=True)
class FieldChange:
    field: str
    old: Prop | None
    new: Prop | None


@dataclass
class NodeChange:
    ref: NodeRef
    fields: list[FieldChange]
    row: int | None = None


RelKey = tuple[RelType, NodeRef, NodeRef]


@dataclass
class ChangeSet:
    """What a load creates, changes, clears, deletes and leaves alone (computed before writing)."""

    created: list[NodeRef] = field(default_factory=list)
    changed: list[NodeChange] = field(default_factory=list)
    unchanged: int = 0
    rels_created: list[RelKey] = field(default_factory=list)
    rels_changed: list[tuple[RelKey, list[FieldChange]]] = field(default_factory=list)
    rels_unchanged: int = 0
    rels_deleted: list[RelKey] = field(default_factory=list)
    cleared: list[tuple[NodeRef, str]] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (
            self.created or self.changed or self.rels_created or self.rels_changed or self.rels_deleted
        )

    def counts(self) -> dict[str, int]:
        return {
            "nodes_created": len(self.created),
            "nodes_changed": len(self.changed),
            "nodes_unchanged": self.unchanged,
            "rels_created": len(self.rels_created),
            "rels_changed": len(self.rels_changed),
            "rels_unchanged": self.rels_unchanged,
            "rels_deleted": len(self.rels_deleted),
            "fields_cleared": len(self.cleared),
        }

    def lines(self, *, limit: int = 10, labels: Mapping[str, str] | None = None) -> list[str]:
        """The change set as readable lines (Japanese first): counts, the first created ids, the first changed
        records field by field, cleared fields and deleted relationships."""
        names = dict(labels or {})

        def show(v: Prop | None) -> str:
            if v is None:
                return "(なし)"
            text = repr(v) if not isinstance(v, str) else f"「{v}」"
            return text if len(text) <= 60 else text[:57] + "…"

        def fname(f: str) -> str:
            return f"{names[f]} ({f})" if f in names and names[f] != f else f

        out = [
            f"ノード: 新規 {len(self.created)}・変更 {len(self.changed)}・変更なし {self.unchanged} "
            f"(nodes: {len(self.created)} new, {len(self.changed)} changed, {self.unchanged} unchanged)",
            f"関係: 新規 {len(self.rels_created)}・変更 {len(self.rels_changed)}・変更なし {self.rels_unchanged}・"
            f"削除 {len(self.rels_deleted)} (relationships: {len(self.rels_created)} new, "
            f"{len(self.rels_changed)} changed, {self.rels_unchanged} unchanged, {len(self.rels_deleted)} deleted)",
        ]
        if self.created:
            shown = "、".join(str(r) for r in self.created[:limit])
            more = f" … 他 {len(self.created) - limit} 件" if len(self.created) > limit else ""
            out.append(f"新規 (new): {shown}{more}")
        for ch in self.changed[:limit]:
            where = f" ({ch.row}行目)" if ch.row else ""
            diffs = "、".join(f"{fname(fc.field)}: {show(fc.old)} → {show(fc.new)}" for fc in ch.fields)
            out.append(f"変更 (changed) {ch.ref}{where}: {diffs}")
        if len(self.changed) > limit:
            out.append(
                f"… 変更は他に {len(self.changed) - limit} 件 (and {len(self.changed) - limit} more changed)"
            )
        if self.cleared:
            shown = "、".join(f"{ref} {fname(f)}" for ref, f in self.cleared[:limit])
            more = f" … 他 {len(self.cleared) - limit} 件" if len(self.cleared) > limit else ""
            out.append(f"消去する項目 (fields cleared): {shown}{more}")
        for key, rel_diffs in self.rels_changed[:limit]:
            t, s, d = key
            shown_diffs = "、".join(f"{fname(fc.field)}: {show(fc.old)} → {show(fc.new)}" for fc in rel_diffs)
            out.append(f"関係の変更 (relationship changed) {t.value} {s} → {d}: {shown_diffs}")
        for t, s, d in self.rels_deleted[:limit]:
            out.append(f"関係の削除 (relationship deleted) {t.value} {s} → {d}")
        return out


def _diff(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[FieldChange]:
    return [
        FieldChange(k, old.get(k), new.get(k))
        for k in sorted(set(old) | set(new))
        if k != "id" and old.get(k) != new.get(k)
    ]


# ---------------------------------------------------------------- finalize


def _stored_nodes(store: GraphStore, refs: Iterable[NodeRef]) -> dict[NodeRef, NodeRow]:
    by_label: dict[NodeLabel, list[str]] = {}
    for r in refs:
        by_label.setdefault(r.label, []).append(r.id)
    out: dict[NodeRef, NodeRow] = {}
    for label, ids in by_label.items():
        ids = sorted(set(ids))
        for k in range(0, len(ids), 500):
            for n in store.get_nodes(label, ids[k : k + 500]):
                out[n.ref] = n
    return out


def _stored_rels(
    store: GraphStore, keys: Iterable[RelKey], sources: Iterable[NodeRef], extra_types: Iterable[RelType] = ()
) -> dict[RelKey, RelRow]:
    """Stored relationships among ``keys`` and every stored relationship leaving ``sources`` of a derived type."""
    keys = list(keys)
    srcs = set(sources) | {k[1] for k in keys}
    types = (
        {k[0] for k in keys} | {t for spec in DERIVED_RELS.values() for _f, t, _l in spec} | set(extra_types)
    )
    out: dict[RelKey, RelRow] = {}
    if len(srcs) <= 300:
        for src in sorted(srcs):
            for r in store.relationships(src, types=sorted(types), direction="out"):
                out[(r.type, r.src, r.dst)] = r
        return out
    for t in sorted(types):
        for r in store.iter_rels(t):
            if r.src in srcs:
                out[(r.type, r.src, r.dst)] = r
    return out


def _record_data(row: NodeRow | None) -> dict[str, Any]:
    """The stored record as a dict of record fields (``{}`` for a new record, or one that no longer validates)."""
    if row is None:
        return {}
    try:
        rec = node_from_props(row.label, visible_props(row.props))
    except (ValidationError, ValueError):
        return {}
    return rec.model_dump(mode="json", exclude_none=True)


def _problems(err: ValidationError, origin: Origin, ref: NodeRef) -> list[Problem]:
    out = problems_from_validation(err, file=origin.file, row=origin.row, columns=origin.columns)
    if origin.pointer is not None or origin.label_prefix:
        out = [
            Problem(
                f"{ref.label.ja} {ref.id}: {p.message_ja}",
                f"{ref.label.value} {ref.id}: {p.message_en}",
                field=p.field,
                file=p.file,
                row=p.row,
                column=p.column,
                value=p.value,
            )
            for p in out
        ]
    return out


def _moved(base: Mapping[str, Any], given: Mapping[str, Any]) -> bool:
    return any(k in given and given[k] != base.get(k) for k in ("address", "area_id"))


_SOURCE_RANK = {"host": 2, "area_centre": 2, "municipality_office": 1}


def _rank(point: Mapping[str, Any]) -> int:
    """How good a point is: read from the input (3), a host's or district's (2), a municipality office's (1)."""
    if not point.get("approximate"):
        return 3
    return _SOURCE_RANK.get(str(point.get("source")), 1)


def _merge(draft: NodeDraft, base: dict[str, Any]) -> dict[str, Any]:
    data = dict(base)
    for f in draft.cleared:
        head, _, sub = f.partition(".")
        if sub:
            if isinstance(data.get(head), dict):
                data[head] = {k: v for k, v in data[head].items() if k != sub}
        else:
            data.pop(f, None)
    for f, v in draft.given.items():
        if f == "location" and draft.derived_location and isinstance(v, dict):
            old = base.get("location")
            if (
                isinstance(old, dict)
                and not _moved(base, draft.given)
                and (not old.get("approximate") or _rank(v) < _rank(old))
            ):
                continue  # a derived point never replaces a stored exact one, nor a better approximation
        if f in draft.merge_dicts and isinstance(v, dict) and isinstance(data.get(f), dict):
            data[f] = {**data[f], **v}
        else:
            data[f] = v
    for f, v in draft.defaults.items():
        if data.get(f) is None:
            data[f] = v
    data["id"] = draft.ref.id
    return data


def _rel_data(rel_type: RelType, row: RelRow | None) -> dict[str, Any]:
    if row is None:
        return {}
    try:
        return rel_props_from_store(rel_type, row.props).model_dump(mode="json", exclude_none=True)
    except (ValidationError, ValueError):
        return {}


@dataclass
class Finalized:
    batch: WriteBatch
    changes: ChangeSet
    problems: list[Problem]


def finalize(
    store: GraphStore,
    nodes: Mapping[NodeRef, NodeDraft],
    rels: Sequence[RelDraft] = (),
    *,
    replace_rels: Iterable[tuple[NodeRef, RelType, NodeLabel, Iterable[NodeRef]]] = (),
) -> Finalized:
    """Lay every draft over what the store holds, validate the results, follow the derived relationships, and
    return the batch to write with its change set (and the problems, when any; then nothing may be written).

    ``replace_rels`` lists (source, type, target label, targets): the source's stored relationships of that type
    to any other node of that label are deleted (a case's 担当機関 list given in full)."""
    replace_rels = list(replace_rels)
    stored = _stored_nodes(store, nodes)
    rel_keys = [r.key for r in rels]
    stored_rels = _stored_rels(
        store,
        rel_keys,
        [ref for ref in nodes if ref in stored] + [src for src, _t, _l, _d in replace_rels],
        {t for _s, t, _l, _d in replace_rels},
    )
    problems: list[Problem] = []
    changes = ChangeSet()
    batch = WriteBatch()
    wanted: dict[RelKey, RelDraft] = {}
    deletes: dict[RelKey, None] = {}

    for ref, draft in nodes.items():
        old_row = stored.get(ref)
        base = _record_data(old_row)
        data = _merge(draft, base)
        try:
            record = NODE_MODELS[ref.label].model_validate(data)
        except ValidationError as err:
            problems += _problems(err, draft.origin, ref)
            continue
        props = to_props(record)
        batch.nodes.append(NodeRow(ref.label, ref.id, props))
        old_props = visible_props(old_row.props) if old_row else None
        if old_props is None:
            changes.created.append(ref)
        else:
            diffs = _diff({**old_props, "id": ref.id}, props)
            if diffs:
                changes.changed.append(NodeChange(ref, diffs, draft.origin.row))
            else:
                changes.unchanged += 1
            changes.cleared += [(ref, f) for f in sorted(draft.cleared) if _had(base, f)]
        for fld, rel_type, target in DERIVED_RELS.get(ref.label, ()):
            new_id = getattr(record, fld, None)
            new_label = _target_label(target, record.model_dump())
            old_id, old_label = base.get(fld), _target_label(target, base)
            if new_id and new_label is not None:
                key = (rel_type, ref, NodeRef(new_label, str(new_id)))
                wanted[key] = RelDraft(rel_type, ref, key[2], dict(draft.rel_props.get(rel_type, {})),
                                       origin=draft.origin)  # fmt: skip
            if old_id and old_label is not None and (old_id, old_label) != (new_id, new_label):
                deletes[(rel_type, ref, NodeRef(old_label, str(old_id)))] = None
    for r in rels:
        if r.key in wanted:  # the same relationship from a field and a column: the column's properties win
            wanted[r.key].given.update(r.given)
            wanted[r.key].cleared |= r.cleared
        else:
            wanted[r.key] = r
    for src, rel_type, label, targets in replace_rels:
        keep = set(targets)
        for key in stored_rels:
            if key[0] == rel_type and key[1] == src and key[2].label == label and key[2] not in keep:
                deletes[key] = None

    for key, r in wanted.items():
        spec = REL_SPECS[r.type]
        old = stored_rels.get(key)
        data = _rel_data(r.type, old)
        for f in r.cleared:
            data.pop(f, None)
        data.update(r.given)
        try:
            rec = spec.props.model_validate(data)
        except ValidationError as err:
            problems += problems_from_validation(
                err, file=r.origin.file, row=r.origin.row, columns=r.origin.columns
            )
            continue
        props = to_props(rec)
        batch.rels.append(RelRow(r.type, r.src, r.dst, props))
        if old is None:
            changes.rels_created.append(key)
        else:
            diffs = _diff(dict(old.props), props)
            if diffs:
                changes.rels_changed.append((key, diffs))
            else:
                changes.rels_unchanged += 1
    for key in deletes:
        if key in stored_rels and key not in wanted:
            batch.delete_rels.append(key)
            changes.rels_deleted.append(key)
    return Finalized(batch, changes, problems)


def _had(base: Mapping[str, Any], f: str) -> bool:
    head, _, sub = f.partition(".")
    v = base.get(head)
    return (isinstance(v, dict) and sub in v) if sub else v not in (None, [], "")


def _target_label(target: NodeLabel | str, data: Mapping[str, Any]) -> NodeLabel | None:
    if isinstance(target, NodeLabel):
        return target
    value = data.get(target)
    if value is None:
        return None
    try:
        return NodeLabel(value.value if isinstance(value, NodeLabel) else str(value))
    except ValueError:
        return None


def model_fields(label: NodeLabel) -> set[str]:
    return set(NODE_MODELS[label].model_fields)


def rel_fields(rel_type: RelType) -> set[str]:
    props: type[BaseModel] = REL_SPECS[rel_type].props
    return set(props.model_fields)
