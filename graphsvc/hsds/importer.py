"""Import HSDS 3.0 (JSON documents or the tabular CSV form) into the store, keeping the ingestion contract.

:func:`load_hsds` reads and checks everything (:mod:`graphsvc.hsds.read`), maps the objects to records
(:mod:`graphsvc.hsds.mapping` describes how, and what happens to documents that did not come from tsunagari), lays
them over the stored records (:func:`loaders.contract.finalize`: a field the documents do not give keeps its stored
value unless ``blank=Blank.CLEAR``), and writes everything with **one** ``store.write``, or nothing when any problem
is found. Natural keys match: a tsunagari identifier names its record; an organization from elsewhere is the stored
host whose id is its HSDS id (under any of the three labels), or the one agency with its 事業所番号.
"""

from __future__ import annotations

import typing
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from graphsvc.domain.enums import AreaKind, NodeLabel, RelType, Sector
from graphsvc.domain.errors import DomainValidationError, EndpointMissingError, Problem
from graphsvc.domain.records import NODE_MODELS, NodeRecord
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
)
from graphsvc.hsds.mapping import BYDAY, COMPANY_RE, HOST_LABELS, join_address
from graphsvc.hsds.read import read_hsds
from graphsvc.hsds.tables import Tables, Where
from graphsvc.store.port import GraphStore, NodeRef, WriteResult
from loaders.contract import Blank, ChangeSet, NodeDraft, Origin, RelDraft, finalize

__all__ = ["HsdsLoadReport", "load_hsds"]


@dataclass
class HsdsLoadReport:
    """What :func:`load_hsds` read and wrote (or, in a dry run, would write)."""

    path: Path
    files: list[str] = field(default_factory=list)
    nodes: dict[str, int] = field(default_factory=dict)
    rels: dict[str, int] = field(default_factory=dict)
    areas_created: int = 0
    warnings: list[Problem] = field(default_factory=list)
    result: WriteResult = field(default_factory=WriteResult)
    changes: ChangeSet = field(default_factory=ChangeSet)
    dry_run: bool = False
    blank: Blank = Blank.KEEP

    def __str__(self) -> str:
        nodes = ", ".join(f"{NodeLabel(k).ja} {v}" for k, v in self.nodes.items()) or "なし"
        rels = ", ".join(f"{k} {v}" for k, v in self.rels.items()) or "なし"
        verb = "読み込みました" if not self.dry_run else "検査しました (試行のみ、書き込みなし)"
        verb_en = "loaded HSDS 3.0" if not self.dry_run else "checked HSDS 3.0, dry run: nothing written"
        lines = [
            f"HSDS 3.0 を{verb}: {self.path} ({len(self.files)} ファイル) ({verb_en})",
            f"  ノード (nodes): {nodes}",
            f"  関係 (relationships): {rels}",
            "  空欄・ない項目 (fields not given): "
            + ("消去 (clear)" if self.blank is Blank.CLEAR else "保存済みの値を残す (keep the stored value)"),
        ]
        lines += [f"  {line}" for line in self.changes.lines()]
        if self.areas_created:
            lines.append(f"  地区を作成 (areas created): {self.areas_created}")
        lines += [f"  注意 (warning): {w}" for w in self.warnings]
        return "\n".join(lines)


def _list_field(model: type[NodeRecord], name: str) -> bool:
    info = model.model_fields.get(name)
    return info is not None and typing.get_origin(info.annotation) is list


@dataclass
class _Node:
    ref: NodeRef
    data: dict[str, Any]
    where: Where
    slots: list[dict[str, str]] = field(default_factory=list)
    note: str | None = None
    has_schedule: bool = False
    areas: list[tuple[str, str, str]] = field(default_factory=list)
    seen: set[str] = field(default_factory=set)
    """The kinds of HSDS object that described this record (organization, service, location)."""


_PLACE = {"location", "address"}
_SERVICE_FIELDS = {"schedule", "capacity", "services", "activities"}


def _covered(label: NodeLabel, seen: set[str]) -> set[str]:
    """The record fields the HSDS objects seen carry (what ``Blank.CLEAR`` may clear when they do not give it)."""
    fields = set(NODE_MODELS[label].model_fields) - {"id"}
    service = fields - _PLACE if label is NodeLabel.OPPORTUNITY else _SERVICE_FIELDS & fields
    out: set[str] = set()
    if "location" in seen:
        out |= _PLACE & fields
    if "service" in seen:
        out |= service
    if "organization" in seen:
        out |= fields - _PLACE - service
    return out


