"""HSDS 3.0 read endpoints (Open Referral): services, organizations, service_at_locations, taxonomy_terms,
with the HSDS ``Page`` envelope (``total_items``, ``total_pages``, ``page_number``, ``size``, ``first_page``,
``last_page``, ``empty``, ``contents``). The mapping is the exporter's (:mod:`loaders.hsds`)."""

from __future__ import annotations

import math
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query

from graphsvc.api.deps import TownDep
from graphsvc.api.errors import ApiError
from graphsvc.api.routes.resources import ERRORS

router = APIRouter(prefix="/v1/towns/{town}/hsds", tags=["HSDS 3.0"])

_TABLES = {
    "services": "service",
    "organizations": "organization",
    "service_at_locations": "service_at_location",
    "taxonomy_terms": "taxonomy_term",
}
# one-to-one fields only unless ?full=true (HSDS service_list / organization_list)
_NESTED = {
    "organization",
    "schedules",
    "service_at_locations",
    "attributes",
    "phones",
    "locations",
    "organization_identifiers",
    "location",
    "addresses",
}


def documents(ctx_store: Any) -> dict[str, list[dict[str, Any]]]:
    from loaders.hsds import _Exporter

    ex = _Exporter(ctx_store)
    ex.run()
    return ex.documents()


def _page(items: list[dict[str, Any]], page: int, per_page: int) -> dict[str, Any]:
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


def _search(items: list[dict[str, Any]], text: str | None) -> list[dict[str, Any]]:
    if not text:
        return items
    t = text.lower()
    return [
        i for i in items if t in str(i.get("name", "")).lower() or t in str(i.get("description", "")).lower()
    ]


Page_ = Annotated[int, Query(ge=1, le=100_000, description="ページ番号 (1から)")]
PerPage = Annotated[int, Query(ge=1, le=500, description="1ページの件数")]


def _list(
    ctx: TownDep,
    table: str,
    page: int,
    per_page: int,
    search: str | None,
    full: bool,
    filters: dict[str, str | None],
) -> dict[str, Any]:
    items = documents(ctx.store)[table]
    items = _search(items, search)
    for key, value in filters.items():
        if value is not None:
            items = [i for i in items if i.get(key) == value]
    if not full:
        items = [{k: v for k, v in i.items() if k not in _NESTED} for i in items]
    return _page(items, page, per_page)


@router.get("/services", summary="サービス一覧 (HSDS services)", responses=ERRORS)
def services(
    ctx: TownDep,
    page: Page_ = 1,
    per_page: PerPage = 50,
    search: Annotated[str | None, Query(max_length=200)] = None,
    organization_id: Annotated[str | None, Query(max_length=200)] = None,
    full: bool = False,
) -> dict[str, Any]:
    return _list(ctx, "service", page, per_page, search, full, {"organization_id": organization_id})


@router.get("/organizations", summary="組織一覧 (HSDS organizations)", responses=ERRORS)
def organizations(
    ctx: TownDep,
    page: Page_ = 1,
    per_page: PerPage = 50,
    search: Annotated[str | None, Query(max_length=200)] = None,
    full: bool = False,
) -> dict[str, Any]:
    return _list(ctx, "organization", page, per_page, search, full, {})


@router.get("/service_at_locations", summary="サービス提供場所 (HSDS service_at_locations)", responses=ERRORS)
def service_at_locations(
    ctx: TownDep, page: Page_ = 1, per_page: PerPage = 50, full: bool = False
) -> dict[str, Any]:
    return _list(ctx, "service_at_location", page, per_page, None, full, {})


@router.get("/taxonomy_terms", summary="分類語 (HSDS taxonomy_terms)", responses=ERRORS)
def taxonomy_terms(
    ctx: TownDep,
    page: Page_ = 1,
    per_page: PerPage = 50,
    taxonomy_id: Annotated[str | None, Query(max_length=200)] = None,
) -> dict[str, Any]:
    return _list(ctx, "taxonomy_term", page, per_page, None, True, {"taxonomy_id": taxonomy_id})


@router.get("/{table}/{id}", summary="1件 (HSDS one item by id)", responses=ERRORS)
def one(
    ctx: TownDep,
    table: Annotated[str, Path(pattern="^(services|organizations|service_at_locations|taxonomy_terms)$")],
    id: Annotated[str, Path(max_length=200)],
) -> dict[str, Any]:
    for item in documents(ctx.store)[_TABLES[table]]:
        if item.get("id") == id:
            return item
    raise ApiError.of(404, "見つかりません", f"no {table} {id!r}", "id")
