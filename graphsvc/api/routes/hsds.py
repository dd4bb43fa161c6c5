"""HSDS 3.0 read endpoints (Open Referral): services, organizations, service_at_locations, taxonomy_terms,
with the HSDS ``Page`` envelope (``total_items``, ``total_pages``, ``page_number``, ``size``, ``first_page``,
``last_page``, ``empty``, ``contents``). The mapping is the exporter's (:mod:`loaders.hsds`).

Query parameters are those of the HSDS 3.0 API reference (``loaders/data/hsds-3.0/schema/openapi.json``) and,
as it requires, cumulative (every given filter must hold):

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
``format``             ``json`` (the Page) or ``ndjson`` (every matching item, one a line, without paging)
``top_only``           taxonomy terms without a parent
``parent_id``          taxonomy terms whose parent is that term
``page`` ``per_page``  the page (from 1) and its size
=====================  =====================================================================================

A blank parameter (``?organization_id=``) counts as not given; a bad value is a 422 naming the parameter.
``taxonomy_term_id`` and ``taxonomy_id`` on ``/organizations`` extend the reference (which defines them for
services and services at locations); ``postcode`` and ``proximity`` are not offered (no service areas and no
postcode centroids), nor is ``/taxonomies``.
"""

from __future__ import annotations

import json
import math
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime, timedelta, timezone
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field

from graphsvc.api.contract import TOWN_ERRORS, ApiRoute, responses
from graphsvc.api.deps import TownDep
from graphsvc.api.errors import ApiError

router = APIRouter(prefix="/v1/towns/{town}/hsds", tags=["HSDS 3.0"], route_class=ApiRoute)

_TABLES = {
    "services": "service",
    "organizations": "organization",
    "service_at_locations": "service_at_location",
    "taxonomy_terms": "taxonomy_term",
}
JAPAN = timezone(timedelta(hours=9), "JST")
Item = dict[str, Any]


def documents(ctx_store: Any) -> dict[str, list[dict[str, Any]]]:
    from loaders.hsds import _Exporter

    ex = _Exporter(ctx_store)
    ex.run()
    return ex.documents()


class HsdsPage(BaseModel):
    """HSDS 3.0 の Page (one page of an HSDS list; ``schema/openapi.json`` ``components.schemas.Page``)."""

    total_items: int = Field(description="条件に合う件数 (the number of entities matching the query)")
    total_pages: int = Field(description="ページ数 (count of pages; at least 1)")
    page_number: int = Field(description="このページの番号 (the number of this page, from 1)")
    size: int = Field(description="このページの件数 (the number of entities in this page)")
    first_page: bool = Field(description="最初のページか (whether this is the first page)")
    last_page: bool = Field(description="最後のページか (whether this is the last page)")
    empty: bool = Field(description="該当なしか (whether the result set is empty)")
    contents: list[dict[str, Any]] = Field(description="HSDS の項目 (the HSDS objects)")


_LIST_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "HSDS の Page (format=json)、または条件に合う全件を 1 行 1 件の NDJSON で (format=ndjson、"
        "ページなし) (the HSDS Page, or every match as NDJSON without paging)",
        "content": {"application/x-ndjson": {"schema": {"type": "string"}}},
    },
    **responses(*TOWN_ERRORS),
}

# ---------------------------------------------------------------- query parameters

