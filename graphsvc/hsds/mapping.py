"""The tsunagari ⇄ HSDS 3.0 mapping: which record fields go where, and the helpers both directions share.


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

import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from graphsvc.domain.enums import AgencyKind, NodeLabel, OpportunityKind, VenueKind, Weekday
from graphsvc.hsds.ids import NODE_FIELD

__all__ = [
    "BYDAY",
    "CHILDREN",
    "COMPANY_RE",
    "DOC_FILES",
    "FIELD_JA",
    "HOST_LABELS",
    "KIND_ENUMS",
    "NATIVE",
    "RESOURCE_LABELS",
    "SERVICE_SIDE",
    "SINGLE",
    "join_address",
    "last_modified",
    "split_address",
    "text_value",
]

HOST_LABELS = (NodeLabel.AGENCY, NodeLabel.VENUE, NodeLabel.EMPLOYER)
RESOURCE_LABELS = (*HOST_LABELS, NodeLabel.OPPORTUNITY)
KIND_ENUMS: dict[NodeLabel, type] = {
    NodeLabel.AGENCY: AgencyKind,
    NodeLabel.VENUE: VenueKind,
    NodeLabel.OPPORTUNITY: OpportunityKind,
}
# Fields with a native HSDS place (not carried as tsunagari:field attributes).
NATIVE = {
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
SERVICE_SIDE = {"capacity", "services", "activities"}
FIELD_JA = {
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
COMPANY_RE = re.compile(r"株式会社|有限会社|合同会社|合資会社|合名会社|[(（][株有][)）]")
BYDAY = {w.hsds: w for w in Weekday}


DOC_FILES = {
    "organization": "organizations.json",
    "service": "services.json",
    "service_at_location": "service_at_locations.json",
    "location": "locations.json",
    "taxonomy_term": "taxonomy_terms.json",
    "taxonomy": "taxonomies.json",
}


# Nested arrays of each HSDS object: key → (child table, the child's column naming the parent).
CHILDREN: dict[str, dict[str, tuple[str, str]]] = {
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
SINGLE: dict[str, dict[str, tuple[str, str]]] = {
    "service": {"organization": ("organization", "organization_id"), "program": ("program", "program_id")},
    "service_at_location": {"location": ("location", "location_id"), "service": ("service", "service_id")},
    "attribute": {"taxonomy_term": ("taxonomy_term", "taxonomy_term_id")},
    "taxonomy_term": {"taxonomy_detail": ("taxonomy", "taxonomy_id")},
}


def split_address(address: str) -> dict[str, str]:
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


def join_address(a: Mapping[str, Any]) -> str:
    postal = str(a.get("postal_code") or "").strip()
    parts = [str(a.get(k) or "") for k in ("state_province", "city", "address_1", "address_2")]
    text = "".join(parts).strip()
    return f"〒{postal} {text}" if postal else text


def last_modified(when: datetime | None) -> dict[str, str]:
    """``{"last_modified": …}`` (RFC 3339 in UTC, ``Z``) when the time is known, else nothing."""
    if when is None:
        return {}
    return {"last_modified": when.astimezone(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")}


def text_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    return str(value)
