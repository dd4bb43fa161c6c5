"""Open Referral HSDS 3.0 import and export of the town's resources (agencies, venues, employers, opportunities).

:func:`export_hsds` writes the JSON documents (``organizations.json``, ``services.json`` in the compiled nested
form, ``service_at_locations.json``, ``locations.json``, ``taxonomy_terms.json``, ``taxonomies.json``) and the
tabular form (``tabular/<path>.csv``, one file per table of ``compiled/tabular.json``); every document and every
CSV row is validated against the HSDS schemas before anything is written. :func:`load_hsds` reads a folder or a
file of either form, validates it, maps it to records and writes them with **one** ``store.write`` (nothing is
written when any problem is found). A folder is read flat: its ``*.json`` and ``*.csv`` files, not sub-folders
(so ``load_hsds(store, out)`` reads the JSON documents and ``load_hsds(store, out / "tabular")`` the CSV form).

Mapping (tsunagari ⇄ HSDS 3.0)
------------------------------

======================  ===================================================================================
tsunagari               HSDS
======================  ===================================================================================
Agency                  ``organization`` + one ``service`` (its consultation service: schedule, capacity,
                        ``services``) + ``location`` (+ ``service_at_location``) when it has a point/address
Venue                   ``organization`` (the operator) + ``service`` (the gathering: schedule, capacity,
                        activities) + ``location`` + ``service_at_location``
Employer                ``organization`` + ``location``
Opportunity             ``service`` (name=title, description, status ``active``, ``organization_id`` = its
                        host's organization, ``schedules``) + its own ``location`` if it has one, else a
                        ``service_at_location`` at its host's location
external id, label      ``organization_identifiers`` {scheme ``tsunagari``, type = label, identifier = id};
                        services: attribute ``tsunagari:field/_node`` = ``"Label:id"``; locations:
                        ``external_identifier`` = ``"Label:id"``, ``external_identifier_type`` = ``tsunagari``
name / title            ``organization.name`` / ``service.name``
location (GeoPoint)     ``location.latitude/longitude``; ``approximate``/``source`` as location attributes
address                 ``address`` (prefecture → ``state_province``, municipality → ``city``, rest →
                        ``address_1``, ``country`` JP); re-joined on import
phone / url             ``organization.phones[0].number`` / ``organization.website``
corporate_number        ``organization_identifiers`` {scheme ``JP-JCN``} (法人番号)
office_number           ``organization_identifiers`` {scheme ``tsunagari:office_number``} (事業所番号)
schedule                ``schedule`` objects: freq WEEKLY, byday MO..SU, opens_at/closes_at HH:MM:SS, wkst MO;
                        the note in ``schedule.notes`` and attribute ``schedule.note``
kind                    attribute → ``taxonomy_term`` of taxonomy ``tsunagari:kind`` (code ``Label.kind``,
                        child of a term per label)
sectors                 attributes → terms of ``tsunagari:sector`` (name = 高齢(介護), 障害, 子ども・子育て …)
IN_AREA                 attributes → terms of ``tsunagari:area`` (code = Area id, name = Area name); a missing
                        Area is created on import with that name
capacity                attributes ``capacity.maximum``/``capacity.available``/``capacity.unit`` (HSDS 3.0 has
                        no capacity; 3.1's ``service_capacity`` has the same three fields)
every other field       attribute → term of ``tsunagari:field`` (code = field name), ``value`` = the value as
                        text; one attribute per item for lists (difficulty, contact_load, physical_load,
                        skills_wanted, provides, support, host_id, host_label, area_id, industry …)
HOSTED_BY               ``service.organization_id``; an opportunity without a host belongs to the town's
                        placeholder organization (identifier type ``town``), which is not a node
modification time       ``service.last_modified`` (the only HSDS 3.0 object with one): the store's time of the
                        last change of the service's node (``NodeRow.modified``, ISO 8601 UTC with
                        microseconds, ``Z``); omitted when unknown. Ignored on import (the store keeps its own)
======================  ===================================================================================

No HSDS object gets an invented top-level property (the schemas would allow it: none sets
``additionalProperties``, but other consumers would not understand it). Ids are uuid5 over a fixed
namespace and (town, object, label, external id), so an export is deterministic and re-import idempotent.

Documents that did not come from tsunagari (no ``tsunagari`` identifiers or attributes):

- an ``organization`` becomes an ``Employer`` when its name or ``legal_status`` shows a company form (株式会社,
  有限会社, 合同会社 …), else an ``Agency`` of kind ``other``; its id is the HSDS id;
- its ``service`` s are added to the Agency's ``services`` (names) and the first one's schedule becomes the
  Agency's schedule when it has none; services of an Employer are skipped with a warning (an Opportunity is
  made only from a service that carries tsunagari attributes: kind, loads and capacity cannot be guessed);
- a ``service`` with no organization becomes a ``Venue`` (name, schedule, its first location);
- the first physical location of the organization (or of its services) gives the point and the address;
- terms whose name or code reads as a sector (高齢, 障害, 子ども, 生活困窮 …) give ``sectors``.
"""

