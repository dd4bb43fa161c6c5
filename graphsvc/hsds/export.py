"""Export a town's resources as HSDS 3.0: the nested JSON documents and the tabular CSV form.

:func:`build_documents` gives the documents (what the API serves, see :mod:`graphsvc.hsds.query`);
:func:`export_hsds` validates every document and every CSV row against the HSDS schemas and only then writes the
files (``organizations.json``, ``services.json`` in the compiled nested form, ``service_at_locations.json``,
``locations.json``, ``taxonomy_terms.json``, ``taxonomies.json``, and ``tabular/<table>.csv``). The mapping is
:mod:`graphsvc.hsds.mapping`.
"""

from __future__ import annotations

import contextlib
import json
import threading
import weakref
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from graphsvc.domain.codec import node_from_props
from graphsvc.domain.enums import AreaKind, NodeLabel, RelType, Sector
from graphsvc.domain.errors import DomainValidationError
from graphsvc.domain.records import NODE_MODELS, NodeRecord
from graphsvc.domain.values import Schedule
from graphsvc.hsds import schema as sch
from graphsvc.hsds.ids import (
    JCN_SCHEME,
    NODE_FIELD,
    OFFICE_SCHEME,
    SCHEME,
    TAX_AREA,
    TAX_FIELD,
    TAX_KIND,
    TAX_SECTOR,
    TAXONOMIES,
    TOWN_TYPE,
    hsds_id,
    taxonomy_id,
    term_id,
)
from graphsvc.hsds.mapping import (
    DOC_FILES,
    FIELD_JA,
    HOST_LABELS,
    KIND_ENUMS,
    NATIVE,
    RESOURCE_LABELS,
    SERVICE_SIDE,
    last_modified,
    split_address,
    text_value,
)
from graphsvc.hsds.tables import Tables
from graphsvc.hsds.tabular import write_csv_table
from graphsvc.hsds.validation import validate_documents, validate_tables
from graphsvc.store.port import GraphStore, NodeRef, NodeRow

__all__ = ["Documents", "ExportReport", "build_documents", "build_tables", "export_hsds"]

Documents = dict[str, list[dict[str, Any]]]
"""HSDS documents by table: ``organization``, ``service``, ``service_at_location``, ``location``,
``taxonomy_term``, ``taxonomy``."""


@dataclass
class ExportReport:
    """What :func:`export_hsds` wrote: objects per HSDS table, nodes per label, files."""

    out_dir: Path
    tables: dict[str, int] = field(default_factory=dict)
    nodes: dict[str, int] = field(default_factory=dict)
    files: list[Path] = field(default_factory=list)

    def __str__(self) -> str:
        nodes = ", ".join(f"{NodeLabel(k).ja} {v}" for k, v in self.nodes.items())
        tables = ", ".join(f"{k} {v}" for k, v in self.tables.items() if v)
        return (
            f"HSDS 3.0 を書き出しました: {self.out_dir} (exported HSDS 3.0)\n"
            f"  ノード (nodes): {nodes}\n  HSDS: {tables}\n  ファイル (files): {len(self.files)}"
        )