Page_ = Annotated[int, Query(ge=1, le=100_000, description="ページ番号 (1から) (page number, from 1)")]
PerPage = Annotated[
    int | None,
    Query(ge=1, le=500, description="1ページの件数 (既定 50、≤ 500) (results per page; default 50)"),
]
Search = Annotated[
    str | None,
    Query(
        max_length=200,
        description="全文検索: 空白で区切った語がすべて名称・別名・説明に含まれるもの。NFKC で正規化し大文字小文字を"
        "区別しない (full text search: every word occurs in the name, alternate name or description; "
        "NFKC-normalised, case-insensitive)",
    ),
]
Format = Annotated[
    Literal["json", "ndjson"],
    Query(
        description="形式: json (ページ) か ndjson (条件に合う全件を 1 行 1 件、ページなし) (json: the Page; "
        "ndjson: every matching item, one per line, without paging)"
    ),
]
TaxonomyTermId = Annotated[
    str | None,
    Query(
        max_length=200,
        description="この分類語 (またはその下位の語) が付いたもの (classified with this taxonomy term or a "
        "descendant of it)",
    ),
]
TaxonomyId = Annotated[
    str | None,
    Query(
        max_length=200,
        description="この分類体系のいずれかの語が付いたもの (classified with any term of this taxonomy)",
    ),
]
OrganizationId = Annotated[
    str | None,
    Query(max_length=200, description="この組織が提供するもの (provided by this organization)"),
]
ModifiedAfter = Annotated[
    str | None,
    Query(
        max_length=64,
        description="この日時以降に更新されたもの (ISO 8601、例 2025-04-01T00:00:00+09:00; 時差なしは日本時間)。"
        "更新日時 (last_modified) は記録が最後に変わった時刻です。更新日時が不明な記録 (時刻の記録を始める前に最後に"
        "書かれたもの) は除外しません (modified on or after this ISO 8601 date-time, no offset = Japan time; "
        "last_modified is when the record last changed; records whose time is unknown, last written before "
        "times were kept, have no last_modified and are kept). 空欄は指定なし (blank: not given)",
        examples=["2025-04-01T00:00:00+09:00"],
        # the schema states the RFC 3339 form and a blank; a date-time without its offset (read as Japan time) is
        # also read, an extension the description gives
        json_schema_extra={
            "anyOf": [
                {"type": "string", "format": "date-time", "maxLength": 64},
                {"type": "string", "pattern": r"^\s*$", "maxLength": 64},
            ]
        },
    ),
]
Full = Annotated[
    bool,
    Query(
        description="入れ子をすべて含める (fully nested objects); false は一対一の項目だけ (the *_list form)"
    ),
]

# ---------------------------------------------------------------- matching


def _given(value: str | None) -> str | None:
    """An empty or blank parameter (``?organization_id=``) counts as not given, as clients building query strings
    from forms send them."""
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


def _parse_when(raw: str) -> datetime:
    text = raw.strip()
    try:
        when = datetime.fromisoformat(text[:-1] + "Z" if text.endswith("z") else text) if text else None
    except ValueError:
        when = None
    if when is None:
        raise ApiError.of(
            422,
            "日時は ISO 8601 で指定してください (例 2025-04-01T00:00:00+09:00)",
            "modified_after must be an ISO 8601 date-time, e.g. 2025-04-01T00:00:00+09:00",
            "modified_after",
            value=raw[:80],
        )
    return when if when.tzinfo is not None else when.replace(tzinfo=JAPAN)


def _when(modified_after: str | None) -> datetime | None:
    given = _given(modified_after)
    return _parse_when(given) if given is not None else None


def _modified_since(item: Item, when: datetime | None) -> bool:
    """On or after ``when``. True when the item's modification time is not known: the exporter omits
    ``last_modified`` only for a node whose time the store does not have (written before it kept times)."""
    if when is None:
        return True
    raw = item.get("last_modified")
    if not isinstance(raw, str) or not raw.strip():
        return True
    try:
        at = _parse_when(raw)
    except ApiError:
        return True
    return at >= when


class _Docs:
    """One request's HSDS documents and the lookups the filters need."""

    def __init__(self, docs: dict[str, list[Item]]):
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
        wanted = self.with_descendants(taxonomy_term_id) if taxonomy_term_id is not None else None

        def ok(item: Item | None) -> bool:
            if wanted is not None and not wanted & self.term_ids(item):
                return False
            return taxonomy_id is None or taxonomy_id in self.taxonomies(item)

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


def _organization(o: Item, d: _Docs, *, full: bool, full_service: bool) -> Item:
    if not (full or full_service):
        return _scalars(o)
    services = [
        _without(s, "organization") if full_service else _without(_service_list(s), "organization")
        for s in d.services_of.get(o["id"], [])
    ]
    return {**o, "services": services} if services else dict(o)