from __future__ import annotations

import json
import re
import typing
import uuid
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from graphsvc.domain.codec import node_from_props, to_props, validate_node
from graphsvc.domain.enums import (
    AgencyKind,
    AreaKind,
    NodeLabel,
    OpportunityKind,
    RelType,
    Sector,
    VenueKind,
    Weekday,
)
from graphsvc.domain.errors import DomainValidationError, Problem
from graphsvc.domain.records import NODE_MODELS, Area, NodeRecord
from graphsvc.domain.values import Schedule
from graphsvc.store.port import GraphStore, NodeRef, NodeRow, RelRow, WriteBatch, WriteResult
from loaders import hsds_tabular as tab

__all__ = [
    "HSDS_NAMESPACE",
    "ExportReport",
    "HsdsLoadReport",
    "export_hsds",
    "hsds_id",
    "load_hsds",
]

HSDS_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:tsunagari:hsds:3.0")
SCHEME = "tsunagari"
JCN_SCHEME = "JP-JCN"
OFFICE_SCHEME = "tsunagari:office_number"
TAX_FIELD = "tsunagari:field"
TAX_SECTOR = "tsunagari:sector"
TAX_KIND = "tsunagari:kind"
TAX_AREA = "tsunagari:area"
TOWN_TYPE = "town"
NODE_FIELD = "_node"

HOST_LABELS = (NodeLabel.AGENCY, NodeLabel.VENUE, NodeLabel.EMPLOYER)
RESOURCE_LABELS = (*HOST_LABELS, NodeLabel.OPPORTUNITY)
_KIND_ENUMS: dict[NodeLabel, type] = {
    NodeLabel.AGENCY: AgencyKind,
    NodeLabel.VENUE: VenueKind,
    NodeLabel.OPPORTUNITY: OpportunityKind,
}
_TAXONOMIES = {
    TAX_FIELD: ("つながりの項目 (tsunagari record fields carried as attribute values)"),
    TAX_SECTOR: ("分野 (sectors of support)"),
    TAX_KIND: ("種別 (kinds of agencies, venues and opportunities)"),
    TAX_AREA: ("地区 (areas of the town)"),
}
# Fields with a native HSDS place (not carried as tsunagari:field attributes).
_NATIVE = {
    "id",
    "name",
    "title",
    "description",
    "location",
    "address",
    "phone",
    "url",
    "schedule",
    "kind",
    "sectors",
    "corporate_number",
    "office_number",
}
# Fields of Agency/Venue carried on their service rather than on the organization.
_SERVICE_SIDE = {"capacity", "services", "activities"}
_FIELD_JA = {
    NODE_FIELD: "つながりのノード",
    "difficulty": "難易度",
    "contact_load": "対人負荷",
    "physical_load": "身体負荷",
    "skills_wanted": "求めるスキル",
    "provides": "提供するもの",
    "support": "受け入れ先の支援",
    "accessibility": "アクセシビリティ",
    "contact_person": "担当者",
    "hours_per_session": "1回の時間",
    "remote": "在宅・遠隔で可",
    "host_id": "受け入れ先ID",
    "host_label": "受け入れ先の種類",
    "area_id": "地区ID",
    "industry": "業種",
    "welfare_workplace": "福祉的就労の事業所",
    "corporation": "法人の名称",
    "services": "実施サービス",
    "activities": "活動",
    "caseload_limit": "担当できるケース数の目安",
    "capacity.maximum": "定員",
    "capacity.available": "空き",
    "capacity.unit": "定員の単位",
    "location.approximate": "位置は概略",
    "location.source": "位置の出典",
    "schedule.note": "日程の特記事項",
}
_PREF_RE = re.compile(r"^(北海道|東京都|(?:京都|大阪)府|[^\s\d]{2,3}県)")
_CITY_RE = re.compile(r"^((?:[^\s\d]{1,5}郡)?[^\s\d]{1,6}?[市区町村])")
_COMPANY_RE = re.compile(r"株式会社|有限会社|合同会社|合資会社|合名会社|[(（][株有][)）]")
_BYDAY = {w.hsds: w for w in Weekday}


