"""Versioned resources under ``/v1/towns/{town}/{kind}``: PUT upsert, GET one, GET list, DELETE, bulk upsert.

No ``from __future__ import annotations`` here: the handlers are built per kind in a loop and FastAPI reads
their annotations (the kind's ``XCreate`` / ``XPublic``) when they are registered.
"""

import base64
import binascii
import json
from collections.abc import Sequence
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from pydantic import BaseModel

from graphsvc.api.deps import TownDep, require
from graphsvc.api.errors import ApiError, ProblemsOut
from graphsvc.api.policy import (
    can_write,
    check_read,
    check_write_owned,
    redact,
    restricted_ids,
)
from graphsvc.api.schemas.records import KINDS, Kind
from graphsvc.api.schemas.services import BulkResult, DeleteResultOut, Page, UpsertResult
from graphsvc.api.security import Role
from graphsvc.domain.codec import Prop, node_from_props, to_props, validate_node
from graphsvc.domain.errors import DomainValidationError, Problem
from graphsvc.domain.ids import RECORD_ID_PATTERN
from graphsvc.store.port import NodeRef, NodeRow, WriteBatch

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


def _filters(kind: Kind, raw: Sequence[str] | None) -> dict[str, Prop]:
    where: dict[str, Prop] = {}
    for item in raw or []:
        key, sep, value = item.partition("=")
        key = key.strip()
        field = kind.record.model_fields.get(key)
        if (
            not sep
            or field is None
            or key in ("location", "capacity", "schedule", "participation_profile", "centre")
        ):
            raise ApiError.of(
                422,
                f"絞り込みは 項目=値 の形で、{kind.ja}の項目を指定してください",
                f"filter must be field=value with a field of {kind.path}",
                "filter",
                value=item[:80],
            )
        ann = str(field.annotation)
        parsed: Prop
        if "bool" in ann:
            if value.lower() not in ("true", "false", "1", "0"):
                raise ApiError.of(
                    422, "true か false で指定してください", "expected true or false", f"filter.{key}"
                )
            parsed = value.lower() in ("true", "1")
        elif "int" in ann and "list" not in ann:
            try:
                parsed = int(value)
            except ValueError:
                raise ApiError.of(
                    422, "整数で指定してください", "expected an integer", f"filter.{key}"
                ) from None
        else:
            parsed = value
        where[key] = parsed
    return where


def _public(kind: Kind, row: NodeRow) -> dict[str, Any]:
    return node_from_props(kind.label, row.props).model_dump(mode="json")


