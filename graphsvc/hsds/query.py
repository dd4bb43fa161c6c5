"""The HSDS 3.0 API's queries over a town's documents, without HTTP: filters, representations and paging.

Parameters are those of the HSDS 3.0 API reference (``data/hsds-3.0/schema/openapi.json``) and, as it requires,
cumulative (every given filter must hold):

=====================  =====================================================================================
parameter              meaning
=====================  =====================================================================================
``search``             every word (split on spaces) occurs in the name, alternate name or description;
                       NFKC-normalised and case-insensitive (ｶﾌｪ = カフェ, ＡＢＣ = abc)
``taxonomy_term_id``   classified (an ``attribute``) with that term or one of its descendants (``parent_id``)
``taxonomy_id``        classified with any term of that taxonomy
``organization_id``    services (or services at locations) the organization provides
``modified_after``     ``last_modified`` on or after that ISO 8601 date-time (no offset: Japan time). The
                       exporter fills ``last_modified`` from the store's time of the node's last change; a
                       service whose time is unknown (a node last written before the store kept times) has
                       none and is kept, since it cannot be shown to be older. On service_at_locations the
                       service's time counts
``minimal``            services as ``{id, last_modified}`` only (``last_modified`` when known), all in one page
                       unless ``per_page`` is given
``full``               the fully nested objects; otherwise the ``*_list`` forms (one-to-one fields only, as in
                       ``compiled/service_list.json`` …)
``full_service``       organizations carry their services fully nested (implies ``full``)
``top_only``           taxonomy terms without a parent
``parent_id``          taxonomy terms whose parent is that term
=====================  =====================================================================================

A blank parameter counts as not given; a bad ``modified_after`` raises :class:`DomainValidationError` naming it.
Each query returns a :class:`Listing`: its items, the shape each item is given, and :meth:`Listing.page` for the
HSDS ``Page`` envelope.
"""

from __future__ import annotations

import math
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from graphsvc.domain.errors import DomainValidationError, Problem

__all__ = [
    "JAPAN",
    "TABLES",
    "Listing",
    "one",
    "organizations",
    "page",
    "service_at_locations",
    "services",
    "taxonomy_terms",
]

Item = dict[str, Any]
Docs = dict[str, list[Item]]
JAPAN = timezone(timedelta(hours=9), "JST")
TABLES = {
    "services": "service",
    "organizations": "organization",
    "service_at_locations": "service_at_location",
    "taxonomy_terms": "taxonomy_term",
}
"""The API's collections → the HSDS tables they list."""


# ---------------------------------------------------------------- matching


def _given(value: str | None) -> str | None:
    """An empty or blank parameter counts as not given, as clients building query strings from forms send them."""
    return value.strip() if value is not None and value.strip() else None