def _service_at_location(x: Item, d: _Docs, *, full: bool) -> Item:
    svc = d.services.get(str(x.get("service_id")))
    if full:
        return {**x, "service": _without(svc, "service_at_locations")} if svc else dict(x)
    out = _scalars(x)
    if isinstance(x.get("location"), dict):
        out["location"] = _scalars(x["location"])
    if svc:
        out["service"] = _service_list(svc)
    return out


# ---------------------------------------------------------------- responses


def _page(items: list[Item], page: int, per_page: int) -> dict[str, Any]:
    total = len(items)
    pages = max(1, math.ceil(total / per_page))
    chunk = items[(page - 1) * per_page : page * per_page]
    return {
        "total_items": total,
        "total_pages": pages,
        "page_number": page,
        "size": len(chunk),
        "first_page": page == 1,
        "last_page": page >= pages,
        "empty": total == 0,
        "contents": chunk,
    }


def _ndjson(items: list[Item], shape: Callable[[Item], Item]) -> Iterator[str]:
    for item in items:
        yield json.dumps(shape(item), ensure_ascii=False) + "\n"


def _respond(
    items: list[Item], shape: Callable[[Item], Item], page: int, per_page: int | None, fmt: str
) -> Any:
    if fmt == "ndjson":
        return StreamingResponse(_ndjson(items, shape), media_type="application/x-ndjson")
    size = per_page or 50
    out = _page(items, page, size)
    out["contents"] = [shape(i) for i in out["contents"]]
    return out


# ---------------------------------------------------------------- endpoints


@router.get(
    "/services",
    summary="サービス一覧 (HSDS services)",
    response_model=HsdsPage,
    responses=_LIST_RESPONSES,
)
def services(
    ctx: TownDep,
    search: Search = None,
    page: Page_ = 1,
    per_page: PerPage = None,
    format: Format = "json",
    taxonomy_term_id: TaxonomyTermId = None,
    taxonomy_id: TaxonomyId = None,
    organization_id: OrganizationId = None,
    modified_after: ModifiedAfter = None,
    minimal: Annotated[
        bool,
        Query(
            description="id と last_modified だけを返す (更新日時は分かるときだけ)。per_page を省くと全件を 1 ページで "
            "(just id and last_modified, when known; all in one page unless per_page is given)"
        ),
    ] = False,
    full: Full = False,
) -> Any:
    when = _when(modified_after)
    organization_id = _given(organization_id)
    d = _Docs(documents(ctx.store))
    words = _words(search)
    classified = d.classified(_given(taxonomy_term_id), _given(taxonomy_id))
    items = [
        s
        for s in d.docs["service"]
        if _has_words(words, s)
        and classified(s)
        and (organization_id is None or s.get("organization_id") == organization_id)
        and _modified_since(s, when)
    ]
    if minimal:
        return _respond(items, _minimal, page, per_page or max(1, len(items)), format)
    return _respond(items, (lambda s: s) if full else _service_list, page, per_page, format)


@router.get(
    "/organizations",
    summary="組織一覧 (HSDS organizations)",
    response_model=HsdsPage,
    responses=_LIST_RESPONSES,
)
def organizations(
    ctx: TownDep,
    search: Search = None,
    full_service: Annotated[
        bool,
        Query(
            description="組織のサービスを入れ子ですべて含める (full を含む) (organizations with their services "
            "fully nested; implies full)"
        ),
    ] = False,
    full: Full = False,
    page: Page_ = 1,
    per_page: PerPage = None,
    format: Format = "json",
    taxonomy_term_id: TaxonomyTermId = None,
    taxonomy_id: TaxonomyId = None,
) -> Any:
    d = _Docs(documents(ctx.store))
    words = _words(search)
    classified = d.classified(_given(taxonomy_term_id), _given(taxonomy_id))
    items = [o for o in d.docs["organization"] if _has_words(words, o) and classified(o)]
    return _respond(
        items,
        lambda o: _organization(o, d, full=full, full_service=full_service),
        page,
        per_page,
        format,
    )