def hsds_id(town: str, *parts: str) -> str:
    """A deterministic HSDS uuid for (town, parts …)."""
    return str(uuid.uuid5(HSDS_NAMESPACE, "|".join((town, *parts))))


def _term_id(taxonomy: str, code: str, town: str = "") -> str:
    return hsds_id(town, "term", taxonomy, code)


def _taxonomy_id(taxonomy: str) -> str:
    return hsds_id("", "taxonomy", taxonomy)


# ================================================================ reports


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


@dataclass
class HsdsLoadReport:
    """What :func:`load_hsds` read and wrote: nodes per label, relationships per type, warnings."""

    path: Path
    files: list[str] = field(default_factory=list)
    nodes: dict[str, int] = field(default_factory=dict)
    rels: dict[str, int] = field(default_factory=dict)
    areas_created: int = 0
    warnings: list[Problem] = field(default_factory=list)
    result: WriteResult = field(default_factory=WriteResult)

    def __str__(self) -> str:
        nodes = ", ".join(f"{NodeLabel(k).ja} {v}" for k, v in self.nodes.items()) or "なし"
        rels = ", ".join(f"{k} {v}" for k, v in self.rels.items()) or "なし"
        r = self.result
        lines = [
            f"HSDS 3.0 を読み込みました: {self.path} ({len(self.files)} ファイル) (loaded HSDS 3.0)",
            f"  ノード (nodes): {nodes}",
            f"  関係 (relationships): {rels}",
            f"  新規 {r.nodes_created} / 更新 {r.nodes_updated} ノード, 新規 {r.rels_created} 関係 "
            f"(created {r.nodes_created} / updated {r.nodes_updated} nodes, created {r.rels_created} rels)",
        ]
        if self.areas_created:
            lines.append(f"  地区を作成 (areas created): {self.areas_created}")
        lines += [f"  注意 (warning): {w}" for w in self.warnings]
        return "\n".join(lines)


# ================================================================ tables


