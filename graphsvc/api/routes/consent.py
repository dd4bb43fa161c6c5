"""本人同意 (consent) of a person: list, grant, withdraw. Recorded by admin, the person's coordinator, or the
case system that owns the person record; every call is audited."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Path

from graphsvc.api.consent import ConsentGrant
from graphsvc.api.deps import TownDep, require
from graphsvc.api.errors import ApiError
from graphsvc.api.policy import check_person_in_scope
from graphsvc.api.routes.resources import ERRORS, ID_PATTERN
from graphsvc.api.schemas.services import ConsentGrantIn, ConsentGrantOut
from graphsvc.api.security import Role

router = APIRouter(prefix="/v1/towns/{town}/persons/{person_id}/consents", tags=["本人同意 (consent)"])
_who = [Depends(require(Role.ADMIN, Role.COORDINATOR, Role.CASE_SYSTEM))]
PersonId = Annotated[str, Path(pattern=ID_PATTERN)]


def _out(g: ConsentGrant) -> ConsentGrantOut:
    return ConsentGrantOut(
        active=g.active(datetime.now(UTC).date()), **{k: v for k, v in g.to_dict().items() if k != "town"}
    )


@router.get(
    "",
    summary="同意の一覧 (consent grants)",
    response_model=list[ConsentGrantOut],
    responses=ERRORS,
    dependencies=_who,
)
def list_consents(ctx: TownDep, person_id: PersonId) -> list[ConsentGrantOut]:
    ctx.need_purpose()
    check_person_in_scope(ctx, person_id)
    ctx.audit("read", "consents", [person_id])
    return [_out(g) for g in ctx.system.consents.grants(ctx.town, person_id)]


@router.post(
    "",
    summary="同意の記録 (record a consent grant)",
    response_model=ConsentGrantOut,
    status_code=201,
    responses=ERRORS,
    dependencies=_who,
)
def grant_consent(ctx: TownDep, person_id: PersonId, body: ConsentGrantIn) -> ConsentGrantOut:
    check_person_in_scope(ctx, person_id)
    if body.valid_from and body.valid_until and body.valid_until < body.valid_from:
        raise ApiError.of(422, "終了日が開始日より前です", "valid_until is before valid_from", "valid_until")
    g = ctx.system.consents.grant(
        ctx.town,
        person_id,
        purposes=[p.value for p in body.purposes],
        recipients=body.recipients,
        valid_from=body.valid_from,
        valid_until=body.valid_until,
        recorded_by=ctx.who(),
        note=body.note,
    )
    ctx.audit("consent_grant", "consents", [person_id])
    return _out(g)


@router.delete("/{grant_id}", summary="同意の撤回 (withdraw a grant)", responses=ERRORS, dependencies=_who)
def withdraw_consent(
    ctx: TownDep, person_id: PersonId, grant_id: Annotated[str, Path(max_length=64)]
) -> dict[str, object]:
    check_person_in_scope(ctx, person_id)
    if not ctx.system.consents.withdraw(ctx.town, person_id, grant_id):
        raise ApiError.of(404, "その同意はありません (撤回済みを含む)", "no such active grant", "grant_id")
    ctx.audit("consent_withdraw", "consents", [person_id])
    return {"withdrawn": True, "grant_id": grant_id}
