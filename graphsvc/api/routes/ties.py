"""Relationships (ties) between nodes: upsert, list, delete, bulk. Ties touch persons and households, so they
are personal data: admin, multiagency (read) and case systems (their own) only."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response

from graphsvc.api.deps import TownCtx, TownDep, require
from graphsvc.api.errors import ApiError
from graphsvc.api.policy import TIE_KIND, can_write, check_read, check_write_owned
from graphsvc.api.routes.resources import (
    ERRORS,
    ID_PATTERN,
    MAX_BULK_ROWS,
    decode_cursor,
    encode_cursor,
    parse_rows,
)
from graphsvc.api.schemas.services import Page, TieDelete, TieIn, TieOut, UpsertResult
from graphsvc.api.security import Role
from graphsvc.domain.codec import rel_props_from_store, rel_props_to_store, validate_rel_props
from graphsvc.domain.enums import NodeLabel, RelType
from graphsvc.domain.errors import DomainValidationError, Problem
from graphsvc.domain.records import REL_SPECS
from graphsvc.store.port import NodeRef, RelRow, WriteBatch

router = APIRouter(prefix="/v1/towns/{town}", tags=["関係 (ties)"])
_writers = [Depends(require(Role.ADMIN, Role.CASE_SYSTEM))]


def tie_key(t: RelType, src: NodeRef, dst: NodeRef) -> str:
    return f"{t.value}|{src}|{dst}"


def _row(tie: TieIn, *, row: int | None = None) -> RelRow:
    spec = REL_SPECS[tie.type]
    where: dict[str, Any] = {"row": row} if row is not None else {}
    if tie.src.label not in spec.sources or tie.dst.label not in spec.targets:
        raise DomainValidationError(
            [
                Problem(
                    f"{tie.type.value} は {'・'.join(sorted(s.value for s in spec.sources))} → "
                    f"{'・'.join(sorted(s.value for s in spec.targets))} の関係です",
                    f"{tie.type.value} joins {sorted(s.value for s in spec.sources)} to "
                    f"{sorted(s.value for s in spec.targets)}",
                    field="type",
                    **where,
                )
            ]
        )
    props = validate_rel_props(tie.type, tie.props, **where)
    return RelRow(
        tie.type,
        NodeRef(tie.src.label, tie.src.id),
        NodeRef(tie.dst.label, tie.dst.id),
        rel_props_to_store(tie.type, props),
    )


def _out(r: RelRow) -> TieOut:
    return TieOut(
        type=r.type,
        src={"label": r.src.label.value, "id": r.src.id},
        dst={"label": r.dst.label.value, "id": r.dst.id},
        props=rel_props_from_store(r.type, r.props).model_dump(mode="json", exclude_none=True),
    )


def _sid(ctx: TownCtx) -> str:
    return ctx.principal.system_id or ctx.principal.key_id


@router.post(
    "/ties",
    summary="関係の登録・更新 (idempotent upsert by type, source and target)",
    response_model=UpsertResult,
    responses={**ERRORS, 201: {"model": UpsertResult}},
    dependencies=_writers,
)
def put_tie(ctx: TownDep, tie: TieIn, response: Response) -> UpsertResult:
    can_write(ctx)
    rel = _row(tie)
    key = tie_key(rel.type, rel.src, rel.dst)
    existing = any(
        r.dst == rel.dst for r in ctx.store.relationships(rel.src, types=[rel.type], direction="out")
    )
    check_write_owned(ctx, TIE_KIND, [key], {key} if existing else set())
    ctx.store.write(WriteBatch(rels=[rel]))
    if ctx.role is Role.CASE_SYSTEM:
        ctx.system.ownership.claim(ctx.town, TIE_KIND, [key], _sid(ctx))
    ctx.audit("upsert", TIE_KIND, [rel.src.id, rel.dst.id])
    response.status_code = 200 if existing else 201
    return UpsertResult(id=key, kind=TIE_KIND, created=not existing)


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
    can_write(ctx)
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
        except Exception as err:  # pydantic.ValidationError
            from pydantic import ValidationError

            from graphsvc.domain.codec import problems_from_validation

            if not isinstance(err, ValidationError):
                raise
            problems.extend(problems_from_validation(err, row=n))
    if problems:
        raise ApiError(422, problems)
    keys = [tie_key(r.type, r.src, r.dst) for r in rels]
    existing = {
        tie_key(x.type, x.src, x.dst)
        for r in rels
        for x in ctx.store.relationships(r.src, types=[r.type], direction="out")
        if x.dst == r.dst
    }
    check_write_owned(ctx, TIE_KIND, keys, existing)
    if rels:
        ctx.store.write(WriteBatch(rels=rels))
    if ctx.role is Role.CASE_SYSTEM:
        ctx.system.ownership.claim(ctx.town, TIE_KIND, keys, _sid(ctx))
    ctx.audit("bulk_upsert", TIE_KIND, sorted({i for r in rels for i in (r.src.id, r.dst.id)}))
    return {
        "kind": TIE_KIND,
        "rows": len(raw),
        "created": len(set(keys) - existing),
        "updated": len(existing),
    }


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
    check_read(ctx, TIE_KIND, True)
    start = decode_cursor(cursor) if cursor else offset
    if (node_label is None) != (node_id is None):
        raise ApiError.of(
            422,
            "node_label と node_id は両方指定してください",
            "give node_label and node_id together",
            "node_id",
        )
    if node_label is not None and node_id is not None:
        rels = ctx.store.relationships(NodeRef(node_label, node_id), types=[type] if type else None)
    else:
        rels = [r for t in ([type] if type else list(RelType)) for r in ctx.store.iter_rels(t)]
    if ctx.role is Role.CASE_SYSTEM:
        own = set(ctx.system.ownership.owned(ctx.town, TIE_KIND, _sid(ctx)))
        rels = [r for r in rels if tie_key(r.type, r.src, r.dst) in own]
    rels.sort(key=lambda r: (r.type.value, str(r.src), str(r.dst)))
    page = rels[start : start + limit]
    ctx.audit("list", TIE_KIND, sorted({i for r in page for i in (r.src.id, r.dst.id)}))
    nxt = start + len(page)
    return Page[TieOut](
        items=[_out(r) for r in page],
        total=len(rels),
        limit=limit,
        offset=start,
        next_cursor=encode_cursor(nxt) if nxt < len(rels) else None,
    )


@router.post(
    "/ties:delete",
    summary="関係の削除 (delete one tie)",
    responses=ERRORS,
    dependencies=_writers,
)
def delete_tie(ctx: TownDep, tie: TieDelete) -> dict[str, Any]:
    can_write(ctx)
    src, dst = NodeRef(tie.src.label, tie.src.id), NodeRef(tie.dst.label, tie.dst.id)
    key = tie_key(tie.type, src, dst)
    check_write_owned(ctx, TIE_KIND, [key], {key})
    removed = ctx.store.delete_rel(tie.type, src, dst)
    if not removed:
        raise ApiError.of(404, "その関係はありません", "no such tie", "type")
    ctx.system.ownership.release(ctx.town, TIE_KIND, [key])
    ctx.audit("delete", TIE_KIND, [src.id, dst.id])
    return {"deleted": True, "type": tie.type.value, "src": str(src), "dst": str(dst)}