@router.get(
    "/service_at_locations",
    summary="サービス提供場所 (HSDS service_at_locations)",
    response_model=HsdsPage,
    responses=_LIST_RESPONSES,
)
def service_at_locations(
    ctx: TownDep,
    search: Search = None,
    taxonomy_term_id: TaxonomyTermId = None,
    taxonomy_id: TaxonomyId = None,
    organization_id: OrganizationId = None,
    modified_after: ModifiedAfter = None,
    full: Full = False,
    page: Page_ = 1,
    per_page: PerPage = None,
    format: Format = "json",
) -> Any:
    when = _when(modified_after)
    organization_id = _given(organization_id)
    d = _Docs(documents(ctx.store))
    words = _words(search)
    classified = d.classified(_given(taxonomy_term_id), _given(taxonomy_id))
    items = []
    for x in d.docs["service_at_location"]:
        svc = d.services.get(str(x.get("service_id")))
        if (
            _has_words(words, x, x.get("location"), svc)
            and classified(svc)
            and (organization_id is None or (svc or {}).get("organization_id") == organization_id)
            and _modified_since(svc or {}, when)
        ):
            items.append(x)
    return _respond(items, lambda x: _service_at_location(x, d, full=full), page, per_page, format)


@router.get(
    "/taxonomy_terms",
    summary="分類語 (HSDS taxonomy_terms)",
    response_model=HsdsPage,
    responses=_LIST_RESPONSES,
)
def taxonomy_terms(
    ctx: TownDep,
    search: Annotated[
        str | None,
        Query(
            max_length=200,
            description="全文検索: 空白で区切った語がすべて名称・コード・説明に含まれるもの (NFKC、大文字小文字を区別"
            "しない) (every word occurs in the name, code or description; NFKC, case-insensitive)",
        ),
    ] = None,
    page: Page_ = 1,
    per_page: PerPage = None,
    format: Format = "json",
    taxonomy_id: Annotated[
        str | None, Query(max_length=200, description="この分類体系の語 (terms of this taxonomy)")
    ] = None,
    top_only: Annotated[
        bool, Query(description="親のない (最上位の) 語だけ (only terms without a parent)")
    ] = False,
    parent_id: Annotated[
        str | None,
        Query(max_length=200, description="この語を親に持つ語 (terms whose parent is this term)"),
    ] = None,
) -> Any:
    words = _words(search)
    taxonomy_id, parent_id = _given(taxonomy_id), _given(parent_id)
    items = [
        t
        for t in documents(ctx.store)["taxonomy_term"]
        if _has_words(words, t, keys=("name", "code", "description"))
        and (taxonomy_id is None or t.get("taxonomy_id") == taxonomy_id)
        and (not top_only or not t.get("parent_id"))
        and (parent_id is None or t.get("parent_id") == parent_id)
    ]
    return _respond(items, lambda t: t, page, per_page, format)


@router.get(
    "/{table}/{id}",
    summary="1件 (HSDS one item by id, fully nested)",
    response_model=dict[str, Any],
    responses=responses(*TOWN_ERRORS),
)
def one(
    ctx: TownDep,
    table: Annotated[str, Path(pattern="^(services|organizations|service_at_locations|taxonomy_terms)$")],
    id: Annotated[str, Path(max_length=200)],
    full_service: Annotated[
        bool,
        Query(
            description="organizations のみ: サービスを入れ子ですべて含める (organizations only: services fully "
            "nested; otherwise their one-to-one fields)"
        ),
    ] = False,
) -> dict[str, Any]:
    d = _Docs(documents(ctx.store))
    for item in d.docs[_TABLES[table]]:
        if item.get("id") == id:
            if table == "organizations":
                return _organization(item, d, full=True, full_service=full_service)
            if table == "service_at_locations":
                return _service_at_location(item, d, full=True)
            return item
    raise ApiError.of(404, "見つかりません", f"no {table} {id!r}", "id")