class _Importer:
    def __init__(
        self,
        store: GraphStore,
        t: Tables,
        warnings: list[Problem],
        unresolved: list[tuple[str, str, str, str]] | None = None,
    ):
        self.unresolved = list(unresolved or [])
        self.store = store
        self.t = t
        self.warnings = warnings
        self.problems: list[Problem] = []
        self.terms = {r["id"]: r for r in t.all("taxonomy_term")}
        self.attrs = t.by("attribute", "link_id")
        self.nodes: dict[NodeRef, _Node] = {}
        self.rels: list[RelDraft] = []

    def where(self, table: str, rid: str) -> Where:
        return self.t.origin.get((table, rid), ("", None, None))

    def fail(self, ja: str, en: str, table: str, rid: str) -> None:
        f, row, ptr = self.where(table, rid)
        self.problems.append(Problem(ja, en, file=f or None, row=row, field=ptr))

    def existing_org(self, oid: str, idents: list[dict[str, Any]]) -> NodeRef | None:
        """The stored record an organization from elsewhere is: the host with its HSDS id as id (any of the
        three labels), else the one agency with its 事業所番号."""
        for label in HOST_LABELS:
            if self.store.get_node(NodeRef(label, oid)) is not None:
                return NodeRef(label, oid)
        for i in idents:
            if i.get("identifier_scheme") == OFFICE_SCHEME and i.get("identifier"):
                hits = self.store.find_nodes(
                    NodeLabel.AGENCY, {"office_number": str(i["identifier"])}, limit=2
                )
                if len(hits) == 1:
                    return hits[0].ref
        return None

    def stored_orgs(self) -> dict[str, NodeRef | None]:
        """HSDS organization id → the stored record it stands for (the town's placeholder → None)."""
        town = self.store.town
        out: dict[str, NodeRef | None] = {hsds_id(town, "organization", TOWN_TYPE, town): None}
        for label in HOST_LABELS:
            for n in self.store.iter_nodes(label):
                out[hsds_id(town, "organization", label.value, n.id)] = n.ref
                out[n.id] = n.ref
        return out

    def warn(self, ja: str, en: str, table: str, rid: str) -> None:
        f, row, ptr = self.where(table, rid)
        self.warnings.append(Problem(ja, en, file=f or None, row=row, field=ptr))

    def term_of(self, attr: Mapping[str, Any]) -> dict[str, Any] | None:
        return self.terms.get(str(attr.get("taxonomy_term_id")))

    def tsunagari_term(self, term: Mapping[str, Any]) -> str | None:
        tax = term.get("taxonomy")
        if tax in TAXONOMIES:
            return str(tax)
        for name in TAXONOMIES:
            if term.get("taxonomy_id") == taxonomy_id(name):
                return name
        return None

    def node_ref_of(self, link_id: str) -> NodeRef | None:
        for a in self.attrs.get(link_id, []):
            term = self.term_of(a)
            if term and self.tsunagari_term(term) == TAX_FIELD and term.get("code") == NODE_FIELD:
                label, _, nid = str(a.get("value", "")).partition(":")
                try:
                    return NodeRef(NodeLabel(label), nid)
                except ValueError:
                    self.fail(f"つながりのノード「{a.get('value')}」を読めません (種類:ID)",
                              f"cannot read the tsunagari node {a.get('value')!r} (Label:id)", "attribute", str(a["id"]))  # fmt: skip
                    return None
        return None

    def node(self, ref: NodeRef, table: str, rid: str) -> _Node:
        if ref not in self.nodes:
            self.nodes[ref] = _Node(ref, {"id": ref.id}, self.where(table, rid))
        self.nodes[ref].seen.add(table)
        return self.nodes[ref]

    # -- attributes → fields
    def apply_attrs(self, n: _Node, link_id: str, table: str) -> None:
        model = NODE_MODELS[n.ref.label]
        for a in self.attrs.get(link_id, []):
            term = self.term_of(a)
            if term is None:
                continue
            tax = self.tsunagari_term(term)
            code = str(term.get("code") or "")
            value = a.get("value")
            if tax is None:
                sec = _parse_sector(term)
                if (
                    sec
                    and "sectors" in model.model_fields
                    and sec.value not in n.data.setdefault("sectors", [])
                ):
                    n.data["sectors"].append(sec.value)
                continue
            if tax == TAX_SECTOR:
                n.data.setdefault("sectors", []).append(code)
            elif tax == TAX_KIND:
                n.data["kind"] = code.partition(".")[2] or code
            elif tax == TAX_AREA:
                n.areas.append((code, str(term.get("name") or code), str(term.get("description") or "")))
            elif code == NODE_FIELD:
                continue
            elif code == "schedule.note":
                n.has_schedule = True
                n.note = value or None
            elif "." in code:
                head, _, sub = code.partition(".")
                n.data.setdefault(head, {})[sub] = value
            elif code in model.model_fields:
                if _list_field(model, code):
                    n.data.setdefault(code, []).append(value)
                else:
                    n.data[code] = value
            else:
                self.warn(
                    f"{n.ref.label.value} に項目「{code}」はないため無視しました",
                    f"{n.ref.label.value} has no field {code!r}; ignored",
                    "attribute",
                    str(a["id"]),
                )

    def schedules_of(self, sid: str) -> list[dict[str, Any]]:
        sal_ids = {s["id"] for s in self.t.all("service_at_location") if s.get("service_id") == sid}
        return [
            s
            for s in self.t.all("schedule")
            if s.get("service_id") == sid or s.get("service_at_location_id") in sal_ids
        ]

    def apply_schedules(self, n: _Node, sid: str) -> None:
        for s in self.schedules_of(sid):
            if s.get("freq") not in (None, "WEEKLY") or not s.get("byday"):
                self.warn(
                    "毎週の曜日指定でない日程は読み込めません",
                    "only weekly schedules with byday are imported",
                    "schedule",
                    s["id"],
                )
                continue
            if not s.get("opens_at") or not s.get("closes_at"):
                self.warn(
                    "開始・終了時刻のない日程を無視しました",
                    "schedule without times ignored",
                    "schedule",
                    s["id"],
                )
                continue
            for code in str(s["byday"]).split(","):
                wd = BYDAY.get(code.strip().upper())
                if wd is None:
                    self.warn(
                        f"曜日「{code}」を読めません", f"cannot read byday {code!r}", "schedule", s["id"]
                    )
                    continue
                n.slots.append(
                    {"weekday": wd.value, "opens": _hhmm(s["opens_at"]), "closes": _hhmm(s["closes_at"])}
                )
            n.has_schedule = True
            if n.note is None and s.get("notes"):
                n.note = s["notes"]

    def apply_location(self, n: _Node, loc: Mapping[str, Any], *, only_if_empty: bool = False) -> None:
        model = NODE_MODELS[n.ref.label]
        if "location" not in model.model_fields:
            return
        if only_if_empty and ("location" in n.data or "address" in n.data):
            return
        if loc.get("latitude") is not None and loc.get("longitude") is not None:
            point = n.data.setdefault("location", {})
            point["lat"], point["lon"] = loc["latitude"], loc["longitude"]
        addrs = [a for a in self.t.all("address") if a.get("location_id") == loc["id"]]
        if addrs and "address" in model.model_fields:
            n.data["address"] = join_address(addrs[0])
        if loc.get("external_identifier_type") == SCHEME:
            self.apply_attrs(n, loc["id"], "location")
        if "location" in n.data and "lat" not in n.data["location"]:
            del n.data["location"]  # attributes without coordinates

    # -- the mapping
    def run(self) -> None:
        t = self.t
        org_ref: dict[str, NodeRef | None] = {}
        idents = t.by("organization_identifier", "organization_id")
        locs_of = t.by("location", "organization_id")
        sal_of = t.by("service_at_location", "service_id")
        phones = t.by("phone", "organization_id")

        for org in t.all("organization"):
            oid = org["id"]
            mine = [i for i in idents.get(oid, []) if i.get("identifier_scheme") == SCHEME]
            if mine:
                typ, ident = str(mine[0].get("identifier_type")), str(mine[0].get("identifier"))
                if typ == TOWN_TYPE:
                    org_ref[oid] = None
                    continue
                try:
                    label = NodeLabel(typ)
                except ValueError:
                    label = None
                if label not in HOST_LABELS:
                    self.fail(f"つながりの種類「{typ}」は組織になりません (機関・居場所・企業のいずれか)",
                              f"tsunagari type {typ!r} is not an organization (Agency, Venue or Employer)",
                              "organization", oid)  # fmt: skip
                    org_ref[oid] = None
                    continue
                assert label is not None
                ref = NodeRef(label, ident)
                n = self.node(ref, "organization", oid)
                n.data["name"] = org["name"]
                self.tsunagari_org(n, org, idents.get(oid, []), phones.get(oid, []))
                org_ref[oid] = ref
            else:
                ref = self.existing_org(oid, idents.get(oid, [])) or NodeRef(
                    NodeLabel.EMPLOYER
                    if COMPANY_RE.search(f"{org.get('name', '')} {org.get('legal_status', '')}")
                    else NodeLabel.AGENCY,
                    oid,
                )
                n = self.node(ref, "organization", oid)
                n.data["name"] = org["name"]
                self.foreign_org(n, org, idents.get(oid, []), phones.get(oid, []))
                org_ref[oid] = ref
            for loc in locs_of.get(oid, []):
                if loc.get("external_identifier_type") != SCHEME and loc.get("location_type") != "virtual":
                    self.apply_location(n, loc, only_if_empty=True)

        for loc in t.all("location"):
            if loc.get("external_identifier_type") == SCHEME:
                text, _, nid = str(loc.get("external_identifier", "")).partition(":")
                try:
                    lref = NodeRef(NodeLabel(text), nid)
                except ValueError:
                    self.fail(f"external_identifier「{loc.get('external_identifier')}」を読めません (種類:ID)",
                              f"cannot read external_identifier {loc.get('external_identifier')!r} (Label:id)",
                              "location", loc["id"])  # fmt: skip
                    continue
                self.apply_location(self.node(lref, "location", loc["id"]), loc)

        if self.unresolved:
            stored = self.stored_orgs()
            for table, rid, column, org_id in self.unresolved:
                if org_id in stored:
                    org_ref[org_id] = stored[org_id]
                else:
                    ref_text = org_id
                    self.fail(f"{column}「{ref_text}」の組織が入力にもデータベースにもありません",
                              f"{column} {ref_text!r} names an organization neither in the input nor in the store",
                              table, rid)  # fmt: skip
        for svc in t.all("service"):
            sid = svc["id"]
            sref = self.node_ref_of(sid)
            host = org_ref.get(str(svc.get("organization_id"))) if svc.get("organization_id") else None
            if sref is not None:
                n = self.node(sref, "service", sid)
                if sref.label is NodeLabel.OPPORTUNITY:
                    n.data["title"] = svc["name"]
                    if svc.get("description"):
                        n.data["description"] = svc["description"]
                    if host is not None:
                        self.rels.append(
                            RelDraft(
                                RelType.HOSTED_BY, sref, host, origin=Origin(*self.where("service", sid)[:2])
                            )
                        )
                self.apply_attrs(n, sid, "service")
                self.apply_schedules(n, sid)
                continue
            # a service from elsewhere
            if svc.get("organization_id") and svc["organization_id"] in org_ref:
                if host is None or host.label is not NodeLabel.AGENCY:
                    self.warn(
                        "受け入れ先が機関でないサービスは参加メニューにできないため読み飛ばしました",
                        "a service without tsunagari attributes whose organization is not an Agency is skipped",
                        "service",
                        sid,
                    )
                    continue
                n = self.node(host, "service", sid)
                if svc["name"] not in n.data.setdefault("services", []):
                    n.data["services"].append(svc["name"])
                self.apply_attrs(n, sid, "service")  # sectors from the service's terms
                if not n.has_schedule:
                    self.apply_schedules(n, sid)
            else:
                n = self.node(NodeRef(NodeLabel.VENUE, sid), "service", sid)
                n.data["name"] = svc["name"]
                self.apply_attrs(n, sid, "service")
                self.apply_schedules(n, sid)
            for sal in sal_of.get(sid, []):
                sal_loc = t.get("location", sal.get("location_id"))
                if sal_loc and sal_loc.get("location_type") != "virtual":
                    self.apply_location(n, sal_loc, only_if_empty=True)

    def tsunagari_org(
        self, n: _Node, org: Mapping[str, Any], idents: list[dict[str, Any]], phones: list[dict[str, Any]]
    ) -> None:
        model = NODE_MODELS[n.ref.label]
        if org.get("website") and "url" in model.model_fields:
            n.data["url"] = org["website"]
        if phones and "phone" in model.model_fields:
            n.data["phone"] = phones[0]["number"]
        for i in idents:
            if i.get("identifier_scheme") == JCN_SCHEME and "corporate_number" in model.model_fields:
                n.data["corporate_number"] = i["identifier"]
            elif i.get("identifier_scheme") == OFFICE_SCHEME and "office_number" in model.model_fields:
                n.data["office_number"] = i["identifier"]
        self.apply_attrs(n, org["id"], "organization")

    def foreign_org(
        self, n: _Node, org: Mapping[str, Any], idents: list[dict[str, Any]], phones: list[dict[str, Any]]
    ) -> None:
        model = NODE_MODELS[n.ref.label]
        if org.get("website") and "url" in model.model_fields:
            n.data["url"] = org["website"]
        if phones and "phone" in model.model_fields:
            n.data["phone"] = phones[0]["number"]
        for i in idents:
            if i.get("identifier_scheme") == JCN_SCHEME or "法人番号" in str(i.get("identifier_type", "")):
                n.data["corporate_number"] = i["identifier"]
        self.apply_attrs(n, org["id"], "organization")

    # -- drafts
    def drafts(self, blank: Blank) -> tuple[dict[NodeRef, NodeDraft], list[RelDraft], int]:
        """The nodes as drafts (the fields the documents give; with ``Blank.CLEAR`` every other field of a
        record the documents describe is cleared), the relationships, and how many areas are new."""
        drafts: dict[NodeRef, NodeDraft] = {}
        rels: list[RelDraft] = []
        new_areas: set[str] = set()
        for ref, n in self.nodes.items():
            data = dict(n.data)
            if n.has_schedule or n.slots:
                data["schedule"] = {"slots": n.slots, **({"note": n.note} if n.note else {})}
            f, row, ptr = n.where
            origin = Origin(file=f or None, row=row, pointer=ptr, label_prefix=True)
            given = {k: v for k, v in data.items() if k != "id"}
            cleared = _covered(ref.label, n.seen) - set(given) if blank is Blank.CLEAR else set()
            drafts[ref] = NodeDraft(ref, given, cleared, origin=origin)
            for aid, name, desc in n.areas:
                aref = NodeRef(NodeLabel.AREA, aid)
                if aid not in new_areas and self.store.get_node(aref) is None:
                    drafts[aref] = NodeDraft(
                        aref, {"name": name, "kind": _parse_area_kind(desc)}, origin=origin
                    )
                    new_areas.add(aid)
                rels.append(RelDraft(RelType.IN_AREA, ref, aref, origin=origin))
        for r in self.rels:
            rels.append(r)
        return drafts, rels, len(new_areas)


