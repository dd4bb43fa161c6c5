"""Admin: the audit log (query and CSV / NDJSON export) and API key management, inside the admin's town line
(:mod:`graphsvc.services.admin`: keys and audit reads limited to the admin's towns, and audited)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query
from fastapi.responses import StreamingResponse

from graphsvc.access.audit import AuditLog
from graphsvc.access.principals import Role
from graphsvc.api.deps import PrincipalDep, SystemDep, require
from graphsvc.api.routes.resources import ERRORS
from graphsvc.api.schemas.services import KeyCreate, KeyCreated, KeyOut
from graphsvc.services.admin import AuditService, KeyAdmin

router = APIRouter(prefix="/v1", dependencies=[Depends(require(Role.ADMIN))])


@router.get(
    "/audit",
    tags=["監査ログ (audit)"],
    summary="監査ログの検索・出力 (query or export: json, csv, ndjson)",
    responses={
        **ERRORS,
        200: {"content": {"application/json": {}, "text/csv": {}, "application/x-ndjson": {}}},
    },
)
def audit(
    principal: PrincipalDep,
    system: SystemDep,
    town: Annotated[str | None, Query(max_length=63)] = None,
    key_id: Annotated[str | None, Query(max_length=64)] = None,
    record_id: Annotated[str | None, Query(max_length=128)] = None,
    action: Annotated[str | None, Query(max_length=64)] = None,
    since: Annotated[str | None, Query(max_length=40, description="ISO 8601 (以降)")] = None,
    until: Annotated[str | None, Query(max_length=40, description="ISO 8601 (より前)")] = None,
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
        since=since,
        until=until,
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
    return {
        "entries": [e.to_dict() for e in entries],
        "next_after_seq": entries[-1].seq if entries else after_seq,
        "chain_broken_at": q.chain_broken_at,
    }


@router.get(
    "/keys",
    tags=["APIキー (keys)"],
    summary="APIキーの一覧 (keys within your towns; hashes never shown)",
    response_model=list[KeyOut],
    responses=ERRORS,
)
def list_keys(principal: PrincipalDep, system: SystemDep) -> list[KeyOut]:
    return [KeyOut(**k.to_dict()) for k in KeyAdmin(system).list(principal)]


@router.post(
    "/keys",
    tags=["APIキー (keys)"],
    summary="APIキーの発行 (the key is shown once)",
    response_model=KeyCreated,
    status_code=201,
    responses=ERRORS,
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
    responses=ERRORS,
)
def revoke_key(
    principal: PrincipalDep, system: SystemDep, key_id: Annotated[str, Path(max_length=64)]
) -> KeyOut:
    return KeyOut(**KeyAdmin(system).revoke(principal, key_id).to_dict())
