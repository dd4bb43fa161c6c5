"""HSDS ids and the names tsunagari gives its identifiers, taxonomies and attributes.

Ids are uuid5 over a fixed namespace and (town, object, label, external id), so an export is deterministic and a
re-import of it finds the same records (and so does an HSDS consumer that stored them).
"""

from __future__ import annotations

import uuid

__all__ = [
    "HSDS_NAMESPACE",
    "JCN_SCHEME",
    "NODE_FIELD",
    "OFFICE_SCHEME",
    "SCHEME",
    "TAXONOMIES",
    "TAX_AREA",
    "TAX_FIELD",
    "TAX_KIND",
    "TAX_SECTOR",
    "TOWN_TYPE",
    "hsds_id",
    "taxonomy_id",
    "term_id",
]

HSDS_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:tsunagari:hsds:3.0")
SCHEME = "tsunagari"
"""``organization_identifier.identifier_scheme`` and ``location.external_identifier_type`` of tsunagari records."""
JCN_SCHEME = "JP-JCN"
"""法人番号 (corporate number)."""
OFFICE_SCHEME = "tsunagari:office_number"
"""事業所番号 (office number), the natural key of care providers."""
TAX_FIELD = "tsunagari:field"
TAX_SECTOR = "tsunagari:sector"
TAX_KIND = "tsunagari:kind"
TAX_AREA = "tsunagari:area"
TOWN_TYPE = "town"
NODE_FIELD = "_node"

TAXONOMIES: dict[str, str] = {
    TAX_FIELD: "つながりの項目 (tsunagari record fields carried as attribute values)",
    TAX_SECTOR: "分野 (sectors of support)",
    TAX_KIND: "種別 (kinds of agencies, venues and opportunities)",
    TAX_AREA: "地区 (areas of the town)",
}


def hsds_id(town: str, *parts: str) -> str:
    """A deterministic HSDS uuid for (town, parts …).

    >>> hsds_id("toba", "organization", "Agency", "AG-1") == hsds_id("toba", "organization", "Agency", "AG-1")
    True
    """
    return str(uuid.uuid5(HSDS_NAMESPACE, "|".join((town, *parts))))


def term_id(taxonomy: str, code: str, town: str = "") -> str:
    """The id of a taxonomy term (areas are per town, the other vocabularies shared)."""
    return hsds_id(town, "term", taxonomy, code)


def taxonomy_id(taxonomy: str) -> str:
    return hsds_id("", "taxonomy", taxonomy)
