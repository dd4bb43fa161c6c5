"""HSDS 3.0 read endpoints (Open Referral): services, organizations, service_at_locations, taxonomy_terms,
with the HSDS ``Page`` envelope (``total_items``, ``total_pages``, ``page_number``, ``size``, ``first_page``,
``last_page``, ``empty``, ``contents``). The mapping is :mod:`graphsvc.hsds.mapping`.

Routes only parse, call and render: the queries (filters, representations, paging) are
:mod:`graphsvc.hsds.query`, whose docstring lists the parameters; the documents come from
:func:`graphsvc.hsds.build_documents`. ``format=ndjson`` gives every matching item, one a line, without paging.
A bad value is a 422 naming the parameter. ``taxonomy_term_id`` and ``taxonomy_id`` on ``/organizations``
extend the reference (which defines them for services and services at locations); ``postcode`` and
``proximity`` are not offered (no service areas and no postcode centroids), nor is ``/taxonomies``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field

from graphsvc.api.contract import TOWN_ERRORS, ApiRoute, responses
from graphsvc.api.deps import TownDep
from graphsvc.api.errors import ApiError
from graphsvc.api.schemas.strict import BLANK_PATTERN

router = APIRouter(prefix="/v1/towns/{town}/hsds", tags=["HSDS 3.0"], route_class=ApiRoute)

Item = dict[str, Any]


def _docs(ctx: TownDep) -> dict[str, list[Item]]:
    from graphsvc.hsds import build_documents

    return build_documents(ctx.store)


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
                {"type": "string", "pattern": BLANK_PATTERN, "maxLength": 64},
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

# ---------------------------------------------------------------- rendering


def _ndjson(items: Iterator[Item]) -> Iterator[str]:
    for item in items:
        yield json.dumps(item, ensure_ascii=False) + "\n"


def _respond(listing: Any, page: int, per_page: int | None, fmt: str) -> Any:
    if fmt == "ndjson":
        return StreamingResponse(_ndjson(iter(listing.shaped())), media_type="application/x-ndjson")
    return listing.page(page, per_page)


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
    from graphsvc.hsds import query

    listing = query.services(
        _docs(ctx),
        search=search,
        taxonomy_term_id=taxonomy_term_id,
        taxonomy_id=taxonomy_id,
        organization_id=organization_id,
        modified_after=modified_after,
        minimal=minimal,
        full=full,
    )
    return _respond(listing, page, per_page, format)


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
    from graphsvc.hsds import query

    listing = query.organizations(
        _docs(ctx),
        search=search,
        taxonomy_term_id=taxonomy_term_id,
        taxonomy_id=taxonomy_id,
        full=full,
        full_service=full_service,
    )
    return _respond(listing, page, per_page, format)


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
    from graphsvc.hsds import query

    listing = query.service_at_locations(
        _docs(ctx),
        search=search,
        taxonomy_term_id=taxonomy_term_id,
        taxonomy_id=taxonomy_id,
        organization_id=organization_id,
        modified_after=modified_after,
        full=full,
    )
    return _respond(listing, page, per_page, format)


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
    from graphsvc.hsds import query

    listing = query.taxonomy_terms(
        _docs(ctx), search=search, taxonomy_id=taxonomy_id, top_only=top_only, parent_id=parent_id
    )
    return _respond(listing, page, per_page, format)


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
    from graphsvc.hsds import query

    item = query.one(_docs(ctx), table, id, full_service=full_service)
    if item is None:
        raise ApiError.of(404, "見つかりません", f"no {table} {id!r}", "id")
    return item
