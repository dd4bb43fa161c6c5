"""Relationships (ties) between nodes: upsert, list, delete, bulk. Ties touch persons and households, so they
are personal data: admin, multiagency (read) and case systems (their own) only.

A tie's schema is one per relationship type (a discriminated union on ``type``): the labels of its ends are the
ones that type joins and its ``props`` are that type's properties, so a body that follows the schema is a tie the
graph can hold."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Query, Request, Response

from graphsvc.access.kinds import TIE_KIND
from graphsvc.access.policy import WRITERS
from graphsvc.api.bulk import bulk_body, parse_rows, validate_rows
from graphsvc.api.contract import BODY_ERRORS, TOWN_ERRORS, ApiRoute, component, responses
from graphsvc.api.deps import TownDep, require
from graphsvc.api.paging import Cursor, Limit, Offset, encode_cursor, start_of
from graphsvc.api.routes.resources import ID_PATTERN
from graphsvc.api.schemas.services import (
    TIE_ADAPTER,
    TIE_DELETE_EXAMPLE,
    TIE_EXAMPLE,
    BulkResult,
    Page,
    TieDelete,
    TieDeleted,
    TieIn,
    TieOut,
    UpsertResult,
)
from graphsvc.api.schemas.strict import exact_enum
from graphsvc.domain.codec import rel_props_from_store
from graphsvc.domain.enums import NodeLabel, RelType
from graphsvc.services.ties import tie_row
from graphsvc.store.port import NodeRef, RelRow

router = APIRouter(prefix="/v1/towns/{town}", tags=["関係 (ties)"], route_class=ApiRoute)
_writers = [Depends(require(*WRITERS))]
RelTypeCode = exact_enum(RelType)
NodeLabelCode = exact_enum(NodeLabel)


def _ref(end: Any) -> NodeRef:
    return NodeRef(NodeLabel(end.label), end.id)


def _row(tie: Any, *, row: int | None = None) -> RelRow:
    props = tie.props.model_dump(mode="json", exclude_unset=True, exclude_none=True)
    return tie_row(RelType(tie.type), _ref(tie.src), _ref(tie.dst), props, row=row)


def _out(r: RelRow) -> TieOut:
    return TieOut(
        type=r.type,
        src={"label": r.src.label.value, "id": r.src.id},
        dst={"label": r.dst.label.value, "id": r.dst.id},
        props=rel_props_from_store(r.type, r.props).model_dump(mode="json", exclude_none=True),
    )


@router.post(
    "/ties",
    summary="関係の登録・更新 (idempotent upsert by type, source and target)",
    response_model=UpsertResult,
    responses={
        201: {"model": UpsertResult, "description": "作成 (created)"},
        **responses(*TOWN_ERRORS, *BODY_ERRORS, 409),
    },
    dependencies=_writers,
)
def put_tie(
    ctx: TownDep,
    tie: Annotated[TieIn, Body(openapi_examples={"tie": {"value": TIE_EXAMPLE}})],
    response: Response,
) -> UpsertResult:
    res = ctx.t.ties.upsert(ctx.ctx, _row(tie))
    response.status_code = 201 if res.created else 200
    return UpsertResult(id=res.id, kind=res.kind, created=res.created)


@router.post(
    "/ties:bulk",
    summary="関係の一括登録 (atomic; JSON array or NDJSON of ties)",
    description="全行を検証してから1回で書き込みます。1行でも誤りがあれば 422 で何も書きません "
    "(every row is validated first; one bad row or line → 422 with every problem, each naming its row, "
    "nothing written). NDJSON: `Content-Type: application/x-ndjson`, one tie per line.",
    response_model=BulkResult,
    responses=responses(*TOWN_ERRORS, *BODY_ERRORS, 409),
    dependencies=_writers,
    openapi_extra=bulk_body(component(TieIn, "TieIn"), TIE_EXAMPLE),
)
async def bulk_ties(ctx: TownDep, request: Request) -> BulkResult:
    raw = parse_rows(await request.body(), request.headers.get("content-type"))
    ties = validate_rows(raw, TIE_ADAPTER.validate_python)
    rels = [_row(t, row=n) for n, t in enumerate(ties, start=1)]
    res = ctx.t.ties.bulk_upsert(ctx.ctx, rels, rows=len(raw))
    return BulkResult(kind=TIE_KIND, rows=res.rows, created=res.created, updated=res.updated)


@router.get(
    "/ties",
    summary="関係の一覧 (list ties; by type, by an end's label and/or id)",
    response_model=Page[TieOut],
    responses=responses(*TOWN_ERRORS),
)
def list_ties(
    ctx: TownDep,
    type: Annotated[RelTypeCode | None, Query(description="関係の種類")] = None,  # type: ignore[valid-type]
    node_label: Annotated[
        NodeLabelCode | None,  # type: ignore[valid-type]
        Query(
            description="この種類の端点を持つ関係 (ties with an end of this label; with node_id: that node)"
        ),
    ] = None,
    node_id: Annotated[
        str | None,
        Query(pattern=ID_PATTERN, description="この ID の端点を持つ関係 (ties with an end of this id)"),
    ] = None,
    limit: Limit = 100,
    offset: Offset = 0,
    cursor: Cursor = None,
) -> Page[TieOut]:
    start = start_of(cursor, offset)
    listing = ctx.t.ties.list(ctx.ctx, rel_type=type, label=node_label, node_id=node_id)
    page = listing.page(start, limit)
    nxt = start + len(page)
    return Page[TieOut](
        items=[_out(r) for r in page],
        total=listing.total,
        limit=limit,
        offset=start,
        next_cursor=encode_cursor(nxt) if nxt < listing.total else None,
    )


@router.post(
    "/ties:delete",
    summary="関係の削除 (delete one tie)",
    response_model=TieDeleted,
    responses=responses(*TOWN_ERRORS, *BODY_ERRORS, 409),
    dependencies=_writers,
)
def delete_tie(
    ctx: TownDep, tie: Annotated[TieDelete, Body(openapi_examples={"tie": {"value": TIE_DELETE_EXAMPLE}})]
) -> TieDeleted:
    res = ctx.t.ties.delete(ctx.ctx, RelType(tie.type), _ref(tie.src), _ref(tie.dst))
    return TieDeleted(deleted=res.deleted, type=res.type, src=res.src, dst=res.dst)