def _matches(item: dict[str, Any], where: dict[str, Prop]) -> bool:
    for k, v in where.items():
        got = item.get(k)
        if isinstance(got, list):
            if v not in got:
                return False
        elif got != v:
            return False
    return True


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
    personal = kind.personal
    action_kind = kind.path

    def list_items(
        ctx: TownDep,
        limit: Annotated[int, Query(ge=1, le=500, description="1ページの件数 (≤ 500)")] = 100,
        offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
        cursor: Annotated[str | None, Query(max_length=100, description="前のページの next_cursor")] = None,
        filter: Annotated[
            list[str] | None,
            Query(
                max_length=20, description="項目=値 の絞り込み (例 area_id=A-01)", examples=[["area_id=A-01"]]
            ),
        ] = None,
    ) -> Page[Public]:  # type: ignore[valid-type]
        check_read(ctx, action_kind, personal)
        start = decode_cursor(cursor) if cursor else offset
        where = _filters(kind, filter)
        ids = restricted_ids(ctx, kind)
        if ids is not None:
            rows = ctx.store.get_nodes(kind.label, ids) if ids else []
            items = [_public(kind, r) for r in sorted(rows, key=lambda r: r.id)]
            items = [i for i in items if _matches(i, where)]
            total = len(items)
            page = items[start : start + limit]
        else:
            if where:
                all_rows = ctx.store.find_nodes(kind.label, where)
                total = len(all_rows)
                rows = all_rows[start : start + limit]
            else:
                total = ctx.store.counts().nodes.get(kind.label.value, 0)
                rows = ctx.store.find_nodes(kind.label, None, limit=limit, offset=start)
            page = [_public(kind, r) for r in rows]
        page = [redact(ctx, kind, i) for i in page]
        if personal:
            ctx.audit("list", action_kind, [str(i["id"]) for i in page])
        nxt = start + len(page)
        return Page[Public](  # type: ignore[valid-type]
            items=page,
            total=total,
            limit=limit,
            offset=start,
            next_cursor=encode_cursor(nxt) if nxt < total else None,
        )

    def get_item(ctx: TownDep, id: IdPath) -> Public:  # type: ignore[valid-type]
        check_read(ctx, action_kind, personal)
        ids = restricted_ids(ctx, kind)
        if ids is not None and id not in ids:
            if ctx.role is Role.COORDINATOR and ctx.principal.assigned(id):
                raise ApiError.of(
                    403,
                    "本人の同意がこの利用目的を含んでいません",
                    "the person's consent does not cover this purpose",
                    "consent",
                )
            raise ApiError.of(404, f"{kind.ja}が見つかりません", f"no such {kind.label.value}", "id")
        row = ctx.store.get_node(NodeRef(kind.label, id))
        if row is None:
            raise ApiError.of(
                404, f"{kind.ja}「{id}」が見つかりません", f"no {kind.label.value} {id!r}", "id"
            )
        item = redact(ctx, kind, _public(kind, row))
        if personal:
            ctx.audit("read", action_kind, [id])
        return item

    def put_item(ctx: TownDep, id: IdPath, body: Create, response: Response) -> UpsertResult:  # type: ignore[valid-type]
        can_write(ctx)
        data = body.model_dump(mode="json", exclude_none=True)  # type: ignore[attr-defined]
        rec = validate_node(kind.label, {**data, "id": id})
        ref = NodeRef(kind.label, id)
        existing = ctx.store.get_node(ref)
        check_write_owned(ctx, action_kind, [id], {id} if existing else set())
        ctx.store.write(WriteBatch(nodes=[NodeRow(kind.label, id, to_props(rec))]))
        if ctx.role is Role.CASE_SYSTEM:
            ctx.system.ownership.claim(
                ctx.town, action_kind, [id], ctx.principal.system_id or ctx.principal.key_id
            )
        ctx.audit("upsert", action_kind, [id])
        response.status_code = 200 if existing else 201
        return UpsertResult(id=id, kind=action_kind, created=existing is None)

    def delete_item(
        ctx: TownDep,
        id: IdPath,
        detach: Annotated[bool, Query(description="関係ごと削除する (remove its relationships too)")] = False,
    ) -> DeleteResultOut:
        can_write(ctx)
        ref = NodeRef(kind.label, id)
        if ctx.store.get_node(ref) is None:
            raise ApiError.of(
                404, f"{kind.ja}「{id}」が見つかりません", f"no {kind.label.value} {id!r}", "id"
            )
        check_write_owned(ctx, action_kind, [id], {id})
        rels = ctx.store.relationships(ref) if detach else []
        res = ctx.store.delete_node(ref, detach=detach)
        ctx.system.ownership.release(ctx.town, action_kind, [id])
        ctx.audit("delete", action_kind, [id])
        removed = (
            [{"type": r.type, "src": str(r.src), "dst": str(r.dst)} for r in rels]
            if ctx.role is Role.ADMIN
            else []
        )
        return DeleteResultOut(
            id=id, kind=action_kind, nodes=res.nodes, relationships=res.rels, removed_relationships=removed
        )

    async def bulk_upsert(ctx: TownDep, request: Request) -> BulkResult:
        can_write(ctx)
        rows = parse_rows(await request.body(), request.headers.get("content-type", ""))
        if len(rows) > MAX_BULK_ROWS:
            raise ApiError.of(
                413, f"一度に送れるのは {MAX_BULK_ROWS:,} 行までです", f"at most {MAX_BULK_ROWS} rows", "body"
            )
        problems: list[Problem] = []
        records: dict[str, NodeRow] = {}
        for n, row in enumerate(rows, start=1):
            if not isinstance(row, dict):
                problems.append(
                    Problem("オブジェクトで指定してください", "each row must be an object", row=n)
                )
                continue
            try:
                rec = validate_node(kind.label, row, row=n)
            except DomainValidationError as err:
                problems.extend(err.problems)
                continue
            records[rec.id] = NodeRow(kind.label, rec.id, to_props(rec))
        if problems:
            raise ApiError(422, problems)
        ids = list(records)
        existing = {r.id for r in ctx.store.get_nodes(kind.label, ids)} if ids else set()
        check_write_owned(ctx, action_kind, ids, existing)
        if records:
            ctx.store.write(WriteBatch(nodes=list(records.values())))
        if ctx.role is Role.CASE_SYSTEM:
            ctx.system.ownership.claim(
                ctx.town, action_kind, ids, ctx.principal.system_id or ctx.principal.key_id
            )
        ctx.audit("bulk_upsert", action_kind, ids)
        return BulkResult(
            kind=action_kind, rows=len(rows), created=len(set(ids) - existing), updated=len(existing)
        )

    name = kind.path
    writers = [Depends(require(Role.ADMIN, Role.CASE_SYSTEM))]
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