@dataclass
class _Tables:
    """HSDS objects flattened to the tabular model: table → id → row, each row with where it was read."""

    rows: dict[str, dict[str, dict[str, Any]]] = field(default_factory=lambda: defaultdict(dict))
    origin: dict[tuple[str, str], tuple[str, int | None, str | None]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def add(
        self, table: str, row: Mapping[str, Any], where: tuple[str, int | None, str | None] = ("", None, None)
    ):
        rid = str(row["id"])
        have = self.rows[table].get(rid)
        if have is None:
            self.rows[table][rid] = dict(row)
            self.origin[(table, rid)] = where
            return
        for k, v in row.items():
            if k not in have:
                have[k] = v
            elif have[k] != v:
                self.problems.append(
                    Problem(
                        f"同じID {rid} の {table} で「{k}」の値が食い違っています",
                        f"{table} {rid} appears twice with different {k!r}",
                        file=where[0] or None,
                        row=where[1],
                        field=(where[2] or "") + f"/{k}" if where[2] is not None else k,
                        value=str(v)[:80],
                    )
                )

    def get(self, table: str, rid: str | None) -> dict[str, Any] | None:
        return self.rows[table].get(rid) if rid else None

    def all(self, table: str) -> list[dict[str, Any]]:
        return list(self.rows[table].values())

    def by(self, table: str, key: str) -> dict[str, list[dict[str, Any]]]:
        out: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for r in self.rows[table].values():
            if r.get(key):
                out[str(r[key])].append(r)
        return out


# ================================================================ export


def _split_address(address: str) -> dict[str, str]:
    """'三重県鳥羽市鳥羽3-1-1' → state_province, city, address_1 (joined back exactly, else all in address_1)."""
    pref = city = ""
    rest = address
    m = _PREF_RE.match(rest)
    if m:
        pref, rest = m.group(1), rest[m.end() :]
        c = _CITY_RE.match(rest)
        if c and c.end() < len(rest):
            city, rest = c.group(1), rest[c.end() :]
    if pref + city + rest != address or not rest:
        pref, city, rest = "", "", address
    return {"address_1": rest, "city": city, "state_province": pref, "postal_code": "", "country": "JP"}


def _join_address(a: Mapping[str, Any]) -> str:
    postal = str(a.get("postal_code") or "").strip()
    parts = [str(a.get(k) or "") for k in ("state_province", "city", "address_1", "address_2")]
    text = "".join(parts).strip()
    return f"〒{postal} {text}" if postal else text


def _last_modified(when: datetime | None) -> dict[str, str]:
    """``{"last_modified": …}`` (RFC 3339 in UTC, ``Z``) when the time is known, else nothing."""
    if when is None:
        return {}
    return {"last_modified": when.astimezone(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")}


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    return str(value)


class _Exporter:
    def __init__(self, store: GraphStore):
        self.store = store
        self.town = store.town
        self.t = _Tables()
        self.attr_seq: Counter[str] = Counter()
        self.modified: dict[NodeRef, datetime | None] = {}

    # -- vocabulary
    def term(self, taxonomy: str, code: str, name: str, description: str, parent: str | None = None) -> str:
        town = self.town if taxonomy == TAX_AREA else ""
        tid = _term_id(taxonomy, code, town)
        row: dict[str, Any] = {
            "id": tid,
            "code": code,
            "name": name,
            "description": description,
            "taxonomy": taxonomy,
            "taxonomy_id": _taxonomy_id(taxonomy),
            "language": "ja",
        }
        if parent:
            row["parent_id"] = parent
        self.t.add("taxonomy_term", row)
        self.t.add(
            "taxonomy",
            {
                "id": _taxonomy_id(taxonomy),
                "name": taxonomy,
                "description": _TAXONOMIES[taxonomy],
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
        ja = _FIELD_JA.get(name, desc)
        tid = self.term(TAX_FIELD, name, ja, f"tsunagari field {name}")
        values = value if isinstance(value, list) else [value]
        for v in values:
            self.attr(entity, link_id, tid, "tsunagari_field", _text(v))

    def kind_attr(self, entity: str, link_id: str, label: NodeLabel, kind: str) -> None:
        enum = _KIND_ENUMS[label]
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
                    **_split_address(address),
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
                what = _KIND_ENUMS[label](kind).ja if kind else (data.get("industry") or label.ja)
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
                org_fields = [f for f in model.model_fields if f not in _NATIVE and f not in _SERVICE_SIDE]
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
                    **_last_modified(self.modified.get(ref)),
                }
                self.t.add("service", svc)
                self.field_attr("service", sid, NODE_FIELD, f"{label.value}:{rec.id}", None)
                self.schedules(sid, getattr(rec, "schedule", None))
                self.generic("service", sid, rec, [f for f in model.model_fields if f in _SERVICE_SIDE])
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
                **_last_modified(self.modified.get(ref)),
            }
            if data.get("description"):
                svc["description"] = data["description"]
            self.t.add("service", svc)
            self.field_attr("service", sid, NODE_FIELD, f"{ref.label.value}:{rec.id}", None)
            self.kind_attr("service", sid, NodeLabel.OPPORTUNITY, data["kind"])
            self.sector_attrs("service", sid, data.get("sectors", []))
            self.area_attrs("service", sid, in_area.get(ref, []), areas)
            self.schedules(sid, rec.schedule)  # type: ignore[attr-defined]
            self.generic("service", sid, rec, [f for f in model.model_fields if f not in _NATIVE])
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


_DOC_FILES = {
    "organization": "organizations.json",
    "service": "services.json",
    "service_at_location": "service_at_locations.json",
    "location": "locations.json",
    "taxonomy_term": "taxonomy_terms.json",
    "taxonomy": "taxonomies.json",
}


def export_hsds(store: GraphStore, out_dir: str | Path) -> ExportReport:
    """Write the town's resources as HSDS 3.0 JSON documents and the tabular CSV form under ``out_dir``.

    Every document and CSV row is validated against the HSDS schemas first; a failure raises
    :class:`DomainValidationError` and writes nothing.
    """
    out = Path(out_dir)
    ex = _Exporter(store)
    nodes = ex.run()
    docs = ex.documents()
    problems: list[Problem] = []
    for table, items in docs.items():
        v = tab.document_validator(table)
        for i, item in enumerate(items):
            problems += tab.jsonschema_problems(v, item, file=_DOC_FILES[table], row=i + 1)
    for table in tab.TABLES:
        v = tab.row_validator(table)
        for i, row in enumerate(ex.t.all(table)):
            flat = {k: row[k] for k in tab.table_columns(table) if k in row}
            problems += tab.jsonschema_problems(
                v, flat, file=tab.table_path(table), row=i + 2, by_column=True
            )
    if problems:
        raise DomainValidationError(problems)
    report = ExportReport(out_dir=out, nodes=nodes)
    out.mkdir(parents=True, exist_ok=True)
    for table, items in docs.items():
        p = out / _DOC_FILES[table]
        p.write_text(json.dumps(items, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        report.files.append(p)
    tdir = out / "tabular"
    tdir.mkdir(exist_ok=True)
    for table in tab.TABLES:
        p = tdir / tab.table_path(table)
        report.tables[table] = tab.write_csv_table(p, table, ex.t.all(table))
        report.files.append(p)
    return report


# ================================================================ import: reading

# Nested arrays of each HSDS object: key → (child table, the child's column naming the parent).
_CHILDREN: dict[str, dict[str, tuple[str, str]]] = {
    "organization": {
        "phones": ("phone", "organization_id"),
        "locations": ("location", "organization_id"),
        "organization_identifiers": ("organization_identifier", "organization_id"),
        "contacts": ("contact", "organization_id"),
        "funding": ("funding", "organization_id"),
        "programs": ("program", "organization_id"),
    },
    "service": {
        "phones": ("phone", "service_id"),
        "schedules": ("schedule", "service_id"),
        "service_areas": ("service_area", "service_id"),
        "service_at_locations": ("service_at_location", "service_id"),
        "languages": ("language", "service_id"),
        "funding": ("funding", "service_id"),
        "cost_options": ("cost_option", "service_id"),
        "required_documents": ("required_document", "service_id"),
        "contacts": ("contact", "service_id"),
    },
    "location": {
        "languages": ("language", "location_id"),
        "addresses": ("address", "location_id"),
        "contacts": ("contact", "location_id"),
        "accessibility": ("accessibility", "location_id"),
        "phones": ("phone", "location_id"),
        "schedules": ("schedule", "location_id"),
    },
    "service_at_location": {
        "contacts": ("contact", "service_at_location_id"),
        "phones": ("phone", "service_at_location_id"),
        "schedules": ("schedule", "service_at_location_id"),
    },
    "contact": {"phones": ("phone", "contact_id")},
}
# Nested single objects: key → (table, the parent's column naming it).
_SINGLE: dict[str, dict[str, tuple[str, str]]] = {
    "service": {"organization": ("organization", "organization_id"), "program": ("program", "program_id")},
    "service_at_location": {"location": ("location", "location_id"), "service": ("service", "service_id")},
    "attribute": {"taxonomy_term": ("taxonomy_term", "taxonomy_term_id")},
    "taxonomy_term": {"taxonomy_detail": ("taxonomy", "taxonomy_id")},
}


def _flatten(
    t: _Tables,
    table: str,
    obj: Mapping[str, Any],
    where: tuple[str, int | None, str],
    parent: tuple[str, str] | None,
) -> None:
    row: dict[str, Any] = {k: v for k, v in obj.items() if not isinstance(v, (list, dict))}
    if "id" not in row:
        return
    if parent and not row.get(parent[0]):
        row[parent[0]] = parent[1]
    for key, (child, fk_on_parent) in _SINGLE.get(table, {}).items():
        sub = obj.get(key)
        if isinstance(sub, dict) and "id" in sub:
            row.setdefault(fk_on_parent, sub["id"])
            _flatten(t, child, sub, (where[0], where[1], f"{where[2]}/{key}"), None)
    t.add(table, row, where)
    for key, (child, fk) in _CHILDREN.get(table, {}).items():
        for i, sub in enumerate(obj.get(key) or []):
            if isinstance(sub, dict):
                _flatten(t, child, sub, (where[0], where[1], f"{where[2]}/{key}/{i}"), (fk, row["id"]))
    for i, sub in enumerate(obj.get("attributes") or []):
        if isinstance(sub, dict):
            sub = {"link_entity": table, **sub}
            _flatten(
                t,
                "attribute",
                sub,
                (where[0], where[1], f"{where[2]}/attributes/{i}"),
                ("link_id", row["id"]),
            )


def _doc_table(path: Path, item: Mapping[str, Any]) -> str | None:
    stem = path.stem.lower()
    for table, fname in _DOC_FILES.items():
        if stem in (table, Path(fname).stem):
            return table
    if "status" in item:
        return "service"
    if "location_type" in item:
        return "location"
    if {"service_id", "location_id", "service", "location"} & item.keys() and "name" not in item:
        return "service_at_location"
    if {"organization_identifiers", "website", "tax_status", "legal_status", "locations"} & item.keys():
        return "organization"
    if {"taxonomy", "taxonomy_id", "parent_id", "code", "term_uri"} & item.keys():
        return "taxonomy_term"
    return None


def _read_json(t: _Tables, path: Path) -> None:
    try:
        doc = json.loads(path.read_text(encoding="utf-8-sig"))
    except (ValueError, UnicodeDecodeError) as err:
        t.problems.append(Problem("JSON として読めません", f"not valid JSON: {err}", file=path.name))
        return
    if isinstance(doc, dict) and isinstance(doc.get("contents"), list):
        doc = doc["contents"]  # an HSDS API page
    items = doc if isinstance(doc, list) else [doc]
    for i, item in enumerate(items):
        row = i + 1 if isinstance(doc, list) else None
        if not isinstance(item, dict):
            t.problems.append(
                Problem("オブジェクトではありません", "not an object", file=path.name, row=row, field=f"/{i}")
            )
            continue
        table = _doc_table(path, item)
        if table is None:
            t.problems.append(
                Problem(
                    "HSDS のどの種類の文書か判別できません (ファイル名を organizations.json などにしてください)",
                    "cannot tell which HSDS object this is (name the file organizations.json, services.json …)",
                    file=path.name,
                    row=row,
                )
            )
            continue
        prefix = f"/{i}" if isinstance(doc, list) else ""
        errs = tab.jsonschema_problems(
            tab.document_validator(table), item, file=path.name, row=row, pointer_prefix=prefix
        )
        if errs:
            t.problems += errs
            continue
        _flatten(t, table, item, (path.name, row, prefix), None)


def _read_csv(t: _Tables, path: Path, warnings: list[Problem]) -> None:
    table = tab.csv_file_table(path.name)
    if table is None:
        warnings.append(
            Problem("HSDS の表ではないため読み飛ばしました", "not an HSDS table; skipped", file=path.name)
        )
        return
    try:
        header, rows = tab.read_csv_table(path)
    except (UnicodeDecodeError, OSError) as err:
        t.problems.append(Problem("CSV を読めません", f"cannot read CSV: {err}", file=path.name))
        return
    known = set(tab.table_columns(table))
    for col in header:
        if col and col.strip() not in known:
            warnings.append(
                Problem("未知の列を無視しました", "unknown column ignored", file=path.name, column=col)
            )
    validator = tab.row_validator(table)
    for i, raw in enumerate(rows):
        line = i + 2
        typed, bad = tab.typed_row(table, {k: v for k, v in raw.items() if k and k.strip() in known})
        for col, text in bad:
            t.problems.append(
                Problem(
                    "数値で指定してください",
                    "must be a number",
                    file=path.name,
                    row=line,
                    column=col,
                    value=text,
                )
            )
        errs = tab.jsonschema_problems(validator, typed, file=path.name, row=line, by_column=True)
        if errs or bad:
            t.problems += errs
            continue
        t.add(table, typed, (path.name, line, None))


# ================================================================ import: mapping


def _list_field(model: type[NodeRecord], name: str) -> bool:
    info = model.model_fields.get(name)
    return info is not None and typing.get_origin(info.annotation) is list


@dataclass
class _Node:
    ref: NodeRef
    data: dict[str, Any]
    where: tuple[str, int | None, str | None]
    slots: list[dict[str, str]] = field(default_factory=list)
    note: str | None = None
    has_schedule: bool = False
    areas: list[tuple[str, str, str]] = field(default_factory=list)


class _Importer:
    def __init__(self, store: GraphStore, t: _Tables, warnings: list[Problem]):
        self.store = store
        self.t = t
        self.warnings = warnings
        self.problems: list[Problem] = []
        self.terms = {r["id"]: r for r in t.all("taxonomy_term")}
        self.attrs = t.by("attribute", "link_id")
        self.nodes: dict[NodeRef, _Node] = {}
        self.rels: list[RelRow] = []

    def where(self, table: str, rid: str) -> tuple[str, int | None, str | None]:
        return self.t.origin.get((table, rid), ("", None, None))

    def warn(self, ja: str, en: str, table: str, rid: str) -> None:
        f, row, ptr = self.where(table, rid)
        self.warnings.append(Problem(ja, en, file=f or None, row=row, field=ptr))

    def term_of(self, attr: Mapping[str, Any]) -> dict[str, Any] | None:
        return self.terms.get(str(attr.get("taxonomy_term_id")))

    def tsunagari_term(self, term: Mapping[str, Any]) -> str | None:
        tax = term.get("taxonomy")
        if tax in _TAXONOMIES:
            return str(tax)
        for name in _TAXONOMIES:
            if term.get("taxonomy_id") == _taxonomy_id(name):
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
                    return None
        return None

    def node(self, ref: NodeRef, table: str, rid: str) -> _Node:
        if ref not in self.nodes:
            self.nodes[ref] = _Node(ref, {"id": ref.id}, self.where(table, rid))
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
                wd = _BYDAY.get(code.strip().upper())
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
            n.data["address"] = _join_address(addrs[0])
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
                    self.warn(f"不明な種類「{typ}」", f"unknown tsunagari type {typ!r}", "organization", oid)
                    org_ref[oid] = None
                    continue
                ref = NodeRef(label, ident)
                n = self.node(ref, "organization", oid)
                n.data["name"] = org["name"]
                self.tsunagari_org(n, org, idents.get(oid, []), phones.get(oid, []))
                org_ref[oid] = ref
            else:
                label = (
                    NodeLabel.EMPLOYER
                    if _COMPANY_RE.search(f"{org.get('name', '')} {org.get('legal_status', '')}")
                    else NodeLabel.AGENCY
                )
                ref = NodeRef(label, oid)
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
                    continue
                self.apply_location(self.node(lref, "location", loc["id"]), loc)

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
                        self.rels.append(RelRow(RelType.HOSTED_BY, sref, host))
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
                n = self.nodes[host]
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

    # -- records and the batch
    def batch(self) -> tuple[WriteBatch, Counter[str], Counter[str], int]:
        batch = WriteBatch()
        nodes: Counter[str] = Counter()
        rels: Counter[str] = Counter()
        areas_created = 0
        new_areas: set[str] = set()
        for ref, n in self.nodes.items():
            data = dict(n.data)
            if n.has_schedule or n.slots:
                data["schedule"] = {"slots": n.slots, **({"note": n.note} if n.note else {})}
            f, row, ptr = n.where
            try:
                rec = validate_node(ref.label, data, file=f or None, row=row)
            except DomainValidationError as err:
                self.problems += [_with_ref(p, ref, ptr) for p in err.problems]
                continue
            batch.nodes.append(NodeRow(ref.label, ref.id, to_props(rec)))
            nodes[ref.label.value] += 1
            for aid, name, desc in n.areas:
                aref = NodeRef(NodeLabel.AREA, aid)
                if aid not in new_areas and self.store.get_node(aref) is None:
                    kind = _parse_area_kind(desc)
                    try:
                        area = validate_node(
                            NodeLabel.AREA, {"id": aid, "name": name, "kind": kind}, file=f or None
                        )
                    except DomainValidationError as err:
                        self.problems += err.problems
                        continue
                    assert isinstance(area, Area)
                    batch.nodes.append(NodeRow(NodeLabel.AREA, aid, to_props(area)))
                    new_areas.add(aid)
                    areas_created += 1
                batch.rels.append(RelRow(RelType.IN_AREA, ref, aref))
                rels[RelType.IN_AREA.value] += 1
        for r in self.rels:
            batch.rels.append(r)
            rels[r.type.value] += 1
        return batch, nodes, rels, areas_created


def _with_ref(p: Problem, ref: NodeRef, pointer: str | None) -> Problem:
    return Problem(
        f"{ref.label.ja} {ref.id}: {p.message_ja}",
        f"{ref.label.value} {ref.id}: {p.message_en}",
        field=p.field,
        file=p.file,
        row=p.row,
        column=p.column,
        value=p.value,
    )


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


def load_hsds(store: GraphStore, path: str | Path) -> HsdsLoadReport:
    """Read HSDS 3.0 JSON documents or the tabular CSV form (a file or a folder) into the store, atomically.

    Raises :class:`DomainValidationError` listing every problem (file, row, JSON pointer or column) when the
    input does not validate against the HSDS schemas or does not map to valid records; nothing is written.
    """
    root = Path(path)
    report = HsdsLoadReport(path=root)
    if root.is_dir():
        files = sorted(p for p in root.iterdir() if p.is_file() and p.suffix.lower() in (".json", ".csv"))
    elif root.is_file():
        files = [root]
    else:
        raise DomainValidationError(
            [
                Problem(
                    f"ファイルまたはフォルダがありません: {root}",
                    f"no such file or folder: {root}",
                    file=str(root),
                )
            ]
        )
    t = _Tables()
    for f in files:
        if f.name in ("datapackage.json",):
            continue
        report.files.append(f.name)
        if f.suffix.lower() == ".json":
            _read_json(t, f)
        elif f.suffix.lower() == ".csv":
            _read_csv(t, f, report.warnings)
        else:
            t.problems.append(
                Problem("JSON か CSV を指定してください", "give JSON or CSV files", file=f.name)
            )
    if not report.files:
        t.problems.append(Problem("HSDS のファイルがありません", "no HSDS files found", file=str(root)))
    if t.problems:
        raise DomainValidationError(t.problems)
    imp = _Importer(store, t, report.warnings)
    imp.run()
    batch, nodes, rels, areas = imp.batch()
    if imp.problems:
        raise DomainValidationError(imp.problems)
    report.nodes, report.rels, report.areas_created = dict(nodes), dict(rels), areas
    report.result = store.write(batch)
    return report