class _Builder:
    """Builds the HSDS objects of a town from its store, as flat tables (``t``) and nested documents."""

    def __init__(self, store: GraphStore):
        self.store = store
        self.town = store.town
        self.t = Tables()
        self.attr_seq: Counter[str] = Counter()
        self.modified: dict[NodeRef, datetime | None] = {}

    # -- vocabulary
    def term(self, taxonomy: str, code: str, name: str, description: str, parent: str | None = None) -> str:
        town = self.town if taxonomy == TAX_AREA else ""
        tid = term_id(taxonomy, code, town)
        row: dict[str, Any] = {
            "id": tid,
            "code": code,
            "name": name,
            "description": description,
            "taxonomy": taxonomy,
            "taxonomy_id": taxonomy_id(taxonomy),
            "language": "ja",
        }
        if parent:
            row["parent_id"] = parent
        self.t.add("taxonomy_term", row)
        self.t.add(
            "taxonomy",
            {
                "id": taxonomy_id(taxonomy),
                "name": taxonomy,
                "description": TAXONOMIES[taxonomy],
                "version": "1",
            },
        )
        return tid

    def attr(self, entity: str, link_id: str, term_id: str, link_type: str, value: str | None) -> None:
        seq = self.attr_seq[link_id]
        self.attr_seq[link_id] += 1
        row: dict[str, Any] = {
            "id": hsds_id(self.town, "attribute", link_id, str(seq)),
            "link_id": link_id,
            "taxonomy_term_id": term_id,
            "link_type": link_type,
            "link_entity": entity,
        }
        if value is not None:
            row["value"] = value
        self.t.add("attribute", row)

    def field_attr(
        self, entity: str, link_id: str, name: str, value: Any, model: type[NodeRecord] | None
    ) -> None:
        desc = name
        if model is not None and name in model.model_fields:
            desc = model.model_fields[name].description or name
        ja = FIELD_JA.get(name, desc)
        tid = self.term(TAX_FIELD, name, ja, f"tsunagari field {name}")
        values = value if isinstance(value, list) else [value]
        for v in values:
            self.attr(entity, link_id, tid, "tsunagari_field", text_value(v))

    def kind_attr(self, entity: str, link_id: str, label: NodeLabel, kind: str) -> None:
        enum = KIND_ENUMS[label]
        parent = self.term(TAX_KIND, label.value, label.ja, label.en)
        member = enum(kind)
        tid = self.term(TAX_KIND, f"{label.value}.{kind}", member.ja, member.en, parent)
        self.attr(entity, link_id, tid, "kind", kind)

    def sector_attrs(self, entity: str, link_id: str, sectors: Iterable[str]) -> None:
        for s in sectors:
            sec = Sector(s)
            self.attr(entity, link_id, self.term(TAX_SECTOR, sec.value, sec.ja, sec.en), "sector", sec.value)

    def area_attrs(
        self, entity: str, link_id: str, area_ids: Iterable[str], areas: Mapping[str, NodeRow]
    ) -> None:
        for aid in area_ids:
            row = areas.get(aid)
            name = str(row.props.get("name", aid)) if row else aid
            kind = AreaKind(str(row.props.get("kind", "district"))) if row else AreaKind.DISTRICT
            tid = self.term(TAX_AREA, aid, name, f"{kind.ja} ({kind.en})")
            self.attr(entity, link_id, tid, "area", aid)

    # -- objects
    def location(self, label: NodeLabel, rec: NodeRecord, org_id: str | None) -> str | None:
        point = getattr(rec, "location", None)
        address = getattr(rec, "address", None)
        if point is None and not address:
            return None
        lid = hsds_id(self.town, "location", label.value, rec.id)
        row: dict[str, Any] = {
            "id": lid,
            "location_type": "physical",
            "name": getattr(rec, "name", None) or getattr(rec, "title", None),
            "external_identifier": f"{label.value}:{rec.id}",
            "external_identifier_type": SCHEME,
        }
        if org_id:
            row["organization_id"] = org_id
        if point is not None:
            row["latitude"] = point.lat
            row["longitude"] = point.lon
        self.t.add("location", row)
        if address:
            self.t.add(
                "address",
                {
                    "id": hsds_id(self.town, "address", label.value, rec.id),
                    "location_id": lid,
                    **split_address(address),
                    "address_type": "physical",
                },
            )
        if point is not None:
            self.field_attr("location", lid, "location.approximate", point.approximate, None)
            if point.source:
                self.field_attr("location", lid, "location.source", point.source, None)
        return lid

    def schedules(self, service_id: str, schedule: Schedule | None) -> None:
        if schedule is None:
            return
        for i, item in enumerate(schedule.to_hsds(service_id=service_id, id_prefix="x")):
            item["id"] = hsds_id(self.town, "schedule", service_id, str(i))
            self.t.add("schedule", item)
        self.field_attr("service", service_id, "schedule.note", schedule.note or "", None)

    def generic(self, entity: str, link_id: str, rec: NodeRecord, names: Iterable[str]) -> None:
        data = rec.model_dump(mode="json", exclude_none=True)
        model = type(rec)
        for name in names:
            value = data.get(name)
            if value is None or value == []:
                continue
            if name == "capacity":
                for k in ("maximum", "available", "unit"):
                    if value.get(k) is not None:
                        self.field_attr(entity, link_id, f"capacity.{k}", value[k], None)
                continue
            self.field_attr(entity, link_id, name, value, model)

    def sal(self, service_id: str, location_id: str) -> None:
        self.t.add(
            "service_at_location",
            {
                "id": hsds_id(self.town, "sal", service_id, location_id),
                "service_id": service_id,
                "location_id": location_id,
            },
        )

    def town_org(self) -> str:
        oid = hsds_id(self.town, "organization", TOWN_TYPE, self.town)
        self.t.add(
            "organization",
            {
                "id": oid,
                "name": self.town,
                "description": f"{self.town} の参加メニュー (受け入れ先未設定) "
                "(placeholder organization for opportunities without a host)",
            },
        )
        self.t.add(
            "organization_identifier",
            {
                "id": hsds_id(self.town, "identifier", oid, SCHEME),
                "organization_id": oid,
                "identifier_scheme": SCHEME,
                "identifier_type": TOWN_TYPE,
                "identifier": self.town,
            },
        )
        return oid

    def run(self) -> dict[str, int]:
        store = self.store
        recs: dict[NodeLabel, list[NodeRecord]] = {}
        for label in RESOURCE_LABELS:
            rows = sorted(store.iter_nodes(label), key=lambda n: n.id)
            self.modified.update({r.ref: r.modified for r in rows})
            recs[label] = [node_from_props(label, r.props) for r in rows]
        in_area: dict[NodeRef, list[str]] = defaultdict(list)
        for r in store.iter_rels(RelType.IN_AREA):
            if r.src.label in RESOURCE_LABELS:
                in_area[r.src].append(r.dst.id)
        hosted: dict[str, NodeRef] = {}
        for r in store.iter_rels(RelType.HOSTED_BY):
            hosted[r.src.id] = r.dst
        areas = {a.id: a for a in store.iter_nodes(NodeLabel.AREA)}

        org_of: dict[NodeRef, str] = {}
        loc_of: dict[NodeRef, str] = {}
        for label in HOST_LABELS:
            model = NODE_MODELS[label]
            for rec in recs[label]:
                ref = NodeRef(label, rec.id)
                oid = hsds_id(self.town, "organization", label.value, rec.id)
                org_of[ref] = oid
                data = rec.model_dump(mode="json", exclude_none=True)
                kind = data.get("kind")
                what = KIND_ENUMS[label](kind).ja if kind else (data.get("industry") or label.ja)
                org: dict[str, Any] = {"id": oid, "name": data["name"], "description": f"{what} ({label.en})"}
                if data.get("url"):
                    org["website"] = data["url"]
                self.t.add("organization", org)
                idents = [(SCHEME, label.value, rec.id)]
                if data.get("corporate_number"):
                    idents.append((JCN_SCHEME, "法人番号 (corporate number)", data["corporate_number"]))
                if data.get("office_number"):
                    idents.append((OFFICE_SCHEME, "事業所番号 (office number)", data["office_number"]))
                for scheme, typ, ident in idents:
                    self.t.add(
                        "organization_identifier",
                        {
                            "id": hsds_id(self.town, "identifier", oid, scheme),
                            "organization_id": oid,
                            "identifier_scheme": scheme,
                            "identifier_type": typ,
                            "identifier": ident,
                        },
                    )
                if data.get("phone"):
                    self.t.add(
                        "phone",
                        {
                            "id": hsds_id(self.town, "phone", oid),
                            "organization_id": oid,
                            "number": data["phone"],
                        },
                    )
                if kind:
                    self.kind_attr("organization", oid, label, kind)
                self.sector_attrs("organization", oid, data.get("sectors", []))
                self.area_attrs("organization", oid, in_area.get(ref, []), areas)
                org_fields = [f for f in model.model_fields if f not in NATIVE and f not in SERVICE_SIDE]
                self.generic("organization", oid, rec, org_fields)
                lid = self.location(label, rec, oid)
                if lid:
                    loc_of[ref] = lid
                if label is NodeLabel.EMPLOYER:
                    continue
                sid = hsds_id(self.town, "service", label.value, rec.id)
                listed = data.get("services") or data.get("activities") or []
                svc = {
                    "id": sid,
                    "organization_id": oid,
                    "name": f"{data['name']} 相談窓口" if label is NodeLabel.AGENCY else data["name"],
                    "description": "、".join(listed) if listed else what,
                    "status": "active",
                    **last_modified(self.modified.get(ref)),
                }
                self.t.add("service", svc)
                self.field_attr("service", sid, NODE_FIELD, f"{label.value}:{rec.id}", None)
                self.schedules(sid, getattr(rec, "schedule", None))
                self.generic("service", sid, rec, [f for f in model.model_fields if f in SERVICE_SIDE])
                if lid:
                    self.sal(sid, lid)

        model = NODE_MODELS[NodeLabel.OPPORTUNITY]
        for rec in recs[NodeLabel.OPPORTUNITY]:
            ref = NodeRef(NodeLabel.OPPORTUNITY, rec.id)
            data = rec.model_dump(mode="json", exclude_none=True)
            sid = hsds_id(self.town, "service", NodeLabel.OPPORTUNITY.value, rec.id)
            host = hosted.get(rec.id)
            svc = {
                "id": sid,
                "organization_id": org_of[host] if host in org_of else self.town_org(),
                "name": data["title"],
                "status": "active",
                **last_modified(self.modified.get(ref)),
            }
            if data.get("description"):
                svc["description"] = data["description"]
            self.t.add("service", svc)
            self.field_attr("service", sid, NODE_FIELD, f"{ref.label.value}:{rec.id}", None)
            self.kind_attr("service", sid, NodeLabel.OPPORTUNITY, data["kind"])
            self.sector_attrs("service", sid, data.get("sectors", []))
            self.area_attrs("service", sid, in_area.get(ref, []), areas)
            self.schedules(sid, rec.schedule)  # type: ignore[attr-defined]
            self.generic("service", sid, rec, [f for f in model.model_fields if f not in NATIVE])
            lid = self.location(NodeLabel.OPPORTUNITY, rec, None) or (loc_of.get(host) if host else None)
            if lid:
                self.sal(sid, lid)
        return {label.value: len(recs[label]) for label in RESOURCE_LABELS}

    # -- documents
    def documents(self) -> dict[str, list[dict[str, Any]]]:
        t = self.t
        terms = {r["id"]: r for r in t.all("taxonomy_term")}
        attrs = t.by("attribute", "link_id")

        def attr_docs(link_id: str) -> list[dict[str, Any]]:
            return [{**a, "taxonomy_term": terms[a["taxonomy_term_id"]]} for a in attrs.get(link_id, [])]

        def with_children(row: dict[str, Any], **children: list[dict[str, Any]]) -> dict[str, Any]:
            out = dict(row)
            out.update({k: v for k, v in children.items() if v})
            return out

        addresses = t.by("address", "location_id")
        locs = {
            r["id"]: with_children(r, addresses=addresses.get(r["id"], []), attributes=attr_docs(r["id"]))
            for r in t.all("location")
        }
        locs_of_org = defaultdict(list)
        for loc in locs.values():
            if loc.get("organization_id"):
                locs_of_org[loc["organization_id"]].append(loc)
        phones = t.by("phone", "organization_id")
        idents = t.by("organization_identifier", "organization_id")
        orgs = {
            r["id"]: with_children(
                r,
                phones=phones.get(r["id"], []),
                locations=locs_of_org.get(r["id"], []),
                organization_identifiers=idents.get(r["id"], []),
                attributes=attr_docs(r["id"]),
            )
            for r in t.all("organization")
        }
        sals = {r["id"]: {**r, "location": locs[r["location_id"]]} for r in t.all("service_at_location")}
        sal_of = defaultdict(list)
        for s in sals.values():
            sal_of[s["service_id"]].append(s)
        scheds = t.by("schedule", "service_id")
        services = [
            with_children(
                {**r, "organization": orgs[r["organization_id"]]},
                schedules=scheds.get(r["id"], []),
                service_at_locations=sal_of.get(r["id"], []),
                attributes=attr_docs(r["id"]),
            )
            for r in t.all("service")
        ]
        return {
            "organization": list(orgs.values()),
            "service": services,
            "service_at_location": list(sals.values()),
            "location": list(locs.values()),
            "taxonomy_term": t.all("taxonomy_term"),
            "taxonomy": t.all("taxonomy"),
        }


