"""Versioned resources under ``/v1/towns/{town}/{kind}``: PUT upsert, GET one, GET list, DELETE, bulk upsert.
The handlers parse and render; the use cases (checks, writes, audit) are :mod:`graphsvc.services.records`.

No ``from __future__ import annotations`` here: the handlers are built per kind in a loop and FastAPI reads
their annotations (the kind's ``XCreate`` / ``XPublic``) when they are registered.
"""

import re
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from pydantic import Field

from graphsvc.access.policy import WRITERS
from graphsvc.api.bulk import bulk_body, parse_rows, validate_rows
from graphsvc.api.contract import BODY_ERRORS, TOWN_ERRORS, ApiRoute, component, responses
from graphsvc.api.deps import TownDep, require
from graphsvc.api.paging import Cursor, Limit, Offset, encode_cursor, start_of
from graphsvc.api.schemas.records import KINDS, Kind, request_data
from graphsvc.api.schemas.services import BulkResult, DeleteResultOut, Page, UpsertResult
from graphsvc.domain.ids import RECORD_ID_PATTERN
from graphsvc.services.records import FILTER_VALUE_PATTERNS, filter_fields

__all__ = ["ID_PATTERN", "filter_pattern", "router"]

router = APIRouter(prefix="/v1/towns/{town}", route_class=ApiRoute)
ID_PATTERN = RECORD_ID_PATTERN


def filter_pattern(kind: Kind) -> str:
    """The pattern of one ``filter`` value of a kind: ``field=value`` with a field it may be filtered on and a
    value of that field's form (:func:`graphsvc.services.records.filter_fields`)."""
    by_how: dict[str, list[str]] = {}
    for name, how in filter_fields(kind).items():
        by_how.setdefault(how, []).append(re.escape(name))
    values = {**FILTER_VALUE_PATTERNS, "text": r"[\s\S]*"}
    alternatives = [f"(?:{'|'.join(names)})=(?:{values[how]})" for how, names in sorted(by_how.items())]
    return f"^(?:{'|'.join(alternatives)})$"


def _register(kind: Kind) -> None:
    Create = kind.create
    Public = kind.public
    tag = f"{kind.ja} ({kind.path})"
    IdPath = Annotated[str, Path(description=f"{kind.ja}の外部ID", examples=["X-0001"], pattern=ID_PATTERN)]

    FilterValue = Annotated[str, Field(pattern=filter_pattern(kind))]
    fields = ", ".join(filter_fields(kind))

    def list_items(
        ctx: TownDep,
        limit: Limit = 100,
        offset: Offset = 0,
        cursor: Cursor = None,
        filter: Annotated[
            list[FilterValue] | None,
            Query(
                max_length=20,
                description=f"項目=値 の絞り込み (すべて満たすもの)。項目: {fields}。真偽値は true/false、数は 10 進。"
                "役割が見られない項目 (多機関協働の役割には同意のない本人の氏名など) では絞り込めません (422) "
                f"(field=value filters, all must hold; fields: {fields}; only on fields the role may see)",
                examples=[["id=X-0001"]],
            ),
        ] = None,
    ) -> Page[Public]:  # type: ignore[valid-type]
        listing = ctx.t.records.list(ctx.ctx, kind, filter)
        start = start_of(cursor, offset)
        page = listing.page(start, limit)
        nxt = start + len(page)
        return Page[Public](  # type: ignore[valid-type]
            items=page,
            total=listing.total,
            limit=limit,
            offset=start,
            next_cursor=encode_cursor(nxt) if nxt < listing.total else None,
        )

    def get_item(ctx: TownDep, id: IdPath) -> Public:  # type: ignore[valid-type]
        return ctx.t.records.get(ctx.ctx, kind, id)

    def put_item(ctx: TownDep, id: IdPath, body: Create, response: Response) -> UpsertResult:  # type: ignore[valid-type]
        res = ctx.t.records.upsert(ctx.ctx, kind, id, request_data(body))
        response.status_code = 201 if res.created else 200
        return UpsertResult(id=res.id, kind=res.kind, created=res.created)

    def delete_item(
        ctx: TownDep,
        id: IdPath,
        detach: Annotated[bool, Query(description="関係ごと削除する (remove its relationships too)")] = False,
    ) -> DeleteResultOut:
        res = ctx.t.records.delete(ctx.ctx, kind, id, detach=detach)
        return DeleteResultOut(
            id=res.id,
            kind=res.kind,
            nodes=res.nodes,
            relationships=res.relationships,
            removed_relationships=res.removed_relationships,
        )

    async def bulk_upsert(ctx: TownDep, request: Request) -> BulkResult:
        rows = parse_rows(await request.body(), request.headers.get("content-type"))
        valid = validate_rows(rows, kind.row.model_validate)
        res = ctx.t.records.bulk_upsert(ctx.ctx, kind, [request_data(r) for r in valid])
        return BulkResult(kind=res.kind, rows=res.rows, created=res.created, updated=res.updated)

    name = kind.path
    writers = [Depends(require(*WRITERS))]
    router.add_api_route(
        f"/{name}",
        list_items,
        methods=["GET"],
        tags=[tag],
        summary=f"{kind.ja}の一覧 (list {name})",
        operation_id=f"list_{name}",
        response_model=Page[Public],  # type: ignore[valid-type]
        responses=responses(*TOWN_ERRORS),
    )
    router.add_api_route(
        f"/{name}/{{id}}",
        get_item,
        methods=["GET"],
        tags=[tag],
        summary=f"{kind.ja}を1件 (get one)",
        operation_id=f"get_{name}",
        response_model=Public,
        responses=responses(*TOWN_ERRORS),
    )
    router.add_api_route(
        f"/{name}/{{id}}",
        put_item,
        methods=["PUT"],
        tags=[tag],
        summary=f"{kind.ja}の登録・更新 (idempotent upsert)",
        operation_id=f"put_{name}",
        response_model=UpsertResult,
        status_code=200,
        responses={
            201: {"model": UpsertResult, "description": "作成 (created)"},
            **responses(*TOWN_ERRORS, *BODY_ERRORS, 409),
        },
        dependencies=writers,
    )
    router.add_api_route(
        f"/{name}/{{id}}",
        delete_item,
        methods=["DELETE"],
        tags=[tag],
        summary=f"{kind.ja}の削除 (?detach=true で関係ごと)",
        operation_id=f"delete_{name}",
        response_model=DeleteResultOut,
        responses=responses(*TOWN_ERRORS, 409),
        dependencies=writers,
    )
    extra: Any = Create.model_config.get("json_schema_extra") or {}
    example: dict[str, Any] = {"id": "X-0001", **dict(extra.get("examples", [{}])[0])}
    router.add_api_route(
        f"/{name}:bulk",
        bulk_upsert,
        methods=["POST"],
        tags=[tag],
        summary=f"{kind.ja}の一括登録 (atomic, idempotent; JSON array or NDJSON)",
        description="全行を検証してから1回で書き込みます。1行でも誤りがあれば 422 で何も書きません "
        "(every row is validated first; one bad row or line → 422 with every problem, each naming its row, "
        "nothing written). NDJSON: `Content-Type: application/x-ndjson`, one row per line.",
        operation_id=f"bulk_{name}",
        response_model=BulkResult,
        responses=responses(*TOWN_ERRORS, *BODY_ERRORS, 409),
        dependencies=writers,
        openapi_extra=bulk_body(component(kind.row), example),
    )


for _kind in KINDS.values():
    _register(_kind)
