"""Versioned resources under ``/v1/towns/{town}/{kind}``: PUT upsert, GET one, GET list, DELETE, bulk upsert.
The handlers parse and render; the use cases (checks, writes, audit) are :mod:`graphsvc.services.records`.

No ``from __future__ import annotations`` here: the handlers are built per kind in a loop and FastAPI reads
their annotations (the kind's ``XCreate`` / ``XPublic``) when they are registered.
"""

import base64
import binascii
import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from pydantic import BaseModel

from graphsvc.access.policy import WRITERS
from graphsvc.api.deps import TownDep, require
from graphsvc.api.errors import ApiError, ProblemsOut
from graphsvc.api.schemas.records import KINDS, Kind
from graphsvc.api.schemas.services import BulkResult, DeleteResultOut, Page, UpsertResult
from graphsvc.domain.errors import Problem
from graphsvc.domain.ids import RECORD_ID_PATTERN

__all__ = ["ID_PATTERN", "decode_cursor", "encode_cursor", "parse_rows", "router"]

router = APIRouter(prefix="/v1/towns/{town}")
ID_PATTERN = RECORD_ID_PATTERN
MAX_BULK_ROWS = 10_000

ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": ProblemsOut, "description": "認証が必要 (no or invalid API key)"},
    403: {"model": ProblemsOut, "description": "権限・同意がない (role, scope or consent)"},
    404: {"model": ProblemsOut, "description": "見つからない (not found)"},
    422: {"model": ProblemsOut, "description": "入力エラー (validation; Japanese and English)"},
    429: {"model": ProblemsOut, "description": "回数制限 (rate limited; Retry-After)"},
    503: {"model": ProblemsOut, "description": "ストアに接続できない (store unavailable; Retry-After)"},
}


def encode_cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(f"o:{offset}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        if not raw.startswith("o:"):
            raise ValueError(raw)
        value = int(raw[2:])
        if value < 0:
            raise ValueError(raw)
        return value
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise ApiError.of(422, "カーソルが正しくありません", "invalid cursor", "cursor") from None


def parse_rows(body: bytes, content_type: str) -> list[Any]:
    """A JSON array or NDJSON (``application/x-ndjson``) body → rows; problems name the line."""
    text = body.decode("utf-8", errors="replace")
    if "ndjson" in content_type or "jsonlines" in content_type:
        rows: list[Any] = []
        problems: list[Problem] = []
        for n, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError as err:
                problems.append(
                    Problem("JSON として読めません", f"invalid JSON: {err.msg}", field="body", row=n)
                )
        if problems:
            raise ApiError(422, problems)
        return rows
    try:
        data = json.loads(text) if text.strip() else None
    except json.JSONDecodeError as err:
        raise ApiError.of(422, "JSON として読めません", f"invalid JSON: {err.msg}", "body") from None
    if not isinstance(data, list):
        raise ApiError.of(
            422,
            "JSON の配列 (または NDJSON) で送ってください",
            "send a JSON array (or NDJSON with Content-Type application/x-ndjson)",
            "body",
        )
    return data


def _register(kind: Kind) -> None:
    Create = kind.create
    Public = kind.public
    tag = f"{kind.ja} ({kind.path})"
    IdPath = Annotated[str, Path(description=f"{kind.ja}の外部ID", examples=["X-0001"], pattern=ID_PATTERN)]

    def list_items(
        ctx: TownDep,
        limit: Annotated[int, Query(ge=1, le=500, description="1ページの件数 (≤ 500)")] = 100,
        offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
        cursor: Annotated[str | None, Query(max_length=100, description="前のページの next_cursor")] = None,
        filter: Annotated[
            list[str] | None,
            Query(
                max_length=20,
                description="項目=値 の絞り込み (例 area_id=A-01)。役割が見られない項目では絞り込めません "
                "(only on fields the role may see)",
                examples=[["area_id=A-01"]],
            ),
        ] = None,
    ) -> Page[Public]:  # type: ignore[valid-type]
        listing = ctx.t.records.list(ctx.ctx, kind, filter)
        start = decode_cursor(cursor) if cursor else offset
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
        data = body.model_dump(mode="json", exclude_none=True)  # type: ignore[attr-defined]
        res = ctx.t.records.upsert(ctx.ctx, kind, id, data)
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
        rows = parse_rows(await request.body(), request.headers.get("content-type", ""))
        if len(rows) > MAX_BULK_ROWS:
            raise ApiError.of(
                413, f"一度に送れるのは {MAX_BULK_ROWS:,} 行までです", f"at most {MAX_BULK_ROWS} rows", "body"
            )
        res = ctx.t.records.bulk_upsert(ctx.ctx, kind, rows)
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
        responses=ERRORS,
    )
    router.add_api_route(
        f"/{name}/{{id}}",
        get_item,
        methods=["GET"],
        tags=[tag],
        summary=f"{kind.ja}を1件 (get one)",
        operation_id=f"get_{name}",
        response_model=Public,
        responses=ERRORS,
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
            **ERRORS,
            201: {"model": UpsertResult, "description": "作成 (created)"},
            409: {"model": ProblemsOut},
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
        responses={**ERRORS, 409: {"model": ProblemsOut, "description": "関係が残っている (use detach)"}},
        dependencies=writers,
    )
    extra: Any = Create.model_config.get("json_schema_extra") or {}
    example: dict[str, Any] = dict(extra.get("examples", [{}])[0])
    item_schema = {"$ref": f"#/components/schemas/{Public.__name__}"}
    router.add_api_route(
        f"/{name}:bulk",
        bulk_upsert,
        methods=["POST"],
        tags=[tag],
        summary=f"{kind.ja}の一括登録 (atomic, idempotent; JSON array or NDJSON)",
        description="全行を検証してから1回で書き込みます。1行でも誤りがあれば 422 で何も書きません "
        "(every row is validated first; one bad row → 422 with every problem, nothing written).",
        operation_id=f"bulk_{name}",
        response_model=BulkResult,
        responses={**ERRORS, 409: {"model": ProblemsOut}, 413: {"model": ProblemsOut}},
        dependencies=writers,
        openapi_extra={
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {
                        "schema": {
                            "type": "array",
                            "maxItems": MAX_BULK_ROWS,
                            "items": item_schema,
                        },
                        "example": [{"id": "X-0001", **example}],
                    },
                    "application/x-ndjson": {
                        "schema": {"type": "string"},
                        "example": json.dumps({"id": "X-0001", **example}, ensure_ascii=False) + "\n",
                    },
                },
            }
        },
    )


for _kind in KINDS.values():
    _register(_kind)

_ = BaseModel  # re-exported for type checkers of the dynamic models