def _parse_sector(term: Mapping[str, Any]) -> Sector | None:
    for text in (term.get("code"), term.get("name")):
        if text:
            try:
                return Sector.parse(str(text))  # type: ignore[return-value]
            except ValueError:
                continue
    return None


def _parse_area_kind(description: str) -> str:
    head = description.split(" (")[0]
    try:
        return AreaKind.parse(head).value
    except ValueError:
        return AreaKind.DISTRICT.value


def _hhmm(text: str) -> str:
    """'09:00:00+09:00' → '09:00'."""
    return str(text).strip()[:5]


def load_hsds(
    store: GraphStore, path: str | Path, *, dry_run: bool = False, blank: Blank | str = Blank.KEEP
) -> HsdsLoadReport:
    """Read HSDS 3.0 JSON documents or the tabular CSV form (a file or a folder) into the store, atomically.

    Raises :class:`DomainValidationError` listing every problem (file, row, JSON pointer or column) when the
    input is damaged, does not validate against the HSDS schemas, names objects that do not exist, or does not
    map to valid records; nothing is then written. With ``dry_run`` nothing is written either way: the report's
    change set says what would be.
    """
    blank = Blank(blank)
    root = Path(path)
    read = read_hsds(root)
    report = HsdsLoadReport(
        path=root, files=read.files, warnings=list(read.warnings), dry_run=dry_run, blank=blank
    )
    imp = _Importer(store, read.tables, report.warnings, read.unresolved)
    imp.run()
    if imp.problems:
        raise DomainValidationError(imp.problems)
    drafts, rels, areas = imp.drafts(blank)
    done = finalize(store, drafts, rels)
    if done.problems:
        raise DomainValidationError(done.problems)
    in_batch = {n.ref for n in done.batch.nodes}
    missing = sorted({ref for r in done.batch.rels for ref in (r.src, r.dst) if ref not in in_batch})
    found = {
        n.ref
        for label in {m.label for m in missing}
        for n in store.get_nodes(label, [m.id for m in missing if m.label == label])
    }
    lost = [m for m in missing if m not in found]
    if lost:
        raise EndpointMissingError(
            [
                Problem(
                    f"{m.label.ja}「{m.id}」が入力にもデータベースにもありません",
                    f"{m} exists neither in the input nor in the store",
                    value=m.id,
                )
                for m in lost
            ]
        )
    nodes: Counter[str] = Counter(n.label.value for n in done.batch.nodes if n.ref in imp.nodes)
    rel_counts: Counter[str] = Counter(r.type.value for r in done.batch.rels)
    report.nodes, report.rels, report.areas_created = dict(nodes), dict(rel_counts), areas
    report.changes = done.changes
    if not dry_run and len(done.batch):
        report.result = store.write(done.batch)
    return report
