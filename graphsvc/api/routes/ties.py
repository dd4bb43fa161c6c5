"""Relationships (ties) between nodes: upsert, list, delete, bulk. Ties touch persons and households, so they
are personal data: admin, multiagency (read) and case systems (their own) only."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import ValidationError

from graphsvc.access.kinds import TIE_KIND
from graphsvc.access.policy import WRITERS
from graphsvc.api.deps import TownDep, require
from graphsvc.api.errors import ApiError
from graphsvc.api.routes.resources import (
    ERRORS,
    ID_PATTERN,
    MAX_BULK_ROWS,
    decode_cursor,
    encode_cursor,
    parse_rows,
)
from graphsvc.api.schemas.services import Page, TieDelete, TieIn, TieOut, UpsertResult
from graphsvc.domain.codec import problems_from_validation, rel_props_from_store
from graphsvc.domain.enums import NodeLabel, RelType
from graphsvc.domain.errors import DomainValidationError, Problem
from graphsvc.services.ties import tie_row
from graphsvc.store.port import NodeRef, RelRow

router = APIRouter(prefix="/v1/towns/{town}", tags=["関係 (ties)"])
_writers = [Depends(require(*WRITERS))]


def _row(tie: TieIn, *, row: int | None = None) -> RelRow:
    return tie_row(
        tie.type, NodeRef(tie.src.label, tie.src.id), NodeRef(tie.dst.label, tie.dst.id), tie.props, row=row
    )


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
    responses={**ERRORS, 201: {"model": UpsertResult}},
    dependencies=_writers,
)
def put_tie(ctx: TownDep, tie: TieIn, response: Response) -> UpsertResult:
    res = ctx.t.ties.upsert(ctx.ctx, _row(tie))
    response.status_code = 201 if res.created else 200
    return UpsertResult(id=res.id, kind=res.kind, created=res.created)


@router.post(
    "/ties:bulk",
    summary="関係の一括登録 (atomic; JSON array or NDJSON of TieIn)",
    responses={**ERRORS, 413: {}},
    dependencies=_writers,
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": {
                        "type": "array",
                        "maxItems": MAX_BULK_ROWS,
                        "items": {"$ref": "#/components/schemas/TieIn"},
                    },
                    "example": [TieIn.model_config["json_schema_extra"]["examples"][0]],  # type: ignore[index]
                },
                "application/x-ndjson": {
                    "schema": {"type": "string"},
                    "example": json.dumps(
                        TieIn.model_config["json_schema_extra"]["examples"][0],  # type: ignore[index]
                        ensure_ascii=False,
                    )
                    + "\n",
                },
            },
        }
    },
)
async def bulk_ties(ctx: TownDep, request: Request) -> dict[str, Any]:
    raw = parse_rows(await request.body(), request.headers.get("content-type", ""))
    if len(raw) > MAX_BULK_ROWS:
        raise ApiError.of(413, f"一度に送れるのは {MAX_BULK_ROWS:,} 行までです", "too many rows", "body")
    problems: list[Problem] = []
    rels: list[RelRow] = []
    for n, item in enumerate(raw, start=1):
        try:
            rels.append(_row(TieIn.model_validate(item), row=n))
        except DomainValidationError as err:
            problems.extend(err.problems)
        except ValidationError as err:
            problems.extend(problems_from_validation(err, row=n))
    if problems:
        raise ApiError(422, problems)
    res = ctx.t.ties.bulk_upsert(ctx.ctx, rels, rows=len(raw))
    return {"kind": TIE_KIND, "rows": res.rows, "created": res.created, "updated": res.updated}


@router.get("/ties", summary="関係の一覧 (list ties)", response_model=Page[TieOut], responses=ERRORS)
def list_ties(
    ctx: TownDep,
    type: Annotated[RelType | None, Query(description="関係の種類")] = None,
    node_label: Annotated[NodeLabel | None, Query(description="この端点の関係だけ (with node_id)")] = None,
    node_id: Annotated[str | None, Query(pattern=ID_PATTERN)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
    cursor: Annotated[str | None, Query(max_length=100)] = None,
) -> Page[TieOut]:
    start = decode_cursor(cursor) if cursor else offset
    if (node_label is None) != (node_id is None):
        raise ApiError.of(
            422,
            "node_label と node_id は両方指定してください",
            "give node_label and node_id together",
            "node_id",
        )
    node = NodeRef(node_label, node_id) if node_label is not None and node_id is not None else None
    listing = ctx.t.ties.list(ctx.ctx, rel_type=type, node=node)
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
    responses=ERRORS,
    dependencies=_writers,
)
def delete_tie(ctx: TownDep, tie: TieDelete) -> dict[str, Any]:
    src, dst = NodeRef(tie.src.label, tie.src.id), NodeRef(tie.dst.label, tie.dst.id)
    res = ctx.t.ties.delete(ctx.ctx, tie.type, src, dst)
    return {"deleted": res.deleted, "type": res.type, "src": res.src, "dst": res.dst}