def _norm(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


def _words(search: str | None) -> list[str]:
    return _norm(search).split() if search else []


def _has_words(words: list[str], *objs: Item | None, keys: Iterable[str] = ()) -> bool:
    if not words:
        return True
    fields = tuple(keys) or ("name", "alternate_name", "description")
    hay = "\n".join(
        _norm(str(o[k])) for o in objs if o for k in fields if isinstance(o.get(k), str) and o.get(k)
    )
    return all(w in hay for w in words)


def parse_when(raw: str) -> datetime:
    """An ISO 8601 date-time; without an offset, Japan time. Raises :class:`DomainValidationError`."""
    text = raw.strip()
    try:
        when = datetime.fromisoformat(text[:-1] + "Z" if text.endswith("z") else text) if text else None
    except ValueError:
        when = None
    if when is None:
        raise DomainValidationError(
            [
                Problem(
                    "日時は ISO 8601 で指定してください (例 2025-04-01T00:00:00+09:00)",
                    "modified_after must be an ISO 8601 date-time, e.g. 2025-04-01T00:00:00+09:00",
                    field="modified_after",
                    value=raw[:80],
                )
            ]
        )
    return when if when.tzinfo is not None else when.replace(tzinfo=JAPAN)


def _when(modified_after: str | None) -> datetime | None:
    given = _given(modified_after)
    return parse_when(given) if given is not None else None


def _modified_since(item: Item, when: datetime | None) -> bool:
    """On or after ``when``; true when the item's modification time is not known."""
    if when is None:
        return True
    raw = item.get("last_modified")
    if not isinstance(raw, str) or not raw.strip():
        return True
    try:
        at = parse_when(raw)
    except DomainValidationError:
        return True
    return at >= when


class _Index:
    """One query's documents and the lookups the filters need."""

    def __init__(self, docs: Docs):
        self.docs = docs
        self.terms = {t["id"]: t for t in docs["taxonomy_term"]}
        self.children: dict[str, list[str]] = defaultdict(list)
        for t in docs["taxonomy_term"]:
            if t.get("parent_id"):
                self.children[str(t["parent_id"])].append(t["id"])
        self.services = {s["id"]: s for s in docs["service"]}
        self.services_of: dict[str, list[Item]] = defaultdict(list)
        for s in docs["service"]:
            if s.get("organization_id"):
                self.services_of[str(s["organization_id"])].append(s)

    def with_descendants(self, term_id: str) -> set[str]:
        out: set[str] = set()
        todo = [term_id]
        while todo:
            tid = todo.pop()
            if tid not in out:
                out.add(tid)
                todo += self.children.get(tid, [])
        return out

    def term_ids(self, item: Item | None) -> set[str]:
        return {str(a.get("taxonomy_term_id")) for a in (item or {}).get("attributes") or []}

    def taxonomies(self, item: Item | None) -> set[str]:
        out: set[str] = set()
        for a in (item or {}).get("attributes") or []:
            term = self.terms.get(str(a.get("taxonomy_term_id"))) or a.get("taxonomy_term") or {}
            if term.get("taxonomy_id"):
                out.add(str(term["taxonomy_id"]))
        return out

    def classified(
        self, taxonomy_term_id: str | None, taxonomy_id: str | None
    ) -> Callable[[Item | None], bool]:
        term = _given(taxonomy_term_id)
        taxonomy = _given(taxonomy_id)
        wanted = self.with_descendants(term) if term is not None else None

        def ok(item: Item | None) -> bool:
            if wanted is not None and not wanted & self.term_ids(item):
                return False
            return taxonomy is None or taxonomy in self.taxonomies(item)

        return ok


# ---------------------------------------------------------------- representations


def _scalars(item: Item) -> Item:
    return {k: v for k, v in item.items() if not isinstance(v, (list, dict))}


def _without(item: Item, *keys: str) -> Item:
    return {k: v for k, v in item.items() if k not in keys}


def _service_list(s: Item) -> Item:
    """``compiled/service_list.json``: one-to-one fields, the organization (and program) without arrays."""
    out = _scalars(s)
    for key in ("organization", "program"):
        if isinstance(s.get(key), dict):
            out[key] = _scalars(s[key])
    return out


def _minimal(s: Item) -> Item:
    out: Item = {"id": s["id"]}
    if s.get("last_modified"):
        out["last_modified"] = s["last_modified"]
    return out


def _organization(o: Item, d: _Index, *, full: bool, full_service: bool) -> Item:
    if not (full or full_service):
        return _scalars(o)
    services = [
        _without(s, "organization") if full_service else _without(_service_list(s), "organization")
        for s in d.services_of.get(o["id"], [])
    ]
    return {**o, "services": services} if services else dict(o)


def _service_at_location(x: Item, d: _Index, *, full: bool) -> Item:
    svc = d.services.get(str(x.get("service_id")))
    if full:
        return {**x, "service": _without(svc, "service_at_locations")} if svc else dict(x)
    out = _scalars(x)
    if isinstance(x.get("location"), dict):
        out["location"] = _scalars(x["location"])
    if svc:
        out["service"] = _service_list(svc)
    return out


# ---------------------------------------------------------------- listings


def page(items: list[Item], number: int, per_page: int) -> dict[str, Any]:
    """The HSDS ``Page`` envelope of one page of ``items``."""
    total = len(items)
    pages = max(1, math.ceil(total / per_page))
    chunk = items[(number - 1) * per_page : number * per_page]
    return {
        "total_items": total,
        "total_pages": pages,
        "page_number": number,
        "size": len(chunk),
        "first_page": number == 1,
        "last_page": number >= pages,
        "empty": total == 0,
        "contents": chunk,
    }


@dataclass
class Listing:
    """The items a query matched and the shape each is given; ``all_in_one_page`` for ``minimal``."""

    items: list[Item]
    shape: Callable[[Item], Item]
    all_in_one_page: bool = False

    def shaped(self) -> Iterable[Item]:
        return (self.shape(i) for i in self.items)

    def page(self, number: int = 1, per_page: int | None = None) -> dict[str, Any]:
        size = per_page or (max(1, len(self.items)) if self.all_in_one_page else 50)
        out = page(self.items, number, size)
        out["contents"] = [self.shape(i) for i in out["contents"]]
        return out


def services(
    docs: Docs,
    *,
    search: str | None = None,
    taxonomy_term_id: str | None = None,
    taxonomy_id: str | None = None,
    organization_id: str | None = None,
    modified_after: str | None = None,
    minimal: bool = False,
    full: bool = False,
) -> Listing:
    when = _when(modified_after)
    org = _given(organization_id)
    d = _Index(docs)
    words = _words(search)
    classified = d.classified(taxonomy_term_id, taxonomy_id)
    items = [
        s
        for s in docs["service"]
        if _has_words(words, s)
        and classified(s)
        and (org is None or s.get("organization_id") == org)
        and _modified_since(s, when)
    ]
    if minimal:
        return Listing(items, _minimal, all_in_one_page=True)
    return Listing(items, (lambda s: s) if full else _service_list)


def organizations(
    docs: Docs,
    *,
    search: str | None = None,
    taxonomy_term_id: str | None = None,
    taxonomy_id: str | None = None,
    full: bool = False,
    full_service: bool = False,
) -> Listing:
    d = _Index(docs)
    words = _words(search)
    classified = d.classified(taxonomy_term_id, taxonomy_id)
    items = [o for o in docs["organization"] if _has_words(words, o) and classified(o)]
    return Listing(items, lambda o: _organization(o, d, full=full, full_service=full_service))


def service_at_locations(
    docs: Docs,
    *,
    search: str | None = None,
    taxonomy_term_id: str | None = None,
    taxonomy_id: str | None = None,
    organization_id: str | None = None,
    modified_after: str | None = None,
    full: bool = False,
) -> Listing:
    when = _when(modified_after)
    org = _given(organization_id)
    d = _Index(docs)
    words = _words(search)
    classified = d.classified(taxonomy_term_id, taxonomy_id)
    items = []
    for x in docs["service_at_location"]:
        svc = d.services.get(str(x.get("service_id")))
        if (
            _has_words(words, x, x.get("location"), svc)
            and classified(svc)
            and (org is None or (svc or {}).get("organization_id") == org)
            and _modified_since(svc or {}, when)
        ):
            items.append(x)
    return Listing(items, lambda x: _service_at_location(x, d, full=full))


def taxonomy_terms(
    docs: Docs,
    *,
    search: str | None = None,
    taxonomy_id: str | None = None,
    top_only: bool = False,
    parent_id: str | None = None,
) -> Listing:
    words = _words(search)
    taxonomy, parent = _given(taxonomy_id), _given(parent_id)
    items = [
        t
        for t in docs["taxonomy_term"]
        if _has_words(words, t, keys=("name", "code", "description"))
        and (taxonomy is None or t.get("taxonomy_id") == taxonomy)
        and (not top_only or not t.get("parent_id"))
        and (parent is None or t.get("parent_id") == parent)
    ]
    return Listing(items, lambda t: t)


def one(docs: Docs, collection: str, id_: str, *, full_service: bool = False) -> Item | None:
    """One item of a collection by id, fully nested (organizations: their services as ``full_service`` says);
    ``None`` when there is none."""
    d = _Index(docs)
    for item in docs[TABLES[collection]]:
        if item.get("id") == id_:
            if collection == "organizations":
                return _organization(item, d, full=True, full_service=full_service)
            if collection == "service_at_locations":
                return _service_at_location(item, d, full=True)
            return item
    return None
