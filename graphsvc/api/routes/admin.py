"""Admin: the audit log (query and CSV / NDJSON export) and API key management, inside the admin's town line
(:mod:`graphsvc.services.admin`: keys and audit reads limited to the admin's towns, and audited)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field

from graphsvc.access.audit import AuditLog
from graphsvc.access.principals import Role
from graphsvc.api.contract import AUTH_ERRORS, BODY_ERRORS, ApiRoute, responses
from graphsvc.api.deps import PrincipalDep, SystemDep, require
from graphsvc.api.schemas.services import KeyCreate, KeyCreated, KeyOut
from graphsvc.api.schemas.strict import DateTimeText
from graphsvc.domain.ids import TOWN_PATTERN
from graphsvc.services.admin import AuditService, KeyAdmin

router = APIRouter(prefix="/v1", dependencies=[Depends(require(Role.ADMIN))], route_class=ApiRoute)
ADMIN_ERRORS = (*AUTH_ERRORS, 403, 422)


class AuditPage(BaseModel):
    entries: list[dict[str, Any]] = Field(description="監査ログの記録 (seq 順)")
    next_after_seq: int = Field(description="続きを読むときの after_seq")
    chain_broken_at: int | None = Field(description="ハッシュの連鎖が切れている最初の seq (null: 改ざんなし)")


def _utc(when: datetime | None) -> str | None:
    """A bound as the log stores times (UTC, ISO 8601 to the second)."""
    return None if when is None else when.astimezone(UTC).replace(microsecond=0).isoformat()


@router.get(
    "/audit",
    tags=["監査ログ (audit)"],
    summary="監査ログの検索・出力 (query or export: json, csv, ndjson)",
    response_model=AuditPage,
    responses={
        200: {
            "description": "format=json: AuditPage / format=csv: CSV (UTF-8、数式は無害化) / format=ndjson: 1行1件",
            "content": {
                "text/csv": {"schema": {"type": "string"}},
                "application/x-ndjson": {"schema": {"type": "string"}},
            },
        },
        **responses(*ADMIN_ERRORS),
    },
)
def audit(
    principal: PrincipalDep,
    system: SystemDep,
    town: Annotated[
        str | None,
        Query(pattern=TOWN_PATTERN, description="町 (1つの町の管理者は必須) (required of a one-town admin)"),
    ] = None,
    key_id: Annotated[str | None, Query(max_length=64)] = None,
    record_id: Annotated[str | None, Query(max_length=128)] = None,
    action: Annotated[str | None, Query(max_length=64)] = None,
    since: Annotated[
        DateTimeText | None,
        Query(description="この日時以降 (RFC 3339、時差付き) (on or after; with its offset)"),
    ] = None,
    until: Annotated[
        DateTimeText | None,
        Query(description="この日時より前 (RFC 3339、時差付き) (before; with its offset)"),
    ] = None,
    after_seq: Annotated[int, Query(ge=0, le=2**62)] = 0,
    limit: Annotated[int, Query(ge=1, le=100_000)] = 500,
    format: Literal["json", "csv", "ndjson"] = "json",
) -> object:
    q = AuditService(system).query(
        principal,
        town=town,
        key_id=key_id,
        record_id=record_id,
        action=action,
        since=_utc(since),
        until=_utc(until),
        after_seq=after_seq,
        limit=limit,
    )
    entries = q.entries
    if format == "csv":
        return StreamingResponse(
            AuditLog.to_csv(entries),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="audit.csv"'},
        )
    if format == "ndjson":
        return StreamingResponse(AuditLog.to_ndjson(entries), media_type="application/x-ndjson")
    return AuditPage(
        entries=[e.to_dict() for e in entries],
        next_after_seq=entries[-1].seq if entries else after_seq,
        chain_broken_at=q.chain_broken_at,
    )


@router.get(
    "/keys",
    tags=["APIキー (keys)"],
    summary="APIキーの一覧 (keys within your towns; hashes never shown)",
    response_model=list[KeyOut],
    responses=responses(*ADMIN_ERRORS),
)
def list_keys(principal: PrincipalDep, system: SystemDep) -> list[KeyOut]:
    return [KeyOut(**k.to_dict()) for k in KeyAdmin(system).list(principal)]


@router.post(
    "/keys",
    tags=["APIキー (keys)"],
    summary="APIキーの発行 (the key is shown once)",
    response_model=KeyCreated,
    status_code=201,
    responses=responses(*ADMIN_ERRORS, *BODY_ERRORS),
)
def create_key(principal: PrincipalDep, system: SystemDep, body: KeyCreate) -> KeyCreated:
    key, info = KeyAdmin(system).create(
        principal,
        name=body.name,
        role=body.role,
        towns=body.towns,
        persons=body.persons,
        system_id=body.system_id,
    )
    return KeyCreated(key=key, **info.to_dict())


@router.delete(
    "/keys/{key_id}",
    tags=["APIキー (keys)"],
    summary="APIキーの失効 (revoke a key within your towns)",
    response_model=KeyOut,
    responses=responses(*ADMIN_ERRORS, 404),
)
def revoke_key(
    principal: PrincipalDep, system: SystemDep, key_id: Annotated[str, Path(max_length=64)]
) -> KeyOut:
    return KeyOut(**KeyAdmin(system).revoke(principal, key_id).to_dict())