def _build(store: GraphStore) -> tuple[_Builder, dict[str, int]]:
    b = _Builder(store)
    nodes = b.run()
    return b, nodes


_CACHE: weakref.WeakKeyDictionary[Any, tuple[int, Documents]] = weakref.WeakKeyDictionary()
_CACHE_LOCK = threading.Lock()


def build_documents(store: GraphStore) -> Documents:
    """The town's HSDS documents (nested, as the JSON files and the API give them).

    Cached per store object while its :meth:`~graphsvc.store.port.GraphStore.revision` stays the same (a store
    that cannot tell its revision is read afresh every time). Callers must not modify the result."""
    rev = store.revision()
    if rev is not None:
        with _CACHE_LOCK:
            hit = _CACHE.get(store)
        if hit is not None and hit[0] == rev:
            return hit[1]
    b, _ = _build(store)
    docs = b.documents()
    if rev is not None:
        with (
            _CACHE_LOCK,
            contextlib.suppress(TypeError),
        ):  # a store that takes no weak reference is not cached
            _CACHE[store] = (rev, docs)
    return docs


def build_tables(store: GraphStore) -> dict[str, list[dict[str, Any]]]:
    """The town's HSDS objects as the tables of the tabular form (table → rows)."""
    b, _ = _build(store)
    return {t: b.t.all(t) for t in sch.TABLES}


def export_hsds(store: GraphStore, out_dir: str | Path) -> ExportReport:
    """Write the town's resources as HSDS 3.0 JSON documents and the tabular CSV form under ``out_dir``.

    Every document and CSV row is validated against the HSDS schemas first; a failure raises
    :class:`DomainValidationError` and writes nothing. CSV cells are safe to open in a spreadsheet
    (:mod:`graphsvc.hsds.tabular`).
    """
    out = Path(out_dir)
    b, nodes = _build(store)
    docs = b.documents()
    tables = {t: b.t.all(t) for t in sch.TABLES}
    problems = validate_documents(docs, DOC_FILES) + validate_tables(tables)
    if problems:
        raise DomainValidationError(problems)
    report = ExportReport(out_dir=out, nodes=nodes)
    out.mkdir(parents=True, exist_ok=True)
    for table, items in docs.items():
        p = out / DOC_FILES[table]
        p.write_text(json.dumps(items, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        report.files.append(p)
    tdir = out / "tabular"
    tdir.mkdir(exist_ok=True)
    for table in sch.TABLES:
        p = tdir / sch.table_path(table)
        report.tables[table] = write_csv_table(p, table, tables[table])
        report.files.append(p)
    return report
