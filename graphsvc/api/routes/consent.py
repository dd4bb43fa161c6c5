"""本人同意 (consent) of a person: list, grant, withdraw (:mod:`graphsvc.services.consent`: recorded by admin,
the person's coordinator, or the case system that owns the person record; every call is audited)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Path
from pydantic import BaseModel

from graphsvc.api.contract import BODY_ERRORS, TOWN_ERRORS, ApiRoute, responses
from graphsvc.api.deps import TownDep, require
from graphsvc.api.routes.resources import ID_PATTERN
from graphsvc.api.schemas.services import ConsentGrantIn, ConsentGrantOut
from graphsvc.domain.consent import ConsentGrant
from graphsvc.services.consent import CONSENT_ROLES

router = APIRouter(
    prefix="/v1/towns/{town}/persons/{person_id}/consents", tags=["本人同意 (consent)"], route_class=ApiRoute
)
_who = [Depends(require(*CONSENT_ROLES))]
PersonId = Annotated[str, Path(pattern=ID_PATTERN)]


class Withdrawn(BaseModel):
    withdrawn: bool
    grant_id: str


def _out(g: ConsentGrant) -> ConsentGrantOut:
    return ConsentGrantOut(
        active=g.active(datetime.now(UTC).date()), **{k: v for k, v in g.to_dict().items() if k != "town"}
    )


@router.get(
    "",
    summary="同意の一覧 (consent grants)",
    response_model=list[ConsentGrantOut],
    responses=responses(*TOWN_ERRORS),
    dependencies=_who,
)
def list_consents(ctx: TownDep, person_id: PersonId) -> list[ConsentGrantOut]:
    return [_out(g) for g in ctx.t.consent.list(ctx.ctx, person_id)]


@router.post(
    "",
    summary="同意の記録 (record a consent grant)",
    response_model=ConsentGrantOut,
    status_code=201,
    responses=responses(*TOWN_ERRORS, *BODY_ERRORS),
    dependencies=_who,
)
def grant_consent(ctx: TownDep, person_id: PersonId, body: ConsentGrantIn) -> ConsentGrantOut:
    g = ctx.t.consent.grant(
        ctx.ctx,
        person_id,
        purposes=[p.value for p in body.purposes],
        recipients=body.recipients,
        valid_from=body.valid_from,
        valid_until=body.valid_until,
        note=body.note,
    )
    return _out(g)


@router.delete(
    "/{grant_id}",
    summary="同意の撤回 (withdraw a grant)",
    response_model=Withdrawn,
    responses=responses(*TOWN_ERRORS),
    dependencies=_who,
)
def withdraw_consent(
    ctx: TownDep, person_id: PersonId, grant_id: Annotated[str, Path(max_length=64)]
) -> Withdrawn:
    ctx.t.consent.withdraw(ctx.ctx, person_id, grant_id)
    return Withdrawn(withdrawn=True, grant_id=grant_id)
